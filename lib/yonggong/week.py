"""The 周报: the seven report days ending at a day, for a city or the province, from published
daily outputs only (``yonggong.history``: the city runs' parquet files, the province runs'
official roll-up, 报送情况 and table-K items). Nothing is recomputed from the inbox.

    wk = week.build("南昌", end="2020-03-01")          # or week.build(None, …) for the province
    week.write(wk, out_dir)                              # 周报_<市|江西省>_<YYYYMMDD>.html / .xlsx
    week.run_week("南昌", end=None, out=None)            # invoke week: folder, manifest, atomically

What a 周报 holds (``params/week.yaml``): each key indicator on the first and the last report day
of the week that has a published run, its change and (flows) its sum over the week; every day's
key figures; the ranking of counties (cities for the province) by shortage reduction and by
缺工解决率; placement channels and the transport, training and service totals of the week and
since the campaign start (``settings.campaign_start``); problems still open at the end of the week
and open for more than N days (the 已持续天数 rule of the working file, ``ledger.problem_since``);
the days the city was late, returned or missing in the province's 报送情况; the week's 经验做法 and
先进典型. A report day without a published run is named in the report (and its figures are "—"),
never skipped silently.

Where the figures come from: a city week reads the city's own runs (its 汇总表 figures, the 合计
row for the city and each county row); the province week reads the province's runs (the roll-up
as filed: each city's row and 全省合计; a city 退回 or 未报送 that day has "—"). The province week's
problem list reads the city runs published in the same outputs folder (named when some are not).
"""

from __future__ import annotations

import datetime as dt
import json
import math
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from markupsafe import Markup

from . import catalogue, charts, history, history_view, indicators, paths
from .errors import UserError
from .reference import campaign_start, load_yaml, resolve_city, settings
from .wording import change_text, cn_date, given, kind_of, month_day, show
from .xlsxio import write_bytes_atomic

NO_RUN = "无运行结果"


def config() -> dict:
    """The ``week`` section of params/week.yaml."""
    return load_yaml("week.yaml")["week"]


def _province_cfg() -> dict:
    return load_yaml("province.yaml")["province"]


def out_dir(out_root: Path, who_folder: str, end: dt.date) -> Path:
    """``<outputs>/week/<市 | 省>/<YYYY-MM-DD>/``."""
    return Path(out_root) / config()["folder"] / who_folder / end.isoformat()


# --------------------------------------------------------------------------- the week's data


@dataclass
class Week:
    scope: str                      # "city" or "province"
    name: str                       # 南昌 / 江西省 (file names)
    full_name: str                  # 南昌市 / 江西省
    end: dt.date
    days: list[dt.date]             # the report days of the week, oldest first
    have: list[dt.date]             # those with a published run
    wide: dict[dt.date, pd.DataFrame]  # per day with a run: row (county / city, total) x indicator key
    total_row: str                  # 合计 / 全省合计
    units: list[str]                # counties (no 市本级, no 合计) or cities, display order
    since: list[dt.date]            # report days from the campaign start to the end with a run
    since_missing: list[dt.date]    # … without one
    problems: pd.DataFrame
    problem_sources: list[str]      # city: []; province: the cities whose runs were read
    submissions: pd.DataFrame       # 报送情况 rows of the week (the city's, or every city's)
    reporting_missing: list[dt.date]  # report days without a published province run
    publicity: pd.DataFrame
    notes: list[str] = field(default_factory=list)

    @property
    def missing(self) -> list[dt.date]:
        """Report days of the week without a published run (named in the report)."""
        return [d for d in self.days if d not in self.have]

    @property
    def first(self) -> dt.date:
        return self.have[0]

    @property
    def last(self) -> dt.date:
        return self.have[-1]

    def value(self, day: dt.date, key: str, row: str | None = None) -> float:
        """A figure of a day (the total row unless ``row``); NaN when not published."""
        frame = self.wide.get(day)
        row = row or self.total_row
        if frame is None or row not in frame.index or key not in frame.columns:
            return math.nan
        return float(frame.at[row, key])

    def week_sum(self, key: str, row: str | None = None, days=None) -> float:
        """A flow summed over the days with a run (NaN when no day has the figure)."""
        values = [self.value(d, key, row) for d in (self.have if days is None else days)]
        values = [v for v in values if not math.isnan(v)]
        return float(sum(values)) if values else math.nan


