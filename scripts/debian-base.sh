#!/bin/sh
# Prints the path of a minimal Debian 12 root as a tarball (debootstrap
# --variant=minbase bookworm), made once and cached outside the repository:
# $TELEMETRY_CHECK_CACHE, default /var/cache/telemetry-check. Used by
# check-fresh-install.sh and check-container.sh. Needs root and Debian's mirror
# (the one apt uses here). Exit 77 with the reason when it cannot run.
set -eu
cache=${TELEMETRY_CHECK_CACHE:-/var/cache/telemetry-check}
tarball=$cache/bookworm-minbase.tar.gz
if [ -f "$tarball" ]; then echo "$tarball"; exit 0; fi

skip() { echo "debian-base.sh: cannot make a Debian root: $*" >&2; exit 77; }
[ "$(id -u)" -eq 0 ] || skip "debootstrap needs root"
command -v debootstrap >/dev/null || skip "debootstrap is not installed (apt-get install debootstrap)"
mirror=$(awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
[ -n "$mirror" ] || mirror=$(awk '$1 == "deb" && $0 !~ /security/ {print $2; exit}' /etc/apt/sources.list 2>/dev/null || true)
[ -n "$mirror" ] || mirror=http://deb.debian.org/debian
python3 -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1] + "/dists/bookworm/Release", timeout=20)' \
  "$mirror" 2>/dev/null || skip "the Debian mirror $mirror is not reachable"

mkdir -p "$cache"
root=$(mktemp -d "$cache/bookworm.XXXXXX")
echo "debian-base.sh: debootstrap --variant=minbase bookworm from $mirror (once; cached in $tarball)" >&2
if ! debootstrap --variant=minbase bookworm "$root" "$mirror" >"$root.log" 2>&1; then
  tail -n 30 "$root.log" >&2
  # debootstrap mounts /proc and /sys inside; never remove a tree with mounts in it.
  grep -q " $root/" /proc/mounts || rm -rf "$root"
  echo "debian-base.sh: debootstrap failed (log: $root.log)" >&2
  exit 1
fi
tar -C "$root" -czf "$tarball.part" . && mv "$tarball.part" "$tarball"
rm -rf "$root" "$root.log"
echo "$tarball"
