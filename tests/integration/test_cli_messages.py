"""What the command line says to a person: mistyped commands, --help, flag
errors, global flags first, network failures, missing inputs, a stranger's
./.env, serve's start-up lines and the progress display on a terminal."""
import json
import os
import re
import socket
import sqlite3
import subprocess
import time

import pytest

from harness import BINARY, Server, clean_env, run_cli
from ops_fixtures import create_v7, insert_runs

COMMANDS = ["serve", "migrate", "backup", "check", "ingest-buffer", "metrics", "prune"]


def usage_error(result):
    """A usage error: exit 64, nothing on stdout, a pointer to --help last."""
    assert result.returncode == 64, result.stderr
    assert result.stdout == ""
    assert re.search(r"Run 'telemetry[\w -]* --help' for usage\.\n$", result.stderr), result.stderr
    return result.stderr


# --- 7: mistyped commands, help and version as people type them ------------------

def test_a_mistyped_command_is_named_with_the_nearest_one():
    err = usage_error(run_cli("sreve"))
    assert "'sreve' is not a command of telemetry; did you mean 'serve'?" in err
    assert "Commands: " + ", ".join(COMMANDS) in err
    assert "A subcommand is required" not in err
    err = usage_error(run_cli("backup", "lsit"))
    assert "'lsit' is not a command of telemetry backup; did you mean 'list'?" in err


def test_an_unknown_option_is_named_with_the_nearest_one():
    err = usage_error(run_cli("--bogus"))
    assert "--bogus is not an option of telemetry" in err
    assert "A command comes first" in err
    assert "did you mean '--version'?" in usage_error(run_cli("--verison"))
    err = usage_error(run_cli("serve", "--prot", "1"))
    assert "--prot is not an option of 'telemetry serve'; did you mean '--port'?" in err
    assert "Run 'telemetry serve --help'" in err


def test_help_and_version_words():
    assert run_cli("help").stdout == run_cli("--help").stdout
    serve_help = run_cli("help", "serve")
    assert serve_help.returncode == 0 and serve_help.stdout == run_cli("serve", "--help").stdout
    restore_help = run_cli("help", "backup", "restore")
    assert restore_help.returncode == 0 and "Usage: telemetry backup restore" in restore_help.stdout
    assert "did you mean 'serve'" in usage_error(run_cli("help", "sreve"))
    for words in (["version"], ["--version"]):
        result = run_cli(*words)
        assert result.returncode == 0 and re.match(r"^telemetry \d+\.\d+\.\d+\n$", result.stdout)


def test_no_command_lists_the_commands():
    assert "a command is required: " + ", ".join(COMMANDS) in usage_error(run_cli())


# --- 8: --help -------------------------------------------------------------------

def test_help_shows_the_name_types_defaults_and_the_manual():
    text = run_cli("serve", "--help").stdout
    assert "Usage: telemetry serve [OPTIONS]" in text
    assert BINARY not in text
    assert re.search(r"--port PORT +port to listen on.*\[default: 8765\]", text)
    assert re.search(r"--busy-timeout-ms MILLISECONDS .*\[default: 30000\]", text)
    assert re.search(r"--read-timeout SECONDS .*\[default: 30\]", text)
    assert re.search(r"--journal-mode MODE .*\[default: DELETE\]", text)
    assert re.search(r"--db PATH ", text)
    assert " TEXT" not in text
    assert re.search(r"--no-auth +do not require a Bearer token \(the default\)", text)
    assert "turn off:" not in text
    assert text.rstrip().endswith("The manual: man telemetry-serve")
    prune = run_cli("prune", "--help").stdout
    assert re.search(r"--older-than DURATION \(required\)", prune)
    assert re.search(r"--batch-size INT .*\[default: 10000\]", prune)
    assert re.search(r"--since DURATION .*\[default: 24h\]", run_cli("metrics", "--help").stdout)
    assert run_cli("backup", "restore", "--help").stdout.rstrip().endswith("man telemetry-backup")
    assert "man telemetry " in run_cli("--help").stdout