def _day(value) -> dt.date:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise UserError(f"日期格式应为 YYYY-MM-DD：{value}") from None


def _wide(long: pd.DataFrame, row_col: str) -> dict[dt.date, pd.DataFrame]:
    """Long figures (日期, row_col, 指标 label, 数值) → per day: row x indicator key."""
    keys = {indicators.label(k): k for k in indicators.keys()}
    out = {}
    for day, part in long.groupby("日期", sort=True):
        w = part.pivot_table(index=row_col, columns="指标", values="数值", aggfunc="first", sort=False, dropna=False)
        w = w.rename(columns=keys)
        order = list(dict.fromkeys(part[row_col]))
        out[pd.Timestamp(day).date()] = w.reindex(order)
    return out


def _as_dates(values) -> list[dt.date]:
    return sorted({pd.Timestamp(v).date() for v in values})


def build(city: str | None, end=None, outputs: Path | str | None = None) -> Week:
    """The 周报 data of a city (``city``: name or code) or of the province (``city`` None)."""
    root = Path(outputs) if outputs else paths.OUTPUTS
    cfg = config()
    start = campaign_start()
    if city is not None:
        c = resolve_city(city)
        runs = history.published(root)
        runs = runs[runs["设区市"] == c.name]
        published = _as_dates(runs["日期"])
        label, full, scope = c.name, c.full_name, "city"
    else:
        published = _as_dates(history.published_province(root)["日期"])
        label, full, scope = _province_cfg()["name"], _province_cfg()["name"], "province"
    if end is None:
        if not published:
            raise UserError(f"{root} 下没有{full}已发布的日报结果，无法生成周报。请先运行 "
                            + (f"invoke daily --city={label}" if city else "invoke province（或 invoke all）"))
        end = published[-1]
    end = _day(end)
    days = [end - dt.timedelta(days=i) for i in range(int(cfg["days"]) - 1, -1, -1)]
    days = [d for d in days if d >= start] or [end]
    have = [d for d in days if d in published]
    if not have:
        raise UserError(f"{cn_date(days[0])}至{cn_date(end)}没有{full}已发布的日报结果（{root}），无法生成周报。")
    since = [d for d in published if start <= d <= end]
    since_missing = [start + dt.timedelta(days=i) for i in range((end - start).days + 1)]
    since_missing = [d for d in since_missing if d not in since]
    subs = history.submissions(root, start=days[0], end=end)
    reporting_have = set(_as_dates(history.published_province(root)["日期"]))
    reporting_missing = [d for d in days if d not in reporting_have]
    if scope == "city":
        h = history.load(root, cities=[label], start=start, end=end)
        wide = _wide(h.figures, "县区")
        total = settings()["total_row"]
        units = list(dict.fromkeys(history_view.counties(h)["县区"]))
        problems = open_problems(h, days)
        sources: list[str] = []
        subs = subs[subs["设区市"] == label]
        pub = history.publicity(root, cities=[label], start=days[0], end=end)
    else:
        long = history.province(root, start=start, end=end)
        wide = _wide(long, "设区市")
        total = _province_cfg()["total_label"]
        units = [u for u in dict.fromkeys(long["设区市"]) if u != total]
        h = history.load(root, start=start, end=end)
        problems = open_problems(h, days)
        sources = [c for c in h.cities if any(d in days for d in _as_dates(h.runs[h.runs["设区市"] == c]["日期"]))]
        pub = history.publicity(root, start=days[0], end=end, province=True)
    pub = pub.drop_duplicates(["设区市", "类别", "标题"], keep="first").reset_index(drop=True)
    return Week(scope=scope, name=label, full_name=full, end=end, days=days, have=have,
                wide={d: w for d, w in wide.items() if d in since}, total_row=total, units=units, since=since,
                since_missing=since_missing, problems=problems, problem_sources=sources,
                submissions=subs.reset_index(drop=True), reporting_missing=reporting_missing, publicity=pub)


PROBLEM_COLUMNS = ["设区市", "县区", "企业名称", "问题困难类型", "问题困难", "首次报告", "已持续天数", "截至"]


