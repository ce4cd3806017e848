"""Concurrent writers (issue 8; docs/architecture.md "The single writer"; docs/reference/configuration.md §5):
a command that writes the database without a server (migrate, prune, backup
restore, ingest-buffer in direct mode) started while another writer holds the
lock is refused with exit 69, naming the holder, and touches nothing: the
database's bytes and mtime, the lock file's content and the set of files
beside them are the same afterwards.

ingest-buffer is special (docs/reference/buffer-files.md §8): when the holder is `serve` it
does not write the file itself but delivers through the service ("server
mode"); it refuses (69) only when the holder is anything else.

Each case first checks that `telemetry --help` lists the command, so a renamed
or missing command fails here by name instead of in an unrelated assertion."""
import fcntl
import hashlib
import json
import os
import re
import socket
import sqlite3

import pytest

from harness import Server, run, run_cli

EXIT_UNAVAILABLE = 69


def listed_subcommands(*path):
    """Subcommand names in the 'Subcommands:' section of `telemetry [path] --help`."""
    result = run_cli(*path, "--help")
    names, in_section = set(), False
    for line in result.stdout.splitlines():
        if line.startswith("Subcommands:"):
            in_section = True
        elif in_section and line.strip():
            names.add(line.split()[0])
    return names


def require_command(*path):
    parents, name = path[:-1], path[-1]
    assert name in listed_subcommands(*parents), "`telemetry %s` is not listed by `telemetry %s--help`" % (
        " ".join(path), "".join(p + " " for p in parents))


def snapshot(directory, db_path):
    """Everything a refused writer must leave alone."""
    with open(db_path, "rb") as f:
        digest = hashlib.sha256(f.read()).hexdigest()
    stat = os.stat(db_path)
    with open(db_path + ".lock", "rb") as f:
        lock = f.read()
    return {"sha256": digest, "mtime_ns": stat.st_mtime_ns, "size": stat.st_size, "lock": lock,
            "files": sorted(os.listdir(directory))}


def make_backup(db_path, target):
    """A valid v7 copy to restore from (SQLite's online backup)."""
    source = sqlite3.connect("file:%s?mode=ro" % db_path, uri=True)
    copy = sqlite3.connect(target)
    with copy:
        source.backup(copy)
    source.close()
    copy.close()


# Command lines of the writers that must be refused; `ctx` has db and backup.
WRITERS = {
    "migrate": (("migrate",), lambda ctx: ["migrate", "--db", ctx["db"], "--no-env-file"]),
    "prune": (("prune",), lambda ctx: ["prune", "--db", ctx["db"], "--older-than", "1d", "--no-env-file"]),
    "backup restore": (("backup", "restore"),
                       lambda ctx: ["backup", "restore", ctx["backup"], "--db", ctx["db"], "--yes",
                                    "--no-env-file"]),
    "ingest-buffer (direct)": (("ingest-buffer",),
                               lambda ctx: ["ingest-buffer", ctx["buffer"], "--db", ctx["db"], "--no-env-file"]),
}


@pytest.fixture
def populated(tmp_path):
    """A v7 database with a few runs, a backup of it and a buffer file, server stopped."""
    with Server(directory=str(tmp_path), args=["--log-level", "warning"]) as server:
        for i in range(5):
            assert server.post("/api/v1/runs", run("stored-%d" % i)).status == 201
    backup = tmp_path / "backups"
    backup.mkdir()
    make_backup(str(tmp_path / "telemetry.sqlite"), str(backup / "telemetry_20260101_000000.sqlite"))
    buffer_dir = tmp_path / "telemetry_buffer"
    buffer_dir.mkdir()
    buffer_file = buffer_dir / "telemetry_20260114_091502.jsonl.ready"
    buffer_file.write_text(json.dumps(run("from-buffer")) + "\n")
    return {"dir": str(tmp_path), "db": str(tmp_path / "telemetry.sqlite"),
            "backup": str(backup / "telemetry_20260101_000000.sqlite"), "buffer": str(buffer_file),
            "buffer_dir": str(buffer_dir)}


@pytest.mark.parametrize("writer", ["migrate", "prune", "backup restore"])
def test_a_writer_started_against_a_running_serve_is_refused_without_touching_the_file(populated, writer):
    command, arguments = WRITERS[writer]
    require_command(*command)
    with Server(directory=populated["dir"], args=["--log-level", "warning"]) as server:
        before = snapshot(populated["dir"], populated["db"])
        result = run_cli(*arguments(populated), cwd=populated["dir"])
        after = snapshot(populated["dir"], populated["db"])
        assert result.returncode == EXIT_UNAVAILABLE, (result.returncode, result.stdout, result.stderr)
        assert "is in use" in result.stderr and "serve" in result.stderr, result.stderr
        assert "PID %d" % server.process.pid in result.stderr, result.stderr
        assert after == before
        # The service did not notice: still healthy, still writing.
        assert server.get("/health").status == 200
        assert server.post("/api/v1/runs", run("after-" + writer.replace(" ", "-"))).status == 201
        assert server.get("/api/v1/runs/stored-0").status == 200


class ForeignLockHolder:
    """Holds the single-writer lock the way another program would (the Python
    service writes only its PID and host name), so nothing may write."""

    def __init__(self, lock_path):
        self.file = open(lock_path, "a+")
        fcntl.flock(self.file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        self.file.truncate(0)
        self.file.write("%d\n%s\n" % (os.getpid(), socket.gethostname()))
        self.file.flush()

    def release(self):
        fcntl.flock(self.file, fcntl.LOCK_UN)
        self.file.close()


@pytest.mark.parametrize("writer", ["migrate", "prune", "backup restore", "ingest-buffer (direct)"])
def test_a_writer_started_while_another_program_holds_the_lock_is_refused(populated, writer):
    command, arguments = WRITERS[writer]
    require_command(*command)
    holder = ForeignLockHolder(populated["db"] + ".lock")
    try:
        before = snapshot(populated["dir"], populated["db"])
        buffer_before = sorted(os.listdir(populated["buffer_dir"]))
        result = run_cli(*arguments(populated), cwd=populated["dir"])
        assert result.returncode == EXIT_UNAVAILABLE, (result.returncode, result.stdout, result.stderr)
        assert "is in use" in result.stderr and "another program" in result.stderr, result.stderr
        assert "PID %d" % os.getpid() in result.stderr, result.stderr
        assert snapshot(populated["dir"], populated["db"]) == before
        # ingest-buffer also leaves its input alone: no rename, no quarantine file.
        assert sorted(os.listdir(populated["buffer_dir"])) == buffer_before
    finally:
        holder.release()


def test_ingest_buffer_against_a_running_serve_delivers_through_the_service(populated):
    require_command("ingest-buffer")
    with Server(directory=populated["dir"], args=["--log-level", "warning"]) as server:
        result = run_cli("ingest-buffer", populated["buffer"], "--db", populated["db"], "--json",
                         "--no-env-file", cwd=populated["dir"])
        assert result.returncode == 0, (result.stdout, result.stderr)
        summary = json.loads(result.stdout)
        assert summary["mode"] == "server", summary
        assert re.match(r"http://127\.0\.0\.1:%d/?$" % server.port, summary["url"]), summary
        # The service wrote it, and is still healthy.
        assert server.get("/api/v1/runs/from-buffer").status == 200
        assert server.get("/health").status == 200
