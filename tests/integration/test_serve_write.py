"""POST /api/v1/runs and /batch, /health and /metrics against the real binary (issue 2)."""
import gzip
import json
import threading

from harness import run


def test_post_creates_201_then_duplicate_200_leaves_row_unchanged(server):
    first = server.post("/api/v1/runs", run("e-1", items_failed=3))
    assert first.status == 201
    assert first.body == b'{"status":"created","event_id":"e-1","run_id":"run-e-1"}'
    before = server.query("SELECT * FROM agent_runs")

    again = server.post("/api/v1/runs", run("e-1", items_failed=9, agent_name="other"))
    assert again.status == 200
    assert again.json() == {"status": "duplicate", "event_id": "e-1",
                            "message": "Event already exists (idempotent)"}
    assert server.query("SELECT * FROM agent_runs") == before
    assert server.query("SELECT items_failed, agent_name, schema_version FROM agent_runs") == [(3, "crawler", 7)]


def test_post_stores_canonical_created_at_and_normalised_status(server):
    response = server.post("/api/v1/runs", run("e-2", status=" Completed ",
                                                created_at="2026-01-14 14:45:02,5+05:30",
                                                metrics_json='{"pages": 120, "city": "Z\\u00fcrich"}'))
    assert response.status == 201
    (created_at, updated_at, status, metrics) = server.query(
        "SELECT created_at, updated_at, status, metrics_json FROM agent_runs")[0]
    assert created_at == "2026-01-14T09:15:02.500000+00:00"
    assert status == "success"
    assert metrics == '{"pages":120,"city":"Zürich"}'
    assert updated_at.endswith("+00:00") and len(updated_at) == 32


def test_post_validation_reports_every_bad_field_in_order(server):
    body = {"run_id": "r-17", "start_time": "2026-01-14T09:15:02+00:00", "agent_name": "crawler",
            "job_type": "crawl", "items_failed": -2}
    response = server.post("/api/v1/runs", body)
    assert response.status == 422
    assert response.json() == {"detail": [
        {"type": "missing", "loc": ["body", "event_id"], "msg": "Field required", "input": body},
        {"type": "greater_than_equal", "loc": ["body", "items_failed"],
         "msg": "Input should be greater than or equal to 0", "input": -2, "ctx": {"ge": 0}},
    ]}
    assert server.query("SELECT count(*) FROM agent_runs") == [(0,)]


def test_malformed_json_and_empty_body_are_422(server):
    bad = server.post("/api/v1/runs", raw=b'{"event_id": ')
    assert bad.status == 422
    error = bad.json()["detail"][0]
    assert error["type"] == "json_invalid" and error["loc"] == ["body", 13] and error["input"] == {}

    empty = server.post("/api/v1/runs", raw=b"")
    assert empty.status == 422
    assert empty.json() == {"detail": [{"type": "missing", "loc": ["body"], "msg": "Field required", "input": None}]}


def test_batch_bare_array_and_wrapper_with_in_batch_duplicates(server):
    response = server.post("/api/v1/runs/batch", [run("b-1"), run("b-2"), run("b-1")])
    assert response.status == 201
    assert response.body == b'{"status":"created","inserted":2,"duplicates":1,"errors":[],"total":3}'

    wrapped = server.post("/api/v1/runs/batch", {"runs": [run("b-2"), run("b-3")], "source": "x"})
    assert wrapped.status == 201
    assert wrapped.json() == {"status": "created", "inserted": 1, "duplicates": 1, "errors": [], "total": 2}

    all_duplicates = server.post("/api/v1/runs/batch", {"runs": [run("b-3")]})
    assert all_duplicates.status == 200
    assert all_duplicates.json()["status"] == "duplicate"

    empty = server.post("/api/v1/runs/batch", [])
    assert empty.status == 200
    assert empty.json() == {"status": "duplicate", "inserted": 0, "duplicates": 0, "errors": [], "total": 0}
    assert server.query("SELECT count(*) FROM agent_runs") == [(3,)]


def test_batch_is_all_or_nothing_and_lists_every_bad_item(server):
    items = [run("ok-1"), {"event_id": "", "run_id": "r", "agent_name": "a", "job_type": "j",
                           "start_time": "2026-01-14T09:15:02"}, run("ok-2", status="exploded"), "text"]
    response = server.post("/api/v1/runs/batch", {"runs": items})
    assert response.status == 422
    locs = [error["loc"] for error in response.json()["detail"]]
    assert locs == [["body", 1, "event_id"], ["body", 2, "status"], ["body", 3]]
    assert server.query("SELECT count(*) FROM agent_runs") == [(0,)]


def test_batch_shapes_that_are_not_lists(server):
    not_list = server.post("/api/v1/runs/batch", {"items": []})
    assert not_list.status == 422
    assert not_list.json()["detail"][0]["type"] == "list_type"
    assert not_list.json()["detail"][0]["loc"] == ["body"]
    runs_not_list = server.post("/api/v1/runs/batch", {"runs": {"a": 1}})
    assert runs_not_list.json()["detail"][0]["loc"] == ["body", "runs"]


