"""The 汇总表 figures: one row per county (GB/T 2260 order), 市本级, then 合计.

The one computation of every indicator of the catalogue (params/indicators.yaml,
``yonggong.indicators``); every product takes its numbers from here. Pure functions of clean
tables. Conventions:

* counts are summed per county (the enterprise's county from the list in force);
* figures of level ``city`` (H 岗位推送, I 培训, J 求助受理), and G rows without a destination
  county, sit in the 市本级 row; county rows show "—" (NaN) for the city-level ones;
* a figure whose source table was not sent in the day's folder is NaN ("—") in every row;
* 合计 is the sum of the rows above (``indicators.total``); every rate is recomputed from the
  summed counts in each row (``indicators.add_rates``), NaN when its denominator is 0;
* flows count the report period W(D): rows dated D (D, G, H, I) or, for J, times within
  (D−1 15:00, D 15:00] (``indicators.period``);
* 累计解决用工 counts every placement row accepted so far (``ledger.attribute_placements``):
  累计(D) − 累计(D−1) = 当日解决(D) + 补报(D).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from . import indicators, ledger, outbound
from .reference import settings

FIGURE_IDS = indicators.keys()
VACANCY_CLASSES = ["普工", "技工", "管理及专业技术", "其他"]


@dataclass
class DayTables:
    """The clean inputs of one city day."""

    day: dt.date
    counties: list[str]  # the city's counties in GB/T 2260 order
    ledger: pd.DataFrame  # ledger.build_ledger output
    vacancies: pd.DataFrame | None = None  # C rows of the day (None: not reported)
    # D rows counted up to the day (ledger.attribute_placements): 日期, 人数, 解决渠道, 县区 (the
    # enterprise's county on the placement's date) and _folder (the day folder it came in)
    placements: pd.DataFrame | None = None
    placements_today_reported: bool = False
    recruitment: pd.DataFrame | None = None  # E
    transport: pd.DataFrame | None = None  # G rows dated the day (inbound and outbound: 方向)
    pushes: pd.DataFrame | None = None  # H rows dated the day
    training: pd.DataFrame | None = None  # I rows dated the day
    help: pd.DataFrame | None = None  # J: every request up to the day, one row per 编号 (newest folder)
    help_today_reported: bool = False
    registrations: pd.DataFrame | None = None  # O up to the day, one row per person (outbound.registrations)
    extra: dict = field(default_factory=dict)


def vacancy_class(vacancies: pd.DataFrame) -> pd.Series:
    """岗位类别 of each vacancy row, derived from 技能要求 when blank (params/settings.yaml)."""
    derive = settings()["vacancy_class_from_skill"]
    skill = vacancies["技能要求"].fillna("").astype(str)
    derived = skill.map(lambda s: derive.get(s, "其他"))
    cls = vacancies["岗位类别"].astype(object)
    return cls.where(cls.notna(), derived)


def _county_of(df: pd.DataFrame, ledger: pd.DataFrame) -> pd.Series:
    lookup = dict(zip(ledger["统一社会信用代码"], ledger["县区"], strict=False))
    return df["统一社会信用代码"].map(lookup)


def _by_county(values: pd.Series, county, rows: list[str]) -> pd.Series:
    """Sum values per county label (labels outside ``rows`` are ignored; a blank value counts as
    nothing), 0 where none."""
    s = values.astype("float64").to_numpy()
    at = pd.Index(rows).get_indexer(np.asarray(county, dtype=object))  # -1: not a row
    keep = (at >= 0) & ~np.isnan(s)
    sums = np.bincount(at[keep], weights=s[keep], minlength=len(rows))
    return pd.Series(sums, index=rows, dtype="float64")  # float64 also when nothing is counted


def help_counts(requests: pd.DataFrame, day: dt.date, hours: float) -> dict[str, float]:
    """求助 figures of day D from the merged requests (one row per 编号).

    受理件数: 受理时间 in W(D); 办结件数: 办结时间 in W(D); 到期件数: 受理时间 in W(D−1) (their 24
    hours end within W(D)); 24小时办结件数: of those, closed within ``hours`` of receipt.
    """
    received = requests["受理时间"]
    closed = requests["办结时间"]
    due = indicators.in_period(received, day - dt.timedelta(days=1))
    gap = pd.to_datetime(closed) - pd.to_datetime(received)  # clean 受理/办结时间: datetimes or blank
    in_time = due & (gap <= pd.Timedelta(hours=hours))
    return {"求助受理件数": float(indicators.in_period(received, day).sum()),
            "求助办结件数": float(indicators.in_period(closed, day).sum()),
            "求助到期件数": float(due.sum()),
            "求助24小时办结件数": float(in_time.sum())}


def open_help(requests: pd.DataFrame | None, day: dt.date, hours: float) -> dict[str, int] | None:
    """Requests still open at the end of W(D) (received by then, not closed by then) and, of those,
    received more than ``hours`` before it; None when table J was never sent."""
    if requests is None:
        return None
    _, end = indicators.period(day)
    received = pd.to_datetime(requests["受理时间"], errors="coerce")
    closed = pd.to_datetime(requests["办结时间"], errors="coerce")
    still = (received <= pd.Timestamp(end)) & (closed.isna() | (closed > pd.Timestamp(end)))
    late = still & (received < pd.Timestamp(end) - pd.Timedelta(hours=hours))
    return {"未办结": int(still.sum()), "超时未办结": int(late.sum())}


def compute(t: DayTables) -> pd.DataFrame:
    """The 汇总表 figures for one city day (index 县区: counties, 市本级, 合计)."""
    city_row = settings()["city_level_row"]
    total_row = settings()["total_row"]
    rows = list(t.counties) + [city_row]
    f = pd.DataFrame(index=pd.Index(rows, name="县区"), columns=FIGURE_IDS, dtype="float64")

    led = t.ledger
    county = led["县区"]
    f["重点企业数"] = _by_county(pd.Series(1.0, index=led.index), county, rows)
    f["已复工企业数"] = _by_county(led["是否复工"], county, rows)
    reported = ledger.counted(led)
    for name in ("员工总数", "在岗人数", "缺工人数"):
        f[name] = _by_county(led[name].where(reported), county, rows)
    f["缺工企业数"] = _by_county(led["缺工人数"] > 0, county, rows)
    f["未解决问题数"] = _by_county(indicators.open_problem(led), county, rows)

    if t.vacancies is not None:
        vac = t.vacancies
        cls, vcounty = vacancy_class(vac), _county_of(vac, led)
        for c in VACANCY_CLASSES:
            f[f"空岗_{c}"] = _by_county(vac["缺工人数"].where(cls == c), vcounty, rows)

    if t.placements is not None:
        pl = t.placements
        f["累计解决用工"] = _by_county(pl["人数"], pl["县区"], rows)
        if t.placements_today_reported:
            mine = pl[pl["_folder"] == t.day]
            today = mine[mine["日期"] == t.day]
            f["补报解决用工"] = _by_county(mine["人数"].where(mine["日期"] < t.day), mine["县区"], rows)
            channels = settings()["placement_columns"]
            columns = list(dict.fromkeys(channels.values()))
            for col in columns:
                f[col] = 0.0
            for channel, col in channels.items():
                f[col] = f[col] + _by_county(today["人数"].where(today["解决渠道"] == channel), today["县区"], rows)
            f["当日解决_合计"] = _by_county(today["人数"], today["县区"], rows)

    if t.recruitment is not None:
        rec = t.recruitment
        f["跨区域招聘需求人数"] = _by_county(rec["招工人数"], _county_of(rec, led), rows)

    if t.transport is not None:
        out = outbound.is_outbound(t.transport)
        sent = len(out) > 0
        # a day whose G rows all go one way has not reported the other way ("—", not 0)
        if not (sent and out.all()):
            g = t.transport[~out]
            gcounty = g["目的地县区"].where(g["目的地县区"].isin(t.counties), city_row)
            f["点对点运输趟次"] = _by_county(g["趟次"].fillna(1), gcounty, rows)
            f["点对点运输人数"] = _by_county(g["运送人数"], gcounty, rows)
        if not (sent and not out.any()):
            g = t.transport[out]
            home = g["出发县区"].astype(object) if "出发县区" in g.columns else pd.Series(None, index=g.index, dtype=object)
            gcounty = home.where(home.isin(t.counties), city_row)
            f["点对点输出趟次"] = _by_county(g["趟次"].fillna(1), gcounty, rows)
            f["点对点输出人数"] = _by_county(g["运送人数"], gcounty, rows)

    if t.registrations is not None:
        reg = t.registrations
        home = reg["户籍县区"].astype(object)
        home = home.where(home.isin(t.counties), city_row)
        f["外出务工登记人数"] = _by_county(pd.Series(1.0, index=reg.index), home, rows)
        dest = reg["意向输入地"].map(outbound.province_of)
        named = {i.destination for i in indicators.by_destination()} - {indicators.OTHER_DESTINATION}
        for ind in indicators.by_destination():
            hit = ~dest.isin(named) if ind.destination == indicators.OTHER_DESTINATION else dest == ind.destination
            f[ind.key] = _by_county(hit, home, rows)
        f["当日输出人数"] = _by_county(outbound.departed_on(reg, t.day), home, rows)
        f["累计输出人数"] = _by_county(outbound.departed(reg, t.day), home, rows)

    def city_level(col: str, value: float) -> None:
        f[col] = np.nan
        f.loc[city_row, col] = value

    if t.pushes is not None:
        city_level("推送岗位数", float(t.pushes["推送岗位数"].sum()))  # blanks count as nothing
        city_level("推送人次", float(t.pushes["推送人次"].sum()))
    if t.training is not None:
        city_level("培训报名人数", float(t.training["报名人数"].sum()))
        city_level("培训结业人数", float(t.training["结业人数"].sum()))
    if t.help is not None and t.help_today_reported:
        for col, value in help_counts(t.help, t.day, float(settings()["help_done_within_hours"])).items():
            city_level(col, value)

    f.loc[total_row] = indicators.total(f)
    return indicators.add_rates(f)
