"""劳务输出: local workers going out to other provinces (tables O and P, outbound rows of G).

Destinations are written every way a clerk writes them — 广东东莞, 广东省深圳市, 深圳, 粤, 浙江省义乌市,
福建 — and normalised here, once, to a province and (where given) a city, from
``params/regions.yaml``. Table O's 意向输入地, table P's 输入地 and table G's 输出目的地 are cleaned to
that form (``clean``, type ``region``); everything downstream groups by :func:`province_of`.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import unicodedata

import pandas as pd

from . import catalogue
from .reference import regions

# The sheets filed beside the 汇总表 in the city's workbook and in the province's roll-up
# (params/layouts): 劳务输出情况表, for a city day with any outbound figure.
COMPANIONS = ("laowushuchu",)

_SEPARATORS = re.compile(r"[\s/／\\·・\-—－_,，、;；()（）]+")


def _city(rest: str) -> str:
    for suffix in ("市", "地区"):
        if rest.endswith(suffix) and len(rest) > len(suffix):
            return rest[: -len(suffix)]
    return rest


def normalise(text) -> tuple[str, str | None] | None:
    """(province, city or None) of a written destination, None when it names no known province
    or city. ``广东东莞`` → (广东省, 东莞市); ``粤`` → (广东省, None); ``义乌`` → (浙江省, 义乌市)."""
    if text is None:
        return None
    s = _SEPARATORS.sub("", unicodedata.normalize("NFKC", str(text)))
    if not s:
        return None
    r = regions()
    if s in r["abbrs"]:
        return r["abbrs"][s], None
    for form, full in r["prefixes"]:
        if s.startswith(form):
            rest = s[len(form):]
            if not rest:
                return full, None
            for suffix in ("省", "市", "自治区"):  # 广东省 written as 广东 + 省 after the short form
                if form != full and rest.startswith(suffix) and full.endswith(suffix):
                    rest = rest[len(suffix):]
                    break
            if not rest:
                return full, None
            known = _leading_city(rest)
            if known is not None:
                if r["by_city"][known] != full:
                    return None  # a city of another province: not a destination one can trust
                return full, known + "市"
            return full, _city(rest) + "市"  # a city the list does not have, as written
    known = _leading_city(s)
    if known is not None:
        return r["by_city"][known], known + "市"
    return None


def _leading_city(text: str) -> str | None:
    """The known city ``text`` begins with (深圳市宝安区 → 深圳), the longest name first."""
    for name in _cities_longest_first():
        if text.startswith(name):
            return name
    return None


@functools.lru_cache(maxsize=1)
def _cities_longest_first() -> tuple[str, ...]:
    return tuple(sorted(regions()["by_city"], key=lambda c: (-len(c), c)))


def canonical(text) -> str | None:
    """The cleaned form of a destination: 广东省东莞市, or 广东省 without a city; None when unknown."""
    got = normalise(text)
    if got is None:
        return None
    return got[0] + (got[1] or "")


def province_of(cleaned) -> str | None:
    """The province of a cleaned destination (:func:`canonical`), None for anything else."""
    if not isinstance(cleaned, str):
        return None
    for full in regions()["provinces"]:
        if cleaned.startswith(full):
            return full
    return None


def city_of(cleaned) -> str | None:
    """The city of a cleaned destination, None when it names only a province (or is unknown)."""
    prov = province_of(cleaned)
    if prov is None or cleaned == prov:
        return None
    return cleaned[len(prov):]


# --------------------------------------------------------------------------- the rows of a day

OUTBOUND = "输出"  # table G's 方向 of a trip taking local workers out (anything else is inbound)


def is_outbound(g: pd.DataFrame) -> pd.Series:
    """Which rows of table G are outbound trips (方向 输出); a file without 方向 is inbound."""
    if "方向" not in g.columns:
        return pd.Series(False, index=g.index)
    return g["方向"].astype(object).eq(OUTBOUND).fillna(False).astype(bool)


def registrations(o_rows: pd.DataFrame | None) -> pd.DataFrame | None:
    """Table O's people up to a day: one row per 身份证号, from the newest folder that sent it."""
    if o_rows is None:
        return None
    if "_folder" in o_rows.columns:
        o_rows = o_rows.sort_values("_folder", kind="stable")
    return o_rows.drop_duplicates("身份证号", keep="last").reset_index(drop=True)


