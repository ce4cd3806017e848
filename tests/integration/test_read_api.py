"""GET /api/v1/runs (filters, pagination, 400/422), GET /api/v1/runs/{event_id}
(the run record of docs/reference/http-api.md §12.3), path matching (2.1), HEAD and 405,
against the real binary."""
import http.client
import json
import urllib.parse

import pytest

from harness import Server, run

COLUMNS = [
    "id", "event_id", "run_id", "schema_version", "created_at", "updated_at", "start_time",
    "end_time", "agent_name", "agent_owner", "job_type", "status", "product", "product_family",
    "platform", "subdomain", "website", "website_section", "item_name", "items_discovered",
    "items_succeeded", "items_failed", "items_skipped", "duration_ms", "input_summary",
    "output_summary", "source_ref", "target_ref", "error_summary", "error_details", "git_repo",
    "git_branch", "git_commit_hash", "git_run_tag", "git_commit_source", "git_commit_author",
    "git_commit_timestamp", "host", "environment", "trigger_type", "metrics_json", "context_json",
    "api_posted", "api_posted_at", "api_retry_count", "insight_id", "parent_run_id",
]

STATUS_400 = ("Invalid status. Must be one of: ['running', 'success', 'failure', 'partial', "
              "'timeout', 'cancelled']")


def created(server, *bodies):
    response = server.post("/api/v1/runs/batch", body=list(bodies))
    assert response.status == 201, response.body
    assert response.json()["inserted"] == len(bodies)


def ids(response):
    assert response.status == 200, response.body
    return [record["event_id"] for record in response.json()]


def get(server, path, **params):
    if params:
        path += "?" + urllib.parse.urlencode(params)
    return server.get(path)


# --- A shared data set for the filter tests -------------------------------------------------

@pytest.fixture(scope="module")
def filled():
    """Eight runs with distinct created_at/start_time, agents, job types and statuses."""
    with Server() as server:
        created(
            server,
            run("f1", agent_name="crawler", job_type="crawl", status="success",
                created_at="2026-01-10T08:00:00+00:00", start_time="2026-01-10T07:59:00.000000+00:00"),
            run("f2", agent_name="crawler", job_type="crawl", status="failure",
                created_at="2026-01-11T08:00:00+00:00", start_time="2026-01-11T07:59:00.000000+00:00"),
            run("f3", agent_name="Crawler", job_type="crawl", status="success",
                created_at="2026-01-12T08:00:00+00:00", start_time="2026-01-12T07:59:00.000000+00:00"),
            run("f4", agent_name="translator", job_type="translate", status="cancelled",
                created_at="2026-01-13T08:00:00+00:00", start_time="2026-01-13T07:59:00.000000+00:00"),
            run("f5", agent_name="translator", job_type="translate", status="running",
                created_at="2026-01-14T08:00:00+00:00", start_time="2026-01-14T07:59:00.000000+00:00"),
            run("f6", agent_name="translator", job_type="crawl", status="partial",
                created_at="2026-01-15T08:00:00+00:00", start_time="2026-01-15T07:59:00.000000+00:00"),
            run("f7", agent_name="crawler", job_type="crawl", status="timeout",
                created_at="2026-01-16T08:00:00+00:00", start_time="2026-01-16T07:59:00.000000+00:00"),
            run("f8", agent_name="crawler", job_type="crawl", status="success",
                created_at="2026-01-17T08:00:00+05:00", start_time="2026-01-17T02:59:00.000000+00:00"),
        )
        yield server


def test_list_is_newest_first(filled):
    # f8's created_at 08:00+05:00 is 03:00Z on the 17th: still the newest.
    assert ids(get(filled, "/api/v1/runs")) == ["f8", "f7", "f6", "f5", "f4", "f3", "f2", "f1"]


def test_list_response_is_compact_json_array_of_run_records(filled):
    response = get(filled, "/api/v1/runs", limit=1)
    assert response.status == 200
    assert response.header("Content-Type") == "application/json"
    assert response.body.startswith(b'[{"id":')
    assert b", " not in response.body and b'": ' not in response.body
    records = response.json()
    assert list(records[0].keys()) == COLUMNS + ["commit_url", "repo_url"]


