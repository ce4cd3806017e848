"""Packaging: man pages, shell completions, systemd units, `meson install`, and the
docs that must follow the binary (API reference, troubleshooting, example config).

The flags are taken from the built binary's --help output, so a flag added to a
command without its man page entry or completion fails here. The tools these
tests drive (scdoc, groff, man, zsh, fish, systemd-analyze, meson) are test
prerequisites: `scripts/install-deps.sh --with-tests` installs them, and a missing
one fails the test that needs it, naming the Debian package, rather than skipping."""
import functools
import json
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from harness import BINARY, Server, clean_env, run, run_cli

SOURCE_DIR = Path(__file__).resolve().parents[2]
MAN_DIR = SOURCE_DIR / "man"
COMPLETIONS_DIR = SOURCE_DIR / "completions"
UNITS_DIR = SOURCE_DIR / "packaging" / "systemd"
BUILD_DIR = Path(BINARY).resolve().parents[1]  # <builddir>/src/telemetry

MAN_PAGES = ["telemetry.1", "telemetry-serve.1", "telemetry-migrate.1", "telemetry-backup.1",
             "telemetry-check.1", "telemetry-ingest-buffer.1", "telemetry-metrics.1",
             "telemetry-prune.1", "telemetry-run.1", "telemetry-record.1", "telemetry-runs.1",
             "telemetry.env.5"]
UNITS = ["telemetry.service", "telemetry-maintenance.service", "telemetry-maintenance.timer"]


def need(tool, package):
    path = shutil.which(tool)
    if path is None:
        pytest.fail("%s is not installed (Debian package %s; scripts/install-deps.sh --with-tests "
                    "installs every test prerequisite)" % (tool, package))
    return path


# --- what the binary says it accepts ---------------------------------------------

def parse_help(text):
    """Flags (every spelling: -h, --help) and subcommand names of one --help output."""
    flags, subcommands, section = set(), [], None
    for line in text.splitlines():
        if re.match(r"^\S.*:$", line):
            section = line[:-1]
            continue
        if not line.startswith("  ") or not line.strip():
            continue
        first = line.split()[0]
        if section == "Options":
            flags.update(name for name in first.split(",") if name.startswith("-"))
        elif section == "Subcommands":
            subcommands.append(first)
    return flags, subcommands


@functools.lru_cache(maxsize=None)
def help_tree():
    """{command path tuple: set of flags}, for telemetry itself and every
    (nested) subcommand its --help lists."""
    tree = {}

    def visit(path):
        result = run_cli(*path, "--help")
        assert result.returncode == 0, result.stderr
        flags, subcommands = parse_help(result.stdout)
        assert flags, "no flags parsed from `telemetry %s --help`" % " ".join(path)
        tree[path] = flags
        for name in subcommands:
            visit(path + (name,))

    visit(())
    return tree


def command_paths():
    return sorted(help_tree())


def top_level_commands():
    return sorted(path[0] for path in help_tree() if len(path) == 1)


def path_id(path):
    return " ".join(path) or "telemetry"


def test_help_tree_lists_the_documented_commands():
    # The packaging below covers whatever --help lists; this pins that the parse works.
    assert {"serve"} <= set(top_level_commands())
    assert {"--help", "-h", "--version"} == help_tree()[()]
    assert {"--db", "--lock-file", "--env-file", "--no-env-file", "--log-level",
            "--log-format", "--port"} <= help_tree()[("serve",)]


# --- man pages ----------------------------------------------------------------------

@pytest.fixture(scope="module")
def rendered_pages(tmp_path_factory):
    scdoc = need("scdoc", "scdoc")
    out = tmp_path_factory.mktemp("man")
    pages = {}
    for page in MAN_PAGES:
        source = MAN_DIR / (page + ".scd")
        with open(source, "rb") as f:
            result = subprocess.run([scdoc], stdin=f, capture_output=True)
        assert result.returncode == 0, "%s: %s" % (source, result.stderr.decode())
        section_dir = out / ("man" + page.rsplit(".", 1)[1])
        section_dir.mkdir(exist_ok=True)
        (section_dir / page).write_bytes(result.stdout)
        pages[page] = section_dir / page
    return pages


