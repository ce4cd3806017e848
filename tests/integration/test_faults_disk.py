"""Storage faults (issue 8; docs/architecture.md "The single writer"; docs/reference/http-api.md §8):

- disk full: the database on a 4 MiB tmpfs. SQLite reports SQLITE_FULL, the
  transaction is rolled back, its requests get 507, /health stays 200, and
  writes succeed again as soon as space is freed, without a restart;
- I/O error: RLIMIT_FSIZE on the server with SIGXFSZ ignored, so a write past
  the limit fails with EFBIG (SQLITE_IOERR_WRITE). The writer enters the failed
  state for good: 503 on writes, /health 503 naming the error, nothing
  acknowledged afterwards; a restart on a healthy disk has everything
  acknowledged before.
"""
import errno
import os
import resource
import signal
import sqlite3
import subprocess

import pytest

from crash_harness import RestartedServer
from harness import BINARY, run

TMPFS_BYTES = 4 * 1024 * 1024
BIG_TEXT = "x" * (200 * 1024)  # one run this size needs ~50 new pages


@pytest.fixture
def small_tmpfs(tmp_path):
    """A 4 MiB tmpfs (mounting one needs root), unmounted afterwards."""
    assert os.geteuid() == 0, "mounting a 4 MiB tmpfs needs root: run the suite as root, as CI does"
    mount_point = tmp_path / "tmpfs"
    mount_point.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(mount_point)],
                             capture_output=True, text=True)
    assert mounted.returncode == 0, "cannot mount a tmpfs here: %s" % mounted.stderr.strip()
    try:
        yield mount_point
    finally:
        if subprocess.run(["umount", str(mount_point)], capture_output=True).returncode != 0:
            subprocess.run(["umount", "-l", str(mount_point)], capture_output=True)


def fill_until_full(path):
    """Writes `path` until the filesystem refuses; returns the bytes written."""
    chunk = b"\0" * 65536
    written = 0
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        while True:
            try:
                n = os.write(fd, chunk)
            except OSError as error:
                assert error.errno == errno.ENOSPC, error
                break
            written += n
            if n < len(chunk):
                chunk = chunk[:1]  # the last few bytes, one at a time
    finally:
        os.close(fd)
    return written


def stored_ids(db_path):
    with sqlite3.connect("file:%s?mode=ro" % db_path, uri=True) as connection:
        rows = connection.execute("SELECT event_id FROM agent_runs").fetchall()
    connection.close()
    return {row[0] for row in rows}


def integrity(db_path):
    with sqlite3.connect("file:%s?mode=ro" % db_path, uri=True) as connection:
        rows = connection.execute("PRAGMA integrity_check").fetchall()
    connection.close()
    return rows


@pytest.mark.parametrize("journal_mode", ["DELETE", "WAL"])
def test_disk_full_answers_507_keeps_health_and_recovers_without_restart(small_tmpfs, tmp_path, journal_mode):
    server = RestartedServer(directory=str(small_tmpfs),
                             args=["--journal-mode", journal_mode, "--log-level", "warning"])
    server.stderr_path = str(tmp_path / "serve.stderr")  # the log must not compete for the space
    server.start()
    try:
        acknowledged = set()
        for i in range(5):
            assert server.post("/api/v1/runs", run("before-%d" % i)).status == 201
            acknowledged.add("before-%d" % i)

        filler = small_tmpfs / "filler"
        assert fill_until_full(str(filler)) > 0

        # Writes into the full disk: each either commits (201, there was room in
        # a free page) or is refused whole (507). Big ones cannot fit.
        refused = set()
        for i in range(8):
            event_id = "full-%d" % i
            response = server.post("/api/v1/runs", run(event_id, error_details=BIG_TEXT))
            assert response.status in (201, 507), (response.status, response.body[:300])
            if response.status == 201:
                acknowledged.add(event_id)
            else:
                refused.add(event_id)
                assert response.json()["detail"].startswith("Insufficient storage: ")
        assert refused, "the full disk never refused a write"

        batch_ids = ["full-batch-%d" % i for i in range(3)]
        response = server.post("/api/v1/runs/batch", [run(e, error_details=BIG_TEXT) for e in batch_ids])
        assert response.status == 507, (response.status, response.body[:300])
        refused.update(batch_ids)

        # The service stays up: /health 200, writer ok, reads served.
        health = server.get("/health")
        assert health.status == 200 and health.json()["writer"] == "ok"
        assert server.get("/api/v1/runs/before-0").status == 200
        # Nothing refused was stored, not even part of the batch.
        for event_id in refused:
            assert server.get("/api/v1/runs/" + event_id).status == 404, event_id

        # Space comes back: the same process accepts the refused writes again.
        pid = server.process.pid
        os.unlink(str(filler))
        for event_id in sorted(refused - set(batch_ids)):
            assert server.post("/api/v1/runs", run(event_id, error_details=BIG_TEXT)).status == 201
        response = server.post("/api/v1/runs/batch", [run(e, error_details=BIG_TEXT) for e in batch_ids])
        assert response.status == 201 and response.json()["inserted"] == 3
        acknowledged |= refused
        assert server.process.pid == pid and server.process.poll() is None

        assert stored_ids(server.db_path) == acknowledged
        assert integrity(server.db_path) == [("ok",)]
        assert server.stop() == 0
    finally:
        server.close()


