#!/bin/sh
# Measures `telemetry serve` against SQLite's own ceiling on this machine, for
# DELETE/FULL and WAL/NORMAL. Every figure is the median of RUNS runs.
#
#   bench/run_load.sh [BUILD_DIR] [SECONDS] [RUNS]
set -eu
BUILD=${1:-build}
SECONDS_PER_RUN=${2:-5}
RUNS=${3:-3}
BIN=$BUILD/src/telemetry
LOAD=$BUILD/bench/load/bench_load
CEILING=$BUILD/bench/load/sqlite_ceiling
. "$(dirname "$0")/load/start_serve.sh"
WORK=$(mktemp -d /tmp/telemetry-bench-XXXXXX)
trap 'rm -rf "$WORK"' EXIT

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
field() { sed -n "s/.*\"$1\":\([0-9.]*\).*/\1/p"; }

for mode in "DELETE FULL" "WAL NORMAL"; do
  set -- $mode
  journal=$1; sync=$2
  echo "== $journal/$sync"
  for per in 1 1000; do
    r=$(for i in $(seq "$RUNS"); do
          "$CEILING" --db "$WORK/ceiling.sqlite" --journal-mode "$journal" --synchronous "$sync" \
            --rows-per-commit "$per" --seconds "$SECONDS_PER_RUN" | field rows_per_second
        done | median)
    echo "sqlite ceiling, $per row(s) per commit: $r rows/s"
  done
  for scenario in "1 0" "16 0" "4 100"; do
    set -- $scenario
    clients=$1; batch=$2
    rates=""; p50s=""; p99s=""; rss=""
    for i in $(seq "$RUNS"); do
      rm -f "$WORK"/serve.sqlite*
      start_serve "$BIN" "$WORK/serve.sqlite" "$journal" "$sync"
      out=$("$LOAD" --port "$port" --clients "$clients" --batch "$batch" --seconds "$SECONDS_PER_RUN" --prefix "r$i")
      rates="$rates $(echo "$out" | field events_per_second)"
      p50s="$p50s $(echo "$out" | field p50_ms)"
      p99s="$p99s $(echo "$out" | field p99_ms)"
      rss="$rss $(awk '/VmHWM/ {print $2}' /proc/$pid/status)"
      kill -TERM "$pid"; wait "$pid" || true
    done
    label="$clients client(s)"; [ "$batch" -gt 0 ] && label="$label, batches of $batch"
    echo "serve, $label: $(echo $rates | tr ' ' '\n' | median) events/s," \
         "p50 $(echo $p50s | tr ' ' '\n' | median) ms, p99 $(echo $p99s | tr ' ' '\n' | median) ms," \
         "peak RSS $(echo $rss | tr ' ' '\n' | median) kB"
  done
done
