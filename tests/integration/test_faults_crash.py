"""Crash test (issue 8): `telemetry serve` under 16-client write load, killed
with SIGKILL at random moments and restarted, against a ledger of every
acknowledged event_id. The harness itself lives in crash_harness.py so that
bench/crash_cycles.sh runs the same code for hundreds of cycles."""
import random

import pytest

from crash_harness import CrashHarness

CYCLES = 20


@pytest.mark.parametrize("journal_mode", ["DELETE", "WAL"])
def test_sigkill_under_load_loses_and_duplicates_no_acknowledged_event(tmp_path, journal_mode):
    seed = random.randrange(1 << 30)
    messages = []
    harness = CrashHarness(str(tmp_path), clients=16, journal_mode=journal_mode, synchronous="FULL",
                           max_load_seconds=0.4, seed=seed, log=messages.append)
    problems = harness.run(CYCLES)
    report = "seed %d\n%s\n%s" % (seed, harness.summary(), "\n".join(messages))
    assert problems == [], report
    figures = harness.figures
    assert figures["cycles"] == CYCLES
    assert figures["lost"] == 0 and figures["duplicated"] == 0 and figures["phantom"] == 0, report
    assert figures["integrity_failures"] == 0, report
    # The kills really landed under load: writes were acknowledged, and
    # requests were cut off in flight (each then resent and settled).
    assert figures["acknowledged"] >= CYCLES * 10, report
    assert figures["in_flight_at_kill"] > 0, report
    assert len(figures["restart_seconds"]) == CYCLES + 1  # every restart reached /health 200
