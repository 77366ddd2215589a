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
