"""Optional Bearer-token auth (docs/reference/http-api.md §6) and per-IP rate limiting (§7),
their order in the request pipeline (3), against the real binary."""
import http.client
import json
import math
import os
import time

import pytest

from harness import run, run_cli, clean_env

TOKEN = "s3cret-token-0123456789"
OK = {"Authorization": "Bearer " + TOKEN}
AUTH_ENV = {"TELEMETRY_API_AUTH_ENABLED": "true", "TELEMETRY_API_AUTH_TOKEN": TOKEN}

MISSING = b'{"detail":"Authorization header required. Use: Authorization: Bearer <token>"}'
FORMAT = b'{"detail":"Invalid authorization format. Use: Authorization: Bearer <token>"}'
WRONG = b'{"detail":"Invalid authentication token"}'


def request_from(server, source, method, path, body=None, headers=None):
    """A request whose TCP connection comes from `source` (another loopback address)."""
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30, source_address=(source, 0))
    try:
        data = None if body is None else json.dumps(body).encode()
        connection.request(method, path, body=data, headers=headers or {})
        response = connection.getresponse()
        return response.status, dict((k.lower(), v) for k, v in response.getheaders()), response.read()
    finally:
        connection.close()


# --- Authentication -------------------------------------------------------------------------

@pytest.fixture
def auth_server(make_server):
    return make_server(env=AUTH_ENV)


def assert_401(response, body):
    assert response.status == 401
    assert response.body == body
    assert response.header("WWW-Authenticate") == "Bearer"
    assert response.header("Content-Type") == "application/json"


API_CALLS = [
    ("GET", "/api/v1/runs", None),
    ("GET", "/api/v1/runs/a1", None),
    ("GET", "/api/v1/runs/a1/commit-url", None),
    ("GET", "/api/v1/runs/a1/repo-url", None),
    ("GET", "/api/v1/metadata", None),
    ("POST", "/api/v1/runs", run("a2")),
    ("POST", "/api/v1/runs/batch", [run("a3")]),
    ("PATCH", "/api/v1/runs/a1", {"status": "success"}),
    ("POST", "/api/v1/runs/a1/associate-commit", {"commit_hash": "abc1234", "commit_source": "ci"}),
    ("HEAD", "/api/v1/runs", None),
]


@pytest.mark.parametrize("method, path, body", API_CALLS)
def test_every_api_route_needs_the_token(auth_server, method, path, body):
    assert auth_server.post("/api/v1/runs", body=run("a1"), headers=OK).status == 201
    refused = auth_server.request(method, path, body=body)
    assert refused.status == 401
    assert refused.header("WWW-Authenticate") == "Bearer"
    if method != "HEAD":
        assert refused.body == MISSING
    accepted = auth_server.request(method, path, body=body, headers=OK)
    assert 200 <= accepted.status < 300, accepted.body


def test_nothing_is_written_without_the_token(auth_server):
    assert_401(auth_server.post("/api/v1/runs", body=run("n1")), MISSING)
    assert_401(auth_server.post("/api/v1/runs", body=run("n1"), headers={"Authorization": "Bearer wrong"}), WRONG)
    assert auth_server.query("SELECT count(*) FROM agent_runs") == [(0,)]


@pytest.mark.parametrize("value, body", [
    ("Bearer", FORMAT),
    ("Bearer ", FORMAT),
    ("Basic " + TOKEN, FORMAT),
    ("Token " + TOKEN, FORMAT),
    ("Bearer " + TOKEN + " extra", FORMAT),
    (TOKEN, FORMAT),
    ("Bearer wrong", WRONG),
    ("Bearer " + TOKEN[:-1], WRONG),
    ("Bearer " + TOKEN + "0", WRONG),
    ("Bearer " + TOKEN.upper(), WRONG),
])
def test_bad_authorization_headers(auth_server, value, body):
    assert_401(auth_server.get("/api/v1/runs", headers={"Authorization": value}), body)


def test_empty_authorization_header_counts_as_absent(auth_server):
    # The HTTP library does not keep a header whose value is empty, so the
    # service sees no Authorization header at all.
    assert_401(auth_server.get("/api/v1/runs", headers={"Authorization": ""}), MISSING)


@pytest.mark.parametrize("value", ["bearer " + TOKEN, "BEARER " + TOKEN, "BeArEr " + TOKEN,
                                   "Bearer    " + TOKEN, "Bearer\t" + TOKEN, "  Bearer " + TOKEN + "  "])
def test_scheme_case_and_whitespace_runs_are_accepted(auth_server, value):
    assert auth_server.get("/api/v1/runs", headers={"Authorization": value}).status == 200


@pytest.mark.parametrize("path", ["/health", "/metrics", "/metrics?format=prometheus"])
def test_health_and_metrics_stay_open(auth_server, path):
    assert auth_server.get(path).status == 200
    assert auth_server.get(path, headers={"Authorization": "Bearer wrong"}).status == 200


