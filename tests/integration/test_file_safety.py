"""Files the operator commands create or follow (issue 14, points 3a and 3b): no
symlink in a buffer folder or in the lock file's place leads a write or a read
elsewhere, and what ingest-buffer writes is private (0600) like the database."""
import os
import stat

import pytest

from harness import run_cli
from ops_fixtures import create_v7

SECRET = "password=hunter2\n"


def _victim(tmp_path):
    victim = tmp_path / "victim"
    victim.write_text(SECRET)
    os.chmod(victim, 0o600)
    return victim


def ingest(tmp_path, *args):
    return run_cli("ingest-buffer", *args, "--db", str(tmp_path / "t.sqlite"), "--no-env-file")


def test_ingest_buffer_does_not_follow_a_symlink_out_of_the_buffer_folder(tmp_path):
    victim = _victim(tmp_path)
    buf = tmp_path / "buf"
    buf.mkdir()
    os.symlink(victim, buf / "evil.jsonl")
    result = ingest(tmp_path, str(buf))
    assert "skipped %s: a symbolic link, not followed" % (buf / "evil.jsonl") in result.stderr
    assert sorted(os.listdir(buf)) == ["evil.jsonl"]  # no .rejected copy, no .synced rename
    assert os.path.islink(buf / "evil.jsonl")
    assert victim.read_text() == SECRET


def test_files_ingest_buffer_writes_are_0600(tmp_path):
    buf = tmp_path / "buf"
    buf.mkdir()
    (buf / "bad.jsonl").write_text("not json\n")
    old = os.umask(0o022)
    try:
        result = ingest(tmp_path, str(buf))
    finally:
        os.umask(old)
    assert result.returncode == 65, result.stderr
    assert stat.S_IMODE(os.stat(buf / "bad.jsonl.rejected").st_mode) == 0o600
    assert stat.S_IMODE(os.stat(tmp_path / "t.sqlite").st_mode) == 0o600


def test_a_symlink_at_the_quarantine_temporary_name_is_not_written_through(tmp_path):
    victim = _victim(tmp_path)
    buf = tmp_path / "buf"
    buf.mkdir()
    (buf / "bad.jsonl").write_text("not json\n")
    os.symlink(victim, buf / "bad.jsonl.rejected.tmp")
    result = ingest(tmp_path, str(buf))
    assert result.returncode == 65, result.stderr
    assert victim.read_text() == SECRET
    assert "not json" in (buf / "bad.jsonl.rejected").read_text()


@pytest.mark.parametrize("link, message", [
    (os.symlink, "lock file %s is a symbolic link; refusing to write through it"),
    (os.link, "lock file %s is a hard link to another file (2 names)"),
])
def test_a_link_in_the_lock_files_place_is_not_written_through(tmp_path, link, message):
    victim = _victim(tmp_path)
    db = str(tmp_path / "t.sqlite")
    create_v7(db)
    lock = tmp_path / "t.sqlite.lock"
    link(victim, lock)
    result = run_cli("prune", "--db", db, "--lock-file", str(lock), "--older-than", "30d", "--no-env-file")
    assert result.returncode == 73, result.stderr
    assert message % lock in result.stderr
    assert victim.read_text() == SECRET
