"""The 工作简报: the shared parts of the HTML brief, and the province brief.

    html = brief.render(template, context)  # one HTML string, the font subset embedded
    ctx = brief.province_context(day, ...)  # the province brief's context from plain data
    html = brief.render_province(ctx)

The city brief is built in ``brief_city`` (``brief_city.city_context``, ``render_city``,
``write_city``) from the helpers here: figures marked for the self-check (:func:`mark`), the
headline cards and the 总体情况 paragraph (shared by city and province), the by-county table,
table K items, and :func:`scrub` for free text.

The brief opens offline (intranet, USB stick): no script, stylesheet, font or image is fetched
from anywhere. Charts are inline SVG (``charts``), and the CJK font is the shipped base font
subset to exactly the characters of the page, embedded as a base64 ``@font-face``
(``fontembed``). Rendering is deterministic: the same inputs give the same bytes.

No personal data: the brief is built from the figures, the ledger (enterprises), open problems
(enterprise level), table K (publicity) and fault *counts*; tables F and M are never read, and
free text is scrubbed of anything that looks like a mobile or ID number.

Province brief: :func:`render_province` takes a plain context (see :func:`province_context`).
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Mapping, Sequence
from pathlib import Path

import jinja2
import pandas as pd
from markupsafe import Markup

from . import charts, fontembed, indicators
from .reference import campaign_start, load_yaml, settings
from .wording import change_lead, change_text, cn_date, kind_of, month_day, show
from .wording import given as _ok

TEMPLATES = Path(__file__).resolve().parent / "templates"
FONT_SLOT = "/*@BRIEF_FONT_FACE@*/"


def config() -> dict:
    """The ``brief`` section of params/brief.yaml."""
    return load_yaml("brief.yaml")["brief"]



def issue_number(day: dt.date) -> int:
    """第N期: days since the mechanism started (params/settings.yaml ``campaign_start``) plus one."""
    return (day - campaign_start()).days + 1


# ---------------------------------------------------------------- small helpers


def as_number(v) -> float | None:
    return float(v) if _ok(v) else None


def mark(key: str, value, row: str | None = None, day: dt.date | None = None) -> Markup:
    """A figure as printed, marked for the self-check (``yonggong.selfcheck``):
    ``<span class="fig" data-fig="缺工人数" data-row="合计">1,234</span>``; ``day`` marks a
    figure of another day (a row of ``cd.trend``). The span has no style: it looks like text."""
    attrs = Markup(' data-fig="{}" data-row="{}"').format(key, row or settings()["total_row"])
    if day is not None:
        attrs += Markup(' data-day="{}"').format(day.isoformat())
    return Markup('<span class="fig"{}>{}</span>').format(attrs, show(value, kind_of(key)))


def header(key: str) -> str:
    """A column header for a figure: its catalogue label and unit, e.g. 缺工人数（人）."""
    ind = indicators.get(key)
    return f"{ind.label}（{ind.unit}）"


def figure_keys(entries) -> list[str]:
    """Figure keys of a params list: plain keys, or mappings with ``id`` (older form: key → header)."""
    if isinstance(entries, Mapping):
        return [str(k) for k in entries]
    return [str(e["id"]) if isinstance(e, Mapping) else str(e) for e in entries]


_PHONE = re.compile(r"(?<!\d)(1[3-9]\d)\d{4}(\d{4})(?!\d)")
_IDNO = re.compile(r"(?<![0-9A-Za-z])(\d{4})\d{10}(\d{3}[\dXx])(?![0-9A-Za-z])|(?<!\d)(\d{4})\d{7}(\d{4})(?!\d)")


def scrub(text) -> str:
    """Free text for the brief: ID and mobile numbers masked (defence in depth)."""
    if not _ok(text):
        return ""
    s = str(text)
    s = _IDNO.sub(lambda m: (m.group(1) or m.group(3)) + "*" * (10 if m.group(1) else 7)
                  + (m.group(2) or m.group(4)), s)
    return _PHONE.sub(lambda m: m.group(1) + "****" + m.group(2), s)


def chart_style() -> charts.Style:
    return charts.Style.from_dict(config()["charts"])


# ---------------------------------------------------------------- shared sections (city and province)


def headline(total: pd.Series, prev: pd.Series | None, prev_day: dt.date | None, day: dt.date) -> list[dict]:
    """The headline cards (params/brief.yaml ``headline``: figure keys): the catalogue's label and
    unit, the value (``row`` is the 合计 row) and the change against the previous day."""
    lead = change_lead(prev_day, day)
    out = []
    for fid in figure_keys(config()["headline"]):
        ind = indicators.get(fid)
        kind = kind_of(fid)
        now = total.get(fid)
        change = change_text(now, prev.get(fid) if prev is not None else None, kind, ind.unit)
        out.append({"id": fid, "label": ind.label, "value": show(now, kind), "raw": as_number(now),
                    "row": settings()["total_row"], "unit": ind.unit if _ok(now) else "",
                    "change": f"{lead}{change}" if change else ""})
    return out


def summary_text(total: pd.Series, prev: pd.Series | None, day: dt.date, scope: str | None = None,
                 row: str | None = None) -> Markup:
    """The 总体情况 paragraph, clause by clause; clauses whose figures are "—" are left out.

    Every figure quoted is marked (:func:`mark`, row ``row``, default the 合计 row); ``scope``
    defaults to the city's word (settings ``scope_words``)."""
    scope = scope or settings()["scope_words"]["city"]
    t = {k: total.get(k) for k in total.index}
    p = {k: (prev.get(k) if prev is not None else None) for k in total.index}

    def f(key: str) -> Markup:
        return mark(key, t.get(key), row)

    def ok(key: str) -> bool:
        return _ok(t.get(key))

    def positive(key: str) -> bool:
        return ok(key) and float(t[key]) > 0

    out = [Markup("截至{}，{}纳入重点企业清单{}家").format(month_day(day), scope, f("重点企业数"))]
    if ok("已复工企业数"):
        out[-1] += Markup("，已复工{}家").format(f("已复工企业数"))
        if ok("复工率"):
            out[-1] += Markup("，复工率{}%").format(f("复工率"))
            ch = change_text(t["复工率"], p.get("复工率"), "rate", "")
            if ch and ch != "持平":
                out[-1] += f"，较上日{ch}"
    if ok("员工总数") and ok("在岗人数"):
        s = Markup("员工总数{}人，在岗{}人").format(f("员工总数"), f("在岗人数"))
        out.append(s + (Markup("，到岗率{}%").format(f("到岗率")) if ok("到岗率") else ""))
    if ok("缺工人数"):
        s = (Markup("{}家企业").format(f("缺工企业数")) if ok("缺工企业数") else Markup("")) + \
            Markup("缺工{}人").format(f("缺工人数"))
        ch = change_text(t["缺工人数"], p.get("缺工人数"), "count", "人")
        if ch:
            s += f"，较上日{ch}"
        out.append(s)
    if ok("当日解决_合计"):
        s = Markup("当日解决用工{}人").format(f("当日解决_合计"))
        parts = [Markup("{}{}人").format(name, f(fid)) for fid, name in placement_columns() if positive(fid)]
        if parts:
            s += Markup("，其中") + Markup("、").join(parts)
        out.append(s)
    if ok("累计解决用工"):
        s = Markup("累计解决用工{}人").format(f("累计解决用工"))
        if positive("补报解决用工"):
            s += Markup("（含本期补报{}人）").format(f("补报解决用工"))
        if ok("缺工解决率"):
            s += Markup("，缺工解决率{}%").format(f("缺工解决率"))
        out.append(s)
    service = []
    if ok("推送岗位数"):
        service.append(Markup("推送岗位{}个").format(f("推送岗位数"))
                       + (Markup("、{}人次").format(f("推送人次")) if ok("推送人次") else ""))
    if positive("点对点运输人数"):
        service.append(Markup("“点对点”运送返岗人员{}人").format(f("点对点运输人数")))
    if positive("培训报名人数"):
        service.append(Markup("组织职业技能培训报名{}人").format(f("培训报名人数")))
    if service:
        out.append(Markup("当日") + Markup("，").join(service))
    if positive("求助受理件数") or positive("求助办结件数") or ok("24小时办结率"):
        s = Markup("本报告期受理求助{}件、办结{}件").format(f("求助受理件数"), f("求助办结件数")) \
            if ok("求助受理件数") and ok("求助办结件数") else Markup("")
        if ok("24小时办结率"):
            s += (Markup("，") if s else Markup("本报告期")) + Markup("24小时办结率{}%").format(f("24小时办结率"))
        out.append(s)
    return Markup("；").join(out) + Markup("。")


