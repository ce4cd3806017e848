"""Generated runs for the dashboard tests: a few agents and job types, every
status, start times spread over the last days (relative to now, since the
stats routes look back from now), error text, metrics/context JSON and git
fields. Deterministic for a given seed."""
import datetime
import random

AGENTS = ["crawler", "doc-translator", "link-checker", "indexer", "reporter"]
JOB_TYPES = ["crawl", "translate", "check", "index"]
# status weights per agent: the link checker fails most, the reporter never.
WEIGHTS = {
    "crawler": [2, 80, 10, 4, 2, 2],
    "doc-translator": [2, 86, 5, 4, 1, 2],
    "link-checker": [2, 60, 25, 5, 6, 2],
    "indexer": [2, 90, 3, 2, 1, 2],
    "reporter": [0, 100, 0, 0, 0, 0],
}
STATUSES = ["running", "success", "failure", "partial", "timeout", "cancelled"]


def iso(moment):
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%f+00:00")


def generate(count=300, days=6, seed=17, now=None):
    rng = random.Random(seed)
    now = now or datetime.datetime.now(datetime.timezone.utc)
    runs = []
    for i in range(count):
        agent = AGENTS[i % len(AGENTS)] if i < 20 else rng.choices(AGENTS, [30, 25, 20, 15, 10])[0]
        status = rng.choices(STATUSES, WEIGHTS[agent])[0]
        # The first runs are spread over the last hour, so every range has some.
        back = datetime.timedelta(minutes=rng.uniform(1, 55)) if i < 20 else \
            datetime.timedelta(seconds=rng.uniform(0, days * 86400))
        start = now - back
        duration = int(rng.lognormvariate(10.5 if agent != "crawler" else 11.2, 0.6))
        run = {
            "event_id": "ev-%04d-%s" % (i, rng.choice("abcdef") * 3),
            "run_id": "run-%s-%04d" % (agent[:3], i),
            "agent_name": agent,
            "agent_owner": "team-" + agent.split("-")[0],
            "job_type": JOB_TYPES[AGENTS.index(agent) % len(JOB_TYPES)] if i % 7 else rng.choice(JOB_TYPES),
            "status": status,
            "start_time": iso(start),
            "duration_ms": duration if status != "running" else 0,
            "items_discovered": rng.randint(0, 400),
            "items_succeeded": rng.randint(0, 300),
            "items_failed": rng.randint(0, 20) if status in ("failure", "partial", "timeout") else 0,
            "host": "worker-%d" % rng.randint(1, 4),
            "environment": rng.choice(["prod", "staging"]),
            "trigger_type": rng.choice(["cron", "manual", "webhook"]),
            "git_repo": "https://github.com/example/%s" % agent,
            "git_branch": "main",
            "git_commit_hash": "%040x" % rng.getrandbits(160),
            "metrics_json": {"pages": rng.randint(1, 900), "bytes": rng.randint(10**5, 10**8),
                             "latency_ms": {"p50": rng.randint(20, 90), "p95": rng.randint(100, 900)}},
            "context_json": {"region": rng.choice(["eu-west", "us-east"]), "attempt": rng.randint(1, 3),
                             "tags": ["nightly", agent]},
        }
        # Recorded when it ended (a running one when it started), as an agent posts.
        end = start + datetime.timedelta(milliseconds=duration if status != "running" else 0)
        run["created_at"] = iso(min(end, now))
        if status != "running":
            run["end_time"] = iso(end)
        if status in ("failure", "timeout"):
            run["error_summary"] = rng.choice(["HTTP 503 from upstream", "Timed out waiting for the page",
                                               "Parser error: unexpected token"])
            run["error_details"] = "Traceback (most recent call last):\n  File \"agent.py\", line 42, in run\n" \
                                   "    fetch(url)\nRuntimeError: " + run["error_summary"]
        runs.append(run)
    return runs


def fill(server, runs, headers=None):
    for first in range(0, len(runs), 200):
        response = server.post("/api/v1/runs/batch", body=runs[first:first + 200], headers=headers)
        assert response.status == 201, response.body
