"""The 数据质量报告: every 错误/警告 of a city day, one row per fault, and a summary.

Sheet 问题清单: 级别, 表, 文件, 工作表, Excel行号, 列, 原值, 问题, 处理建议 — sorted by file
and row. Sheet 汇总: counts by table, level and rule. Values are already masked by
`clean.show_value` for personal columns.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
from openpyxl import Workbook

from . import forms
from .reference import City, table_specs
from .xlsxio import save_workbook

REPORT_COLUMNS = {"level": "级别", "table": "表", "file": "文件", "sheet": "工作表", "row": "Excel行号",
                  "column": "列", "value": "原值", "problem": "问题", "advice": "处理建议"}


def fault_table(faults: pd.DataFrame) -> pd.DataFrame:
    """The faults as shown to the analyst (Chinese headers, table names)."""
    df = faults.copy()
    names = {c: f"{c} {s.name}" for c, s in table_specs().items()}
    df["table"] = df["table"].map(lambda c: names.get(c, c) if c else "")
    df["row"] = df["row"].map(lambda r: "" if r is None or pd.isna(r) else int(r))
    return df[list(REPORT_COLUMNS)].rename(columns=REPORT_COLUMNS)


def summary(faults: pd.DataFrame) -> pd.DataFrame:
    """Counts of faults by table, level and rule."""
    if faults.empty:
        return pd.DataFrame(columns=["表", "级别", "规则", "条数"])
    names = {c: f"{c} {s.name}" for c, s in table_specs().items()}
    g = faults.assign(table=faults["table"].map(lambda c: names.get(c, c) if c else "（文件）"))
    out = g.groupby(["table", "level", "rule"], sort=True).size().reset_index(name="条数")
    return out.rename(columns={"table": "表", "level": "级别", "rule": "规则"})


def write_quality_report(path: Path, faults: pd.DataFrame, city: City, day: dt.date) -> None:
    wb = Workbook()
    ws = wb.active
    ws.title = "问题清单"
    n_err = int((faults["level"] == "错误").sum()) if not faults.empty else 0
    n_warn = int((faults["level"] == "警告").sum()) if not faults.empty else 0
    forms.write_table_sheet(
        ws, f"{city.full_name}数据质量报告（{day.isoformat()}）：错误{n_err}条（不计入报表），警告{n_warn}条（已计入）",
        fault_table(faults))
    ws2 = wb.create_sheet("汇总")
    forms.write_table_sheet(ws2, "问题汇总（按表、级别、规则）", summary(faults))
    save_workbook(wb, path)
