#!/bin/sh
# Long fuzzing runs of every target in fuzz/ (CI runs each for 10 s only,
# tests/integration/test_fuzz_smoke.py). Each target keeps a working corpus in
# $FUZZ_BUILD_DIR/corpus/<target> (seeded from fuzz/corpus/<target>, grown by
# every run) and writes any crashing input to $FUZZ_BUILD_DIR/artifacts/.
#
#   bench/fuzz_long.sh                    every target, 600 s each, one at a time
#   bench/fuzz_long.sh 3600 run_parser    one target for an hour
#   FUZZ_PARALLEL=2 bench/fuzz_long.sh    two targets at a time (nice -n 19)
#
# Exits non-zero when any target found something; a finding becomes a
# regression test in tests/unit/core/test_fuzz_regressions.cpp.
set -eu
cd "$(dirname "$0")/.."
SECONDS_EACH=${1:-600}
[ $# -gt 0 ] && shift
TARGETS=${*:-run_parser buffer_lines query_values}
OUT=${FUZZ_BUILD_DIR:-$PWD/build-fuzz}
PARALLEL=${FUZZ_PARALLEL:-1}
export FUZZ_BUILD_DIR="$OUT"
[ -n "${FUZZ_SKIP_BUILD:-}" ] || fuzz/build.sh >/dev/null
mkdir -p "$OUT/artifacts" "$OUT/logs"

run_target() {
  target=$1
  mkdir -p "$OUT/corpus/$target"
  log="$OUT/logs/$target.log"
  if nice -n 19 "$OUT/fuzz_$target" -max_total_time="$SECONDS_EACH" -timeout=10 -rss_limit_mb=2048 \
      -max_len=65536 -print_final_stats=1 -artifact_prefix="$OUT/artifacts/$target-" \
      "$OUT/corpus/$target" "fuzz/corpus/$target" >"$log" 2>&1; then
    result=ok
  else
    result="FINDING (see $log and $OUT/artifacts/)"
  fi
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
  speed=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -n 1)
  corpus=$(ls "$OUT/corpus/$target" | wc -l)
  echo "$target: ${SECONDS_EACH}s, $runs runs, $speed exec/s, $cov, corpus $corpus files: $result"
  [ "$result" = ok ]
}

status=0
if [ "$PARALLEL" -gt 1 ]; then
  echo "command: bench/fuzz_long.sh $SECONDS_EACH $TARGETS (FUZZ_PARALLEL=$PARALLEL)"
  # One child per target, PARALLEL at a time; each prints its own line.
  printf '%s\n' $TARGETS | FUZZ_SKIP_BUILD=1 FUZZ_PARALLEL=1 xargs -P "$PARALLEL" -I{} "$0" "$SECONDS_EACH" {} \
    || status=1
else
  [ -n "${FUZZ_SKIP_BUILD:-}" ] || echo "command: bench/fuzz_long.sh $SECONDS_EACH $TARGETS"
  for target in $TARGETS; do run_target "$target" || status=1; done
fi
exit $status
