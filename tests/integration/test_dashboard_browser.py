"""The dashboard in a real browser (issue 17): headless Chromium, driven by
tests/browser/dashboard.js (puppeteer-core from npm, Debian's chromium), against
two real `telemetry serve` processes with generated runs, one with auth off and
one with auth on. The script's checks are listed in its report; every one must
pass. Screenshots of each view land in $TELEMETRY_DASHBOARD_SHOTS, else
<build>/dashboard-screenshots (docs/dashboard/ holds committed copies).

Node, npm and Chromium are required, not optional: a missing one fails this test
(scripts/install-deps.sh --with-tests installs them)."""
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from dashboard_data import fill, generate
from harness import BINARY, Server

SOURCE_DIR = Path(__file__).resolve().parents[2]
BROWSER_DIR = SOURCE_DIR / "tests" / "browser"
TOKEN = "dashboard-test-token-0123456789"
AUTH = {"Authorization": "Bearer " + TOKEN}


def tool(name, *candidates):
    for candidate in (os.environ.get(name.upper()), *candidates, shutil.which(name)):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    pytest.fail(f"{name} is required for the browser test and was not found "
                "(scripts/install-deps.sh --with-tests installs it)", pytrace=False)


def screenshots_dir():
    given = os.environ.get("TELEMETRY_DASHBOARD_SHOTS")
    if given:
        return Path(given)
    return Path(BINARY).resolve().parents[1] / "dashboard-screenshots"


@pytest.fixture(scope="module")
def node_modules():
    npm = tool("npm")
    if not (BROWSER_DIR / "node_modules" / "puppeteer-core").is_dir():
        result = subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=BROWSER_DIR, capture_output=True,
                                text=True, timeout=600, env=dict(os.environ, PUPPETEER_SKIP_DOWNLOAD="1"))
        assert result.returncode == 0, "npm ci in tests/browser failed:\n" + result.stdout + result.stderr
    return BROWSER_DIR / "node_modules"


def test_dashboard_in_headless_chromium(node_modules, tmp_path):
    node = tool("node")
    chromium = tool("chromium", "/usr/bin/chromium", "/usr/bin/chromium-browser")
    runs = generate()
    shots = screenshots_dir()
    if shots.exists():
        shutil.rmtree(shots)
    with Server() as open_server, Server(env={"TELEMETRY_API_AUTH_ENABLED": "true",
                                              "TELEMETRY_API_AUTH_TOKEN": TOKEN}) as auth_server:
        fill(open_server, runs)
        fill(auth_server, runs[:60], headers=AUTH)
        env = dict(os.environ, BASE_URL=f"http://127.0.0.1:{open_server.port}",
                   AUTH_URL=f"http://127.0.0.1:{auth_server.port}", AUTH_TOKEN=TOKEN,
                   CHROMIUM=chromium, SHOTS=str(shots), HOME=str(tmp_path))
        result = subprocess.run([node, str(BROWSER_DIR / "dashboard.js")], cwd=BROWSER_DIR, env=env,
                                capture_output=True, text=True, timeout=300)
    try:
        report = json.loads(result.stdout)
    except json.JSONDecodeError:
        pytest.fail("dashboard.js gave no report:\n" + result.stdout[-3000:] + result.stderr[-3000:], pytrace=False)
    failed = [c for c in report["checks"] if not c["ok"]]
    assert report["failure"] is None, report["failure"]
    assert not failed, json.dumps(failed, indent=1)
    assert result.returncode == 0, result.stderr[-3000:]
    assert len(report["checks"]) >= 30
    for view in ("runs", "runs-filtered", "run-detail", "agents", "trends", "health", "token", "runs-phone",
                 "trends-dark"):
        assert (shots / f"{view}.png").stat().st_size > 10000, view
