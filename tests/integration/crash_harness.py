"""Crash harness: `telemetry serve` under concurrent write load, killed with
SIGKILL at random moments and restarted, with a ledger of every event_id the
service acknowledged (docs/architecture.md "Durability contract").

After every restart it checks that
  - the service came back by itself (no lock file or journal removed by hand),
  - every acknowledged event_id is stored (none lost),
  - no event_id is stored twice and nothing is stored that was never sent,
  - PRAGMA integrity_check says ok.

Requests that were in flight when the process died have an unknown outcome
(they may or may not be stored: the contract only covers acknowledged writes);
the harness resends them in the next cycle, as a client would, so the
"retry with the same event_id is safe" half of the contract is exercised too.

Used by tests/integration/test_faults_crash.py (a few dozen cycles in CI) and
bench/crash_cycles.sh (hundreds of cycles, figures printed). Standard library only.
"""
import argparse
import http.client
import json
import os
import random
import signal
import sqlite3
import statistics
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from harness import Server  # noqa: E402

ACK_STATUSES = (200, 201)
# Answers after which the client resends later; anything else is a harness failure.
RETRY_STATUSES = (503, 507)


class RestartedServer(Server):
    """A Server restarted many times under load: more patience before ready."""

    def _wait_for_port(self, timeout=60):
        return super()._wait_for_port(timeout)


def run_body(event_id):
    return {"event_id": event_id, "run_id": "run-" + event_id, "agent_name": "crash-harness",
            "job_type": "crash", "start_time": "2026-01-14T09:15:02+00:00", "status": "success",
            "items_discovered": 3, "context_json": {"harness": "crash", "event": event_id}}


class Client(threading.Thread):
    """One keep-alive connection writing until the server disappears.
    Every `batch_size`-th client sends batches, the others single POSTs."""

    def __init__(self, port, prefix, resend, batch_size):
        super().__init__(daemon=True)
        self.port = port
        self.prefix = prefix
        self.queue = list(resend)   # unknown outcomes of the previous cycle go first
        self.batch_size = batch_size
        self.sent = []              # every event_id put on the wire
        self.acked = []
        self.unknown = []           # in flight at the kill, or told to retry
        self.duplicate_answers = 0  # 200 duplicate / batch duplicates: stored before
        self.unexpected = []        # (status, body) a correct service never sends here
        self.counter = 0

    def next_ids(self):
        ids = []
        while len(ids) < self.batch_size:
            if self.queue:
                ids.append(self.queue.pop())
            else:
                ids.append("%s-%d" % (self.prefix, self.counter))
                self.counter += 1
        return ids

    def run(self):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        while True:
            ids = self.next_ids()
            if self.batch_size == 1:
                path, payload = "/api/v1/runs", run_body(ids[0])
            else:
                path, payload = "/api/v1/runs/batch", [run_body(i) for i in ids]
            self.sent.extend(ids)
            try:
                connection.request("POST", path, body=json.dumps(payload),
                                   headers={"Content-Type": "application/json"})
                response = connection.getresponse()
                body = response.read()
            except (OSError, http.client.HTTPException):
                self.unknown.extend(ids)  # the process died with these in flight
                connection.close()
                return
            if response.status in ACK_STATUSES:
                self.acked.extend(ids)
                answer = json.loads(body)
                self.duplicate_answers += answer.get("duplicates", 1 if answer["status"] == "duplicate" else 0)
            elif response.status in RETRY_STATUSES:
                self.unknown.extend(ids)
            else:
                self.unexpected.append((response.status, body[:300]))
                self.unknown.extend(ids)


