"""PATCH /api/v1/runs/{event_id}, POST .../associate-commit and the commit-url /
repo-url routes (docs/reference/http-api.md §13, §14) against the real binary."""
import json
import re

import pytest

from harness import run

CANONICAL = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\+00:00$")


def create(server, event_id, **fields):
    response = server.post("/api/v1/runs", body=run(event_id, **fields))
    assert response.status == 201, response.body
    return server.get("/api/v1/runs/" + event_id).json()


def compact(value):
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


# --- PATCH ----------------------------------------------------------------------------------

def test_patch_then_get_shows_the_change_and_a_new_updated_at(server):
    before = create(server, "p1", status="running")
    assert CANONICAL.match(before["updated_at"])
    response = server.patch("/api/v1/runs/p1", body={
        "status": "Completed", "end_time": "2026-01-14T09:17:44.990501+00:00", "duration_ms": "162589",
        "items_succeeded": 38, "items_failed": 1.0, "items_skipped": True, "output_summary": "38 translated"})
    assert response.status == 200
    assert response.header("Content-Type") == "application/json"
    assert response.body == compact({"event_id": "p1", "updated": True, "fields_updated": [
        "status", "end_time", "duration_ms", "output_summary", "items_succeeded", "items_failed",
        "items_skipped"]})
    after = server.get("/api/v1/runs/p1").json()
    assert after["status"] == "success"
    assert after["end_time"] == "2026-01-14T09:17:44.990501+00:00"
    assert after["duration_ms"] == 162589
    assert (after["items_succeeded"], after["items_failed"], after["items_skipped"]) == (38, 1, 1)
    assert after["output_summary"] == "38 translated"
    assert CANONICAL.match(after["updated_at"])
    assert after["updated_at"] > before["updated_at"]
    # Nothing else moved.
    for key in before:
        if key not in ("status", "end_time", "duration_ms", "items_succeeded", "items_failed",
                       "items_skipped", "output_summary", "updated_at"):
            assert after[key] == before[key], key


def test_patch_lists_fields_in_table_order_whatever_the_body_order(server):
    create(server, "p2")
    body = {"input_summary": "in", "items_discovered": 4, "git_commit_timestamp": "2026-01-14T09:18:00Z",
            "git_commit_author": "me", "git_commit_source": "llm", "context_json": "{\"k\": [1, 2]}",
            "metrics_json": {"b": 1, "a": 2.50}, "error_details": "trace", "error_summary": "oops"}
    response = server.patch("/api/v1/runs/p2", body=body)
    assert response.status == 200
    assert response.json()["fields_updated"] == [
        "error_summary", "error_details", "metrics_json", "context_json", "git_commit_source",
        "git_commit_author", "git_commit_timestamp", "items_discovered", "input_summary"]
    record = server.get("/api/v1/runs/p2").json()
    assert record["metrics_json"] == {"b": 1, "a": 2.5}
    assert record["context_json"] == {"k": [1, 2]}
    assert record["git_commit_timestamp"] == "2026-01-14T09:18:00Z"  # stored as sent
    assert (record["items_discovered"], record["input_summary"]) == (4, "in")
    assert server.query("SELECT metrics_json, context_json FROM agent_runs WHERE event_id='p2'") == \
        [('{"b":1,"a":2.5}', '{"k":[1,2]}')]


@pytest.mark.parametrize("alias, stored", [("FAILED", "failure"), (" canceled ", "cancelled"),
                                           ("succeeded", "success"), ("Timeout", "timeout")])
def test_patch_status_aliases_are_normalised(server, alias, stored):
    create(server, "pa")
    assert server.patch("/api/v1/runs/pa", body={"status": alias}).status == 200
    assert server.get("/api/v1/runs/pa").json()["status"] == stored