def test_man_meson_build_lists_every_page_source():
    listed = re.findall(r"'([\w.-]+\.[15])'", (MAN_DIR / "meson.build").read_text())
    sources = sorted(p.name[:-len(".scd")] for p in MAN_DIR.glob("*.scd"))
    assert sorted(listed) == sources == sorted(MAN_PAGES)


def test_every_command_has_a_man_page():
    for command in top_level_commands():
        assert "telemetry-%s.1" % command in MAN_PAGES, "no man page for `telemetry %s`" % command


@pytest.mark.parametrize("page", MAN_PAGES)
def test_man_page_renders_without_warnings_in_groff(rendered_pages, page):
    groff = need("groff", "groff-base")
    result = subprocess.run([groff, "-ww", "-t", "-man", "-z", str(rendered_pages[page])],
                            capture_output=True, text=True)
    assert result.returncode == 0 and result.stderr == "", result.stderr


@pytest.mark.parametrize("page", MAN_PAGES)
def test_man_page_renders_without_warnings_in_man(rendered_pages, page):
    man = need("man", "man-db")
    env = dict(os.environ, LANG="C.UTF-8", MANWIDTH="80")
    result = subprocess.run([man, "--warnings", "-l", str(rendered_pages[page])],
                            capture_output=True, text=True, env=env)
    assert result.returncode == 0 and result.stderr == "", result.stderr
    text = re.sub(".\x08", "", result.stdout)  # overstrike bold and underline
    for section in ("NAME", "SYNOPSIS", "DESCRIPTION", "EXAMPLES", "SEE ALSO"):
        assert re.search(r"^%s$" % section, text, re.M), "%s lacks %s" % (page, section)
    if page.endswith(".1"):
        assert re.search(r"^EXIT STATUS$", text, re.M)
        assert re.search(r"^ENVIRONMENT$", text, re.M)


# scdoc markup that did not become bold or underline shows as stray * and _:
# "recent__DURATION_" (an underline right after a bold word), "*word", "WORD_ ".
STRAY_MARKUP = re.compile(r"__|(?<=\s)\*\w|\w\*(?=\w)|(?<=\s)_[A-Za-z]|(?<!TELEMETRY)(?<=[A-Za-z])_(?=[\s=,.;:)])")


@pytest.mark.parametrize("page", MAN_PAGES)
def test_man_page_shows_no_stray_scdoc_markup(rendered_pages, page):
    man = need("man", "man-db")
    env = dict(os.environ, LANG="C.UTF-8", MANWIDTH="250")  # wide: no hyphenation splits words
    result = subprocess.run([man, "-l", str(rendered_pages[page])], capture_output=True, text=True, env=env)
    text = re.sub(".\x08", "", result.stdout).replace("***REDACTED***", "")
    stray = [line.strip() for line in text.splitlines() if STRAY_MARKUP.search(line)]
    assert not stray, "%s shows scdoc markup: %s" % (page, stray)


def documented_items(page):
    """The bold words of the definition-list entries of an scdoc page: a line
    starting with `*` followed by a tab-indented description
    (`*--db* _PATH_, *--no-env-file*` gives --db and --no-env-file)."""
    items = set()
    lines = (MAN_DIR / (page + ".scd")).read_text().splitlines()
    for line, following in zip(lines, lines[1:]):
        if line.startswith("*") and following.startswith("\t"):
            items.update(re.findall(r"\*([^*\s]+)\*", line))
    return items


@pytest.mark.parametrize("path", command_paths(), ids=path_id)
def test_man_page_documents_every_help_flag(path):
    page = "telemetry.1" if not path else "telemetry-%s.1" % path[0]
    missing = sorted(help_tree()[path] - documented_items(page))
    assert not missing, "%s does not document these flags of `%s --help`: %s" % (
        page, path_id(path), missing)


def test_man_pages_document_every_exit_code_of_config_md():
    # docs/reference/configuration.md §7.1: the codes every command may use, all described in telemetry(1).
    items = documented_items("telemetry.1")
    assert {"0", "1", "64", "65", "66", "69", "70", "73", "74", "75", "78", "130", "143"} <= items