def _gone(reg: pd.DataFrame) -> pd.Series:
    """已出发 是 (a blank is not gone)."""
    return reg["已出发"].astype("boolean").fillna(False).astype(bool)


def departed(reg: pd.DataFrame, day: dt.date) -> pd.Series:
    """Who has gone by ``day``: 已出发 是, leaving on or before the day (or on a date not given)."""
    when = reg["出发日期"]
    return _gone(reg) & when.map(lambda d: d is None or d is pd.NaT or (isinstance(d, float) and d != d) or d <= day)


def departed_on(reg: pd.DataFrame, day: dt.date) -> pd.Series:
    """Who left on ``day`` itself (已出发 是, 出发日期 the day)."""
    return _gone(reg) & reg["出发日期"].map(lambda d: d == day)


# --------------------------------------------------------------------------- what a city does with them


def by_destination(reg: pd.DataFrame | None, day: dt.date) -> pd.DataFrame:
    """劳务输出 by destination: registered workers (one row a person) per province and city, with
    how many have gone (:func:`departed`) and how many are still to go; largest first, 合计 last."""
    cols = ["输入省份", "输入城市", "登记人数", "已出发", "待出发"]
    if reg is None or reg.empty:
        return pd.DataFrame(columns=cols)
    dest = reg["意向输入地"].astype(object)
    d = pd.DataFrame({"输入省份": dest.map(lambda v: province_of(v) or "（未识别）"),
                      "输入城市": dest.map(lambda v: city_of(v) or "（未写城市）"),
                      "登记人数": 1, "已出发": departed(reg, day).astype(int)})
    out = d.groupby(["输入省份", "输入城市"], sort=True)[["登记人数", "已出发"]].sum().reset_index()
    out["待出发"] = out["登记人数"] - out["已出发"]
    prov_total = out.groupby("输入省份")["登记人数"].transform("sum")
    out = out.assign(_p=prov_total).sort_values(["_p", "输入省份", "登记人数", "输入城市"],
                                                ascending=[False, True, False, True], kind="stable")
    total = pd.DataFrame([{"输入省份": "合计", "输入城市": "", "登记人数": int(out["登记人数"].sum()),
                           "已出发": int(out["已出发"].sum()), "待出发": int(out["待出发"].sum())}])
    return pd.concat([out[cols], total], ignore_index=True)[cols]


def _config() -> dict:
    from .match_rules import config

    return config()["outbound"]


def open_demand(p_rows: pd.DataFrame | None, day: dt.date) -> pd.DataFrame | None:
    """Table P as it stands on the day: one row per (输入地, 企业名称, 岗位) from the newest folder,
    without the demand whose 截止日期 has passed."""
    if p_rows is None:
        return None
    if "_folder" in p_rows.columns:
        p_rows = p_rows.sort_values("_folder", kind="stable")
    p = p_rows.drop_duplicates(["输入地", "企业名称", "岗位"], keep="last")
    until = p["截止日期"] if "截止日期" in p.columns else pd.Series(None, index=p.index, dtype=object)
    live = until.map(lambda d: not isinstance(d, dt.date) or d >= day)
    return p[live.astype(bool)].reset_index(drop=True)


TARGETED_COLUMNS = ["姓名", "身份证号", "手机号", "户籍县区", "意向输入地", "意向工种", "技能等级", "推荐序号",
                    "输入地", "企业名称", "岗位", "人数", "技能要求", "月薪", "截止日期", "对接人", "工作电话"]


