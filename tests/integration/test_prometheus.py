"""GET /metrics in Prometheus text form (docs/reference/http-api.md §17.1, §17.3): choosing the
form, and output a scraper accepts, checked by promtool when installed and by
an exposition-format parser written here."""
import math
import re
import shutil
import subprocess

import pytest

from harness import Server, run, run_cli

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
METRIC_NAME = re.compile(r"^[a-zA-Z_:][a-zA-Z0-9_:]*$")
LABEL_NAME = re.compile(r"^[a-zA-Z_][a-zA-Z0-9_]*$")

FAMILIES = {
    "telemetry_build_info": "gauge",
    "telemetry_process_start_time_seconds": "gauge",
    "telemetry_runs": "gauge",
    "telemetry_runs_recent_24h": "gauge",
    "telemetry_runs_by_agent": "gauge",
    "telemetry_http_requests_total": "counter",
    "telemetry_http_request_duration_seconds": "histogram",
    "telemetry_ingest_events_total": "counter",
    "telemetry_run_updates_total": "counter",
    "telemetry_writer_commits_total": "counter",
    "telemetry_writer_commit_operations": "histogram",
    "telemetry_writer_commit_duration_seconds": "histogram",
    "telemetry_writer_queue_depth": "gauge",
    "telemetry_writer_failed": "gauge",
    "telemetry_writer_errors_total": "counter",
    "telemetry_db_size_bytes": "gauge",
    "telemetry_db_wal_size_bytes": "gauge",
    "telemetry_rate_limited_total": "counter",
    "telemetry_auth_failures_total": "counter",
    "telemetry_metadata_cache_requests_total": "counter",
    "telemetry_retention_deleted_runs_total": "counter",
    "telemetry_retention_passes_total": "counter",
}

DURATION_BUCKETS = ["0.0005", "0.001", "0.0025", "0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1",
                    "2.5", "5", "10", "+Inf"]
OPERATION_BUCKETS = ["1", "2", "4", "8", "16", "32", "64", "128", "256", "512", "1024", "2048", "+Inf"]


# --- A parser for text exposition format 0.0.4 ----------------------------------------------

class Family:
    def __init__(self, name):
        self.name = name
        self.help = None
        self.type = None
        self.samples = []  # (sample name, {label: value}, float value)


def parse_labels(text, line):
    """Parses `a="x",b="y"` (no braces); returns a dict, rejecting any syntax error."""
    labels = {}
    i = 0
    while i < len(text):
        equals = text.index("=", i)
        name = text[i:equals]
        assert LABEL_NAME.match(name), "bad label name %r in %r" % (name, line)
        assert name not in labels, "repeated label %r in %r" % (name, line)
        assert text[equals + 1] == '"', "label value not quoted in %r" % line
        j = equals + 2
        value = []
        while True:
            c = text[j]
            if c == "\\":
                escaped = text[j + 1]
                assert escaped in '\\"n', "bad escape \\%s in %r" % (escaped, line)
                value.append({"\\": "\\", '"': '"', "n": "\n"}[escaped])
                j += 2
            elif c == '"':
                j += 1
                break
            else:
                assert c != "\n"
                value.append(c)
                j += 1
        labels[name] = "".join(value)
        if j < len(text):
            assert text[j] == ",", "expected ',' after a label in %r" % line
            j += 1
            assert j < len(text), "trailing comma in %r" % line
        i = j
    return labels


def split_sample(line):
    if "{" in line:
        name, rest = line.split("{", 1)
        # The label block ends at the last '}' (values may hold '}' characters).
        close = rest.rindex("}")
        labels = parse_labels(rest[:close], line)
        value_text = rest[close + 1:]
    else:
        name, value_text = line.split(" ", 1)
        value_text = " " + value_text
        labels = {}
    assert value_text.startswith(" ") and not value_text.startswith("  "), "bad separator in %r" % line
    parts = value_text[1:].split(" ")
    assert len(parts) in (1, 2), "bad value/timestamp in %r" % line
    value_text = parts[0]
    if value_text in ("+Inf", "-Inf", "NaN"):
        value = float(value_text.replace("Inf", "inf"))
    else:
        assert re.match(r"^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$", value_text), "bad value in %r" % line
        value = float(value_text)
    assert METRIC_NAME.match(name), "bad metric name in %r" % line
    return name, labels, value


