#!/bin/sh
# Quick start: install what is missing, build with the unit tests, and run the whole
# test suite: the Catch2 unit tests, then the integration and CLI tests against the
# real binary. Arguments go to pytest.
#   scripts/test.sh --unit-only   the unit tests only (no integration suite)
set -eu
cd "$(dirname "$0")/.."
unit_only=false
if [ "${1:-}" = "--unit-only" ]; then unit_only=true; shift; fi
./scripts/install-deps.sh --with-tests
./scripts/build.sh --tests
echo "test.sh: unit tests (meson test --suite unit)"
meson test -C build --suite unit --print-errorlogs
if [ "$unit_only" = true ]; then
  echo "test.sh: --unit-only: integration tests not run"
  exit 0
fi
echo "test.sh: integration and CLI tests (pytest tests/integration)"
# Debian's python3 carries pytest; a python3 earlier on PATH (pyenv, venv) may not.
PYTHON=/usr/bin/python3
[ -x "$PYTHON" ] || PYTHON=python3
TELEMETRY_BIN="$PWD/build/src/telemetry" "$PYTHON" -m pytest -q -p no:cacheprovider tests/integration "$@"
