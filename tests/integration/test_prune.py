"""telemetry prune and serve's TELEMETRY_RETENTION_DAYS (issue 5, docs/reference/configuration.md §4.2)."""
import json
import re
import time
from datetime import datetime, timedelta, timezone

from harness import Server, clean_env, run, run_cli
from ops_fixtures import count, create_v7, event_ids, insert_runs

# Fixed dates far enough from "now" that the test does not depend on the day it runs.
OLD = ["2020-01-0%dT12:00:00.000000+00:00" % d for d in range(1, 8)]           # 7 rows, years old
LEGACY_OLD = ["2020-02-01 12:00:00"]                                           # older tools' spelling
FUTURE = ["2099-01-01T00:00:00.000000+00:00", "2099-06-01T00:00:00.000000+00:00"]


def recent():
    """Ten days ago in canonical form: inside a 30-day retention."""
    return (datetime.now(timezone.utc) - timedelta(days=10)).strftime("%Y-%m-%dT%H:%M:%S.000000+00:00")


def fixed_db(tmp_path):
    db = str(tmp_path / "telemetry.sqlite")
    create_v7(db)
    rows = [("old-%d" % i, c) for i, c in enumerate(OLD)]
    rows += [("legacy-old", LEGACY_OLD[0])]
    rows += [("future-%d" % i, c) for i, c in enumerate(FUTURE)]
    rows += [("recent", recent())]
    insert_runs(db, rows)
    return db


def prune(db, *args):
    return run_cli("prune", "--db", db, "--no-env-file", *args)


def test_dry_run_only_counts(tmp_path):
    db = fixed_db(tmp_path)
    result = prune(db, "--older-than", "30d", "--dry-run", "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["dry_run"] is True
    assert report["matching"] == 8 and report["total"] == 11
    cutoff = datetime.fromisoformat(report["cutoff"])
    assert abs((datetime.now(timezone.utc) - timedelta(days=30) - cutoff).total_seconds()) < 60
    assert count(db) == 11
    text = prune(db, "--older-than", "30d", "--dry-run")
    assert "would delete 8 of 11 runs created before" in text.stdout


def test_real_run_deletes_by_created_at_in_batches(tmp_path):
    db = fixed_db(tmp_path)
    result = prune(db, "--older-than", "30d", "--batch-size", "3", "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["deleted"] == 8
    assert report["batches"] == 3  # 3 + 3 + 2, the last one short
    assert event_ids(db) == {"future-0", "future-1", "recent"}
    assert not (tmp_path / "telemetry.sqlite.lock").exists()


def test_text_summary_and_vacuum(tmp_path):
    db = fixed_db(tmp_path)
    result = prune(db, "--older-than", "2w", "--vacuum")
    assert result.returncode == 0, result.stderr
    assert re.match(r"deleted 8 runs created before \S+ in 1 batch \([0-9.]+ s\); VACUUM freed ", result.stdout)
    assert event_ids(db) == {"future-0", "future-1"} | {"recent"}


def test_hours_duration_keeps_rows_inside_it(tmp_path):
    db = fixed_db(tmp_path)
    assert prune(db, "--older-than", "24h").returncode == 0
    # "recent" is ten days old: older than 24 h.
    assert event_ids(db) == {"future-0", "future-1"}


def test_bad_duration_and_batch_size_are_usage_errors(tmp_path):
    db = fixed_db(tmp_path)
    for bad in ("30", "30x", "0d", "-1d", "1.5d", "30 d"):
        result = prune(db, "--older-than", bad)
        assert result.returncode == 64, bad
        assert "--older-than" in result.stderr
    assert prune(db, "--older-than", "30d", "--batch-size", "0").returncode == 64
    assert prune(db).returncode == 64  # --older-than is required
    assert count(db) == 11


def test_missing_database_is_66(tmp_path):
    assert prune(str(tmp_path / "absent.sqlite"), "--older-than", "30d").returncode == 66
    assert prune(str(tmp_path / "absent.sqlite"), "--older-than", "30d", "--dry-run").returncode == 66
    assert not (tmp_path / "absent.sqlite").exists()


def test_prune_while_serving_is_69_with_advice_and_dry_run_still_works(tmp_path):
    db = fixed_db(tmp_path)
    with Server(directory=str(tmp_path)) as server:
        result = prune(db, "--older-than", "30d")
        assert result.returncode == 69
        assert "held by serve" in result.stderr
        assert "TELEMETRY_RETENTION_DAYS" in result.stderr
        dry = prune(db, "--older-than", "30d", "--dry-run")
        assert dry.returncode == 0
        assert server.get("/health").status == 200
    assert count(db) == 11


def _metric(server, name):
    body = server.get("/metrics?format=prometheus").body.decode()
    match = re.search(r"^%s (\S+)$" % name, body, re.M)
    return float(match.group(1)) if match else None


def test_serve_with_retention_days_keeps_its_first_pass_a_minute_away_and_stops_without_waiting(tmp_path):
    """serve wires the retention scheduler in; the passes themselves (cutoff, batches,
    metrics, the schedule) are unit-tested with an injected schedule and clock in
    tests/unit/http/test_retention.cpp, which no environment variable can shorten here."""
    db = fixed_db(tmp_path)
    server = Server(directory=str(tmp_path), args=["--retention-days", "30"])
    with server:
        assert server.post("/api/v1/runs", run("posted-now")).status == 201
        assert _metric(server, "telemetry_retention_passes_total") == 0
        stopping = time.time()
    assert time.time() - stopping < 20, "shutdown waited for the retention schedule"
    assert count(db) == 12
    assert "retention pass" not in server.stderr()
