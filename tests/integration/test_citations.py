"""Citations of documents must point into this repository.

Code comments explain a rule by citing the document that states it, by path and
section: `docs/reference/http-api.md §8`, `docs/reference/schema.md §3.3`, or a
heading in quotes (`docs/architecture.md "The single writer"`). A `§N` without a
path refers to the document cited last before it in the same file. This test
reads src/, tests/, bench/, scripts/, fuzz/, tools/, .ci/, man/, completions/,
packaging/, schema/, docs/, the README and the top-level build and container
files, and fails when

- a cited path does not exist in the repository;
- a cited section number or quoted heading does not exist in that document;
- a `§N` in code has no document cited before it;
- a document is cited by its bare name although it lives under docs/ (or by a
  name the repository never had, such as the old `config.md`), so the reader
  cannot tell which file is meant;
- a section is cited as a bare number after the path (`schema.md 4.4`);
- anything mentions the shared folder outside the repository, which a clone
  does not have.

No build or binary is needed."""
import re
from pathlib import Path

import pytest

SOURCE_DIR = Path(__file__).resolve().parents[2]
CODE_DIRS = ["src", "tests", "bench", "scripts", "fuzz", "tools", ".ci", "man", "completions", "packaging",
             "schema", "ui"]
# Inputs, and other projects' files: npm's install of the browser test's
# dependencies and the vendored chart library.
SKIPPED_DIRS = {SOURCE_DIR / "fuzz" / "corpus", SOURCE_DIR / "tests" / "browser" / "node_modules",
                SOURCE_DIR / "ui" / "vendor"}
OUTSIDE = "shared" + "/"  # spelt in two pieces so that this file does not cite it
# Names of documents that lived outside the repository; a bare mention is a
# citation of something a clone does not have.
RETIRED_NAMES = {"config.md", "design.md", "testing.md", "wraps.md", "http-api.md", "schema.md",
                 "buffer-files.md"}

DOC_PATH = r"(?<![\w/.-])((?:\.\./)*[\w-]+(?:[/.][\w-]+)*\.md)\b"
SECTION = r"§(\d+(?:\.\d+)*)"
# A citation: a path, an optional closing backtick, then either a quoted heading or
# a chain of sections (`§4.3, §5 and §7`, `§7-§15`).
CITATION = re.compile(DOC_PATH + r"`?(?P<rest>(?: \"[^\"]+\")|(?:(?:[ ,]+(?:and |or )?|-)" + SECTION + r")*)")
BARE_NUMBER_AFTER_PATH = re.compile(DOC_PATH + r"`?,? (?:sections? )?\d")


def scanned_files():
    roots = [SOURCE_DIR / name for name in CODE_DIRS] + [SOURCE_DIR / "docs"]
    files = [SOURCE_DIR / name for name in ("README.md", "meson.build", "meson_options.txt", "Dockerfile",
                                             "compose.yaml")]
    for root in roots:
        for path in sorted(root.rglob("*")):
            if (any(skipped in path.parents for skipped in SKIPPED_DIRS) or not path.is_file()
                    or path == Path(__file__).resolve()):  # its examples are broken on purpose
                continue
            files.append(path)
    readable = []
    for path in files:
        try:
            readable.append((path, path.read_text(encoding="utf-8")))
        except UnicodeDecodeError:
            continue  # binaries, fuzz inputs
    return readable


def headings(document):
    """Section numbers and heading titles of a markdown document."""
    numbers, titles = set(), set()
    for line in document.read_text(encoding="utf-8").splitlines():
        match = re.match(r"^#{1,6}\s+(.*?)\s*$", line)
        if not match:
            continue
        title = match.group(1)
        titles.add(title)
        number = re.match(r"^(\d+(?:\.\d+)*)\.?\s", title)
        if number:
            numbers.add(number.group(1))
    return numbers, titles


def resolve(citing_file, name):
    """The cited document, or None when it does not exist; bare names that are
    data (a page name in a test) come back as the string "data"."""
    if "/" in name:
        for base in (SOURCE_DIR, citing_file.parent):
            candidate = (base / name).resolve()
            if candidate.is_file() and SOURCE_DIR in candidate.parents:
                return candidate
        return None
    if (SOURCE_DIR / name).is_file():
        return SOURCE_DIR / name
    if citing_file.suffix == ".md" and (citing_file.parent / name).is_file():
        return citing_file.parent / name
    under_docs = list((SOURCE_DIR / "docs").rglob(name))
    if under_docs or name in RETIRED_NAMES:
        return None
    return "data"