def open_problems(h: history.History, days: list[dt.date]) -> pd.DataFrame:
    """Problems open on each city's last report day of the week with a run, open for more than
    ``problem_days`` days: 已持续天数 as in the working file's 问题困难 sheet (the first day of the
    unbroken run of open reports, ``ledger.problem_since``, counts as day 1)."""
    from .ledger import problem_since

    limit = int(config()["problem_days"])
    led = h.ledger
    rows = []
    for city in h.cities:
        mine = led[led["设区市"] == city]
        in_week = [d for d in _as_dates(mine["日期"]) if d in days]
        if not in_week:
            continue
        last = in_week[-1]
        upto = mine[mine["日期"] <= pd.Timestamp(last)]
        b = pd.DataFrame({"统一社会信用代码": upto["统一社会信用代码"].astype(object),
                          "填报日期": [None if pd.isna(v) else pd.Timestamp(v).date() for v in upto["填报日期"]],
                          "_folder": upto["日期"].to_numpy(), "问题困难": upto["问题困难"],
                          "问题是否解决": upto["问题是否解决"]})
        since = problem_since(b, last)
        now = mine[(mine["日期"] == pd.Timestamp(last)) & mine["未解决问题"].fillna(False).astype(bool)]
        for r in now.itertuples(index=False):
            first = since.get(r.统一社会信用代码)
            if first is None and not pd.isna(r.填报日期):
                first = pd.Timestamp(r.填报日期).date()
            if first is None:
                continue
            n = (last - first).days + 1
            if n > limit:
                rows.append({"设区市": city, "县区": r.县区, "企业名称": r.企业名称,
                             "问题困难类型": r.问题困难类型 if isinstance(r.问题困难类型, str) and r.问题困难类型 else "其他",
                             "问题困难": r.问题困难, "首次报告": first, "已持续天数": n, "截至": last})
    out = pd.DataFrame(rows, columns=PROBLEM_COLUMNS)
    if not out.empty:
        out = out.sort_values(["已持续天数", "设区市", "县区", "企业名称"], ascending=[False, True, True, True],
                              kind="stable").reset_index(drop=True)
    out["已持续天数"] = out["已持续天数"].astype("Int64")
    return out


# --------------------------------------------------------------------------- tables


def _header(day: dt.date, lead: str) -> str:
    return f"{lead}（{month_day(day)}）"


def _rounded(key: str, v: float) -> float:
    if math.isnan(v):
        return v
    return round(v, 1) if indicators.is_rate(key) else float(round(v))


def _is_flow(key: str) -> bool:
    return indicators.get(key).kind == "flow"


def indicator_table(wk: Week) -> pd.DataFrame:
    """关键指标: each figure on the first and last day of the week with a run, the change (rates in
    percentage points) and, for flows, the week's sum."""
    a, b = wk.first, wk.last
    rows = []
    for key in config()["indicators"]:
        ind = indicators.get(key)
        s, e = wk.value(a, key), wk.value(b, key)
        rows.append({"指标": ind.label, "单位": ind.unit, _header(a, "周初"): s, _header(b, "周末"): e,
                     "变化": _rounded(key, e - s) if given(s) and given(e) else math.nan,
                     "本周合计": wk.week_sum(key) if _is_flow(key) else math.nan})
    return pd.DataFrame(rows)


def daily_table(wk: Week, keys=None) -> pd.DataFrame:
    """逐日情况: every report day of the week (a day without a run says so), the total row."""
    keys = list(keys or config()["daily"])
    rows = []
    for d in wk.days:
        row = {"日期": month_day(d), "运行结果": "有" if d in wk.have else NO_RUN}
        row.update({indicators.label(k): wk.value(d, k) for k in keys})
        rows.append(row)
    return pd.DataFrame(rows)


def ranking_table(wk: Week) -> pd.DataFrame:
    """Counties (cities) by shortage reduction over the week (first − last day's 缺工人数) and by
    缺工解决率 on the last day; a unit without both figures is ranked last ("—")."""
    a, b = wk.first, wk.last
    unit = "县区" if wk.scope == "city" else "设区市"
    rows = []
    for u in wk.units:
        s, e = wk.value(a, "缺工人数", u), wk.value(b, "缺工人数", u)
        rows.append({unit: u, _header(a, "周初缺工人数"): s, _header(b, "周末缺工人数"): e,
                     "缺工减少": s - e if given(s) and given(e) else math.nan,
                     _header(b, "缺工解决率（%）"): wk.value(b, "缺工解决率", u)})
    df = pd.DataFrame(rows)
    if df.empty:
        return df
    rate = df.columns[4]
    df.insert(4, "减少排名", df["缺工减少"].rank(ascending=False, method="min").astype("Int64"))
    df["解决率排名"] = df[rate].rank(ascending=False, method="min").astype("Int64")
    df = df.sort_values(["减少排名", "解决率排名"], kind="stable", na_position="last").reset_index(drop=True)
    return df