class FileSizeLimitedServer(RestartedServer):
    """serve with RLIMIT_FSIZE set and SIGXFSZ ignored, so writing past the
    limit fails with EFBIG instead of killing the process."""

    def __init__(self, limit_bytes, **kwargs):
        super().__init__(**kwargs)
        self.limit_bytes = limit_bytes

    def _limit(self):
        resource.setrlimit(resource.RLIMIT_FSIZE, (self.limit_bytes, self.limit_bytes))
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)

    def start(self):
        self.stderr_file = open(self.stderr_path, "ab")
        self.process = subprocess.Popen(
            [BINARY, "serve", "--db", self.db_path, "--port", "0", "--no-env-file", *self.args],
            env=self.env, cwd=self.directory, stdout=subprocess.DEVNULL, stderr=self.stderr_file,
            preexec_fn=self._limit)
        self.port = self._wait_for_port()
        return self


def test_io_error_fails_the_writer_for_good_and_a_restart_keeps_every_acknowledged_event(tmp_path):
    directory = str(tmp_path)
    # The new database is about 100 KiB; 256 KiB leaves room for small runs only.
    limited = FileSizeLimitedServer(256 * 1024, directory=directory, args=["--log-level", "warning"])
    limited.start()
    try:
        acknowledged = set()
        for i in range(10):
            assert limited.post("/api/v1/runs", run("ok-%d" % i)).status == 201
            acknowledged.add("ok-%d" % i)
        assert limited.get("/health").status == 200

        # This commit has to grow the file past the limit: EFBIG, SQLITE_IOERR_WRITE.
        response = limited.post("/api/v1/runs", run("too-big", error_details=BIG_TEXT))
        assert response.status == 503, (response.status, response.body[:300])
        assert response.json()["detail"].startswith("Writer failed: ")

        health = limited.get("/health")
        assert health.status == 503
        body = health.json()
        assert body["status"] == "failed" and body["writer"] == "failed"
        assert body["writer_error"], body

        # Failed for good: small writes that would fit are not attempted either.
        refused = {"too-big"}
        for i in range(5):
            event_id = "after-%d" % i
            response = limited.post("/api/v1/runs", run(event_id))
            assert response.status == 503 and response.json()["detail"].startswith("Writer failed: ")
            refused.add(event_id)
        response = limited.post("/api/v1/runs/batch", [run("after-batch")])
        assert response.status == 503
        refused.add("after-batch")
        assert limited.patch("/api/v1/runs/ok-0", {"status": "success"}).status == 503
        # Reads keep being served.
        assert limited.get("/api/v1/runs/ok-0").status == 200
        assert limited.get("/health").status == 503
        assert limited.process.poll() is None  # the failed writer does not end the process
        limited.stop()
    finally:
        limited.close()

    # A restart on a healthy disk (no limit) has every acknowledged event, nothing else.
    healthy = RestartedServer(directory=directory, args=["--log-level", "warning"])
    healthy.start()
    try:
        assert healthy.get("/health").status == 200
        assert stored_ids(healthy.db_path) == acknowledged
        ok0 = healthy.get("/api/v1/runs/ok-0").json()
        assert ok0["status"] == "running"  # the refused PATCH changed nothing
        for event_id in refused:
            assert healthy.get("/api/v1/runs/" + event_id).status == 404
        assert integrity(healthy.db_path) == [("ok",)]
        assert healthy.post("/api/v1/runs", run("after-restart")).status == 201
    finally:
        healthy.close()
