"""telemetry check: named checks, exit 0/1/65/66/69 (issue 5, docs/reference/configuration.md §7)."""
import fcntl
import json
import os
import socket
import sqlite3

import pytest

from harness import Server, run_cli
from ops_fixtures import create_v7, insert_runs


def check(db, *args):
    result = run_cli("check", "--db", str(db), "--no-env-file", "--json", *args)
    report = json.loads(result.stdout)
    return result.returncode, {c["name"]: c for c in report["checks"]}, report


def healthy_db(tmp_path, rows=2000):
    db = str(tmp_path / "telemetry.sqlite")
    create_v7(db)
    insert_runs(db, [("e-%05d" % i, "2026-01-%02dT10:00:00.000000+00:00" % (1 + i % 28)) for i in range(rows)])
    return db


def test_healthy_database_is_exit_0_with_every_check_ok(tmp_path):
    code, checks, report = check(healthy_db(tmp_path))
    assert code == 0, report
    assert report["status"] == "ok"
    for name in ("database_file", "lock", "leftovers", "integrity", "schema", "schema_version", "journal_mode",
                 "synchronous", "database_size", "disk_space"):
        assert checks[name]["status"] == "ok", checks[name]
    assert checks["integrity"]["reason"] == "integrity_check: ok"
    assert checks["schema"]["reason"].startswith("canonical v7 schema")


def test_text_output_lists_each_check_and_a_summary_line(tmp_path):
    result = run_cli("check", "--db", healthy_db(tmp_path, rows=10), "--no-env-file", "--quick")
    assert result.returncode == 0
    assert "ok    integrity       quick_check: ok" in result.stdout
    assert result.stdout.strip().splitlines()[-1].startswith("check: ")


def test_missing_database_is_66(tmp_path):
    code, checks, _ = check(tmp_path / "absent.sqlite")
    assert code == 66
    assert checks["database_file"]["status"] == "fail"
    assert "does not exist" in checks["database_file"]["reason"]
    assert "integrity" not in checks


def test_file_that_is_not_sqlite_is_65(tmp_path):
    db = tmp_path / "telemetry.sqlite"
    db.write_bytes(b"not a database at all" * 100)
    code, checks, _ = check(db)
    assert code == 65
    assert "not a SQLite database" in checks["database_file"]["reason"]


