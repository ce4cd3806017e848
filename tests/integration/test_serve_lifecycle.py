"""serve's lifecycle: lock, port, configuration refusals, signals, logs (issue 2)."""
import http.client
import json
import os
import signal
import socket
import threading
import time

import pytest

from harness import Server, clean_env, run, run_cli


def test_second_serve_on_the_same_database_exits_69_naming_the_holder(server):
    result = run_cli("serve", "--db", server.db_path, "--port", "0", "--no-env-file")
    assert result.returncode == 69
    assert "is held by serve (PID %d" % server.process.pid in result.stderr
    assert server.get("/health").status == 200


def test_busy_port_exits_69_naming_the_port(tmp_path):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = run_cli("serve", "--db", str(tmp_path / "db.sqlite"), "--port", str(port), "--no-env-file")
    assert result.returncode == 69
    assert str(port) in result.stderr


def test_workers_other_than_one_exits_78(tmp_path):
    result = run_cli("serve", "--db", str(tmp_path / "db.sqlite"), "--no-env-file",
                     env=clean_env(TELEMETRY_API_WORKERS="2", HOME=str(tmp_path)))
    assert result.returncode == 78
    assert ("TELEMETRY_API_WORKERS=2: telemetry serve is a single-writer service and runs exactly one "
            "worker; remove the setting or set it to 1") in result.stderr
    assert not (tmp_path / "db.sqlite").exists()


def test_usage_errors_exit_64_and_help_version_exit_0():
    assert run_cli("serve", "--no-such-flag").returncode == 64
    assert run_cli("no-such-command").returncode == 64
    assert run_cli().returncode == 64
    version = run_cli("--version")
    assert version.returncode == 0 and version.stdout.strip() == "telemetry 1.0.0"
    help_text = run_cli("serve", "--help")
    assert help_text.returncode == 0 and "--journal-mode" in help_text.stdout


def test_invalid_setting_is_reported_with_its_source(tmp_path):
    (tmp_path / ".env").write_text("TELEMETRY_DB_JOURNAL_MODE=memory\n")
    result = run_cli("serve", "--db", str(tmp_path / "db.sqlite"), "--port", "abc", cwd=str(tmp_path))
    # Both are reported; the bad flag makes it a usage error (64), named by its flag.
    assert result.returncode == 64
    assert "configuration error: TELEMETRY_DB_JOURNAL_MODE=memory (.env:1)" in result.stderr
    assert "--port abc: not an integer" in result.stderr
    only_env = run_cli("serve", "--db", str(tmp_path / "db.sqlite"), cwd=str(tmp_path))
    assert only_env.returncode == 78


def test_sigterm_exits_0_releases_the_lock_and_keeps_acknowledged_events(tmp_path):
    s = Server(directory=str(tmp_path)).start()
    acknowledged = []
    stop = threading.Event()

    def client():
        connection = http.client.HTTPConnection("127.0.0.1", s.port, timeout=10)
        i = 0
        while not stop.is_set():
            try:
                connection.request("POST", "/api/v1/runs", body=json.dumps(run("sig-%d" % i)).encode())
                response = connection.getresponse()
                response.read()
                if response.status == 201:
                    acknowledged.append("sig-%d" % i)
            except (OSError, http.client.HTTPException):
                break
            i += 1

    thread = threading.Thread(target=client)
    thread.start()
    time.sleep(0.5)
    assert s.stop(signal.SIGTERM) == 0
    stop.set()
    thread.join()
    assert acknowledged, "the client should have had events acknowledged before the stop"
    stored = {row[0] for row in s.query("SELECT event_id FROM agent_runs")}
    assert set(acknowledged) <= stored
    assert not os.path.exists(s.lock_path)
    assert "stopping" in s.stderr()


def test_restart_after_kill_9_needs_no_manual_step(tmp_path):
    s = Server(directory=str(tmp_path)).start()
    assert s.post("/api/v1/runs", run("before-kill")).status == 201
    s.kill()
    s2 = Server(directory=str(tmp_path)).start()
    try:
        assert s2.get("/api/v1/runs/before-kill").status == 200
        assert s2.post("/api/v1/runs", run("after-kill")).status == 201
    finally:
        s2.close()


def test_request_log_lines_in_logfmt_and_json(make_server):
    s = make_server()
    s.get("/health")
    s.stop()
    line = [l for l in s.stderr().splitlines() if 'msg="request"' in l][0]
    for key in ("method=GET", "path=/health", "status=200", "duration_ms=", "bytes=", "peer=127.0.0.1"):
        assert key in line

    j = make_server(env={"TELEMETRY_LOG_FORMAT": "json"})
    j.get("/health")
    j.stop()
    records = [json.loads(l) for l in j.stderr().splitlines() if l.startswith("{")]
    request = [r for r in records if r.get("message") == "request"][0]
    assert request["logger"] == "telemetry" and request["path"] == "/health"


def test_a_refused_older_schema_exits_65_telling_to_migrate(tmp_path):
    import sqlite3
    db = tmp_path / "old.sqlite"
    with sqlite3.connect(str(db)) as connection:
        connection.execute("CREATE TABLE agent_runs (id INTEGER PRIMARY KEY, event_id TEXT)")
    result = run_cli("serve", "--db", str(db), "--port", "0", "--no-env-file")
    assert result.returncode == 65
    assert "run 'telemetry migrate' first" in result.stderr or "unknown schema" in result.stderr


