"""telemetry run, record and runs: recording shell scripts and cron jobs against
a real `serve`, and the buffer-file fallback when the service is down."""
import json
import os
import re
import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest

from harness import BINARY, Server, clean_env

SOURCE_DIR = Path(__file__).resolve().parents[2]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def env_for(url, home, **extra):
    return clean_env(TELEMETRY_API_URL=url, HOME=str(home), **extra)


def telemetry(*args, env, cwd, input=None, timeout=60):
    """Runs the binary with bytes in and out."""
    return subprocess.run([BINARY, *args], env=env, cwd=cwd, input=input, capture_output=True, timeout=timeout)


@pytest.fixture
def served(server, tmp_path):
    """(server, env, working directory) with TELEMETRY_API_URL pointing at it."""
    url = "http://127.0.0.1:%d" % server.port
    return server, env_for(url, tmp_path), tmp_path


def rows(server, where="1=1", params=()):
    with __import__("sqlite3").connect("file:%s?mode=ro" % server.db_path, uri=True) as c:
        c.row_factory = __import__("sqlite3").Row
        return [dict(r) for r in c.execute("SELECT * FROM agent_runs WHERE %s ORDER BY id" % where, params)]


def run_cmd(env, cwd, *cmd, flags=()):
    return telemetry("run", "--no-env-file", *flags, "--", *cmd, env=env, cwd=cwd)


def last_run(server):
    found = rows(server)
    assert found, "no run stored"
    return found[-1]


@pytest.mark.parametrize("script,status,expected", [
    ("exit 0", "success", 0), ("exit 1", "failure", 1), ("exit 127", "failure", 127),
    ("kill -KILL $$", "failure", 128 + 9), ("kill -USR1 $$", "failure", 128 + 10)])
def test_exit_status_of_the_command_is_preserved_and_recorded(served, script, status, expected):
    server, env, cwd = served
    result = run_cmd(env, cwd, "sh", "-c", script, flags=["--agent-name", "exits"])
    assert result.returncode == expected, result.stderr
    assert result.stderr == b"" and result.stdout == b""
    row = last_run(server)
    assert row["status"] == status and row["agent_name"] == "exits" and row["job_type"] == "command"
    metrics = json.loads(row["metrics_json"])
    assert metrics["exit_status"] == expected
    if expected > 128:
        assert metrics["signal"] == expected - 128 and metrics["exit_code"] is None
    else:
        assert metrics["exit_code"] == expected and metrics["signal"] is None
    assert row["end_time"] and row["duration_ms"] >= 0 and row["host"]


def requests_for(server, event_id):
    """(method, path) of every request the server logged for one run."""
    found = re.findall(r'msg="request" method=(\w+) path=(\S+)', server.stderr())
    return [(method, path) for method, path in found
            if path == "/api/v1/runs" or path.endswith("/" + event_id)]


@pytest.mark.parametrize("script,records", [
    # Ends within the first 10 ms: its end record alone, one POST.
    ("exit 3", [("POST", "/api/v1/runs")]),
    # Still running when the start is due: the start POST, then a PATCH of its end.
    ("sleep 0.5; exit 3", [("POST", "/api/v1/runs"), ("PATCH", None)])])
def test_a_short_command_is_recorded_by_one_post_a_longer_one_by_start_and_end(served, script, records):
    server, env, cwd = served
    result = run_cmd(env, cwd, "sh", "-c", script, flags=["--agent-name", "short-or-long"])
    assert result.returncode == 3, result.stderr
    row = last_run(server)
    assert row["status"] == "failure" and json.loads(row["metrics_json"])["exit_code"] == 3
    assert row["end_time"] and row["duration_ms"] >= 0
    logged = requests_for(server, row["event_id"])
    assert [method for method, _ in logged] == [method for method, _ in records], server.stderr()[-2000:]
    if records[-1][0] == "PATCH":
        assert logged[-1][1] == "/api/v1/runs/" + row["event_id"]


