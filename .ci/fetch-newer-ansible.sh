#!/usr/bin/env bash
# Fetches what Debian 13 ships of Ansible, newer than Debian 12's ansible-runner 2.3 and
# ansible-core 2.14: ansible-runner 2.4 and ansible-core 2.19 (the data-tagging release), the
# pair execution environments run today, and unpacks them, uninstalled, into one dir of the test
# cache, so the side-by-side tests can run against them too (PATH and PYTHONPATH point there).
# Both run on bookworm's Python and libraries. Each .deb is found through trixie's package
# index and checked against the SHA256 the index gives. Skips the work if it is there.
set -euo pipefail
DEST="${XDG_CACHE_HOME:-$HOME/.cache}/runner-tests/trixie-ansible"
MIRROR=http://deb.debian.org/debian
PACKAGES=(ansible-core python3-ansible-runner)
if [ -f "$DEST/VERSIONS" ]; then echo "in $DEST: $(tr '\n' ' ' < "$DEST/VERSIONS")"; exit 0; fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
curl -fsS "$MIRROR/dists/trixie/main/binary-all/Packages.xz" -o "$work/Packages.xz"
rm -rf "$DEST.tmp" && mkdir -p "$DEST.tmp"
for package in "${PACKAGES[@]}"; do
  read -r version filename sha256 < <(xz -dc "$work/Packages.xz" | awk -v want="$package" '
    /^Package: /{p = ($2 == want)}
    p && /^Version: /{v = $2} p && /^Filename: /{f = $2} p && /^SHA256: /{s = $2}
    /^$/ && p && f {print v, f, s; exit}')
  [ -n "${filename:-}" ] || { echo "$package is not in trixie's package index" >&2; exit 1; }
  curl -fsS "$MIRROR/$filename" -o "$work/$package.deb"
  echo "$sha256  $work/$package.deb" | sha256sum -c --quiet
  dpkg-deb -x "$work/$package.deb" "$DEST.tmp"
  echo "$package $version" >> "$DEST.tmp/VERSIONS"
  unset version filename sha256
done
rm -rf "$DEST" && mv "$DEST.tmp" "$DEST"
echo "unpacked into $DEST: $(tr '\n' ' ' < "$DEST/VERSIONS")"