def targeted(reg: pd.DataFrame | None, demand: pd.DataFrame | None, top_n: int | None = None) -> pd.DataFrame:
    """定向招聘: up to ``top_n`` posts of the input regions' demand (table P) for each registered
    worker not yet gone (the rule in params/match.yaml ``outbound``). Personal data: restricted/ only."""
    from .match_rules import normalise_job, skill_code, skill_meets, wage_text

    top_n = int(top_n or _config()["top_n"])
    if reg is None or demand is None or reg.empty or demand.empty:
        return pd.DataFrame(columns=TARGETED_COLUMNS)
    w = reg[~_gone(reg)].copy()
    w["_prov"] = w["意向输入地"].map(province_of)
    w["_city"] = w["意向输入地"].map(city_of)
    w["_job"] = w["意向工种"].map(normalise_job) if "意向工种" in w.columns else ""
    w["_skill"] = w["技能等级"].map(skill_code) if "技能等级" in w.columns else 0
    d = demand.copy()
    d["_prov"] = d["输入地"].map(province_of)
    d["_city"] = d["输入地"].map(city_of)
    d["_job"] = d["岗位"].map(normalise_job)
    d["_req"] = d["技能要求"].map(skill_code) if "技能要求" in d.columns else 0
    pairs = w.reset_index(drop=True).reset_index(names="_w").merge(
        d.reset_index(drop=True).reset_index(names="_d"), on="_prov", suffixes=("", "_p"))
    city_ok = pairs["_city"].isna() | pairs["_city_p"].isna() | (pairs["_city"] == pairs["_city_p"])
    job_ok = (pairs["_job"] == "") | (pairs["_job"] == pairs["_job_p"])
    skill_ok = pd.Series(skill_meets(pairs["_skill"].to_numpy(), pairs["_req"].to_numpy()), index=pairs.index)
    pairs = pairs[city_ok & job_ok & skill_ok].copy()
    if pairs.empty:
        return pd.DataFrame(columns=TARGETED_COLUMNS)
    pairs["_same_city"] = (pairs["_city"] == pairs["_city_p"]).astype(int)
    pairs = pairs.sort_values(["_w", "_same_city", "人数", "企业名称", "岗位"], ascending=[True, False, False, True, True],
                              kind="stable")
    pairs["推荐序号"] = pairs.groupby("_w").cumcount() + 1
    pairs = pairs[pairs["推荐序号"] <= top_n]
    low = pairs["薪酬"].map(lambda v: v[0] if isinstance(v, tuple) else None) if "薪酬" in pairs.columns else None
    high = pairs["薪酬"].map(lambda v: v[1] if isinstance(v, tuple) else None) if "薪酬" in pairs.columns else None
    pairs["月薪"] = [wage_text(lo, hi) for lo, hi in zip(low, high, strict=True)] if low is not None else ""
    for c in TARGETED_COLUMNS:
        if c not in pairs.columns:
            pairs[c] = None
    return pairs[TARGETED_COLUMNS].reset_index(drop=True)


PLAN_COLUMNS = ["编号", "方式", "出发县区", "输入地", "计划日期", "最晚出发日期", "人数", "座位数"]


def plan_trips(reg: pd.DataFrame | None, day: dt.date) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """外出专车专列: (vehicles, riders, 零散) for registered workers who need transport, are not yet
    gone and have a planned day (a planned day before ``day`` counts as ``day``). Groups: home
    county × destination (province and city) × window, vehicles or 零散 by the one rule of
    :mod:`yonggong.transport` (no vehicle under ``min_load`` or over its seats)."""
    from . import transport

    rules = transport.rules()
    people_cols = ["姓名", "身份证号", "手机号", "户籍县区", "意向输入地", "计划出发日期"]
    empty = (pd.DataFrame(columns=PLAN_COLUMNS), pd.DataFrame(columns=["编号", *people_cols]),
             pd.DataFrame(columns=[*people_cols, "建议"]))
    if reg is None or reg.empty or "需要专车" not in reg.columns or "计划出发日期" not in reg.columns:
        return empty
    need = reg["需要专车"].astype("boolean").fillna(False).astype(bool) & ~_gone(reg)
    planned = reg["计划出发日期"].map(lambda d: max(d, day) if isinstance(d, dt.date) else None)
    keep = need & planned.notna()
    if not keep.any():
        return empty
    w = reg.loc[keep, [c for c in people_cols if c in reg.columns]].copy()
    w["_date"] = planned[keep]
    w["_home"] = w["户籍县区"].astype(object).fillna("")
    w["_dest"] = w["意向输入地"].astype(object).fillna("")
    w = transport.allocate(w, ["_home", "_dest"], ["_date", "身份证号"], ("WC", "WL"), rules)
    cols = [c for c in people_cols if c in w.columns]
    ride = w[w["编号"] != ""]
    veh = (ride.groupby("编号", sort=False)
           .agg(方式=("方式", "first"), 出发县区=("_home", "first"), 输入地=("_dest", "first"),
                计划日期=("_date", "min"), 最晚出发日期=("_date", "max"), 人数=("编号", "size"),
                座位数=("座位数", "first"))
           .reset_index())
    veh = veh[PLAN_COLUMNS].astype({"人数": "int64", "座位数": "int64"}).reset_index(drop=True)
    few = w.loc[w["编号"] == "", cols].assign(建议=rules.scattered_advice).reset_index(drop=True)
    return veh, ride[["编号", *cols]].reset_index(drop=True), few