def channel_table(wk: Week) -> pd.DataFrame:
    """当日解决用工 by channel, summed over the week (total row), with shares."""
    keys = list(dict.fromkeys(settings()["placement_columns"].values()))
    values = [wk.week_sum(k) for k in keys]
    total = sum(v for v in values if given(v))
    return pd.DataFrame({"渠道": [indicators.get(k).form[-1] for k in keys],
                         "本周解决用工（人）": values,
                         "占比（%）": [round(v / total * 100, 1) if total and given(v) else math.nan for v in values]})


def totals_table(wk: Week) -> pd.DataFrame:
    """Flows over the week and since the campaign start (days with a run; the others named)."""
    start = campaign_start()
    rows = []
    for key in config()["totals"]:
        ind = indicators.get(key)
        rows.append({"指标": ind.label, "单位": ind.unit, "本周合计": wk.week_sum(key),
                     f"自{month_day(start)}以来累计": wk.week_sum(key, days=wk.since)})
    return pd.DataFrame(rows)


def reporting_table(wk: Week) -> pd.DataFrame:
    """报送情况 of the week: for a city one row per report day; for the province city x day."""
    s = wk.submissions
    if wk.scope == "city":
        rows = []
        for d in wk.days:
            hit = s[s["日期"] == pd.Timestamp(d)]
            if hit.empty:
                why = "省级当日无运行结果" if d in wk.reporting_missing else "省级报送情况中没有本市"
                rows.append({"日期": month_day(d), "状态": "—", "收到时间": "", "迟报时长": "", "问题": why})
                continue
            r = hit.iloc[0]
            rows.append({"日期": month_day(d), "状态": r["状态"],
                         "收到时间": "" if pd.isna(r["收到时间"]) else pd.Timestamp(r["收到时间"]).strftime("%m-%d %H:%M"),
                         "迟报时长": r["迟报时长"] if isinstance(r["迟报时长"], str) else "",
                         "问题": r["问题"] if isinstance(r["问题"], str) else ""})
        return pd.DataFrame(rows)
    flagged = list(config()["statuses_flagged"])
    rows = []
    for u in wk.units:
        row = {"设区市": u}
        mine = s[s["设区市"] == u]
        for d in wk.days:
            hit = mine[mine["日期"] == pd.Timestamp(d)]
            row[month_day(d)] = "—" if hit.empty else str(hit.iloc[0]["状态"])
        for status in flagged:
            row[f"{status}天数"] = int((mine["状态"] == status).sum())
        rows.append(row)
    return pd.DataFrame(rows)


def flagged_days(wk: Week) -> dict[str, list[dt.date]]:
    """City week: the days of each flagged status (迟报 / 退回 / 未报送) in 报送情况."""
    s = wk.submissions
    return {status: _as_dates(s.loc[s["状态"] == status, "日期"]) for status in config()["statuses_flagged"]}


def publicity_table(wk: Week) -> pd.DataFrame:
    p = wk.publicity
    cols = ["日期", "设区市", "类别", "标题", "内容", "单位或个人"]
    out = p[cols].copy() if not p.empty else pd.DataFrame(columns=cols)
    out["日期"] = [month_day(pd.Timestamp(d).date()) for d in out["日期"]]
    return out.reset_index(drop=True)


def problems_table(wk: Week) -> pd.DataFrame:
    df = wk.problems.copy()
    df["首次报告"] = [month_day(d) for d in df["首次报告"]]
    df["截至"] = [month_day(d) for d in df["截至"]]
    return df if wk.scope == "province" else df.drop(columns="设区市")