def test_filter_agent_name_is_exact_and_case_sensitive(filled):
    assert ids(get(filled, "/api/v1/runs", agent_name="crawler")) == ["f8", "f7", "f2", "f1"]
    assert ids(get(filled, "/api/v1/runs", agent_name="Crawler")) == ["f3"]
    assert ids(get(filled, "/api/v1/runs", agent_name="crawl")) == []


def test_filter_job_type(filled):
    assert ids(get(filled, "/api/v1/runs", job_type="translate")) == ["f5", "f4"]


@pytest.mark.parametrize("value, expected", [
    ("success", ["f8", "f3", "f1"]),
    ("Completed", ["f8", "f3", "f1"]),
    ("SUCCEEDED", ["f8", "f3", "f1"]),
    ("  failed ", ["f2"]),
    ("Failure", ["f2"]),
    ("canceled", ["f4"]),
    ("CANCELLED", ["f4"]),
    ("running", ["f5"]),
    ("partial", ["f6"]),
    ("timeout", ["f7"]),
])
def test_filter_status_with_aliases(filled, value, expected):
    assert ids(get(filled, "/api/v1/runs", status=value)) == expected


@pytest.mark.parametrize("value", ["done", "succes", "ok", "pending", "  "])
def test_filter_bad_status_is_400(filled, value):
    response = get(filled, "/api/v1/runs", status=value)
    assert response.status == 400
    assert response.json() == {"detail": STATUS_400}
    assert response.body == json.dumps({"detail": STATUS_400}, separators=(",", ":")).encode()


def test_filters_combine_with_and(filled):
    assert ids(get(filled, "/api/v1/runs", agent_name="crawler", status="success")) == ["f8", "f1"]
    assert ids(get(filled, "/api/v1/runs", agent_name="translator", job_type="crawl")) == ["f6"]
    assert ids(get(filled, "/api/v1/runs", agent_name="crawler", job_type="crawl", status="failure",
                   created_after="2026-01-01", created_before="2026-02-01")) == ["f2"]


def test_empty_parameters_are_ignored_and_the_last_repeat_wins(filled):
    assert ids(filled.get("/api/v1/runs?status=&agent_name=&created_after=&limit=&offset=")) == \
        ["f8", "f7", "f6", "f5", "f4", "f3", "f2", "f1"]
    assert ids(filled.get("/api/v1/runs?agent_name=translator&agent_name=Crawler")) == ["f3"]
    assert ids(filled.get("/api/v1/runs?limit=1&limit=2")) == ["f8", "f7"]
    # The last occurrence is taken first; when it is empty the filter is not given.
    assert len(ids(filled.get("/api/v1/runs?agent_name=Crawler&agent_name="))) == 8


def test_unknown_query_parameters_are_ignored(filled):
    assert len(ids(get(filled, "/api/v1/runs", colour="blue", page=3))) == 8


def test_created_before_and_after_are_exclusive(filled):
    assert ids(get(filled, "/api/v1/runs", created_after="2026-01-15T08:00:00+00:00")) == ["f8", "f7"]
    assert ids(get(filled, "/api/v1/runs", created_before="2026-01-11T08:00:00+00:00")) == ["f1"]
    assert ids(get(filled, "/api/v1/runs", created_after="2026-01-11T08:00:00Z",
                   created_before="2026-01-13T08:00:00Z")) == ["f3"]


def test_start_time_from_and_to_are_inclusive(filled):
    assert ids(get(filled, "/api/v1/runs", start_time_from="2026-01-16T07:59:00+00:00")) == ["f8", "f7"]
    assert ids(get(filled, "/api/v1/runs", start_time_from="2026-01-16T07:59:00.000001+00:00")) == ["f8"]
    assert ids(get(filled, "/api/v1/runs", start_time_to="2026-01-10T07:59:00Z")) == ["f1"]
    assert ids(get(filled, "/api/v1/runs", start_time_from="2026-01-12T07:59:00Z",
                   start_time_to="2026-01-13T07:59:00Z")) == ["f4", "f3"]


