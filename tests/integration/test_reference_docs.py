"""The reference in docs/reference/ against the code it describes.

The tables an implementer reads must be the ones the code follows: the settings
and ignored names of docs/reference/configuration.md against the resolver, its
flags against --help, its exit codes against src/cli/exit_codes.h; the columns
and indexes of docs/reference/schema.md against schema/telemetry_v7.sql, its
historical shapes against the fixtures; the buffer key orders of
docs/reference/buffer-files.md against the client lines the tests replay."""
import json
import re
import sqlite3
from pathlib import Path

from harness import clean_env, run_cli
from ingest_lines import START_40, START_47
from test_packaging import help_tree

SOURCE_DIR = Path(__file__).resolve().parents[2]
CONFIGURATION = "docs/reference/configuration.md"
SCHEMA = "docs/reference/schema.md"
BUFFER_FILES = "docs/reference/buffer-files.md"


def section(document, number):
    """The text of section `number` (heading "## 4." or "### 4.1 …") up to the next
    heading of the same or a higher level."""
    lines = (SOURCE_DIR / document).read_text().splitlines()
    for index, line in enumerate(lines):
        match = re.match(r"^(#+)\s+%s\.?\s" % re.escape(number), line)
        if match:
            level = len(match.group(1))
            body = []
            for following in lines[index + 1:]:
                heading = re.match(r"^(#+)\s", following)
                if heading and len(heading.group(1)) <= level:
                    break
                body.append(following)
            return "\n".join(body)
    raise AssertionError("%s has no section %s" % (document, number))


def tables(text):
    """Every Markdown table of `text` as a list of rows (lists of cell texts);
    the header row first, the separator dropped."""
    found, current = [], []
    for line in text.splitlines() + [""]:
        if line.startswith("|"):
            cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
            if not all(set(cell) <= set("-: ") for cell in cells):
                current.append(cells)
        elif current:
            found.append(current)
            current = []
    return found


def table_with_header(text, *header):
    for table in tables(text):
        if tuple(table[0][:len(header)]) == header:
            return table[1:]
    raise AssertionError("no table with header %s" % (header,))


def code_names(cell):
    return re.findall(r"`([^`]+)`", cell)


def cpp_string_set(source, name):
    text = (SOURCE_DIR / source).read_text()
    body = re.search(r"%s = \{(.*?)\};" % re.escape(name), text, re.S).group(1)
    return set(re.findall(r'"([A-Z0-9_]+)"', body))


# --- configuration -----------------------------------------------------------------------

def settings_of_section_4():
    names = set()
    for number in ("4.1", "4.2", "4.3", "4.4"):
        for row in table_with_header(section(CONFIGURATION, number), "variable"):
            names.update(name for name in code_names(row[0]) if name.startswith("TELEMETRY_"))
    return names


def test_configuration_lists_exactly_the_settings_the_resolver_knows():
    assert settings_of_section_4() == cpp_string_set("src/util/config.cpp", "kSettings")


def test_configuration_lists_exactly_the_names_the_resolver_ignores():
    documented = set()
    for row in table_with_header(section(CONFIGURATION, "4.6"), "variable"):
        documented.update(code_names(row[0]))
    assert documented == cpp_string_set("src/util/config.cpp", "kRecognisedIgnored")


def test_every_flag_of_the_settings_tables_is_accepted_by_a_command():
    accepted = set().union(*help_tree().values())
    documented = set()
    for number in ("4.1", "4.2", "4.3", "4.4"):
        for row in table_with_header(section(CONFIGURATION, number), "variable"):
            documented.update(re.findall(r"(--[a-z][a-z-]*)", row[1]))
    assert len(documented) >= 25
    assert documented <= accepted, sorted(documented - accepted)


def test_exit_code_table_equals_exit_codes_h():
    header = (SOURCE_DIR / "src/cli/exit_codes.h").read_text()
    constants = {(int(value), name) for name, value in re.findall(r"constexpr int (k\w+) = (\d+);", header)}
    assert len(constants) >= 13
    documented = set()
    for row in table_with_header(section(CONFIGURATION, "7.1"), "code", "constant"):
        documented.add((int(row[0]), row[1].strip("`")))
    assert documented == constants
    per_command = table_with_header(section(CONFIGURATION, "7.2"), "code")
    assert {int(row[0]) for row in per_command} == {code for code, _ in constants} - {130, 143}


# --- schema ------------------------------------------------------------------------------

def canonical_database():
    connection = sqlite3.connect(":memory:")
    connection.executescript((SOURCE_DIR / "schema/telemetry_v7.sql").read_text())
    return connection