def notes(wk: Week) -> list[str]:
    """The 数据说明 lines (also the xlsx 说明 sheet): the window, the days without a run (named),
    the sources."""
    lines = [f"本周报覆盖{cn_date(wk.days[0])}至{cn_date(wk.end)}共{len(wk.days)}个报告日，"
             f"其中{len(wk.have)}天有已发布的日报结果；周初、周末分别为{month_day(wk.first)}和{month_day(wk.last)}。"]
    if wk.missing:
        lines.append(f"{'、'.join(month_day(d) for d in wk.missing)}没有已发布的{'日报' if wk.scope == 'city' else '全省汇总'}"
                     "结果，当日数字记为“—”，不计入本周合计。")
    start = campaign_start()
    lines.append(f"“自{month_day(start)}以来累计”为{cn_date(start)}（调度机制启动）至{month_day(wk.end)}各报告日之和"
                 + (f"；其中{'、'.join(month_day(d) for d in wk.since_missing)}无运行结果，未计入。" if wk.since_missing
                    else "。"))
    if wk.scope == "city":
        lines.append("数字取自本市各日发布的汇总表（合计行和各县区行）；报送情况取自省级各日汇总的“报送情况”。")
    else:
        lines.append("数字取自省级各日汇总表（通过审核的设区市及全省合计，退回、未报送的设区市为“—”）；"
                     "问题困难取自本机已发布的各市日报：" + ("、".join(wk.problem_sources) or "无") + "。")
    if wk.reporting_missing:
        lines.append(f"{'、'.join(month_day(d) for d in wk.reporting_missing)}没有已发布的全省汇总，当日报送情况不详。")
    lines.append(f"持续未解决的问题：至周末仍未解决、已持续超过{config()['problem_days']}天（首次报告当日算第1天）的问题困难。")
    lines.append("“—”表示无运行结果、未报送相应报表或分母为零。本周报不含个人信息。")
    return lines


# --------------------------------------------------------------------------- products


def sheets(wk: Week) -> list[tuple[str, str, pd.DataFrame]]:
    """The xlsx: one sheet per table (sheet names in params/week.yaml ``sheets``)."""
    sh = config()["sheets"]
    span = f"{month_day(wk.days[0])}—{month_day(wk.end)}"
    who = wk.full_name
    return [
        (sh["indicators"], f"{who}重点企业用工调度保障周报（{span}）关键指标", indicator_table(wk)),
        (sh["daily"], f"{who}逐日情况（{span}）", daily_table(wk, config()["indicators"])),
        (sh["ranking"], f"{who}缺工减少和缺工解决率排名（{span}）", ranking_table(wk)),
        (sh["channels"], f"{who}本周解决用工渠道构成（{span}）", channel_table(wk)),
        (sh["totals"], f"{who}运输、培训和服务（本周及自调度机制启动以来）", totals_table(wk)),
        (sh["problems"], f"{who}持续未解决的问题困难（超过{config()['problem_days']}天）", problems_table(wk)),
        (sh["reporting"], f"{who}报送情况（{span}）", reporting_table(wk)),
        (sh["publicity"], f"{who}本周经验做法和先进典型", publicity_table(wk)),
        (sh["notes"], "说明", pd.DataFrame({"说明": notes(wk)})),
    ]


def write_xlsx(wk: Week, path: Path) -> Path:
    from .tablebook import write_tables

    return write_tables(path, sheets(wk))


def _cells(frame: pd.DataFrame, keys: dict[str, str] | None = None) -> list[list[str]]:
    """A table's cells as printed: figures with their kind (thousands separators / one decimal)."""
    keys = keys or {}
    out = []
    for r in frame.itertuples(index=False):
        row = []
        for col, v in zip(frame.columns, r, strict=True):
            if isinstance(v, str):
                row.append(v)
            elif v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v)):
                row.append("—")
            else:
                row.append(show(v, keys.get(col, "count")))
        out.append(row)
    return out


def _signed(v: float, kind: str) -> str:
    if not given(v):
        return "—"
    text = show(abs(v), kind)
    return text if round(v, 1) == 0 else ("+" if v > 0 else "－") + text