def test_patch_null_never_clears_and_unknown_keys_are_ignored(server):
    create(server, "p3", error_summary="kept", items_failed=3)
    response = server.patch("/api/v1/runs/p3", body={
        "error_summary": None, "items_failed": None, "end_time": "", "metrics_json": "  ",
        "agent_name": "other", "updated_at": "2000-01-01T00:00:00Z", "run_id": "x", "output_summary": "new"})
    assert response.status == 200
    assert response.json()["fields_updated"] == ["output_summary"]
    record = server.get("/api/v1/runs/p3").json()
    assert (record["error_summary"], record["items_failed"], record["end_time"]) == ("kept", 3, None)
    assert (record["agent_name"], record["run_id"]) == ("crawler", "run-p3")
    assert record["updated_at"] != "2000-01-01T00:00:00Z"


@pytest.mark.parametrize("raw", [b"{}", b"", b'{"status":null,"end_time":"","metrics_json":"","duration_ms":null}',
                                 b'{"updated_at":"2026-01-01T00:00:00Z","id":5}'])
def test_patch_with_nothing_to_set_is_400(server, raw):
    create(server, "p4")
    before = server.get("/api/v1/runs/p4").json()
    response = server.request("PATCH", "/api/v1/runs/p4", raw=raw)
    assert response.status == 400
    assert response.body == b'{"detail":"No valid fields to update"}'
    assert server.get("/api/v1/runs/p4").json() == before  # updated_at untouched too


def test_patch_without_any_body_framing_is_400(server):
    create(server, "p5")
    response = server.request("PATCH", "/api/v1/runs/p5")
    assert response.status == 400
    assert response.json() == {"detail": "No valid fields to update"}


@pytest.mark.parametrize("raw", [b"{}", b"", b'{"status":"success"}', b'{"status":null}'])
def test_patch_unknown_run_is_404_before_400(server, raw):
    response = server.request("PATCH", "/api/v1/runs/ghost", raw=raw)
    assert response.status == 404
    assert response.body == b'{"detail":"Run not found: ghost"}'


def test_patch_validation_comes_before_404(server):
    response = server.patch("/api/v1/runs/ghost", body={"status": "bogus"})
    assert response.status == 422
    assert response.json()["detail"][0]["loc"] == ["body", "status"]


def test_patch_422_lists_every_bad_field_in_table_order(server):
    create(server, "p6")
    body = {"input_summary": 5, "items_discovered": -1, "git_commit_timestamp": "soon", "git_commit_source": "robot",
            "context_json": [1], "metrics_json": "nope", "items_skipped": "x", "items_failed": 1.5,
            "items_succeeded": {}, "output_summary": True, "duration_ms": 9223372036854775808,
            "end_time": "2026-01-14", "status": "done"}
    response = server.patch("/api/v1/runs/p6", body=body)
    assert response.status == 422
    assert response.json() == {"detail": [
        {"type": "value_error", "loc": ["body", "status"],
         "msg": "Value error, Status must be one of: ['running', 'success', 'failure', 'partial', 'timeout', "
                "'cancelled']", "input": "done"},
        {"type": "datetime_parsing", "loc": ["body", "end_time"], "msg": "Input should be a valid ISO 8601 date-time",
         "input": "2026-01-14"},
        {"type": "less_than_equal", "loc": ["body", "duration_ms"],
         "msg": "Input should be less than or equal to 9223372036854775807", "input": 9223372036854775808,
         "ctx": {"le": 9223372036854775807}},
        {"type": "string_type", "loc": ["body", "output_summary"], "msg": "Input should be a valid string",
         "input": True},
        {"type": "int_type", "loc": ["body", "items_succeeded"], "msg": "Input should be a valid integer", "input": {}},
        {"type": "int_from_float", "loc": ["body", "items_failed"],
         "msg": "Input should be a valid integer, got a number with a fractional part", "input": 1.5},
        {"type": "int_parsing", "loc": ["body", "items_skipped"],
         "msg": "Input should be a valid integer, unable to parse string as an integer", "input": "x"},
        {"type": "value_error", "loc": ["body", "metrics_json"],
         "msg": "Value error, metrics_json must be a JSON object or a string containing a JSON object",
         "input": "nope"},
        {"type": "dict_type", "loc": ["body", "context_json"], "msg": "Input should be a valid dictionary",
         "input": [1]},
        {"type": "value_error", "loc": ["body", "git_commit_source"],
         "msg": "Value error, git_commit_source must be 'manual', 'llm', or 'ci'", "input": "robot"},
        {"type": "datetime_parsing", "loc": ["body", "git_commit_timestamp"],
         "msg": "Input should be a valid ISO 8601 date-time", "input": "soon"},
        {"type": "greater_than_equal", "loc": ["body", "items_discovered"],
         "msg": "Input should be greater than or equal to 0", "input": -1, "ctx": {"ge": 0}},
        {"type": "string_type", "loc": ["body", "input_summary"], "msg": "Input should be a valid string",
         "input": 5},
    ]}
    # Nothing was written.
    assert server.get("/api/v1/runs/p6").json()["status"] == "running"