def province_outbound_text(total: pd.Series, cities: Sequence[Mapping]) -> Markup:
    """The province's 劳务输出 sentence (empty when no city filed a 劳务输出 sheet): which cities
    filed one and 全省合计's outbound figures (marked), destinations in the catalogue's order."""
    def given(c, key):
        return _ok(as_number(c.get(key)))

    filed = [str(c["设区市"]) for c in cities if given(c, "外出务工登记人数")]
    if not filed or not _ok(total.get("外出务工登记人数")):
        return Markup("")
    row = PROVINCE_TOTAL
    dest = [Markup("{}{}人").format(
        "其他省份" if i.destination == indicators.OTHER_DESTINATION else i.destination, mark(i.key, total[i.key], row=row))
        for i in indicators.by_destination() if _ok(total.get(i.key)) and float(total[i.key]) > 0]
    s = Markup("劳务输出方面，{}报送了劳务输出情况，全省外出务工登记{}人").format(
        "、".join(filed), mark("外出务工登记人数", total["外出务工登记人数"], row=row))
    if dest:
        s += Markup("，其中意向") + Markup("、").join(dest)
    if _ok(total.get("累计输出人数")):
        s += Markup("；累计输出{}人，其中当日输出{}人").format(mark("累计输出人数", total["累计输出人数"], row=row),
                                                     mark("当日输出人数", total.get("当日输出人数"), row=row))
    if _ok(total.get("点对点输出趟次")) and float(total["点对点输出趟次"]) > 0:
        s += Markup("；当日点对点劳务输出{}趟次、{}人").format(mark("点对点输出趟次", total["点对点输出趟次"], row=row),
                                                     mark("点对点输出人数", total.get("点对点输出人数"), row=row))
    return s + Markup("（详见汇总表工作簿“劳务输出”工作表）。")