COMMAND_PATHS = [("serve",), ("migrate",), ("backup",), ("backup", "list"), ("backup", "restore"),
                 ("check",), ("ingest-buffer",), ("metrics",), ("prune",), ("run",),
                 ("record", "start"), ("record", "finish"), ("record", "event"),
                 ("runs",), ("runs", "list"), ("runs", "failures"), ("runs", "show")]


@pytest.mark.parametrize("path", COMMAND_PATHS, ids=" ".join)
def test_every_command_types_its_values(path):
    """No flag of any command shows CLI11's generic TEXT: each names what it takes."""
    result = run_cli(*path, "--help")
    assert result.returncode == 0, result.stderr
    assert " TEXT" not in result.stdout, result.stdout


# --- 9: one rule for flag errors -------------------------------------------------

def test_bad_flags_name_the_flag_say_what_is_expected_and_exit_64(tmp_path):
    db = str(tmp_path / "db.sqlite")
    err = usage_error(run_cli("serve", "--db", db, "--no-env-file", "--port", "abc"))
    assert "telemetry: --port abc: not an integer; expected a whole number from 0 to 65535" in err
    assert "TELEMETRY_API_PORT" not in err
    assert not os.path.exists(db)
    err = usage_error(run_cli("serve", "--db", db, "--no-env-file", "--journal-mode", "memory"))
    assert "--journal-mode memory: must be DELETE, TRUNCATE, PERSIST or WAL" in err
    err = usage_error(run_cli("prune", "--db", db, "--older-than", "1d", "--batch-size", "abc"))
    assert "--batch-size abc: expected a whole number" in err and "Could not convert" not in err
    err = usage_error(run_cli("metrics", "--db", db, "--no-env-file", "--since", "3m"))
    assert "--since 3m: since must be a whole number of hours, days or weeks" in err
    assert "Value error" not in err
    err = usage_error(run_cli("backup", "restore", "--db", db))
    assert "FILE is required" in err and "Run 'telemetry backup restore --help'" in err
    err = usage_error(run_cli("prune", "--batch-size"))
    assert "--batch-size needs a value" in err


def test_bad_values_from_the_environment_stay_configuration_errors(tmp_path):
    result = run_cli("serve", "--db", str(tmp_path / "db.sqlite"), "--no-env-file",
                     env=clean_env(TELEMETRY_API_PORT="abc"))
    assert result.returncode == 78
    assert "configuration error: TELEMETRY_API_PORT=abc (environment): not an integer" in result.stderr


# --- 10: global flags before the subcommand -------------------------------------

def test_global_flags_before_the_command_are_accepted(tmp_path):
    db = str(tmp_path / "db.sqlite")
    create_v7(db)
    insert_runs(db, [("e1", "2026-01-14T09:15:02.000000+00:00")])
    first = run_cli("--db", db, "--no-env-file", "metrics", "--json")
    after = run_cli("metrics", "--json", "--db", db, "--no-env-file")
    assert first.returncode == 0, first.stderr
    assert json.loads(first.stdout)["total_runs"] == 1
    assert json.loads(first.stdout)["performance"] == json.loads(after.stdout)["performance"]
    nested = run_cli("--db=" + db, "--no-env-file", "backup", "list", "--json")
    assert nested.returncode == 0 and json.loads(nested.stdout)["directory"] == str(tmp_path / "backups")
    assert "a command is required" in usage_error(run_cli("--db", db))


# --- 11: network errors ----------------------------------------------------------

def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_network_failures_say_what_happened_with_the_url(tmp_path):
    port = free_port()  # closed again: nothing listens there
    result = run_cli("metrics", "--no-env-file", "--url", "http://127.0.0.1:%d" % port)
    assert result.returncode == 69
    assert ("cannot reach the service at http://127.0.0.1:%d: connection refused: nothing listens on "
            "127.0.0.1 port %d" % (port, port)) in result.stderr
    check = run_cli("check", "--no-env-file", "--db", str(tmp_path / "x.sqlite"), "--url",
                    "http://127.0.0.1:%d" % port)
    assert "http://127.0.0.1:%d is unreachable: connection refused" % port in check.stdout
    unresolved = run_cli("metrics", "--no-env-file", "--url", "http://no-such-host.invalid:80")
    assert unresolved.returncode == 69
    assert "the host name no-such-host.invalid does not resolve" in unresolved.stderr