def test_batch_over_the_item_limit_is_413(make_server):
    s = make_server(args=["--batch-max", "2"])
    response = s.post("/api/v1/runs/batch", [run("x-1"), run("x-2"), run("x-3")])
    assert response.status == 413
    assert response.json() == {"detail": "Batch too large: 3 runs; the limit is 2 per request"}


def test_body_over_the_limit_is_413_with_length_chunked_and_gzip(make_server):
    s = make_server(args=["--max-body-bytes", "2048"])
    big = json.dumps(run("big", input_summary="x" * 4000)).encode()
    assert s.post("/api/v1/runs", raw=big).status == 413
    assert s.post("/api/v1/runs", raw=big).json() == {"detail": "Request body too large: the limit is 2048 bytes"}

    def chunks():
        for i in range(0, len(big), 500):
            yield big[i:i + 500]
    chunked = s.request("POST", "/api/v1/runs", raw=chunks())  # http.client frames it as chunked
    assert chunked.status == 413

    compressed = gzip.compress(big)
    assert len(compressed) < 2048
    gz = s.request("POST", "/api/v1/runs", raw=compressed, headers={"Content-Encoding": "gzip"})
    assert gz.status == 413

    small = gzip.compress(json.dumps(run("small-gz")).encode())
    assert s.request("POST", "/api/v1/runs", raw=small, headers={"Content-Encoding": "gzip"}).status == 201
    assert s.get("/health").status == 200


def test_health_and_metrics_bodies(server):
    health = server.get("/health")
    assert health.status == 200
    assert health.header("Content-Type") == "application/json"
    assert health.json() == {"status": "ok", "version": "1.0.0", "db_path": server.db_path,
                             "journal_mode": "DELETE", "synchronous": "FULL", "schema_version": 7,
                             "writer": "ok"}
    server.post("/api/v1/runs/batch", [run("m-1"), run("m-2", agent_name="zeta"), run("m-3", agent_name="zeta")])
    metrics = server.get("/metrics")
    assert metrics.status == 200
    assert metrics.body == ('{"total_runs":3,"agents":{"zeta":2,"crawler":1},"recent_24h":3,'
                            '"performance":{"db_path":"%s","journal_mode":"DELETE"}}' % server.db_path).encode()


def test_unknown_route_404_and_wrong_method_405(server):
    assert server.get("/nope").json() == {"detail": "Not Found"}
    assert server.get("/docs").status == 404
    wrong = server.request("DELETE", "/api/v1/runs/abc")
    assert wrong.status == 405
    assert wrong.header("Allow") == "GET, HEAD, PATCH"
    assert wrong.json() == {"detail": "Method Not Allowed"}
    assert server.request("OPTIONS", "/api/v1/runs").status == 405


def test_sixteen_threads_posting_2000_distinct_events(server):
    statuses = []
    lock = threading.Lock()

    def worker(thread_index):
        import http.client
        connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
        mine = []
        for i in range(125):
            body = json.dumps(run("t%d-%d" % (thread_index, i))).encode()
            connection.request("POST", "/api/v1/runs", body=body)
            response = connection.getresponse()
            response.read()
            mine.append(response.status)
        connection.close()
        with lock:
            statuses.extend(mine)

    threads = [threading.Thread(target=worker, args=(t,)) for t in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(statuses) == 2000
    assert set(statuses) == {201}
    assert server.query("SELECT count(*), count(DISTINCT event_id) FROM agent_runs") == [(2000, 2000)]


def test_brotli_is_not_used_for_responses_gzip_is(server):
    server.post("/api/v1/runs/batch", [run("enc-%d" % i) for i in range(50)])
    br_only = server.get("/api/v1/runs?limit=50", headers={"Accept-Encoding": "br"})
    assert br_only.status == 200
    assert br_only.header("Content-Encoding") is None
    assert len(json.loads(br_only.body)) == 50
    both = server.get("/api/v1/runs?limit=50", headers={"Accept-Encoding": "br, gzip"})
    assert both.header("Content-Encoding") == "gzip"
    assert len(json.loads(gzip.decompress(both.body))) == 50


def test_over_long_text_fields_are_422_naming_field_and_limit(server):
    # Labels hold at most 256 characters, free text 1 MiB (docs/reference/http-api.md §9.1).
    assert server.post("/api/v1/runs", run("e-long-ok", agent_name="a" * 256)).status == 201
    response = server.post("/api/v1/runs", run("e-long", agent_name="a" * 2_000_000,
                                                error_details="x" * (1024 * 1024 + 1)))
    assert response.status == 422
    assert [(e["type"], e["loc"], e["msg"], e["ctx"]) for e in response.json()["detail"]] == [
        ("string_too_long", ["body", "agent_name"], "String should have at most 256 characters",
         {"max_length": 256}),
        ("string_too_long", ["body", "error_details"], "String should have at most 1048576 characters",
         {"max_length": 1048576}),
    ]
    assert server.query("SELECT event_id FROM agent_runs") == [("e-long-ok",)]


def test_batch_item_over_a_length_limit_is_located_by_index(server):
    response = server.post("/api/v1/runs/batch", [run("b-1"), run("b-2", host="h" * 257)])
    assert response.status == 422
    [error] = response.json()["detail"]
    assert error["loc"] == ["body", 1, "host"] and error["ctx"] == {"max_length": 256}
