#!/bin/sh
# Installs the Debian 12 packages the build and the tests need, only when
# something is missing (so a second run is instant). Needs root or sudo.
set -eu

BUILD_PACKAGES="meson ninja-build g++ pkg-config libcli11-dev libcpp-httplib-dev libsqlite3-dev nlohmann-json3-dev libfmt-dev"
TEST_PACKAGES="catch2 python3 python3-pytest sqlite3 scdoc groff-base man-db zsh fish systemd prometheus clang libclang-rt-14-dev chromium nodejs$(command -v npm >/dev/null 2>&1 || echo " npm")"

packages="$BUILD_PACKAGES"
# --with-checks (.ci/run): also the tools of the fresh-root and container checks.
CHECK_PACKAGES="debootstrap podman buildah runc"
case "${1:-}" in
  --with-tests) packages="$packages $TEST_PACKAGES" ;;
  --with-checks) packages="$packages $TEST_PACKAGES $CHECK_PACKAGES" ;;
esac

missing=""
for package in $packages; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing="$missing $package"
  fi
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo"; fi
echo "install-deps.sh: installing with apt-get (a few minutes on a fresh machine):$missing"
export DEBIAN_FRONTEND=noninteractive
# apt's output goes to a log, printed only when a step fails.
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"
quiet $SUDO apt-get update
# shellcheck disable=SC2086
quiet $SUDO apt-get install -y --no-install-recommends $missing