def placement_columns() -> list[tuple[str, str]]:
    """(figure key, short name) of the 当日解决 channel columns, in settings order; the short name
    is the figure's column in the 汇总表 (its catalogue ``form``)."""
    seen: dict[str, str] = {}
    for _channel, col in settings()["placement_columns"].items():
        seen.setdefault(col, indicators.get(col).form[-1])
    return list(seen.items())


def publicity(k: pd.DataFrame | None, day: dt.date | None = None) -> dict[str, list[dict]]:
    """经验做法 and 先进典型 items of table K (those dated on or before the day)."""
    out: dict[str, list[dict]] = {"经验做法": [], "先进典型": []}
    if k is None or k.empty:
        return out
    rows = k if day is None else k[k["日期"].map(lambda d: not _ok(d) or d <= day)]
    for _, r in rows.iterrows():
        kind = r.get("类别")
        if kind not in out:
            continue
        out[kind].append({"标题": scrub(r.get("标题")), "内容": scrub(r.get("内容")),
                          "单位": scrub(r.get("单位或个人")), "设区市": scrub(r.get("设区市"))})
    return out


def county_table(f: pd.DataFrame) -> dict:
    """The by-county table (params/brief.yaml ``county_table``: figure keys; headers are the
    catalogue's labels and units); the 市本级 row only when it holds a figure of the table.
    Each cell is a marked figure (:func:`mark`)."""
    cols = figure_keys(config()["county_table"])
    rows = []
    for name in f.index:
        r = f.loc[name]
        if name == settings()["city_level_row"] and not any(_ok(r.get(c)) and r.get(c) != 0 for c in cols):
            continue
        rows.append({"name": name, "total": name == settings()["total_row"],
                     "cells": [mark(fid, r.get(fid), row=name) for fid in cols]})
    return {"headers": [header(fid) for fid in cols], "keys": cols, "rows": rows}


# ---------------------------------------------------------------- rendering


def _env() -> jinja2.Environment:
    return _env_for(str(TEMPLATES))


@functools.cache  # one environment per template folder and process: templates compiled once
def _env_for(folder: str) -> jinja2.Environment:
    return jinja2.Environment(loader=jinja2.FileSystemLoader(folder), autoescape=True,
                              trim_blocks=True, lstrip_blocks=True, undefined=jinja2.StrictUndefined,
                              keep_trailing_newline=True)


def render(template: str, context: Mapping) -> str:
    """Render a brief template and embed the font subset to the characters of the result."""
    html = _env().get_template(template).render(**context, font_face=Markup(FONT_SLOT))
    css = fontembed.font_face_css(set(html))
    return html.replace(FONT_SLOT, css, 1)


# ---------------------------------------------------------------- province


PROVINCE_STATUSES = ("按时", "迟报", "退回", "未报送")  # 报送情况 状态, the words of the province brief
PROVINCE_ACCEPTED = ("按时", "迟报")
PROVINCE_TOTAL = load_yaml("province.yaml")["province"]["total_label"]  # the roll-up's last row


