#!/usr/bin/env bash
# Runs the profiling tests on a pure cgroup v2 kernel, for machines whose own cgroups are v1 or
# hybrid: a guest boots Debian's kernel with cgroup_no_v1=all, its root file system is the
# local EE image (python3 + ansible-core) plus this checkout and the deno binary, and its init
# mounts only cgroup2. The CPU is emulated (TCG: nested KVM hangs on this machine's VMs), so it
# is slow but a real kernel's cgroup v2. Needs root, qemu-system-x86, a Debian linux-image (for
# /boot/vmlinuz-* and its initrd) and localhost/runner-ee:test (.ci/build-ee-image.sh).
#   apt-get install -y --no-install-recommends qemu-system-x86 linux-image-amd64
#   bash .ci/cgroup-v2-vm.sh [deno test arguments, default: the profiling tests]
# RUNNER_VM_COMMAND, when set, is run in the guest (in the checkout) instead of deno test.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
kernel=$(ls /boot/vmlinuz-* 2>/dev/null | sort -V | tail -1)
[ -n "$kernel" ] || { echo "cgroup-v2-vm: no /boot/vmlinuz-*: install linux-image-amd64" >&2; exit 2; }
initrd=/boot/initrd.img-${kernel#/boot/vmlinuz-}
tests=("$@")
[ ${#tests[@]} -gt 0 ] || tests=(profiling/ tests/profiling_test.ts)

work=$(mktemp -d /var/tmp/runner-v2vm-XXXX)
trap 'rm -rf "$work"' EXIT
mkdir "$work/root"
ctr=$(podman create localhost/runner-ee:test)
podman export "$ctr" | tar -C "$work/root" -x
podman rm "$ctr" >/dev/null
cp "$(readlink -f "$(command -v deno)")" "$work/root/usr/local/bin/deno"
mkdir "$work/root/repo"
(cd "$repo" && git ls-files -co --exclude-standard -z | tar -c --null -T - node_modules) |
  tar -C "$work/root/repo" -x
deno_dir=$(deno info --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["denoDir"])')
mkdir -p "$work/root/root/.cache"
cp -a "$deno_dir" "$work/root/root/.cache/deno"

cat >"$work/root/vm-init.sh" <<EOF
#!/bin/bash
# PID 1 of the guest: a cgroup v2-only system that runs the tests and powers off.
mountpoint -q /proc || mount -t proc proc /proc
mountpoint -q /sys || mount -t sysfs sys /sys
mountpoint -q /dev || mount -t devtmpfs dev /dev
mkdir -p /dev/pts /dev/shm && mount -t devpts -o ptmxmode=0666 devpts /dev/pts
mount -t tmpfs shm /dev/shm
mount -t tmpfs tmp /tmp
mount -t cgroup2 cgroup2 /sys/fs/cgroup
export HOME=/root PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin DENO_DIR=/root/.cache/deno
echo "guest: \$(uname -r); cgroup mounts:"; grep cgroup /proc/self/mountinfo
echo "guest: root controllers: \$(cat /sys/fs/cgroup/cgroup.controllers)"
cd /repo && ${RUNNER_VM_COMMAND:-deno test --allow-all ${tests[*]}}
echo "VM-RESULT \$?"
sync
echo o > /proc/sysrq-trigger
while :; do :; done
EOF
chmod 755 "$work/root/vm-init.sh"
mkfs.ext4 -q -d "$work/root" "$work/disk.img" 4G

timeout 3000 qemu-system-x86_64 -accel tcg,thread=multi -cpu max -smp 2 -m 4G -nographic -no-reboot \
  -kernel "$kernel" -initrd "$initrd" \
  -append "console=ttyS0 root=/dev/vda rw init=/vm-init.sh cgroup_no_v1=all panic=1 quiet" \
  -drive "file=$work/disk.img,format=raw,if=virtio" | tee "$work/console.log"
rc=$(sed -n 's/.*VM-RESULT \([0-9]*\).*/\1/p' "$work/console.log" | tail -1)
[ -n "$rc" ] || { echo "cgroup-v2-vm: the guest did not report a result" >&2; exit 1; }
exit "$rc"
