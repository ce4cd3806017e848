"""telemetry migrate against the real binary (docs/reference/schema.md §3-§4): every fixture of
tests/fixtures reaches the exact canonical v7 shape with every row preserved,
and serve then accepts writes on it; dry runs and failures change no byte."""
import glob
import json
import os
import pty
import re
import shutil
import sqlite3
import subprocess
import uuid

import pytest

from harness import BINARY, Server, clean_env, run, run_cli

ROOT = os.path.join(os.path.dirname(__file__), "..", "..")
FIXTURES = os.path.join(ROOT, "tests", "fixtures")
SCHEMA_V7 = os.path.join(ROOT, "schema", "telemetry_v7.sql")
TABLES = ("agent_runs", "run_events", "commits", "schema_migrations")
COUNTERS = ("items_discovered", "items_succeeded", "items_failed", "items_skipped", "duration_ms", "api_retry_count")
STATUS_ALIASES = {"failed": "failure", "completed": "success", "succeeded": "success", "canceled": "cancelled"}


def fixture_names():
    return sorted(os.path.basename(p)[:-4] for p in glob.glob(os.path.join(FIXTURES, "*.sql")))


def load_fixture(path, name):
    connection = sqlite3.connect(path)
    with open(os.path.join(FIXTURES, name + ".sql"), encoding="utf-8") as f:
        connection.executescript(f.read())
    connection.commit()
    connection.close()
    return path


def normalise_sql(sql):
    """Formatting of stored DDL does not matter (docs/reference/schema.md §2.1)."""
    sql = re.sub(r"\s+", " ", sql.strip())
    return re.sub(r" ?([(),]) ?", r"\1", sql)


def read_bytes(path):
    with open(path, "rb") as f:
        return f.read()


def connect_ro(path):
    return sqlite3.connect("file:%s?mode=ro" % path, uri=True)


def rows_of(path, table, order="rowid"):
    connection = connect_ro(path)
    connection.row_factory = sqlite3.Row
    try:
        exists = connection.execute("SELECT 1 FROM sqlite_master WHERE type='table' AND name=?", (table,)).fetchone()
        if not exists:
            return []
        return [dict(r, _rowid=r["_rowid"]) for r in
                connection.execute("SELECT rowid AS _rowid, * FROM %s ORDER BY %s" % (table, order))]
    finally:
        connection.close()


def shape_of(path):
    """Everything 2.1 compares, as plain data: columns, table SQL, indexes, references."""
    connection = connect_ro(path)
    try:
        out = {}
        for table in TABLES:
            sql = connection.execute("SELECT sql FROM sqlite_master WHERE type='table' AND name=?", (table,)).fetchone()[0]
            # ALTER TABLE ... RENAME quotes the new name; the definition is what counts.
            out[table + ".sql"] = normalise_sql(sql.replace('"%s"' % table, table))
            out[table + ".columns"] = connection.execute("PRAGMA table_xinfo(%s)" % table).fetchall()
            out[table + ".fk"] = connection.execute("PRAGMA foreign_key_list(%s)" % table).fetchall()
            indexes = {}
            for _, name, unique, origin, partial in connection.execute("PRAGMA index_list(%s)" % table):
                if origin == "c" and not name.startswith("idx_"):
                    continue  # indexes that are not canonical are allowed (2.1 rule 6)
                indexes[name] = (unique, origin, partial, connection.execute("PRAGMA index_xinfo(%s)" % name).fetchall())
            out[table + ".indexes"] = indexes
        out["index_sql"] = sorted((name, normalise_sql(sql)) for name, sql in connection.execute(
            "SELECT name, sql FROM sqlite_master WHERE type='index' AND sql IS NOT NULL AND name LIKE 'idx_%'"
            " AND tbl_name IN ('agent_runs', 'run_events', 'commits')").fetchall())
        return out
    finally:
        connection.close()


def reference_shape(tmp_path):
    path = str(tmp_path / "reference.sqlite")
    connection = sqlite3.connect(path)
    with open(SCHEMA_V7) as f:
        connection.executescript(f.read())
    connection.commit()
    connection.close()
    return shape_of(path)


def normalise_status(value):
    key = value.strip().lower()
    return STATUS_ALIASES.get(key, key)


def derived_event_id(name):
    return str(uuid.uuid5(uuid.NAMESPACE_URL, name))


