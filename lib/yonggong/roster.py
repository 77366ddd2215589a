"""附件1 领导小组及联络员名单 from table L (``invoke roster --city=…``).

The newest table L on or before the day is used; rows are ordered 组长, 副组长, 成员, 联络员.
Liaisons are officials whose work contacts the notice asks for, so the roster is not under
restricted/; it is written to ``outputs/roster/<市>/``.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from . import catalogue
from .clean import clean_table
from .errors import UserError
from .faults import FaultLog
from .forms_write import write_table_sheet
from .ingest import read_day
from .pipeline import day_folders
from .reference import City, resolve_city
from .xlsxio import save_workbook

ROLE_ORDER = ["组长", "副组长", "成员", "联络员"]
FOLDER = "roster"  # outputs/roster/<市>/


def run_roster(city: str, date=None, inbox=None, out=None) -> tuple[Path, dt.date, int]:
    """``invoke roster``: write 附件1 of the city's newest table L on or before the day (default the
    inbox's newest day) into ``<out>/roster/<市>/``; returns the path, the day table L was sent
    and the number of people."""
    from . import paths
    from .days import resolve_day

    c = resolve_city(city)
    inbox_root = Path(inbox) if inbox else paths.SAMPLE_INBOX
    day = resolve_day(inbox_root, c, date)
    sent, df = newest_liaisons(inbox_root, c, day)
    path = (Path(out) if out else paths.OUTPUTS) / FOLDER / c.name / catalogue.file_name("roster", c.name, day)
    write_roster(path, c, df, day)
    return path, sent, len(df)


def newest_liaisons(inbox_root: Path, city: City, day: dt.date) -> tuple[dt.date, pd.DataFrame]:
    """The newest clean table L in the city's folders on or before ``day``."""
    for d, folder in sorted(day_folders(inbox_root, city).items(), reverse=True):
        if d > day:
            continue
        inbox = read_day(folder)
        if inbox.has("L"):
            df = clean_table("L", inbox.table("L"), city, d, FaultLog(inbox))
            if not df.empty:
                return d, df
    raise UserError(f"{city.full_name} {day} 及之前的收件箱中没有领导小组及联络员名单（表L）")


def signatories(liaisons: pd.DataFrame | None) -> dict[str, str]:
    """The footer of a form from table L: 填表人 the first 联络员 as listed, 审核人 the first 组长,
    联系电话 the 联络员's office phone (a work number, never a mobile); "" where table L says nothing."""
    out = {"filler": "", "reviewer": "", "phone": ""}
    if liaisons is None or liaisons.empty:
        return out
    liaison = liaisons[liaisons["小组职务"] == "联络员"]
    head = liaisons[liaisons["小组职务"] == "组长"]
    if not liaison.empty:
        out["filler"] = str(liaison.iloc[0]["姓名"])
        phone = liaison.iloc[0].get("办公电话")
        out["phone"] = phone if isinstance(phone, str) else ""
    if not head.empty:
        out["reviewer"] = str(head.iloc[0]["姓名"])
    return out


ROSTER_COLUMNS = ["姓名", "单位及职务", "小组职务", "办公电话", "手机", "微信号", "入群"]


def roster_frame(liaisons: pd.DataFrame) -> pd.DataFrame:
    """附件1's rows: 序号, then table L's columns (微信号 and 入群 blank where table L lacks them;
    入群 as 工作群、劳务协作群), 组长 first and 联络员 last."""
    order = {r: i for i, r in enumerate(ROLE_ORDER)}
    df = liaisons.assign(_o=liaisons["小组职务"].map(order)).sort_values(["_o", "_row"], kind="stable")
    df = df.assign(**{c: None for c in ROSTER_COLUMNS if c not in df.columns})
    out = df[ROSTER_COLUMNS].reset_index(drop=True)
    out["入群"] = out["入群"].map(lambda v: "、".join(v) if isinstance(v, tuple | list) else v)
    out.insert(0, "序号", range(1, len(out) + 1))
    return out


def write_roster(path: Path, city: City, liaisons: pd.DataFrame, day: dt.date) -> None:
    """附件1 as the province asks for it: the title, a line with 填报单位 (the bureau) and 填报日期
    (``day``), then the roster (header frozen)."""
    wb = Workbook()
    ws = wb.active
    ws.title = "附件1"
    frame = roster_frame(liaisons)
    write_table_sheet(ws, f"附件1  {city.full_name}重点企业用工调度保障工作领导小组及联络员名单", frame,
                      subtitle=(f"填报单位：{city.bureau}（盖章）", f"填报日期：{day.year}年{day.month}月{day.day}日"))
    for i, name in enumerate(frame.columns, 1):  # room to write by hand
        if name in ("微信号", "入群"):
            letter = get_column_letter(i)
            ws.column_dimensions[letter].width = max(ws.column_dimensions[letter].width or 0, 14)
    save_workbook(wb, path)