def test_schema_column_table_equals_telemetry_v7_sql():
    connection = canonical_database()
    actual = [(name, type_, bool(notnull), default, pk)
              for _, name, type_, notnull, default, pk, _ in
              connection.execute("PRAGMA table_xinfo(agent_runs)")]
    documented = []
    for row in table_with_header(section(SCHEMA, "1.2"), "#", "column"):
        default = row[4].strip("`")
        documented.append((row[1].strip("`"), row[2], row[3] == "yes",
                           None if default == "—" else default, int(row[6])))
    assert documented == actual
    create = connection.execute("SELECT sql FROM sqlite_master WHERE name = 'agent_runs'").fetchone()[0]
    checks = re.findall(r"CHECK \((.*?)\)(?:,|\n)", create)
    documented_checks = [row[5].strip("`") for row in table_with_header(section(SCHEMA, "1.2"), "#", "column")
                         if row[5].startswith("`")]
    assert documented_checks == checks


def test_schema_index_table_equals_telemetry_v7_sql():
    connection = canonical_database()
    actual = set()
    for name, table in connection.execute(
            "SELECT name, tbl_name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"):
        columns = [(column, " DESC" if desc else "") for _, _, column, desc, *_ in
                   connection.execute("PRAGMA index_xinfo(%s)" % name) if column is not None]
        actual.add((name, table, ", ".join(column + direction for column, direction in columns)))
    documented = {(row[0].strip("`"), row[1], ", ".join(code_names(row[2])))
                  for row in table_with_header(section(SCHEMA, "1.3"), "index")}
    assert len(documented) == 18
    assert documented == actual


def test_every_historical_shape_has_its_fixture_with_the_documented_columns():
    rows = table_with_header(section(SCHEMA, "3.1"), "shape id")
    shapes = {row[0].strip("`"): row for row in rows}
    assert set(shapes) >= {"empty", "unknown", "library-v3", "library-v7", "v6-original", "v7"}
    for shape, row in shapes.items():
        if shape in ("empty", "unknown"):
            continue
        fixture = SOURCE_DIR / "tests" / "fixtures" / (shape + ".sql")
        assert fixture.is_file(), "no fixture for %s" % shape
        connection = sqlite3.connect(":memory:")
        connection.executescript(fixture.read_text())
        columns = list(connection.execute("PRAGMA table_xinfo(agent_runs)"))
        assert len(columns) == int(row[3]), shape
        primary_key = [column[1] for column in columns if column[5]]
        assert primary_key == [row[2].split("`")[1]], shape
        event_id = [column for column in columns if column[1] == "event_id"]
        if row[4] == "absent":
            assert not event_id, shape
        else:
            assert event_id and bool(event_id[0][3]) == row[4].startswith("NOT NULL"), shape
        recorded = connection.execute("SELECT name FROM sqlite_master WHERE name = 'schema_migrations'").fetchone()
        if recorded:
            version = connection.execute("SELECT MAX(version) FROM schema_migrations").fetchone()[0]
            assert int(re.match(r"\d+", row[5]).group(0)) == version, shape


# --- buffer files ------------------------------------------------------------------------

def key_order(number):
    block = re.search(r"```\n(.*?)```", section(BUFFER_FILES, number), re.S).group(1)
    return [key.strip() for key in block.replace("\n", " ").split(",")]


def top_level_keys(line):
    return list(json.loads(line))


def test_buffer_key_orders_equal_the_client_lines_the_tests_replay():
    assert key_order("5.2") == top_level_keys(START_47)
    assert len(key_order("5.2")) == 47
    assert key_order("5.3") == top_level_keys(START_40)
    assert len(key_order("5.3")) == 40


def test_the_binary_knows_every_documented_setting_and_ignored_name(tmp_path):
    """Black box: a name the resolver does not know gets `unknown setting … ignored`;
    every documented name must not, and the ignored ones are said to be ignored."""
    database = str(tmp_path / "missing.sqlite")

    def stderr_with(name):
        env = clean_env(**{name: "x"})
        return run_cli("check", "--no-env-file", "--db", database, "--log-level", "debug", env=env).stderr

    assert "unknown setting TELEMETRY_NOT_A_SETTING ignored" in stderr_with("TELEMETRY_NOT_A_SETTING")
    for name in sorted(settings_of_section_4()):
        assert "unknown setting" not in stderr_with(name), name
    for row in table_with_header(section(CONFIGURATION, "4.6"), "variable"):
        for name in code_names(row[0]):
            assert "%s (environment) is not used by telemetry; ignored" % name in stderr_with(name), name