def expected_runs(source_rows, shape):
    """docs/reference/schema.md §4.4 and §4.5, written independently of the C++ code."""
    library = shape.startswith("library-")
    seen_event_ids = set()
    expected = []
    for position, src in enumerate(source_rows, start=1):
        rowid = src["_rowid"]
        original = {}
        out = {}
        out["id"] = src["id"] if "id" in src else position
        run_id = src["run_id"]
        if run_id is None:
            original["run_id"] = None
            run_id = "legacy-rowid-%d" % rowid
        out["run_id"] = run_id
        name = "telemetry:run_id:" + run_id if library else "telemetry:id:%d" % out["id"]
        event_id = src.get("event_id")
        if event_id is not None and event_id in seen_event_ids:
            original["event_id"] = event_id
            event_id = None
        if event_id is None:
            event_id = derived_event_id(name)
        seen_event_ids.add(event_id)
        out["event_id"] = event_id
        out["schema_version"] = src["schema_version"] if "schema_version" in src else 6
        if src["created_at"] is None:
            original["created_at"] = None
        out["created_at"] = src["created_at"] if src["created_at"] is not None else src["start_time"]
        out["updated_at"] = src.get("updated_at")
        if src["job_type"] is None:
            original["job_type"] = None
        out["job_type"] = src["job_type"] if src["job_type"] is not None else ""
        if src["status"] is None:
            original["status"] = None
            out["status"] = "running"
        else:
            out["status"] = normalise_status(src["status"])
        for counter in COUNTERS:
            if counter not in src:
                out[counter] = 0 if counter == "items_skipped" else None
            elif src[counter] is not None and src[counter] < 0:
                original[counter] = src[counter]
                out[counter] = 0
            else:
                out[counter] = src[counter]
        context = src.get("context_json")
        if original:
            note = json.loads(context) if context is not None else {}
            note["telemetry_migrate"] = {"from": shape, "original": original}
            context = note
        out["context_json"] = context
        for column, value in src.items():
            if column not in out and column != "_rowid":
                out[column] = value
        expected.append(out)
    return expected


def check_runs_preserved(source_rows, migrated_rows, shape):
    expected = expected_runs(source_rows, shape)
    assert len(migrated_rows) == len(expected)
    for want, got in zip(expected, migrated_rows):
        got = dict(got)
        got.pop("_rowid")
        if isinstance(want["context_json"], dict):
            got["context_json"] = json.loads(got["context_json"])
        for column in got:
            assert got[column] == want.get(column), (column, want.get("run_id"), got[column], want.get(column))


def detect_fixture_shape(name):
    with open(os.path.join(FIXTURES, name + ".sql"), encoding="utf-8") as f:
        return re.search(r"Fixture for the (\S+) shape", f.read()).group(1)


@pytest.mark.parametrize("name", fixture_names())
def test_fixture_migrates_to_the_exact_v7_shape_with_every_row_and_serve_accepts_writes(tmp_path, name):
    db = load_fixture(str(tmp_path / "telemetry.sqlite"), name)
    shape = detect_fixture_shape(name)
    before = {table: rows_of(db, table) for table in ("agent_runs", "run_events", "commits", "schema_migrations")}
    original_bytes = read_bytes(db)
    sequence_before = dict(connect_ro(db).execute("SELECT name, seq FROM sqlite_sequence").fetchall())

    result = run_cli("migrate", "--db", db, "--no-env-file")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("shape: %s (" % shape)
    summary = result.stdout.strip().split("\n")[-1]
    if name == "v7":
        # Already canonical: nothing to do, no backup, not a byte changed.
        assert summary == "nothing to do: the database is already canonical v7"
        assert not glob.glob(db + ".pre-migrate-*") and read_bytes(db) == original_bytes
    else:
        assert summary.startswith("migrated %s -> v7: %d rows" % (shape, len(before["agent_runs"]))), summary
        # The pre-migration backup sits beside the database and holds the old content.
        backups = glob.glob(db + ".pre-migrate-*.sqlite")
        assert len(backups) == 1 and os.path.basename(backups[0]) in summary
        assert re.fullmatch(r"telemetry\.sqlite\.pre-migrate-\d{8}_\d{6}\.sqlite", os.path.basename(backups[0]))
        assert rows_of(backups[0], "agent_runs") == before["agent_runs"]
        assert read_bytes(db) != original_bytes

    assert shape_of(db) == reference_shape(tmp_path)
    connection = connect_ro(db)
    try:
        assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert connection.execute("SELECT max(version) FROM schema_migrations").fetchone()[0] == 7
        latest = connection.execute("SELECT version FROM schema_migrations ORDER BY applied_at DESC LIMIT 1").fetchone()
        assert latest[0] == 7
        total, non_null, distinct = connection.execute(
            "SELECT count(*), count(event_id), count(DISTINCT event_id) FROM agent_runs").fetchone()
        assert total == non_null == distinct == len(before["agent_runs"])
        sequence_after = dict(connection.execute("SELECT name, seq FROM sqlite_sequence").fetchall())
        max_id = connection.execute("SELECT coalesce(max(id), 0) FROM agent_runs").fetchone()[0]
    finally:
        connection.close()
    assert sequence_after["agent_runs"] == max(sequence_before.get("agent_runs", 0), max_id)

    check_runs_preserved(before["agent_runs"], rows_of(db, "agent_runs", order="id"), shape)
    if not shape.startswith("v6-original"):
        assert rows_of(db, "run_events") == before["run_events"]
        assert rows_of(db, "commits") == before["commits"]
    else:
        assert len(rows_of(db, "run_events")) == len(before["run_events"])
        assert [c["commit_hash"] for c in rows_of(db, "commits")] == [c["commit_hash"] for c in before["commits"]]

    with Server(directory=str(tmp_path), db_name="telemetry.sqlite") as server:
        created = server.post("/api/v1/runs", run("after-migrate-1"))
        assert created.status == 201, created.body
        first_old = rows_of(db, "agent_runs", order="id")[0]
        assert server.get("/api/v1/runs/" + first_old["event_id"]).status == 200


