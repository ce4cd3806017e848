"""telemetry backup, backup list, backup restore (issue 5, docs/reference/configuration.md §4.3)."""
import json
import os
import shutil
import sqlite3
import subprocess
import tempfile
import threading
import time

import pytest

from harness import Server, clean_env, run, run_cli
from ops_fixtures import count, create_v7, event_ids, insert_runs


def backup(db, *args, env=None):
    return run_cli("backup", "--db", str(db), "--no-env-file", *args, env=env)


def small_db(tmp_path, rows=20, prefix="e"):
    db = str(tmp_path / "telemetry.sqlite")
    if not os.path.exists(db):
        create_v7(db)
    insert_runs(db, [("%s-%d" % (prefix, i), "2026-01-14T10:00:00.000000+00:00") for i in range(rows)])
    return db


def integrity(path):
    connection = sqlite3.connect("file:%s?mode=ro" % path, uri=True)
    try:
        return connection.execute("PRAGMA integrity_check").fetchall()
    finally:
        connection.close()


def test_backup_makes_a_verified_copy_in_backups_beside_the_database(tmp_path):
    db = small_db(tmp_path)
    result = backup(db, "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert os.path.dirname(report["backup"]) == str(tmp_path / "backups")
    assert report["name"].startswith("telemetry_") and report["name"].endswith(".sqlite")
    assert report["tables"]["agent_runs"] == 20
    assert report["verified"] is True
    assert integrity(report["backup"]) == [("ok",)]
    record = json.load(open(report["backup"] + ".verified"))
    assert record["tables"]["agent_runs"] == 20
    assert record["verified_at"].endswith("+00:00")
    assert sorted(os.listdir(tmp_path / "backups")) == [report["name"], report["name"] + ".verified"]


def test_text_summary_and_list(tmp_path):
    db = small_db(tmp_path, rows=1234)
    result = backup(db)
    assert result.returncode == 0, result.stderr
    assert "1,234 runs" in result.stdout and "verified" in result.stdout
    listing = run_cli("backup", "list", "--db", db, "--no-env-file")
    assert listing.returncode == 0
    lines = listing.stdout.strip().splitlines()
    assert lines[0].split() == ["TIME", "NAME", "SIZE", "RUNS", "STATE"]
    assert lines[1].split()[-1] == "verified" and "1,234" in lines[1]
    assert lines[-1] == "1 backup in %s" % (tmp_path / "backups")


def test_list_marks_a_backup_without_record_as_unverified(tmp_path):
    db = small_db(tmp_path)
    name = json.loads(backup(db, "--json").stdout)["name"]
    shutil.copy(tmp_path / "backups" / name, tmp_path / "backups" / "telemetry_20200101_000000.sqlite")
    listing = json.loads(run_cli("backup", "list", "--db", db, "--no-env-file", "--json").stdout)
    states = {b["name"]: b["verified"] for b in listing["backups"]}
    assert states == {"telemetry_20200101_000000.sqlite": False, name: True}
    assert listing["backups"][0]["rows"] is None


def test_retention_removes_old_verified_backups_and_says_so(tmp_path):
    db = small_db(tmp_path)
    first = json.loads(backup(db, "--json").stdout)
    folder = tmp_path / "backups"
    # Pretend the first backup was made 30 days ago: rename it and its record.
    old_name = "telemetry_20200101_000000.sqlite"
    os.rename(first["backup"], folder / old_name)
    os.rename(first["backup"] + ".verified", str(folder / old_name) + ".verified")
    shutil.copy(folder / old_name, folder / "telemetry_20200102_000000.sqlite")  # unverified: kept
    result = backup(db, "--keep-days", "7")
    assert result.returncode == 0, result.stderr
    assert "removed old backup %s (made 2020-01-01T00:00:00Z)" % old_name in result.stdout
    remaining = sorted(os.listdir(folder))
    assert old_name not in remaining and old_name + ".verified" not in remaining
    assert "telemetry_20200102_000000.sqlite" in remaining


def test_missing_database_is_66_and_creates_nothing(tmp_path):
    result = backup(tmp_path / "absent.sqlite")
    assert result.returncode == 66
    assert not (tmp_path / "backups").exists()


def test_backup_while_serving_under_write_load_holds_every_acknowledged_row(tmp_path):
    with Server() as server:
        acknowledged, stop, lock = [], threading.Event(), threading.Lock()

        def client(n):
            i = 0
            while not stop.is_set():
                event_id = "c%d-%d" % (n, i)
                if server.post("/api/v1/runs", run(event_id)).status == 201:
                    with lock:
                        acknowledged.append(event_id)
                i += 1

        threads = [threading.Thread(target=client, args=(n,)) for n in range(4)]
        for t in threads:
            t.start()
        while len(acknowledged) < 100:
            time.sleep(0.01)
        with lock:
            before = set(acknowledged)
        result = backup(server.db_path, "--json")
        stop.set()
        for t in threads:
            t.join()
        assert result.returncode == 0, result.stderr
        copy = json.loads(result.stdout)["backup"]
        assert integrity(copy) == [("ok",)]
        assert before <= event_ids(copy)
        assert server.get("/health").status == 200


def _mount_tmpfs(path, options):
    if os.geteuid() != 0:
        return "not root: mounting a tmpfs needs root"
    os.makedirs(path, exist_ok=True)
    result = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(path)], capture_output=True, text=True)
    if result.returncode != 0:
        return "mount -t tmpfs failed: " + result.stderr.strip()
    return None