def test_time_filters_are_normalised_across_offsets(filled):
    # 09:00+01:00 is 08:00Z: exclusive bound, so f6 itself is out.
    assert ids(get(filled, "/api/v1/runs", created_after="2026-01-15T09:00:00+01:00")) == ["f8", "f7"]
    # -05:00 shifts past midnight into the next day.
    assert ids(get(filled, "/api/v1/runs", created_after="2026-01-15T22:00:00-05:00")) == ["f8", "f7"]
    assert ids(get(filled, "/api/v1/runs", created_after="2026-01-16T02:59:59.999999-05:00")) == ["f8", "f7"]
    assert ids(get(filled, "/api/v1/runs", created_after="2026-01-16T03:00:00-05:00")) == ["f8"]
    # Compact offset forms and lower-case z.
    assert ids(get(filled, "/api/v1/runs", created_after="2026-01-16T12:59:59+0500")) == ["f8", "f7"]
    assert ids(get(filled, "/api/v1/runs", created_after="2026-01-16T13:00:00+0500")) == ["f8"]
    assert ids(get(filled, "/api/v1/runs", created_after="2026-01-16t08:00:00z")) == ["f8"]
    # f8's stored created_at is 03:00Z, not its sent 08:00+05:00.
    assert ids(get(filled, "/api/v1/runs", created_before="2026-01-17T03:00:00.000001Z",
                   created_after="2026-01-17T02:59:59Z")) == ["f8"]


def test_date_alone_means_midnight_utc(filled):
    assert ids(get(filled, "/api/v1/runs", created_after="2026-01-16")) == ["f8", "f7"]
    assert ids(get(filled, "/api/v1/runs", created_before="2026-01-11")) == ["f1"]
    assert ids(get(filled, "/api/v1/runs", start_time_from="2026-01-17")) == ["f8"]


def test_unencoded_plus_in_a_time_filter_still_means_plus(filled):
    # Typed unencoded, '+' arrives as a space; the service reads it back as '+'.
    assert ids(filled.get("/api/v1/runs?created_after=2026-01-15T09:00:00+01:00")) == ["f8", "f7"]
    assert ids(filled.get("/api/v1/runs?created_after=2026-01-15T09:00:00+0100")) == ["f8", "f7"]
    assert ids(filled.get("/api/v1/runs?created_after=2026-01-15T09:00:00+01")) == ["f8", "f7"]
    assert ids(filled.get("/api/v1/runs?created_after=2026-01-15T09:00:00%2B01:00")) == ["f8", "f7"]
    assert ids(filled.get("/api/v1/runs?created_after=2026-01-15%2009:00:00%2B01:00")) == ["f8", "f7"]


@pytest.mark.parametrize("param", ["created_before", "created_after", "start_time_from", "start_time_to"])
@pytest.mark.parametrize("value", ["yesterday", "2026-13-01", "2026-01-14T24:00:00", "20260114T091502Z",
                                   "2026-01-14T09:15:02+00:00 ", "2026-01-14+00:00", "2026-02-30"])
def test_bad_time_filter_is_400_naming_param_and_value(filled, param, value):
    response = get(filled, "/api/v1/runs", **{param: value})
    assert response.status == 400
    assert response.json() == {"detail": "Invalid ISO8601 timestamp for %s: '%s'" % (param, value)}


def test_bad_time_filter_value_is_the_decoded_parameter(filled):
    response = filled.get("/api/v1/runs?created_after=next%20w%C3%A9ek")
    assert response.status == 400
    assert response.body == ("{\"detail\":\"Invalid ISO8601 timestamp for created_after: 'next w\u00e9ek'\"}"
                             .encode("utf-8"))


def test_400_checks_run_in_order_status_first(filled):
    response = get(filled, "/api/v1/runs", start_time_to="x", start_time_from="y", created_after="z",
                   created_before="w", status="nope")
    assert response.json() == {"detail": STATUS_400}
    response = get(filled, "/api/v1/runs", start_time_to="x", start_time_from="y", created_after="z",
                   created_before="w")
    assert response.json() == {"detail": "Invalid ISO8601 timestamp for created_before: 'w'"}
    response = get(filled, "/api/v1/runs", start_time_to="x", start_time_from="y", created_after="z")
    assert response.json() == {"detail": "Invalid ISO8601 timestamp for created_after: 'z'"}
    response = get(filled, "/api/v1/runs", start_time_to="x", start_time_from="y")
    assert response.json() == {"detail": "Invalid ISO8601 timestamp for start_time_from: 'y'"}