def test_v6_original_events_and_commits_are_converted(tmp_path):
    db = load_fixture(str(tmp_path / "telemetry.sqlite"), "v6-original")
    result = run_cli("migrate", "--db", db, "--no-env-file", "--no-backup")
    assert result.returncode == 0, result.stderr
    assert "old commits kept as commits_legacy_v6" in result.stdout
    events = rows_of(db, "run_events")
    assert [e["id"] for e in events] == [1, 2, 5]
    assert json.loads(events[0]["payload_json"]) == {"message": 'Started "nightly"', "details": "step=1"}
    assert events[1]["payload_json"] is None and events[1]["timestamp"] == ""
    assert events[2]["payload_json"] == '{"message":"Größe überschritten","details":null}'
    commits = {c["commit_hash"][0]: c for c in rows_of(db, "commits")}
    assert commits["b"]["commit_date"] == "2025-12-19T11:00:00+00:00" and commits["b"]["author"] == "Zoë"
    assert commits["a"]["run_id"] is None and commits["a"]["created_at"] is not None
    assert len(rows_of(db, "commits_legacy_v6")) == 2


def test_library_v3_in_wal_mode_with_rows_only_in_the_wal_file(tmp_path):
    source = load_fixture(str(tmp_path / "source.sqlite"), "library-v3")
    writer = sqlite3.connect(source)
    writer.execute("PRAGMA journal_mode=WAL")
    writer.execute("PRAGMA wal_autocheckpoint=0")
    writer.execute("INSERT INTO agent_runs (run_id, agent_name, job_type, start_time, status)"
                   " VALUES ('only-in-wal', 'walker', 'crawl', '2025-12-20T00:00:00+00:00', 'failed')")
    writer.commit()
    # Copy while the writer is open: the new row exists only in the -wal file.
    db = str(tmp_path / "telemetry.sqlite")
    shutil.copy(source, db)
    shutil.copy(source + "-wal", db + "-wal")
    writer.close()

    result = run_cli("migrate", "--db", db, "--no-env-file", "--no-backup")
    assert result.returncode == 0, result.stderr
    assert "migrated library-v3 -> v7: 8 rows" in result.stdout
    rows = rows_of(db, "agent_runs", order="id")
    assert rows[-1]["run_id"] == "only-in-wal" and rows[-1]["status"] == "failure"
    assert connect_ro(db).execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_dry_run_prints_the_plan_and_leaves_the_file_byte_identical(tmp_path):
    db = load_fixture(str(tmp_path / "telemetry.sqlite"), "library-v5")
    before = read_bytes(db)
    result = run_cli("migrate", "--db", db, "--no-env-file", "--dry-run")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert out.startswith("shape: library-v5 (7 rows in agent_runs, 1 in run_events, 1 in commits)\ntarget: v7\n")
    assert " 1. backup to telemetry.sqlite.pre-migrate-" in out
    assert " 2. rebuild agent_runs: 7 rows" in out
    for detail in ("id assigned in rowid order (1..7)", "event_id derived for 7 rows", "status failed -> failure: 1 row",
                   "status NULL -> running: 1 row (noted in context_json)", "job_type NULL -> '': 1 row (noted)",
                   "run_id NULL -> legacy-rowid-<rowid>: 1 row (noted)", "duration_ms negative -> 0: 1 row (noted)",
                   "items_skipped set to 0 (column added)", "create indexes: 17", "idx_commits_run (missing)", "schema_migrations: 2 rows kept, version 7 added",
                   "verify: quick_check, row counts, canonical schema"):
        assert detail in out, detail
    assert "dry run: nothing was changed" in out
    assert read_bytes(db) == before
    assert not glob.glob(db + ".pre-migrate-*")
    assert not os.path.exists(db + ".lock")

    as_json = run_cli("migrate", "--db", db, "--no-env-file", "--dry-run", "--json")
    assert as_json.returncode == 0, as_json.stderr
    plan = json.loads(as_json.stdout)
    assert plan["shape"] == "library-v5"
    assert plan["counts"] == {"agent_runs": 7, "run_events": 1, "commits": 1}
    assert [s["action"] for s in plan["steps"]] == ["backup", "rebuild", "create_indexes", "schema_migrations", "verify"]
    rebuild = plan["steps"][1]
    assert rebuild["table"] == "agent_runs" and rebuild["rows"] == 7
    assert "status failed -> failure: 1 row" in rebuild["details"]
    assert read_bytes(db) == before