def test_404_405_and_413_come_before_401(make_server):
    server = make_server(env=dict(AUTH_ENV, TELEMETRY_MAX_BODY_BYTES="2048"))
    assert server.get("/nowhere").body == b'{"detail":"Not Found"}'
    assert server.get("/api/v1/metadata/agent_name").status == 404
    response = server.request("DELETE", "/api/v1/runs")
    assert response.status == 405 and response.header("Allow") == "GET, HEAD, POST"
    response = server.request("POST", "/api/v1/runs", raw=b"x" * 3000)
    assert response.status == 413
    assert response.body == b'{"detail":"Request body too large: the limit is 2048 bytes"}'


def test_401_comes_before_body_decoding(auth_server):
    assert_401(auth_server.request("POST", "/api/v1/runs", raw=b"{not json"), MISSING)
    assert_401(auth_server.request("PATCH", "/api/v1/runs/x", raw=b"[", headers={"Authorization": "Bearer x"}),
               WRONG)
    assert_401(auth_server.get("/api/v1/runs?limit=0&status=bogus"), MISSING)
    # With the token the same requests reach their own errors.
    assert auth_server.request("POST", "/api/v1/runs", raw=b"{not json", headers=OK).status == 422
    assert auth_server.get("/api/v1/runs?limit=0", headers=OK).status == 422


def test_token_from_a_file(make_server, tmp_path):
    token_file = tmp_path / "token"
    token_file.write_text("file-token-abcdefghijkl\n")
    os.chmod(token_file, 0o600)
    server = make_server(args=["--auth", "--auth-token-file", str(token_file)])
    assert_401(server.get("/api/v1/runs"), MISSING)
    # The trailing newline is not part of the token.
    assert_401(server.get("/api/v1/runs", headers={"Authorization": "Bearer file-token-abcdefghijkl\\n"}), WRONG)
    assert server.get("/api/v1/runs", headers={"Authorization": "Bearer file-token-abcdefghijkl"}).status == 200
    assert server.get("/health").status == 200


def test_token_file_through_the_environment(make_server, tmp_path):
    token_file = tmp_path / "token"
    token_file.write_text("env-file-token-0123456789\r\n")
    os.chmod(token_file, 0o600)
    server = make_server(env={"TELEMETRY_API_AUTH_ENABLED": "1", "TELEMETRY_API_AUTH_TOKEN_FILE": str(token_file)})
    assert server.get("/api/v1/metadata", headers={"Authorization": "Bearer env-file-token-0123456789"}).status == 200
    assert server.get("/api/v1/metadata").status == 401


def test_auth_on_without_a_token_does_not_start(tmp_path):
    result = run_cli("serve", "--db", str(tmp_path / "t.sqlite"), "--port", "0", "--no-env-file", "--auth",
                     env=clean_env(), timeout=30)
    assert result.returncode == 78
    assert "TELEMETRY_API_AUTH_ENABLED is true but no token is set" in result.stderr


def test_auth_is_off_by_default(server):
    assert server.get("/api/v1/runs").status == 200
    assert server.get("/api/v1/runs", headers={"Authorization": "Bearer anything"}).status == 200
    assert server.get("/api/v1/runs").header("WWW-Authenticate") is None


# --- Rate limiting --------------------------------------------------------------------------

def limited(make_server, rpm, **extra):
    env = {"TELEMETRY_RATE_LIMIT_ENABLED": "true", "TELEMETRY_RATE_LIMIT_RPM": str(rpm)}
    env.update(extra)
    return make_server(env=env)


def test_429_with_headers_after_rpm_requests_and_other_ips_unaffected(make_server):
    server = limited(make_server, 3)
    first_at = time.monotonic()
    remaining = []
    for _ in range(3):
        status, headers, _ = request_from(server, "127.0.0.1", "GET", "/api/v1/runs")
        assert status == 200
        assert headers["x-ratelimit-limit"] == "3"
        remaining.append(headers["x-ratelimit-remaining"])
    assert remaining == ["2", "1", "0"]
    time.sleep(1.1)
    status, headers, body = request_from(server, "127.0.0.1", "GET", "/api/v1/runs")
    elapsed = time.monotonic() - first_at
    assert status == 429
    assert body == b'{"detail":"Rate limit exceeded. Max 3 requests per minute."}'
    assert headers["content-type"] == "application/json"
    assert headers["x-ratelimit-limit"] == "3"
    assert headers["x-ratelimit-remaining"] == "0"
    retry_after = int(headers["retry-after"])
    # Whole seconds until the oldest allowed request leaves the 60 s window, rounded up.
    assert math.ceil(60 - elapsed) - 1 <= retry_after <= math.ceil(60 - 1.1)
    assert 1 <= retry_after < 60
    # Another address has its own budget.
    status, headers, _ = request_from(server, "127.0.0.2", "GET", "/api/v1/runs")
    assert status == 200 and headers["x-ratelimit-remaining"] == "2"
    # X-Forwarded-For does not change who the client is.
    status, _, _ = request_from(server, "127.0.0.1", "GET", "/api/v1/runs", headers={"X-Forwarded-For": "10.1.2.3"})
    assert status == 429