def test_truncated_file_is_65(tmp_path):
    db = healthy_db(tmp_path)
    size = os.path.getsize(db)
    with open(db, "r+b") as f:
        f.truncate(size // 2)
    code, checks, report = check(db)
    assert code == 65, report
    failed = [c for c in checks.values() if c["status"] == "fail"]
    assert failed and all(c["name"] in ("integrity", "schema", "schema_version", "database_size") for c in failed)


def test_flipped_byte_in_a_table_page_is_65(tmp_path):
    db = healthy_db(tmp_path)
    connection = sqlite3.connect(db)
    page_size = connection.execute("PRAGMA page_size").fetchone()[0]
    root = connection.execute("SELECT rootpage FROM sqlite_master WHERE name = 'agent_runs'").fetchone()[0]
    connection.close()
    # With 2,000 rows the root of agent_runs is an interior b-tree page; its
    # first byte is the page type. Flip every bit of it.
    offset = (root - 1) * page_size
    with open(db, "r+b") as f:
        f.seek(offset)
        byte = f.read(1)[0]
        f.seek(offset)
        f.write(bytes([byte ^ 0xFF]))
    code, checks, report = check(db)
    assert code == 65, report
    assert checks["integrity"]["status"] == "fail"


def test_library_v5_database_is_65_with_advice_to_migrate(tmp_path):
    db = str(tmp_path / "telemetry.sqlite")
    connection = sqlite3.connect(db)
    # docs/reference/schema.md §3.4: library-v3, + the v4 git columns, + the v5 website columns.
    connection.executescript("""
        CREATE TABLE agent_runs (
            run_id TEXT PRIMARY KEY, schema_version INTEGER DEFAULT 3, agent_name TEXT NOT NULL, agent_owner TEXT,
            job_type TEXT, trigger_type TEXT, start_time TEXT NOT NULL, end_time TEXT, status TEXT,
            items_discovered INTEGER DEFAULT 0, items_succeeded INTEGER DEFAULT 0, items_failed INTEGER DEFAULT 0,
            duration_ms INTEGER, input_summary TEXT, output_summary TEXT, error_summary TEXT, metrics_json TEXT,
            insight_id TEXT, product TEXT, platform TEXT, product_family TEXT, subdomain TEXT, git_repo TEXT,
            git_branch TEXT, git_run_tag TEXT, host TEXT, api_posted INTEGER DEFAULT 0, api_posted_at TEXT,
            api_retry_count INTEGER DEFAULT 0, created_at TEXT DEFAULT (datetime('now')),
            updated_at TEXT DEFAULT (datetime('now')));
        ALTER TABLE agent_runs ADD COLUMN git_commit_hash TEXT;
        ALTER TABLE agent_runs ADD COLUMN git_commit_source TEXT;
        ALTER TABLE agent_runs ADD COLUMN git_commit_author TEXT;
        ALTER TABLE agent_runs ADD COLUMN git_commit_timestamp TEXT;
        ALTER TABLE agent_runs ADD COLUMN website TEXT;
        ALTER TABLE agent_runs ADD COLUMN website_section TEXT;
        ALTER TABLE agent_runs ADD COLUMN item_name TEXT;
        CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT DEFAULT (datetime('now')),
                                        description TEXT);
        INSERT INTO schema_migrations (version, description) VALUES (3, 'Initial schema v3'), (4, 'v4');
        INSERT INTO agent_runs (run_id, agent_name, start_time, status) VALUES ('r1', 'crawler', '2025-12-13', 'failed');
    """)
    connection.close()
    code, checks, _ = check(db)
    assert code == 65
    assert checks["integrity"]["status"] == "ok"
    assert checks["schema"]["status"] == "fail"
    assert "library-v5" in checks["schema"]["reason"]
    assert "telemetry migrate" in checks["schema"]["reason"]
    assert checks["schema_version"]["status"] == "fail"
    assert "recorded version 4" in checks["schema_version"]["reason"]


def test_lock_held_by_a_writer_other_than_serve_is_a_warning_exit_1(tmp_path):
    db = healthy_db(tmp_path, rows=5)
    with open(db + ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        lock.write("4242\nother-host\nmigrate\n\n")
        lock.flush()
        code, checks, report = check(db)
    assert code == 1, report
    assert report["status"] == "warn"
    assert checks["lock"]["status"] == "warn"
    assert "migrate (PID 4242 on other-host)" in checks["lock"]["reason"]


def test_hot_journal_left_by_a_crashed_writer_is_a_warning(tmp_path):
    db = healthy_db(tmp_path, rows=5)
    with open(db + "-journal", "wb") as f:
        f.write(bytes([0xd9, 0xd5, 0x05, 0xf9, 0x20, 0xa1, 0x63, 0xd7]) + bytes(504))
    result = run_cli("check", "--db", db, "--no-env-file", "--json")
    report = json.loads(result.stdout)
    checks = {c["name"]: c for c in report["checks"]}
    assert checks["leftovers"]["status"] == "warn"
    assert "unfinished transaction" in checks["leftovers"]["reason"]


def test_url_of_a_running_service_is_checked_and_reports_what_is_in_force():
    with Server() as server:
        code, checks, report = check(server.db_path, "--url", "http://127.0.0.1:%d" % server.port)
        assert code == 0, report
        assert checks["service"]["status"] == "ok"
        assert "writer ok" in checks["service"]["reason"]
        assert checks["lock"]["status"] == "ok"
        assert "held by serve" in checks["lock"]["reason"]
        assert checks["journal_mode"]["reason"].startswith("DELETE in force")
        assert checks["synchronous"]["reason"].startswith("FULL in force")


def test_unreachable_service_is_69(tmp_path):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    code, checks, _ = check(healthy_db(tmp_path, rows=5), "--url", "http://127.0.0.1:%d" % port)
    assert code == 69
    assert checks["service"]["status"] == "fail"
    assert "unreachable" in checks["service"]["reason"]


def test_corruption_and_unreachable_service_together_report_69_first(tmp_path):
    # docs/reference/configuration.md §7.2: 69 comes before 65 when both apply.
    db = tmp_path / "telemetry.sqlite"
    db.write_bytes(b"garbage" * 200)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    code, _, _ = check(db, "--url", "http://127.0.0.1:%d" % port)
    assert code == 69


# idx_runs_start_stats, idx_runs_run_id: v7 databases created before they were added lack them.
@pytest.mark.parametrize("index", ["idx_runs_website", "idx_runs_start_stats", "idx_runs_run_id"])
def test_missing_canonical_index_is_a_warning_exit_1(tmp_path, index):
    db = healthy_db(tmp_path, rows=5)
    code, checks, _ = check(db)
    assert checks["schema"]["status"] == "ok" and "with the 18 indexes" in checks["schema"]["reason"]
    connection = sqlite3.connect(db)
    connection.execute("DROP INDEX %s" % index)
    connection.commit()
    connection.close()
    code, checks, report = check(db)
    assert code == 1, report
    assert checks["schema"]["status"] == "warn"
    assert "index %s is missing" % index in checks["schema"]["reason"]
    assert "telemetry migrate" in checks["schema"]["reason"]


def test_url_without_db_checks_the_database_the_service_reports(tmp_path):
    """check --url reads the database path from /health rather than checking the
    default path (issue 14, point 5); an explicit --db still wins, with a warning."""
    with Server() as server:
        url = "http://127.0.0.1:%d" % server.port
        result = run_cli("check", "--url", url, "--no-env-file", "--json", cwd=str(tmp_path))
        report = json.loads(result.stdout)
        checks = {c["name"]: c for c in report["checks"]}
        assert result.returncode == 0, report
        assert report["db_path"] == server.db_path
        assert checks["database_path"]["reason"] == "%s (reported by %s/health)" % (server.db_path, url)
        assert checks["database_file"]["status"] == "ok"
        assert "held by serve" in checks["lock"]["reason"]
        assert checks["service"]["status"] == "ok"

        other = healthy_db(tmp_path, rows=3)
        code, checks, report = check(other, "--url", url)
        assert report["db_path"] == other
        assert checks["service"]["status"] == "warn"
        assert "but serves %s, not %s" % (server.db_path, other) in checks["service"]["reason"]
