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

from . import indicators
from .faults import scrub
from .forms import safe_text
from .reference import City, load_yaml, settings, table_specs
from .wording import change_lead, change_text, kind_of, month_day, previous, show
from .wording import given as _ok
from .xlsxio import save_workbook

CHANGE = "Δ"  # a template field {Δ缺工人数}: the figure's change against the previous day


def figure_text(value, rate: bool) -> str:
    """A figure as the paragraph prints it: 1,749 / 94.5%."""
    return show(value, "rate") + "%" if rate else show(value)


def _n(v) -> str:
    return show(v)


@dataclass
class Clause:
    """One clause of the paragraph: its index in params/progress.yaml ``phrases``, its text and
    the figures it quotes, in order: (key, shown text, is a rate); a change field's key is
    ``Δ<figure>`` and its text the whole bracket (or "" without a previous day)."""

    index: int
    text: str
    slots: list[tuple[str, str, bool]] = field(default_factory=list)


def change_shown(key: str, values, prev, lead: str) -> str:
    """The text of a {Δ<figure>} field: （较上日减少120人）, or "" without a previous value."""
    ind = indicators.get(key)
    text = change_text(values.get(key), prev.get(key) if prev is not None else None, kind_of(key),
                       ind.unit if not ind.is_rate else "")
    return load_yaml("progress.yaml")["change"].format(lead=lead, change=text) if text and lead else ""


def draft_clauses(figures: pd.DataFrame, trend: pd.DataFrame | None = None,
                  day: dt.date | None = None) -> list[Clause]:
    """The clauses of the 今日工作进展 paragraph from the 合计 row; clauses whose figures are "—"
    are left out. With ``trend`` and ``day``, {Δ…} fields compare with the previous trend day."""
    phrases = load_yaml("progress.yaml")["phrases"]
    t = figures.loc[settings()["total_row"]]
    values = {k: t[k] for k in t.index}
    prev_day, prev = previous(trend, day) if day is not None else (None, None)
    lead = change_lead(prev_day, day) if day is not None else ""
    out = []
    for i, clause in enumerate(phrases):
        needed = clause["needs"]
        if not all(_ok(values.get(k)) for k in needed):
            continue
        if clause.get("skip_if_zero") and all(values.get(k) == 0 for k in clause["skip_if_zero"]):
            continue
        rates = set(clause.get("rates", []))
        fmt = {}
        for k in _fields(clause["text"]):
            if k.startswith(CHANGE):
                fmt[k] = change_shown(k[len(CHANGE):], values, prev, lead)
            else:
                fmt[k] = figure_text(values[k], k in rates)
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


def draft_paragraph(figures: pd.DataFrame, day: dt.date, trend: pd.DataFrame | None = None) -> str:
    """The 今日工作进展 paragraph from the 合计 row; clauses whose figures are "—" are left out."""
    lead = load_yaml("progress.yaml")["lead"].format(date=month_day(day))
    return lead + "；".join(c.text for c in draft_clauses(figures, trend, day)) + "。"


def practices_text(items: dict[str, list[dict]] | None) -> str:
    """The second paragraph of 今日工作进展: the titles of the day's 经验做法 and 先进典型 (table K,
    as ``brief.publicity`` selects them: kind → items with 标题 and 单位), "" when there are none."""
    cfg = load_yaml("progress.yaml")["practices"]
    rows = [it for kind in cfg["kinds"] for it in (items or {}).get(kind, [])]
    if not rows:
        return ""
    limit = int(cfg["limit"])
    shown = [cfg["item"].format(title=it["标题"], unit=it.get("单位") or "—") for it in rows[:limit]]
    more = cfg["more"].format(n=len(rows)) if len(rows) > limit else ""
    return cfg["lead"] + "、".join(shown) + more + cfg["tail"]


# ---------------------------------------------------------------- reading the paragraph back

_NUMBER = r"(-?\d[\d,]*(?:\.\d+)?%?)"
_DATE = r"(\d{1,2}月\d{1,2}日)"


def _fields(template: str) -> list[str]:
    return [f for _, f, _, _ in string.Formatter().parse(template) if f is not None]


_CHANGE = r"((?:（[^（）；。]*）)?)"  # a {Δ…} field: a bracket, or nothing