def context(wk: Week) -> dict:
    """Everything the 周报 HTML shows, as plain values (and chart SVG)."""
    from . import brief

    cfg, bcfg = config(), brief.config()
    st = charts.Style.from_dict(bcfg["charts"])
    titles = cfg["chart_titles"]
    a, b = wk.first, wk.last
    city = wk.scope == "city"
    cards = []
    for key in cfg["headline"]:
        ind = indicators.get(key)
        now = wk.value(b, key)
        if _is_flow(key):
            total = wk.week_sum(key)
            cards.append({"id": key, "label": cfg["week_labels"][key], "value": show(total, kind_of(key)),
                          "unit": ind.unit if given(total) else "", "change": f"{month_day(b)}当日{show(now)}{ind.unit}"})
        else:
            ch = change_text(now, wk.value(a, key), kind_of(key), ind.unit)
            cards.append({"id": key, "label": ind.label, "value": show(now, kind_of(key)),
                          "unit": ind.unit if given(now) else "", "change": f"较{month_day(a)}{ch}" if ch else ""})
    ind_t = indicator_table(wk)
    ind_rows = []
    for r in ind_t.to_dict("records"):
        kind = "rate" if r["单位"] == "%" else "count"
        cells = list(r.values())
        ind_rows.append([r["指标"], r["单位"], show(cells[2], kind), show(cells[3], kind), _signed(r["变化"], kind),
                         show(r["本周合计"], kind) if given(r["本周合计"]) else ""])
    daily = daily_table(wk)
    daily_kinds = {indicators.label(k): kind_of(k) for k in cfg["daily"]}
    rank = ranking_table(wk)
    rank_kinds = {c: ("rate" if "（%）" in c else "count") for c in rank.columns}
    channels = channel_table(wk)
    chart_days = wk.days
    trend = charts.combo("chart-week-trend", titles["trend"], [month_day(d) for d in chart_days],
                         (indicators.label("当日解决_合计"), [wk.value(d, "当日解决_合计") for d in chart_days]),
                         [(indicators.label("缺工人数"), [wk.value(d, "缺工人数") for d in chart_days]),
                          (indicators.label("累计解决用工"), [wk.value(d, "累计解决用工") for d in chart_days])], st=st)
    channel_chart = charts.hbar("chart-week-channel", titles["channel"], list(channels["渠道"]),
                                list(channels["本周解决用工（人）"]), st=st, share=True, color=st.palette[0],
                                note="本周无解决用工记录")
    totals = totals_table(wk)
    probs = problems_table(wk)
    limit = int(cfg["problems_max_rows"])
    pub = publicity_table(wk)
    publicity, more_titles, more_count = {}, {}, {}
    full, max_titles = int(cfg["publicity_full"]), int(cfg["publicity_max_titles"])
    for kind in ("经验做法", "先进典型"):
        items = pub[pub["类别"] == kind].to_dict("records")
        publicity[kind] = [{"标题": it["标题"], "内容": it["内容"] or "", "单位": it["单位或个人"] or "",
                            "设区市": "" if city else (it["设区市"] or "")} for it in items[:full]]
        rest = items[full:]
        more_titles[kind] = [f"{it['日期']}{'' if city else ' ' + (it['设区市'] or '')}：{it['标题']}"
                             for it in rest[:max_titles]]
        more_count[kind] = max(0, len(rest) - max_titles)
    flags = flagged_days(wk) if city else {}
    rep = reporting_table(wk)
    if city:  # the 审核问题 text of each day is in the xlsx; the page keeps to the status
        rep = rep.drop(columns="问题")
    unit = cfg["title_city"].format(city_full=wk.full_name) if city else cfg["title_province"]
    sections = dict(cfg["sections"])
    summary = _summary(wk)
    return {
        "kind": "week", "lang": "zh-CN", "masthead": cfg["masthead"], "title": unit,
        "issue_no": (wk.end - campaign_start()).days // 7 + 1,
        "date_cn": cn_date(wk.end), "span": f"{month_day(wk.days[0])}至{month_day(wk.end)}",
        "unit": (bcfg["unit_city"].format(city_full=wk.full_name, city=wk.name) if city else bcfg["unit_province"]),
        "scope": settings()["scope_words"]["city" if city else "province"],
        "sections": sections, "summary": summary, "headline": cards,
        "missing_days": [month_day(d) for d in wk.missing],
        "indicator_table": {"headers": list(ind_t.columns), "rows": ind_rows},
        "daily_table": {"headers": list(daily.columns), "rows": _cells(daily, daily_kinds),
                        "missing": [d not in wk.have for d in wk.days]},
        "ranking": {"heading": sections["ranking_city" if city else "ranking_province"],
                    "headers": list(rank.columns), "rows": _cells(rank, rank_kinds)},
        "channels": {"headers": list(channels.columns),
                     "rows": _cells(channels, {"占比（%）": "rate"})},
        "totals": {"headers": list(totals.columns), "rows": _cells(totals)},
        "problems": {"count": len(probs), "days": cfg["problem_days"], "headers": list(probs.columns),
                     "rows": _cells(probs.head(limit)), "more": max(0, len(probs) - limit),
                     "sources": wk.problem_sources},
        "reporting": {"headers": list(rep.columns), "rows": _cells(rep), "city": city,
                      "flags": {k: [month_day(d) for d in v] for k, v in flags.items()},
                      "missing": [month_day(d) for d in wk.reporting_missing]},
        "charts": {"trend": Markup(trend), "channel": Markup(channel_chart)},
        "publicity": {k: [{kk: brief.scrub(vv) for kk, vv in it.items()} for it in v] for k, v in publicity.items()},
        "publicity_more": more_titles, "publicity_more_count": more_count,
        "publicity_heading": sections["publicity"],
        "notes": notes(wk),
        "distribution": [list(x) for x in bcfg["distribution_city" if city else "distribution_province"]],
        "colours": bcfg["colours"],
    }