def parse_exposition(text):
    """Returns {family name: Family}; asserts every rule of the format on the way."""
    assert text.endswith("\n"), "the last line must end with \\n"
    assert "\r" not in text
    families = {}
    order = []
    current = None
    for line in text[:-1].split("\n"):
        assert line, "empty line"
        if line.startswith("#"):
            parts = line.split(" ", 3)
            assert parts[0] == "#" and parts[1] in ("HELP", "TYPE"), "unknown comment %r" % line
            name = parts[2]
            assert METRIC_NAME.match(name)
            family = families.get(name)
            if family is None:
                family = families[name] = Family(name)
                order.append(name)
            else:
                assert current is family, "family %s is not contiguous" % name
            assert not family.samples, "%s line after samples of %s" % (parts[1], name)
            if parts[1] == "HELP":
                assert family.help is None, "second HELP for %s" % name
                assert len(parts) == 4 and parts[3], "empty HELP for %s" % name
                family.help = parts[3]
            else:
                assert family.type is None, "second TYPE for %s" % name
                assert parts[3] in ("counter", "gauge", "histogram", "summary", "untyped")
                family.type = parts[3]
            current = family
            continue
        name, labels, value = split_sample(line)
        assert current is not None, "sample before any family: %r" % line
        allowed = {current.name}
        if current.type == "histogram":
            allowed = {current.name + "_bucket", current.name + "_sum", current.name + "_count"}
        assert name in allowed, "sample %s outside its family %s" % (name, current.name)
        current.samples.append((name, labels, value))
    for family in families.values():
        assert family.help is not None and family.type is not None, "%s lacks HELP or TYPE" % family.name
        seen = set()
        for name, labels, _ in family.samples:
            key = (name, tuple(sorted(labels.items())))
            assert key not in seen, "duplicate series %s" % (key,)
            seen.add(key)
        if family.type == "histogram":
            check_histogram(family)
    return families


def check_histogram(family):
    groups = {}
    for name, labels, value in family.samples:
        rest = tuple(sorted((k, v) for k, v in labels.items() if k != "le"))
        group = groups.setdefault(rest, {"buckets": [], "sum": None, "count": None})
        if name.endswith("_bucket"):
            assert "le" in labels, "bucket without le in %s" % family.name
            group["buckets"].append((labels["le"], value))
        elif name.endswith("_sum"):
            assert "le" not in labels
            group["sum"] = value
        else:
            assert "le" not in labels
            group["count"] = value
    for rest, group in groups.items():
        buckets = group["buckets"]
        assert buckets, "%s%s has no buckets" % (family.name, rest)
        assert buckets[-1][0] == "+Inf", "%s%s does not end with le=\"+Inf\"" % (family.name, rest)
        bounds = [float(le.replace("Inf", "inf")) for le, _ in buckets]
        assert bounds == sorted(bounds) and len(set(bounds)) == len(bounds), "le not increasing"
        counts = [v for _, v in buckets]
        assert counts == sorted(counts), "%s%s buckets are not cumulative" % (family.name, rest)
        assert group["sum"] is not None and group["count"] is not None, "%s lacks _sum/_count" % family.name
        assert group["count"] == buckets[-1][1], "_count differs from the +Inf bucket"
        assert all(v >= 0 and v == math.floor(v) for v in counts)


def sample_value(families, sample, **labels):
    """The value of one series; `sample` is a family name or a histogram's _sum/_count."""
    family = sample
    for suffix in ("_sum", "_count"):
        if sample not in families and sample.endswith(suffix):
            family = sample[:-len(suffix)]
    for name, sample_labels, value in families[family].samples:
        if name == sample and sample_labels == labels:
            return value
    raise KeyError("%s%s" % (sample, labels))


def scrape(server, path="/metrics?format=prometheus", **kw):
    response = server.get(path, **kw)
    assert response.status == 200
    assert response.header("Content-Type") == CONTENT_TYPE
    return parse_exposition(response.body.decode("utf-8"))


# --- The parser itself must reject what a scraper rejects ----------------------------------

@pytest.mark.parametrize("text", [
    "# TYPE a counter\na 1\n",                                     # no HELP
    "# HELP a x\na 1\n",                                          # no TYPE
    "# HELP a x\n# TYPE a counter\na 1",                           # no final newline
    "# HELP a x\n# TYPE a counter\na{b=\"1} 1\n",                 # unterminated label value
    "# HELP a x\n# TYPE a counter\na{b=\"\\t\"} 1\n",             # bad escape
    "# HELP a x\n# TYPE a counter\na{b=1} 1\n",                   # unquoted label value
    "# HELP a x\n# TYPE a counter\na one\n",                       # bad value
    "# HELP h x\n# TYPE h histogram\nh_bucket{le=\"1\"} 2\nh_sum 1\nh_count 2\n",  # no +Inf
    "# HELP h x\n# TYPE h histogram\nh_bucket{le=\"1\"} 3\nh_bucket{le=\"+Inf\"} 2\nh_sum 1\nh_count 2\n",
    "# HELP h x\n# TYPE h histogram\nh_bucket{le=\"+Inf\"} 2\nh_sum 1\n",                 # no _count
])
def test_the_parser_rejects_malformed_exposition(text):
    with pytest.raises((AssertionError, ValueError, IndexError)):
        parse_exposition(text)