def test_refused_requests_do_not_use_budget_and_writes_are_not_applied(make_server):
    server = limited(make_server, 2)
    assert request_from(server, "127.0.0.1", "POST", "/api/v1/runs", body=run("r1"))[0] == 201
    assert request_from(server, "127.0.0.1", "GET", "/api/v1/runs/r1")[0] == 200
    status, _, _ = request_from(server, "127.0.0.1", "POST", "/api/v1/runs", body=run("r2"))
    assert status == 429
    assert server.query("SELECT event_id FROM agent_runs") == [("r1",)]
    # Malformed bodies are not even read as JSON once limited (429 before 422).
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    connection.request("POST", "/api/v1/runs", body=b"{oops")
    assert connection.getresponse().status == 429
    connection.close()


def test_one_budget_shared_by_every_api_route(make_server):
    server = limited(make_server, 4)
    calls = [("POST", "/api/v1/runs", run("s1")), ("GET", "/api/v1/metadata", None),
             ("PATCH", "/api/v1/runs/s1", {"status": "success"}), ("GET", "/api/v1/runs/s1/repo-url", None)]
    remaining = []
    for method, path, body in calls:
        status, headers, _ = request_from(server, "127.0.0.1", method, path, body=body)
        assert 200 <= status < 300
        remaining.append(headers["x-ratelimit-remaining"])
    assert remaining == ["3", "2", "1", "0"]
    assert request_from(server, "127.0.0.1", "GET", "/api/v1/runs/s1/commit-url")[0] == 429
    assert request_from(server, "127.0.0.1", "POST", "/api/v1/runs/batch", body=[run("s2")])[0] == 429


def test_headers_on_every_allowed_response_whatever_its_status(make_server):
    server = limited(make_server, 10)
    for method, path, body, expected in [("GET", "/api/v1/runs/ghost", None, 404),
                                         ("GET", "/api/v1/runs?status=bogus", None, 400),
                                         ("GET", "/api/v1/runs?limit=0", None, 422),
                                         ("POST", "/api/v1/runs", {"event_id": 1}, 422),
                                         ("PATCH", "/api/v1/runs/ghost", {}, 404)]:
        status, headers, _ = request_from(server, "127.0.0.1", method, path, body=body)
        assert status == expected
        assert headers["x-ratelimit-limit"] == "10"
        assert "x-ratelimit-remaining" in headers
        assert "retry-after" not in headers


def test_health_metrics_404_and_405_are_neither_limited_nor_counted(make_server):
    server = limited(make_server, 2)
    for _ in range(5):
        for path in ("/health", "/metrics", "/metrics?format=prometheus", "/nowhere"):
            status, headers, _ = request_from(server, "127.0.0.1", "GET", path)
            assert status in (200, 404)
            assert "x-ratelimit-limit" not in headers
        status, headers, _ = request_from(server, "127.0.0.1", "DELETE", "/api/v1/runs")
        assert status == 405 and "x-ratelimit-limit" not in headers
    status, headers, _ = request_from(server, "127.0.0.1", "GET", "/api/v1/runs")
    assert status == 200 and headers["x-ratelimit-remaining"] == "1"
    assert request_from(server, "127.0.0.1", "GET", "/api/v1/runs")[0] == 200
    assert request_from(server, "127.0.0.1", "GET", "/api/v1/runs")[0] == 429
    # Once limited, /health and /metrics still answer.
    assert request_from(server, "127.0.0.1", "GET", "/health")[0] == 200
    assert request_from(server, "127.0.0.1", "GET", "/metrics")[0] == 200


def test_failed_logins_spend_the_address_budget_then_get_429(make_server):
    # The limiter runs before authentication: guessing tokens is rate limited.
    server = limited(make_server, 3, **AUTH_ENV)
    for expected_remaining in ("2", "1", "0"):
        status, headers, _ = request_from(server, "127.0.0.1", "GET", "/api/v1/runs",
                                          headers={"Authorization": "Bearer wrong-guess"})
        assert status == 401
        assert headers["x-ratelimit-remaining"] == expected_remaining
    for guess in ("wrong-1", "wrong-2", "wrong-3"):
        status, headers, body = request_from(server, "127.0.0.1", "GET", "/api/v1/runs",
                                             headers={"Authorization": "Bearer " + guess})
        assert status == 429 and "retry-after" in headers
        assert body == b'{"detail":"Rate limit exceeded. Max 3 requests per minute."}'
    # The budget is the address's: the right token from there waits too...
    assert request_from(server, "127.0.0.1", "GET", "/api/v1/runs", headers=OK)[0] == 429
    # ...while another address is served, and its failures are its own.
    assert request_from(server, "127.0.0.2", "GET", "/api/v1/runs", headers=OK)[0] == 200
    assert request_from(server, "127.0.0.2", "GET", "/api/v1/runs")[0] == 401
    assert b"\ntelemetry_auth_failures_total 4\n" in server.get("/metrics?format=prometheus").body


def test_rate_limit_is_off_by_default(server):
    for _ in range(70):
        response = server.get("/api/v1/metadata")
        assert response.status == 200
    assert response.header("X-RateLimit-Limit") is None
