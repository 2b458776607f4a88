#!/usr/bin/env bash
# Fetches a newer ansible-core than Debian 12's 2.14 (the one Debian 13 ships, 2.19: what
# execution environments run today) and unpacks it, uninstalled, into the test cache, so the
# reference tests can run both runners against it too (PATH and PYTHONPATH point there). It
# runs on bookworm's Python and libraries. The .deb is found through trixie's package index and
# checked against the SHA256 the index gives. Skips the work if it is there.
set -euo pipefail
DEST="${XDG_CACHE_HOME:-$HOME/.cache}/runner-tests/ansible-core-trixie"
MIRROR=http://deb.debian.org/debian
if [ -x "$DEST/usr/bin/ansible-playbook" ]; then echo "ansible-core $(cat "$DEST/VERSION") is in $DEST"; exit 0; fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
curl -fsS "$MIRROR/dists/trixie/main/binary-all/Packages.xz" -o "$work/Packages.xz"
read -r version filename sha256 < <(xz -dc "$work/Packages.xz" | awk '
  /^Package: /{p = ($2 == "ansible-core")}
  p && /^Version: /{v = $2} p && /^Filename: /{f = $2} p && /^SHA256: /{s = $2}
  /^$/ && p && f {print v, f, s; exit}')
[ -n "${filename:-}" ] || { echo "ansible-core is not in trixie's package index" >&2; exit 1; }
curl -fsS "$MIRROR/$filename" -o "$work/ansible-core.deb"
echo "$sha256  $work/ansible-core.deb" | sha256sum -c --quiet
rm -rf "$DEST.tmp" && mkdir -p "$DEST.tmp"
dpkg-deb -x "$work/ansible-core.deb" "$DEST.tmp"
echo "$version" > "$DEST.tmp/VERSION"
rm -rf "$DEST" && mv "$DEST.tmp" "$DEST"
echo "unpacked ansible-core $version into $DEST"
