"""The 汇总表 figures: one row per county (GB/T 2260 order), 市本级, then 合计.

Pure functions of clean tables. Conventions (docs/figures.md):

* counts are summed per county (the enterprise's county from the list in force);
* figures from tables that carry no county (H 岗位推送, I 培训, J 求助受理, and G rows without a
  destination county) sit in the 市本级 row; county rows show "—" (NaN) for them;
* a figure whose source table was not reported for the day is NaN ("—") in every row;
* 合计 is the sum of the rows above; every rate is recomputed from summed counts (never
  averaged) and is NaN when its denominator is 0.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from . import indicators
from .reference import settings

FIGURE_IDS = indicators.keys()
# rate id -> (numerator, denominator); denominators that are lambdas are computed below
RATES = {
    "复工率": ("已复工企业数", "重点企业数"),
    "到岗率": ("在岗人数", "员工总数"),
    "24小时办结率": ("_24小时办结件数", "求助受理件数"),
}
VACANCY_CLASSES = ["普工", "技工", "管理及专业技术", "其他"]


@dataclass
class DayTables:
    """The clean inputs of one city day."""

    day: dt.date
    counties: list[str]  # the city's counties in GB/T 2260 order
    ledger: pd.DataFrame  # ledger.build_ledger output
    vacancies: pd.DataFrame | None = None  # C rows of the day (None: not reported)
    placements: pd.DataFrame | None = None  # D rows dated on or before the day, all folders
    placements_today_reported: bool = False
    recruitment: pd.DataFrame | None = None  # E
    transport: pd.DataFrame | None = None  # G
    pushes: pd.DataFrame | None = None  # H
    training: pd.DataFrame | None = None  # I
    help: pd.DataFrame | None = None  # J
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


def _by_county(values: pd.Series, county: pd.Series, rows: list[str]) -> pd.Series:
    """Sum values per county label (labels outside ``rows`` are ignored), 0 where none."""
    s = pd.Series(np.asarray(values, dtype="float64"), index=values.index)
    grouped = s.groupby(county.values).sum()
    return grouped.reindex(rows, fill_value=0.0)


def compute(t: DayTables) -> pd.DataFrame:
    """The 汇总表 figures for one city day (index 县区: counties, 市本级, 合计)."""
    city_row = settings()["city_level_row"]
    total_row = settings()["total_row"]
    rows = list(t.counties) + [city_row]
    f = pd.DataFrame(index=pd.Index(rows, name="县区"), columns=FIGURE_IDS, dtype="float64")
    city_only = pd.Series(np.nan, index=rows)

    led = t.ledger
    county = led["县区"]
    f["重点企业数"] = _by_county(pd.Series(1.0, index=led.index), county, rows)
    f["已复工企业数"] = _by_county(led["是否复工"].fillna(False).astype(float), county, rows)
    reported = led["报送状态"] != "未报送"
    for name in ("员工总数", "在岗人数", "缺工人数"):
        f[name] = _by_county(led[name].fillna(0).astype(float).where(reported, 0.0), county, rows)
    f["缺工企业数"] = _by_county((led["缺工人数"].fillna(0) > 0).astype(float), county, rows)
    open_problem = led["问题困难"].notna() & (led["问题困难"].astype(str).str.strip() != "") & \
        (led["问题是否解决"].fillna(False) != True)  # noqa: E712 (nullable boolean)
    f["未解决问题数"] = _by_county(open_problem.astype(float), county, rows)

    if t.vacancies is not None:
        vac = t.vacancies
        cls = vacancy_class(vac) if not vac.empty else pd.Series(dtype=object)
        vcounty = _county_of(vac, led) if not vac.empty else pd.Series(dtype=object)
        for c in VACANCY_CLASSES:
            f[f"空岗_{c}"] = _by_county(vac["缺工人数"].where(cls == c, 0).fillna(0), vcounty, rows) \
                if not vac.empty else 0.0

    if t.placements is not None:
        pl = t.placements
        pcounty = _county_of(pl, led) if not pl.empty else pd.Series(dtype=object)
        f["累计解决用工"] = _by_county(pl["人数"].fillna(0), pcounty, rows) if not pl.empty else 0.0
        if t.placements_today_reported:
            today = pl[pl["日期"] == t.day] if not pl.empty else pl
            tcounty = _county_of(today, led) if not today.empty else pd.Series(dtype=object)
            channels = settings()["placement_columns"]
            for col in set(channels.values()):
                f[col] = 0.0
            for channel, col in channels.items():
                if today.empty:
                    continue
                f[col] = f[col] + _by_county(today["人数"].where(today["解决渠道"] == channel, 0).fillna(0),
                                             tcounty, rows)
            f["当日解决_合计"] = f[list(dict.fromkeys(channels.values()))].sum(axis=1)

    if t.recruitment is not None:
        rec = t.recruitment
        f["跨区域招聘需求人数"] = _by_county(rec["招工人数"].fillna(0), _county_of(rec, led), rows) \
            if not rec.empty else 0.0

    if t.transport is not None:
        g = t.transport
        gcounty = g["目的地县区"].where(g["目的地县区"].isin(t.counties), city_row) if not g.empty else g
        trips = g["趟次"].fillna(1) if not g.empty else g
        f["点对点运输趟次"] = _by_county(trips, gcounty, rows) if not g.empty else 0.0
        f["点对点运输人数"] = _by_county(g["运送人数"].fillna(0), gcounty, rows) if not g.empty else 0.0

    def city_level(col: str, value: float) -> None:
        s = city_only.copy()
        s[city_row] = value
        f[col] = s

    if t.pushes is not None:
        city_level("推送岗位数", float(t.pushes["推送岗位数"].fillna(0).sum()))
        city_level("推送人次", float(t.pushes["推送人次"].fillna(0).sum()))
    if t.training is not None:
        city_level("培训报名人数", float(t.training["报名人数"].fillna(0).sum()))
        city_level("培训结业人数", float(t.training["结业人数"].fillna(0).sum()))
    done_24 = city_only.copy()
    if t.help is not None:
        j = t.help
        received = j[j["受理时间"].map(lambda x: x is not None and pd.notna(x) and x.date() == t.day)] \
            if not j.empty else j
        done = received[received["办结时间"].notna() | (received["状态"] == "已办结")] if not received.empty \
            else received
        hours = settings()["help_done_within_hours"]
        within = done[done["办结时间"].notna()] if not done.empty else done
        if not within.empty:
            within = within[(within["办结时间"] - within["受理时间"]) <= pd.Timedelta(hours=hours)]
        city_level("求助受理件数", float(len(received)))
        city_level("求助办结件数", float(len(done)))
        done_24[city_row] = float(len(within))

    total = f.sum(axis=0, min_count=1)
    f.loc[total_row] = total
    done_24[total_row] = done_24.sum(min_count=1)
    f = _rates(f, done_24)
    return f


def _ratio(num: pd.Series, den: pd.Series) -> pd.Series:
    num = num.astype("float64")
    den = den.astype("float64")
    out = (num / den.where(den > 0)) * 100.0
    return out.round(1)


def _rates(f: pd.DataFrame, done_24: pd.Series) -> pd.DataFrame:
    f["复工率"] = _ratio(f["已复工企业数"], f["重点企业数"])
    f["到岗率"] = _ratio(f["在岗人数"], f["员工总数"])
    cum = f["累计解决用工"]
    f["缺工解决率"] = _ratio(cum, cum + f["缺工人数"])
    f["24小时办结率"] = _ratio(done_24.reindex(f.index), f["求助受理件数"])
    return f
