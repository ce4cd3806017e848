"""telemetry ingest-buffer end to end (docs/reference/buffer-files.md §7-§15), with
buffer files written exactly as the existing clients write them."""
import fcntl
import http.server
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import threading
import time

import pytest

from harness import BINARY, Server, clean_env, run_cli
from ingest_lines import END_40, END_47, EVENT, START_40, START_47, rows, with_event_id, write

READY = "telemetry_20260114_091502.jsonl.ready"
SYNCED = "telemetry_20260114_091502.jsonl.synced"
TORN = START_47[:23]
EVENT_47 = "3f1c9a2e-5b7d-4e61-9c0a-8d2f4b6e1a37"
EVENT_40 = "9c2d41f0-77aa-4b3e-8f65-0e1d2c3b4a59"


def ingest(tmp_path, *args, input=None, env=None):
    return run_cli("ingest-buffer", "--db", str(tmp_path / "t.sqlite"), "--no-env-file", *args,
                   cwd=str(tmp_path), input=input, env=env)


def buffer_dir(tmp_path, name=READY, lines=(START_47, "", END_47), end="\n" + TORN):
    directory = tmp_path / "telemetry_buffer"
    directory.mkdir(exist_ok=True)
    write(str(directory / name), list(lines), end=end)
    return directory


def test_spec_file_inserts_merges_quarantines_and_renames(tmp_path):
    directory = buffer_dir(tmp_path)
    result = ingest(tmp_path, "telemetry_buffer")
    assert result.returncode == 65, result.stderr
    out = result.stdout.splitlines()
    assert out[0] == ("telemetry_buffer/%s: 4 lines, 1 inserted, 1 updated, 0 duplicates, 1 rejected, 1 blank, "
                      "0 skipped -> telemetry_buffer/%s; rejected lines in telemetry_buffer/%s.rejected"
                      % (READY, SYNCED, READY))
    assert out[1] == ("total: 1 input (1 completed, 0 left), 4 lines, 1 inserted, 1 updated, 0 duplicates, "
                      "1 rejected, 1 blank, 0 skipped")
    assert "telemetry_buffer/%s:4: rejected: incomplete last line: " % READY in result.stderr
    assert "mode: direct %s" % (tmp_path / "t.sqlite") in result.stderr
    assert sorted(os.listdir(directory)) == [READY + ".rejected", SYNCED]

    [row] = rows(str(tmp_path / "t.sqlite"))
    assert row["status"] == "success"
    assert row["end_time"] == "2026-01-14T09:17:44.990501+00:00"
    assert row["metrics_json"] == '{"pages_per_minute":14.7,"retries":2}'
    assert row["context_json"] == '{"locale":"fr-FR","note":"relecture terminée"}'
    assert (row["items_discovered"], row["items_succeeded"], row["items_failed"], row["items_skipped"]) == (40, 38, 1, 1)
    assert row["duration_ms"] == 162589
    assert row["agent_owner"] == "platform-team"
    assert row["created_at"] == "2026-01-14T09:15:02.418230+00:00"
    assert row["updated_at"] == "2026-01-14T09:17:44.990733+00:00"  # the line's, not the ingest time
    assert row["schema_version"] == 7

    [quarantined] = (directory / (READY + ".rejected")).read_text().splitlines()
    record = json.loads(quarantined)
    assert list(record) == ["line", "reason", "raw", "source", "event_id", "rejected_at"]
    assert record["line"] == 4
    assert record["raw"] == TORN
    assert record["source"] == READY
    assert record["event_id"] is None
    assert record["reason"].startswith("incomplete last line: ")
    assert quarantined.startswith('{"line":4,"reason":')  # compact


def test_replaying_the_same_lines_is_duplicates_and_changes_nothing(tmp_path):
    directory = buffer_dir(tmp_path, end="\n")
    assert ingest(tmp_path, "telemetry_buffer").returncode == 0
    before = rows(str(tmp_path / "t.sqlite"))
    write(str(directory / READY), [START_47, END_47])
    result = ingest(tmp_path, "--json", "telemetry_buffer")
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    item = summary["inputs"][0]
    assert (item["inserted"], item["updated"], item["duplicates"]) == (0, 0, 2)
    assert item["renamed_to"] == "telemetry_buffer/telemetry_20260114_091502.1.jsonl.synced"  # never replaces
    assert rows(str(tmp_path / "t.sqlite")) == before