def test_a_command_that_cannot_be_started_exits_127_and_is_a_failure(served):
    server, env, cwd = served
    result = run_cmd(env, cwd, "no-such-command-here")
    assert result.returncode == 127
    assert b"cannot run 'no-such-command-here'" in result.stderr
    row = last_run(server)
    assert row["status"] == "failure" and "No such file" in row["error_summary"]


def test_output_is_byte_identical_to_the_command_alone(served):
    server, env, cwd = served
    script = ("printf 'out\\000\\377\\r\\n'; printf 'err line 1\\n\\376 err 2' >&2; "
              "head -c 300000 /dev/zero | tr '\\0' x; printf 'tail' >&2; cat")
    alone = subprocess.run(["sh", "-c", script], input=b"from stdin\x00\xff", capture_output=True)
    wrapped = telemetry("run", "--no-env-file", "--", "sh", "-c", script, input=b"from stdin\x00\xff",
                        env=env, cwd=cwd)
    assert wrapped.returncode == alone.returncode == 0
    assert wrapped.stdout == alone.stdout
    assert wrapped.stderr == alone.stderr
    assert last_run(server)["status"] == "success"


def test_timeout_kills_the_process_group_and_records_timeout(served):
    server, env, cwd = served
    pidfile = cwd / "child.pid"
    script = "sleep 60 & echo $! > %s; wait" % pidfile
    result = run_cmd(env, cwd, "sh", "-c", script, flags=["--timeout", "1"])
    assert result.returncode == 128 + signal.SIGTERM
    row = last_run(server)
    assert row["status"] == "timeout"
    assert row["error_summary"].startswith("timed out after 1000 ms")
    # the background sleep went with the group (gone, or a zombie not yet reaped by init)
    wait_for(lambda: process_gone(int(pidfile.read_text())))


def process_gone(pid):
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().rsplit(")", 1)[1].split()[0] in ("Z", "X")
    except FileNotFoundError:
        return True


def wait_for(predicate, timeout=20):
    deadline = time.time() + timeout
    while time.time() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError("condition not reached")