def _summary(wk: Week) -> str:
    a, b = wk.first, wk.last
    scope = settings()["scope_words"][wk.scope]
    parts = [f"{month_day(wk.days[0])}至{month_day(wk.end)}，{scope}"]
    for key in ("缺工人数", "缺工解决率"):
        ind = indicators.get(key)
        ch = change_text(wk.value(b, key), wk.value(a, key), kind_of(key), ind.unit)
        parts.append(f"{ind.label}{show(wk.value(b, key), kind_of(key))}{ind.unit if given(wk.value(b, key)) else ''}"
                     + (f"，较{month_day(a)}{ch}" if ch else ""))
    solved = wk.week_sum("当日解决_合计")
    text = parts[0] + "；".join(parts[1:]) + f"；本周解决用工{show(solved)}人"
    text += f"，{indicators.label('累计解决用工')}{show(wk.value(b, '累计解决用工'))}人。"
    if wk.missing:
        text += f"{'、'.join(month_day(d) for d in wk.missing)}没有已发布的日报结果，未计入。"
    return text


def render(wk: Week) -> str:
    from . import brief

    return brief.render("week_brief.html.j2", context(wk))


def write(wk: Week, folder: Path) -> list[Path]:
    """Write the 周报 html and xlsx into ``folder``; returns their paths."""
    folder.mkdir(parents=True, exist_ok=True)
    n = catalogue.names("week", wk.name, wk.end)
    html = folder / n["week_html"]
    write_bytes_atomic(html, render(wk).encode("utf-8"))
    return [html, write_xlsx(wk, folder / n["week_xlsx"])]


def run_week(city: str | None, end=None, outputs: Path | str | None = None) -> tuple[Week, list[Path]]:
    """``invoke week``: build the week from ``outputs`` and write it (with a manifest of the parquet
    inputs read and the outputs written) into ``<outputs>/week/<市 | 省>/<end>/``."""
    root = Path(outputs) if outputs else paths.OUTPUTS
    wk = build(city, end, root)
    folder = out_dir(root, wk.name if wk.scope == "city" else _province_cfg()["folder"], wk.end)
    written = write(wk, folder)
    from .manifest import file_entry

    inputs = sorted(p for d in wk.since for p in _day_inputs(root, wk, d))
    manifest = {"tool": "yonggong", "kind": "周报", "scope": wk.scope, "name": wk.name,
                "end": wk.end.isoformat(), "days": [d.isoformat() for d in wk.days],
                "missing_days": [d.isoformat() for d in wk.missing],
                "inputs": [file_entry(p, root, times=False) for p in inputs],
                "outputs": [file_entry(p, folder, times=False) for p in written]}
    write_bytes_atomic(folder / catalogue.file_name("manifest"),
                       (json.dumps(manifest, ensure_ascii=False, indent=2) + "\n").encode("utf-8"))
    return wk, written


def _day_inputs(root: Path, wk: Week, day: dt.date) -> list[Path]:
    folder = root / day.isoformat() / (wk.name if wk.scope == "city" else _province_cfg()["folder"])
    return [p for p in folder.glob("*.parquet") if p.is_file()]
