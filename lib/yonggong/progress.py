"""附件3 每日进展情况: the day's progress report drafted from the figures.

Four blocks, as the notice asks: 今日工作进展 (a paragraph written from the 合计 figures),
存在的问题 (from the open problems of the ledger), 下一步工作打算 (left for the analyst, with a
marked placeholder) and 联系人及电话 (the liaisons of table L). Phrases and the placeholder
live in ``params/progress.yaml``.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import string
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side

from .forms import safe_text
from .reference import City, load_yaml, settings
from .xlsxio import save_workbook


def _n(v) -> str:
    return f"{int(round(v))}"


def _r(v) -> str:
    return f"{v:.1f}%"


def figure_text(value, rate: bool) -> str:
    """A figure as the paragraph prints it: 1749 / 94.5%."""
    return _r(value) if rate else _n(value)


def _ok(v) -> bool:
    return v is not None and not (isinstance(v, float) and math.isnan(v))


def month_day(day: dt.date) -> str:
    return f"{day.month}月{day.day}日"


@dataclass
class Clause:
    """One clause of the paragraph: its index in params/progress.yaml ``phrases``, its text and
    the figures it quotes, in order: (key, shown text, is a rate)."""

    index: int
    text: str
    slots: list[tuple[str, str, bool]] = field(default_factory=list)


def draft_clauses(figures: pd.DataFrame) -> list[Clause]:
    """The clauses of the 今日工作进展 paragraph from the 合计 row; clauses whose figures are "—"
    are left out."""
    phrases = load_yaml("progress.yaml")["phrases"]
    t = figures.loc[settings()["total_row"]]
    values = {k: t[k] for k in t.index}
    out = []
    for i, clause in enumerate(phrases):
        needed = clause["needs"]
        if not all(_ok(values.get(k)) for k in needed):
            continue
        if clause.get("skip_if_zero") and all(values.get(k) == 0 for k in clause["skip_if_zero"]):
            continue
        rates = set(clause.get("rates", []))
        fmt = {k: figure_text(values[k], k in rates) for k in needed}
        text = clause["text"].format(**fmt)
        slots = [(k, fmt[k], k in rates) for k in _fields(clause["text"])]
        subs = []
        for sub in clause.get("breakdown", []):
            v = values.get(sub["figure"])
            if _ok(v) and v > 0:
                subs.append(sub["text"].format(n=_n(v)))
                slots.append((sub["figure"], _n(v), False))
        if subs:
            text += clause.get("breakdown_lead", "其中") + "、".join(subs)
        out.append(Clause(i, text, slots))
    return out


def draft_paragraph(figures: pd.DataFrame, day: dt.date) -> str:
    """The 今日工作进展 paragraph from the 合计 row; clauses whose figures are "—" are left out."""
    lead = load_yaml("progress.yaml")["lead"].format(date=month_day(day))
    return lead + "；".join(c.text for c in draft_clauses(figures)) + "。"


# ---------------------------------------------------------------- reading the paragraph back

_NUMBER = r"(-?\d[\d,]*(?:\.\d+)?%?)"
_DATE = r"(\d{1,2}月\d{1,2}日)"


def _fields(template: str) -> list[str]:
    return [f for _, f, _, _ in string.Formatter().parse(template) if f is not None]


def _regex(template: str, slot: str = _NUMBER) -> str:
    """A template as a regex: the literal text escaped, every field a number group."""
    return "".join(re.escape(lit) + (slot if f is not None else "") for lit, f, _, _ in string.Formatter().parse(template))


@dataclass
class Reading:
    """What :func:`read_paragraph` found: the date of the lead, the clauses matched (with the
    numbers in their slots, as shown) and the parts of the text that match no template."""

    date: str | None
    clauses: list[Clause]
    unmatched: list[str]


def _read_clause(part: str, i: int, clause: dict) -> Clause | None:
    m = re.match(_regex(clause["text"]), part)
    if not m:
        return None
    rates = set(clause.get("rates", []))
    slots = [(k, v, k in rates) for k, v in zip(_fields(clause["text"]), m.groups(), strict=True)]
    rest = part[m.end():]
    if rest:
        lead = clause.get("breakdown_lead", "其中")
        if not clause.get("breakdown") or not rest.startswith(lead):
            return None
        subs = list(clause["breakdown"])
        for item in rest[len(lead):].split("、"):
            for sub in subs:
                sm = re.fullmatch(_regex(sub["text"]), item)
                if sm:
                    slots.append((sub["figure"], sm.group(1), False))
                    subs.remove(sub)
                    break
            else:
                return None
    return Clause(i, part, slots)


def read_paragraph(text: str) -> Reading:
    """Read a 今日工作进展 paragraph back with the templates of params/progress.yaml turned into
    regexes: every number must sit in a slot of a clause template (or be the lead's date)."""
    cfg = load_yaml("progress.yaml")
    text = (text or "").replace("\u200b", "").strip()
    m = re.match(_regex(cfg["lead"], _DATE), text)
    date = m.group(1) if m else None
    body = text[m.end():] if m else text
    body = body[:-1] if body.endswith("。") else body
    clauses, unmatched, used = [], [], set()
    for part in (body.split("；") if body else []):
        for i, clause in enumerate(cfg["phrases"]):
            if i in used:
                continue
            found = _read_clause(part, i, clause)
            if found is not None:
                clauses.append(found)
                used.add(i)
                break
        else:
            unmatched.append(part)
    return Reading(date, clauses, unmatched)


def problem_lines(problems: pd.DataFrame) -> list[str]:
    """Numbered lines for 存在的问题 (enterprise, county, type, text)."""
    if problems.empty:
        return [load_yaml("progress.yaml")["no_problems"]]
    return [f"{i}. {r['企业名称']}（{r['县区']}）：{r['问题困难']}（{r['问题困难类型']}）"
            for i, (_, r) in enumerate(problems.iterrows(), start=1)]


def contact_lines(liaisons: pd.DataFrame | None) -> list[str]:
    """联系人及电话 from table L: the 联络员 first, then the 组长 (work and mobile phones)."""
    if liaisons is None or liaisons.empty:
        return [load_yaml("progress.yaml")["no_contact"]]
    order = {"联络员": 0, "组长": 1, "副组长": 2, "成员": 3}
    df = liaisons.assign(_o=liaisons["小组职务"].map(order).fillna(9)).sort_values(["_o", "姓名"])
    df = df[df["小组职务"].isin(["联络员", "组长"])]
    lines = []
    for _, r in df.iterrows():
        phones = "，".join(p for p in (r.get("办公电话"), r.get("手机")) if isinstance(p, str) and p)
        lines.append(f"{r['小组职务']}：{r['姓名']}（{r['单位及职务']}），电话：{phones}")
    return lines


def write_progress(path: Path, city: City, day: dt.date, figures: pd.DataFrame, problems: pd.DataFrame,
                   liaisons: pd.DataFrame | None) -> None:
    """Write 每日进展情况_<市>_<YYYYMMDD>.xlsx."""
    cfg = load_yaml("progress.yaml")
    wb = Workbook()
    ws = wb.active
    ws.title = cfg["sheet"]
    thin = Side(style="thin")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    ws.column_dimensions["A"].width = 16
    ws.column_dimensions["B"].width = 90
    ws["A1"] = cfg["attachment"]
    ws["A1"].font = Font(name="黑体", size=12)
    ws.merge_cells("A2:B2")
    ws["A2"] = cfg["title"]
    ws["A2"].font = Font(name="黑体", size=18)
    ws["A2"].alignment = Alignment(horizontal="center", vertical="center")
    ws.row_dimensions[2].height = 36
    ws["A3"] = f"填报单位：{city.bureau}"
    ws["B3"] = f"日期：{day.year}年{day.month}月{day.day}日"
    ws["B3"].alignment = Alignment(horizontal="right")
    for c in ("A3", "B3"):
        ws[c].font = Font(name="宋体", size=11)
    blocks = [
        (cfg["blocks"][0], [draft_paragraph(figures, day)]),
        (cfg["blocks"][1], problem_lines(problems)),
        (cfg["blocks"][2], [cfg["placeholder"]]),
        (cfg["blocks"][3], contact_lines(liaisons)),
    ]
    row = 4
    for heading, lines in blocks:
        ws.cell(row=row, column=1, value=heading)
        text = "\n".join(lines)
        ws.cell(row=row, column=2, value=safe_text(text))
        ws.cell(row=row, column=1).font = Font(name="黑体", size=11)
        ws.cell(row=row, column=2).font = Font(name="仿宋", size=12, color="C00000" if heading == cfg["blocks"][2]
                                                else None)
        for col in (1, 2):
            ws.cell(row=row, column=col).border = border
            ws.cell(row=row, column=col).alignment = Alignment(wrap_text=True, vertical="top",
                                                               horizontal="center" if col == 1 else "left")
        chars = sum(max(len(x), 1) for x in lines)
        ws.row_dimensions[row].height = max(30, 16 * (chars // 45 + len(lines)))
        row += 1
    ws.page_setup.paperSize = 9
    ws.page_setup.orientation = "portrait"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    save_workbook(wb, path)
