# Sourced by the load scripts (POSIX sh): starts `telemetry serve` for one run.
#
#   start_serve BIN DB JOURNAL SYNC
#
# Serves DB on a free port with warnings to DB.log, and returns once the lock
# file names the port, with $pid and $port set; fails (log on stderr) if it
# does not start within 10 s.
start_serve() {
  "$1" serve --db "$2" --port 0 --no-env-file --journal-mode "$3" --synchronous "$4" \
    --log-level warning 2>"$2.log" &
  pid=$!
  port=""
  for _ in $(seq 200); do
    port=$(sed -n '4s/.*:\([0-9]*\)$/\1/p' "$2.lock" 2>/dev/null || true)
    [ -n "$port" ] && return 0
    sleep 0.05
  done
  echo "serve did not start:" >&2
  cat "$2.log" >&2
  return 1
}