# --- limit / offset -------------------------------------------------------------------------

def error_422(loc, type_, msg, input_, ctx=None):
    error = {"type": type_, "loc": loc, "msg": msg, "input": input_}
    if ctx is not None:
        error["ctx"] = ctx
    return error


@pytest.mark.parametrize("query, errors", [
    ("limit=0", [error_422(["query", "limit"], "greater_than_equal",
                           "Input should be greater than or equal to 1", "0", {"ge": 1})]),
    ("limit=-3", [error_422(["query", "limit"], "greater_than_equal",
                            "Input should be greater than or equal to 1", "-3", {"ge": 1})]),
    ("limit=1001", [error_422(["query", "limit"], "less_than_equal",
                              "Input should be less than or equal to 1000", "1001", {"le": 1000})]),
    ("limit=99999999999999999999", [error_422(["query", "limit"], "less_than_equal",
                                              "Input should be less than or equal to 1000",
                                              "99999999999999999999", {"le": 1000})]),
    ("limit=ten", [error_422(["query", "limit"], "int_parsing",
                             "Input should be a valid integer, unable to parse string as an integer", "ten")]),
    ("limit=1.5", [error_422(["query", "limit"], "int_parsing",
                             "Input should be a valid integer, unable to parse string as an integer", "1.5")]),
    ("offset=-1", [error_422(["query", "offset"], "greater_than_equal",
                             "Input should be greater than or equal to 0", "-1", {"ge": 0})]),
    ("offset=1e3", [error_422(["query", "offset"], "int_parsing",
                              "Input should be a valid integer, unable to parse string as an integer", "1e3")]),
    ("offset=99999999999999999999", [error_422(["query", "offset"], "less_than_equal",
                                               "Input should be less than or equal to 9223372036854775807",
                                               "99999999999999999999", {"le": 9223372036854775807})]),
    ("limit=0&offset=-1", [
        error_422(["query", "limit"], "greater_than_equal", "Input should be greater than or equal to 1", "0",
                  {"ge": 1}),
        error_422(["query", "offset"], "greater_than_equal", "Input should be greater than or equal to 0", "-1",
                  {"ge": 0})]),
    # q: at most as many characters as an id can hold (§9.1 labels), reported with limit/offset.
    ("q=" + "x" * 257, [error_422(["query", "q"], "string_too_long", "String should have at most 256 characters",
                                  "x" * 257, {"max_length": 256})]),
    ("limit=0&q=" + "x" * 257, [
        error_422(["query", "limit"], "greater_than_equal", "Input should be greater than or equal to 1", "0",
                  {"ge": 1}),
        error_422(["query", "q"], "string_too_long", "String should have at most 256 characters", "x" * 257,
                  {"max_length": 256})]),
    # limit/offset are checked before status and the time filters.
    ("offset=x&status=bogus&created_after=bogus", [
        error_422(["query", "offset"], "int_parsing",
                  "Input should be a valid integer, unable to parse string as an integer", "x")]),
])
def test_limit_offset_and_q_errors_are_422(filled, query, errors):
    response = filled.get("/api/v1/runs?" + query)
    assert response.status == 422
    assert response.json() == {"detail": errors}
    assert response.body == json.dumps({"detail": errors}, separators=(",", ":")).encode()


@pytest.mark.parametrize("query, expected", [
    ("limit=%205%20", 5), ("limit=3.00", 3), ("limit=%2B2", 2), ("limit=1000", 8), ("limit=1", 1),
])
def test_limit_follows_the_integer_rules(filled, query, expected):
    assert len(ids(filled.get("/api/v1/runs?" + query))) == expected


def test_offset_past_the_end_is_an_empty_array(filled):
    response = get(filled, "/api/v1/runs", offset=8)
    assert response.status == 200 and response.body == b"[]"
    assert get(filled, "/api/v1/runs", offset=9223372036854775807).body == b"[]"


