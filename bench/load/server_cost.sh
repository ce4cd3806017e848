#!/bin/sh
# What one request costs the server, beside its throughput: CPU time (user +
# system, all threads) and context switches (voluntary + involuntary, all
# threads) per event, read from /proc around one bench_load run against a
# fresh `telemetry serve`. Context switches count the thread hand-offs on a
# request's path, which on a VM cost more than the work itself.
#
#   bench/load/server_cost.sh BIN [JOURNAL] [SYNC] [CLIENTS] [SECONDS] [BUILD_DIR]
#   bench/load/server_cost.sh build/src/telemetry WAL NORMAL 1 3
#
# TEMPLATE_DB=/path/to/empty.sqlite starts from a copy of that database.
set -eu
BIN=$1
JOURNAL=${2:-WAL}
SYNC=${3:-NORMAL}
CLIENTS=${4:-1}
SECONDS_PER_RUN=${5:-3}
BUILD=${6:-build}
. "$(dirname "$0")/start_serve.sh"
WORK=$(mktemp -d /tmp/telemetry-cost-XXXXXX)
trap 'rm -rf "$WORK"' EXIT

if [ -n "${TEMPLATE_DB:-}" ]; then cp "$TEMPLATE_DB" "$WORK/serve.sqlite"; fi
start_serve "$BIN" "$WORK/serve.sqlite" "$JOURNAL" "$SYNC"

ticks() { awk '{print $14 + $15}' "/proc/$pid/stat"; }
switches() { cat /proc/"$pid"/task/*/status | awk '/ctxt_switches/ {s += $2} END {print s}'; }

t0=$(ticks); c0=$(switches)
out=$("$BUILD/bench/load/bench_load" --port "$port" --clients "$CLIENTS" --batch 0 \
  --seconds "$SECONDS_PER_RUN" --prefix cost)
t1=$(ticks); c1=$(switches)
kill -TERM "$pid"
wait "$pid" || true

events=$(echo "$out" | sed -n 's/.*"events":\([0-9]*\).*/\1/p')
rate=$(echo "$out" | sed -n 's/.*"events_per_second":\([0-9.]*\).*/\1/p')
hz=$(getconf CLK_TCK)
awk -v e="$events" -v r="$rate" -v t="$((t1 - t0))" -v c="$((c1 - c0))" -v hz="$hz" 'BEGIN {
  printf "events/s %s  server CPU %.0f us/event  context switches %.2f/event\n", r, t * 1e6 / hz / e, c / e }'
