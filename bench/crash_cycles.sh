#!/bin/sh
# Crash harness, many cycles: `telemetry serve` under 16-client write load is
# killed with SIGKILL at a random moment, restarted, and checked against the
# ledger of acknowledged event_ids (lost, duplicated, never-sent rows,
# integrity_check). Same code as tests/integration/test_faults_crash.py.
#
#   bench/crash_cycles.sh                 200 cycles, DELETE journal, synchronous FULL
#   bench/crash_cycles.sh 500 --journal-mode WAL --seed 7
#
# Prints the figures and exits non-zero if any acknowledged event was lost or
# duplicated. TELEMETRY_BIN selects the binary (default build/src/telemetry).
set -eu
cd "$(dirname "$0")/.."
CYCLES=${1:-200}
[ $# -gt 0 ] && shift
: "${TELEMETRY_BIN:=$PWD/build/src/telemetry}"
export TELEMETRY_BIN
PYTHON=/usr/bin/python3
[ -x "$PYTHON" ] || PYTHON=python3
echo "binary: $TELEMETRY_BIN" >&2
echo "command: bench/crash_cycles.sh $CYCLES $*" >&2
exec "$PYTHON" tests/integration/crash_harness.py --cycles "$CYCLES" --quiet "$@"