# --- Choosing the form ----------------------------------------------------------------------

@pytest.mark.parametrize("path, headers, prometheus", [
    ("/metrics?format=prometheus", {}, True),
    ("/metrics?format=prometheus", {"Accept": "application/json"}, True),
    ("/metrics?format=json", {"Accept": "text/plain"}, False),
    ("/metrics", {"Accept": "text/plain"}, True),
    ("/metrics", {"Accept": "text/plain;version=0.0.4;q=0.3,*/*;q=0.1"}, True),
    ("/metrics", {"Accept": "application/openmetrics-text; version=1.0.0"}, True),
    ("/metrics", {"Accept": "text/plain, application/json"}, False),
    ("/metrics", {}, False),
    ("/metrics", {"Accept": "*/*"}, False),
    ("/metrics", {"Accept": "application/json"}, False),
    ("/metrics", {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}, False),
])
def test_choosing_the_form(server, path, headers, prometheus):
    response = server.get(path, headers=headers)
    assert response.status == 200
    if prometheus:
        assert response.header("Content-Type") == CONTENT_TYPE
        assert response.body.startswith(b"# HELP telemetry_")
    else:
        assert response.header("Content-Type") == "application/json"
        assert response.json()["total_runs"] == 0


@pytest.mark.parametrize("value", ["xml", "Prometheus", "text"])
def test_unknown_format_is_422_enum(server, value):
    response = server.get("/metrics?format=" + value)
    assert response.status == 422
    assert response.body == ('{"detail":[{"type":"enum","loc":["query","format"],'
                             '"msg":"Input should be \'json\' or \'prometheus\'","input":"%s",'
                             '"ctx":{"expected":"\'json\' or \'prometheus\'"}}]}' % value).encode()


def test_prometheus_form_ignores_since_and_by(server):
    families = scrape(server, "/metrics?format=prometheus&since=bogus&by=nothing")
    assert "telemetry_runs_recent_24h" in families


# --- Content ------------------------------------------------------------------------------

def test_first_scrape_of_a_fresh_service_parses_with_every_fixed_combination(server):
    families = scrape(server)
    for name, type_ in FAMILIES.items():
        assert name in families, "missing family %s" % name
        assert families[name].type == type_, name
    for route in ("post", "batch"):
        for outcome in ("inserted", "duplicate", "rejected"):
            assert sample_value(families, "telemetry_ingest_events_total", route=route, outcome=outcome) == 0
    for route in ("patch", "associate_commit"):
        for outcome in ("updated", "not_found", "rejected"):
            assert sample_value(families, "telemetry_run_updates_total", route=route, outcome=outcome) == 0
    for kind in ("busy", "full", "io"):
        assert sample_value(families, "telemetry_writer_errors_total", kind=kind) == 0
    for result in ("hit", "miss"):
        assert sample_value(families, "telemetry_metadata_cache_requests_total", result=result) == 0
    for name in ("telemetry_writer_commit_operations", "telemetry_writer_commit_duration_seconds"):
        assert len(families[name].samples) > 0
    assert sample_value(families, "telemetry_runs") == 0
    assert sample_value(families, "telemetry_writer_failed") == 0
    assert sample_value(families, "telemetry_writer_queue_depth") == 0
    assert sample_value(families, "telemetry_db_size_bytes") > 0


def test_build_info_carries_the_version(server):
    version = run_cli("--version").stdout.split()[-1]
    families = scrape(server)
    assert families["telemetry_build_info"].samples == [("telemetry_build_info", {"version": version}, 1.0)]
    start = sample_value(families, "telemetry_process_start_time_seconds")
    assert 1.7e9 < start < 4e9


def test_histogram_buckets_are_those_of_the_spec(server):
    assert server.post("/api/v1/runs", body=run("b1")).status == 201
    server.get("/api/v1/runs")
    families = scrape(server)

    def bounds(family, **labels):
        return [l["le"] for n, l, _ in families[family].samples
                if n.endswith("_bucket") and {k: v for k, v in l.items() if k != "le"} == labels]

    assert bounds("telemetry_writer_commit_operations") == OPERATION_BUCKETS
    assert bounds("telemetry_writer_commit_duration_seconds") == DURATION_BUCKETS
    assert bounds("telemetry_http_request_duration_seconds", route="/api/v1/runs") == DURATION_BUCKETS
    assert sample_value(families, "telemetry_writer_commit_operations_count") >= 1
    assert sample_value(families, "telemetry_writer_commits_total") >= 1


