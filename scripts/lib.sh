# shellcheck shell=sh
# Sourced by the scripts in scripts/: `quiet STEP...` runs a step with its output in a
# log that is printed (with the step) only when it fails, so CI logs stay short.
quiet_log=$(mktemp)
trap 'rm -f "$quiet_log"' EXIT
quiet() {
  if "$@" >"$quiet_log" 2>&1; then return 0; fi
  cat "$quiet_log" >&2
  echo "${0##*/}: failed: $*" >&2
  return 1
}
