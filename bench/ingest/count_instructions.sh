#!/bin/sh
# Instructions executed by `telemetry ingest-buffer` (direct mode, fresh database)
# per thread, under callgrind: exact counts that a busy machine does not disturb.
# Used for the per-change table in docs/perf/ingest.md.
#
#   bench/ingest/count_instructions.sh build/src/telemetry /var/tmp/bench-ingest/source.jsonl [lines]
#
# Prints the applying (main) thread's count and the other threads' total, in
# millions, for the first `lines` lines (default 20000). Needs valgrind.
set -eu
binary=$1
source=$2
lines=${3:-20000}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
head -n "$lines" "$source" > "$work/input.jsonl"
valgrind --tool=callgrind --separate-threads=yes --callgrind-out-file="$work/out.%p" \
  "$binary" ingest-buffer --no-env-file --db "$work/db.sqlite" "$work/input.jsonl" >/dev/null 2>&1
main=$(grep -h '^summary' "$work"/out.*-01 | awk '{printf "%d", $2 / 1000000}')
all=$(cat "$work"/out.*-* | grep '^summary' | awk '{s += $2} END {printf "%d", s / 1000000}')
echo "$lines lines: applying thread ${main} M instructions, other threads $((all - main)) M"
