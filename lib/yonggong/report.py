"""The 数据质量报告: every 错误/警告/提示 of a city day, one row per fault, and a summary.

Sheet 问题清单: 级别, 企业名称, 县区, 服务专员 (who can fix it: ``tidy.fault_routing``), 表, 文件,
工作表, Excel行号, 列, 原值, 问题, 处理建议 — the 错误 and 警告 lines sorted by file and row, then the
提示 lines (information only, the rows are counted) sorted the same way. The 级别 cell is filled by
level: 错误 red, 警告 yellow, 提示 none (neutral); header frozen, autofilter on every column. 原值 is
the cell as Excel showed it (`faults.cell_text`: 2408, not 2408.0; invisible characters shown as
⟨零宽空格⟩ and named in 问题). Sheet 沿用企业: enterprises whose row is carried forward, with the day
it comes from (``ledger.carried``). Sheet 汇总: counts by table, level (错误, 警告, 提示) and rule.
Values are already masked by `faults.show_value` for personal columns.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import PatternFill
from openpyxl.utils import get_column_letter

from . import forms_write
from .faults import ERROR, NOTICE, WARNING, invisible_named, level_rank
from .reference import City, table_specs
from .xlsxio import save_workbook

REPORT_COLUMNS = {"level": "级别", "企业名称": "企业名称", "县区": "县区", "服务专员": "服务专员", "table": "表",
                  "file": "文件", "sheet": "工作表", "row": "Excel行号", "column": "列", "value": "原值",
                  "problem": "问题", "advice": "处理建议"}
CARRIED_SHEET = "沿用企业"
# Fill of the 级别 cell; a level not listed (提示) keeps the plain body style.
LEVEL_FILLS = {ERROR: "FFC7CE", WARNING: "FFEB9C"}


def _notice_last(faults: pd.DataFrame) -> pd.DataFrame:
    """The faults with the 提示 lines (and any unknown level) after the 错误 and 警告 lines;
    the order within each block is kept (file and row, from ``FaultLog.frame``)."""
    if faults.empty:
        return faults
    late = faults["level"].map(lambda v: level_rank(v) >= level_rank(NOTICE))
    return faults.iloc[late.to_numpy().argsort(kind="stable")]


def fault_table(faults: pd.DataFrame, routing: pd.DataFrame | None = None) -> pd.DataFrame:
    """The faults as shown to the analyst (Chinese headers, table names, 提示 lines last);
    ``routing`` (``tidy.fault_routing``, aligned with ``faults``) gives 企业名称, 县区, 服务专员."""
    df = faults.copy()
    for col in ("企业名称", "县区", "服务专员"):
        df[col] = routing[col].to_numpy() if routing is not None and len(routing) == len(df) else ""
    df = _notice_last(df)
    names = {c: f"{c} {s.name}" for c, s in table_specs().items()}
    df["table"] = df["table"].map(lambda c: names.get(c, c) if c else "")
    df["row"] = df["row"].map(lambda r: "" if r is None or pd.isna(r) else int(r))
    hidden = df["value"].map(lambda v: invisible_named(str(v)))
    df["problem"] = [f"{p}（原值含不可见字符：{'、'.join(h)}）" if h else p
                     for p, h in zip(df["problem"], hidden, strict=True)]
    return df[list(REPORT_COLUMNS)].rename(columns=REPORT_COLUMNS).reset_index(drop=True)


def summary(faults: pd.DataFrame) -> pd.DataFrame:
    """Counts of faults by table, level (错误, 警告, 提示 in that order) and rule."""
    if faults.empty:
        return pd.DataFrame(columns=["表", "级别", "规则", "条数"])
    names = {c: f"{c} {s.name}" for c, s in table_specs().items()}
    g = faults.assign(table=faults["table"].map(lambda c: names.get(c, c) if c else "（文件）"))
    out = g.groupby(["table", "level", "rule"], sort=True).size().reset_index(name="条数")
    out["_rank"] = out["level"].map(level_rank)
    out = out.sort_values(["table", "_rank", "level", "rule"], kind="stable").drop(columns="_rank")
    return out.rename(columns={"table": "表", "level": "级别", "rule": "规则"}).reset_index(drop=True)


def _count(faults: pd.DataFrame, level: str) -> int:
    return int((faults["level"] == level).sum()) if not faults.empty else 0


def write_quality_report(path: Path, faults: pd.DataFrame, city: City, day: dt.date,
                         routing: pd.DataFrame | None = None, carried: pd.DataFrame | None = None) -> None:
    """问题清单 (with ``routing``: who can fix each fault), 沿用企业 (``carried``) and 汇总."""
    wb = Workbook()
    ws = wb.active
    ws.title = "问题清单"
    n_err, n_warn, n_note = _count(faults, ERROR), _count(faults, WARNING), _count(faults, NOTICE)
    table = fault_table(faults, routing)
    forms_write.write_table_sheet(
        ws, f"{city.full_name}数据质量报告（{day.isoformat()}）：错误{n_err}条（不计入报表），"
            f"警告{n_warn}条（已计入），提示{n_note}条（已计入，供知悉）", table)
    fills = {level: PatternFill(fill_type="solid", start_color=c, end_color=c) for level, c in LEVEL_FILLS.items()}
    for i, level in enumerate(table["级别"], start=3):  # body rows start below title and header
        if level in fills:
            ws.cell(row=i, column=1).fill = fills[level]
    _filter(ws, table)
    if carried is not None:
        ws3 = wb.create_sheet(CARRIED_SHEET)
        forms_write.write_table_sheet(ws3, f"本日未报送、沿用此前报送数据的企业（{len(carried)}家，{day.isoformat()}）", carried)
        _filter(ws3, carried)
    ws2 = wb.create_sheet("汇总")
    forms_write.write_table_sheet(ws2, "问题汇总（按表、级别、规则）", summary(faults))
    save_workbook(wb, path)


def _filter(ws, table: pd.DataFrame) -> None:
    """Autofilter over the header (row 2) and the body rows of a table sheet."""
    if len(table.columns):
        ws.auto_filter.ref = f"A2:{get_column_letter(len(table.columns))}{max(len(table), 1) + 2}"