def test_pagination_pages_never_overlap_even_with_equal_created_at():
    with Server() as server:
        same = "2026-02-01T00:00:00.000000+00:00"
        created(server, *[run("p%03d" % i, created_at=same if i % 3 else "2026-02-0%dT00:00:00Z" % (1 + i % 9))
                          for i in range(107)])
        everything = ids(get(server, "/api/v1/runs", limit=1000))
        assert len(everything) == 107
        pages = []
        for offset in range(0, 120, 10):
            pages.extend(ids(get(server, "/api/v1/runs", limit=10, offset=offset)))
        assert pages == everything
        assert len(set(pages)) == 107
        # Ties on created_at are ordered by id descending (newest insert first).
        rows = get(server, "/api/v1/runs", limit=1000).json()
        keys = [(r["created_at"], r["id"]) for r in rows]
        assert keys == sorted(keys, reverse=True)
        # The default limit is 100.
        assert len(ids(server.get("/api/v1/runs"))) == 100


def test_empty_database_lists_nothing(server):
    response = server.get("/api/v1/runs")
    assert response.status == 200
    assert response.body == b"[]"


# --- GET /api/v1/runs/{event_id} ------------------------------------------------------------

FULL_RUN = {
    "event_id": "3f1c9a2e", "run_id": "20260114T091502Z-doc-translator-7c41e2a9",
    "created_at": "2026-01-14 14:45:02,418230+05:30",
    "start_time": "2026-01-14T09:15:02.401118+00:00", "end_time": "2026-01-14T09:17:44.990501+00:00",
    "agent_name": "doc-translator", "agent_owner": "platform-team", "job_type": "translate",
    "status": "Completed", "product": "words", "product_family": "documents", "platform": "net",
    "subdomain": None, "website": "docs.example.org", "website_section": "guides",
    "item_name": "getting-started.md", "items_discovered": 40, "items_succeeded": 38, "items_failed": 1,
    "items_skipped": 1, "duration_ms": 162589, "input_summary": "40 pages", "output_summary": "38 translated",
    "error_summary": "1 page failed", "git_repo": "git@github.com:example/docs.git", "git_branch": "main",
    "git_commit_hash": "9b2e4c1d7a", "git_commit_source": "ci", "git_commit_author": "ci-bot",
    "git_commit_timestamp": "2026-01-14T09:18:00+00:00", "host": "build-07", "environment": "prod",
    "trigger_type": "scheduler", "metrics_json": {"pages_per_minute": 14.70, "retries": 2},
    "context_json": None, "api_posted": "yes", "api_retry_count": 0,
}


def test_get_run_returns_the_record_of_12_3(server):
    assert server.post("/api/v1/runs", body=FULL_RUN).status == 201
    response = server.get("/api/v1/runs/3f1c9a2e")
    assert response.status == 200
    assert response.header("Content-Type") == "application/json"
    record = response.json()
    assert list(record.keys()) == COLUMNS + ["commit_url", "repo_url"]
    assert record["id"] == 1
    assert record["schema_version"] == 7
    assert record["created_at"] == "2026-01-14T09:15:02.418230+00:00"
    assert record["status"] == "success"
    assert record["metrics_json"] == {"pages_per_minute": 14.7, "retries": 2}
    assert record["context_json"] is None
    assert record["api_posted"] is True
    assert record["subdomain"] is None and record["parent_run_id"] is None
    assert record["items_discovered"] == 40 and record["duration_ms"] == 162589
    assert record["commit_url"] == "https://github.com/example/docs/commit/9b2e4c1d7a"
    assert record["repo_url"] == "https://github.com/example/docs"
    assert b'"metrics_json":{"pages_per_minute":14.7,"retries":2}' in response.body
    assert b'"api_posted":true' in response.body
    # The list shows the very same record.
    assert get(server, "/api/v1/runs").json() == [record]


def test_api_posted_false_and_null_become_false(server):
    assert server.post("/api/v1/runs", body=run("a0", api_posted=0)).status == 201
    assert server.get("/api/v1/runs/a0").json()["api_posted"] is False
    # A row written by another tool with NULL in api_posted.
    with_sqlite(server, "UPDATE agent_runs SET api_posted = NULL WHERE event_id = 'a0'")
    assert server.get("/api/v1/runs/a0").json()["api_posted"] is False
    with_sqlite(server, "UPDATE agent_runs SET api_posted = 5 WHERE event_id = 'a0'")
    assert server.get("/api/v1/runs/a0").json()["api_posted"] is True


def with_sqlite(server, sql, params=()):
    import sqlite3
    connection = sqlite3.connect(server.db_path, timeout=30)
    try:
        connection.execute(sql, params)
        connection.commit()
    finally:
        connection.close()


