#!/bin/sh
# Builds the libFuzzer targets with Debian's clang, AddressSanitizer and
# UndefinedBehaviorSanitizer, straight from the sources in src/core and
# src/buffer (no meson: the fuzz build needs other compiler flags than the
# product build and must not disturb it).
#
#   fuzz/build.sh            -> build-fuzz/fuzz_<target>
#   FUZZ_BUILD_DIR=/tmp/x fuzz/build.sh
#
# Needs: clang and libclang-rt-14-dev (the fuzzer and sanitizer runtimes),
# nlohmann-json3-dev and libfmt-dev (used header-only so fmt is instrumented too).
# Objects are rebuilt only when a source or header is newer, so a second run is quick.
set -eu
cd "$(dirname "$0")/.."
ROOT=$PWD
OUT=${FUZZ_BUILD_DIR:-$ROOT/build-fuzz}
CXX=${FUZZ_CXX:-clang++}
JOBS=${FUZZ_JOBS:-2}
mkdir -p "$OUT/obj"

if ! command -v "$CXX" >/dev/null 2>&1; then
  echo "fuzz/build.sh: $CXX not found; install clang and libclang-rt-14-dev" >&2
  exit 69
fi

SANITIZERS="address,undefined"
# -fno-sanitize-recover: an undefined-behaviour report must stop the run (a finding), not scroll by.
CXXFLAGS="-std=c++17 -g -O1 -fno-omit-frame-pointer -fsanitize=$SANITIZERS -fno-sanitize-recover=all \
  -DFMT_HEADER_ONLY -I$ROOT/src -I$ROOT/fuzz"

# The product code under test: the pure core, and the two buffer files that read lines.
LIBRARY_SOURCES="$(ls "$ROOT"/src/core/*.cpp) $ROOT/src/buffer/line_reader.cpp $ROOT/src/buffer/line_classifier.cpp"
TARGETS="run_parser buffer_lines query_values"

# Newest header we depend on: any change to one rebuilds every object.
newest_header=$(ls -t "$ROOT"/src/core/*.h "$ROOT"/src/util/ascii.h "$ROOT"/src/buffer/line_*.h "$ROOT"/fuzz/*.h | head -n 1)

# Library objects get coverage instrumentation without libFuzzer's main().
jobs_file=$OUT/obj/jobs
: > "$jobs_file"
for source in $LIBRARY_SOURCES; do
  name=$(basename "$(dirname "$source")")_$(basename "$source" .cpp)
  echo "$source $OUT/obj/$name.o" >> "$jobs_file"
done
for target in $TARGETS; do
  echo "$ROOT/fuzz/fuzz_$target.cpp $OUT/obj/fuzz_$target.o" >> "$jobs_file"
done
export CXX CXXFLAGS newest_header
# shellcheck disable=SC2016
xargs -P "$JOBS" -L 1 sh -c '
  if [ -f "$2" ] && [ "$2" -nt "$1" ] && [ "$2" -nt "$newest_header" ]; then exit 0; fi
  echo "  compiling $(basename "$1")" >&2
  exec $CXX $CXXFLAGS -fsanitize=fuzzer-no-link -c "$1" -o "$2"' sh < "$jobs_file"

library_objects=""
for source in $LIBRARY_SOURCES; do
  library_objects="$library_objects $OUT/obj/$(basename "$(dirname "$source")")_$(basename "$source" .cpp).o"
done
for target in $TARGETS; do
  # shellcheck disable=SC2086
  $CXX $CXXFLAGS -fsanitize=fuzzer "$OUT/obj/fuzz_$target.o" $library_objects -o "$OUT/fuzz_$target"
  echo "$OUT/fuzz_$target"
done
