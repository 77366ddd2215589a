"""The catalogue of products (params/outputs.yaml, issue 15): one declaration per file name,
and no writer or reader building a name of its own."""

from __future__ import annotations

import ast
import datetime as dt
from pathlib import Path

import pytest

from yonggong import catalogue
from yonggong.errors import UserError

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "lib" / "yonggong"
D = dt.date(2020, 3, 1)


def test_names_are_filled_from_the_pattern():
    assert catalogue.file_name("huizongbiao", "南昌", D) == "重点企业用工调度保障工作信息汇总表_南昌_20200301.xlsx"
    assert catalogue.file_name("bulletin", "江西省", dt.date(2020, 2, 9)) == "简讯_江西省_20200209.txt"
    assert catalogue.file_name("template", prefix="南昌_", code="B", table="企业用工台账") == "填报模板_南昌_B_企业用工台账.xlsx"
    assert catalogue.file_name("manifest") == "manifest.json"
    assert catalogue.stem("figures_parquet") == "汇总数据"


def test_groups_list_what_a_day_publishes():
    city = catalogue.names("city", "九江", D)
    assert city["progress"] == "每日进展情况_九江_20200301.xlsx" and city["zone"] == "专区_九江_20200301.html"
    assert "submissions_parquet" not in city
    province = catalogue.names("province", "江西省", D)
    assert set(province) == {"huizongbiao", "working", "bulletin", "brief", "figures_parquet", "publicity_parquet",
                             "submissions_parquet", "checks_parquet"}
    assert set(catalogue.names("tidy", "九江", D)) == {"ledger_parquet", "figures_parquet", "vacancies_parquet",
                                                       "placements_parquet", "faults_parquet", "publicity_parquet"}


def test_an_unknown_product_or_group_is_an_error():
    with pytest.raises(UserError, match="没有产品 huizongbaio"):
        catalogue.file_name("huizongbaio", "南昌", D)
    with pytest.raises(UserError, match="没有产品组"):
        catalogue.names("county", "南昌", D)


def _load(monkeypatch, products: dict):
    monkeypatch.setattr(catalogue, "load_yaml", lambda name: {"products": products})
    catalogue.products.cache_clear()
    try:
        return catalogue.products()
    finally:
        catalogue.products.cache_clear()


def test_a_missing_field_or_a_repeated_pattern_is_an_error(monkeypatch):
    entry = {"pattern": "a_{who}_{date}.xlsx", "folder": "day", "groups": ["city"], "writer": "w", "audience": "x"}
    assert set(_load(monkeypatch, {"a": entry})) == {"a"}
    with pytest.raises(UserError, match="产品 a 缺少 'audience'"):
        _load(monkeypatch, {"a": {k: v for k, v in entry.items() if k != "audience"}})
    with pytest.raises(UserError, match="文件名模式重复"):
        _load(monkeypatch, {"a": entry, "b": entry})
    with pytest.raises(UserError, match="folder 或 groups 无效"):
        _load(monkeypatch, {"a": dict(entry, folder="desktop")})


SUFFIXES = (".xlsx", ".parquet", ".html", ".txt", ".ipynb", ".json", ".pdf")


def _fstring_heads(path: Path) -> list[tuple[int, str]]:
    """The literal text at the start of every f-string of a module that ends like a file name."""
    out = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if (isinstance(node, ast.JoinedStr) and node.values and isinstance(node.values[0], ast.Constant)
                and isinstance(node.values[-1], ast.Constant) and str(node.values[-1].value).endswith(SUFFIXES)):
            out.append((node.lineno, str(node.values[0].value)))
    return out


def test_no_module_builds_a_product_file_name_itself():
    stems = {catalogue.stem(k) + "_" for k, p in catalogue.products().items() if "_{who}" in p.pattern}
    stems |= {"填报模板_", "notebook_"}
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        if "synth" in path.relative_to(PACKAGE).parts:
            continue
        for line, head in _fstring_heads(path):
            if any(head.startswith(s) for s in stems):
                found[f"{path.relative_to(PACKAGE)}:{line}"] = head
    assert found == {}


def test_the_finder_sees_a_name_built_in_code(tmp_path):
    bad = tmp_path / "m.py"
    bad.write_text('def f(city, s):\n    return f"工作底稿_{city}_{s}.xlsx", f"空岗_{city}"\n', encoding="utf-8")
    assert _fstring_heads(bad) == [(2, "工作底稿_")]


def _fixed_names(path: Path, names: set[str]) -> list[int]:
    """Lines of a module where a string literal is one of ``names`` (docstrings left aside)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docs = {id(n.body[0].value) for n in ast.walk(tree)
            if isinstance(n, ast.Module | ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
            and n.body and isinstance(n.body[0], ast.Expr) and isinstance(n.body[0].value, ast.Constant)}
    return [n.lineno for n in ast.walk(tree)
            if isinstance(n, ast.Constant) and isinstance(n.value, str) and n.value in names and id(n) not in docs]


def test_no_module_spells_a_fixed_file_name_itself():
    """A product whose name has no field (manifest.json) is named by the catalogue too."""
    fixed = {p.pattern for p in catalogue.products().values() if "{" not in p.pattern}
    assert "manifest.json" in fixed
    found = {f"{path.relative_to(PACKAGE)}:{line}" for path in sorted(PACKAGE.rglob("*.py"))
             if path.name != "catalogue.py" for line in _fixed_names(path, fixed)}
    assert found == set()


def test_the_fixed_name_finder_sees_a_literal_but_not_a_docstring(tmp_path):
    bad = tmp_path / "m.py"
    bad.write_text('"""manifest.json"""\ndef f(d):\n    """manifest.json"""\n    return d / "manifest.json"\n',
                   encoding="utf-8")
    assert _fixed_names(bad, {"manifest.json"}) == [4]


def test_glob_puts_a_star_for_every_field():
    assert catalogue.glob("notebook") == "notebook_*_*.ipynb"
    assert catalogue.glob("manifest") == "manifest.json"
    assert catalogue.glob("huizongbiao") == "重点企业用工调度保障工作信息汇总表_*_*.xlsx"


def test_the_readme_names_every_published_and_restricted_product():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    missing = [k for k, p in catalogue.products().items()
               if p.folder in ("day", "restricted", "roster") and "_{who}" in p.pattern and catalogue.stem(k) not in readme]
    assert missing == []
