"""The package's import graph (issue 15): the product never imports the fixture package
(yonggong.synth: sample generators and the benchmark), read from the source with ast so that
function-level imports count too."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "lib" / "yonggong"


def _imports(path: Path) -> set[str]:
    """Absolute names of the yonggong modules a file imports (at any level of the file)."""
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    package = parts[:-1] if path.name != "__init__.py" else parts[:-1]
    out = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            mod = ".".join(base + ([node.module] if node.module else []))
            if node.level == 0 and not (node.module or "").startswith("yonggong"):
                continue
            out.add(mod)
            out.update(f"{mod}.{a.name}" for a in node.names)
        elif isinstance(node, ast.Import):
            out.update(a.name for a in node.names if a.name.startswith("yonggong"))
    return out


def test_the_import_reader_sees_relative_and_function_level_imports(tmp_path):
    inner = PACKAGE / "synth" / "bench.py"
    assert "yonggong.synth.sample" in _imports(inner)  # from .sample import … (inside a function)
    assert "yonggong.paths" in _imports(inner)  # from .. import paths


def test_the_pipeline_never_imports_the_fixture_package():
    offenders = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        if "synth" in path.relative_to(PACKAGE).parts:
            continue
        hits = sorted(m for m in _imports(path) if m == "yonggong.synth" or m.startswith("yonggong.synth."))
        if hits:
            offenders[path.name] = hits
    assert offenders == {}
