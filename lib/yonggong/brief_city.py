"""The city 工作简报: a self-contained HTML brief of a city day.

    ctx = brief_city.city_context(cd)            # plain dict: figures, charts (SVG), problems, K items
    html = brief_city.render_city(cd)            # one HTML string, fonts and charts inside
    path = brief_city.write_city(cd, out_dir)    # 工作简报_<市>_<YYYYMMDD>.html

The sections of the city brief (trend and shortage paragraphs, charts, top positions, open
problems, capacity, help requests, 劳务输出, 培训缺口, the data note and the 指标说明) are built
here; the shared helpers, the rendering and the province brief are in ``brief``, whose rules
(offline, deterministic, no personal data) apply.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from pathlib import Path

import pandas as pd
from markupsafe import Markup

from . import catalogue, charts, indicators, match
from .brief import (
    as_number,
    chart_style,
    config,
    county_table,
    figure_keys,
    headline,
    issue_number,
    mark,
    placement_columns,
    publicity,
    render,
    scrub,
    summary_text,
)
from .figures import open_help, vacancy_class
from .ledger import CARRIED, MISSING, REPORTED, counted
from .ledger import capacity as ledger_capacity
from .reference import categories, settings, table_specs
from .wording import change_text, cn_date, month_day, previous, show
from .wording import given as _ok
from .xlsxio import write_bytes_atomic

# ---------------------------------------------------------------- city context


def _previous(cd) -> tuple[dt.date | None, pd.Series | None]:
    return previous(cd.trend, cd.day)


def outbound_block(cd, limit: int = 5) -> dict | None:
    """The 劳务输出 part of the brief (None when the city has never sent table O): a sentence of the
    outbound figures (marked) and the first ``limit`` destinations by registered workers."""
    from . import outbound

    reg = outbound.city_registrations(cd)
    if reg is None:
        return None
    t = cd.figures.loc[settings()["total_row"]]
    s = Markup("截至{}，全市外出务工登记{}人，累计输出{}人，其中当日输出{}人").format(
        month_day(cd.day), mark("外出务工登记人数", t["外出务工登记人数"]), mark("累计输出人数", t["累计输出人数"]),
        mark("当日输出人数", t["当日输出人数"]))
    if _ok(t.get("点对点输出趟次")) and float(t["点对点输出趟次"]) > 0:
        s += Markup("；当日组织点对点劳务输出{}趟次、{}人").format(mark("点对点输出趟次", t["点对点输出趟次"]),
                                                         mark("点对点输出人数", t["点对点输出人数"]))
    dest = outbound.by_destination(reg, cd.day)
    dest = dest[dest["输入省份"] != "合计"]
    by_prov = dest.groupby("输入省份", sort=False)[["登记人数", "已出发", "待出发"]].sum().reset_index()
    rows = [{"输入地": scrub(r["输入省份"]), "登记人数": f"{int(r['登记人数']):,}", "已出发": f"{int(r['已出发']):,}",
             "待出发": f"{int(r['待出发']):,}"} for r in by_prov.head(limit).to_dict("records")]
    return {"text": s + Markup("。"), "rows": rows, "more": max(len(by_prov) - limit, 0)}


def trend_text(cd) -> Markup:
    """二、 paragraph: how shortage and placements moved over the days shown.

    Figures of the days shown are those of ``cd.trend`` (marked with their day); the sum of the
    days' 当日解决用工 is called that, never 累计 (累计解决用工 also counts the days before and
    the 补报), and 累计 is quoted from the figures."""
    trend = cd.trend
    if trend is None or trend.empty:
        return Markup("")
    days = sorted(trend.index)
    total_row = settings()["total_row"]
    out = []
    short = [(d, trend.loc[d, "缺工人数"]) for d in days if _ok(trend.loc[d].get("缺工人数"))]
    if len(short) > 1:
        (d0, v0), (d1, v1) = short[0], short[-1]
        ch = change_text(v1, v0, "count", "人")
        out.append(Markup("{}至{}，全市重点企业缺工人数由{}人变为{}人，{}").format(
            month_day(d0), month_day(d1), mark("缺工人数", v0, day=d0), mark("缺工人数", v1, day=d1),
            ch if ch != "持平" else "总体持平"))
    placed = [(d, float(trend.loc[d, "当日解决_合计"])) for d in days if _ok(trend.loc[d].get("当日解决_合计"))]
    if len(placed) > 1:
        n = sum(v for _, v in placed)
        span = f"{month_day(placed[0][0])}至{month_day(placed[-1][0])}"
        if short and len(short) > 1 and (short[0][0], short[-1][0]) == (placed[0][0], placed[-1][0]):
            span = "同期"
        out.append(Markup("{}各日当日解决用工合计{}人，日均{}人").format(span, show(n), show(n / len(placed))))
    t = cd.figures.loc[total_row]
    if _ok(t.get("累计解决用工")):
        s = Markup("截至{}累计解决用工{}人").format(month_day(cd.day), mark("累计解决用工", t["累计解决用工"]))
        if _ok(t.get("补报解决用工")) and t["补报解决用工"] > 0:
            s += Markup("（含本期补报{}人）").format(mark("补报解决用工", t["补报解决用工"]))
        out.append(s)
    if _ok(t.get("当日解决_合计")) and t["当日解决_合计"] > 0:
        channels = [(fid, name, float(t[fid])) for fid, name in placement_columns() if _ok(t.get(fid))]
        if channels:
            fid, name, n = max(channels, key=lambda c: c[2])  # the first of equals, in settings order
            share = indicators.ratio(n, t["当日解决_合计"])
            out.append(Markup("当日解决用工以{}为主（{}人，占{}%）").format(name, mark(fid, n), show(share, "rate")))
    return Markup("；").join(out) + Markup("。") if out else Markup("")


def shortage_text(cd, classes: list[tuple[str, float]]) -> Markup:
    """三、 paragraph: where the shortage is (counties, categories, kinds of job)."""
    f = cd.figures
    total_row = settings()["total_row"]
    rows = [r for r in f.index if r not in (total_row, settings()["city_level_row"])]
    s = f.loc[rows, "缺工人数"].dropna().sort_values(ascending=False, kind="stable")
    total = f.loc[total_row, "缺工人数"]
    out = []
    top = s[s > 0].head(3)
    if len(top) and _ok(total) and total > 0:
        out.append(Markup("从县区看，{}缺工较多，分别为{}，合计占全市的{}%").format(
            "、".join(top.index), Markup("、").join(mark("缺工人数", v, row=r) + "人" for r, v in top.items()),
            show(indicators.ratio(top.sum(), total), "rate")))
    cat = shortage_by_category(cd.ledger).sort_values(ascending=False, kind="stable")
    if len(cat) and cat.iloc[0] > 0:
        out.append(Markup("从企业类别看，{}企业缺工最多（{}人）").format(cat.index[0], show(cat.iloc[0])))
    vtotal = sum(v for _, v in classes)
    if classes and vtotal > 0:
        name, v = max(classes, key=lambda cv: cv[1])
        out.append(Markup("从岗位类别看，{}缺口{}人，占空岗总数的{}%").format(
            name, mark(_vacancy_keys()[name], v), show(indicators.ratio(v, vtotal), "rate")))
    return Markup("；").join(out) + Markup("。") if out else Markup("")


def _vacancy_keys() -> dict[str, str]:
    """岗位类别 (the figure's column in the 汇总表) → key of the 空岗结构 figures, catalogue order."""
    return {indicators.get(k).form[-1]: k for k in indicators.keys() if k.startswith("空岗_")}


def _trend_chart(cd, titles: dict, st: charts.Style) -> str:
    trend = cd.trend if cd.trend is not None else pd.DataFrame()
    days = sorted(trend.index)
    labels = [month_day(d) for d in days]
    col = lambda name: [as_number(trend.loc[d].get(name)) for d in days]  # noqa: E731
    lab = indicators.label
    return charts.combo("chart-trend", titles["trend"], labels, (lab("当日解决_合计"), col("当日解决_合计")),
                        [(lab("缺工人数"), col("缺工人数")), (lab("累计解决用工"), col("累计解决用工"))], st=st)


def _channel_chart(cd, titles: dict, st: charts.Style) -> str:
    """当日解决用工 by channel: the figures of the 合计 row."""
    t = cd.figures.loc[settings()["total_row"]]
    if not _ok(t.get("当日解决_合计")):
        return charts.hbar("chart-channel", titles["channel"], [], [], st=st, note="当日未报送用工解决情况")
    cols = placement_columns()
    values = [float(t.get(fid)) if _ok(t.get(fid)) else 0.0 for fid, _ in cols]
    return charts.hbar("chart-channel", titles["channel"], [name for _, name in cols], values, st=st, share=True,
                       color=st.palette[0], note="当日无解决用工记录")


def _county_chart(cd, titles: dict, st: charts.Style) -> str:
    f = cd.figures
    rows = [r for r in f.index if r not in (settings()["total_row"], settings()["city_level_row"])]
    pairs = sorted(((r, as_number(f.loc[r, "缺工人数"])) for r in rows), key=lambda p: -(p[1] or 0))
    return charts.hbar("chart-county", titles["county"], [p[0] for p in pairs], [p[1] for p in pairs],
                       st=st, share=True, color=st.palette[1])


def shortage_by_category(ledger: pd.DataFrame) -> pd.Series:
    """缺工人数 by 企业类别 over enterprises that reported or carried (not 未报送), category order."""
    led = ledger[counted(ledger)]
    s = led.groupby("企业类别")["缺工人数"].sum().astype(float)
    order = [c for c in categories() if c in s.index] + sorted(set(s.index) - set(categories()))
    return s.reindex(order)


def _category_chart(cd, titles: dict, st: charts.Style) -> str:
    s = shortage_by_category(cd.ledger).sort_values(ascending=False, kind="stable")
    return charts.hbar("chart-category", titles["category"], list(s.index), list(s.values), st=st, share=True,
                       color=st.palette[2])


def vacancy_structure(cd) -> tuple[list[tuple[str, float]], list[dict]]:
    """Vacancies by 岗位类别 (the 空岗结构 figures of the 合计 row) and the top positions of
    table C of the day."""
    vac = cd.tables.get("C")
    t = cd.figures.loc[settings()["total_row"]]
    keys = _vacancy_keys()
    if vac is None or vac.empty or not all(_ok(t.get(k)) for k in keys.values()):
        return [], []
    classes = [(name, float(t[k])) for name, k in keys.items()]
    v = vac.assign(岗位类别=vacancy_class(vac), 岗位名称=match.job_names(vac))  # synonyms as one post
    v = v[v["统一社会信用代码"].isin(cd.ledger["统一社会信用代码"])]
    top = (v.groupby(["岗位名称", "岗位类别"], sort=True)["缺工人数"].sum().reset_index()
           .sort_values(["缺工人数", "岗位名称"], ascending=[False, True], kind="stable"))
    top = top.head(int(config()["top_positions"]))
    rows = [{"岗位名称": scrub(r["岗位名称"]), "岗位类别": r["岗位类别"], "缺工人数": show(r["缺工人数"])}
            for _, r in top.iterrows()]
    return classes, rows


def capacity_text(cd) -> Markup:
    """The 产能恢复 paragraph from the ledger (``ledger.capacity``): resumed enterprises, how many
    report 产能恢复率, its mean, the bands of params/brief.yaml and the slowest few by name."""
    cfg = config()
    c = ledger_capacity(cd.ledger, [float(b) for b in cfg["capacity_bands"]], int(cfg["capacity_lowest"]))
    if not c["resumed"]:
        return Markup("截至{}，清单内重点企业尚无已复工企业。").format(month_day(cd.day))
    if not c["reported"]:
        return Markup("已复工的{}家重点企业当日均未填报产能恢复率。").format(c["resumed"])
    edges = c["edges"]
    labels = [f"{edges[0]:g}%及以上"] + [f"{lo:g}%—{hi:g}%" for hi, lo in zip(edges, edges[1:], strict=False)] + \
        [f"不足{edges[-1]:g}%"]
    bands = "，".join(f"{label}的{n}家" for label, n in zip(labels, c["counts"], strict=True) if n)
    text = Markup("已复工的{}家重点企业中，{}家填报了产能恢复率，平均{}%：{}").format(
        c["resumed"], c["reported"], f"{c['mean']:.1f}", bands)
    if c["lowest"] and c["counts"][-1]:
        slow = "、".join(f"{scrub(n)}（{r:g}%）" for n, r in c["lowest"] if r < edges[-1])
        text += Markup("；恢复较慢的有{}").format(slow)
    return text + Markup("。")


def help_text(cd, total: pd.Series) -> Markup:
    """The 求助受理 paragraph: the period's received and closed requests and 24小时办结率 (the
    catalogue figures of the 合计 row, marked), and the requests still open at the cut-off."""
    requests = cd.accumulated("J", key="编号")
    still = open_help(requests, cd.day, float(settings()["help_done_within_hours"]))
    if still is None:
        return Markup("截至{}，未报送返岗求助受理台账（表J）。").format(month_day(cd.day))
    text = Markup("本报告期受理返岗求助{}件、办结{}件").format(mark("求助受理件数", total.get("求助受理件数")),
                                                  mark("求助办结件数", total.get("求助办结件数")))
    if _ok(total.get("24小时办结率")):
        text += Markup("，24小时办结率{}%").format(mark("24小时办结率", total.get("24小时办结率")))
    cutoff = indicators.period(cd.day)[1]  # the end of the report period (settings period_cutoff)
    text += Markup("；截至{}{}时仍未办结{}件").format(month_day(cd.day), cutoff.hour, still["未办结"])
    if still["超时未办结"]:
        text += Markup("，其中超过{}小时的{}件，请相关县区加快办理").format(
            f"{float(settings()['help_done_within_hours']):g}", still["超时未办结"])
    return text + Markup("。")


def problems_block(cd) -> dict:
    """Open problems: counts by type, and the first rows (rarer types, then larger shortages)."""
    from .ledger import open_problems

    p = open_problems(cd)
    limit = int(config()["problems_max_rows"])
    if p.empty:
        return {"total": 0, "by_type": [], "rows": [], "more": 0}
    # rarer kinds of problem first (shortage is in the figures already), then the larger shortages
    order = {c: i for i, c in enumerate(cd.figures.index)}
    by_type = p["问题困难类型"].value_counts()
    short = cd.ledger.drop_duplicates(["企业名称", "县区"]).set_index(["企业名称", "县区"])["缺工人数"]
    p = p.assign(_t=p["问题困难类型"].map(by_type), _o=p["县区"].map(lambda c: order.get(c, len(order))),
                 _s=[-float(short.get((n, c), 0) or 0) for n, c in zip(p["企业名称"], p["县区"], strict=True)])
    p = p.sort_values(["_t", "问题困难类型", "_s", "_o", "企业名称"], kind="stable")
    by_type = sorted(by_type.items(), key=lambda kv: (-kv[1], kv[0]))
    rows = [{"企业名称": scrub(r["企业名称"]), "县区": r["县区"], "类型": scrub(r["问题困难类型"]),
             "问题困难": scrub(r["问题困难"]), "天数": show(r["已持续天数"])} for _, r in p.head(limit).iterrows()]
    # the count quoted is the figure 未解决问题数 (the same predicate, indicators.open_problem)
    figure = mark("未解决问题数", cd.figures.loc[settings()["total_row"], "未解决问题数"])
    return {"total": len(p), "total_mark": figure, "by_type": [{"类型": scrub(k), "个数": int(v)} for k, v in by_type],
            "rows": rows, "more": max(len(p) - limit, 0)}


def data_note(cd) -> dict:
    """Counts for the data-quality footnote: reporting status, excluded rows and why (no values)."""
    status = cd.ledger["报送状态"].value_counts()
    faults = cd.faults
    reasons = config()["fault_reasons"]
    specs = table_specs()
    names = {c: s.name for c, s in specs.items()}

    def reason(rule: str) -> str:
        return reasons.get(rule) or reasons.get(str(rule).split("_")[0]) or "其他格式或取值问题"

    def groups(level: str) -> tuple[int, int, list[dict]]:
        f = faults[faults["level"] == level] if not faults.empty else faults
        if f.empty:
            return 0, 0, []
        rows = f[["file", "sheet", "row"]].drop_duplicates()
        g = f.assign(why=f["rule"].map(reason), tname=f["table"].map(lambda c: names.get(c, c or "文件")))
        counts = g.groupby(["table", "tname", "why"], sort=True).size().reset_index(name="n")
        items = [{"表": f"《{r['tname']}》" if r["table"] else "文件", "原因": r["why"],
                  "条数": int(r["n"])} for _, r in counts.iterrows()]
        return len(f), len(rows), items

    n_err, rows_err, err_items = groups("错误")
    n_warn, _, warn_items = groups("警告")
    n_hint, _, _ = groups("提示")
    adj = cd.adjustments
    moves = adj["调整"].value_counts() if not adj.empty and "调整" in adj else pd.Series(dtype=int)
    added, removed = int(moves.get("纳入", 0)), int(moves.get("调出", 0))
    return {
        "list_day": month_day(cd.list_day) if cd.list_day else "",
        "enterprises": int(len(cd.ledger)),
        "reported": int(status.get(REPORTED, 0)), "carried": int(status.get(CARRIED, 0)),
        "missing": int(status.get(MISSING, 0)), "carry_days": int(settings()["carry_forward_days"]),
        "errors": n_err, "error_rows": rows_err, "error_items": err_items,
        "warnings": n_warn, "warning_items": warn_items, "hints": n_hint,
        "added": added, "removed": removed,
        "tables": "、".join(f"{specs[c].name}" for c in cd.reported if c in specs and not specs[c].personal),
    }


_MARKED = re.compile(r'data-fig="([^"]+)"')


def period_text(day: dt.date) -> str:
    """The report period W(D) in words: 2月29日15:00至3月1日15:00."""
    start, end = indicators.period(day)
    return f"{month_day(start.date())}{start:%H:%M}至{month_day(end.date())}{end:%H:%M}"


def definitions(shown: Sequence[str]) -> list[dict]:
    """The 指标说明 lines of the brief: label, kind and the catalogue's definition of the figures
    in params/brief.yaml ``definitions`` that the brief shows (``shown``), catalogue order."""
    wanted = set(figure_keys(config()["definitions"])) & set(shown)
    return [{"label": ind.label, "kind": ind.kind_text, "definition": ind.definition.translate(_GLYPHS)}
            for key, ind in indicators.catalogue().items() if key in wanted]


# characters of the catalogue's text that the brief's font cannot draw, and what it prints instead
_GLYPHS = str.maketrans({"\u2212": "－"})  # MINUS SIGN → FULLWIDTH HYPHEN-MINUS


def city_context(cd) -> dict:
    """Everything the city brief shows, as plain values (and chart SVG strings)."""
    cfg = config()
    st = chart_style()
    titles = cfg["chart_titles"]
    total = cd.figures.loc[settings()["total_row"]]
    prev_day, prev = _previous(cd)
    classes, top_positions = vacancy_structure(cd)
    vac_chart = charts.stacked("chart-vacancy", titles["vacancy"], [c for c, _ in classes],
                               [v for _, v in classes], st=st) if classes else \
        charts.hbar("chart-vacancy", titles["vacancy"], [], [], st=st, note="当日未报送空岗明细")
    fmt = {"city_full": cd.city.full_name, "city": cd.city.name}
    cards = headline(total, prev, prev_day, cd.day)
    table = county_table(cd.figures)
    out_block = outbound_block(cd)
    texts = {"summary": summary_text(total, prev, cd.day), "trend_text": trend_text(cd),
             "shortage_text": shortage_text(cd, classes), "outbound": out_block["text"] if out_block else Markup("")}
    shown = [h["id"] for h in cards if _ok(h["raw"])] + table["keys"] + \
        [k for text in texts.values() for k in _MARKED.findall(text)]
    data = data_note(cd)
    data.update(period=period_text(cd.day), definitions=definitions(shown))
    return {
        "kind": "city",
        "lang": "zh-CN",
        "masthead": cfg["masthead"],
        "title": cfg["title_city"].format(**fmt),
        "issue_no": issue_number(cd.day),
        "date_cn": cn_date(cd.day),
        "date_md": month_day(cd.day),
        "date_iso": cd.day.isoformat(),
        "unit": cfg["unit_city"].format(**fmt),
        "scope": settings()["scope_words"]["city"],
        "sections": cfg["sections"],
        "headline": cards,
        "summary": texts["summary"],
        "charts": {
            "trend": Markup(_trend_chart(cd, titles, st)),
            "channel": Markup(_channel_chart(cd, titles, st)),
            "county": Markup(_county_chart(cd, titles, st)),
            "category": Markup(_category_chart(cd, titles, st)),
            "vacancy": Markup(vac_chart),
        },
        "county_table": table,
        "trend_text": texts["trend_text"],
        "shortage_text": texts["shortage_text"],
        "top_positions": top_positions,
        "problems": problems_block(cd),
        "capacity_text": capacity_text(cd),
        "help_text": help_text(cd, total),
        "outbound": out_block,
        "training": match.brief_block(match.gap_for(cd), limit=int(cfg["training_gap_rows"]), clean=scrub),
        "publicity": publicity(cd.tables.get("K"), cd.day),
        "publicity_heading": cfg["sections"]["publicity"],
        "data": data,
        "distribution": [list(x) for x in cfg["distribution_city"]],
        "colours": cfg["colours"],
    }


# ---------------------------------------------------------------- rendering


def render_city(cd) -> str:
    """The city brief as one self-contained HTML string."""
    return render("brief.html.j2", city_context(cd))


def _write(html: str, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    write_bytes_atomic(path, html.encode("utf-8"))
    return path


def write_city(cd, out_dir: str | Path) -> Path:
    """Write 工作简报_<市>_<YYYYMMDD>.html into ``out_dir``; returns its path."""
    return _write(render_city(cd), Path(out_dir) / catalogue.file_name("brief", cd.city.name, cd.day))