# --------------------------------------------------------------------------- products


def companion_layouts(figures: pd.DataFrame) -> tuple[str, ...]:
    """The layouts of :data:`COMPANIONS` a workbook carries for ``figures`` (a city day or the
    province's roll-up): those with any figure given ("—" everywhere: no sheet)."""
    from . import forms

    out = []
    for name in COMPANIONS:
        ids = [f for f in forms.plan_of(forms.load_layout(name)).figures if f in figures.columns]
        shown = figures[ids].apply(pd.to_numeric, errors="coerce")
        if shown.notna().any().any():
            out.append(name)
    return tuple(out)


def city_registrations(cd) -> pd.DataFrame | None:
    """Table O up to the city day, one row a person (the same rows the figures count)."""
    return registrations(cd.accumulated("O"))


def working_sheets(cd, reg: pd.DataFrame | None, plan: tuple) -> dict[str, pd.DataFrame]:
    """劳务输出, 外出专车计划 and 零散外出 for the working file (no personal data) from the city day's
    registrations and :func:`plan_trips`; none when the city has never sent table O."""
    if reg is None:
        return {}
    veh, _, few = plan
    veh = veh.assign(计划日期=veh["计划日期"].map(_iso), 最晚出发日期=veh["最晚出发日期"].map(_iso))
    scattered = (few.assign(人数=1).groupby(["户籍县区", "意向输入地"], sort=True)["人数"].sum().reset_index()
                 .rename(columns={"户籍县区": "出发县区", "意向输入地": "输入地", "人数": "零散人数"})
                 if len(few) else pd.DataFrame(columns=["出发县区", "输入地", "零散人数"]))
    return {"劳务输出": by_destination(reg, cd.day), "外出专车计划": veh, "零散外出": scattered}


def _iso(d) -> str:
    return d.isoformat() if isinstance(d, dt.date) else ""


def write_restricted(cd, reg: pd.DataFrame | None, plan: tuple, folder) -> list:
    """定向招聘名单 and 外出专车名单 under the city day's restricted/ folder (a list with no rows is
    not written)."""
    from pathlib import Path

    from .tablebook import write_tables

    if reg is None:
        return []
    folder = Path(folder)
    day = cd.day.isoformat()
    written = []
    matches = targeted(reg, open_demand(cd.accumulated("P"), cd.day))
    if len(matches):
        path = folder / catalogue.file_name("targeted", cd.city.name, cd.day)
        write_tables(path, [("定向招聘名单", f"{cd.city.full_name}劳务输出定向招聘名单（{day}，内部使用，严禁外传）", matches)])
        written.append(path)
    veh, riders, few = plan
    if len(veh) or len(few):
        path = folder / catalogue.file_name("trips", cd.city.name, cd.day)
        write_tables(path, [("车辆安排", f"{cd.city.full_name}外出务工专车专列安排建议（{day}）", veh),
                            ("乘车名单", "各车次乘车人员名单（内部使用，严禁外传）", riders),
                            ("零散外出", "人数不足一车的外出人员（内部使用，严禁外传）", few)])
        written.append(path)
    return written