# Canonical indexes added to v7 after databases were in use (docs/operations.md §8).
@pytest.mark.parametrize("index, columns", [
    ("idx_runs_start_stats", ["start_time", "status", "agent_name", "job_type", "duration_ms"]),
    ("idx_runs_run_id", ["run_id"]),
])
def test_a_v7_database_from_before_a_new_index_gets_it_and_keeps_its_rows(tmp_path, index, columns):
    db = load_fixture(str(tmp_path / "telemetry.sqlite"), "v7")
    with sqlite3.connect(db) as connection:
        connection.execute("DROP INDEX %s" % index)
        rows = connection.execute("SELECT * FROM agent_runs ORDER BY id").fetchall()
    plan = run_cli("migrate", "--db", db, "--no-env-file", "--dry-run")
    assert plan.returncode == 0, plan.stderr
    assert "%s (missing)" % index in plan.stdout
    result = run_cli("migrate", "--db", db, "--no-env-file")
    assert result.returncode == 0, result.stderr
    assert index in result.stdout
    with sqlite3.connect(db) as connection:
        assert [r[2] for r in connection.execute("PRAGMA index_info(%s)" % index)] == columns
        assert connection.execute("SELECT * FROM agent_runs ORDER BY id").fetchall() == rows
    again = run_cli("check", "--db", db, "--no-env-file", "--json")
    schema = [c for c in json.loads(again.stdout)["checks"] if c["name"] == "schema"][0]
    assert schema["status"] == "ok", schema


def test_dry_run_works_while_a_server_holds_the_lock_and_says_so(tmp_path):
    db = load_fixture(str(tmp_path / "telemetry.sqlite"), "v7-missing-job-type-index")
    with Server(directory=str(tmp_path), db_name="telemetry.sqlite") as server:
        result = run_cli("migrate", "--db", db, "--no-env-file", "--dry-run")
        assert result.returncode == 0, result.stderr
        assert "note: serve holds the lock" in result.stdout and "PID %d" % server.process.pid in result.stdout
        assert "idx_runs_job_type" in result.stdout


def test_migrate_while_a_server_holds_the_lock_exits_69_naming_the_holder(tmp_path):
    db = load_fixture(str(tmp_path / "telemetry.sqlite"), "v7-missing-job-type-index")
    with Server(directory=str(tmp_path), db_name="telemetry.sqlite") as server:
        before = read_bytes(db)
        result = run_cli("migrate", "--db", db, "--no-env-file")
        assert result.returncode == 69
        assert "is held by serve (PID %d on " % server.process.pid in result.stderr
        assert read_bytes(db) == before


