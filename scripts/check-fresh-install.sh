#!/bin/sh
# Checks the README's two commands on truly fresh Debian 12 machines: each in its own
# minimal root (debootstrap minbase, see debian-base.sh) holding a clean clone of HEAD.
#   serve: `./scripts/serve.sh` until /health answers and one POSTed run is stored and
#          read back; then SIGTERM, exit status 0.
#   test:  `./scripts/test.sh --unit-only` (the integration suite is left to the
#          caller's own run).
# The two phases run side by side, each in its own root (so neither sees what the
# other installs); `--phase serve` or `--phase test` runs one. Prints each phase's time.
# Needs root; exits 77 with the reason when debootstrap cannot run (not root, no
# debootstrap, no mirror). Uncommitted changes are not checked.
#   TELEMETRY_CHECK_CACHE  where the base root tarball is cached (default /var/cache/telemetry-check)
#   TELEMETRY_CHECK_KEEP=1 keep the roots and logs (under /var/tmp) for a look afterwards
#   TELEMETRY_CHECK_TIMEOUT seconds serve.sh gets to answer /health (default 7200: a loaded 2-core
#                          machine needed an hour for the packages and the first build)
set -eu
phases="serve test"
case "${1:-}" in
  "") ;;
  --phase) phases=${2:?"--phase needs serve or test"} ;;
  *) echo "usage: scripts/check-fresh-install.sh [--phase serve|test]" >&2; exit 64 ;;
esac
cd "$(dirname "$0")/.."
repo=$PWD
commit=$(git rev-parse HEAD)
say() { echo "check-fresh-install: $*"; }
now() { date +%s; }

t0=$(now)
base=$(./scripts/debian-base.sh) || {
  status=$?
  [ "$status" -eq 77 ] && say "SKIPPED (see the reason above)"
  exit "$status"
}
t_base=$(( $(now) - t0 ))
say "base root: $base (${t_base} s)"
git diff --quiet HEAD 2>/dev/null || say "note: the working tree has uncommitted changes; checking commit $commit only"

work=$(mktemp -d /var/tmp/telemetry-fresh.XXXXXX)
serve_pid=""
test_pid=""

# Mount the kernel file systems a real machine has; /dev recursively (apt needs
# /dev/pts) but as a slave, so unmounting it never reaches the host's /dev.
mount_root() {
  mount --bind /proc "$1/proc"
  mount --rbind /dev "$1/dev" && mount --make-rslave "$1/dev"
  mount --bind /sys "$1/sys"
}
umount_root() {
  umount "$1/proc" "$1/sys" 2>/dev/null || true
  umount -R "$1/dev" 2>/dev/null || umount -R -l "$1/dev" 2>/dev/null || true
}
# Processes still running inside a root (a daemon a package started): ours, ended by id.
kill_inside() {
  for proc in /proc/[0-9]*; do
    if [ "$(readlink "$proc/root" 2>/dev/null)" = "$1" ]; then kill -KILL "${proc#/proc/}" 2>/dev/null || true; fi
  done
}
cleanup() {
  for pid in $serve_pid $test_pid; do kill -KILL "$pid" 2>/dev/null || true; done
  for root in "$work/serve" "$work/test"; do
    [ -d "$root" ] || continue
    kill_inside "$root"
    umount_root "$root"
  done
  if grep -q " $work/" /proc/mounts; then
    say "left $work in place: something is still mounted inside it"
  elif [ "${TELEMETRY_CHECK_KEEP:-}" = 1 ]; then
    say "kept $work"
  else
    rm -rf "$work"
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# new_root NAME: a fresh copy of the base root with a clean clone of HEAD in /root/project.
new_root() {
  root=$work/$1
  mkdir -p "$root"
  tar -C "$root" -xzf "$base"
  git clone --quiet --no-checkout "$repo" "$root/root/project"
  git -C "$root/root/project" checkout --quiet "$commit"
  cp /etc/resolv.conf "$root/etc/resolv.conf"
  # What a Debian 12 installation writes; debootstrap leaves none.
  printf '127.0.0.1\tlocalhost\n::1\t\tlocalhost ip6-localhost ip6-loopback\n' >"$root/etc/hosts"
  # As in any chroot: packages must not start their daemons (prometheus would).
  printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
  chmod 0755 "$root/usr/sbin/policy-rc.d"
  mount_root "$root"
}
# chroot ROOT $clean_env ...: a command as a new user would type it, in a clean environment.
clean_env="/usr/bin/env -i HOME=/root PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8"
show_log() { sed 's/^/    | /' "$1"; }
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# phase_serve: ./scripts/serve.sh until it stores a run, then SIGTERM. Status 0 = passed.
phase_serve() {
  t=$(now)
  port=$(free_port)
  say "phase serve: ./scripts/serve.sh in a fresh root (port $port)"
  # shellcheck disable=SC2086
  chroot "$work/serve" $clean_env TELEMETRY_API_PORT="$port" sh -c 'cd /root/project && exec ./scripts/serve.sh' \
    >"$work/serve.log" 2>&1 &
  serve_pid=$!
  # In the background and waited for, so that a SIGTERM to this script is acted on at once.
  python3 scripts/check-service.py --url "http://127.0.0.1:$port" --pid "$serve_pid" --timeout "${TELEMETRY_CHECK_TIMEOUT:-7200}" \
    >"$work/serve.check" 2>&1 &
  if ! wait $!; then
    cat "$work/serve.check"; show_log "$work/serve.log"
    say "phase serve: FAILED: serve.sh did not bring up a service that stores a run"
    return 1
  fi
  ready=$(( $(now) - t ))
  kill -TERM "$serve_pid"
  status=0
  wait "$serve_pid" || status=$?
  serve_pid=""
  cat "$work/serve.check"; show_log "$work/serve.log"
  if [ "$status" -ne 0 ]; then
    say "phase serve: FAILED: telemetry serve exited $status on SIGTERM (expected 0)"
    return 1
  fi
  say "phase serve: passed in $(( $(now) - t )) s: healthy and storing runs ${ready} s after the start (install, build, serve); SIGTERM: exit 0"
}

# phase_test: ./scripts/test.sh --unit-only. Status 0 = passed.
phase_test() {
  t=$(now)
  status=0
  # shellcheck disable=SC2086
  chroot "$work/test" $clean_env sh -c 'cd /root/project && ./scripts/test.sh --unit-only' >"$work/test.log" 2>&1 &
  wait $! || status=$?
  show_log "$work/test.log"
  if [ "$status" -ne 0 ]; then
    say "phase test: FAILED: ./scripts/test.sh --unit-only exited $status after $(( $(now) - t )) s"
    return 1
  fi
  say "phase test: passed in $(( $(now) - t )) s (install, build with the unit tests, unit tests)"
}

say "checking commit $commit"
for phase in $phases; do new_root "$phase"; done
failed=""
case " $phases " in
  *" test "*)
    say "phase test: ./scripts/test.sh --unit-only in a fresh root"
    if [ "$phases" = test ]; then
      phase_test || failed="$failed test"
    else
      phase_test >"$work/test.out" 2>&1 &
      test_pid=$!
    fi ;;
esac
case " $phases " in *" serve "*) phase_serve || failed="$failed serve" ;; esac
if [ -n "$test_pid" ]; then
  wait "$test_pid" || failed="$failed test"
  test_pid=""
  cat "$work/test.out"
fi
[ -z "$failed" ] || { say "FAILED:$failed"; exit 1; }
say "passed; total $(( $(now) - t0 )) s (base root ${t_base} s)"