def test_json_summary_keys(tmp_path):
    buffer_dir(tmp_path)
    result = ingest(tmp_path, "--json", "telemetry_buffer")
    assert result.returncode == 65
    summary = json.loads(result.stdout)
    assert list(summary) == ["mode", "database", "url", "dry_run", "inputs", "totals"]
    assert summary["mode"] == "direct" and summary["url"] is None and summary["dry_run"] is False
    assert summary["database"] == str(tmp_path / "t.sqlite")
    assert summary["inputs"] == [{
        "path": "telemetry_buffer/" + READY, "lines": 4, "inserted": 1, "updated": 1, "duplicates": 0,
        "rejected": 1, "blank": 1, "skipped": 0, "state": "synced", "renamed_to": "telemetry_buffer/" + SYNCED,
        "rejected_file": "telemetry_buffer/" + READY + ".rejected", "error": None}]
    assert summary["totals"] == {"inputs": 1, "completed": 1, "left": 0, "lines": 4, "inserted": 1, "updated": 1,
                                 "duplicates": 0, "rejected": 1, "blank": 1, "skipped": 0}


def test_40_key_lines_end_before_start(tmp_path):
    path = write(str(tmp_path / "old.jsonl"), [END_40, START_40, EVENT])
    result = ingest(tmp_path, "--json", path)
    assert result.returncode == 0, result.stderr
    item = json.loads(result.stdout)["inputs"][0]
    assert (item["inserted"], item["duplicates"], item["skipped"]) == (1, 1, 1)  # a stored end is never undone
    assert item["renamed_to"] == str(tmp_path / "old.jsonl.synced")
    [row] = rows(str(tmp_path / "t.sqlite"))
    assert row["status"] == "failure"
    assert row["metrics_json"] == '{"pages":120,"city":"Zürich"}'
    assert row["context_json"] is None and row["items_skipped"] == 0


def test_40_key_start_has_duration_zero_then_end_merges(tmp_path):
    write(str(tmp_path / "a.jsonl"), [START_40])
    assert ingest(tmp_path, "a.jsonl").returncode == 0
    [row] = rows(str(tmp_path / "t.sqlite"))
    assert (row["status"], row["duration_ms"], row["end_time"]) == ("running", 0, None)
    # A later pass over another file merges the final state into the stored row.
    write(str(tmp_path / "b.jsonl"), [END_40])
    result = ingest(tmp_path, "b.jsonl")
    assert "1 updated" in result.stdout
    [row] = rows(str(tmp_path / "t.sqlite"))
    assert (row["status"], row["duration_ms"], row["items_failed"]) == ("failure", 271250, 23)
    assert row["updated_at"] == "2025-12-23T18:04:31.250412+00:00"
    assert row["host"] == "crawl-02" and row["created_at"] == "2025-12-23T18:00:00.004100+00:00"


def test_terminal_state_is_never_replaced(tmp_path):
    write(str(tmp_path / "a.jsonl"), [END_47])
    ingest(tmp_path, "a.jsonl")
    other = json.loads(END_47)
    other.update(status="failure", items_failed=40, end_time="2026-01-14T10:00:00+00:00")
    write(str(tmp_path / "b.jsonl"), [json.dumps(other), START_47])
    result = ingest(tmp_path, "b.jsonl")
    assert "0 updated, 2 duplicates" in result.stdout
    [row] = rows(str(tmp_path / "t.sqlite"))
    assert (row["status"], row["items_failed"]) == ("success", 1)