@pytest.mark.parametrize("options,expected_message", [("size=256k", "not enough free space"), ("ro,size=4m", "")])
def test_backup_to_a_full_or_read_only_folder_fails_cleanly_with_no_leftover(tmp_path, options, expected_message):
    db = small_db(tmp_path, rows=3000)  # about 1 MiB: more than the small tmpfs holds
    folder = tmp_path / "mnt"
    reason = _mount_tmpfs(folder, options)
    assert reason is None, reason + " (the suite runs as root, as CI does)"
    try:
        result = backup(db, "--dir", str(folder))
        assert result.returncode == 73, result.stderr
        assert expected_message in result.stderr
        assert os.listdir(folder) == []
    finally:
        subprocess.run(["umount", str(folder)], check=True)


def test_restore_round_trip_with_safety_copy_and_undo(tmp_path):
    db = small_db(tmp_path, rows=5, prefix="before")
    made = json.loads(backup(db, "--json").stdout)["backup"]
    small_db(tmp_path, rows=3, prefix="after")
    assert count(db) == 8

    result = run_cli("backup", "restore", made, "--db", db, "--no-env-file", "--yes")
    assert result.returncode == 0, result.stderr
    assert count(db) == 5
    assert "to undo: telemetry backup restore " in result.stdout
    undo = result.stdout.split("to undo: ")[1].strip().split()
    safety = undo[3]
    assert count(safety) == 8

    again = run_cli(*undo[1:], "--no-env-file")
    assert again.returncode == 0, again.stderr
    assert count(db) == 8


def test_restore_by_bare_name_from_the_backup_folder_with_json(tmp_path):
    db = small_db(tmp_path, rows=4)
    name = json.loads(backup(db, "--json").stdout)["name"]
    result = run_cli("backup", "restore", name, "--db", db, "--no-env-file", "--yes", "--json",
                     cwd=str(tmp_path / "backups" / ".."))
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["restored_from"] == str(tmp_path / "backups" / name)
    assert report["tables"]["agent_runs"] == 4
    assert os.path.exists(report["safety_copy"])


def test_restore_is_refused_while_serving_with_69():
    with Server() as server:
        assert server.post("/api/v1/runs", run("kept")).status == 201
        made = json.loads(backup(server.db_path, "--json").stdout)["backup"]
        result = run_cli("backup", "restore", made, "--db", server.db_path, "--no-env-file", "--yes")
        assert result.returncode == 69
        assert "held by serve" in result.stderr
        assert server.get("/health").status == 200


def test_restore_without_yes_when_stdin_is_not_a_terminal_is_64(tmp_path):
    db = small_db(tmp_path, rows=2)
    made = json.loads(backup(db, "--json").stdout)["backup"]
    result = run_cli("backup", "restore", made, "--db", db, "--no-env-file", input="y\n")
    assert result.returncode == 64
    assert "--yes" in result.stderr


def test_restore_of_a_missing_file_is_66_and_of_a_corrupt_file_65(tmp_path):
    db = small_db(tmp_path, rows=2)
    assert run_cli("backup", "restore", str(tmp_path / "nope.sqlite"), "--db", db, "--no-env-file",
                   "--yes").returncode == 66
    bad = tmp_path / "bad.sqlite"
    bad.write_bytes(b"x" * 10000)
    result = run_cli("backup", "restore", str(bad), "--db", db, "--no-env-file", "--yes")
    assert result.returncode == 65
    assert count(db) == 2


def _restore_on_a_terminal(made, db, answer):
    """Runs restore without --yes with a pseudo-terminal as standard input."""
    import pty
    master, slave = pty.openpty()
    try:
        process = subprocess.Popen([os.environ.get("TELEMETRY_BIN") or "telemetry", "backup", "restore", made,
                                    "--db", db, "--no-env-file"], stdin=slave, stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE, env=clean_env(), text=True)
        os.write(master, answer.encode())
        out, err = process.communicate(timeout=60)
        return process.returncode, out, err
    finally:
        os.close(master)
        os.close(slave)


def test_restore_on_a_terminal_asks_first(tmp_path):
    db = small_db(tmp_path, rows=3, prefix="before")
    made = json.loads(backup(db, "--json").stdout)["backup"]
    small_db(tmp_path, rows=2, prefix="after")

    code, out, err = _restore_on_a_terminal(made, db, "n\n")
    assert code == 0
    assert "Replace %s with %s (v7, 3 runs" % (db, made) in err
    assert "restore cancelled; nothing was changed" in err
    assert count(db) == 5

    code, out, err = _restore_on_a_terminal(made, db, "y\n")
    assert code == 0, err
    assert count(db) == 3
    assert "to undo:" in out
