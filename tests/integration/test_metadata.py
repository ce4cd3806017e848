"""GET /api/v1/metadata (docs/reference/http-api.md §15): distinct agent names and job types,
and a cache whose `cache_hit` tells the truth about every write."""
import json
import sqlite3

from harness import run


def metadata(server):
    response = server.get("/api/v1/metadata")
    assert response.status == 200, response.body
    assert response.header("Content-Type") == "application/json"
    return response


def prometheus_cache_counts(server):
    text = server.get("/metrics?format=prometheus").body.decode()
    counts = {}
    for line in text.splitlines():
        if line.startswith("telemetry_metadata_cache_requests_total{"):
            labels, value = line.rsplit(" ", 1)
            counts[labels.split('"')[1]] = float(value)
    return counts


def test_empty_database(server):
    response = metadata(server)
    assert response.body == (b'{"agent_names":[],"job_types":[],"counts":{"agent_names":0,"job_types":0},'
                             b'"cache_hit":false}')


def test_distinct_values_in_byte_order_with_counts(server):
    runs = [run("m1", agent_name="crawler", job_type="crawl"),
            run("m2", agent_name="crawler", job_type="translate"),
            run("m3", agent_name="Zeta", job_type="crawl"),
            run("m4", agent_name="\u00e9clair", job_type="Crawl"),
            run("m5", agent_name="alpha", job_type="crawl"),
            run("m6", agent_name="alpha-2", job_type="_x")]
    assert server.post("/api/v1/runs/batch", body=runs).status == 201
    response = metadata(server)
    # BINARY collation: upper case before '_' before lower case; UTF-8 multi-byte last.
    expected = {"agent_names": ["Zeta", "alpha", "alpha-2", "crawler", "\u00e9clair"],
                "job_types": ["Crawl", "_x", "crawl", "translate"],
                "counts": {"agent_names": 5, "job_types": 4}, "cache_hit": False}
    assert response.json() == expected
    assert response.body == json.dumps(expected, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def test_cache_hit_on_repeat_and_miss_after_each_kind_of_write(server):
    assert server.post("/api/v1/runs", body=run("c1", agent_name="a1", job_type="j1")).status == 201
    first = metadata(server).json()
    assert first["cache_hit"] is False
    assert first["agent_names"] == ["a1"]
    second = metadata(server).json()
    assert second["cache_hit"] is True
    assert {k: v for k, v in second.items() if k != "cache_hit"} == \
        {k: v for k, v in first.items() if k != "cache_hit"}

    # A POST that inserted drops the cache: the new agent shows at once.
    assert server.post("/api/v1/runs", body=run("c2", agent_name="a2", job_type="j2")).status == 201
    after_post = metadata(server).json()
    assert after_post["cache_hit"] is False
    assert after_post["agent_names"] == ["a1", "a2"] and after_post["job_types"] == ["j1", "j2"]
    assert metadata(server).json()["cache_hit"] is True

    # A duplicate POST changes nothing and keeps the cache.
    assert server.post("/api/v1/runs", body=run("c2", agent_name="other")).status == 200
    assert metadata(server).json()["cache_hit"] is True

    # A batch that inserted drops it; an all-duplicate batch does not.
    assert server.post("/api/v1/runs/batch", body=[run("c3", agent_name="a3"), run("c1")]).status == 201
    after_batch = metadata(server).json()
    assert after_batch["cache_hit"] is False and "a3" in after_batch["agent_names"]
    assert metadata(server).json()["cache_hit"] is True
    assert server.post("/api/v1/runs/batch", body={"runs": [run("c3"), run("c1")]}).status == 200
    assert metadata(server).json()["cache_hit"] is True

    # A successful PATCH drops it; a refused or unknown PATCH does not.
    assert server.patch("/api/v1/runs/c1", body={"status": "success"}).status == 200
    assert metadata(server).json()["cache_hit"] is False
    assert metadata(server).json()["cache_hit"] is True
    assert server.patch("/api/v1/runs/c1", body={}).status == 400
    assert server.patch("/api/v1/runs/ghost", body={"status": "success"}).status == 404
    assert server.patch("/api/v1/runs/c1", body={"status": "bogus"}).status == 422
    assert metadata(server).json()["cache_hit"] is True

    # associate-commit is not among the writes that drop the cache (agent and job type cannot change).
    assert server.post("/api/v1/runs/c1/associate-commit",
                       body={"commit_hash": "abc1234", "commit_source": "ci"}).status == 200
    assert metadata(server).json()["cache_hit"] is True

    # A rejected POST writes nothing and keeps the cache.
    assert server.post("/api/v1/runs", body={"event_id": "c9"}).status == 422
    assert metadata(server).json()["cache_hit"] is True


def test_cache_counters_in_prometheus_match_the_answers(server):
    before = prometheus_cache_counts(server)
    assert before == {"hit": 0.0, "miss": 0.0}
    metadata(server)                      # miss
    metadata(server)                      # hit
    metadata(server)                      # hit
    assert server.post("/api/v1/runs", body=run("k1")).status == 201
    metadata(server)                      # miss
    assert prometheus_cache_counts(server) == {"hit": 2.0, "miss": 2.0}


def test_changes_by_other_processes_are_seen_when_the_entry_is_dropped(server):
    assert server.post("/api/v1/runs", body=run("o1", agent_name="mine")).status == 201
    assert metadata(server).json()["agent_names"] == ["mine"]
    # Another process adds a row; the cached answer stays until something drops it.
    connection = sqlite3.connect(server.db_path, timeout=30)
    try:
        connection.execute("UPDATE agent_runs SET agent_name = 'theirs' WHERE event_id = 'o1'")
        connection.commit()
    finally:
        connection.close()
    cached = metadata(server).json()
    assert cached["cache_hit"] is True and cached["agent_names"] == ["mine"]
    assert server.post("/api/v1/runs", body=run("o2", agent_name="mine")).status == 201
    fresh = metadata(server).json()
    assert fresh["cache_hit"] is False and fresh["agent_names"] == ["mine", "theirs"]


def test_head_and_query_strings_on_metadata(server):
    assert server.post("/api/v1/runs", body=run("h1")).status == 201
    assert server.get("/api/v1/metadata?agent_name=x&refresh=1").json()["agent_names"] == ["crawler"]
    response = server.request("HEAD", "/api/v1/metadata")
    assert response.status == 200 and response.body == b""


def test_metadata_answers_while_writes_go_on(server):
    """Interleaved writes and reads: every answer lists every agent acknowledged before it was asked."""
    import threading
    stop = threading.Event()
    acknowledged = []
    failures = []

    def writer():
        i = 0
        while not stop.is_set() and i < 60:
            response = server.post("/api/v1/runs", body=run("w%d" % i, agent_name="agent-%02d" % i))
            if response.status != 201:
                failures.append(response.status)
            acknowledged.append("agent-%02d" % i)
            i += 1

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        for _ in range(150):
            known = list(acknowledged)
            names = set(metadata(server).json()["agent_names"])
            missing = [name for name in known if name not in names]
            assert not missing, "metadata missed acknowledged agents %s" % missing
    finally:
        stop.set()
        thread.join()
    assert not failures