def test_rejected_reasons_and_stderr_limit(tmp_path):
    bad = json.loads(START_47)
    del bad["event_id"]
    bad["status"] = "weird"
    lines = [json.dumps(bad), "[1]", '{"a": NaN}', "\xff"] + ["nope"] * 30
    path = tmp_path / "bad.jsonl"
    path.write_bytes(("\n".join(lines) + "\n").encode("utf-8", "surrogateescape").replace(b"\xc3\xbf", b"\xff"))
    result = ingest(tmp_path, "bad.jsonl")
    assert result.returncode == 65
    err = result.stderr
    assert ("bad.jsonl:1: rejected: event_id: Field required; status: Value error, Status must be one of: "
            "['running', 'success', 'failure', 'partial', 'timeout', 'cancelled']") in err
    assert "bad.jsonl:2: rejected: not a JSON object" in err
    assert "bad.jsonl:3: rejected: invalid JSON: " in err
    assert "bad.jsonl:4: rejected: invalid UTF-8" in err
    assert "bad.jsonl:20: rejected" in err and "bad.jsonl:21: rejected" not in err
    assert "bad.jsonl: 14 more rejected lines" in err
    records = [json.loads(x) for x in (tmp_path / "bad.jsonl.rejected").read_text().splitlines()]
    assert [r["line"] for r in records] == list(range(1, 35))
    assert records[3]["raw"] == "\ufffd" and records[3]["raw_base64"] == "/w=="
    assert "raw_base64" not in records[0]
    assert os.path.exists(tmp_path / "bad.jsonl.synced")  # everything accounted for: renamed normally


def test_stdin_is_read_and_kept_with_stdin_rejected(tmp_path):
    result = ingest(tmp_path, "-", input="\n".join([START_47, END_47, TORN]))
    assert result.returncode == 65
    assert result.stdout.splitlines()[0].startswith("-: 3 lines, 1 inserted, 1 updated, 0 duplicates, 1 rejected")
    assert "(kept); rejected lines in stdin.rejected" in result.stdout
    record = json.loads((tmp_path / "stdin.rejected").read_text())
    assert record["source"] == "-" and record["line"] == 3
    assert rows(str(tmp_path / "t.sqlite"))[0]["status"] == "success"


def test_dry_run_writes_nothing(tmp_path):
    directory = buffer_dir(tmp_path)
    result = ingest(tmp_path, "--dry-run", "--json", "telemetry_buffer")
    assert result.returncode == 65  # as the real run would
    summary = json.loads(result.stdout)
    assert summary["dry_run"] is True
    item = summary["inputs"][0]
    assert (item["state"], item["inserted"], item["updated"], item["rejected"]) == ("dry-run", 1, 1, 1)
    assert sorted(os.listdir(directory)) == [READY]
    assert not os.path.exists(tmp_path / "t.sqlite")
    assert not os.path.exists(tmp_path / "t.sqlite.lock")
    # Against an existing database the decisions see its rows.
    assert ingest(tmp_path, "telemetry_buffer").returncode == 65
    write(str(directory / READY), [START_47, END_47])
    again = json.loads(ingest(tmp_path, "--dry-run", "--json", "telemetry_buffer").stdout)
    assert again["inputs"][0]["duplicates"] == 2


def test_usage_errors_and_missing_inputs(tmp_path):
    write(str(tmp_path / "x.jsonl.active"), [START_47])
    result = ingest(tmp_path, "x.jsonl.active")
    assert result.returncode == 64 and "--include-active" in result.stderr
    write(str(tmp_path / "y.jsonl.rejected"), ["{}"])
    assert ingest(tmp_path, "y.jsonl.rejected").returncode == 64
    assert not os.path.exists(tmp_path / "t.sqlite")

    write(str(tmp_path / "z.jsonl"), [START_47])
    result = ingest(tmp_path, "missing.jsonl", "z.jsonl")
    assert result.returncode == 66
    assert "missing.jsonl: 0 lines" in result.stdout and "(left: cannot read missing.jsonl" in result.stdout
    assert "z.jsonl: 1 lines, 1 inserted" in result.stdout  # the other input was processed
    assert "total: 2 inputs (1 completed, 1 left)" in result.stdout

    (tmp_path / "empty").mkdir()
    result = ingest(tmp_path, "empty")
    assert (result.returncode, result.stdout) == (0, "total: 0 inputs\n")
    assert ingest(tmp_path).returncode == 66  # the default ./telemetry_buffer does not exist