def test_a_url_without_scheme_is_http(tmp_path):
    with Server() as server:
        result = run_cli("metrics", "--no-env-file", "--json", "--url", "127.0.0.1:%d" % server.port)
        assert result.returncode == 0, result.stderr
        assert json.loads(result.stdout)["total_runs"] == 0


# --- 12: ingest-buffer without its buffer folder ---------------------------------

def test_a_missing_default_buffer_folder_is_said_on_stderr(tmp_path):
    result = run_cli("ingest-buffer", "--no-env-file", "--db", str(tmp_path / "db.sqlite"), cwd=str(tmp_path))
    assert result.returncode == 66
    assert ("telemetry: cannot read %s: No such file or directory (the buffer folder, TELEMETRY_BUFFER_DIR"
            % (tmp_path / "telemetry_buffer")) in result.stderr
    assert not (tmp_path / "db.sqlite").exists()


def test_skipped_active_files_are_in_the_summary(tmp_path):
    buffer = tmp_path / "telemetry_buffer"
    buffer.mkdir()
    (buffer / "telemetry_20260101_000000.jsonl.active").write_text("")
    db = str(tmp_path / "db.sqlite")
    result = run_cli("ingest-buffer", "--no-env-file", "--db", db, cwd=str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert ("skipped 1 .jsonl.active file a client may still be writing (%s)"
            % (buffer / "telemetry_20260101_000000.jsonl.active")) in result.stdout
    as_json = run_cli("ingest-buffer", "--no-env-file", "--db", db, "--json", cwd=str(tmp_path))
    assert json.loads(as_json.stdout)["skipped_active"] == [str(buffer / "telemetry_20260101_000000.jsonl.active")]


# --- 13: another project's ./.env -----------------------------------------------

def test_a_strangers_env_file_names_itself_and_how_to_skip_it(tmp_path):
    (tmp_path / ".env").write_text("# the web app's settings\nNODE_ENV=production\nthis is not a setting\n")
    db = str(tmp_path / "db.sqlite")
    create_v7(db)
    result = run_cli("metrics", "--db", db, cwd=str(tmp_path))
    assert result.returncode == 78
    assert ".env:3: expected KEY=VALUE" in result.stderr
    assert ("%s is read because it is in the current folder; if it is not meant for telemetry, pass "
            "--no-env-file" % (tmp_path / ".env")) in result.stderr
    skipped = run_cli("metrics", "--db", db, "--no-env-file", cwd=str(tmp_path))
    assert skipped.returncode == 0, skipped.stderr


# --- 14: serve's start-up lines --------------------------------------------------

def start_up_lines(args, env=None):
    """serve's log up to its listening line (the harness sees the port in the lock
    file a moment before that line is written)."""
    server = Server(args=args, env=env).start()
    try:
        deadline = time.time() + 20
        while 'msg="listening"' not in server.stderr() and time.time() < deadline:
            time.sleep(0.01)
        return server, [line for line in server.stderr().splitlines() if line]
    finally:
        server.close()


def test_serve_logs_only_settings_that_are_not_defaults_then_listening():
    server, lines = start_up_lines(["--rate-limit-rpm", "120"], env={"TELEMETRY_API_AUTH_TOKEN": "s3cret-token-1234567890"})
    settings = [line for line in lines if 'msg="setting"' in line]
    names = sorted(re.search(r"name=(\S+)", line).group(1) for line in settings)
    assert names == ["TELEMETRY_API_AUTH_TOKEN", "TELEMETRY_API_PORT", "TELEMETRY_DB_PATH", "TELEMETRY_RATE_LIMIT_RPM"]
    assert all("source=default" not in line for line in settings)
    assert any("value=***REDACTED***" in line for line in settings)
    assert "s3cret" not in "\n".join(lines)
    listening = [i for i, line in enumerate(lines) if 'msg="listening"' in line]
    assert len(listening) == 1 and listening[0] > max(lines.index(line) for line in settings)
    assert re.search(r"url=http://127\.0\.0\.1:\d+ db_path=\S+ journal_mode=DELETE", lines[listening[0]])


def test_the_listening_line_survives_a_quiet_log_level_and_debug_lists_every_setting():
    _, quiet = start_up_lines(["--log-level", "warning"])
    assert [line for line in quiet if 'msg="listening"' in line]
    assert not [line for line in quiet if 'msg="setting"' in line]
    _, loud = start_up_lines(["--log-level", "debug"])
    defaults = [line for line in loud if 'msg="setting"' in line and "source=default" in line]
    assert len(defaults) > 10


# --- 15: one progress display ----------------------------------------------------

def on_terminal(args, env):
    """Runs the binary with stdout and stderr on one pseudo-terminal, as a person
    sees it; returns (exit code, what the terminal received)."""
    import pty
    master, slave = pty.openpty()
    process = subprocess.Popen([BINARY, *args], env=env, stdin=subprocess.DEVNULL, stdout=slave, stderr=slave)
    os.close(slave)
    shown = b""
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # EIO once the child has closed the terminal
            break
        if not chunk:
            break
        shown += chunk
    os.close(master)
    return process.wait(timeout=120), shown.decode("utf-8", "replace")


def old_runs_db(tmp_path, n=5):
    db = str(tmp_path / "db.sqlite")
    create_v7(db)
    insert_runs(db, [("e%d" % i, "2020-01-01T00:00:00.000000+00:00") for i in range(n)])
    return db


def test_progress_ends_its_line_before_the_summary_and_honours_no_color(tmp_path):
    db = old_runs_db(tmp_path)
    code, shown = on_terminal(["prune", "--db", db, "--no-env-file", "--older-than", "1d", "--batch-size", "2"],
                              clean_env(TERM="xterm"))
    assert code == 0, shown
    assert "\x1b[1mprune\x1b[0m: 5 runs deleted\r\n" in shown
    assert re.search(r"\r\ndeleted 5 runs created before", shown)
    (tmp_path / "again").mkdir()
    again = old_runs_db(tmp_path / "again")
    code, plain = on_terminal(["prune", "--db", again, "--no-env-file", "--older-than", "1d", "--batch-size", "2"],
                              clean_env(TERM="xterm", NO_COLOR="1"))
    assert code == 0 and "prune: 5 runs deleted\r\n" in plain
    assert "\x1b[1m" not in plain


def test_no_progress_on_a_dumb_terminal(tmp_path):
    db = old_runs_db(tmp_path)
    code, shown = on_terminal(["prune", "--db", db, "--no-env-file", "--older-than", "1d", "--batch-size", "2"],
                              clean_env(TERM="dumb"))
    assert code == 0
    assert "prune:" not in shown and "\x1b" not in shown and "\r\x1b" not in shown
    assert shown.startswith("deleted 5 runs")


def test_backup_progress_shows_verification_and_never_runs_into_the_result(tmp_path):
    db = str(tmp_path / "big.sqlite")
    create_v7(db)
    connection = sqlite3.connect(db)  # 66 MiB: progress is drawn from 64 MiB on
    connection.execute("CREATE TABLE padding (b BLOB)")
    connection.execute("INSERT INTO padding VALUES (zeroblob(66 * 1024 * 1024))")
    connection.commit()
    connection.close()
    code, shown = on_terminal(["backup", "--db", db, "--no-env-file"], clean_env(TERM="xterm", NO_COLOR="1"))
    assert code == 0, shown
    assert re.search(r"backup: 100% \(66\.\d MiB of 66\.\d MiB\)\r\n", shown)
    assert re.search(r"verifying: 100% \(66\.\d MiB of 66\.\d MiB\)\r\n", shown)
    assert re.search(r"\r\nbackup \S+: 0 runs, 66\.\d MiB, verified", shown)