def test_stored_json_text_that_does_not_parse_is_kept_with_a_parse_error(server):
    assert server.post("/api/v1/runs", body=run("bad-json")).status == 201
    with_sqlite(server, "UPDATE agent_runs SET metrics_json = ?, context_json = ? WHERE event_id = 'bad-json'",
                ('{"a":', "not json"))
    record = server.get("/api/v1/runs/bad-json").json()
    assert record["metrics_json"] == '{"a":'
    assert record["context_json"] == "not json"
    keys = list(record.keys())
    assert keys[-4:] == ["metrics_json_parse_error", "context_json_parse_error", "commit_url", "repo_url"]
    assert keys[:47] == COLUMNS
    assert isinstance(record["metrics_json_parse_error"], str) and record["metrics_json_parse_error"]
    assert isinstance(record["context_json_parse_error"], str) and record["context_json_parse_error"]


def test_stored_json_of_any_type_is_parsed_and_empty_text_stays_empty(server):
    assert server.post("/api/v1/runs", body=run("any-json")).status == 201
    with_sqlite(server, "UPDATE agent_runs SET metrics_json = '[1, 2]', context_json = '' "
                        "WHERE event_id = 'any-json'")
    record = server.get("/api/v1/runs/any-json").json()
    assert record["metrics_json"] == [1, 2]
    assert record["context_json"] == ""
    assert "metrics_json_parse_error" not in record and "context_json_parse_error" not in record
    with_sqlite(server, "UPDATE agent_runs SET context_json = 'x' WHERE event_id = 'any-json'")
    keys = list(server.get("/api/v1/runs/any-json").json().keys())
    assert keys[47:] == ["context_json_parse_error", "commit_url", "repo_url"]


def test_invalid_utf8_and_blobs_are_replaced_not_refused(server):
    assert server.post("/api/v1/runs", body=run("utf8")).status == 201
    with_sqlite(server, "UPDATE agent_runs SET product = CAST(X'6162FF63' AS TEXT), website = X'C3BC' "
                        "WHERE event_id = 'utf8'")
    response = server.get("/api/v1/runs/utf8")
    assert response.status == 200
    record = response.json()
    assert record["product"] == "ab\ufffdc"
    assert record["website"] == "\u00fc"


def test_non_ascii_is_sent_as_utf8_not_escaped(server):
    assert server.post("/api/v1/runs", body=run("\u00fcber-1", agent_name="\u00dcbersetzer")).status == 201
    response = server.get("/api/v1/runs/%C3%BCber-1")
    assert response.status == 200
    assert "\"agent_name\":\"\u00dcbersetzer\"".encode("utf-8") in response.body
    assert b"\\u" not in response.body


def test_unknown_run_is_404_naming_it(server):
    response = server.get("/api/v1/runs/nope")
    assert response.status == 404
    assert response.body == b'{"detail":"Run not found: nope"}'
    # GET /api/v1/runs/batch is the single-run route.
    response = server.get("/api/v1/runs/batch")
    assert response.status == 404
    assert response.json() == {"detail": "Run not found: batch"}


def test_event_id_with_slash_plus_and_space_is_reachable(server):
    assert server.post("/api/v1/runs/batch", body=[run("a/b"), run("c+d"), run("e f")]).status == 201
    assert server.get("/api/v1/runs/a%2Fb").json()["event_id"] == "a/b"
    assert server.get("/api/v1/runs/a%2fb/repo-url").status == 200
    assert server.get("/api/v1/runs/c+d").json()["event_id"] == "c+d"
    assert server.get("/api/v1/runs/c%2Bd").json()["event_id"] == "c+d"
    assert server.get("/api/v1/runs/e%20f").json()["event_id"] == "e f"
    # "a/b" unencoded is two segments: a different, unknown path.
    assert server.get("/api/v1/runs/a/b").json() == {"detail": "Not Found"}
    response = server.get("/api/v1/runs/x%2Fy")
    assert response.json() == {"detail": "Run not found: x/y"}


