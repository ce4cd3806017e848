#!/bin/sh
# Configures ./build (meson, once) and builds it (ninja).
#   scripts/build.sh           what the configuration enables (the unit tests when Catch2 is found)
#   scripts/build.sh --serve   only the telemetry binary: what serve.sh runs
#   scripts/build.sh --tests   with the unit tests (tests=enabled); a ./build configured
#                              without them (by serve.sh) is reconfigured
# It says what it does. On a terminal ninja shows its progress line; elsewhere (CI, a
# pipe) meson's and ninja's output go to a log that is printed only when a step fails.
set -eu
cd "$(dirname "$0")/.."

mode=all
case "${1:-}" in
  "") ;;
  --serve) mode=serve ;;
  --tests) mode=tests ;;
  *) echo "usage: scripts/build.sh [--serve | --tests]" >&2; exit 64 ;;
esac

# shellcheck source=scripts/lib.sh
. ./scripts/lib.sh
say() { echo "build.sh: $*"; }
# progress STEP...: on a terminal the output is shown as it comes (ninja's status line).
progress() {
  if [ -t 1 ]; then
    "$@" && return 0
    echo "build.sh: failed: $*" >&2
    return 1
  fi
  quiet "$@"
}

tests_option=""
[ "$mode" = tests ] && tests_option="-Dtests=enabled"
if [ ! -f build/build.ninja ]; then
  say "configuring ./build (meson setup --buildtype=release${tests_option:+ $tests_option})"
  # shellcheck disable=SC2086
  quiet meson setup build --buildtype=release $tests_option
elif [ "$mode" = tests ]; then
  current=$(meson introspect build --buildoptions |
            python3 -c 'import json, sys; print(next(o["value"] for o in json.load(sys.stdin) if o["name"] == "tests"))')
  if [ "$current" != enabled ]; then
    # setup --reconfigure (not configure) also takes a ./build made when `tests` was a boolean.
    say "reconfiguring ./build with the unit tests (meson setup --reconfigure -Dtests=enabled; was $current)"
    quiet meson setup --reconfigure build -Dtests=enabled
  fi
fi

jobs=$(nproc 2>/dev/null || echo 2)
if [ "$mode" = serve ]; then
  say "building the telemetry binary only (ninja -j$jobs src/telemetry; a first build takes several minutes)"
  progress ninja -C build -j"$jobs" src/telemetry
else
  say "building the binary and the unit tests (ninja -j$jobs; a first build takes several minutes)"
  progress ninja -C build -j"$jobs"
fi
say "done"