def province_context(day: dt.date, cities: Sequence[Mapping], totals: Mapping,
                     previous_totals: Mapping | None = None, compared_totals: Mapping | None = None,
                     comparison: str = "", items: Sequence[Mapping] = (), notes: Sequence[str] = ()) -> dict:
    """The province brief's context from plain data (``yonggong.province.brief_context``).

    ``cities``: one mapping per city in display order, with ``设区市`` (name), ``报送状态`` (the
    status of 报送情况: 按时 / 迟报 / 退回 / 未报送), optionally ``收到时间`` (text) and the figure
    keys of the roll-up (missing or NaN = "—"). ``totals``: 全省合计 of the roll-up (nothing is
    summed here). 较上日: ``previous_totals`` is the day before over the cities accepted on both
    days and ``compared_totals`` today over the same cities (the change is theirs; without
    ``compared_totals`` it is ``totals`` − ``previous_totals``); ``comparison`` says which cities
    were compared. ``items``: table K items (``设区市``, ``类别``, ``标题``, ``内容``, ``单位或个人``).
    ``notes``: extra lines for the data note. Every figure is marked (:func:`mark`) with its row:
    the city's name, or 全省合计.
    """
    cfg = config()
    st = chart_style()
    titles = cfg["chart_titles"]
    cols = figure_keys(cfg["province_table"])
    total = pd.Series({k: as_number(v) for k, v in dict(totals).items()}, dtype="float64")
    for fid in indicators.keys():
        if fid not in total.index:
            total[fid] = float("nan")
    base = province_baseline(total, previous_totals, compared_totals)
    names = [str(c["设区市"]) for c in cities]
    status = [str(c.get("报送状态", "")) for c in cities]
    rows = [{"name": n, "status": s, "received": str(c.get("收到时间", "") or ""),
             "late": s == "迟报", "missing": s not in PROVINCE_ACCEPTED,
             "cells": [mark(fid, c.get(fid), row=n) for fid in cols]}
            for n, s, c in zip(names, status, cities, strict=True)]
    by = {k: [n for n, s in zip(names, status, strict=True) if s == k] for k in PROVINCE_STATUSES}
    chart = charts.grouped_hbar(
        "chart-cities", titles["cities"], names,
        [(indicators.label("缺工人数"), [as_number(c.get("缺工人数")) for c in cities]),
         (indicators.label("累计解决用工"), [as_number(c.get("累计解决用工")) for c in cities])],
        st=st, notes=["" if s in PROVINCE_ACCEPTED else s for s in status])
    k = pd.DataFrame(list(items)) if items else None
    prev_day = day - dt.timedelta(days=1) if base is not None else None
    return {
        "kind": "province",
        "lang": "zh-CN",
        "masthead": cfg["masthead"],
        "title": cfg["title_province"],
        "issue_no": issue_number(day),
        "date_cn": cn_date(day),
        "date_md": month_day(day),
        "date_iso": day.isoformat(),
        "unit": cfg["unit_province"],
        "scope": settings()["scope_words"]["province"],
        "sections": cfg["sections"],
        "total_label": PROVINCE_TOTAL,
        "headline": [dict(h, row=PROVINCE_TOTAL) for h in headline(total, base, prev_day, day)],
        "summary": summary_text(total, base, day, scope=settings()["scope_words"]["province"], row=PROVINCE_TOTAL),
        "comparison": comparison,
        "outbound": province_outbound_text(total, cities),
        "reporting": {"expected": len(cities), "valid": sum(len(by[s]) for s in PROVINCE_ACCEPTED),
                      "by_status": [{"状态": s, "个数": len(by[s])} for s in PROVINCE_STATUSES],
                      "on_time": by["按时"], "late": by["迟报"], "returned": by["退回"], "missing": by["未报送"]},
        "city_table": {"headers": [header(fid) for fid in cols], "keys": cols, "rows": rows,
                       "total": [mark(fid, total.get(fid), row=PROVINCE_TOTAL) for fid in cols]},
        "charts": {"cities": Markup(chart)},
        "publicity": publicity(k),
        "publicity_heading": cfg["sections"]["publicity_province"],
        "notes": [scrub(n) for n in notes],
        "distribution": [list(x) for x in cfg["distribution_province"]],
        "colours": cfg["colours"],
    }


def province_baseline(total: pd.Series, previous: Mapping | None, compared: Mapping | None) -> pd.Series | None:
    """The "day before" the 较上日 wording compares ``total`` with, such that ``total`` − baseline
    is the change over the compared cities: ``total`` − (``compared`` − ``previous``)."""
    if previous is None:
        return None
    prev = pd.Series({k: as_number(v) for k, v in dict(previous).items()}, dtype="float64").reindex(total.index)
    if compared is None:
        return prev
    same = pd.Series({k: as_number(v) for k, v in dict(compared).items()}, dtype="float64").reindex(total.index)
    return total - (same - prev)


def render_province(context: Mapping) -> str:
    """The province brief from a :func:`province_context` dict."""
    return render("province_brief.html.j2", context)
