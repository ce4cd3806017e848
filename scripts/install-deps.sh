#!/bin/sh
# Installs the Debian 12 packages the build and the tests need, only when
# something is missing (so a second run is instant). Needs root or sudo.
set -eu

BUILD_PACKAGES="meson ninja-build g++ pkg-config libcli11-dev libcpp-httplib-dev libsqlite3-dev nlohmann-json3-dev libfmt-dev"
TEST_PACKAGES="catch2 python3 python3-pytest sqlite3 scdoc groff-base man-db zsh fish systemd prometheus clang libclang-rt-14-dev chromium nodejs$(command -v npm >/dev/null 2>&1 || echo " npm")"

packages="$BUILD_PACKAGES"
if [ "${1:-}" = "--with-tests" ]; then packages="$packages $TEST_PACKAGES"; fi

missing=""
for package in $packages; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing="$missing $package"
  fi
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo"; fi
echo "installing:$missing" >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
