"""The committed notebooks are the source (edited in JupyterLab, issue 15): thin, with a papermill
``parameters`` cell, linted by ruff, committed without outputs."""

from __future__ import annotations

import ast
import subprocess
import sys

import nbformat
import pytest
from conftest import ROOT

NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
RUN_BY_PAPERMILL = ("city_day.ipynb", "province_day.ipynb")
MAX_LINES = 10  # a code cell calls and shows; logic belongs in lib/yonggong
SIMPLE = (ast.Import, ast.ImportFrom, ast.Assign, ast.Expr)


def thin_faults(nb) -> list[str]:
    """What makes a notebook more than parameters, calls and displays."""
    out = []
    code = [c for c in nb.cells if c.cell_type == "code"]
    if not code or "parameters" not in code[0].metadata.get("tags", []):
        out.append("the first code cell is not tagged parameters")
    elif not all(isinstance(n, ast.Assign) and isinstance(n.value, ast.Constant | ast.Dict | ast.List)
                 and not any(isinstance(v, ast.Call) for v in ast.walk(n.value))
                 for n in ast.parse(code[0].source).body):
        out.append("the parameters cell holds more than literal assignments")
    out += [f"cell {c.id}: more than {MAX_LINES} lines" for c in code if len(c.source.splitlines()) > MAX_LINES]
    for c in code:
        for node in ast.parse(c.source).body:
            if not isinstance(node, SIMPLE):
                out.append(f"cell {c.id}: {type(node).__name__} (logic belongs in lib/yonggong)")
            elif any(isinstance(n, ast.Lambda | ast.ListComp | ast.DictComp | ast.GeneratorExp) for n in ast.walk(node)):
                out.append(f"cell {c.id}: an inline computation (logic belongs in lib/yonggong)")
    return out


def test_the_thinness_rule_fails_a_loop_and_a_missing_parameters_cell():
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x = 1"),
                                         nbformat.v4.new_code_cell("for i in range(3):\n    print(i)")])
    faults = thin_faults(nb)
    assert "the first code cell is not tagged parameters" in faults
    assert any("For" in f for f in faults)
    nb.cells[0].metadata["tags"] = ["parameters"]
    nb.cells[1].source = "print(sum(v for v in range(3)))"
    assert [f for f in thin_faults(nb) if "inline computation" in f]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebooks_are_thin_and_committed_without_outputs(path):
    nb = nbformat.read(path, as_version=4)
    assert [c.id for c in nb.cells if c.cell_type == "code" and (c.outputs or c.execution_count)] == []
    if path.name in RUN_BY_PAPERMILL:
        assert thin_faults(nb) == []
    nbformat.validate(nb)


def test_papermill_notebooks_are_there():
    assert {p.name for p in NOTEBOOKS} >= set(RUN_BY_PAPERMILL)


def test_ruff_lints_the_notebooks():
    res = subprocess.run([sys.executable, "-m", "ruff", "check", "notebooks"], cwd=ROOT, capture_output=True,
                         text=True, encoding="utf-8")
    assert res.returncode == 0, res.stdout + res.stderr
    assert "notebooks" in subprocess.run([sys.executable, "-m", "ruff", "check", "--show-files", "notebooks"], cwd=ROOT,
                                         capture_output=True, text=True, encoding="utf-8").stdout


DOCUMENTED_NOTEBOOKS = ("city_day.ipynb", "province_day.ipynb", "explore.ipynb")


def notebook_calls(nb) -> set[str]:
    """The yonggong functions a notebook calls, dotted from the module (``province.day.load``): calls
    ``<m>.<f>(...)`` (or ``<m>.<sub>.<f>(...)``) where ``<m>`` is imported ``from yonggong``, aliases
    resolved."""
    trees = [ast.parse(c.source) for c in nb.cells if c.cell_type == "code"]
    alias = {a.asname or a.name: a.name for t in trees for n in ast.walk(t)
             if isinstance(n, ast.ImportFrom) and n.module == "yonggong" for a in n.names}
    out = set()
    for t in trees:
        for n in ast.walk(t):
            if not isinstance(n, ast.Call):
                continue
            parts, f = [], n.func
            while isinstance(f, ast.Attribute):
                parts.insert(0, f.attr)
                f = f.value
            if parts and isinstance(f, ast.Name) and f.id in alias:
                out.add(".".join([alias[f.id], *parts]))
    return out


def numpydoc_faults(doc: str | None) -> list[str]:
    """The numpydoc sections (Parameters, Returns) a docstring lacks."""
    lines = [line.strip() for line in (doc or "").splitlines()]
    return [f"no {name} section" for name, rule in (("Parameters", "-" * 10), ("Returns", "-" * 7))
            if not any(a == name and b == rule for a, b in zip(lines, lines[1:], strict=False))]


def test_the_docstring_rule_fails_a_summary_only_docstring():
    assert numpydoc_faults("Write the products.") == ["no Parameters section", "no Returns section"]
    assert numpydoc_faults(None) == ["no Parameters section", "no Returns section"]
    assert numpydoc_faults("S.\n\nParameters\n---\nx : int\n\nReturns\n-------\nint\n") == ["no Parameters section"]
    assert numpydoc_faults("S.\n\nParameters\n----------\nx : int\n    X.\n\nReturns\n-------\nint\n    Y.\n") == []


def test_the_finder_resolves_aliases_and_submodules():
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(
        "from yonggong import notebook as nb\nfrom yonggong import province\nimport pandas as pd\n"
        "nb.file_list(province.write.write_all(p, d))\npd.set_option('x', 1)\nh.figures.head()")])
    assert notebook_calls(nb) == {"notebook.file_list", "province.write.write_all"}


def test_every_function_the_notebooks_call_has_numpydoc_sections():
    import importlib
    import inspect

    names = set()
    for name in DOCUMENTED_NOTEBOOKS:
        names |= notebook_calls(nbformat.read(ROOT / "notebooks" / name, as_version=4))
    assert len(names) >= 30  # the finder finds the calls (32 when written)
    faults = {}
    for name in sorted(names):
        module, *attrs = name.split(".")
        obj = importlib.import_module(f"yonggong.{module}")
        for attr in attrs:
            obj = getattr(obj, attr)
        if numpydoc_faults(inspect.getdoc(obj)):
            faults[name] = numpydoc_faults(inspect.getdoc(obj))
    assert faults == {}