def _regex(template: str, slot: str = _NUMBER) -> str:
    """A template as a regex: the literal text escaped, every field a number group ({Δ…}: an
    optional bracket)."""
    return "".join(re.escape(lit) + ("" if f is None else _CHANGE if f.startswith(CHANGE) else slot)
                   for lit, f, _, _ in string.Formatter().parse(template))


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
    regexes: every number must sit in a slot of a clause template (or be the lead's date). Only
    the first line is the paragraph; a second (经验做法和先进典型, :func:`practices_text`) quotes titles."""
    cfg = load_yaml("progress.yaml")
    text = (text or "").replace("\u200b", "").strip().split("\n")[0].strip()  # the practices follow
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


def problem_lines(problems: pd.DataFrame, sheet: str) -> list[str]:
    """存在的问题, synthesised: how many enterprises have open problems, by type (most first; equal
    counts in the order of table B's 问题困难类型); the largest types
    with a few enterprises each (the largest shortage first, the text cut short and masked); the
    rest counted; where the full list is (the working file's ``sheet``)."""
    cfg = load_yaml("progress.yaml")
    if problems.empty:
        return [cfg["no_problems"]]
    pc = cfg["problems"]
    df = problems.assign(问题困难类型=problems["问题困难类型"].fillna("其他").astype(str))
    if "缺工人数" in df.columns:
        df = df.assign(_size=pd.to_numeric(df["缺工人数"], errors="coerce").fillna(0))
    else:
        df = df.assign(_size=0)
    df = df.sort_values(["_size", "企业名称"], ascending=[False, True], kind="stable")
    counts = df.groupby("问题困难类型", sort=False).size()
    kinds = list(next(c.values for c in table_specs()["B"].columns if c.name == "问题困难类型"))
    order = sorted(counts.index, key=lambda k: (-int(counts[k]), kinds.index(k) if k in kinds else len(kinds), k))
    lines = [pc["summary"].format(n=_n(len(df)), by_type="、".join(pc["by_type"].format(type=k, n=_n(counts[k]))
                                                                   for k in order))]
    ordinals = pc["ordinals"]
    cut = int(pc["quote_chars"])
    shown_types = order[:int(pc["max_types"])]
    for i, kind in enumerate(shown_types):
        rows = df[df["问题困难类型"] == kind]
        examples = []
        for _, r in rows.head(int(pc["examples"])).iterrows():
            text = " ".join(scrub(str(r["问题困难"] or "")).split())
            text = text if len(text) <= cut else text[:cut] + "…"
            examples.append(pc["example"].format(name=r["企业名称"], county=r["县区"], text=text))
        etc = pc["etc"] if len(rows) > len(examples) else ""
        lines.append(pc["line"].format(ordinal=ordinals[i], type=kind, n=_n(len(rows)),
                                       examples="，".join(examples), etc=etc))
    rest = int(counts[order[len(shown_types):]].sum()) if len(order) > len(shown_types) else 0
    if rest:
        lines.append(pc["rest"].format(ordinal=ordinals[len(shown_types)], n=_n(rest)))
    lines.append(pc["see"].format(sheet=sheet))
    return lines


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


def _height(lines: list[str], layout: dict) -> float:
    """A row height that shows ``lines`` wrapped in the text columns, within Excel's limit."""
    per = int(layout["chars_per_line"])
    n = sum(max(1, math.ceil(len(x) / per)) for x in lines)
    return float(min(int(layout["max_height"]), max(30, int(layout["line_height"]) * n + 6)))


def write_progress(path: Path, city: City, day: dt.date, figures: pd.DataFrame, problems: pd.DataFrame,
                   liaisons: pd.DataFrame | None, trend: pd.DataFrame | None = None,
                   practices: dict[str, list[dict]] | None = None, problems_sheet: str = "问题困难") -> None:
    """Write 每日进展情况_<市>_<YYYYMMDD>.xlsx: one A4 page for a typical day (params/progress.yaml
    ``layout``: column widths, row heights within Excel's 409 pt)."""
    cfg = load_yaml("progress.yaml")
    layout = cfg["layout"]
    wb = Workbook()
    ws = wb.active
    ws.title = cfg["sheet"]
    thin = Side(style="thin")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    for col, width in layout["widths"].items():
        ws.column_dimensions[col].width = float(width)
    ws["A1"] = cfg["attachment"]
    ws["A1"].font = Font(name="黑体", size=12)
    ws.merge_cells("A2:C2")
    ws["A2"] = cfg["title"]
    ws["A2"].font = Font(name="黑体", size=18)
    ws["A2"].alignment = Alignment(horizontal="center", vertical="center")
    ws.row_dimensions[2].height = 36
    ws.merge_cells("A3:B3")  # 填报单位 over two columns: never clipped
    ws["A3"] = f"填报单位：{city.bureau}"
    ws["C3"] = f"日期：{day.year}年{day.month}月{day.day}日"
    ws["A3"].alignment = Alignment(horizontal="left", vertical="center")
    ws["C3"].alignment = Alignment(horizontal="right", vertical="center")
    for c in ("A3", "C3"):
        ws[c].font = Font(name="宋体", size=11)
    ws.row_dimensions[3].height = 22
    work = [draft_paragraph(figures, day, trend)]
    done = practices_text(practices)
    if done:
        work.append(done)
    blocks = [
        (cfg["blocks"][0], work),
        (cfg["blocks"][1], problem_lines(problems, problems_sheet)),
        (cfg["blocks"][2], [cfg["placeholder"]]),
        (cfg["blocks"][3], contact_lines(liaisons)),
    ]
    row = 4
    for heading, lines in blocks:
        ws.cell(row=row, column=1, value=heading)
        ws.cell(row=row, column=2, value=safe_text("\n".join(lines)))
        ws.merge_cells(start_row=row, start_column=2, end_row=row, end_column=3)
        ws.cell(row=row, column=1).font = Font(name="黑体", size=11)
        ws.cell(row=row, column=2).font = Font(name="仿宋", size=12, color="C00000" if heading == cfg["blocks"][2]
                                                else None)
        for col in (1, 2, 3):
            ws.cell(row=row, column=col).border = border
            ws.cell(row=row, column=col).alignment = Alignment(wrap_text=True, vertical="top" if col > 1 else "center",
                                                               horizontal="center" if col == 1 else "left")
        ws.row_dimensions[row].height = _height(lines, layout)
        row += 1
    ws.page_setup.paperSize = 9
    ws.page_setup.orientation = "portrait"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_area = f"A1:C{row - 1}"
    save_workbook(wb, path)
