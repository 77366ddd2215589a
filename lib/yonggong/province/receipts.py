"""The 收件登记 (receipts CSV): when each city's file arrived."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

from .. import indicators
from ..parse import normalise_header, read_csv_rows
from ..parsedate import parse_datetime
from ..reference import City
from .common import REMIND, Problem, city_of_text, config, nfkc

# --------------------------------------------------------------------------- receipts


@dataclass
class Receipt:
    line: int
    city_text: str
    city: City | None
    received: dt.datetime | None
    file: str


def read_receipts(path: Path, day: dt.date) -> tuple[list[Receipt], str, list[Problem]]:
    """Lines of 收件登记.csv: (receipts, encoding, problems). Unreadable lines are problems.

    The log is optional: a file that cannot be read at all (damaged, an unknown encoding, no
    permission) gives no receipts, one problem saying why, and encoding "" — every file is then
    timed by its modification time."""
    cfg = config()["receipts"]
    try:
        rows, encoding = read_csv_rows(path)
    except Exception as exc:  # noqa: BLE001 - an optional log: whatever is wrong with it, fall back
        return [], "", [Problem("（全部）", path.name, "收件登记", "文件", "", "UTF-8 或 GB18030 编码的 CSV",
                                f"收件登记无法读取（{_read_error(exc)}），全部文件按文件修改时间计", REMIND)]
    wanted = {k: {normalise_header(a) for a in [k, *v]} for k, v in cfg["columns"].items()}
    header_at, cols = None, {}
    for i, row in enumerate(rows[:10]):
        found = {}
        for j, cell in enumerate(row):
            h = normalise_header(cell)
            for name, aliases in wanted.items():
                if h in aliases and name not in found:
                    found[name] = j
        if "收到时间" in found and "文件名" in found:
            header_at, cols = i, found
            break
    name = path.name
    if header_at is None:
        return [], encoding, [Problem("（全部）", name, "收件登记", "表头", "", "设区市、收到时间、文件名",
                                      "收件登记没有“收到时间”“文件名”列，全部文件按文件修改时间计", REMIND)]
    out, problems = [], []
    for i, row in enumerate(rows[header_at + 1:], header_at + 2):
        cell = {k: (row[j] if j < len(row) else "") for k, j in cols.items()}
        if not any(nfkc(v) for v in cell.values()):
            continue
        city_text = nfkc(cell.get("设区市", ""))
        received = _receipt_time(cell.get("收到时间"), day)
        if received is None:
            problems.append(Problem(city_text or "（未识别）", name, "收件登记", f"第{i}行", nfkc(cell.get("收到时间")),
                                    "日期时间，如 2020-02-24 14:30", "收到时间无法识别，该文件按文件修改时间计", REMIND))
        out.append(Receipt(i, city_text, city_of_text(city_text), received, nfkc(cell.get("文件名"))))
    return out, encoding, problems


def _read_error(exc: BaseException) -> str:
    """Why a file could not be read, for people."""
    if isinstance(exc, PermissionError):
        return "没有读取权限"
    if isinstance(exc, UnicodeError):
        return "编码无法识别"
    if isinstance(exc, OSError):
        return exc.strerror or type(exc).__name__
    text = str(exc).strip()
    return text if re.search(r"[\u4e00-\u9fff]", text) else f"文件已损坏或格式不对：{text or type(exc).__name__}"


def _receipt_time(raw, day: dt.date) -> dt.datetime | None:
    text = nfkc(raw)
    if not text:
        return None
    m = re.fullmatch(r"(\d{1,2})[:：时](\d{1,2})(?:[:：分](\d{1,2})秒?)?分?", text)
    if m:
        return dt.datetime.combine(day, dt.time(int(m[1]), int(m[2]), int(m[3] or 0)))
    parsed = parse_datetime(raw, day.year)
    value = parsed.value
    if parsed.ok and isinstance(value, dt.datetime):
        return value.replace(tzinfo=None) if value.tzinfo is None else \
            value.astimezone(indicators.LOCAL).replace(tzinfo=None)
    return None
