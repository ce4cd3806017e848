"""Databases built directly with sqlite3 for the backup, check and prune tests
(the schema file is the canonical one, so these are what serve would create)."""
import os
import sqlite3

SCHEMA_V7 = os.path.join(os.path.dirname(__file__), "..", "..", "schema", "telemetry_v7.sql")

CANONICAL_UTC = "%Y-%m-%dT%H:%M:%S.000000+00:00"


def create_v7(path, journal_mode="DELETE"):
    with open(SCHEMA_V7) as f:
        ddl = f.read()
    connection = sqlite3.connect(path)
    connection.executescript(ddl)
    connection.execute("PRAGMA journal_mode=%s" % journal_mode)
    connection.commit()
    connection.close()
    return path


def insert_runs(path, rows):
    """rows: iterable of (event_id, created_at)."""
    connection = sqlite3.connect(path)
    connection.executemany(
        "INSERT INTO agent_runs (event_id, run_id, created_at, updated_at, start_time, agent_name, job_type, status)"
        " VALUES (?, ?, ?, ?, '2026-01-14T09:15:02+00:00', 'crawler', 'crawl', 'success')",
        [(event_id, "run-" + event_id, created_at, created_at) for event_id, created_at in rows])
    connection.commit()
    connection.close()


def count(path, sql="SELECT count(*) FROM agent_runs"):
    connection = sqlite3.connect("file:%s?mode=ro" % path, uri=True)
    try:
        return connection.execute(sql).fetchone()[0]
    finally:
        connection.close()


def event_ids(path):
    connection = sqlite3.connect("file:%s?mode=ro" % path, uri=True)
    try:
        return {row[0] for row in connection.execute("SELECT event_id FROM agent_runs")}
    finally:
        connection.close()
