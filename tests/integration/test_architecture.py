"""The layer drawing of `docs/architecture.md` "Layers" is the truth about src/.

The drawing is one line, `cli/  ->  http/  ->  ...  ->  util/`: each folder of src/ may
include headers of its own folder and of the folders to its right. This test reads the
drawing and every `#include "<folder>/..."` in src/, and fails when

- an include goes from a folder to one on its left (the layering is one-way);
- an arrow stands for no include at all (the drawing claims a use that is not there);
- a folder of src/ is missing from the drawing, or the drawing names one that does not exist.

No build or binary is needed."""
import re
from pathlib import Path

SOURCE_DIR = Path(__file__).resolve().parents[2]
SRC = SOURCE_DIR / "src"
ARCHITECTURE = SOURCE_DIR / "docs/architecture.md"
INCLUDE = re.compile(r'^\s*#\s*include\s+"([a-z_]+)/', re.MULTILINE)


def drawn_layers():
    text = ARCHITECTURE.read_text(encoding="utf-8")
    section = text.split("## Layers", 1)[1].split("\n## ", 1)[0]
    drawings = [line for line in section.splitlines() if "->" in line and line.startswith("    ")]
    assert len(drawings) == 1, f"expected one drawing in 'Layers', found {drawings}"
    layers = [part.strip().rstrip("/") for part in drawings[0].split("->")]
    assert all(re.fullmatch(r"[a-z_]+", layer) for layer in layers), drawings[0]
    return layers


def includes_by_folder():
    """{folder: {included folder: [files that include it]}} over src/<folder>/**."""
    found = {}
    for path in sorted(SRC.rglob("*")):
        if path.suffix not in (".h", ".cpp") or path.parent == SRC:
            continue
        folder = path.relative_to(SRC).parts[0]
        for target in INCLUDE.findall(path.read_text(encoding="utf-8", errors="replace")):
            found.setdefault(folder, {}).setdefault(target, []).append(str(path.relative_to(SOURCE_DIR)))
    return found


def test_every_folder_of_src_is_drawn():
    folders = {path.name for path in SRC.iterdir() if path.is_dir()}
    assert set(drawn_layers()) == folders


def test_includes_go_only_to_the_right():
    layers = drawn_layers()
    rank = {layer: i for i, layer in enumerate(layers)}
    wrong = []
    for folder, targets in includes_by_folder().items():
        for target, files in targets.items():
            if target in rank and rank[target] < rank[folder]:
                wrong.append(f"{folder}/ includes {target}/ in {', '.join(files)}")
    assert not wrong, "\n".join(wrong)


def test_every_arrow_is_an_include():
    layers = drawn_layers()
    found = includes_by_folder()
    missing = [f"{left}/ -> {right}/" for left, right in zip(layers, layers[1:]) if right not in found.get(left, {})]
    assert not missing, "arrows with no #include behind them: " + ", ".join(missing)