def test_directory_order_names_and_include_active(tmp_path):
    directory = tmp_path / "telemetry_buffer"
    directory.mkdir()
    write(str(directory / "telemetry_20260114_100000.jsonl.active"), [END_47])
    write(str(directory / "telemetry_20260114_090000.jsonl.ready"), [START_47])
    write(str(directory / ".hidden.jsonl"), [START_40])
    write(str(directory / "notes.txt"), ["x"])
    write(str(directory / "old.jsonl.synced"), [START_40])
    result = ingest(tmp_path, "telemetry_buffer")
    assert result.returncode == 0 and "total: 1 input " in result.stdout  # .active needs the flag
    result = ingest(tmp_path, "--include-active", "telemetry_buffer", "telemetry_buffer/old.jsonl.synced")
    assert result.returncode == 0, result.stderr
    assert "telemetry_20260114_100000.jsonl.active: 1 lines, 0 inserted, 1 updated" in result.stdout
    assert "old.jsonl.synced: 1 lines, 1 inserted, 0 updated, 0 duplicates, 0 rejected, 0 blank, 0 skipped (kept)" \
        in result.stdout
    assert sorted(os.listdir(directory)) == [".hidden.jsonl", "notes.txt", "old.jsonl.synced",
                                             "telemetry_20260114_090000.jsonl.synced",
                                             "telemetry_20260114_100000.jsonl.synced"]


def test_a_file_named_twice_is_processed_once(tmp_path):
    directory = buffer_dir(tmp_path, lines=[START_47], end="\n")
    result = ingest(tmp_path, "--json", "telemetry_buffer", str(directory / READY))
    assert len(json.loads(result.stdout)["inputs"]) == 1


def test_lock_held_by_another_program_refuses(tmp_path):
    write(str(tmp_path / "a.jsonl"), [START_47])
    lock_path = tmp_path / "t.sqlite.lock"
    with open(lock_path, "w") as lock:
        lock.write("4242\nsomehost\nmigrate\n\n")
        lock.flush()
        fcntl.flock(lock, fcntl.LOCK_EX)
        result = ingest(tmp_path, "a.jsonl")
    assert result.returncode == 69
    assert "is held by migrate (PID 4242 on somehost)" in result.stderr
    assert os.path.exists(tmp_path / "a.jsonl")


def test_truncated_file_through_the_binary(tmp_path):
    content = "\n".join([START_47, END_47, START_40]) + "\n"
    first_end = len(START_47)
    for length in (0, 1, first_end - 1, first_end, first_end + 1, first_end + 200, len(content) - 1):
        directory = tmp_path / ("cut%d" % length)
        directory.mkdir()
        (directory / "c.jsonl").write_text(content[:length])
        result = run_cli("ingest-buffer", "--db", str(directory / "t.sqlite"), "--no-env-file", "--json",
                         "c.jsonl", cwd=str(directory))
        assert result.returncode in (0, 65), result.stderr
        item = json.loads(result.stdout)["inputs"][0]
        line_ends = (first_end, first_end + 1 + len(END_47), len(content) - 1)  # each line's last '}'
        complete = sum(1 for end in line_ends if end <= length)
        assert item["inserted"] + item["updated"] == complete, length
        torn = length > 0 and content[length - 1] != "\n" and length not in line_ends
        assert item["rejected"] == (1 if torn else 0), length
        if torn:
            assert "incomplete last line" in json.loads((directory / "c.jsonl.rejected").read_text())["reason"]


# ---- kill -9 -------------------------------------------------------------

def make_large_buffer(directory, files=3, runs_per_file=1500):
    """Start and end lines of many runs (47-key shape), some runs split across files."""
    directory.mkdir()
    for f in range(files):
        lines = []
        for i in range(runs_per_file):
            event_id = "%02d-%05d-0000-4000-8000-000000000000" % (f, i)
            lines.append(with_event_id(START_47, event_id))
            if i % 3:  # two runs in three end in the same file; the rest end in the next one
                lines.append(with_event_id(END_47, event_id))
        if f > 0:
            for i in range(0, runs_per_file, 3):
                lines.append(with_event_id(END_47, "%02d-%05d-0000-4000-8000-000000000000" % (f - 1, i)))
        lines.append(TORN)
        write(str(directory / ("telemetry_20260114_0%d0000.jsonl.ready" % f)), lines)


