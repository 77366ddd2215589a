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


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if path.name == "__init__.py" else parts)


def import_graph() -> dict[str, set[str]]:
    """Module → the package's modules it imports (at any level of the file). Importing
    ``yonggong.a.b`` from outside ``yonggong.a`` runs ``yonggong/a/__init__.py`` too, so it
    counts as importing ``yonggong.a`` as well."""
    paths = {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}
    graph = {}
    for name, path in paths.items():
        deps = set()
        for m in _imports(path):
            while m and m not in paths:  # a name imported from a module
                m = m.rpartition(".")[0]
            while m and m != "yonggong":
                if m != name and not name.startswith(m + "."):
                    deps.add(m)
                m = m.rpartition(".")[0]
        graph[name] = deps
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    out = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def test_the_cycle_finder_finds_a_cycle_and_the_package_rule():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []
    graph = import_graph()
    # bulletin is imported by province.bulletin; province.write imports province.bulletin
    assert "yonggong.bulletin" in graph["yonggong.province.bulletin"]
    # importing yonggong.bounded.common from ingest also runs yonggong/bounded/__init__.py
    assert {"yonggong.bounded.common", "yonggong.bounded"} <= graph["yonggong.ingest"]


def test_no_import_cycles():
    assert cycles(import_graph()) == []


def test_no_module_over_600_lines():
    long = {str(p.relative_to(PACKAGE)): n for p in sorted(PACKAGE.rglob("*.py"))
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > 600}
    assert long == {}


def private_uses(path: Path, root: Path = PACKAGE) -> list[str]:
    """``from .x import _name`` and ``x._name`` where x is one of the package's modules (``path``
    inside a copy of the package at ``root``)."""
    package = list(path.relative_to(root.parent).with_suffix("").parts)[:-1]
    modules = {_module_name(p) for p in PACKAGE.rglob("*.py")}
    tree = ast.parse(path.read_text(encoding="utf-8"))
    aliases, out = {}, []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            mod = ".".join(base + ([node.module] if node.module else []))
            if not mod.startswith("yonggong"):
                continue
            for a in node.names:
                if f"{mod}.{a.name}" in modules:
                    aliases[a.asname or a.name] = f"{mod}.{a.name}"
                elif a.name.startswith("_") and not a.name.startswith("__"):
                    out.append(f"{node.lineno}: from {mod} import {a.name}")
    for node in ast.walk(tree):
        if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in aliases
                and node.attr.startswith("_") and not node.attr.startswith("__")):
            out.append(f"{node.lineno}: {node.value.id}.{node.attr}")
    return out


def test_the_private_finder_sees_both_forms(tmp_path):
    probe = tmp_path / "yonggong" / "probe.py"
    probe.parent.mkdir()
    probe.write_text("from . import forms\nfrom .parse import _lines\n\nx = forms._private\n", encoding="utf-8")
    assert sorted(private_uses(probe, probe.parent)) == ["2: from yonggong.parse import _lines", "4: forms._private"]


def test_no_module_calls_another_module_s_private_names():
    found = {str(p.relative_to(PACKAGE)): hits for p in sorted(PACKAGE.rglob("*.py")) if (hits := private_uses(p))}
    assert found == {}
