#!/bin/sh
# Quick start: install what is missing, build, and run the whole test suite:
# the Catch2 unit tests, then the integration and CLI tests against the real binary.
set -eu
cd "$(dirname "$0")/.."
./scripts/install-deps.sh --with-tests
./scripts/build.sh
meson test -C build --suite unit --print-errorlogs
# Debian's python3 carries pytest; a python3 earlier on PATH (pyenv, venv) may not.
PYTHON=/usr/bin/python3
[ -x "$PYTHON" ] || PYTHON=python3
TELEMETRY_BIN="$PWD/build/src/telemetry" "$PYTHON" -m pytest -q -p no:cacheprovider tests/integration "$@"