def snapshot(directory):
    names = sorted(os.listdir(directory / "telemetry_buffer"))
    quarantines = {}
    for name in names:
        if name.endswith(".rejected"):
            quarantines[name] = [dict(json.loads(x), rejected_at=None)
                                 for x in (directory / "telemetry_buffer" / name).read_text().splitlines()]
    return rows(str(directory / "t.sqlite")), names, quarantines


def test_kill_9_at_random_points_then_rerun_gives_the_same_database(tmp_path):
    reference = tmp_path / "reference"
    reference.mkdir()
    make_large_buffer(reference / "telemetry_buffer")
    interrupted = tmp_path / "interrupted"
    shutil.copytree(reference, interrupted)

    started = time.monotonic()
    first = ingest(reference, "telemetry_buffer")
    elapsed = time.monotonic() - started
    assert first.returncode == 65, first.stderr

    rng = random.Random(6)
    killed_midway = 0
    for attempt in range(5):
        process = subprocess.Popen([BINARY, "ingest-buffer", "--db", str(interrupted / "t.sqlite"), "--no-env-file",
                                    "telemetry_buffer"], cwd=str(interrupted), env=clean_env(),
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        # Somewhere within a full run's duration; the first kill comes early so
        # that at least one lands even when this run is faster than the reference.
        time.sleep(rng.uniform(0.02, 0.3 if attempt == 0 else 0.95) * elapsed)
        if process.poll() is None:
            process.send_signal(signal.SIGKILL)
            killed_midway += 1
        process.wait()
    assert killed_midway > 0, "every run finished before the kill; the test did not interrupt anything"
    final = ingest(interrupted, "telemetry_buffer")
    assert final.returncode in (0, 65), final.stderr
    assert snapshot(interrupted) == snapshot(reference)


# ---- server mode ---------------------------------------------------------

def without(rows_list, *keys):
    return [{k: v for k, v in r.items() if k not in keys} for r in rows_list]


def test_server_mode_through_the_lock_matches_direct_mode(tmp_path):
    lines = [START_47, "", END_47, START_40, EVENT, END_40, TORN]
    direct = tmp_path / "direct"
    direct.mkdir()
    write(str(direct / "a.jsonl"), lines)
    assert ingest(direct, "a.jsonl").returncode == 65

    with Server(directory=str(tmp_path)) as server:
        write(str(tmp_path / "a.jsonl"), lines)
        result = run_cli("ingest-buffer", "--db", server.db_path, "--no-env-file", "--json", "a.jsonl",
                         cwd=str(tmp_path))
        assert result.returncode == 65, result.stderr
        summary = json.loads(result.stdout)
        assert summary["mode"] == "server" and summary["database"] is None
        assert summary["url"] == "http://127.0.0.1:%d" % server.port
        item = summary["inputs"][0]
        assert (item["inserted"], item["updated"], item["rejected"], item["skipped"], item["blank"]) == (2, 2, 1, 1, 1)
        assert item["state"] == "synced"
        assert json.loads((tmp_path / "a.jsonl.rejected").read_text())["line"] == 7
        # The service sets updated_at itself (docs/reference/buffer-files.md §13); everything else is as direct mode stores it.
        assert without(rows(server.db_path), "updated_at") == without(rows(str(direct / "t.sqlite")), "updated_at")

        write(str(tmp_path / "b.jsonl"), [START_47, END_47])
        again = json.loads(run_cli("ingest-buffer", "--db", server.db_path, "--no-env-file", "--json", "b.jsonl",
                                   cwd=str(tmp_path)).stdout)
        assert again["inputs"][0]["duplicates"] == 2


def test_server_mode_with_url_merges_into_a_running_row(tmp_path, server):
    start = json.loads(START_47)
    assert server.post("/api/v1/runs", body=start).status == 201
    write(str(tmp_path / "end.jsonl"), [END_47, START_40])
    url = "http://127.0.0.1:%d" % server.port
    dry = ingest(tmp_path, "--url", url, "--dry-run", "end.jsonl")
    assert dry.returncode == 0 and "1 inserted, 1 updated" in dry.stdout and "(dry run)" in dry.stdout
    assert server.get("/api/v1/runs/" + EVENT_47).json()["status"] == "running"
    assert os.path.exists(tmp_path / "end.jsonl")

    result = ingest(tmp_path, "--url", url, "end.jsonl")
    assert result.returncode == 0, result.stderr
    assert "mode: server " + url in result.stderr
    record = server.get("/api/v1/runs/" + EVENT_47).json()
    assert (record["status"], record["end_time"], record["items_succeeded"]) == (
        "success", "2026-01-14T09:17:44.990501+00:00", 38)
    assert server.get("/api/v1/runs/" + EVENT_40).status == 200
    assert not os.path.exists(tmp_path / "t.sqlite")  # server mode never opens --db


def test_server_mode_without_token_exits_78_and_leaves_the_input(tmp_path, make_server):
    token_file = tmp_path / "token"
    token_file.write_text("a-long-enough-secret-token\n")
    os.chmod(token_file, 0o600)
    server = make_server(args=["--auth", "--auth-token-file", str(token_file)])
    write(str(tmp_path / "a.jsonl"), [START_47])
    url = "http://127.0.0.1:%d" % server.port
    result = ingest(tmp_path, "--url", url, "a.jsonl")
    assert result.returncode == 78
    assert "set TELEMETRY_API_AUTH_TOKEN or TELEMETRY_API_AUTH_TOKEN_FILE" in result.stderr
    assert os.path.exists(tmp_path / "a.jsonl")
    ok = ingest(tmp_path, "--url", url, "--auth-token-file", str(token_file), "a.jsonl")
    assert ok.returncode == 0, ok.stderr
    assert "1 inserted" in ok.stdout


class _ScriptedHandler(http.server.BaseHTTPRequestHandler):
    """Answers every request with the server's scripted status and detail."""

    def _answer(self):
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        self.server.requests += 1
        status, detail, headers = self.server.script
        body = json.dumps({"detail": detail}).encode()
        self.send_response(status)
        for key, value in headers.items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = do_PATCH = _answer

    def log_message(self, *args):
        pass


@pytest.fixture
def scripted_service():
    service = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _ScriptedHandler)
    service.requests = 0
    thread = threading.Thread(target=service.serve_forever, daemon=True)
    thread.start()
    yield service
    service.shutdown()
    service.server_close()