def test_counters_follow_what_the_service_did(server):
    assert server.post("/api/v1/runs", body=run("i1", agent_name="alpha")).status == 201
    assert server.post("/api/v1/runs", body=run("i1")).status == 200
    assert server.post("/api/v1/runs", body={"event_id": ""}).status == 422
    assert server.post("/api/v1/runs/batch", body=[run("i2", agent_name="beta"), run("i1"),
                                                    run("i3", agent_name="beta")]).status == 201
    assert server.post("/api/v1/runs/batch", body=[run("i4"), {"event_id": 5}]).status == 422
    assert server.patch("/api/v1/runs/i1", body={"status": "success"}).status == 200
    assert server.patch("/api/v1/runs/nope", body={"status": "success"}).status == 404
    assert server.patch("/api/v1/runs/i1", body={"status": "x"}).status == 422
    assert server.post("/api/v1/runs/i2/associate-commit",
                       body={"commit_hash": "abc1234", "commit_source": "ci"}).status == 200
    assert server.post("/api/v1/runs/nope/associate-commit",
                       body={"commit_hash": "abc1234", "commit_source": "ci"}).status == 404
    assert server.get("/api/v1/runs/nope").status == 404
    assert server.get("/nowhere/at/all").status == 404
    families = scrape(server)

    ingest = lambda route, outcome: sample_value(families, "telemetry_ingest_events_total",
                                                 route=route, outcome=outcome)
    assert (ingest("post", "inserted"), ingest("post", "duplicate"), ingest("post", "rejected")) == (1, 1, 1)
    assert (ingest("batch", "inserted"), ingest("batch", "duplicate"), ingest("batch", "rejected")) == (2, 1, 2)
    updates = lambda route, outcome: sample_value(families, "telemetry_run_updates_total",
                                                  route=route, outcome=outcome)
    assert (updates("patch", "updated"), updates("patch", "not_found"), updates("patch", "rejected")) == (1, 1, 1)
    assert (updates("associate_commit", "updated"), updates("associate_commit", "not_found"),
            updates("associate_commit", "rejected")) == (1, 1, 0)

    assert sample_value(families, "telemetry_runs") == 3
    assert sample_value(families, "telemetry_runs_recent_24h") == 3
    assert sample_value(families, "telemetry_runs_by_agent", agent_name="alpha") == 1
    assert sample_value(families, "telemetry_runs_by_agent", agent_name="beta") == 2

    requests = lambda **labels: sample_value(families, "telemetry_http_requests_total", **labels)
    assert requests(route="/api/v1/runs", method="POST", code="201") == 1
    assert requests(route="/api/v1/runs", method="POST", code="200") == 1
    assert requests(route="/api/v1/runs", method="POST", code="422") == 1
    assert requests(route="/api/v1/runs/batch", method="POST", code="201") == 1
    assert requests(route="/api/v1/runs/{event_id}", method="PATCH", code="404") == 1
    assert requests(route="/api/v1/runs/{event_id}/associate-commit", method="POST", code="200") == 1
    assert requests(route="/api/v1/runs/{event_id}", method="GET", code="404") == 1
    assert requests(route="other", method="GET", code="404") == 1
    # Event ids never appear as labels.
    for family in families.values():
        for _, labels, _ in family.samples:
            for value in labels.values():
                assert "nope" not in value and "i1" not in value


def test_runs_gauges_equal_the_json_form(server):
    assert server.post("/api/v1/runs/batch", body=[run("g%d" % i, agent_name="a%d" % (i % 3))
                                                   for i in range(10)]).status == 201
    families = scrape(server)
    body = server.get("/metrics").json()
    assert sample_value(families, "telemetry_runs") == body["total_runs"] == 10
    assert sample_value(families, "telemetry_runs_recent_24h") == body["recent_24h"]
    by_agent = {labels["agent_name"]: value for _, labels, value in families["telemetry_runs_by_agent"].samples}
    assert by_agent == body["agents"]