def test_one_trailing_slash_is_served_without_redirect(server):
    assert server.post("/api/v1/runs", body=run("t1")).status == 201
    response = server.get("/api/v1/runs/")
    assert response.status == 200 and len(response.json()) == 1
    assert server.get("/api/v1/runs/t1/").json()["event_id"] == "t1"
    assert server.get("/api/v1/runs/t1/commit-url/").status == 200
    assert server.get("/api/v1/metadata/").status == 200
    assert server.get("/health/").status == 200
    assert server.get("/api/v1/runs//").status == 404


@pytest.mark.parametrize("path", ["/docs", "/redoc", "/openapi.json", "/version", "/api/v1/metadata/agent_name",
                                  "/api/v1", "/api/v1/runs/x/y", "/api/v2/runs", "/favicon.ico"])
def test_unknown_paths_are_404_not_found(server, path):
    response = server.get(path)
    assert response.status == 404
    assert response.body == b'{"detail":"Not Found"}'
    assert response.header("Content-Type") == "application/json"


@pytest.mark.parametrize("method, path, allow", [
    ("DELETE", "/api/v1/runs", "GET, HEAD, POST"),
    ("PUT", "/api/v1/runs", "GET, HEAD, POST"),
    ("PATCH", "/api/v1/runs", "GET, HEAD, POST"),
    ("OPTIONS", "/api/v1/runs", "GET, HEAD, POST"),
    ("POST", "/api/v1/runs/e1", "GET, HEAD, PATCH"),
    ("DELETE", "/api/v1/runs/e1", "GET, HEAD, PATCH"),
    ("PUT", "/api/v1/runs/batch", "GET, HEAD, PATCH, POST"),
    ("GET", "/api/v1/runs/e1/associate-commit", "POST"),
    ("POST", "/api/v1/runs/e1/commit-url", "GET, HEAD"),
    ("DELETE", "/api/v1/runs/e1/repo-url", "GET, HEAD"),
    ("POST", "/api/v1/metadata", "GET, HEAD"),
    ("POST", "/health", "GET, HEAD"),
    ("OPTIONS", "/health", "GET, HEAD"),
    ("DELETE", "/metrics", "GET, HEAD"),
])
def test_wrong_method_is_405_with_allow(server, method, path, allow):
    response = server.request(method, path)
    assert response.status == 405
    assert response.body == b'{"detail":"Method Not Allowed"}'
    assert response.header("Allow") == allow
    assert response.header("Access-Control-Allow-Origin") is None


GET_ROUTES = ["/health", "/metrics", "/api/v1/runs", "/api/v1/runs/h1", "/api/v1/runs/h1/commit-url",
              "/api/v1/runs/h1/repo-url", "/api/v1/metadata", "/api/v1/runs/missing", "/nowhere",
              "/api/v1/runs?status=bogus", "/api/v1/runs?limit=0"]


@pytest.mark.parametrize("path", GET_ROUTES)
def test_head_answers_like_get_without_a_body(server, path):
    assert server.post("/api/v1/runs", body=run("h1", git_repo="https://github.com/o/r",
                                                git_commit_hash="abc1234")).status in (200, 201)
    server.get(path)  # fills the metadata cache, so GET and HEAD below both hit it
    got = server.get(path)
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    try:
        connection.request("HEAD", path)
        head = connection.getresponse()
        body = head.read()
        assert head.status == got.status
        assert body == b""
        assert head.getheader("Content-Type") == got.header("Content-Type")
        if path != "/metrics":  # the body of /metrics changes with every request (counters)
            assert head.getheader("Content-Length") == got.header("Content-Length")
    finally:
        connection.close()


# --- Query plans: the service picks an index per request; every choice must give the same page

def expected_ids(server, where="", params=(), limit=100, offset=0):
    sql = ("SELECT event_id FROM agent_runs %s ORDER BY created_at DESC, id DESC LIMIT ? OFFSET ?" % where)
    return [row[0] for row in server.query(sql, tuple(params) + (limit, offset))]