@pytest.mark.parametrize("status,detail,headers,code,requests", [
    (503, "Database busy: locked. Retry later", {"Retry-After": "0"}, 75, 6),   # 1 + 5 retries, then temporary
    (429, "Rate limit exceeded. Max 60 requests per minute.", {"Retry-After": "0"}, 75, 6),
    (503, "Writer failed: disk I/O error. No writes are accepted until the service is restarted", {}, 69, 1),
    (500, "Failed to fetch run: boom", {}, 69, 1),
])
def test_server_answers_map_to_exit_codes(tmp_path, scripted_service, status, detail, headers, code, requests):
    scripted_service.script = (status, detail, headers)
    write(str(tmp_path / "a.jsonl"), [START_47])
    result = ingest(tmp_path, "--url", "http://127.0.0.1:%d" % scripted_service.server_address[1], "a.jsonl")
    assert result.returncode == code, result.stderr
    assert scripted_service.requests == requests
    assert os.path.exists(tmp_path / "a.jsonl")
    assert "(left: " in result.stdout


def test_over_long_field_line_is_quarantined_with_the_limit(tmp_path):
    long_line = json.loads(START_47)
    long_line["agent_name"] = "a" * 2_000_000
    path = tmp_path / "long.jsonl"
    write(str(path), [json.dumps(long_line), with_event_id(START_40, EVENT_40 + "-ok")])
    result = ingest(tmp_path, "long.jsonl")
    assert result.returncode == 65, result.stderr
    assert "long.jsonl:1: rejected: agent_name: String should have at most 256 characters" in result.stderr
    [record] = [json.loads(x) for x in (tmp_path / "long.jsonl.rejected").read_text().splitlines()]
    assert record["line"] == 1 and record["event_id"] == EVENT_47
    assert record["reason"] == "agent_name: String should have at most 256 characters"
    assert [row["event_id"] for row in rows(str(tmp_path / "t.sqlite"))] == [EVENT_40 + "-ok"]
