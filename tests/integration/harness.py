"""Starting the real `telemetry` binary and talking HTTP to it.

Only the standard library is used, so the tests run on a bare Debian 12
with python3 and python3-pytest."""
import http.client
import json
import os
import signal
import socket
import sqlite3
import subprocess
import tempfile
import time

BINARY = os.environ.get("TELEMETRY_BIN") or os.path.join(
    os.path.dirname(__file__), "..", "..", "build", "src", "telemetry")


def clean_env(**extra):
    """An environment without the caller's TELEMETRY_ settings."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("TELEMETRY_") and k not in ("LOG_LEVEL", "NOTIFY_SOCKET")}
    env.update({k: str(v) for k, v in extra.items()})
    return env


def run_cli(*args, env=None, cwd=None, input=None, timeout=60):
    """Runs the binary to completion; returns CompletedProcess with text output."""
    return subprocess.run([BINARY, *args], env=env if env is not None else clean_env(),
                          cwd=cwd, input=input, capture_output=True, text=True, timeout=timeout)


class Response:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers
        self.body = body

    def json(self):
        return json.loads(self.body)

    def header(self, name):
        for key, value in self.headers:
            if key.lower() == name.lower():
                return value
        return None


class Server:
    """A `telemetry serve` process on a free loopback port with its own database."""

    def __init__(self, directory=None, args=(), env=None, db_name="telemetry.sqlite", preexec_fn=None):
        self.tmp = None
        if directory is None:
            self.tmp = tempfile.TemporaryDirectory(prefix="telemetry-it-")
            directory = self.tmp.name
        self.directory = directory
        self.db_path = os.path.join(directory, db_name)
        self.lock_path = self.db_path + ".lock"
        self.args = list(args)
        self.env = clean_env(**(env or {}))
        self.preexec_fn = preexec_fn  # e.g. to lower the open-file limit of the server alone
        self.process = None
        self.port = None
        self.stderr_path = os.path.join(directory, "serve.stderr")

    def start(self, expect_ready=True):
        self.stderr_file = open(self.stderr_path, "ab")
        self.process = subprocess.Popen(
            [BINARY, "serve", "--db", self.db_path, "--port", "0", "--no-env-file", *self.args],
            env=self.env, cwd=self.directory, stdout=subprocess.DEVNULL, stderr=self.stderr_file,
            preexec_fn=self.preexec_fn)
        if expect_ready:
            self.port = self._wait_for_port()
        return self

    def _wait_for_port(self, timeout=20):
        """The port from the lock file once *this* process wrote it there (a
        lock file left by a killed predecessor names the old process and port)."""
        deadline = time.time() + timeout
        pid = str(self.process.pid)
        while time.time() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError("serve exited with %s:\n%s" % (self.process.returncode, self.stderr()))
            try:
                with open(self.lock_path) as f:
                    lines = f.read().split("\n")
                if len(lines) >= 4 and lines[0] == pid and lines[3].startswith("http://"):
                    port = int(lines[3].rsplit(":", 1)[1])
                    if self._accepts(port):
                        return port
            except (OSError, ValueError):
                pass
            time.sleep(0.02)
        raise RuntimeError("serve did not become ready:\n" + self.stderr())

    @staticmethod
    def _accepts(port):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return True
        except OSError:
            return False

    def stderr(self):
        try:
            with open(self.stderr_path, "rb") as f:
                return f.read().decode("utf-8", "replace")
        except OSError:
            return ""

    def request(self, method, path, body=None, headers=None, raw=None, timeout=30):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            data = raw
            if data is None and body is not None:
                data = json.dumps(body).encode()
            connection.request(method, path, body=data, headers=headers or {})
            response = connection.getresponse()
            return Response(response.status, response.getheaders(), response.read())
        finally:
            connection.close()

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def post(self, path, body=None, **kw):
        return self.request("POST", path, body=body, **kw)

    def patch(self, path, body=None, **kw):
        return self.request("PATCH", path, body=body, **kw)

    def stop(self, sig=signal.SIGTERM, timeout=30):
        if self.process and self.process.poll() is None:
            self.process.send_signal(sig)
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if getattr(self, "stderr_file", None):
            self.stderr_file.close()
            self.stderr_file = None
        return self.process.returncode if self.process else None

    def kill(self):
        return self.stop(signal.SIGKILL)

    def query(self, sql, params=()):
        with sqlite3.connect("file:%s?mode=ro" % self.db_path, uri=True) as connection:
            return connection.execute(sql, params).fetchall()

    def close(self):
        self.stop()
        if self.tmp:
            self.tmp.cleanup()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.close()


def still_open(sock):
    """True while the server has neither closed `sock` nor sent on it."""
    sock.setblocking(False)
    try:
        sock.recv(1, socket.MSG_PEEK)
        return False
    except BlockingIOError:
        return True
    except OSError:
        return False
    finally:
        sock.setblocking(True)


def run(event_id, **fields):
    """A minimal valid run body."""
    body = {"event_id": event_id, "run_id": "run-" + event_id, "agent_name": "crawler",
            "job_type": "crawl", "start_time": "2026-01-14T09:15:02+00:00"}
    body.update(fields)
    return body
