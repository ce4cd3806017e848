#!/bin/sh
# Configures (once) and builds the project in ./build. Quiet when it works;
# on failure the compiler's output is shown.
set -eu
cd "$(dirname "$0")/.."
log=$(mktemp)
trap 'rm -f "$log"' EXIT
if [ ! -f build/build.ninja ]; then
  meson setup build --buildtype=release >"$log" 2>&1 || { cat "$log" >&2; exit 1; }
fi
ninja -C build -j"$(nproc)" >"$log" 2>&1 || { cat "$log" >&2; exit 1; }