def test_not_a_database_exits_65(tmp_path):
    db = tmp_path / "text.sqlite"
    db.write_text("hello, this is not SQLite" * 100)
    result = run_cli("serve", "--db", str(db), "--port", "0", "--no-env-file")
    assert result.returncode == 65
    assert "is not a SQLite database" in result.stderr


def test_idle_keepalive_clients_do_not_delay_a_fresh_post(make_server):
    s = make_server(args=["--http-threads", "4"])
    idle = [socket.create_connection(("127.0.0.1", s.port)) for _ in range(2)]
    try:
        started = time.time()
        response = s.post("/api/v1/runs", run("fresh"))
        assert response.status == 201
        # Not a timing assertion on speed: only that it was not stuck behind
        # the idle sockets' read timeout (30 s).
        assert time.time() - started < 10
    finally:
        for sock in idle:
            sock.close()


def test_sd_notify_ready_and_stopping(tmp_path):
    path = str(tmp_path / "notify.sock")
    receiver = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    receiver.bind(path)
    receiver.settimeout(20)
    s = Server(directory=str(tmp_path), env={"NOTIFY_SOCKET": path}).start()
    try:
        assert receiver.recv(100) == b"READY=1"
        s.stop()
        assert receiver.recv(100) == b"STOPPING=1"
    finally:
        receiver.close()
        s.close()


# serve never changes the schema at start (docs/operations.md §8): it warns and answers,
# the stats routes through idx_runs_start when idx_runs_start_stats is missing, q as a
# plain filter when idx_runs_run_id is.
@pytest.mark.parametrize("index", ["idx_runs_job_type", "idx_runs_start_stats", "idx_runs_run_id"])
def test_a_v7_database_missing_an_index_is_served_with_a_warning(tmp_path, index):
    import sqlite3
    first = Server(directory=str(tmp_path)).start()
    first.stop()
    with sqlite3.connect(first.db_path) as connection:
        connection.execute("DROP INDEX %s" % index)
    again = Server(directory=str(tmp_path)).start()
    try:
        assert again.post("/api/v1/runs", run("still-served")).status == 201
        assert again.get("/api/v1/stats/trends?since=24h").status == 200
        found = again.get("/api/v1/runs?q=still-s")
        assert found.status == 200 and [r["event_id"] for r in found.json()] == ["still-served"]
        assert "%s is missing" % index in again.stderr()
        with sqlite3.connect(first.db_path) as connection:
            assert connection.execute("SELECT count(*) FROM sqlite_master WHERE name = ?", (index,)).fetchone() == (0,)
    finally:
        again.close()


def test_non_loopback_host_without_auth_exits_78_naming_address_and_remedy(tmp_path):
    for args, env in [(["--host", "0.0.0.0"], {}), ([], {"TELEMETRY_API_HOST": "::"})]:
        result = run_cli("serve", "--db", str(tmp_path / "db.sqlite"), "--port", "0", "--no-env-file", *args,
                         env=clean_env(**env))
        assert result.returncode == 78, result.stderr
        host = args[1] if args else "::"
        assert ("listening on %s (not a loopback address) without authentication is refused; turn "
                "authentication on (TELEMETRY_API_AUTH_ENABLED=true and TELEMETRY_API_AUTH_TOKEN_FILE), "
                "listen on 127.0.0.1, or allow it explicitly with --allow-unauthenticated "
                "(TELEMETRY_API_ALLOW_UNAUTHENTICATED=true)" % host) in result.stderr
        assert not (tmp_path / "db.sqlite").exists()


def test_loopback_hosts_need_no_auth(tmp_path):
    for host in ("127.0.0.2", "::1", "localhost"):
        directory = tmp_path / host
        directory.mkdir()
        server = Server(directory=str(directory), args=["--host", host]).start(expect_ready=False)
        try:
            deadline = time.time() + 20
            while "listening" not in server.stderr() and time.time() < deadline:
                assert server.process.poll() is None, server.stderr()
                time.sleep(0.05)
            assert "listening" in server.stderr() and "without authentication" not in server.stderr()
        finally:
            server.process.terminate()
            assert server.process.wait(timeout=20) == 0


def test_allowed_unauthenticated_non_loopback_host_starts_with_a_warning(tmp_path):
    # 192.0.2.1 (TEST-NET-1) is not an address of this machine: the configuration
    # is accepted with its warning, then the bind fails (69), so nothing listens
    # beyond loopback during the test.
    for args, env in [(["--allow-unauthenticated"], {}), ([], {"TELEMETRY_API_ALLOW_UNAUTHENTICATED": "true"})]:
        result = run_cli("serve", "--db", str(tmp_path / "db.sqlite"), "--port", "0", "--no-env-file",
                         "--host", "192.0.2.1", *args, env=clean_env(**env))
        assert result.returncode == 69, result.stderr
        assert ("listening on 192.0.2.1 (not a loopback address) without authentication, as "
                "TELEMETRY_API_ALLOW_UNAUTHENTICATED allows: anyone who can reach the port can read and write "
                "runs") in result.stderr
        assert "cannot bind to 192.0.2.1" in result.stderr
    # With auth on the same address needs no permission (and still cannot bind here).
    result = run_cli("serve", "--db", str(tmp_path / "db.sqlite"), "--port", "0", "--no-env-file",
                     "--host", "192.0.2.1", "--auth", env=clean_env(TELEMETRY_API_AUTH_TOKEN="a-long-enough-token-123"))
    assert result.returncode == 69 and "without authentication" not in result.stderr
