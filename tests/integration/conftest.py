import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(__file__))

from harness import Server  # noqa: E402


@pytest.fixture
def server():
    with Server() as s:
        yield s


@pytest.fixture
def make_server(tmp_path):
    """Factory for servers with extra flags/env; all are stopped at the end."""
    started = []

    def factory(args=(), env=None, directory=None, start=True):
        s = Server(directory=directory, args=args, env=env)
        started.append(s)
        return s.start() if start else s

    yield factory
    for s in started:
        s.close()