def test_sigterm_is_forwarded_and_recorded_as_cancelled(served):
    server, env, cwd = served
    marker = cwd / "got-term"
    script = "trap 'echo term > %s; exit 3' TERM; echo started; while :; do sleep 0.05; done" % marker
    process = subprocess.Popen([BINARY, "run", "--no-env-file", "--agent-name", "long", "--", "sh", "-c", script],
                               env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert process.stdout.readline() == b"started\n"
    wait_for(lambda: rows(server, "agent_name = 'long'"))  # the start record is in
    assert rows(server, "agent_name = 'long'")[0]["status"] == "running"
    process.send_signal(signal.SIGTERM)
    out, err = process.communicate(timeout=30)
    assert process.returncode == 3  # the command's own exit status, after its trap ran
    assert marker.read_text() == "term\n"
    row = rows(server, "agent_name = 'long'")[0]
    assert row["status"] == "cancelled" and row["error_summary"].startswith("cancelled by SIGTERM")


def test_error_text_with_quotes_newlines_and_invalid_utf8_is_stored_safely(served):
    server, env, cwd = served
    message = b"can't open \"file\"\n\tsecond line \\ back\xff\xfeslash\n"
    result = run_cmd(env, cwd, "sh", "-c", "printf '%s' \"$1\" >&2; exit 4", "sh", message)
    assert result.returncode == 4
    row = last_run(server)
    assert row["error_details"] == "can't open \"file\"\n\tsecond line \\ back\ufffd\ufffdslash\n"
    assert row["error_summary"] == "exit status 4: \tsecond line \\ back\ufffd\ufffdslash"
    # record finish escapes the same text itself
    started = telemetry("record", "start", "--no-env-file", "--agent-name", "rec", "--job-type", "j",
                        env=env, cwd=cwd)
    assert started.returncode == 0, started.stderr
    event_id = started.stdout.decode().strip()
    finished = telemetry("record", "finish", "--no-env-file", event_id, "--error", message,
                         env=env, cwd=cwd)
    assert finished.returncode == 0, finished.stderr
    row = rows(server, "event_id = ?", (event_id,))[0]
    assert row["status"] == "failure"
    assert row["error_summary"] == message.decode("utf-8", "replace")


def test_record_start_finish_and_event(served):
    server, env, cwd = served
    started = telemetry("record", "start", "--no-env-file", "--agent-name", "report", "--job-type", "nightly",
                        "--metric", "pages=12", "--set", "environment=prod", env=env, cwd=cwd)
    assert started.returncode == 0, started.stderr
    event_id = started.stdout.decode().strip()
    assert re.fullmatch(r"[0-9a-f-]{36}", event_id)
    row = rows(server, "event_id = ?", (event_id,))[0]
    assert row["status"] == "running" and row["environment"] == "prod"
    assert re.fullmatch(r"\d{8}T\d{6}Z-report-[0-9a-f]{8}", row["run_id"])
    finished = telemetry("record", "finish", "--no-env-file", event_id, "--metric", "errors=0",
                         "--set", "items_succeeded=40", env=env, cwd=cwd)
    assert finished.returncode == 0, finished.stderr
    row = rows(server, "event_id = ?", (event_id,))[0]
    assert row["status"] == "success" and row["items_succeeded"] == 40 and row["end_time"]
    assert json.loads(row["metrics_json"]) == {"pages": 12, "errors": 0}
    # fields from a JSON object on standard input; flags override it
    body = {"agent_name": "from-stdin", "job_type": "sync", "items_discovered": 7, "trigger_type": "cron"}
    event = telemetry("record", "event", "--no-env-file", "--stdin", "--trigger-type", "manual",
                      input=json.dumps(body).encode(), env=env, cwd=cwd)
    assert event.returncode == 0, event.stderr
    row = rows(server, "event_id = ?", (event.stdout.decode().strip(),))[0]
    assert (row["agent_name"], row["status"], row["items_discovered"], row["trigger_type"]) == (
        "from-stdin", "success", 7, "manual")


def test_record_rejects_bad_input_naming_the_field(served):
    server, env, cwd = served
    missing = telemetry("record", "start", "--no-env-file", "--agent-name", "a", env=env, cwd=cwd)
    assert missing.returncode == 64 and b"--job-type is required" in missing.stderr
    unknown = telemetry("record", "event", "--no-env-file", "--agent-name", "a", "--job-type", "j",
                        "--set", "colour=red", env=env, cwd=cwd)
    assert unknown.returncode == 64 and b"unknown field 'colour'" in unknown.stderr
    invalid = telemetry("record", "event", "--no-env-file", "--agent-name", "a", "--job-type", "j",
                        "--set", "items_failed=-1", env=env, cwd=cwd)
    assert invalid.returncode == 65 and b"items_failed" in invalid.stderr
    status = telemetry("record", "event", "--no-env-file", "--agent-name", "a", "--job-type", "j",
                       "--status", "done", env=env, cwd=cwd)
    assert status.returncode == 65 and b"status" in status.stderr
    not_json = telemetry("record", "event", "--no-env-file", "--stdin", input=b"{'a': 1}", env=env, cwd=cwd)
    assert not_json.returncode == 65 and b"standard input" in not_json.stderr
    assert rows(server) == []


def buffer_lines(cwd):
    lines = []
    for path in sorted((cwd / "telemetry_buffer").glob("telemetry_*.jsonl.*")):
        lines += path.read_text().splitlines()
    return lines


def test_service_down_buffers_and_ingest_buffer_stores_one_row_per_run(tmp_path):
    cwd = tmp_path / "job"
    cwd.mkdir()
    env = env_for("http://127.0.0.1:%d" % free_port(), tmp_path)
    # Long enough to have its start record buffered; the failing one ends at once: one record.
    ok = run_cmd(env, cwd, "sh", "-c", "sleep 0.3; echo done", flags=["--agent-name", "offline"])
    assert ok.returncode == 0 and ok.stdout == b"done\n" and ok.stderr == b""
    bad = run_cmd(env, cwd, "sh", "-c", "echo broke >&2; exit 2", flags=["--agent-name", "offline"])
    assert bad.returncode == 2 and bad.stderr == b"broke\n"
    started = telemetry("record", "start", "--no-env-file", "--agent-name", "offline-rec", "--job-type", "j",
                        env=env, cwd=cwd)
    assert started.returncode == 0
    event_id = started.stdout.decode().strip()
    assert telemetry("record", "finish", "--no-env-file", event_id, "--status", "partial",
                     env=env, cwd=cwd).returncode == 0

    names = [p.name for p in (cwd / "telemetry_buffer").iterdir()]
    assert len(names) == 1 and re.fullmatch(r"telemetry_\d{8}_\d{6}\.jsonl\.active", names[0])
    lines = buffer_lines(cwd)
    assert len(lines) == 5  # start and end of each run, but only the end of the short one
    for line in lines:
        record = json.loads(line)
        assert len(record) == 47 and list(record)[0] == "run_id" and list(record)[-1] == "record_type"
        assert ", \"agent_name\": " in line and line.isascii()
    assert [json.loads(line)["status"] for line in lines] == [
        "running", "success", "failure", "running", "partial"]

    with Server() as server:
        url = "http://127.0.0.1:%d" % server.port
        for _ in range(2):  # a second pass changes nothing
            ingest = telemetry("ingest-buffer", "--no-env-file", "--include-active", "--url", url,
                               env=env, cwd=cwd)
            assert ingest.returncode == 0, ingest.stderr
        stored = rows(server)
        assert [(r["agent_name"], r["status"]) for r in stored] == [
            ("offline", "success"), ("offline", "failure"), ("offline-rec", "partial")]
        assert json.loads(stored[1]["metrics_json"])["exit_code"] == 2
        assert stored[1]["error_details"] == "broke\n"


def seed_runs(served):
    server, env, cwd = served
    for i, script in enumerate(["exit 0", "exit 1", "echo 'tab\there' >&2; exit 2", "exit 0"]):
        assert run_cmd(env, cwd, "sh", "-c", script, flags=["--agent-name", "agent-%d" % (i % 2)]).returncode == int(
            script[-1])
    return server, env, cwd


def test_runs_failures_tsv_gives_one_line_per_failed_run(served):
    server, env, cwd = seed_runs(served)
    result = subprocess.run("telemetry runs failures --no-env-file --since 24h --format tsv | wc -l",
                            shell=True, env=dict(env, PATH=os.path.dirname(BINARY) + ":" + env["PATH"]),
                            cwd=cwd, capture_output=True, text=True)
    assert result.stdout.strip() == "2", result.stderr
    tsv = telemetry("runs", "failures", "--no-env-file", "--since", "24h", env=env, cwd=cwd)  # a pipe: tsv
    lines = tsv.stdout.decode().splitlines()
    assert len(lines) == 2
    fields = lines[0].split("\t")
    assert len(fields) == 9 and fields[4] == "failure"
    assert fields[8] == "exit status 2: tab\\there"  # the tab inside the value is escaped
    assert telemetry("runs", "failures", "--no-env-file", "--since", "2000-01-01", "--agent-name", "agent-1",
                     env=env, cwd=cwd).stdout.decode().count("\n") == 1
    future = telemetry("runs", "--no-env-file", "--since", "2999-01-01T00:00:00Z", env=env, cwd=cwd)
    assert future.returncode == 0 and future.stdout == b""


def test_runs_json_round_trips_the_api_field_names(served):
    server, env, cwd = seed_runs(served)
    listed = telemetry("runs", "list", "--no-env-file", "--format", "json", env=env, cwd=cwd)
    assert listed.returncode == 0, listed.stderr
    assert json.loads(listed.stdout) == server.get("/api/v1/runs").json()
    from_file = telemetry("runs", "--no-env-file", "--db", server.db_path, "--format", "json", env=env, cwd=cwd)
    assert json.loads(from_file.stdout) == server.get("/api/v1/runs").json()
    one = json.loads(listed.stdout)[0]
    shown = telemetry("runs", "show", "--no-env-file", one["event_id"], "--format", "json", env=env, cwd=cwd)
    assert json.loads(shown.stdout) == server.get("/api/v1/runs/" + one["event_id"]).json()
    limited = telemetry("runs", "--no-env-file", "--limit", "3", "--status", "success", "--format", "json",
                        env=env, cwd=cwd)
    assert [r["status"] for r in json.loads(limited.stdout)] == ["success", "success"]
    table = telemetry("runs", "--no-env-file", "--format", "table", env=env, cwd=cwd).stdout.decode()
    assert table.splitlines()[0].split() == ["START", "(UTC)", "AGENT", "JOB", "STATUS", "DURATION", "EVENT",
                                             "ERROR"]
    missing = telemetry("runs", "show", "--no-env-file", "nope", env=env, cwd=cwd)
    assert missing.returncode == 66 and b"Run not found: nope" in missing.stderr
    bad = telemetry("runs", "--no-env-file", "--since", "yesterday", env=env, cwd=cwd)
    assert bad.returncode == 64 and b"--since yesterday" in bad.stderr


def test_runs_reports_an_unreachable_service(tmp_path):
    env = env_for("http://127.0.0.1:%d" % free_port(), tmp_path)
    result = telemetry("runs", "--no-env-file", env=env, cwd=tmp_path)
    assert result.returncode == 69 and b"cannot reach the service" in result.stderr


def test_git_repository_branch_and_commit_are_filled_in(served):
    server, env, cwd = served
    repo = cwd / "repo"
    repo.mkdir()
    git = dict(env, GIT_AUTHOR_NAME="a", GIT_AUTHOR_EMAIL="a@b", GIT_COMMITTER_NAME="a", GIT_COMMITTER_EMAIL="a@b")
    for args in (["init", "-q", "-b", "trunk"], ["commit", "-q", "--allow-empty", "-m", "x"],
                 ["remote", "add", "origin", "git@github.com:example/docs.git"]):
        subprocess.run(["git", *args], cwd=repo, env=git, check=True)
    commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=repo, capture_output=True, text=True).stdout.strip()
    (repo / "sub").mkdir()
    assert run_cmd(env, repo / "sub", "true").returncode == 0
    row = last_run(server)
    assert (row["git_repo"], row["git_branch"], row["git_commit_hash"]) == (
        "git@github.com:example/docs.git", "trunk", commit)


# --- docs/scripting.md: every ```sh example runs -----------------------------------------

def doc_examples():
    text = (SOURCE_DIR / "docs/scripting.md").read_text()
    return re.findall(r"^```sh\n(.*?)^```", text, re.M | re.S)


def test_scripting_guide_examples_run(served):
    server, env, cwd = served
    examples = doc_examples()
    assert len(examples) >= 3
    env = dict(env, PATH=os.path.dirname(BINARY) + ":" + env["PATH"])
    for example in examples:
        result = subprocess.run(["bash", "-e", "-o", "pipefail", "-c", example], env=env, cwd=cwd,
                                capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, "example failed:\n%s\n%s" % (example, result.stderr)
    agents = {r["agent_name"]: r["status"] for r in rows(server)}
    assert agents.get("nightly-backup") == "success"
    assert agents.get("ci-tests") == "success"
    assert agents.get("catalogue-sync") == "success"