@pytest.mark.parametrize("raw, error", [
    (b"[1]", {"type": "model_attributes_type", "loc": ["body"],
              "msg": "Input should be a valid dictionary or object to extract fields from", "input": [1]}),
    (b'"x"', {"type": "model_attributes_type", "loc": ["body"],
              "msg": "Input should be a valid dictionary or object to extract fields from", "input": "x"}),
])
def test_patch_body_that_is_not_an_object_is_422(server, raw, error):
    create(server, "p7")
    response = server.request("PATCH", "/api/v1/runs/p7", raw=raw)
    assert response.status == 422
    assert response.json() == {"detail": [error]}


def test_patch_invalid_json_is_422_json_invalid(server):
    create(server, "p8")
    response = server.request("PATCH", "/api/v1/runs/p8", raw=b'{"status":')
    assert response.status == 422
    detail = response.json()["detail"]
    assert len(detail) == 1
    assert detail[0]["type"] == "json_invalid"
    assert detail[0]["loc"] == ["body", 10]
    assert detail[0]["msg"] == "JSON decode error"
    assert detail[0]["input"] == {}
    assert list(detail[0].keys()) == ["type", "loc", "msg", "input", "ctx"]


def test_patch_reaches_an_event_id_with_a_slash(server):
    create(server, "x/y")
    response = server.patch("/api/v1/runs/x%2Fy", body={"status": "partial"})
    assert response.status == 200
    assert response.json()["event_id"] == "x/y"
    assert server.get("/api/v1/runs/x%2Fy").json()["status"] == "partial"


def test_last_patch_wins(server):
    create(server, "p9")
    assert server.patch("/api/v1/runs/p9", body={"output_summary": "one"}).status == 200
    assert server.patch("/api/v1/runs/p9", body={"output_summary": "two"}).status == 200
    assert server.get("/api/v1/runs/p9").json()["output_summary"] == "two"


# --- associate-commit then commit-url --------------------------------------------------------

def test_associate_commit_then_commit_url(server):
    before = create(server, "c1", git_repo="git@github.com:o/r.git", run_id="the-run")
    assert server.get("/api/v1/runs/c1/commit-url").body == b'{"commit_url":null}'
    response = server.post("/api/v1/runs/c1/associate-commit", body={
        "commit_hash": "abc1234", "commit_source": "ci", "commit_author": "ci-bot",
        "commit_timestamp": "2026-01-14 10:00:00+01:00"})
    assert response.status == 200
    assert response.header("Content-Type") == "application/json"
    assert response.body == compact({"status": "success", "event_id": "c1", "run_id": "the-run",
                                     "commit_hash": "abc1234"})
    assert server.get("/api/v1/runs/c1/commit-url").body == \
        b'{"commit_url":"https://github.com/o/r/commit/abc1234"}'
    assert server.get("/api/v1/runs/c1/repo-url").body == b'{"repo_url":"https://github.com/o/r"}'
    after = server.get("/api/v1/runs/c1").json()
    assert (after["git_commit_hash"], after["git_commit_source"], after["git_commit_author"],
            after["git_commit_timestamp"]) == ("abc1234", "ci", "ci-bot", "2026-01-14 10:00:00+01:00")
    assert after["commit_url"] == "https://github.com/o/r/commit/abc1234"
    assert CANONICAL.match(after["updated_at"]) and after["updated_at"] > before["updated_at"]
    # The commits table is not touched.
    assert server.query("SELECT count(*) FROM commits") == [(0,)]


