#!/usr/bin/env python3
"""Used by check-fresh-install.sh and check-container.sh: waits until a telemetry
service answers /health, POSTs one run, reads it back, and says what it saw.
Standard library only. Exit 0 when the run was stored and read back, 1 otherwise.

  check-service.py --url http://127.0.0.1:PORT [--token T] [--timeout S] [--pid PID]

--pid: stop waiting as soon as that process is gone (the service died)."""
import argparse
import json
import os
import sys
import time
import urllib.error
import urllib.request


def request(method, url, token, body=None):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, method=method)
    if token:
        req.add_header("Authorization", "Bearer " + token)
    try:
        with urllib.request.urlopen(req, timeout=30) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def alive(pid):
    """False once the process has exited (a zombie its parent has not reaped yet counts as gone)."""
    try:
        with open("/proc/%d/stat" % pid) as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def wait_healthy(args):
    deadline = time.monotonic() + args.timeout
    while time.monotonic() < deadline:
        if args.pid and not alive(args.pid):
            print("check-service: the service process %d exited before /health answered" % args.pid)
            return False
        try:
            status, body = request("GET", args.url + "/health", None)
            if status == 200:
                print("check-service: GET /health -> 200 %s" % body.strip())
                return True
        except OSError:
            pass  # not listening yet (still installing or building)
        time.sleep(2)
    print("check-service: /health did not answer 200 within %d s" % args.timeout)
    return False


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--token", default="")
    parser.add_argument("--timeout", type=int, default=3600)
    parser.add_argument("--pid", type=int, default=0)
    args = parser.parse_args()

    if not wait_healthy(args):
        return 1
    event_id = "check-%d-%d" % (os.getpid(), int(time.time()))
    run = {"event_id": event_id, "run_id": "check-run", "agent_name": "install-check",
           "job_type": "check", "start_time": "2026-01-14T09:15:02+00:00"}
    status, body = request("POST", args.url + "/api/v1/runs", args.token, run)
    print("check-service: POST /api/v1/runs -> %d %s" % (status, body.strip()))
    if status != 201:
        return 1
    status, body = request("GET", args.url + "/api/v1/runs/" + event_id, args.token)
    stored = json.loads(body) if status == 200 else {}
    if any(stored.get(key) != value for key, value in run.items()):
        print("check-service: GET /api/v1/runs/%s -> %d %s (not the run posted)" % (event_id, status, body))
        return 1
    print("check-service: GET /api/v1/runs/%s -> 200, the run as posted" % event_id)
    return 0


if __name__ == "__main__":
    sys.exit(main())