def test_the_removed_test_hooks_are_unknown_settings_that_change_nothing(tmp_path):
    """Faults are injected in unit tests through the storage environment
    (docs/architecture.md "Test seams"): a failure at every write, fsync and journal
    delete of a migration leaves the file as it was (tests/unit/migrations/test_migrate.cpp).
    The environment variables that used to do it are now typos like any other."""
    db = load_fixture(str(tmp_path / "telemetry.sqlite"), "v6-original")
    env = clean_env(TELEMETRY_MIGRATE_FAIL_AFTER_STEP="1", TELEMETRY_TEST_RETENTION_DELAY_MS="100")
    result = run_cli("migrate", "--db", db, "--no-env-file", "--no-backup", env=env)
    assert result.returncode == 0, result.stderr
    assert "unknown setting TELEMETRY_MIGRATE_FAIL_AFTER_STEP ignored" in result.stderr
    assert "unknown setting TELEMETRY_TEST_RETENTION_DELAY_MS ignored" in result.stderr
    assert result.stdout.startswith("migrated ") or "\nmigrated " in result.stdout, result.stdout


def test_a_second_run_is_a_no_op_that_says_so(tmp_path):
    db = load_fixture(str(tmp_path / "telemetry.sqlite"), "library-v4")
    assert run_cli("migrate", "--db", db, "--no-env-file").returncode == 0
    backups = glob.glob(db + ".pre-migrate-*")
    before = read_bytes(db)
    again = run_cli("migrate", "--db", db, "--no-env-file")
    assert again.returncode == 0, again.stderr
    assert "nothing to do: the database is already canonical v7" in again.stdout
    assert read_bytes(db) == before
    assert glob.glob(db + ".pre-migrate-*") == backups
    as_json = json.loads(run_cli("migrate", "--db", db, "--no-env-file", "--json").stdout)
    assert as_json["up_to_date"] is True and as_json["shape"] == "v7"


def test_unknown_shape_is_refused_with_65_and_a_description(tmp_path):
    db = str(tmp_path / "telemetry.sqlite")
    connection = sqlite3.connect(db)
    connection.execute("CREATE TABLE agent_runs (run_id TEXT PRIMARY KEY, agent_name TEXT, start_time TEXT, mood TEXT)")
    connection.close()
    before = read_bytes(db)
    for extra in ((), ("--dry-run",)):
        result = run_cli("migrate", "--db", db, "--no-env-file", *extra)
        assert result.returncode == 65
        assert "unknown schema" in result.stderr and "extra columns: mood" in result.stderr
        assert read_bytes(db) == before


def test_json_summary_after_a_real_run(tmp_path):
    db = load_fixture(str(tmp_path / "telemetry.sqlite"), "library-v5-event-id")
    result = run_cli("migrate", "--db", db, "--no-env-file", "--json")
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    assert summary["from"] == "library-v5-event-id" and summary["to"] == 7
    assert summary["rows"] == {"agent_runs": 7, "run_events": 1, "commits": 1}
    assert summary["derived_event_ids"] == 5 and summary["mapped_statuses"] == 1 and summary["noted_rows"] == 3
    assert summary["backup"].startswith("telemetry.sqlite.pre-migrate-") and summary["free_bytes"] >= 0
    assert os.path.exists(os.path.join(str(tmp_path), summary["backup"]))

    no_backup = load_fixture(str(tmp_path / "other.sqlite"), "library-v3")
    summary = json.loads(run_cli("migrate", "--db", no_backup, "--no-env-file", "--json", "--no-backup").stdout)
    assert summary["backup"] is None


def test_usage_and_missing_database(tmp_path):
    db = load_fixture(str(tmp_path / "telemetry.sqlite"), "library-v3")
    assert run_cli("migrate", "--db", db, "--no-env-file", "--to", "6").returncode == 64
    assert run_cli("migrate", "--db", db, "--no-env-file", "--to", "v7", "--dry-run").returncode == 0
    missing = run_cli("migrate", "--db", str(tmp_path / "nope.sqlite"), "--no-env-file")
    assert missing.returncode == 66 and "does not exist" in missing.stderr
    not_sqlite = tmp_path / "text.sqlite"
    not_sqlite.write_text("just text, not a database" * 50)
    result = run_cli("migrate", "--db", str(not_sqlite), "--no-env-file")
    assert result.returncode == 65 and "is not a SQLite database" in result.stderr


def _many_rows_v5(path, rows):
    load_fixture(path, "library-v5")
    connection = sqlite3.connect(path)
    connection.executemany("INSERT INTO agent_runs (run_id, agent_name, job_type, start_time, status) VALUES (?, 'a', 'j', 't', 'success')",
                           [("bulk-%d" % i,) for i in range(rows)])
    connection.commit()
    connection.close()