PLAN_QUERIES = [
    # (query parameters, equivalent SQL WHERE, SQL parameters)
    ({}, "", ()),
    ({"status": "success"}, "WHERE status = ?", ("success",)),          # common: walk newest first
    ({"status": "timeout"}, "WHERE status = ?", ("timeout",)),          # rare: collect through idx_runs_status
    ({"job_type": "crawl"}, "WHERE job_type = ?", ("crawl",)),
    ({"job_type": "rare"}, "WHERE job_type = ?", ("rare",)),
    ({"status": "success", "job_type": "crawl"}, "WHERE status = ? AND job_type = ?", ("success", "crawl")),
    ({"agent_name": "a1"}, "WHERE agent_name = ?", ("a1",)),
    ({"agent_name": "a1", "status": "success"}, "WHERE agent_name = ? AND status = ?", ("a1", "success")),
    ({"agent_name": "a2", "job_type": "rare"}, "WHERE agent_name = ? AND job_type = ?", ("a2", "rare")),
    ({"start_time_from": "2026-03-01T00:00:00Z"}, "WHERE start_time >= ?", ("2026-03-01T00:00:00.000000+00:00",)),
    ({"start_time_from": "2026-03-01", "start_time_to": "2026-03-01T00:20:00Z", "status": "success"},
     "WHERE start_time >= ? AND start_time <= ? AND status = ?",
     ("2026-03-01T00:00:00.000000+00:00", "2026-03-01T00:20:00.000000+00:00", "success")),
    ({"created_after": "2026-03-01T00:10:00Z", "status": "success"}, "WHERE created_at > ? AND status = ?",
     ("2026-03-01T00:10:00.000000+00:00", "success")),
    ({"created_before": "2026-03-01T00:10:00Z", "job_type": "rare"}, "WHERE created_at < ? AND job_type = ?",
     ("2026-03-01T00:10:00.000000+00:00", "rare")),
]


@pytest.fixture(scope="module")
def many():
    """1,600 runs: enough for the service to walk the created_at index for common
    filters (it collects through a filter's index below 1,000 matches)."""
    with Server() as server:
        for first in range(0, 1600, 800):
            body = []
            for i in range(first, first + 800):
                minute, second = divmod(i, 60)
                body.append(run("m%04d" % i, agent_name="a%d" % (i % 3),
                                job_type="rare" if i % 97 == 0 else "crawl",
                                status="timeout" if i % 89 == 0 else "success",
                                # Groups of equal created_at so ties are ordered by id.
                                created_at="2026-03-01T00:%02d:00Z" % ((i // 7) % 60),
                                start_time="2026-03-01T00:%02d:%02d.000000+00:00" % (minute % 60, second)))
            response = server.post("/api/v1/runs/batch", body=body)
            assert response.status == 201
        yield server


@pytest.mark.parametrize("params, where, values", PLAN_QUERIES)
@pytest.mark.parametrize("limit, offset", [(100, 0), (7, 1200), (1000, 0), (50, 10)])
def test_every_plan_gives_the_order_of_the_spec(many, params, where, values, limit, offset):
    query = dict(params, limit=limit, offset=offset)
    assert ids(get(many, "/api/v1/runs", **query)) == expected_ids(many, where, values, limit, offset)


def test_plans_without_the_canonical_indexes():
    """serve accepts a database whose indexes are missing (docs/reference/schema.md §2.2); the
    answers must not change, only their speed."""
    with Server() as server:
        created(server, *[run("n%03d" % i, status="success" if i % 4 else "failure",
                              agent_name="a%d" % (i % 2), job_type="j%d" % (i % 3),
                              created_at="2026-03-01T00:%02d:00Z" % (i % 60)) for i in range(150)])
        with_sqlite(server, "DROP INDEX idx_runs_status")
        with_sqlite(server, "DROP INDEX idx_runs_created_desc")
        with_sqlite(server, "DROP INDEX idx_runs_agent_created")
        with_sqlite(server, "DROP INDEX idx_runs_agent")
        with_sqlite(server, "DROP INDEX idx_runs_job_type")
        for params, where, values in [({}, "", ()), ({"status": "success"}, "WHERE status = ?", ("success",)),
                                      ({"agent_name": "a1"}, "WHERE agent_name = ?", ("a1",)),
                                      ({"job_type": "j2"}, "WHERE job_type = ?", ("j2",))]:
            assert ids(get(server, "/api/v1/runs", limit=40, offset=5, **params)) == \
                expected_ids(server, where, values, 40, 5)
        metadata = server.get("/api/v1/metadata").json()
        assert metadata["agent_names"] == ["a0", "a1"] and metadata["job_types"] == ["j0", "j1", "j2"]