def test_associate_commit_absent_optionals_write_null(server):
    create(server, "c2", git_commit_author="old", git_commit_timestamp="2026-01-01T00:00:00Z",
           git_commit_hash="1111111", git_commit_source="manual")
    response = server.post("/api/v1/runs/c2/associate-commit",
                           body={"commit_hash": "2222222", "commit_source": "llm", "commit_author": None})
    assert response.status == 200
    record = server.get("/api/v1/runs/c2").json()
    assert (record["git_commit_hash"], record["git_commit_source"], record["git_commit_author"],
            record["git_commit_timestamp"]) == ("2222222", "llm", None, None)


@pytest.mark.parametrize("commit_hash", ["a" * 7, "b" * 40, "\u00e9" * 7, "not-hex!"])
def test_associate_commit_hash_length_is_7_to_40_code_points(server, commit_hash):
    create(server, "c3")
    response = server.post("/api/v1/runs/c3/associate-commit",
                           body={"commit_hash": commit_hash, "commit_source": "manual"})
    assert response.status == 200
    assert response.json()["commit_hash"] == commit_hash
    assert server.get("/api/v1/runs/c3").json()["git_commit_hash"] == commit_hash


def test_associate_commit_422_bodies(server):
    create(server, "c4")
    response = server.post("/api/v1/runs/c4/associate-commit", body={"commit_author": "x"})
    assert response.status == 422
    assert response.json() == {"detail": [
        {"type": "missing", "loc": ["body", "commit_hash"], "msg": "Field required", "input": {"commit_author": "x"}},
        {"type": "missing", "loc": ["body", "commit_source"], "msg": "Field required",
         "input": {"commit_author": "x"}},
    ]}
    response = server.post("/api/v1/runs/c4/associate-commit", body={
        "commit_hash": "abc123", "commit_source": "CI", "commit_author": 7, "commit_timestamp": "2026-01-14"})
    assert response.json() == {"detail": [
        {"type": "string_too_short", "loc": ["body", "commit_hash"], "msg": "String should have at least 7 characters",
         "input": "abc123", "ctx": {"min_length": 7}},
        {"type": "value_error", "loc": ["body", "commit_source"],
         "msg": "Value error, commit_source must be 'manual', 'llm', or 'ci'", "input": "CI"},
        {"type": "string_type", "loc": ["body", "commit_author"], "msg": "Input should be a valid string", "input": 7},
        {"type": "datetime_parsing", "loc": ["body", "commit_timestamp"],
         "msg": "Input should be a valid ISO 8601 date-time", "input": "2026-01-14"},
    ]}
    response = server.post("/api/v1/runs/c4/associate-commit", body={"commit_hash": "c" * 41, "commit_source": None})
    assert response.json() == {"detail": [
        {"type": "string_too_long", "loc": ["body", "commit_hash"], "msg": "String should have at most 40 characters",
         "input": "c" * 41, "ctx": {"max_length": 40}},
        {"type": "string_type", "loc": ["body", "commit_source"], "msg": "Input should be a valid string",
         "input": None},
    ]}
    assert server.get("/api/v1/runs/c4").json()["git_commit_hash"] is None


def test_associate_commit_empty_and_non_object_bodies_are_422(server):
    create(server, "c5")
    response = server.request("POST", "/api/v1/runs/c5/associate-commit", raw=b"")
    assert response.status == 422
    assert response.body == compact({"detail": [{"type": "missing", "loc": ["body"], "msg": "Field required",
                                                 "input": None}]})
    response = server.request("POST", "/api/v1/runs/c5/associate-commit", raw=b"[]")
    assert response.json() == {"detail": [{"type": "model_attributes_type", "loc": ["body"],
                                           "msg": "Input should be a valid dictionary or object to extract fields "
                                                  "from", "input": []}]}


def test_associate_commit_unknown_run_is_404(server):
    response = server.post("/api/v1/runs/ghost/associate-commit", body={"commit_hash": "abc1234",
                                                                        "commit_source": "ci"})
    assert response.status == 404
    assert response.body == b'{"detail":"Run not found: ghost"}'