def test_env_page_documents_every_setting_the_binary_reads():
    # Every TELEMETRY_ name in the config resolver is a setting or a known ignored name.
    names = set()
    for source in (SOURCE_DIR / "src" / "util").glob("config*.cpp"):
        names.update(re.findall(r'"(TELEMETRY_[A-Z0-9_]+)"', source.read_text()))
    assert "TELEMETRY_DB_PATH" in names, "the resolver's variable names were not found"
    text = (MAN_DIR / "telemetry.env.5.scd").read_text()
    missing = sorted(name for name in names if not re.search(r"\*%s\*" % name, text))
    assert not missing, "telemetry.env(5) does not mention %s" % missing


# --- bash completion -------------------------------------------------------------------

BASH_COMPLETION = COMPLETIONS_DIR / "telemetry.bash"


def bash_complete(*words, cwd=None):
    """COMPREPLY for a command line whose last word is the one being completed."""
    script = ('source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 )); '
              'COMP_LINE="${COMP_WORDS[*]}"; COMP_POINT=${#COMP_LINE}; _telemetry; '
              'printf "%s\\n" "${COMPREPLY[@]}"')
    result = subprocess.run(["bash", "--norc", "--noprofile", "-c", script, "bash", str(BASH_COMPLETION),
                             *words], capture_output=True, text=True, cwd=cwd)
    assert result.returncode == 0, result.stderr
    assert result.stderr == "", result.stderr
    return [line for line in result.stdout.splitlines() if line]


def test_bash_completion_registers_for_telemetry():
    result = subprocess.run(["bash", "--norc", "-c", 'source "$1"; complete -p telemetry', "bash",
                             str(BASH_COMPLETION)], capture_output=True, text=True)
    assert result.stdout.strip() == "complete -F _telemetry telemetry"


@pytest.mark.parametrize("path", command_paths(), ids=path_id)
def test_bash_completion_offers_exactly_the_help_flags(path):
    offered = set(bash_complete("telemetry", *path, "-"))
    assert offered == help_tree()[path]


def test_bash_completion_offers_every_command():
    assert set(top_level_commands()) <= set(bash_complete("telemetry", ""))
    assert bash_complete("telemetry", "ing") == ["ingest-buffer"]
    assert bash_complete("telemetry", "pr") == ["prune"]


@pytest.mark.parametrize("path", [p for p in command_paths() if len(p) == 1], ids=path_id)
def test_bash_completion_offers_nested_subcommands(path):
    nested = sorted(p[1] for p in help_tree() if len(p) == 2 and p[0] == path[0])
    if nested:
        assert sorted(bash_complete("telemetry", *path, "")) == nested


def test_bash_completion_completes_enumerations():
    assert bash_complete("telemetry", "serve", "--journal-mode", "") == ["DELETE", "TRUNCATE", "PERSIST", "WAL"]
    assert bash_complete("telemetry", "prune", "--synchronous", "N") == ["NORMAL"]
    assert bash_complete("telemetry", "check", "--log-level", "w") == ["warning"]
    assert bash_complete("telemetry", "metrics", "--log-format", "") == ["logfmt", "json"]
    # bash splits --by=j at "=" (COMP_WORDBREAKS): the words are --by, =, j
    assert bash_complete("telemetry", "metrics", "--by", "=", "j") == ["job_type"]
    assert bash_complete("telemetry", "metrics", "--by=st") == ["status"]
    assert "30d" in bash_complete("telemetry", "prune", "--older-than", "")
    assert bash_complete("telemetry", "migrate", "--to", "") == ["7"]


def test_bash_completion_completes_paths(tmp_path):
    (tmp_path / "data.sqlite").write_text("")
    (tmp_path / "dump").mkdir()
    assert bash_complete("telemetry", "check", "--db", "da", cwd=tmp_path) == ["data.sqlite"]
    assert bash_complete("telemetry", "serve", "--env-file", str(tmp_path / "d")) == sorted(
        [str(tmp_path / "data.sqlite"), str(tmp_path / "dump")])
    assert bash_complete("telemetry", "backup", "--dir", "d", cwd=tmp_path) == ["dump"]
    assert sorted(bash_complete("telemetry", "ingest-buffer", "", cwd=tmp_path)) == ["-", "data.sqlite", "dump"]
    assert bash_complete("telemetry", "backup", "restore", "da", cwd=tmp_path) == ["data.sqlite"]
    # restore takes one FILE: nothing more once it is given
    assert bash_complete("telemetry", "backup", "restore", "data.sqlite", "", cwd=tmp_path) == []