def problems_in(path, text):
    relative = path.relative_to(SOURCE_DIR).as_posix()
    problems = []
    is_markdown = path.suffix == ".md"
    lines = text.splitlines()
    last_cited = path if is_markdown else None
    for number, line in enumerate(lines, 1):
        # In Markdown a bare §N belongs to the document cited last in the same
        # paragraph (table row), else to the page itself.
        if is_markdown and (not line.strip() or line.startswith("|")):
            last_cited = path
        where = "%s:%d" % (relative, number)
        if OUTSIDE in line:
            problems.append("%s: mentions the folder outside the repository: %s" % (where, line.strip()))
        for match in BARE_NUMBER_AFTER_PATH.finditer(line):
            problems.append("%s: write the section as §N after %s: %s" % (where, match.group(1), line.strip()))
        covered = []
        for match in CITATION.finditer(line):
            document = resolve(path, match.group(1))
            if document == "data":
                continue
            covered.append(match.span())
            if document is None:
                problems.append("%s: cites %s, which is not in the repository (give the path from the "
                                "repository root)" % (where, match.group(1)))
                continue
            last_cited = document
            rest = match.group("rest")
            numbers, titles = headings(document) if document.suffix == ".md" else (set(), set())
            quoted = re.fullmatch(r' "([^"]+)"', rest)
            if quoted:
                if quoted.group(1) not in titles:
                    problems.append("%s: %s has no heading \"%s\"" % (where, match.group(1), quoted.group(1)))
                continue
            for section in re.findall(SECTION, rest):
                if section not in numbers:
                    problems.append("%s: %s has no section §%s" % (where, match.group(1), section))
        # Sections not attached to a path: the document cited last (in Markdown,
        # the page itself unless it cited another one on this line).
        for match in re.finditer(SECTION, line):
            if any(start <= match.start() < end for start, end in covered):
                continue
            if last_cited is None:
                problems.append("%s: §%s cites no document (no path before it in this file)"
                                % (where, match.group(1)))
            elif match.group(1) not in headings(last_cited)[0]:
                problems.append("%s: §%s is not a section of %s" % (
                    where, match.group(1), last_cited.relative_to(SOURCE_DIR).as_posix()))
    return problems


def test_the_scan_finds_the_citations_of_the_code():
    texts = dict(scanned_files())
    writer = texts[SOURCE_DIR / "src" / "db" / "writer.h"]
    assert 'docs/architecture.md "The single writer"' in writer
    count = sum(len(CITATION.findall(text)) for path, text in texts.items()
                if SOURCE_DIR / "src" in path.parents)
    assert count >= 100, "only %d citations found in src/" % count


@pytest.mark.parametrize("line, expected", [
    ("// see docs/reference/http-api.md §8", []),
    ("// see docs/reference/http-api.md §8 and §99", ["no section §99"]),
    ("// see docs/reference/nowhere.md §1", ["not in the repository"]),
    ("// see http-api.md §8", ["not in the repository"]),
    ("// see config.md", ["not in the repository"]),
    ("// see docs/reference/schema.md 4.4", ["write the section as §N"]),
    ('// see docs/architecture.md "The single writer"', []),
    ('// see docs/architecture.md "No such heading"', ["no heading"]),
    ("// §4.4 alone", ["cites no document"]),
    ("// ../" + OUTSIDE + "spec", ["outside the repository"]),
    ('{"page": "intro.md"}', []),
])
def test_the_checker_reports_each_kind_of_broken_citation(line, expected):
    found = problems_in(SOURCE_DIR / "src" / "example.cpp", line + "\n")
    assert len(found) == len(expected), found
    for problem, text in zip(found, expected):
        assert text in problem, found


def test_every_cited_document_and_section_exists_in_the_repository():
    problems = []
    for path, text in scanned_files():
        problems.extend(problems_in(path, text))
    assert not problems, "\n".join(problems)
