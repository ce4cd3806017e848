#!/bin/sh
# Configures (once) and builds the project in ./build.
set -eu
cd "$(dirname "$0")/.."
if [ ! -f build/build.ninja ]; then
  meson setup build --buildtype=release >/dev/null
fi
ninja -C build -j"$(nproc)" >/dev/null
