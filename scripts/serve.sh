#!/bin/sh
# Quick start: install what is missing, build, and run `telemetry serve` on
# the default local database ($XDG_DATA_HOME or ~/.local/share/telemetry).
set -eu
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
./scripts/build.sh
exec ./build/src/telemetry serve "$@"