def test_per_agent_series_are_capped_and_the_rest_summed_as_other(make_server):
    server = make_server(env={"TELEMETRY_METRICS_MAX_AGENTS": "3"})
    # 20 agents: agent-00 .. agent-04 with 10, 9, 8, 7, 6 runs, the 15 others 1 each,
    # plus one agent really named "other" (2 runs).
    runs = [run("x%d-%d" % (i, k), agent_name="agent-%02d" % i)
            for i in range(20) for k in range(max(1, 10 - i) if i < 5 else 1)]
    runs += [run("o1", agent_name="other"), run("o2", agent_name="other")]
    assert server.post("/api/v1/runs/batch", body=runs).status == 201
    families = scrape(server)
    by_agent = {labels["agent_name"]: value for _, labels, value in families["telemetry_runs_by_agent"].samples}
    assert by_agent == {"agent-00": 10, "agent-01": 9, "agent-02": 8, "other": 7 + 6 + 15 + 2}
    assert sum(by_agent.values()) == sample_value(families, "telemetry_runs") == len(runs)
    # The JSON form is not capped.
    assert len(server.get("/metrics").json()["agents"]) == 21


def test_by_default_at_most_100_agent_series(server):
    assert server.post("/api/v1/runs/batch", body=[run("m%d" % i, agent_name="agent-%03d" % i)
                                                   for i in range(150)]).status == 201
    samples = scrape(server)["telemetry_runs_by_agent"].samples
    assert len(samples) == 101
    assert sample_value(scrape(server), "telemetry_runs_by_agent", agent_name="other") == 50


def test_max_agents_zero_leaves_one_series_and_a_bad_value_is_refused(make_server, tmp_path):
    server = make_server(env={"TELEMETRY_METRICS_MAX_AGENTS": "0"})
    assert server.post("/api/v1/runs/batch", body=[run("z1", agent_name="a"), run("z2", agent_name="b")]).status == 201
    by_agent = {labels["agent_name"]: value for _, labels, value in scrape(server)["telemetry_runs_by_agent"].samples}
    assert by_agent == {"other": 2}
    result = run_cli("serve", "--db", str(tmp_path / "t.sqlite"), "--no-env-file", "--port", "0",
                     "--metrics-max-agents", "-1")
    assert result.returncode == 78
    assert "TELEMETRY_METRICS_MAX_AGENTS=-1 (command line): must be between 0 and 100000" in result.stderr


def test_label_values_are_escaped(server):
    weird = 'say "hi"\\then\nnew line'
    assert server.post("/api/v1/runs", body=run("w1", agent_name=weird)).status == 201
    response = server.get("/metrics?format=prometheus")
    assert b'telemetry_runs_by_agent{agent_name="say \\"hi\\"\\\\then\\nnew line"} 1\n' in response.body
    families = parse_exposition(response.body.decode("utf-8"))
    assert sample_value(families, "telemetry_runs_by_agent", agent_name=weird) == 1


def test_auth_and_rate_limit_counters(make_server):
    server = make_server(env={"TELEMETRY_API_AUTH_ENABLED": "true", "TELEMETRY_API_AUTH_TOKEN": "t0ken",
                              "TELEMETRY_RATE_LIMIT_ENABLED": "true", "TELEMETRY_RATE_LIMIT_RPM": "4"})
    # The limiter comes first: the two refused logins spend half of the budget.
    assert server.get("/api/v1/runs").status == 401
    assert server.get("/api/v1/runs", headers={"Authorization": "Bearer nope"}).status == 401
    ok = {"Authorization": "Bearer t0ken"}
    assert [server.get("/api/v1/runs", headers=ok).status for _ in range(3)] == [200, 200, 429]
    families = scrape(server)
    assert sample_value(families, "telemetry_auth_failures_total") == 2
    assert sample_value(families, "telemetry_rate_limited_total") == 1


# --- promtool, the reference checker -------------------------------------------------------

PROMTOOL = shutil.which("promtool")


@pytest.mark.parametrize("busy", [False, True])
def test_promtool_check_metrics_accepts_the_output(server, busy):
    assert PROMTOOL is not None, "promtool is not installed (Debian package prometheus; " \
        "scripts/install-deps.sh --with-tests installs it)"
    if busy:
        assert server.post("/api/v1/runs/batch", body=[run("p%d" % i, agent_name='x"\\\n%d' % i)
                                                       for i in range(5)]).status == 201
        server.patch("/api/v1/runs/p1", body={"status": "failed"})
        server.get("/api/v1/metadata")
        server.get("/api/v1/metadata")
        server.get("/nowhere")
    body = server.get("/metrics?format=prometheus").body
    result = subprocess.run([PROMTOOL, "check", "metrics"], input=body, capture_output=True, timeout=60)
    assert result.returncode == 0, (result.stdout + result.stderr).decode()
    assert result.stdout.strip() == b"" and result.stderr.strip() == b"", (result.stdout + result.stderr).decode()