def test_url_routes_unknown_run_is_404(server):
    for suffix in ("commit-url", "repo-url"):
        response = server.get("/api/v1/runs/ghost/" + suffix)
        assert response.status == 404
        assert response.body == b'{"detail":"Run not found: ghost"}'


# --- URL building (docs/reference/http-api.md §13.3), through the HTTP routes and the run record ------------------------

URL_CASES = [
    ("https://github.com/o/r", "https://github.com/o/r", "https://github.com/o/r/commit/abc1234"),
    ("https://github.com/o/r.git", "https://github.com/o/r", "https://github.com/o/r/commit/abc1234"),
    ("https://github.com/o/r.git/", "https://github.com/o/r", "https://github.com/o/r/commit/abc1234"),
    ("https://github.com/o/r///", "https://github.com/o/r", "https://github.com/o/r/commit/abc1234"),
    ("git@github.com:o/r.git", "https://github.com/o/r", "https://github.com/o/r/commit/abc1234"),
    ("git@gitlab.com:g/sub/r.git", "https://gitlab.com/g/sub/r", "https://gitlab.com/g/sub/r/-/commit/abc1234"),
    ("https://gitlab.com/g/r", "https://gitlab.com/g/r", "https://gitlab.com/g/r/-/commit/abc1234"),
    ("git@bitbucket.org:o/r.git", "https://bitbucket.org/o/r", "https://bitbucket.org/o/r/commits/abc1234"),
    ("  https://GitHub.com/O/R.git  ", "https://GitHub.com/O/R", "https://GitHub.com/O/R/commit/abc1234"),
    ("https://git.example.com/repo", "https://git.example.com/repo", None),
    ("https://gitlab.example.com/o/r", "https://gitlab.example.com/o/r", None),
    ("http://github.com/o/r", None, None),
    ("ssh://git@github.com/o/r.git", None, None),
    ("HTTPS://github.com/o/r", None, None),
    ("docs", None, None),
    ("", None, None),
    (None, None, None),
]


@pytest.mark.parametrize("git_repo, repo_url, commit_url", URL_CASES)
def test_repo_and_commit_urls(server, git_repo, repo_url, commit_url):
    create(server, "u1", git_repo=git_repo, git_commit_hash="abc1234")
    repo = server.get("/api/v1/runs/u1/repo-url")
    commit = server.get("/api/v1/runs/u1/commit-url")
    assert repo.status == 200 and commit.status == 200
    assert repo.body == compact({"repo_url": repo_url})
    assert commit.body == compact({"commit_url": commit_url})
    record = server.get("/api/v1/runs/u1").json()
    assert (record["repo_url"], record["commit_url"]) == (repo_url, commit_url)


@pytest.mark.parametrize("commit_hash", [None, ""])
def test_commit_url_is_null_without_a_hash(server, commit_hash):
    create(server, "u2", git_repo="https://github.com/o/r", git_commit_hash=commit_hash)
    assert server.get("/api/v1/runs/u2/commit-url").body == b'{"commit_url":null}'
    assert server.get("/api/v1/runs/u2/repo-url").body == b'{"repo_url":"https://github.com/o/r"}'


def test_commit_url_inserts_the_hash_exactly_as_stored(server):
    create(server, "u3", git_repo="git@github.com:o/r.git", git_commit_hash=" AbC 12/34 ")
    assert server.get("/api/v1/runs/u3/commit-url").json() == \
        {"commit_url": "https://github.com/o/r/commit/ AbC 12/34 "}


def test_patch_over_long_field_is_422_and_changes_nothing(server):
    before = create(server, "p-long")
    response = server.patch("/api/v1/runs/p-long", body={"error_summary": "e" * (1024 * 1024 + 1),
                                                         "status": "failure"})
    assert response.status == 422
    [error] = response.json()["detail"]
    assert (error["type"], error["loc"], error["ctx"]) == (
        "string_too_long", ["body", "error_summary"], {"max_length": 1048576})
    assert server.get("/api/v1/runs/p-long").json() == before
