"""The catalogue of products: every file the tool writes, declared once in params/outputs.yaml.

Each entry names the file's pattern (``{who}`` the city's short name or 江西省, ``{date}`` the
day as YYYYMMDD), its folder (day / restricted / roster / templates / week), the function that
writes it and who reads it. Writers, self-checks, history, the PDF step and the tests take file
names from here, so a renamed file changes in one line of params::

    catalogue.file_name("huizongbiao", "南昌", day)   # 重点企业用工调度保障工作信息汇总表_南昌_20200301.xlsx
    catalogue.names("tidy", "南昌", day)              # {"ledger_parquet": …, "figures_parquet": …}
    catalogue.stem("figures_parquet")                # 汇总数据 (what comes before _<市>_<YYYYMMDD>)

Imports nothing of the package but ``reference``, so any module may use it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache
from string import Formatter

from .errors import UserError
from .reference import load_yaml

FOLDERS = ("day", "restricted", "roster", "templates", "week")
GROUPS = ("city", "province", "tidy", "week")


@dataclass(frozen=True)
class Product:
    key: str
    pattern: str
    folder: str
    groups: tuple[str, ...]
    writer: str
    audience: str


@cache
def products() -> dict[str, Product]:
    """params/outputs.yaml, checked: every field present, folders and groups known, no two
    products with the same pattern."""
    raw = load_yaml("outputs.yaml")["products"]
    out = {}
    for key, v in raw.items():
        try:
            p = Product(key, str(v["pattern"]), str(v["folder"]), tuple(v["groups"]), str(v["writer"]),
                        str(v["audience"]))
        except (KeyError, TypeError) as exc:
            raise UserError(f"params/outputs.yaml：产品 {key} 缺少 {exc}") from exc
        if p.folder not in FOLDERS or any(g not in GROUPS for g in p.groups):
            raise UserError(f"params/outputs.yaml：产品 {key} 的 folder 或 groups 无效")
        out[key] = p
    patterns = [p.pattern for p in out.values()]
    if len(set(patterns)) != len(patterns):
        raise UserError("params/outputs.yaml：文件名模式重复")
    return out


def product(key: str) -> Product:
    """One product; an unknown key is an error (a typo must not name a file nobody reads)."""
    try:
        return products()[key]
    except KeyError:
        raise UserError(f"params/outputs.yaml 中没有产品 {key}") from None


def file_name(key: str, who: str = "", day: dt.date | None = None, **fields: str) -> str:
    """The file name of product ``key`` for ``who`` on ``day`` (other fields by name)."""
    values = dict(fields, who=who, date=day.strftime("%Y%m%d") if day else "")
    return product(key).pattern.format(**values)


def glob(key: str) -> str:
    """The glob pattern of product ``key``: every field of its pattern as ``*``
    (notebook_*_*.ipynb), to find the files of every city and day."""
    return "".join(text + ("*" if field is not None else "") for text, field, _, _ in Formatter().parse(product(key).pattern))


def names(group: str, who: str, day: dt.date) -> dict[str, str]:
    """File names of every product of ``group`` (city, province, tidy, week), by key."""
    if group not in GROUPS:
        raise UserError(f"params/outputs.yaml 中没有产品组 {group}")
    return {k: file_name(k, who, day) for k, p in products().items() if group in p.groups}


def stem(key: str) -> str:
    """What comes before ``_{who}`` in the pattern (汇总数据 for figures_parquet): the prefix a
    reader globs on."""
    pattern = product(key).pattern
    if "_{who}" not in pattern:
        raise UserError(f"params/outputs.yaml：产品 {key} 的文件名不含 _{{who}}")
    return pattern.split("_{who}")[0]
