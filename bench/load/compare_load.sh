#!/bin/sh
# run_load.sh's serve scenarios (1 client, 16 clients, 4 clients with batches
# of 100; DELETE/FULL and WAL/NORMAL) for two binaries side by side in one
# run: each run of the baseline is followed at once by a run of the
# candidate, so load from elsewhere on the machine falls on both alike.
# Prints the median events/s of each and the candidate/baseline ratio.
#
#   bench/load/compare_load.sh BASELINE_BIN CANDIDATE_BIN [BUILD_DIR] [SECONDS] [RUNS]
#
# Each binary creates its own fresh database, so a schema change (an index
# more) counts against the candidate. To compare the binaries alone, give both
# the same starting database: TEMPLATE_DB=/path/to/empty.sqlite (one the
# candidate created: run `serve` on a new path once and stop it). MODES picks
# the journal modes ("DELETE FULL" and/or "WAL NORMAL", comma-separated).
set -eu
BASE=$1
CAND=$2
BUILD=${3:-build}
SECONDS_PER_RUN=${4:-5}
RUNS=${5:-5}
LOAD=$BUILD/bench/load/bench_load
. "$(dirname "$0")/start_serve.sh"
WORK=$(mktemp -d /tmp/telemetry-compare-XXXXXX)
trap 'rm -rf "$WORK"' EXIT

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
field() { sed -n "s/.*\"$1\":\([0-9.]*\).*/\1/p"; }

# one_run BIN JOURNAL SYNC CLIENTS BATCH PREFIX: prints events/s
one_run() {
  rm -f "$WORK"/serve.sqlite*
  if [ -n "${TEMPLATE_DB:-}" ]; then cp "$TEMPLATE_DB" "$WORK/serve.sqlite"; fi
  start_serve "$1" "$WORK/serve.sqlite" "$2" "$3"
  "$LOAD" --port "$port" --clients "$4" --batch "$5" --seconds "$SECONDS_PER_RUN" --prefix "$6" | field events_per_second
  kill -TERM "$pid"; wait "$pid" || true
}

IFS_SAVED=$IFS
IFS=,
set -- ${MODES:-DELETE FULL,WAL NORMAL}
IFS=$IFS_SAVED
for mode in "$@"; do
  set -- $mode
  journal=$1; sync=$2
  for scenario in "1 0" "16 0" "4 100"; do
    set -- $scenario
    clients=$1; batch=$2
    base=""; cand=""
    for i in $(seq "$RUNS"); do
      base="$base $(one_run "$BASE" "$journal" "$sync" "$clients" "$batch" "b$i")"
      cand="$cand $(one_run "$CAND" "$journal" "$sync" "$clients" "$batch" "c$i")"
    done
    b=$(echo $base | tr ' ' '\n' | median)
    c=$(echo $cand | tr ' ' '\n' | median)
    label="$clients client(s)"; [ "$batch" -gt 0 ] && label="$label, batches of $batch"
    echo "$journal/$sync, $label: baseline $b events/s, candidate $c events/s, ratio $(awk -v b="$b" -v c="$c" 'BEGIN {printf "%.3f", c / b}')" \
         " (runs: baseline$base; candidate$cand)"
  done
done
