"""The dashboard's HTTP side (issue 17): GET / and /ui/{asset} (embedded files,
headers, 304, no auth), the stats routes /api/v1/stats/trends, /agents and
/health (figures, validation, auth and rate limit like every /api/v1 route),
and the q filter of GET /api/v1/runs, against the real binary."""
import datetime
import json
import os
import urllib.parse
from pathlib import Path

import pytest

from harness import Server, run, run_cli
from ops_fixtures import create_v7

SOURCE_DIR = Path(__file__).resolve().parents[2]
TOKEN = "stats-token-0123456789abcdef"
AUTH = {"Authorization": "Bearer " + TOKEN}
STATUSES = ["running", "success", "failure", "partial", "timeout", "cancelled"]


def at(delta):
    moment = datetime.datetime.now(datetime.timezone.utc) - delta
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%f+00:00")


def get(server, path, headers=None, **params):
    if params:
        path += "?" + urllib.parse.urlencode(params)
    return server.get(path, headers=headers)


def nearest_rank(values, percent):
    ordered = sorted(values)
    index = max(1, -(-percent * len(ordered) // 100))
    return ordered[index - 1]


# --- the page and its files ------------------------------------------------------------------

EMBEDDED = {
    "/": ("ui/index.html", "text/html; charset=utf-8"),
    "/ui/app.js": ("ui/app.js", "text/javascript; charset=utf-8"),
    "/ui/style.css": ("ui/style.css", "text/css; charset=utf-8"),
    "/ui/uPlot.iife.min.js": ("ui/vendor/uPlot.iife.min.js", "text/javascript; charset=utf-8"),
    "/ui/uPlot.min.css": ("ui/vendor/uPlot.min.css", "text/css; charset=utf-8"),
    "/ui/uPlot.LICENSE.txt": ("ui/vendor/uPlot.LICENSE", "text/plain; charset=utf-8"),
}


@pytest.mark.parametrize("path", sorted(EMBEDDED))
def test_page_and_assets_are_the_ui_files_with_their_content_type(server, path):
    source, content_type = EMBEDDED[path]
    response = server.get(path)
    assert response.status == 200
    assert response.body == (SOURCE_DIR / source).read_bytes()
    assert response.header("Content-Type") == content_type
    assert response.header("Cache-Control") == "no-cache"
    assert response.header("X-Content-Type-Options") == "nosniff"
    etag = response.header("ETag")
    assert etag.startswith('"') and etag.endswith('"') and len(etag) > 10
    again = server.get(path, headers={"If-None-Match": etag})
    assert again.status == 304 and again.body == b""
    assert server.get(path, headers={"If-None-Match": '"other"'}).status == 200


def test_page_has_a_strict_content_security_policy(server):
    response = server.get("/")
    policy = response.header("Content-Security-Policy")
    assert policy.startswith("default-src 'self';")
    for directive in ("script-src 'self'", "style-src 'self'", "connect-src 'self'", "frame-ancestors 'none'"):
        assert directive in policy
    assert "unsafe-inline" not in policy and "http" not in policy
    assert response.header("X-Frame-Options") == "DENY"
    # Nothing inline for that policy to block, and nothing from elsewhere.
    html = response.body.decode()
    assert "<script>" not in html and "style=" not in html and "//" not in html.replace("http://www.w3.org", "")


def test_the_ui_never_names_another_host():
    for source in ("ui/index.html", "ui/app.js", "ui/style.css"):
        text = (SOURCE_DIR / source).read_text()
        hosts = [word for word in text.replace("'", " ").replace('"', " ").split() if "://" in word]
        assert all(h.startswith("http://www.w3.org/2000/svg") or h.startswith("/^https?:") for h in hosts), hosts


def test_unknown_asset_is_404_and_the_page_has_one_url(server):
    for path in ("/ui/nope.js", "/ui/index.html", "/ui/../app.js", "/ui/%2e%2e%2fapp.js"):
        response = server.get(path)
        assert response.status == 404, path
        assert response.body == b'{"detail":"Not Found"}'


def test_page_answers_head_and_refuses_other_methods(server):
    head = server.request("HEAD", "/")
    assert head.status == 200 and head.body == b""
    post = server.request("POST", "/", raw=b"")
    assert post.status == 405
    assert post.header("Allow") == "GET, HEAD"


def test_page_is_served_without_the_token_when_auth_is_on(make_server):
    server = make_server(env={"TELEMETRY_API_AUTH_ENABLED": "true", "TELEMETRY_API_AUTH_TOKEN": TOKEN})
    assert server.get("/").status == 200
    assert server.get("/ui/app.js").status == 200
    for path in ("/api/v1/stats/trends", "/api/v1/stats/agents", "/api/v1/stats/health"):
        refused = server.get(path)
        assert refused.status == 401, path
        assert refused.header("WWW-Authenticate") == "Bearer"
        assert server.get(path, headers=AUTH).status == 200, path


def test_stats_routes_are_rate_limited_like_the_api(make_server):
    server = make_server(env={"TELEMETRY_RATE_LIMIT_ENABLED": "true", "TELEMETRY_RATE_LIMIT_RPM": "2"})
    statuses = [server.get("/api/v1/stats/trends").status for _ in range(3)]
    assert statuses == [200, 200, 429]
    assert server.get("/").status == 200  # the page is not an API route


def test_requests_are_counted_under_their_route_templates(server):
    server.get("/ui/app.js")
    server.get("/api/v1/stats/trends")
    text = server.get("/metrics?format=prometheus").body.decode()
    assert 'telemetry_http_requests_total{route="/ui/{asset}",method="GET",code="200"} 1' in text
    assert 'telemetry_http_requests_total{route="/api/v1/stats/trends",method="GET",code="200"} 1' in text


# --- stats over generated runs ---------------------------------------------------------------

RUNS = [
    # (event, agent, job type, status, started this long ago, duration_ms)
    ("s1", "crawler", "crawl", "success", datetime.timedelta(minutes=10), 1000),
    ("s2", "crawler", "crawl", "failure", datetime.timedelta(minutes=20), 5000),
    ("s3", "crawler", "crawl", "timeout", datetime.timedelta(hours=2, minutes=5), 9000),
    ("s4", "crawler", "index", "success", datetime.timedelta(hours=5), 2000),
    ("s5", "translator", "translate", "success", datetime.timedelta(hours=1, minutes=1), 3000),
    ("s6", "translator", "translate", "running", datetime.timedelta(minutes=30), 0),
    ("s7", "translator", "translate", "partial", datetime.timedelta(days=3), 4000),
    ("s8", "checker", "check", "success", datetime.timedelta(days=10), 8000),
    ("s9", "checker", "check", "cancelled", datetime.timedelta(days=40), 100),
]


@pytest.fixture(scope="module")
def stats_server():
    with Server() as server:
        body = [run(event, agent_name=agent, job_type=job, status=status, start_time=at(ago), duration_ms=duration,
                    run_id="batch-" + event)
                for event, agent, job, status, ago, duration in RUNS]
        assert server.post("/api/v1/runs/batch", body=body).status == 201
        yield server


def expected(events):
    return [r for r in RUNS if r[0] in events]


def test_trends_count_runs_per_hour_by_status(stats_server):
    response = get(stats_server, "/api/v1/stats/trends", since="24h")
    assert response.status == 200
    assert response.header("Content-Type") == "application/json"
    body = response.json()
    assert list(body) == ["since", "bucket", "from", "to", "buckets"]
    assert body["since"] == "24h" and body["bucket"] == "hour"
    buckets = body["buckets"]
    assert len(buckets) == 25  # the hour holding now - 24h through the current hour
    assert buckets[0]["start"] == body["from"]
    starts = [b["start"] for b in buckets]
    assert starts == sorted(starts) and all(s.endswith(":00:00.000000+00:00") for s in starts)
    totals = {status: sum(b["counts"][status] for b in buckets) for status in STATUSES}
    assert totals == {"running": 1, "success": 3, "failure": 1, "partial": 0, "timeout": 1, "cancelled": 0}
    assert sum(b["total"] for b in buckets) == 6
    for b in buckets:
        assert list(b["counts"]) == STATUSES
        assert b["total"] == sum(b["counts"].values())


def test_trend_percentiles_are_over_finished_runs_of_the_bucket(stats_server):
    buckets = get(stats_server, "/api/v1/stats/trends", since="24h").json()["buckets"]
    everything = [d for b in buckets for d in [b["duration_ms"]] if d["count"]]
    assert sum(d["count"] for d in everything) == 5  # the running one has no duration yet
    for b in buckets:
        d = b["duration_ms"]
        assert list(d) == ["count", "p50", "p90", "p95", "p99"]
        if d["count"] == 0:
            assert d["p50"] is None and d["p99"] is None
        else:
            assert d["p50"] <= d["p90"] <= d["p95"] <= d["p99"]


def test_trend_percentiles_follow_the_nearest_rank_rule(make_server):
    server = make_server()
    durations = [100 * (i + 1) for i in range(20)]  # 100 .. 2000
    body = [run("p%d" % i, status="success", start_time=at(datetime.timedelta(minutes=1)), duration_ms=d)
            for i, d in enumerate(durations)]
    assert server.post("/api/v1/runs/batch", body=body).status == 201
    buckets = get(server, "/api/v1/stats/trends", since="1h").json()["buckets"]
    summary = [b["duration_ms"] for b in buckets if b["duration_ms"]["count"]]
    assert len(summary) == 1
    assert summary[0] == {"count": 20, "p50": nearest_rank(durations, 50), "p90": nearest_rank(durations, 90),
                          "p95": nearest_rank(durations, 95), "p99": nearest_rank(durations, 99)}
    assert summary[0]["p50"] == 1000 and summary[0]["p95"] == 1900


def test_trends_filter_by_agent_and_job_type(stats_server):
    def total(**params):
        return sum(b["total"] for b in get(stats_server, "/api/v1/stats/trends", **params).json()["buckets"])
    assert total(since="24h", agent_name="crawler") == 4
    assert total(since="24h", agent_name="crawler", job_type="crawl") == 3
    assert total(since="24h", job_type="translate") == 2
    assert total(since="24h", agent_name="nobody") == 0


def test_trends_by_day_and_the_default_bucket(stats_server):
    week = get(stats_server, "/api/v1/stats/trends", since="7d").json()
    assert week["bucket"] == "day" and len(week["buckets"]) == 8
    assert all(b["start"].endswith("T00:00:00.000000+00:00") for b in week["buckets"])
    assert sum(b["total"] for b in week["buckets"]) == 7  # s1-s7
    hourly = get(stats_server, "/api/v1/stats/trends", since="7d", bucket="hour").json()
    assert hourly["bucket"] == "hour" and len(hourly["buckets"]) == 7 * 24 + 1
    assert get(stats_server, "/api/v1/stats/trends", since="2w").json()["bucket"] == "day"
    assert get(stats_server, "/api/v1/stats/trends").json()["since"] == "24h"


@pytest.mark.parametrize("params, field, message", [
    ({"since": "abc"}, "since", "since must be a whole number of hours, days or weeks"),
    ({"since": "0h"}, "since", "since must be a whole number of hours, days or weeks"),
    ({"bucket": "week"}, "bucket", "bucket must be 'hour' or 'day'"),
    ({"since": "32d", "bucket": "hour"}, "since", "since is at most 31d with bucket=hour"),
    ({"since": "367d"}, "since", "since is at most 366d with bucket=day"),
])
@pytest.mark.parametrize("route", ["/api/v1/stats/trends", "/api/v1/stats/agents"])
def test_stats_reject_a_bad_window_with_422(stats_server, route, params, field, message):
    response = get(stats_server, route, **params)
    assert response.status == 422
    detail = response.json()["detail"]
    assert len(detail) == 1
    assert detail[0]["loc"] == ["query", field]
    assert message in detail[0]["msg"]


def test_agents_summary_sorted_by_most_failures(stats_server):
    body = get(stats_server, "/api/v1/stats/agents", since="7d").json()
    assert body["bucket"] == "day" and len(body["bucket_starts"]) == 8
    agents = body["agents"]
    assert [a["agent_name"] for a in agents] == ["crawler", "translator"]  # checker ran 10 days ago
    crawler, translator = agents
    assert crawler["runs"] == 4 and crawler["failures"] == 2  # failure + timeout
    assert crawler["counts"] == {"running": 0, "success": 2, "failure": 1, "partial": 0, "timeout": 1, "cancelled": 0}
    assert crawler["success_rate"] == 0.5
    assert crawler["duration_ms"]["p50"] == nearest_rank([1000, 5000, 9000, 2000], 50) == 2000
    assert crawler["duration_ms"]["p95"] == 9000
    assert len(crawler["runs_per_bucket"]) == 8 and sum(crawler["runs_per_bucket"]) == 4
    assert sum(crawler["failures_per_bucket"]) == 2
    assert translator["runs"] == 3 and translator["failures"] == 0
    assert translator["success_rate"] == 0.5  # the running one is not finished
    assert translator["duration_ms"]["count"] == 2


def test_agents_summary_ties_and_job_type_filter(stats_server):
    month = get(stats_server, "/api/v1/stats/agents", since="30d").json()["agents"]
    assert [a["agent_name"] for a in month] == ["crawler", "translator", "checker"]  # 0 failures: most runs first
    crawl = get(stats_server, "/api/v1/stats/agents", since="30d", job_type="crawl").json()["agents"]
    assert [(a["agent_name"], a["runs"]) for a in crawl] == [("crawler", 3)]
    assert get(stats_server, "/api/v1/stats/agents", since="1h", job_type="none").json()["agents"] == []


def test_health_reports_only_its_own_databases_backups(tmp_path):
    """Two databases in one folder share the backup folder: the service of one
    never shows the other's backup as its last one."""
    other = str(tmp_path / "t2.sqlite")
    create_v7(other)
    with Server(directory=str(tmp_path), db_name="u.sqlite") as server:
        made = run_cli("backup", "--db", other, "--no-env-file")
        assert made.returncode == 0, made.stderr
        assert any(name.startswith("t2_") for name in os.listdir(tmp_path / "backups"))
        assert get(server, "/api/v1/stats/health").json()["last_backup"] is None
        made = run_cli("backup", "--db", server.db_path, "--no-env-file")
        assert made.returncode == 0, made.stderr
        assert get(server, "/api/v1/stats/health").json()["last_backup"]["name"].startswith("u_")


def test_health_stats_gather_writer_database_backup_and_requests(make_server, tmp_path):
    server = make_server()
    assert server.post("/api/v1/runs", body=run("h1")).status == 201
    body = get(server, "/api/v1/stats/health").json()
    assert body["status"] == "ok" and body["writer"] == "ok" and body["writer_error"] is None
    assert body["queue_depth"] == 0
    assert body["journal_mode"] == "DELETE" and body["schema_version"] == 7
    assert body["db_size_bytes"] > 0
    assert body["last_backup"] is None
    assert {"route": "/api/v1/runs", "method": "POST", "code": 201, "count": 1} in body["requests"]

    made = run_cli("backup", "--db", server.db_path)
    assert made.returncode == 0, made.stderr
    backup = get(server, "/api/v1/stats/health").json()["last_backup"]
    assert backup["name"].startswith("telemetry_") and backup["name"].endswith(".sqlite")
    assert 0 <= backup["age_seconds"] < 600
    assert backup["verified"] is True and backup["bytes"] > 0


# --- q on GET /api/v1/runs: the start of event_id or run_id ---------------------------------

def test_q_matches_the_start_of_event_id_or_run_id_not_the_middle(stats_server):
    def ids(**params):
        return sorted(r["event_id"] for r in get(stats_server, "/api/v1/runs", **params).json())
    assert ids(q="s3") == ["s3"]              # event_id
    assert ids(q="batch-s") == [r[0] for r in RUNS]  # run_id
    assert ids(q="batch-s1") == ["s1"]
    assert ids(q="tch-s1") == []              # the middle of a run_id (a substring match before)
    assert ids(q="3") == [] and ids(q="-s3") == []
    assert ids(q="Batch") == [] and ids(q="S3") == []  # case-sensitive
    assert ids(q="nothing-like-it") == []


def test_q_combines_with_the_other_filters_newest_first(stats_server):
    def ids(**params):
        return [r["event_id"] for r in get(stats_server, "/api/v1/runs", **params).json()]
    # created_at is the order of the batch (RUNS order, one request): newest first is reversed.
    everything = [r[0] for r in RUNS][::-1]
    assert ids(q="batch") == everything
    assert ids(q="batch", status="success") == ["s8", "s5", "s4", "s1"]
    assert ids(q="batch", agent_name="translator", status="running") == ["s6"]
    assert ids(q="batch", job_type="check") == ["s9", "s8"]
    assert ids(q="batch", start_time_from=at(datetime.timedelta(hours=1, minutes=30))) == ["s6", "s5", "s2", "s1"]
    assert ids(q="batch", limit=2, offset=3) == everything[3:5]
    assert ids(q="s", agent_name="crawler") == ["s4", "s3", "s2", "s1"]


def test_q_takes_percent_underscore_and_multibyte_text_literally(make_server):
    server = make_server()
    events = ["100%-done", "1000-done", "a_b", "axb", "été-1", "ét-2", "日本-3"]
    body = [run(event, run_id="id:" + event) for event in events]
    assert server.post("/api/v1/runs/batch", body=body).status == 201

    def ids(q):
        return sorted(r["event_id"] for r in get(server, "/api/v1/runs", q=q).json())
    assert ids("100%") == ["100%-done"]       # not a LIKE pattern
    assert ids("a_") == ["a_b"]
    assert ids("%") == [] and ids("_") == []
    assert ids("été") == ["été-1"]
    assert ids("ét") == ["ét-2", "été-1"]
    assert ids("日本") == ["日本-3"] and ids("id:日") == ["日本-3"]
    assert ids("本") == []                    # the middle, in characters as in bytes
    assert ids("id:") == sorted(events)


def test_q_counts_characters_not_bytes_against_its_limit(server):
    assert server.post("/api/v1/runs", body=run("é" * 256, run_id="r")).status == 201
    found = get(server, "/api/v1/runs", q="é" * 256)        # 512 bytes, 256 characters
    assert found.status == 200 and [r["event_id"] for r in found.json()] == ["é" * 256]
    assert get(server, "/api/v1/runs", q="é" * 257).status == 422


def test_until_moves_the_window_back_in_time(make_server):
    server = make_server()
    body = [run("u1", start_time="2026-01-10T08:15:00+00:00", duration_ms=700, status="success"),
            run("u2", start_time="2026-01-10T13:00:00+00:00", status="failure"),   # the window ends at 13:00
            run("u3", start_time="2026-01-09T11:59:59+00:00")]                     # before the first bucket
    assert server.post("/api/v1/runs/batch", body=body).status == 201
    trends = get(server, "/api/v1/stats/trends", since="24h", until="2026-01-10T12:30:00Z").json()
    assert trends["from"] == "2026-01-09T12:00:00.000000+00:00"
    assert trends["to"] == "2026-01-10T13:00:00.000000+00:00"
    counted = [(b["start"], b["total"], b["duration_ms"]["p50"]) for b in trends["buckets"] if b["total"]]
    assert counted == [("2026-01-10T08:00:00.000000+00:00", 1, 700)]
    # An offset is honoured, and a space stands for the '+' a query string turned into one.
    shifted = get(server, "/api/v1/stats/agents", since="1h", until="2026-01-10T15:30:00 02:00").json()
    assert shifted["from"] == "2026-01-10T12:00:00.000000+00:00"
    assert [(a["agent_name"], a["failures"]) for a in shifted["agents"]] == [("crawler", 1)]


def test_a_bad_until_is_400(stats_server):
    response = get(stats_server, "/api/v1/stats/trends", until="yesterday")
    assert response.status == 400
    assert response.json() == {"detail": "Invalid ISO8601 timestamp for until: 'yesterday'"}
