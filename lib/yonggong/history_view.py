"""Views of the published history for notebooks: questions about a ``history.History`` and charts.

    h = history.load()
    history_view.shortage_trend(h)                 # city x day 缺工人数 (合计 rows), with 全省
    history_view.persistent_shortages(h, days=7)   # occupations short on every day of the window
    history_view.rising_counties(h)                # counties whose shortage rose
    history_view.faults_by(h, ["县区", "rule"])     # data-quality faults by county and rule, per day
    history_view.city_vs_province(h, "南昌")        # one city against the province
    history_view.counties(h, "缺工人数")            # h.figures of the counties only (no 市本级, 合计)
    history_view.chart_shortage(h)                 # charts for JupyterLab (``lab.Chart``)

The readers in ``history`` load the tables; everything here is computed from them (the
columns are those documented in ``history``). The wording of fault rules comes from the brief
(params/brief.yaml ``fault_reasons``), the charts from ``charts`` and ``lab``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

from . import indicators
from .history import History
from .reference import cities, resolve_city, settings

PROVINCE = settings()["scope_words"]["province"]  # the column of the province's sum of local runs
COMPARE = ["重点企业数", "缺工企业数", "缺工人数", "当日解决_合计", "累计解决用工", "复工率", "到岗率", "缺工解决率"]


# --------------------------------------------------------------------------- queries


def _city_order(names: Iterable[str]) -> list[str]:
    have = set(names)
    return [c.name for c in cities() if c.name in have]


def _window(h: History, days: int | None) -> list[pd.Timestamp]:
    """The last ``days`` report days of the history (all when None)."""
    all_days = [pd.Timestamp(d) for d in h.days]
    return all_days if days is None else all_days[-int(days):]


def figure_table(h: History, figure: str = "缺工人数", row: str | None = None) -> pd.DataFrame:
    """One figure per day (index 日期) and city (columns, GB/T 2260 order), from the 合计 row
    (or another row label of the 汇总表, e.g. a county name)."""
    row = row or settings()["total_row"]
    f = h.figures[(h.figures["指标"] == _label(figure)) & (h.figures["县区"] == row)]
    table = f.pivot_table(index="日期", columns="设区市", values="数值", aggfunc="first", dropna=False)
    table = table.reindex(columns=_city_order(table.columns))
    table.columns.name = None
    return table


def province_totals(h: History) -> pd.DataFrame:
    """The province per day over the cities loaded (index 日期; columns the indicators' labels):
    the cities' 合计 rows added up and every rate recomputed from the summed counts
    (``indicators.total``, the same computation as the province's 全省合计), and 设区市数 = how
    many cities were loaded that day. The official 全省合计 of a day is the province run's
    汇总表 (outputs/<日期>/省/; :func:`province`), which leaves out the cities it returned or did
    not receive."""
    total = h.figures[h.figures["县区"] == settings()["total_row"]]
    wide = total.pivot_table(index=["日期", "设区市"], columns="指标", values="数值", aggfunc="first",
                             dropna=False)
    wide = wide.rename(columns=lambda c: indicators.key_of(c) or c)
    wide = wide.reindex(columns=[k for k in indicators.keys() if k in wide.columns])
    days = {}
    for day, part in wide.groupby(level="日期"):
        days[day] = indicators.total(part[[c for c in part.columns if not indicators.is_rate(c)]])
    out = pd.DataFrame(days).T if days else pd.DataFrame(columns=wide.columns)
    out = out.reindex(columns=[k for k in indicators.keys() if k in out.columns])
    out.index.name = "日期"
    out = out.rename(columns=indicators.label)
    out["设区市数"] = wide.groupby(level="日期").size()
    out.columns.name = None
    return out


def _label(figure: str) -> str:
    """The label under which ``figure`` (a key or a label) is stored."""
    return indicators.label(indicators.key_of(figure) or figure)


def shortage_trend(h: History, figure: str = "缺工人数") -> pd.DataFrame:
    """缺工人数 (or another figure) of each city's 合计 row per day, with a 全省 column
    (``province_totals``: counts added up, rates recomputed).

    Parameters
    ----------
    h : history.History
        The loaded history (``history.load``).
    figure : str, default "缺工人数"
        The figure, as an indicator key or label.

    Returns
    -------
    pandas.DataFrame
        Index 日期; one column per city loaded (short name, GB/T 2260 order) and a 全省 column.
    """
    table = figure_table(h, figure)
    prov = province_totals(h)
    table[PROVINCE] = prov[_label(figure)].reindex(table.index) if _label(figure) in prov.columns else np.nan
    return table


def persistent_shortages(h: History, days: int = 7, by: Sequence[str] = (), key: str = "岗位名称") -> pd.DataFrame:
    """Occupations (``key``, e.g. 岗位名称) with vacancies (缺工人数 > 0) on every one of the last
    ``days`` report days loaded, province-wide or per group of ``by`` (e.g. ["设区市"]).

    Columns: the ``by`` columns, ``key``, 岗位类别 (the most frequent), 天数, 首日缺工人数,
    末日缺工人数, 日均缺工人数, 末日企业数 — sorted by 末日缺工人数, largest first.

    Parameters
    ----------
    h : history.History
        The loaded history (``history.load``).
    days : int, default 7
        How many of the newest report days loaded form the window.
    by : sequence of str, default ()
        Columns of ``h.vacancies`` to group by (e.g. ["设区市"]); empty for province-wide.
    key : str, default "岗位名称"
        The column of ``h.vacancies`` that names the occupation.

    Returns
    -------
    pandas.DataFrame
        One row per occupation (and group) short on every day of the window, columns as above;
        empty (same columns) when there is none.
    """
    by = list(by)
    window = _window(h, days)
    cols = [*by, key, "岗位类别", "天数", "首日缺工人数", "末日缺工人数", "日均缺工人数", "末日企业数"]
    v = h.vacancies[h.vacancies["日期"].isin(window) & (h.vacancies["缺工人数"].fillna(0) > 0)]
    if v.empty or not window:
        return pd.DataFrame(columns=cols)
    daily = v.groupby([*by, key, "日期"], observed=True).agg(缺工人数=("缺工人数", "sum"),
                                                          企业数=("统一社会信用代码", "nunique"))
    groups = daily.reset_index().groupby([*by, key], observed=True)
    stats = groups.agg(天数=("日期", "nunique"), 首日=("日期", "min"), 末日=("日期", "max"),
                       日均缺工人数=("缺工人数", "mean"))
    stats = stats[stats["天数"] == len(window)]
    if stats.empty:
        return pd.DataFrame(columns=cols)
    d = daily.reset_index().set_index([*by, key, "日期"])
    first = [d.loc[(*i, s), "缺工人数"] for i, s in zip(_tuples(stats.index), stats["首日"], strict=True)]
    last = [d.loc[(*i, s)] for i, s in zip(_tuples(stats.index), stats["末日"], strict=True)]
    cls = v.groupby([*by, key], observed=True)["岗位类别"].agg(lambda s: s.mode().iloc[0] if s.notna().any() else None)
    out = pd.DataFrame({
        "岗位类别": cls.reindex(stats.index).to_numpy(),
        "天数": stats["天数"].astype("int64").to_numpy(),
        "首日缺工人数": np.asarray(first, dtype="int64"),
        "末日缺工人数": np.asarray([x["缺工人数"] for x in last], dtype="int64"),
        "日均缺工人数": stats["日均缺工人数"].astype(float).round(1).to_numpy(),
        "末日企业数": np.asarray([x["企业数"] for x in last], dtype="int64"),
    }, index=stats.index).reset_index()
    out = out.sort_values(["末日缺工人数", key], ascending=[False, True], kind="stable")
    return out[cols].reset_index(drop=True)


def _tuples(index: pd.Index) -> list[tuple]:
    return [i if isinstance(i, tuple) else (i,) for i in index]


def counties(h: History, figure: str | None = None) -> pd.DataFrame:
    """``h.figures`` without the 市本级 and 合计 pseudo-rows (the labels ``settings()["city_level_row"]``
    and ``["total_row"]``): the counties' own rows, same columns; only ``figure`` (a key or a
    label) when given.

    Parameters
    ----------
    h : history.History
        The loaded history (``history.load``).
    figure : str, optional
        The figure to keep, as an indicator key or label; None keeps every figure.

    Returns
    -------
    pandas.DataFrame
        The rows of ``h.figures`` for counties (columns 日期, 设区市, 县区, 指标, 数值), renumbered.
    """
    skip = {settings()["total_row"], settings()["city_level_row"]}
    f = h.figures[~h.figures["县区"].isin(skip)]
    if figure is not None:
        f = f[f["指标"] == _label(figure)]
    return f.reset_index(drop=True)


def county_values(h: History, figure: str = "缺工人数") -> pd.DataFrame:
    """One figure per county row (not 市本级, not 合计): index (设区市, 县区), columns days."""
    f = counties(h, figure)
    f = f.assign(日期=f["日期"].dt.date)
    table = f.pivot_table(index=["设区市", "县区"], columns="日期", values="数值", aggfunc="first",
                          dropna=False, sort=False)
    order = {c: i for i, c in enumerate(_city_order(table.index.get_level_values(0)))}
    return table.sort_index(level=0, key=lambda s: s.map(order), sort_remaining=False, kind="stable")


def rising_counties(h: History, days: int | None = None, figure: str = "缺工人数",
                    include_flat: bool = False) -> pd.DataFrame:
    """Counties whose ``figure`` rose over the last ``days`` report days (all loaded when None):
    the newest value against the first one in the window; with ``include_flat``, also those
    that did not fall (变化 = 0).

    Columns: 设区市, 县区, 起始日期, 起始值, 最新日期, 最新值, 变化, 变化率(%), 上升天数 (days
    that rose against the day before) — sorted by 变化, largest first.

    Parameters
    ----------
    h : history.History
        The loaded history (``history.load``).
    days : int, optional
        How many of the newest report days loaded form the window; None for all of them.
    figure : str, default "缺工人数"
        The figure, as an indicator key or label.
    include_flat : bool, default False
        Also list the counties whose figure did not change (变化 = 0).

    Returns
    -------
    pandas.DataFrame
        One row per county with at least two values in the window that rose (or stayed flat),
        columns as above.
    """
    cols = ["设区市", "县区", "起始日期", "起始值", "最新日期", "最新值", "变化", "变化率(%)", "上升天数"]
    window = {d.date() for d in _window(h, days)}
    table = county_values(h, figure)
    table = table[[d for d in table.columns if d in window]]
    rows = []
    for (city, county), values in table.iterrows():
        s = values.dropna()
        if len(s) < 2:
            continue
        change = float(s.iloc[-1] - s.iloc[0])
        if change > 0 or (include_flat and change == 0):
            rows.append({"设区市": city, "县区": county, "起始日期": s.index[0], "起始值": s.iloc[0],
                         "最新日期": s.index[-1], "最新值": s.iloc[-1], "变化": change,
                         "变化率(%)": round(change / s.iloc[0] * 100, 1) if s.iloc[0] else math.nan,
                         "上升天数": int((s.diff() > 0).sum())})
    out = pd.DataFrame(rows, columns=cols)
    return out.sort_values("变化", ascending=False, kind="stable").reset_index(drop=True)


def _rule_text(rule: str, faults: pd.DataFrame) -> str:
    """What a rule means (params/brief.yaml ``fault_reasons``), else its most frequent problem text."""
    from .brief import config

    reasons = config().get("fault_reasons", {})
    text = reasons.get(rule) or reasons.get(str(rule).split("_")[0])
    if text:
        return text
    problems = faults.loc[faults["rule"] == rule, "problem"].dropna()
    return str(problems.mode().iloc[0]) if not problems.empty else ""


def faults_by(h: History, by: Sequence[str] = ("县区", "rule"), level: str | None = None) -> pd.DataFrame:
    """Fault counts by ``by`` (columns of ``h.faults``) and report day: one column per day and a
    合计 column, largest first. A blank county shows as （不明）, a file-level fault's table as
    （文件）; grouping by rule adds 规则说明 (what the rule means). ``level``: 错误 or 警告 only.

    Parameters
    ----------
    h : history.History
        The loaded history (``history.load``).
    by : sequence of str, default ("县区", "rule")
        Columns of ``h.faults`` to count by.
    level : str, optional
        Count only faults of this level (错误 or 警告); None counts both.

    Returns
    -------
    pandas.DataFrame
        Indexed by the ``by`` columns; 规则说明 first when ``by`` has rule, then one column per
        report day loaded (``datetime.date``) and 合计, sorted by 合计, largest first.
    """
    by = list(by)
    f = h.faults if level is None else h.faults[h.faults["level"] == level]
    f = f.assign(县区=f["县区"].fillna("（不明）"), table=f["table"].fillna("").replace("", "（文件）"))
    days = h.days
    if f.empty:
        out = pd.DataFrame(columns=[*by, *days, "合计"])
        return out.set_index(by) if by else out
    f = f.assign(日期=f["日期"].dt.date)
    table = f.groupby([*by, "日期"], dropna=False).size().unstack("日期", fill_value=0)
    table = table.reindex(columns=days, fill_value=0)
    table["合计"] = table.sum(axis=1)
    table = table.sort_values("合计", ascending=False, kind="stable")
    table.columns.name = None
    if "rule" in by:
        rules = table.index.get_level_values("rule") if len(by) > 1 else table.index
        table.insert(0, "规则说明", [_rule_text(r, f) for r in rules])
    return table


def city_vs_province(h: History, city: str, figures: Sequence[str] = COMPARE) -> pd.DataFrame:
    """A city's 合计 figures against the province's per day: index (指标, 日期); columns the
    city (its short name), 全省, 占全省(%) for counts and 较全省(百分点) for rates.

    Parameters
    ----------
    h : history.History
        The loaded history (``history.load``).
    city : str
        The city's name or code.
    figures : sequence of str, default COMPARE
        The figures to compare, as indicator keys or labels.

    Returns
    -------
    pandas.DataFrame
        One row per figure and report day loaded, index and columns as above (NaN where a
        value is missing or the column does not apply).
    """
    name = resolve_city(city).name
    mine = h.figures[(h.figures["设区市"] == name) & (h.figures["县区"] == settings()["total_row"])]
    mine = mine.pivot_table(index="日期", columns="指标", values="数值", aggfunc="first", dropna=False)
    prov = province_totals(h)
    rows = []
    for figure in figures:
        fid = _label(figure)
        for day in prov.index:
            v = mine.at[day, fid] if day in mine.index and fid in mine.columns else math.nan
            p = prov.at[day, fid] if fid in prov.columns else math.nan
            rate = indicators.is_rate(indicators.key_of(fid) or fid)
            rows.append({"指标": fid, "日期": day, name: v, PROVINCE: p,
                         "占全省(%)": math.nan if rate or not p else round(v / p * 100, 1),
                         "较全省(百分点)": round(v - p, 1) if rate else math.nan})
    out = pd.DataFrame(rows, columns=["指标", "日期", name, PROVINCE, "占全省(%)", "较全省(百分点)"])
    return out.set_index(["指标", "日期"])


# --------------------------------------------------------------------------- charts


def _md(day) -> str:
    day = pd.Timestamp(day)
    return f"{day.month}月{day.day}日"


def _num(v) -> float | None:
    return None if v is None or pd.isna(v) else float(v)


def chart_shortage(h: History, figure: str = "缺工人数"):
    """Each city's figure on the first and the newest day loaded (grouped bars).

    Parameters
    ----------
    h : history.History
        The loaded history (``history.load``).
    figure : str, default "缺工人数"
        The figure, as an indicator key or label.

    Returns
    -------
    lab.Chart
        The chart, displayed inline by JupyterLab.
    """
    from . import charts
    from .lab import Chart

    table = shortage_trend(h, figure).drop(columns=PROVINCE)
    if table.empty:
        return Chart(charts.hbar("chart-shortage", f"各设区市{_label(figure)}", [], [], note="没有数据"))
    days = [table.index[0], table.index[-1]] if len(table.index) > 1 else [table.index[0]]
    series = [(_md(d), [_num(v) for v in table.loc[d]]) for d in days]
    title = f"各设区市{_label(figure)}：" + "与".join(_md(d) for d in days)
    return Chart(charts.grouped_hbar("chart-shortage", title, list(table.columns), series))


def chart_trend(h: History, city: str | None = None):
    """One city's (or the province's) 缺工人数 and 累计解决用工 per day, 当日解决 as bars.

    Parameters
    ----------
    h : history.History
        The loaded history (``history.load``).
    city : str, optional
        The city's name or code; None (or empty) for the province (``province_totals``).

    Returns
    -------
    lab.Chart
        The chart, displayed inline by JupyterLab.
    """
    from . import charts
    from .lab import Chart

    if city:
        name = resolve_city(city).name
        f = h.figures[(h.figures["设区市"] == name) & (h.figures["县区"] == settings()["total_row"])]
        wide = f.pivot_table(index="日期", columns="指标", values="数值", aggfunc="first", dropna=False)
    else:
        name, wide = PROVINCE, province_totals(h)
    labels = [_md(d) for d in wide.index]

    def col(fid: str) -> list:
        fid = _label(fid)
        return [_num(v) for v in wide[fid]] if fid in wide.columns else [None] * len(wide)

    return Chart(charts.combo("chart-trend", f"{name}缺工与解决用工趋势", labels,
                              ("当日解决用工", col("当日解决_合计")),
                              [("缺工人数", col("缺工人数")), ("累计解决用工", col("累计解决用工"))]))


def chart_rising(h: History, days: int | None = None, top: int = 15):
    """The counties whose shortage rose most (变化, largest first).

    Parameters
    ----------
    h : history.History
        The loaded history (``history.load``).
    days : int, optional
        As for :func:`rising_counties`: the window of newest report days; None for all.
    top : int, default 15
        At most this many counties are shown.

    Returns
    -------
    lab.Chart
        The chart, displayed inline by JupyterLab.
    """
    from . import charts
    from .lab import Chart

    r = rising_counties(h, days).head(top)
    labels = [f"{c} {k}" for c, k in zip(r["设区市"], r["县区"], strict=True)]
    return Chart(charts.hbar("chart-rising", "缺工人数上升的县区（最新较起始）", labels, list(r["变化"]),
                             color=charts.DEFAULT.palette[1], note="没有缺工人数上升的县区"))


def chart_faults(h: History, by: str = "设区市", level: str | None = None):
    """Fault counts over all days loaded by one column (设区市, 县区, rule …).

    Parameters
    ----------
    h : history.History
        The loaded history (``history.load``).
    by : str, default "设区市"
        The column of ``h.faults`` to count by.
    level : str, optional
        Count only faults of this level (错误 or 警告); None counts both.

    Returns
    -------
    lab.Chart
        The chart (the 合计 column of :func:`faults_by`), displayed inline by JupyterLab.
    """
    from . import charts
    from .lab import Chart

    t = faults_by(h, [by], level)
    labels = [str(i) for i in t.index]
    return Chart(charts.hbar("chart-faults", f"数据质量问题条数（按{by}）", labels, list(t["合计"]),
                             unit="条", color=charts.DEFAULT.palette[3], note="没有数据质量问题"))


def chart_city_vs_province(h: History, city: str, figure: str = "缺工解决率"):
    """A city's figure against the province's, per day (lines).

    Parameters
    ----------
    h : history.History
        The loaded history (``history.load``).
    city : str
        The city's name or code.
    figure : str, default "缺工解决率"
        The figure, as an indicator key or label.

    Returns
    -------
    lab.Chart
        The chart, displayed inline by JupyterLab.
    """
    from . import charts
    from .lab import Chart

    figure = _label(figure)
    t = city_vs_province(h, city, [figure]).loc[figure]
    name = resolve_city(city).name
    unit = indicators.get(indicators.key_of(figure)).unit
    return Chart(charts.combo("chart-compare", f"{name}与全省：{figure}", [_md(d) for d in t.index], None,
                              [(name, [_num(v) for v in t[name]]), (PROVINCE, [_num(v) for v in t[PROVINCE]])],
                              unit=unit))