def test_bash_completion_does_not_take_flag_values_for_commands():
    # "list" is the value of --dir here, so backup's own actions are still offered.
    assert bash_complete("telemetry", "backup", "--dir", "list", "") == ["list", "restore"]
    assert set(bash_complete("telemetry", "backup", "--dir", "=", "x", "restore", "--y")) == {"--yes"}


# --- zsh completion ------------------------------------------------------------------

ZSH_COMPLETION = COMPLETIONS_DIR / "_telemetry"
# zsh functions of each command path; _arguments and friends are replaced by
# stubs that print their arguments, so the specs the real functions pass are seen.
ZSH_STUBS = r'''
_arguments() { print -rl -- "$@"; state=$STUB_STATE }
_describe() { local name=${@[-1]}; local item; for item in "${(@P)name}"; do print -r -- "describe:${item%%:*}"; done }
_values() { :; }
_files() { :; }
'''


def zsh_function(path):
    return "_telemetry" + "".join("_" + part.replace("-", "_") for part in path)


def zsh_run(body, state=""):
    script = ZSH_STUBS + 'source "$1"\nprint -- "--- start"\n' + body
    result = subprocess.run(["zsh", "-f", "-c", script, "zsh", str(ZSH_COMPLETION)],
                            capture_output=True, text=True, env=dict(os.environ, STUB_STATE=state))
    assert result.returncode == 0 and result.stderr == "", result.stderr
    return result.stdout.split("--- start\n", 1)[1].splitlines()


def zsh_spec_flags(lines):
    flags = set()
    for spec in lines:
        if "[" not in spec:
            continue  # _arguments' own options (-s, -C) and positional specs
        spec = re.sub(r"^\([^)]*\)", "", spec)  # exclusion list
        match = re.match(r"^(--?[A-Za-z][\w-]*)", spec)
        if match:
            flags.add(match.group(1))
    return flags