class CrashHarness:
    def __init__(self, directory, clients=16, batch_every=4, batch_size=4, journal_mode="DELETE",
                 synchronous="FULL", max_load_seconds=0.6, seed=None, log=None):
        self.directory = directory
        self.clients = clients
        self.batch_every = batch_every
        self.batch_size = batch_size
        self.args = ["--journal-mode", journal_mode, "--synchronous", synchronous,
                     "--http-threads", str(clients + 4), "--log-level", "warning"]
        self.max_load_seconds = max_load_seconds
        self.random = random.Random(seed)
        self.seed = seed
        self.log = log or (lambda message: None)
        self.acked = set()
        self.sent = set()
        self.resend = []
        self.found_stored = set()
        self.figures = {"cycles": 0, "acknowledged": 0, "sent": 0, "in_flight_at_kill": 0,
                        "in_flight_found_stored": 0, "duplicate_answers": 0, "lost": 0,
                        "duplicated": 0, "phantom": 0, "integrity_failures": 0,
                        "restart_seconds": [], "load_seconds": [], "unexpected": []}

    def start_server(self):
        server = RestartedServer(directory=self.directory, args=self.args)
        started = time.monotonic()
        server.start()
        health = server.get("/health")
        if health.status != 200:
            raise AssertionError("restart needed a manual step: /health %s %s" % (health.status, health.body))
        self.figures["restart_seconds"].append(time.monotonic() - started)
        return server

    def verify(self, server):
        """Checks the database against the ledger; returns a list of problems."""
        problems = []
        with sqlite3.connect("file:%s?mode=ro" % server.db_path, uri=True, timeout=30) as connection:
            integrity = [row[0] for row in connection.execute("PRAGMA integrity_check")]
            stored = [row[0] for row in connection.execute("SELECT event_id FROM agent_runs")]
        connection.close()
        if integrity != ["ok"]:
            self.figures["integrity_failures"] += 1
            problems.append("integrity_check: %s" % integrity[:5])
        stored_set = set(stored)
        lost = self.acked - stored_set
        duplicated = len(stored) - len(stored_set)
        phantom = stored_set - self.sent
        self.figures["lost"] = max(self.figures["lost"], len(lost))
        self.figures["duplicated"] = max(self.figures["duplicated"], duplicated)
        self.figures["phantom"] = max(self.figures["phantom"], len(phantom))
        if lost:
            problems.append("%d acknowledged events missing, e.g. %s" % (len(lost), sorted(lost)[:5]))
        if duplicated:
            problems.append("%d event_ids stored more than once" % duplicated)
        if phantom:
            problems.append("%d stored events were never sent, e.g. %s" % (len(phantom), sorted(phantom)[:5]))
        return problems, stored_set

    def cycle(self, number):
        server = self.start_server()
        problems, stored = self.verify(server)
        # What the previous kill left in flight and was committed anyway.
        self.found_stored.update(i for i in self.resend if i in stored)
        self.figures["in_flight_found_stored"] = len(self.found_stored)
        resend = self.resend
        clients = []
        for index in range(self.clients):
            batch = self.batch_size if self.batch_every and index % self.batch_every == 0 else 1
            share = resend[index::self.clients]
            clients.append(Client(server.port, "c%d-t%d" % (number, index), share, batch))
        load_seconds = self.random.uniform(0.0, self.max_load_seconds)
        for client in clients:
            client.start()
        time.sleep(load_seconds)
        server.kill()  # SIGKILL
        for client in clients:
            client.join(timeout=60)
            if client.is_alive():
                raise AssertionError("a client did not notice the kill")
        self.resend = []
        for client in clients:
            self.sent.update(client.sent)
            self.acked.update(client.acked)
            self.resend.extend(client.unknown)
            self.figures["duplicate_answers"] += client.duplicate_answers
            self.figures["unexpected"].extend(client.unexpected)
        # An id that was acknowledged once stays acknowledged even if a later
        # resend of it was cut off; it needs no further resend.
        self.resend = [i for i in self.resend if i not in self.acked]
        self.figures["in_flight_at_kill"] += len(self.resend)
        self.figures["load_seconds"].append(load_seconds)
        self.figures["cycles"] += 1
        self.log("cycle %d: load %.2fs, %d acknowledged so far, %d in flight at the kill%s" % (
            number, load_seconds, len(self.acked), len(self.resend),
            "; PROBLEMS: " + "; ".join(problems) if problems else ""))
        return problems

    def run(self, cycles):
        problems = []
        for number in range(cycles):
            problems.extend("cycle %d: %s" % (number, p) for p in self.cycle(number))
        # Final restart: check, then a clean stop and a check on the closed file.
        server = self.start_server()
        final, _ = self.verify(server)
        problems.extend("final: %s" % p for p in final)
        code = server.stop()
        if code != 0:
            problems.append("final SIGTERM stop exited %s" % code)
        with sqlite3.connect(os.path.join(self.directory, "telemetry.sqlite")) as connection:
            quick = connection.execute("PRAGMA integrity_check").fetchall()
        connection.close()
        if quick != [("ok",)]:
            problems.append("integrity_check after the clean stop: %s" % quick[:5])
        self.figures["acknowledged"] = len(self.acked)
        self.figures["sent"] = len(self.sent)
        if self.figures["unexpected"]:
            problems.append("unexpected answers: %s" % self.figures["unexpected"][:5])
        return problems

    def summary(self):
        f = self.figures
        restart = f["restart_seconds"]
        return "\n".join([
            "cycles: %d (SIGKILL each, after a random 0-%.2fs of load from %d clients)" % (
                f["cycles"], self.max_load_seconds, self.clients),
            "journal/synchronous: %s/%s, seed %s" % (self.args[1], self.args[3], self.seed),
            "events sent: %d, acknowledged: %d" % (f["sent"], f["acknowledged"]),
            "in flight at a kill (outcome unknown, resent): %d, distinct ids found committed anyway: %d" % (
                f["in_flight_at_kill"], f["in_flight_found_stored"]),
            "duplicate answers to resends: %d" % f["duplicate_answers"],
            "lost acknowledged events: %d" % f["lost"],
            "duplicated event_ids: %d" % f["duplicated"],
            "stored but never sent: %d" % f["phantom"],
            "integrity_check failures: %d" % f["integrity_failures"],
            "restart to ready, median %.3fs, max %.3fs" % (statistics.median(restart), max(restart)),
        ])


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cycles", type=int, default=200)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--journal-mode", default="DELETE")
    parser.add_argument("--synchronous", default="FULL")
    parser.add_argument("--max-load-seconds", type=float, default=0.6)
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--dir", help="keep the database here (default: a temporary directory)")
    parser.add_argument("--quiet", action="store_true")
    options = parser.parse_args(argv)
    seed = options.seed if options.seed is not None else random.randrange(1 << 30)
    with tempfile.TemporaryDirectory(prefix="telemetry-crash-") as tmp:
        directory = options.dir or tmp
        os.makedirs(directory, exist_ok=True)
        harness = CrashHarness(directory, clients=options.clients, journal_mode=options.journal_mode,
                               synchronous=options.synchronous, max_load_seconds=options.max_load_seconds,
                               seed=seed, log=None if options.quiet else lambda m: print(m, flush=True))
        started = time.monotonic()
        problems = harness.run(options.cycles)
        print(harness.summary())
        print("wall time: %.1fs" % (time.monotonic() - started))
        for problem in problems:
            print("PROBLEM: " + problem)
        return 1 if problems else 0


if __name__ == "__main__":
    signal.signal(signal.SIGINT, signal.default_int_handler)
    sys.exit(main())
