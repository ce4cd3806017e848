#!/bin/sh
# Quick start: install what is missing, build the binary (only it: no unit tests,
# no benchmarks), and run `telemetry serve` on the default local database
# ($XDG_DATA_HOME or ~/.local/share/telemetry). Arguments go to `telemetry serve`.
set -eu
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
./scripts/build.sh --serve
echo "serve.sh: starting ./build/src/telemetry serve $*"
exec ./build/src/telemetry serve "$@"
