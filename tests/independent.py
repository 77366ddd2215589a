"""An independent, deliberately simple reading of an inbox day, for checking figures.

It shares no code with yonggong's ingest/parse/clean/figures: its own header matching,
number and date parsing, carry-forward and sums. Only the data files under params/ (table
columns and aliases, counties) are shared, because they are the contract itself. It handles
the forms the sample inbox uses on the days the tests pick.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
import unicodedata
from collections import defaultdict
from pathlib import Path

import yaml
from openpyxl import load_workbook

ROOT = Path(__file__).resolve().parent.parent
SPEC = yaml.safe_load((ROOT / "params" / "tables.yaml").read_text(encoding="utf-8"))["tables"]
UNITS = {"人", "家", "%", "个", "元", "人次", "趟", "趟次", "件"}
DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
POWERS = {"十": 10, "百": 100, "千": 1000}
MISSING = {"", "-", "—", "/", "无", "——"}
TOTALS = {"合计", "总计", "小计"}


def norm(text) -> str:
    s = "".join(unicodedata.normalize("NFKC", str(text)).split())
    m = re.fullmatch(r"(.+?)\(([^()]*)\)", s)
    return m.group(1) if m and m.group(2).replace("单位:", "") in UNITS else s


def canonical_maps() -> dict[str, dict[str, str]]:
    out = {}
    for code, t in SPEC.items():
        m = {}
        for c in t["columns"]:
            for name in [c["name"], *c.get("aliases", [])]:
                m.setdefault(norm(name), c["name"])
        out[code] = m
    return out


MAPS = canonical_maps()


def read_rows(path: Path) -> list[list[list]]:
    if path.suffix == ".csv":
        raw = path.read_bytes()
        for enc in ("utf-8-sig", "gb18030"):
            try:
                return [list(csv.reader(raw.decode(enc).splitlines()))]
            except UnicodeDecodeError:
                continue
    wb = load_workbook(path, data_only=True)
    return [[list(r) for r in ws.iter_rows(values_only=True)] for ws in wb.worksheets]


def classify(rows: list[list]):
    best = None
    for i in range(min(12, len(rows))):
        for span in (1, 2):
            if i + span > len(rows):
                continue
            width = max(len(r) for r in rows[i:i + span])
            header = []
            for j in range(width):
                cells = [r[j] if j < len(r) else None for r in rows[i:i + span]]
                vals = [c for c in cells if c not in (None, "")]
                header.append(norm(vals[-1]) if vals else "")
            for code, m in MAPS.items():
                cols = {j: m[h] for j, h in enumerate(header) if h in m}
                required = [c["name"] for c in SPEC[code]["columns"] if c.get("required")]
                if all(r in cols.values() for r in required):
                    if best is None or len(cols) > best[0] or (len(cols) == best[0] and span < best[3]):
                        best = (len(cols), code, i + span, span, cols)
    return best


def read_day(folder: Path) -> dict[str, list[dict]]:
    tables = defaultdict(list)
    for path in sorted(folder.iterdir()):
        if path.suffix not in (".xlsx", ".csv"):
            continue
        for rows in read_rows(path):
            found = classify(rows)
            if not found:
                continue
            _, code, start, _, cols = found
            for r in rows[start:]:
                if all(v in (None, "") for v in r):
                    continue
                if any(isinstance(v, str) and norm(v) in TOTALS for v in r):
                    continue
                tables[code].append({name: (r[j] if j < len(r) else None) for j, name in cols.items()})
    return tables


def cn_int(s: str) -> int | None:
    total, cur = 0, 0
    for ch in s:
        if ch in DIGITS:
            cur = DIGITS[ch]
        elif ch in POWERS:
            total += (cur or 1) * POWERS[ch]
            cur = 0
        else:
            return None
    return total + cur


def num(v) -> float | None:
    if v is None:
        return None
    if isinstance(v, bool):
        return None
    if isinstance(v, int | float):
        return float(v)
    s = unicodedata.normalize("NFKC", str(v)).strip().replace(",", "")
    if s in MISSING:
        return None
    scale = 1
    if s.endswith("%"):
        s = s[:-1]
    for unit in sorted(UNITS, key=len, reverse=True):
        if s.endswith(unit):
            s = s[: -len(unit)]
            break
    if s.endswith("万"):
        s, scale = s[:-1], 10000
    try:
        return float(s) * scale
    except ValueError:
        n = cn_int(s)
        return None if n is None else float(n * scale)


def day_of(v, year: int) -> dt.date | None:
    if isinstance(v, dt.datetime):
        return v.date()
    if isinstance(v, dt.date):
        return v
    if isinstance(v, int | float):
        return dt.date(1899, 12, 30) + dt.timedelta(days=int(v))
    s = unicodedata.normalize("NFKC", str(v or "")).strip()
    m = re.fullmatch(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(\s.*)?", s)
    if m:
        return dt.date(int(m[1]), int(m[2]), int(m[3]))
    m = re.fullmatch(r"(\d{1,2})月(\d{1,2})日", s)
    if m:
        return dt.date(year, int(m[1]), int(m[2]))
    if re.fullmatch(r"\d{5}", s):
        return dt.date(1899, 12, 30) + dt.timedelta(days=int(s))
    return None


def yes(v) -> bool:
    return unicodedata.normalize("NFKC", str(v or "")).strip() in {"是", "有", "Y", "y", "√", "1", "True", "已复工"}


def code_of(v) -> str:
    return unicodedata.normalize("NFKC", str(v or "")).strip().upper()


def layout_figures(name: str = "huizongbiao") -> tuple[str, list[str | None]]:
    """A form's sheet name and its columns left to right (None for a row-label column), read
    straight from its layout file params/layouts/<name>.yaml."""
    layout = yaml.safe_load((ROOT / "params" / "layouts" / f"{name}.yaml").read_text(encoding="utf-8"))

    def leaves(node):
        for col in node["columns"]:
            if "columns" in col:
                yield from leaves(col)
            else:
                yield col.get("figure")

    return layout["sheet"], [f for g in layout["groups"] for f in leaves(g)]
