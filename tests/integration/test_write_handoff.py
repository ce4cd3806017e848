"""Short writes run on the I/O thread up to their hand-off to the writer and are
answered there after the COMMIT (src/http/after_commit.h); longer ones go to a
worker. Seen from outside, both must behave exactly like the other: one answer,
counted and logged once, with the headers set before the hand-off, and no more
writes waiting for the writer than its queue holds.
"""
import http.client
import json
import re
import socket
import struct
import threading

from harness import Server, run

# Over kMostBytesOnIoThread (64 KiB), within the 1,048,576-character limit of error_details.
LONG_TEXT = "x" * 100_000


def counter(metrics_text, route, method, code):
    pattern = r'^telemetry_http_requests_total\{route="%s",method="%s",code="%s"\} (\d+)' % (
        re.escape(route), method, code)
    match = re.search(pattern, metrics_text, re.M)
    return int(match.group(1)) if match else 0


def duration_count(metrics_text, route):
    pattern = r'^telemetry_http_request_duration_seconds_count\{route="%s"\} (\d+)' % re.escape(route)
    match = re.search(pattern, metrics_text, re.M)
    return int(match.group(1)) if match else 0


def test_more_concurrent_writes_than_threads_are_all_committed_and_answered():
    """With 2 threads the writer's queue holds 8: the I/O thread must not hand
    off more writes than that, or clients would get 503 "Write queue full"."""
    clients = 40
    with Server(args=["--http-threads", "2", "--log-level", "warning"]) as server:
        statuses = [None] * clients
        start = threading.Barrier(clients)

        def post(i):
            connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
            try:
                body = json.dumps(run("burst-%d" % i)).encode()
                start.wait()
                connection.request("POST", "/api/v1/runs", body=body, headers={"Content-Type": "application/json"})
                response = connection.getresponse()
                response.read()
                statuses[i] = response.status
            finally:
                connection.close()

        threads = [threading.Thread(target=post, args=(i,)) for i in range(clients)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert statuses == [201] * clients
        assert server.query("SELECT count(*) FROM agent_runs")[0][0] == clients


def test_each_write_is_answered_counted_and_logged_once_with_the_headers_set_before_it():
    env = {"TELEMETRY_RATE_LIMIT_ENABLED": "true", "TELEMETRY_RATE_LIMIT_RPM": "1000"}
    with Server(args=["--log-level", "info"], env=env) as server:
        short = server.post("/api/v1/runs", run("short-1"))
        long = server.post("/api/v1/runs", run("long-1", error_details=LONG_TEXT))
        duplicate = server.post("/api/v1/runs", run("short-1"))
        patched = server.patch("/api/v1/runs/short-1", {"status": "failure"})
        missing = server.patch("/api/v1/runs/nobody", {"status": "failure"})
        batch = server.post("/api/v1/runs/batch", [run("batch-1"), run("batch-2")])
        commit = server.post("/api/v1/runs/short-1/associate-commit",
                             {"commit_hash": "abcdef1", "commit_source": "manual"})
        answers = [short, long, duplicate, patched, missing, batch, commit]
        assert [a.status for a in answers] == [201, 201, 200, 200, 404, 201, 200]
        assert short.json() == {"status": "created", "event_id": "short-1", "run_id": "run-short-1"}
        assert duplicate.json()["status"] == "duplicate"
        assert patched.json()["fields_updated"] == ["status"]
        assert missing.json() == {"detail": "Run not found: nobody"}
        assert batch.json()["inserted"] == 2
        assert commit.json()["commit_hash"] == "abcdef1"
        # Set by the rate limiter before the write was handed off.
        remaining = [int(a.header("X-RateLimit-Remaining")) for a in answers]
        assert remaining == sorted(remaining, reverse=True) and len(set(remaining)) == len(remaining)
        assert all(a.header("Content-Type") == "application/json" for a in answers)

        metrics = server.get("/metrics?format=prometheus").body.decode()
        assert counter(metrics, "/api/v1/runs", "POST", "201") == 2
        assert counter(metrics, "/api/v1/runs", "POST", "200") == 1
        assert counter(metrics, "/api/v1/runs/{event_id}", "PATCH", "200") == 1
        assert counter(metrics, "/api/v1/runs/{event_id}", "PATCH", "404") == 1
        assert counter(metrics, "/api/v1/runs/batch", "POST", "201") == 1
        assert counter(metrics, "/api/v1/runs/{event_id}/associate-commit", "POST", "200") == 1
        assert counter(metrics, "/api/v1/runs", "POST", "-1") == 0
        assert duration_count(metrics, "/api/v1/runs") == 3
        assert duration_count(metrics, "/api/v1/runs/{event_id}") == 2
        server.stop()
        log = server.stderr()
    request_lines = [line for line in log.splitlines() if 'msg="request"' in line and "/api/v1/runs" in line]
    assert len(request_lines) == 7, "\n".join(request_lines)
    assert sum("method=POST path=/api/v1/runs status=201" in line for line in request_lines) == 2
    # None is the empty answer the library writes for a request not yet answered.
    assert not any("bytes=0" in line for line in request_lines)


def test_a_write_answered_after_its_commit_keeps_the_connection_and_its_order():
    """Keep-alive and pipelining through a hand-off: three writes and a read sent
    at once on one connection are answered in order, on that connection."""
    with Server(args=["--log-level", "warning"]) as server:
        sock = socket.create_connection(("127.0.0.1", server.port))
        try:
            requests = b""
            for i in range(3):
                body = json.dumps(run("piped-%d" % i)).encode()
                requests += (b"POST /api/v1/runs HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                             b"Content-Length: %d\r\n\r\n%s" % (len(body), body))
            requests += b"GET /api/v1/runs/piped-2 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
            sock.sendall(requests)
            sock.settimeout(30)
            data = b""
            while True:
                piece = sock.recv(65536)
                if not piece:
                    break
                data += piece
        finally:
            sock.close()
        assert re.findall(rb"HTTP/1\.1 (\d{3}) ", data) == [b"201", b"201", b"201", b"200"]
        assert re.findall(rb'"event_id":"(piped-\d)"', data) == [b"piped-0", b"piped-1", b"piped-2", b"piped-2"]


def test_a_client_gone_before_its_commit_leaves_the_server_serving():
    """The answer of a handed-off write finds its client gone: the server drops
    the connection quietly; the write itself was taken, as any unanswered one may be."""
    with Server(args=["--log-level", "warning"]) as server:
        for i in range(20):
            body = json.dumps(run("gone-%d" % i)).encode()
            sock = socket.create_connection(("127.0.0.1", server.port))
            sock.sendall(b"POST /api/v1/runs HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                         b"Content-Length: %d\r\n\r\n%s" % (len(body), body))
            # A reset rather than a close: the server's answer meets RST, not FIN.
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            sock.close()
        after = server.post("/api/v1/runs", run("after"))
        assert after.status == 201
        assert server.get("/health").json()["writer"] == "ok"
        stored = {row[0] for row in server.query("SELECT event_id FROM agent_runs")}
        # A request whose bytes arrived before the reset was taken whole; none half.
        assert "after" in stored and stored <= {"gone-%d" % i for i in range(20)} | {"after"}
        assert server.process.poll() is None


def test_a_write_answered_after_its_commit_is_never_brotli_encoded():
    """The answer built when a handed-off write is resumed follows the same
    Accept-Encoding rule as every other answer: gzip, never Brotli."""
    with Server(args=["--log-level", "warning"]) as server:
        answer = server.post("/api/v1/runs", run("enc-br"), headers={"Accept-Encoding": "br"})
        assert answer.status == 201
        assert answer.header("Content-Encoding") is None
        assert json.loads(answer.body)["event_id"] == "enc-br"
