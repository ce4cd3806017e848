#!/usr/bin/env python3
"""Connection scaling of `telemetry serve`: with 0, 1k, 5k and 10k idle
keep-alive connections open, a fresh client (new connection, one POST, close)
is timed REQUESTS times; prints p50/p99 of that and the server's RSS growth
per idle connection.

    bench/connections/bench_connections.py [--bin build/src/telemetry]
        [--counts 0,1000,5000,10000] [--requests 300] [--runs 3]

Each count is measured RUNS times against a fresh server; figures are the
medians. Idle connections each get one GET /health answered first, so they
are real keep-alive connections, not just accepted sockets. Traffic stays on
127.0.0.1. The client raises its own open-file limit to the hard limit.
"""
import argparse
import json
import os
import resource
import signal
import socket
import statistics
import subprocess
import tempfile
import time


def rss_kb(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def start_server(binary, directory):
    db = os.path.join(directory, "bench.sqlite")
    process = subprocess.Popen(
        [binary, "serve", "--db", db, "--port", "0", "--no-env-file", "--journal-mode", "WAL",
         "--synchronous", "NORMAL", "--keepalive-timeout", "3600", "--log-level", "warning"],
        stdout=subprocess.DEVNULL, stderr=open(os.path.join(directory, "serve.log"), "ab"))
    deadline = time.time() + 20
    while time.time() < deadline:
        try:
            with open(db + ".lock") as f:
                lines = f.read().split("\n")
            if len(lines) >= 4 and lines[0] == str(process.pid) and lines[3].startswith("http://"):
                return process, int(lines[3].rsplit(":", 1)[1])
        except (OSError, ValueError):
            pass
        time.sleep(0.05)
    raise RuntimeError("serve did not start")


def recv_response(sock):
    data = b""
    while True:
        piece = sock.recv(65536)
        if not piece:
            return data
        data += piece
        head, sep, rest = data.partition(b"\r\n\r\n")
        if sep:
            for line in head.split(b"\r\n"):
                if line.lower().startswith(b"content-length:"):
                    if len(rest) >= int(line.split(b":")[1]):
                        return data


def open_idle(port, count):
    sockets = []
    for _ in range(count):
        s = socket.create_connection(("127.0.0.1", port))
        s.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
        sockets.append(s)
    for s in sockets:
        assert recv_response(s).startswith(b"HTTP/1.1 200")
    return sockets


def fresh_posts(port, count, prefix):
    durations = []
    for i in range(count):
        body = json.dumps({"event_id": "%s-%d" % (prefix, i), "run_id": "r", "agent_name": "bench",
                           "job_type": "connections", "start_time": "2026-01-14T09:15:02+00:00"}).encode()
        request = (b"POST /api/v1/runs HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                   b"Content-Length: %d\r\nConnection: close\r\n\r\n%s" % (len(body), body))
        started = time.perf_counter()
        s = socket.create_connection(("127.0.0.1", port))
        s.sendall(request)
        answer = recv_response(s)
        durations.append(time.perf_counter() - started)
        s.close()
        assert answer.startswith(b"HTTP/1.1 201"), answer[:200]
    return durations


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p * (len(ordered) - 1)))]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--bin", default="build/src/telemetry")
    parser.add_argument("--counts", default="0,1000,5000,10000")
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--runs", type=int, default=3)
    options = parser.parse_args()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    counts = [int(c) for c in options.counts.split(",")]
    print("idle connections | fresh POST p50 ms | p99 ms | server RSS growth per idle connection")
    for count in counts:
        p50s, p99s, per_connection = [], [], []
        for run in range(options.runs):
            with tempfile.TemporaryDirectory(prefix="telemetry-conn-") as directory:
                process, port = start_server(options.bin, directory)
                try:
                    fresh_posts(port, 20, "warm-%d" % run)  # warm caches and the read pool
                    before = rss_kb(process.pid)
                    idle = open_idle(port, count)
                    time.sleep(0.5)
                    after = rss_kb(process.pid)
                    durations = fresh_posts(port, options.requests, "c%d-%d" % (count, run))
                    p50s.append(percentile(durations, 0.5) * 1000)
                    p99s.append(percentile(durations, 0.99) * 1000)
                    if count:
                        per_connection.append((after - before) * 1024.0 / count)
                    for s in idle:
                        s.close()
                finally:
                    process.send_signal(signal.SIGTERM)
                    process.wait(timeout=60)
        growth = "%.0f bytes" % statistics.median(per_connection) if per_connection else "-"
        print("%16d | %17.2f | %6.2f | %s" % (count, statistics.median(p50s), statistics.median(p99s), growth),
              flush=True)


if __name__ == "__main__":
    main()
