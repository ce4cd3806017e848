#!/bin/sh
# Builds the Dockerfile with podman from a clean clone of HEAD (--format docker, so
# the HEALTHCHECK is kept), runs the image, POSTs one run and reads it back, runs the
# health check, and stops the container with SIGTERM (exit code 0). Prints each
# step's time. Exits 77 with the reason when it cannot run (no podman or runc; no
# debian:12-slim image and no way to make one from debian-base.sh).
# The service gets an API token through the environment, so the check works whether
# the image ships with authentication on or off.
set -eu
cd "$(dirname "$0")/.."
repo=$PWD
commit=$(git rev-parse HEAD)
say() { echo "check-container: $*"; }
skip() { say "SKIPPED: $*"; exit 77; }
now() { date +%s; }

command -v podman >/dev/null || skip "podman is not installed (apt-get install podman buildah runc)"
runc=$(command -v runc || true)
[ -n "$runc" ] || skip "runc is not installed (apt-get install runc); crun cannot run containers on hosts with hybrid cgroups"

t0=$(now)
work=$(mktemp -d /var/tmp/telemetry-container.XXXXXX)
name=telemetry-check-$$
image=localhost/telemetry-check:$$
# runc cannot apply podman's default RLIMIT_* settings here; a private containers.conf
# (not the system one) leaves them out.
printf '[containers]\ndefault_ulimits = []\n' >"$work/containers.conf"
export CONTAINERS_CONF="$work/containers.conf"
pod() { podman --runtime "$runc" "$@"; }
cleanup() {
  pod rm -f "$name" >/dev/null 2>&1 || true
  podman rmi "$image" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# The Dockerfile starts FROM debian:12-slim; no registry is reachable from some
# machines, so without that image the minimal Debian 12 root stands in for it.
if ! podman image exists docker.io/library/debian:12-slim; then
  base=$(./scripts/debian-base.sh) || {
    status=$?
    [ "$status" -eq 77 ] && skip "no debian:12-slim image and no Debian root to import (see above)"
    exit "$status"
  }
  say "importing $base as docker.io/library/debian:12-slim"
  podman import --quiet "$base" docker.io/library/debian:12-slim >/dev/null
fi

git clone --quiet --no-checkout "$repo" "$work/project"
git -C "$work/project" checkout --quiet "$commit"
git diff --quiet HEAD 2>/dev/null || say "note: the working tree has uncommitted changes; checking commit $commit only"

t1=$(now)
say "building the image from a clean clone (podman build --format docker)"
if ! podman build --isolation=chroot --format docker -t "$image" "$work/project" >"$work/build.log" 2>&1; then
  tail -n 60 "$work/build.log"
  say "FAILED: podman build"
  exit 1
fi
t_build=$(( $(now) - t1 ))
say "built in ${t_build} s"
healthcheck=$(podman image inspect --format '{{json .Config.Healthcheck}}' "$image")
case "$healthcheck" in
  *telemetry*) ;;
  *) say "FAILED: the image has no HEALTHCHECK ($healthcheck)"; exit 1 ;;
esac

# A token through the environment: used when the image enables authentication,
# ignored (with a warning in the log) when it does not. An image that names a token
# file gets the token in that file instead (both at once is a configuration error).
t2=$(now)
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
token=$(python3 -c 'import secrets; print(secrets.token_hex(20))')
token_file=$(podman image inspect --format '{{range .Config.Env}}{{println .}}{{end}}' "$image" |
             sed -n 's/^TELEMETRY_API_AUTH_TOKEN_FILE=//p')
if [ -n "$token_file" ]; then
  printf '%s\n' "$token" >"$work/token"
  chmod 0644 "$work/token"
  token_args="-v $work/token:$token_file:ro"
else
  token_args="-e TELEMETRY_API_AUTH_TOKEN=$token"
fi
say "running it (port $port, --network=host)"
# shellcheck disable=SC2086
pod run -d --name "$name" --network=host -e TELEMETRY_API_PORT="$port" $token_args "$image" >/dev/null
if ! python3 scripts/check-service.py --url "http://127.0.0.1:$port" --token "$token" --timeout 120; then
  pod logs "$name" 2>&1 | tail -n 40
  say "FAILED: the container does not store a run"
  exit 1
fi
if ! pod healthcheck run "$name"; then
  pod logs "$name" 2>&1 | tail -n 40
  say "FAILED: podman healthcheck run reports unhealthy"
  exit 1
fi
say "podman healthcheck run: healthy"
pod stop -t 60 "$name" >/dev/null
exit_code=$(podman inspect --format '{{.State.ExitCode}}' "$name")
pod logs "$name" 2>&1 | tail -n 5 | sed 's/^/    | /'
if [ "$exit_code" != 0 ]; then
  say "FAILED: after podman stop (SIGTERM) the container exited $exit_code (expected 0)"
  exit 1
fi
say "podman stop (SIGTERM): exit code 0"
say "times: build ${t_build} s, run and checks $(( $(now) - t2 )) s, total $(( $(now) - t0 )) s"
