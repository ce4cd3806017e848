"""telemetry metrics: the /metrics numbers from the file (--db) or a service (--url)."""
import json
import os
import socket

from harness import run, run_cli


def metrics(*args, cwd=None):
    return run_cli("metrics", "--no-env-file", *args, cwd=cwd)


def seed(server):
    for i, (agent, status) in enumerate([("crawler", "running"), ("crawler", "success"), ("translator", "failure")]):
        assert server.post("/api/v1/runs", body=run("e-%d" % i, agent_name=agent, status=status)).status == 201


def test_json_from_the_file_is_the_http_body(server):
    seed(server)
    for query, flags in (("", []), ("?since=7d&by=status", ["--since", "7d", "--by", "status"]),
                         ("?by=job_type", ["--by", "job_type"])):
        result = metrics("--db", server.db_path, "--json", *flags)
        assert result.returncode == 0, result.stderr
        assert json.loads(result.stdout) == server.get("/metrics" + query).json()
    body = json.loads(metrics("--db", server.db_path, "--json").stdout)
    assert list(body) == ["total_runs", "agents", "recent_24h", "performance"]
    assert body["agents"] == {"crawler": 2, "translator": 1}
    assert list(body["agents"]) == ["crawler", "translator"]
    assert body["recent_24h"] == 3
    assert body["performance"] == {"db_path": server.db_path, "journal_mode": "DELETE"}


def test_url_asks_the_service(server):
    seed(server)
    url = "http://127.0.0.1:%d" % server.port
    result = metrics("--url", url, "--json", "--since", "2w", "--by", "status")
    assert result.returncode == 0, result.stderr
    body = json.loads(result.stdout)
    assert body == server.get("/metrics?since=2w&by=status").json()
    assert body["statuses"] == {"failure": 1, "running": 1, "success": 1}
    assert body["recent_2w"] == 3


def test_table_is_aligned(server):
    seed(server)
    result = metrics("--db", server.db_path)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "total_runs    3"
    assert lines[1] == "recent_24h    3"
    assert lines[2] == "db_path       " + server.db_path
    assert lines[3] == "journal_mode  DELETE"
    assert lines[4] == ""
    assert lines[5:] == ["agents      runs", "crawler        2", "translator     1"]


def test_errors(tmp_path):
    missing = metrics("--db", str(tmp_path / "missing.sqlite"))
    assert missing.returncode == 66 and "does not exist" in missing.stderr
    assert not os.path.exists(tmp_path / "missing.sqlite")  # read-only: never created
    (tmp_path / "text.sqlite").write_text("not a database, just text that is long enough" * 40)
    assert metrics("--db", str(tmp_path / "text.sqlite")).returncode == 65
    bad = metrics("--db", str(tmp_path / "x.sqlite"), "--since", "3x")
    assert bad.returncode == 64 and "since" in bad.stderr
    assert metrics("--db", str(tmp_path / "x.sqlite"), "--by", "host").returncode == 64
    assert metrics("--db", "a", "--url", "http://127.0.0.1:1").returncode == 64
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    unreachable = metrics("--url", "http://127.0.0.1:%d" % port)
    assert unreachable.returncode == 69 and "cannot reach the service" in unreachable.stderr


def test_the_breakdown_honours_since_in_the_cli_and_over_http(server):
    """--since / ?since= narrows the breakdown like recent_<since>; without it the
    breakdown covers every run (issue 14, point 4)."""
    import sqlite3
    seed(server)  # three runs created now
    connection = sqlite3.connect(server.db_path, timeout=30)
    connection.executemany(
        "INSERT INTO agent_runs (event_id, run_id, created_at, updated_at, start_time, agent_name, job_type, status)"
        " VALUES (?, ?, '2020-01-01T00:00:00.000000+00:00', '2020-01-01T00:00:00.000000+00:00',"
        " '2020-01-01T00:00:00+00:00', 'archiver', 'crawl', 'success')",
        [("old-%d" % i, "old-run-%d" % i) for i in range(2)])
    connection.commit()
    connection.close()
    url = "http://127.0.0.1:%d" % server.port

    windowed = server.get("/metrics?since=1h&by=status").json()
    assert windowed["statuses"] == {"failure": 1, "running": 1, "success": 1}
    assert windowed["recent_1h"] == 3 and windowed["total_runs"] == 5
    for where in (["--db", server.db_path], ["--url", url]):
        result = metrics(*where, "--json", "--since", "1h", "--by", "status")
        assert result.returncode == 0, result.stderr
        assert json.loads(result.stdout) == windowed

    everything = server.get("/metrics?by=status").json()
    assert everything["statuses"] == {"success": 3, "failure": 1, "running": 1}
    for where in (["--db", server.db_path], ["--url", url]):
        result = metrics(*where, "--json", "--by", "status")
        assert json.loads(result.stdout) == everything
    assert server.get("/metrics").json()["agents"] == {"crawler": 2, "archiver": 2, "translator": 1}
