#!/bin/sh
# Configures the project in throw-away build directories the ways the README and
# docs/install-check.md promise, and checks the wraps (run by .ci/run; about a minute):
#   --wrap-mode=nofallback and --wrap-mode=nodownload     configure with the system packages
#   Catch2 hidden from pkg-config and cmake, -Dtests=auto  configures, without the unit tests
#   Catch2 hidden, -Dtests=enabled, nodownload             fails, naming catch2
#   -Dtests=disabled -Dbench=false                         neither unit tests nor benchmarks
#   every dependency() has a subprojects/<name>.wrap with archive, sha256 and [provide]
# Needs the Debian 12 build packages and Catch2 (scripts/install-deps.sh --with-tests).
set -eu
cd "$(dirname "$0")/.."
work=$(mktemp -d /var/tmp/telemetry-meson.XXXXXX)
trap 'rm -rf "$work"' EXIT
say() { echo "check-meson-setup: $*"; }
fail() { say "FAILED: $*"; exit 1; }
n=0
# setup EXPECT NAME ARGS...: meson setup in a new directory; EXPECT is ok or fail.
setup() {
  expect=$1 name=$2; shift 2
  n=$((n + 1))
  dir=$work/$n-$name
  if meson setup "$dir" "$@" >"$dir.log" 2>&1; then got=ok; else got=fail; fi
  if [ "$got" != "$expect" ]; then
    tail -n 30 "$dir.log"
    fail "meson setup $* ($name): expected $expect, got $got"
  fi
  say "meson setup $*: $got, as expected ($name)"
}
# targets DIR: the names of the targets the build directory defines.
targets() { meson introspect --targets "$1" | python3 -c 'import json, sys; print(" ".join(t["name"] for t in json.load(sys.stdin)))'; }
has_target() { case " $(targets "$1") " in *" $2 "*) return 0 ;; esac; return 1; }

setup ok system-only --wrap-mode=nofallback
has_target "$dir" test_util || fail "with Catch2 installed, tests=auto must build the unit tests"
setup ok no-download --wrap-mode=nodownload

# Catch2 as absent as on a machine without the package: a pkg-config directory without
# catch2.pc, and no cmake for meson to ask.
pc=$work/pkgconfig
mkdir -p "$pc"
for file in $(pkg-config --variable pc_path pkg-config | tr ':' ' '); do
  for found in "$file"/*.pc; do
    [ -e "$found" ] && [ "${found##*/}" != catch2.pc ] && ln -sf "$found" "$pc/"
  done
done
printf "[binaries]\ncmake = 'false'\n" >"$work/no-cmake.ini"
export PKG_CONFIG_LIBDIR="$pc"
setup ok no-catch2-auto --native-file "$work/no-cmake.ini"
grep -q "Run-time dependency catch2 found: NO" "$dir.log" || fail "Catch2 was found although hidden"
! has_target "$dir" test_util || fail "without Catch2, tests=auto must not build the unit tests"
has_target "$dir" telemetry || fail "the telemetry binary is missing"
setup fail no-catch2-enabled --native-file "$work/no-cmake.ini" -Dtests=enabled --wrap-mode=nodownload
grep -q "catch2" "$dir.log" || fail "the error does not name catch2"
unset PKG_CONFIG_LIBDIR

setup ok binary-only -Dtests=disabled -Dbench=false
! has_target "$dir" test_util || fail "tests=disabled still defines the unit tests"
! has_target "$dir" bench_load || fail "bench=false still defines the benchmarks"

# Each dependency() name has a wrap with an archive, its sha256 and a [provide] line.
for dep in CLI11:cli11 cpp-httplib:cpp-httplib sqlite3:sqlite3 nlohmann_json:nlohmann_json fmt:fmt catch2:catch2; do
  name=${dep#*:} wrap=subprojects/${dep#*:}.wrap
  grep -q "dependency('${dep%%:*}'" meson.build || fail "meson.build has no dependency('${dep%%:*}')"
  [ -f "$wrap" ] || fail "$wrap is missing"
  for key in directory source_url source_filename source_hash; do
    grep -q "^$key = ." "$wrap" || fail "$wrap has no $key"
  done
  grep -Eq '^source_hash = [0-9a-f]{64}$' "$wrap" || fail "$wrap: source_hash is not a sha256"
  grep -q "^$name = " "$wrap" || fail "$wrap does not provide $name"
  patch=$(sed -n 's/^patch_directory = //p' "$wrap")
  [ -z "$patch" ] || [ -f "subprojects/packagefiles/$patch/meson.build" ] || fail "$wrap: packagefiles/$patch/meson.build is missing"
done
say "the six wraps name their archive, sha256 and provided dependency"
say "passed"
