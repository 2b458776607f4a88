#!/usr/bin/env bash
# Builds localhost/runner-ee:test, a minimal Debian image with python3 and ansible-core, from
# Debian's mirror (no container registry is reachable here). Skips the work if it exists.
set -euo pipefail
export CONTAINERS_CONF="$(cd "$(dirname "$0")" && pwd)/containers.conf"
IMAGE=localhost/runner-ee:test
if podman image exists "$IMAGE"; then echo "$IMAGE exists"; exit 0; fi
root=$(mktemp -d /var/tmp/runner-ee-XXXX)
trap 'rm -rf "$root"' EXIT
debootstrap --variant=minbase bookworm "$root" http://deb.debian.org/debian >/dev/null
chroot "$root" apt-get install -y -qq --no-install-recommends python3 ansible-core openssh-client >/dev/null
chroot "$root" apt-get clean
tar -C "$root" -c . | podman import --change 'CMD ["/bin/bash"]' - "$IMAGE" >/dev/null
echo "built $IMAGE"
