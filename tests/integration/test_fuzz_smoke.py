"""Short runs of the libFuzzer targets in fuzz/ (issue 8): each target is
built by fuzz/build.sh (clang, AddressSanitizer, UndefinedBehaviorSanitizer)
and run for a bounded time over its seed corpus. A crash, leak, sanitizer
report or failed property makes libFuzzer exit non-zero and the test fail;
the input that did it is left in the test's temporary directory.

Long runs: bench/fuzz_long.sh. Fails, saying which package to install, when clang or
the libFuzzer runtime is missing (scripts/install-deps.sh --with-tests installs both)."""
import os
import re
import shutil
import subprocess

import pytest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
TARGETS = ["run_parser", "buffer_lines", "query_values"]
SECONDS = int(os.environ.get("FUZZ_SMOKE_SECONDS", "10"))


def clang_missing():
    """Why the fuzzers cannot be built here, or None."""
    if shutil.which("clang++") is None:
        return "clang++ is not installed (apt-get install clang libclang-rt-14-dev)"
    probe = subprocess.run(["clang++", "-print-resource-dir"], capture_output=True, text=True)
    runtime = os.path.join(probe.stdout.strip(), "lib", "linux", "libclang_rt.fuzzer-x86_64.a")
    if probe.returncode != 0 or not os.path.exists(runtime):
        # Debian ships the sanitizer and fuzzer runtimes in a separate package.
        return "the libFuzzer runtime is missing (apt-get install libclang-rt-14-dev)"
    return None


@pytest.fixture(scope="module")
def fuzz_binaries(tmp_path_factory):
    reason = clang_missing()
    assert reason is None, "the fuzz targets cannot be built: " + str(reason)
    out = os.environ.get("FUZZ_BUILD_DIR", os.path.join(ROOT, "build-fuzz"))
    build = subprocess.run([os.path.join(ROOT, "fuzz", "build.sh")], cwd=ROOT, capture_output=True, text=True,
                           env=dict(os.environ, FUZZ_BUILD_DIR=out), timeout=1800)
    assert build.returncode == 0, build.stdout + build.stderr
    return out


@pytest.mark.parametrize("target", TARGETS)
def test_fuzz_target_finds_nothing_in_a_short_run(fuzz_binaries, target, tmp_path):
    seeds = os.path.join(ROOT, "fuzz", "corpus", target)
    assert os.listdir(seeds), "no seed corpus for " + target
    work = tmp_path / "corpus"  # new inputs go here, never into the committed seeds
    work.mkdir()
    result = subprocess.run(
        [os.path.join(fuzz_binaries, "fuzz_" + target), "-max_total_time=%d" % SECONDS,
         "-timeout=10", "-rss_limit_mb=2048", "-max_len=65536", "-print_final_stats=1",
         "-artifact_prefix=%s/" % tmp_path, str(work), seeds],
        capture_output=True, text=True, timeout=SECONDS + 300)
    output = result.stderr[-6000:]
    assert result.returncode == 0, "fuzz_%s found something (input saved in %s):\n%s" % (target, tmp_path, output)
    runs = re.search(r"stat::number_of_executed_units:\s+(\d+)", result.stderr)
    assert runs and int(runs.group(1)) > 10, output