def test_progress_is_shown_on_a_terminal_only(tmp_path):
    db = str(tmp_path / "telemetry.sqlite")
    _many_rows_v5(db, 20000)
    shutil.copy(db, str(tmp_path / "copy.sqlite"))

    piped = run_cli("migrate", "--db", db, "--no-env-file", "--no-backup")
    assert piped.returncode == 0 and "copying agent_runs" not in piped.stderr

    master, slave = pty.openpty()
    process = subprocess.Popen([BINARY, "migrate", "--db", str(tmp_path / "copy.sqlite"), "--no-env-file", "--no-backup"],
                               env=clean_env(), stdout=subprocess.PIPE, stderr=slave)
    os.close(slave)
    shown = b""
    while True:
        try:
            chunk = os.read(master, 4096)
        except OSError:
            break
        if not chunk:
            break
        shown += chunk
    os.close(master)
    process.wait(timeout=60)
    assert process.returncode == 0
    assert re.search(rb"copying agent_runs(\x1b\[0m)?: +81% \(16,384 of 20,007 rows\)", shown)



def test_sql_text_stored_in_the_file_is_never_re_run(tmp_path):
    """An old index's stored CREATE text can carry more statements than SQLite
    itself reads (issue 14, point 3c): migrate rebuilds the index from SQLite's
    description of it and runs nothing taken from the file."""
    db = load_fixture(str(tmp_path / "telemetry.sqlite"), "library-v5")
    connection = sqlite3.connect(db)
    connection.execute("CREATE INDEX idx_custom ON agent_runs(agent_name COLLATE NOCASE DESC, job_type)")
    connection.execute("CREATE INDEX idx_partial ON agent_runs(run_id) WHERE run_id IS NOT NULL")
    connection.commit()
    connection.execute("PRAGMA writable_schema=ON")
    connection.execute("UPDATE sqlite_master SET sql = sql || '; CREATE TABLE pwned(x)' WHERE name='idx_custom'")
    connection.commit()
    connection.close()

    result = run_cli("migrate", "--db", db, "--no-env-file", "--no-backup")
    assert result.returncode == 0, result.stderr
    assert "re-create old index idx_custom" in result.stdout
    assert "old index idx_partial dropped (it is a partial index, which is not re-created)" in result.stdout
    names = {row[0] for row in connect_ro(db).execute("SELECT name FROM sqlite_master")}
    assert "pwned" not in names
    assert "idx_custom" in names
    keys = connect_ro(db).execute("SELECT name, desc, coll FROM pragma_index_xinfo('idx_custom') WHERE key=1").fetchall()
    assert [(k[0], k[1], k[2].upper()) for k in keys] == [("agent_name", 1, "NOCASE"), ("job_type", 0, "BINARY")]



def test_dry_run_on_a_wal_database_leaves_no_wal_or_shm_file(tmp_path):
    """A dry run leaves the folder as it found it (issue 14, point 2)."""
    db = load_fixture(str(tmp_path / "telemetry.sqlite"), "library-v5")
    connection = sqlite3.connect(db)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.close()
    before = sorted(os.listdir(tmp_path))
    assert before == ["telemetry.sqlite"]
    for extra in ((), ("--json",)):
        result = run_cli("migrate", "--db", db, "--no-env-file", "--dry-run", *extra)
        assert result.returncode == 0, result.stderr
        assert sorted(os.listdir(tmp_path)) == before


def test_dry_run_on_a_live_wal_database_reads_the_wal_and_leaves_it(tmp_path):
    db = load_fixture(str(tmp_path / "telemetry.sqlite"), "library-v5")
    writer = sqlite3.connect(db)
    writer.execute("PRAGMA journal_mode=WAL")
    writer.execute("PRAGMA wal_autocheckpoint=0")
    writer.execute("INSERT INTO agent_runs (run_id, agent_name, job_type, start_time, status)"
                   " VALUES ('only-in-wal', 'walker', 'crawl', '2025-12-20T00:00:00+00:00', 'failed')")
    writer.commit()
    try:
        assert os.path.exists(db + "-wal")
        result = run_cli("migrate", "--db", db, "--no-env-file", "--dry-run", "--json")
        assert result.returncode == 0, result.stderr
        assert json.loads(result.stdout)["counts"]["agent_runs"] == 8
        assert os.path.exists(db + "-wal") and os.path.exists(db + "-shm")
        assert writer.execute("SELECT count(*) FROM agent_runs").fetchone()[0] == 8
    finally:
        writer.close()