def test_zsh_completion_parses():
    need("zsh", "zsh")
    result = subprocess.run(["zsh", "-n", str(ZSH_COMPLETION)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert ZSH_COMPLETION.read_text().startswith("#compdef telemetry\n")


@pytest.mark.parametrize("path", command_paths(), ids=path_id)
def test_zsh_completion_offers_exactly_the_help_flags(path):
    need("zsh", "zsh")
    assert zsh_spec_flags(zsh_run(zsh_function(path))) == help_tree()[path]


def test_zsh_completion_offers_every_command_and_dispatches_to_it():
    need("zsh", "zsh")
    described = [line[len("describe:"):] for line in zsh_run("_telemetry", state="command")
                 if line.startswith("describe:")]
    assert set(top_level_commands()) <= set(described)
    for command in top_level_commands():
        lines = zsh_run("words=(%s); _telemetry" % command, state="arguments")
        assert help_tree()[(command,)] <= zsh_spec_flags(lines), command
    nested = sorted(p[1] for p in help_tree() if len(p) == 2 and p[0] == "backup")
    described = [line[len("describe:"):] for line in zsh_run("_telemetry_backup", state="action")
                 if line.startswith("describe:")]
    assert described == nested


def test_zsh_completion_completes_values():
    need("zsh", "zsh")
    specs = zsh_run("_telemetry_serve")
    assert any(s.startswith("--journal-mode=") and s.endswith(":_telemetry_journal_modes") for s in specs)
    assert any(s.startswith("--db=") and s.endswith(":_files") for s in specs)
    specs = zsh_run("_telemetry_metrics")
    assert any(s.startswith("--by=") and s.endswith("(agent job_type status)") for s in specs)
    values = subprocess.run(["zsh", "-f", "-c", '_values() { print -r -- "$@" }; source "$1" >/dev/null 2>&1; '
                             '_telemetry_journal_modes; _telemetry_synchronous_levels', "zsh",
                             str(ZSH_COMPLETION)], capture_output=True, text=True).stdout.splitlines()
    assert values == ["journal mode DELETE TRUNCATE PERSIST WAL", "synchronous level EXTRA FULL NORMAL OFF"]


# --- fish completion -----------------------------------------------------------------

FISH_COMPLETION = COMPLETIONS_DIR / "telemetry.fish"


def fish_complete(line, cwd=None):
    need("fish", "fish")
    result = subprocess.run(["fish", "--no-config", "-c", 'source $argv[1]; complete -C"$argv[2]"',
                             str(FISH_COMPLETION), line], capture_output=True, text=True, cwd=cwd)
    assert result.returncode == 0 and result.stderr == "", result.stderr
    return [entry.split("\t")[0] for entry in result.stdout.splitlines()]


@pytest.mark.parametrize("path", command_paths(), ids=path_id)
def test_fish_completion_offers_exactly_the_help_flags(path):
    offered = set(fish_complete(" ".join(("telemetry",) + path + ("-",))))
    offered.discard("-")  # ingest-buffer's PATH "-" (standard input) also starts with "-"
    assert offered == help_tree()[path]


def test_fish_completion_offers_commands_and_values(tmp_path):
    assert set(top_level_commands()) <= set(fish_complete("telemetry "))
    nested = sorted(p[1] for p in help_tree() if len(p) == 2 and p[0] == "backup")
    assert sorted(fish_complete("telemetry backup ")) == nested
    assert sorted(fish_complete("telemetry serve --synchronous ")) == ["EXTRA", "FULL", "NORMAL", "OFF"]
    assert sorted(fish_complete("telemetry metrics --by ")) == ["agent", "job_type", "status"]
    (tmp_path / "data.sqlite").write_text("")
    assert fish_complete("telemetry check --db da", cwd=tmp_path) == ["data.sqlite"]
    assert "-" in fish_complete("telemetry ingest-buffer ", cwd=tmp_path)


# --- meson install --------------------------------------------------------------------

def build_options():
    result = subprocess.run(["meson", "introspect", "--buildoptions", str(BUILD_DIR)],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return {option["name"]: option["value"] for option in json.loads(result.stdout)}


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """`meson install --destdir` of the build dir holding TELEMETRY_BIN, without
    rebuilding; returns (destdir, build options)."""
    need("meson", "meson")
    if not (BUILD_DIR / "meson-info").is_dir():
        pytest.fail("TELEMETRY_BIN (%s) is not inside a meson build dir" % BINARY)
    destdir = tmp_path_factory.mktemp("destdir")
    result = subprocess.run(["meson", "install", "-C", str(BUILD_DIR), "--destdir", str(destdir),
                             "--no-rebuild", "--quiet"], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    return destdir, build_options()


def in_prefix(options, *parts):
    return Path(options["prefix"], *parts)


def expected_install(options):
    prefix = Path(options["prefix"])

    def under(option, default):
        return prefix / (options[option] or default)

    files = {in_prefix(options, options["bindir"], "telemetry")}
    if options["man_pages"] == "enabled" or (options["man_pages"] == "auto" and shutil.which("scdoc")):
        files |= {in_prefix(options, options["mandir"], "man" + page[-1], page) for page in MAN_PAGES}
    datadir = options["datadir"]
    if options["bash_completion"]:
        files.add(under("bash_completion_dir", Path(datadir, "bash-completion", "completions")) / "telemetry")
    if options["zsh_completion"]:
        files.add(under("zsh_completion_dir", Path(datadir, "zsh", "site-functions")) / "_telemetry")
    if options["fish_completion"]:
        files.add(under("fish_completion_dir", Path(datadir, "fish", "vendor_completions.d")) / "telemetry.fish")
    if options["systemd_units"]:
        unit_dir = under("systemd_unit_dir", Path("lib", "systemd", "system"))
        files |= {unit_dir / unit for unit in UNITS}
    if options["example_config"]:
        files.add(under("example_config_dir", Path(datadir, "doc", "telemetry")) / "telemetry.env.example")
    return files


def test_meson_install_produces_the_expected_file_list(installed):
    destdir, options = installed
    found = {Path("/", path.relative_to(destdir)) for path in destdir.rglob("*") if not path.is_dir()}
    assert found == expected_install(options)


def test_installed_binary_runs_and_units_point_at_it(installed):
    destdir, options = installed
    binary = in_prefix(options, options["bindir"], "telemetry")
    result = subprocess.run([str(destdir) + str(binary), "--version"], capture_output=True, text=True)
    assert result.returncode == 0 and result.stdout.startswith("telemetry "), result.stderr
    assert options["systemd_units"], "the suite needs the default build option -Dsystemd_units=true"
    unit_dir = [p for p in expected_install(options) if p.name == "telemetry.service"][0].parent
    service = (Path(str(destdir) + str(unit_dir)) / "telemetry.service").read_text()
    assert "ExecStart=%s serve" % binary in service


def test_installed_man_pages_open_with_man(installed):
    destdir, options = installed
    man = need("man", "man-db")
    assert any(p.suffix in (".1", ".5") for p in expected_install(options)), \
        "man pages not built: install scdoc, and keep -Dman_pages at its default"
    manpath = str(destdir) + str(in_prefix(options, options["mandir"]))
    for topic in ["telemetry", "telemetry-serve", "telemetry.env"]:
        result = subprocess.run([man, "-w", topic], capture_output=True, text=True,
                                env=dict(os.environ, MANPATH=manpath))
        assert result.returncode == 0 and result.stdout.startswith(manpath), (topic, result.stderr)


# --- systemd units --------------------------------------------------------------------

def unit_settings(text):
    settings = {}
    for line in text.splitlines():
        if "=" in line and not line.startswith(("#", ";", "[")):
            key, value = line.split("=", 1)
            settings.setdefault(key.strip(), []).append(value.strip())
    return settings


def test_service_unit_has_the_packaged_defaults():
    service = unit_settings((UNITS_DIR / "telemetry.service.in").read_text())
    assert service["Type"] == ["notify"]
    assert service["StateDirectory"] == ["telemetry"]
    assert service["Restart"] == ["on-failure"]
    assert service["ExecStart"] == ["@bindir@/telemetry serve --no-env-file"]
    environment = " ".join(service["Environment"]).split()
    # docs/reference/configuration.md §4.7
    assert {"TELEMETRY_DB_PATH=/var/lib/telemetry/telemetry.sqlite", "TELEMETRY_API_HOST=0.0.0.0"} <= set(environment)
    # It listens beyond loopback, so it ships with auth on and the token as a credential.
    assert {"TELEMETRY_API_AUTH_ENABLED=true", "TELEMETRY_API_AUTH_TOKEN_FILE=%d/token"} <= set(environment)
    assert service["LoadCredential"] == ["token:/etc/telemetry/token"]
    for hardening in ["NoNewPrivileges", "ProtectSystem", "ProtectHome", "PrivateTmp", "PrivateDevices",
                      "RestrictAddressFamilies", "SystemCallFilter", "CapabilityBoundingSet"]:
        assert hardening in service, hardening


def test_maintenance_units_back_up_and_prune_daily():
    service = unit_settings((UNITS_DIR / "telemetry-maintenance.service.in").read_text())
    assert service["Type"] == ["oneshot"]
    commands = [command.split()[1] for command in service["ExecStart"]]
    assert commands == ["backup", "prune"]
    assert service["StateDirectory"] == ["telemetry"]
    timer = unit_settings((UNITS_DIR / "telemetry-maintenance.timer").read_text())
    assert timer["OnCalendar"] == ["daily"]
    assert timer["Persistent"] == ["true"]


def test_systemd_analyze_verify_accepts_the_installed_units(installed, tmp_path):
    analyze = need("systemd-analyze", "systemd")
    destdir, options = installed
    assert options["systemd_units"], "the suite needs the default build option -Dsystemd_units=true"
    unit_dir = Path(str(destdir) + str([p for p in expected_install(options)
                                        if p.name == "telemetry.service"][0].parent))
    # The units name <prefix>/bin/telemetry; verify checks that it is executable,
    # so point them at the copy inside the destdir.
    binary = str(in_prefix(options, options["bindir"], "telemetry"))
    for unit in UNITS:
        text = (unit_dir / unit).read_text()
        (tmp_path / unit).write_text(text.replace(binary, str(destdir) + binary))
    env = dict(os.environ)
    man_dir = Path(str(destdir) + str(in_prefix(options, options["mandir"])))
    man_option = []
    if man_dir.is_dir():
        env["MANPATH"] = str(man_dir)  # Documentation=man:telemetry-serve(1) resolves
    else:
        man_option = ["--man=no"]
    result = subprocess.run([analyze, "verify", *man_option, *[str(tmp_path / unit) for unit in UNITS]],
                            capture_output=True, text=True, env=env, cwd=tmp_path)
    assert result.returncode == 0 and result.stderr == "", result.stderr


def test_systemd_analyze_rates_the_service_as_hardened(tmp_path):
    analyze = need("systemd-analyze", "systemd")
    unit = tmp_path / "telemetry.service"
    unit.write_text((UNITS_DIR / "telemetry.service.in").read_text().replace("@bindir@", "/usr/bin"))
    result = subprocess.run([analyze, "security", "--offline=yes", "--no-pager", str(unit)],
                            capture_output=True, text=True, cwd=tmp_path)
    match = re.search(r"Overall exposure level for telemetry.service: ([\d.]+)", result.stdout)
    assert match, result.stdout + result.stderr
    assert float(match.group(1)) <= 2.0  # systemd calls 0-2 "OK"


# --- example configuration --------------------------------------------------------------

def test_example_env_file_names_only_valid_settings_with_valid_values(tmp_path):
    # Every commented assignment, switched on, must be accepted by serve (which
    # checks the most settings) without an "unknown setting" warning; serve then
    # stops at the lock file we made impossible to create (73), not at the
    # configuration (78).
    lines = []
    for line in (SOURCE_DIR / "packaging" / "telemetry.env.example").read_text().splitlines():
        match = re.match(r"^#(TELEMETRY_[A-Z_]+=.*)$", line)
        lines.append(match.group(1) if match else line)
    assert sum(1 for line in lines if line.startswith("TELEMETRY_")) >= 25
    env_file = tmp_path / "example.env"
    env_file.write_text("\n".join(lines) + "\n")
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("")
    result = run_cli("serve", "--env-file", str(env_file), "--db", str(blocker / "t.sqlite"),
                     "--lock-file", str(blocker / "t.lock"), env=clean_env())
    assert "configuration error" not in result.stderr and "unknown setting" not in result.stderr, result.stderr
    assert result.returncode == 73, result.stderr


# --- Docker ----------------------------------------------------------------------------

def test_dockerfile_follows_the_packaged_defaults():
    text = (SOURCE_DIR / "Dockerfile").read_text()
    stages = re.findall(r"^FROM (\S+)", text, re.M)
    assert stages == ["debian:12-slim", "debian:12-slim"]  # multi-stage on debian:12-slim
    user = re.findall(r"^USER (\S+)", text, re.M)
    assert user and not user[-1].startswith(("root", "0"))
    assert re.search(r'^VOLUME \["/data"\]', text, re.M)
    env = dict(re.findall(r"(TELEMETRY_[A-Z_]+)=(\S+)", text.split("ENV ", 1)[1].split("\n\n")[0]))
    assert env == {"TELEMETRY_DB_PATH": "/data/telemetry.sqlite", "TELEMETRY_LOCK_FILE": "/data/telemetry.lock",
                   "TELEMETRY_API_HOST": "0.0.0.0", "TELEMETRY_API_PORT": "8765",  # docs/reference/configuration.md §4.7
                   # 0.0.0.0 needs auth: on, with the token from a mounted secret.
                   "TELEMETRY_API_AUTH_ENABLED": "true",
                   "TELEMETRY_API_AUTH_TOKEN_FILE": "/run/secrets/telemetry_token"}
    healthcheck = re.search(r"^HEALTHCHECK .*?\n  CMD (.*)$", text, re.M | re.S).group(1)
    assert healthcheck.startswith("telemetry check ") and "--url" in healthcheck


# --- docs that must follow the binary ----------------------------------------------------

def route_table(markdown):
    """(method, path, auth, rate limit, success, other statuses) rows of the first
    table whose header is the route table's."""
    rows, inside = [], False
    for line in markdown.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if cells[:3] == ["#", "method", "path"]:
            inside = True
            continue
        if inside:
            if not line.startswith("|"):
                break
            if set(cells[0]) <= set("-"):
                continue
            rows.append(tuple([cells[1], cells[2].strip("`")] + cells[3:]))
    return rows


API_REFERENCE = SOURCE_DIR / "docs/reference/http-api.md"


def router_route_templates():
    """The route templates `route_template()` in src/http/router.cpp returns: every
    route the binary can match (they are also its Prometheus `route` labels)."""
    source = (SOURCE_DIR / "src/http/router.cpp").read_text()
    body = source.split("route_template(Route route) {", 1)[1].split("\n}", 1)[0]
    return set(re.findall(r'return "(/[^"]*)";', body))


def test_api_reference_route_table_lists_every_route_the_router_matches():
    documented = {template for _, template, *_ in route_table(API_REFERENCE.read_text())}
    served = router_route_templates()
    assert len(served) >= 9, "the route templates were not found in src/http/router.cpp"
    assert documented == served


def test_api_reference_routes_are_served_with_exactly_their_methods():
    routes = [(method, template) for method, template, *_ in route_table(API_REFERENCE.read_text())]
    assert len(routes) >= 11

    def matches(template, path):
        return re.fullmatch(re.escape(template).replace(r"\{event_id\}", "[^/]+").replace(r"\{asset\}", "[^/]+"),
                            path)

    with Server() as server:
        assert server.post("/api/v1/runs", run("route-check")).status == 201
        # Every documented route answers on an existing run: neither 404 nor 405.
        for method, template in routes:
            path = template.replace("{event_id}", "route-check").replace("{asset}", "app.js")
            response = server.request(method, path, raw=None if method == "GET" else b"")
            assert response.status not in (404, 405), (method, template, response.status, response.body)
        # The binary's own count of what it served: one `route` label per documented
        # route, and no other (nothing fell through to `other`).
        metrics = server.get("/metrics?format=prometheus").body.decode()
        labels = set(re.findall(r'^telemetry_http_requests_total\{route="([^"]+)"', metrics, re.M))
        assert labels == {template for _, template in routes}
        # A method no route has: 405 naming the methods of every route the path
        # matches (/api/v1/runs/batch is also /api/v1/runs/{event_id}), HEAD with GET.
        for path in sorted({template.replace("{event_id}", "no-such-run").replace("{asset}", "app.js")
                            for _, template in routes}
                           | {"/api/v1/runs/batch"}):
            allowed = {method for method, template in routes if matches(template, path)}
            if "GET" in allowed:
                allowed.add("HEAD")
            response = server.request("DELETE", path)
            assert response.status == 405, path
            assert {m.strip() for m in response.header("Allow").split(",")} == allowed, path


def user_error_messages():
    """The fixed text of every error a user may see: each CommandError and each
    Error of a kind other than kInternal (a bug) the sources throw, the longest
    piece of its first string literal between {} placeholders."""
    pieces = set()
    thrown = r"(?:CommandError\(\s*[^,;]+?|\bError\(\s*ErrorKind::(?!kInternal)\w+)"
    for source in (SOURCE_DIR / "src").rglob("*.cpp"):
        for match in re.finditer(thrown + r",\s*(?:fmt::format\(\s*)?\"((?:[^\"\\]|\\.)*)\"",
                                 source.read_text()):
            literal = match.group(1).split("\\n")[0]
            longest = max(re.split(r"\{\}|\\\"|'", literal), key=len).strip(" :;,.()")
            if len(longest) >= 16:
                pieces.add((source.relative_to(SOURCE_DIR).as_posix(), longest))
    return sorted(pieces)


def test_operations_guide_explains_every_error_message():
    guide = (SOURCE_DIR / "docs/operations.md").read_text()
    messages = user_error_messages()
    assert len(messages) >= 20, "the error messages were not found in src/"
    missing = ["%s: %s" % message for message in messages if message[1] not in guide]
    assert not missing, "docs/operations.md (Troubleshooting) lacks:\n" + "\n".join(missing)
