"""From figures to action (issue 8): 精准推送, 余缺调剂, 专车专列 and 培训缺口.

Pure functions on DataFrames (no file I/O; settings come from ``params/match.yaml``)::

    match_rules.normalise_job("操作工")            -> "普工"    (synonym groups)
    match_push.match_seekers(seekers, vacancies, top_n=3) -> Push(push, per_vacancy, share)
    share_suggestions(ledger)                      -> 余缺调剂建议 rows
    plan_vehicles(f, day, enterprises=…, city=…)  -> Vehicles(vehicles, assignment, scattered)
    training_gap(vacancies, training)              -> 培训缺口 rows

    acts = city_day(cd)                            # all of the above for a pipeline.CityDay
    public_sheets(acts)                            # sheets for the 汇总表 workbook (no personal data)
    brief_block(gap_for(cd))                       # the 培训缺口 part of the 工作简报
    summary(acts)                                  # counts and timings (notebook, bench)

The 精准推送 rules and how they scale: ``match_rules`` (occupations, skills, wages) and
``match_push`` (:func:`match_push.match_seekers`).

余缺调剂: see :func:`share_suggestions`; 专车专列: :func:`plan_vehicles`; 培训缺口: :func:`training_gap`.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
import pandas as pd

from . import ledger as ledger_rules
from . import memory
from .match_push import Push, match_seekers, vacancy_frame
from .match_rules import by_value, config, float_array, job_key, normalise_job, present
from .reference import settings

# ---------------------------------------------------------------- 余缺调剂

SHARE_COLUMNS = ["调出企业", "调出县区", "调入企业", "调入县区", "建议人数", "依据"]
_SHARE_PASSES = [(("县区", "企业类别"), "同县区"), (("县区",), "同县区"), (("企业类别",), "同类别"), ((), "同市")]


def share_suggestions(ledger: pd.DataFrame) -> pd.DataFrame:
    """余缺调剂建议: lend surplus staff (富余人数) to enterprises short of hands (缺工人数) in the city.

    Enterprises counted: those not 未报送. An enterprise with both surplus and shortage fills its
    own shortage first (net = 富余人数 − 缺工人数: lender when > 0, borrower when < 0). Greedy,
    deterministic passes: same county and category, same county (依据 同县区), same category (同类别),
    then anywhere in the city (同市). Within a pass and group, lenders by remaining surplus and
    borrowers by remaining shortage (largest first, then credit code) are paired in turn, each pair
    moving min(remaining surplus, remaining shortage): no enterprise lends more than its surplus
    and none receives more than its shortage. Output: :data:`SHARE_COLUMNS` (enterprise level).
    """
    led = ledger
    if "报送状态" in led.columns:
        led = led[ledger_rules.counted(led)]
    surplus = pd.to_numeric(led.get("富余人数"), errors="coerce").fillna(0).to_numpy() if "富余人数" in led \
        else np.zeros(len(led))
    short = pd.to_numeric(led["缺工人数"], errors="coerce").fillna(0).to_numpy()
    net = surplus - short
    base = led.assign(_net=net)[["统一社会信用代码", "企业名称", "县区", "企业类别", "_net"]]
    base = base.sort_values("统一社会信用代码", kind="stable").reset_index(drop=True)
    pairs = list(zip(base["统一社会信用代码"], base["_net"], strict=True))
    give = {c: int(n) for c, n in pairs if n > 0}
    need = {c: int(-n) for c, n in pairs if n < 0}
    info = base.set_index("统一社会信用代码")
    rows = []
    for keys, basis in _SHARE_PASSES:
        lenders = info.loc[[c for c in info.index if give.get(c, 0) > 0]]
        takers = info.loc[[c for c in info.index if need.get(c, 0) > 0]]
        if lenders.empty or takers.empty:
            continue
        lgroups = dict(iter(lenders.groupby(list(keys), sort=True))) if keys else {(): lenders}
        tgroups = dict(iter(takers.groupby(list(keys), sort=True))) if keys else {(): takers}
        for key in sorted(set(lgroups) & set(tgroups), key=str):
            ls = sorted(lgroups[key].index, key=lambda c: (-give[c], c))
            ts = sorted(tgroups[key].index, key=lambda c: (-need[c], c))
            i = j = 0
            while i < len(ls) and j < len(ts):
                a, b = ls[i], ts[j]
                n = min(give[a], need[b])
                if n > 0:
                    rows.append([info.at[a, "企业名称"], info.at[a, "县区"], info.at[b, "企业名称"], info.at[b, "县区"],
                                 n, basis])
                    give[a] -= n
                    need[b] -= n
                if give[a] == 0:
                    i += 1
                if need[b] == 0:
                    j += 1
    return pd.DataFrame(rows, columns=SHARE_COLUMNS)


# ---------------------------------------------------------------- 专车专列

VEHICLE_COLUMNS = ["编号", "方式", "出发地", "上车地点", "计划日期", "最晚返岗日期", "人数", "座位数", "目的县区",
                   "目的企业"]
# a returning worker as the restricted lists show one: the enterprise by name, its credit code beside
PEOPLE_COLUMNS = ["姓名", "身份证号", "手机号", "出发地", "返岗企业", "统一社会信用代码", "计划返岗日期"]
SCATTERED_COLUMNS = [*PEOPLE_COLUMNS, "建议"]
# 零散返岗 without personal data (the working file): one row per 出发地 and 建议
SCATTERED_SUMMARY_COLUMNS = ["出发地", "最早返岗日期", "最晚返岗日期", "人数", "目的企业", "建议"]


class Vehicles(NamedTuple):
    vehicles: pd.DataFrame  # one row per proposed bus or train (no personal data)
    assignment: pd.DataFrame  # one row per worker in a vehicle, with its 编号 (restricted/ only)
    scattered: pd.DataFrame  # 零散返岗: workers with no vehicle, with advice (restricted/ only)


_PREFECTURE_RE = re.compile(r"^(.*?(?:省|自治区))?(.*?(?:自治州|地区|盟|市))")


def origin_text(text) -> str:
    """出发地 as written, after NFKC with spaces removed."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(text))) if present(text) else ""


def origin_group(text, level: str = "city") -> str:
    """The 出发地 a vehicle starts from: with ``level`` "city", the province and prefecture part
    (江西省九江市庐山市 → 江西省九江市, 重庆市万州区 → 重庆市; text without a prefecture stays as it is);
    with "full", the text itself."""
    s = origin_text(text)
    if level != "city":
        return s
    m = _PREFECTURE_RE.match(s)
    return (m.group(1) or "") + m.group(2) if m else s


def is_local(text, city) -> bool:
    """True when 出发地 lies in ``city`` (a reference.City) itself: its prefecture part is the city's
    name (江西省南昌市新建区, 南昌市), or the text starts with one of the city's counties (进贤县)."""
    from .reference import counties

    s = origin_text(text)
    if not s or city is None:
        return False
    m = _PREFECTURE_RE.match(s)
    if m and m.group(2) == city.full_name:
        return True
    return any(s.startswith(c.name) for c in counties() if c.city_code == city.code)


def _as_date(v) -> dt.date | None:
    if not present(v):
        return None
    if isinstance(v, pd.Timestamp):
        return v.date()
    if isinstance(v, dt.datetime):
        return v.date()
    if isinstance(v, dt.date):
        return v
    try:
        return dt.date.fromisoformat(str(v)[:10])
    except ValueError:
        return None


def enterprise_columns(values, enterprises: pd.DataFrame | None) -> tuple[np.ndarray, np.ndarray]:
    """(企业名称, 统一社会信用代码) for 返岗企业 values written as a credit code or as a name, looked up
    in ``enterprises`` (统一社会信用代码, 企业名称: the list); a value not on the list stays as written
    (in the name column) with no code (None)."""
    names, _ = _enterprise_lookup(enterprises)
    codes = {n: c for c, n in names.items()}

    def one(x):
        if not present(x):
            return (None, None)
        x = str(x).strip()
        if x in names:
            return (names[x], x)
        return (x, codes.get(x))

    pairs = by_value(values, one)
    return (np.array([p[0] for p in pairs], dtype=object), np.array([p[1] for p in pairs], dtype=object))


def plan_vehicles(f: pd.DataFrame | None, day: dt.date, seats: int | None = None, window_days: int | None = None,
                  train_threshold: int | None = None, train_capacity: int | None = None,
                  enterprises: pd.DataFrame | None = None, origin_level: str | None = None,
                  min_load: int | None = None, city=None) -> Vehicles:
    """Propose buses (专车) and trains (专列) for returning workers (table F).

    Eligible: 需要专车 是, 已到岗 not 是, 计划返岗日期 known. A planned day before ``day`` counts as
    ``day`` (nobody leaves in the past). A worker whose 出发地 lies in ``city`` itself
    (:func:`is_local`) gets no vehicle (零散, ``local_advice``). The others are grouped per 出发地
    (:func:`origin_group`: the prefecture, or the full text with ``origin_level`` "full"; the places
    within it are listed as 上车地点) and window, and :func:`yonggong.transport.allocate` gives each
    group vehicles — none under ``min_load`` (those workers are 零散 with ``scattered_advice``), 专列
    from ``train_threshold``, loads balanced. Within a group workers are placed in order of 返岗企业
    then planned day then ID, so a vehicle carries few destinations. Every eligible worker is in
    exactly one vehicle or on the 零散 list; no vehicle is over its capacity or under ``min_load``.
    计划日期 of a vehicle = the earliest planned day of its workers; 最晚返岗日期 = the latest.

    ``enterprises`` (ledger / list: 统一社会信用代码, 企业名称, 县区) turns 返岗企业 credit codes into
    names (the code beside them) and gives the destination county. Defaults from params/match.yaml
    ``transport``.
    """
    from . import transport

    rules = transport.rules(bus_seats=seats, window_days=window_days, train_threshold=train_threshold,
                            train_capacity=train_capacity, origin_level=origin_level, min_load=min_load)
    empty = Vehicles(pd.DataFrame(columns=VEHICLE_COLUMNS), pd.DataFrame(columns=["编号", "方式", *PEOPLE_COLUMNS]),
                     pd.DataFrame(columns=SCATTERED_COLUMNS))
    if f is None or f.empty:
        return empty
    n_rows = len(f)
    need = f["需要专车"].fillna(False).astype(bool).to_numpy() if "需要专车" in f.columns else np.zeros(n_rows, bool)
    arrived = f["已到岗"].fillna(False).astype(bool).to_numpy() if "已到岗" in f.columns else np.zeros(n_rows, bool)
    planned = by_value(f["计划返岗日期"], lambda d: (max(_as_date(d), day) if _as_date(d) else None))
    keep = need & ~arrived & np.array([d is not None for d in planned], dtype=bool)
    if not keep.any():
        return empty
    w = f.loc[keep, [c for c in f.columns if c in _F_OUT]].copy()  # only what the lists show
    w["_date"] = planned[keep]
    w["_origin"] = by_value(w["出发地"], lambda x: origin_group(x, rules.origin_level))
    w["_place"] = by_value(w["出发地"], origin_text)
    w["_local"] = by_value(w["出发地"], lambda x: is_local(x, city), dtype=bool).astype(bool)
    _, counties = _enterprise_lookup(enterprises)
    firm, w["统一社会信用代码"] = enterprise_columns(w["返岗企业"], enterprises)
    w["_firm"] = np.array([x or "" for x in firm], dtype=object)
    w["_dest"] = by_value(w["返岗企业"], lambda x: counties.get(str(x).strip(), "") if present(x) else "")
    w["_id"] = w["身份证号"].astype(str).to_numpy() if "身份证号" in w.columns else np.arange(len(w)).astype(str)
    people_cols = [c for c in PEOPLE_COLUMNS if c in w.columns]

    local = w[w["_local"]].sort_values(["_place", "_date", "_id"], kind="stable")
    w = transport.allocate(w[~w["_local"]], ["_origin"], ["_firm", "_date", "_id"], ("ZC", "ZL"), rules)
    ride, few = w[w["编号"] != ""].reset_index(drop=True), w[w["编号"] == ""]
    scattered = pd.concat([few.assign(建议=rules.scattered_advice), local.assign(建议=rules.local_advice)])
    scattered = scattered.assign(返岗企业=scattered["_firm"].replace("", None))[[*people_cols, "建议"]]
    scattered = scattered.reset_index(drop=True)

    vidx = pd.factorize(ride["编号"])[0] if len(ride) else np.zeros(0, dtype=np.int64)
    n_veh = int(vidx.max()) + 1 if len(vidx) else 0

    def listed(col: str, sort: bool) -> np.ndarray:
        """The distinct values of ``col`` per vehicle joined by 、 (sorted, or in row order)."""
        d = pd.DataFrame({"v": vidx, "x": ride[col].to_numpy()}).drop_duplicates()
        d = d[d["x"] != ""]
        if sort:
            d = d.sort_values(["v", "x"], kind="stable")
        return d.groupby("v", sort=True)["x"].agg("、".join).reindex(range(n_veh), fill_value="").to_numpy()

    first = ride.groupby(vidx, sort=True)
    vehicles = pd.DataFrame({
        "编号": first["编号"].first().to_numpy(), "方式": first["方式"].first().to_numpy(),
        "出发地": first["_origin"].first().to_numpy(), "上车地点": listed("_place", True),
        "计划日期": first["_date"].min().to_numpy(), "最晚返岗日期": first["_date"].max().to_numpy(),
        "人数": first.size().to_numpy().astype(np.int64), "座位数": first["座位数"].first().to_numpy().astype(np.int64),
        "目的县区": listed("_dest", True), "目的企业": listed("_firm", False),
    }, columns=VEHICLE_COLUMNS)
    people = ride.assign(返岗企业=ride["_firm"].replace("", None))
    return Vehicles(vehicles, people[["编号", "方式", *people_cols]].reset_index(drop=True), scattered)


def scattered_summary(scattered: pd.DataFrame) -> pd.DataFrame:
    """零散返岗 for the working file (no personal data): per 出发地 (as written) and 建议, the head
    count, the earliest and latest planned day and the enterprises."""
    if scattered is None or scattered.empty:
        return pd.DataFrame(columns=SCATTERED_SUMMARY_COLUMNS)
    s = scattered.assign(_d=scattered["计划返岗日期"].map(_as_date))
    out = s.groupby(["出发地", "建议"], sort=True).agg(
        最早返岗日期=("_d", "min"), 最晚返岗日期=("_d", "max"), 人数=("_d", "size"),
        目的企业=("返岗企业", lambda x: "、".join(sorted({v for v in x if v}))))
    return out.reset_index()[SCATTERED_SUMMARY_COLUMNS]


_F_OUT = ["姓名", "身份证号", "手机号", "出发地", "返岗企业", "计划返岗日期"]


def _enterprise_lookup(enterprises: pd.DataFrame | None) -> tuple[dict[str, str], dict[str, str]]:
    if enterprises is None or enterprises.empty:
        return {}, {}
    e = enterprises.drop_duplicates("统一社会信用代码")
    names = dict(zip(e["统一社会信用代码"], e["企业名称"], strict=True))
    if "县区" not in e.columns:
        return names, {}
    counties = dict(zip(e["统一社会信用代码"], e["县区"], strict=True))
    counties.update(dict(zip(e["企业名称"], e["县区"], strict=True)))
    return names, counties


# ---------------------------------------------------------------- 培训缺口


def job_names(vacancies: pd.DataFrame) -> pd.Series:
    """The canonical occupation of each vacancy row (:func:`job_key` of 岗位名称 and 职业编码): the
    one grouping of posts every table and text uses (操作工, 生产工 … count as 普工)."""
    codes = vacancies["职业编码"] if "职业编码" in vacancies.columns else pd.Series([None] * len(vacancies))
    seen: dict = {}
    out = []
    for n, c in zip(vacancies["岗位名称"].astype(object), codes.astype(object), strict=True):
        if (n, c) not in seen:
            seen[(n, c)] = job_key(n, c)[0]
        out.append(seen[(n, c)])
    return pd.Series(out, index=vacancies.index, dtype=object)

GAP_COLUMNS = ["岗位", "缺工人数", "培训报名人数", "缺口", "急需紧缺"]


def training_gap(vacancies: pd.DataFrame | None, training: pd.DataFrame | None,
                 urgent: tuple[str, ...] | list[str] | None = None) -> pd.DataFrame:
    """Occupations whose training enrolment falls below the shortage.

    Shortage: 缺工人数 of the vacancy rows summed by canonical occupation (:func:`job_key` of 岗位名称 and
    职业编码). Enrolment: 报名人数 of the training rows (table I) summed by canonical occupation of
    工种 (the same synonym groups) — pass the rows to count (:func:`training_upto` gives every row
    dated up to the day). Rows where enrolment < shortage, 缺口 = 缺工人数 − 培训报名人数; 急需紧缺 是 when
    a training or vacancy row of the occupation says 是否急需紧缺, or the occupation is in ``urgent``
    (default params ``urgent_jobs``). Order: 急需紧缺 first, then the larger gap, then the name.
    """
    if vacancies is None or vacancies.empty:
        return pd.DataFrame(columns=GAP_COLUMNS)
    urgent = set(config().get("urgent_jobs") or []) if urgent is None else set(urgent)
    urgent = {normalise_job(u) for u in urgent}
    vjob = job_names(vacancies).tolist()
    short = pd.Series(float_array(vacancies["缺工人数"]), index=vacancies.index).fillna(0).groupby(vjob).sum()
    short = short[short > 0]
    flagged = set(urgent)
    if "是否急需紧缺" in vacancies.columns:
        flagged |= {j for j, f in zip(vjob, vacancies["是否急需紧缺"], strict=True) if present(f) and bool(f)}
    enrol = pd.Series(dtype="float64")
    if training is not None and not training.empty:
        tjob = [normalise_job(x) for x in training["工种"]]
        enrol = pd.Series(float_array(training["报名人数"]), index=training.index).fillna(0).groupby(tjob).sum()
        if "是否急需紧缺" in training.columns:
            flagged |= {j for j, f in zip(tjob, training["是否急需紧缺"], strict=True) if present(f) and bool(f)}
    out = pd.DataFrame({"岗位": short.index, "缺工人数": short.to_numpy().astype(np.int64)})
    out["培训报名人数"] = out["岗位"].map(enrol).fillna(0).astype(np.int64)
    out["缺口"] = out["缺工人数"] - out["培训报名人数"]
    out = out[out["缺口"] > 0].copy()
    out["急需紧缺"] = np.where(out["岗位"].isin(flagged), "是", "否")
    out = out.assign(_u=out["急需紧缺"] != "是").sort_values(["_u", "缺口", "岗位"], ascending=[True, False, True],
                                                            kind="stable")
    return out[GAP_COLUMNS].reset_index(drop=True)


# ---------------------------------------------------------------- a city day


def open_vacancies(cd) -> pd.DataFrame:
    """The city's open vacancy rows for the day, with enterprise info (:func:`vacancy_frame`).

    Table C of the day when it was sent; otherwise the newest earlier table C within
    ``carry_forward_days`` (params/settings.yaml), like the ledger's carry-forward; enterprises on
    the list in force only, rows with 缺工人数 > 0.
    """
    c = cd.tables.get("C")
    if c is None:
        limit = int(settings()["carry_forward_days"])
        earlier = [d for d in cd.history.days if d < cd.day and cd.history.has(d, "C") and (cd.day - d).days <= limit]
        c = cd.history.table(max(earlier), "C") if earlier else None
    return vacancy_frame(c, cd.ledger)


def training_upto(cd) -> pd.DataFrame | None:
    """Table I rows dated on or before the day, from every folder; rows of one 日期 are taken from
    the newest folder that carries that 日期 (a re-sent day replaces the earlier sending)."""
    rows = cd.accumulated("I")
    if rows is None:
        return None
    rows = rows[rows["日期"].map(lambda d: _as_date(d) is not None and _as_date(d) <= cd.day)]
    newest = rows.groupby("日期")["_folder"].transform("max")
    return rows[rows["_folder"] == newest].reset_index(drop=True)


@dataclass
class Actions:
    """Everything of issue 8 for one city day."""

    vacancies: pd.DataFrame
    push: Push
    seekers: int  # job seekers not employed (table M, all rows sent up to the day)
    suggestions: pd.DataFrame
    vehicles: Vehicles
    gap: pd.DataFrame
    timings: dict


def city_day(cd) -> Actions:
    """精准推送, 余缺调剂, 专车专列 and 培训缺口 of a :class:`pipeline.CityDay` (timings in seconds).

    Job seekers: table M rows sent up to the day, newest per 身份证号, 已就业 not 是. Vacancies:
    :func:`open_vacancies`. Returning workers: table F rows up to the day, newest per 身份证号.
    Training: :func:`training_upto`. Surplus and shortage: the ledger.

    Parameters
    ----------
    cd : pipeline.CityDay
        The city day (``pipeline.load``).

    Returns
    -------
    Actions
        The open vacancies, the push to job seekers, the count of job seekers not employed,
        the 余缺调剂 suggestions, the vehicle plan, the training gap and the step timings.
    """
    import time

    t: dict[str, float] = {}
    t0 = time.perf_counter()
    vac = open_vacancies(cd)
    m = cd.accumulated("M", key="身份证号")
    if m is None:  # table M never sent: the share is "not reported" (NaN → "—"), not 0
        m = pd.DataFrame(columns=["姓名", "身份证号", "手机号", "县区", "意向岗位", "技能等级", "期望月薪", "已就业"])
        push = match_seekers(m, vac)._replace(share=float("nan"))
    else:
        push = match_seekers(m, vac)
    seekers = int((m["已就业"].fillna(False).astype(bool) == False).sum()) if len(m) else 0  # noqa: E712
    t["match"] = time.perf_counter() - t0
    t1 = time.perf_counter()
    sug = share_suggestions(cd.ledger)
    t["share"] = time.perf_counter() - t1
    t1 = time.perf_counter()
    veh = plan_vehicles(cd.accumulated("F", key="身份证号"), cd.day, enterprises=cd.ledger, city=cd.city)
    t["vehicles"] = time.perf_counter() - t1
    t1 = time.perf_counter()
    gap = training_gap(vac, training_upto(cd))
    t["gap"] = time.perf_counter() - t1
    memory.release()  # the candidate pairs and groupings behind the lists
    return Actions(vac, push, seekers, sug, veh, gap, t)


def public_sheets(acts: Actions) -> dict[str, pd.DataFrame]:
    """Sheets for the 汇总表 workbook (enterprise and vacancy level only, no personal data)."""
    veh = acts.vehicles.vehicles.copy()
    for col in ("计划日期", "最晚返岗日期"):
        veh[col] = veh[col].map(lambda d: d.isoformat() if isinstance(d, dt.date) else d)
    per = acts.push.per_vacancy
    share = acts.push.share
    if share != share:  # table M never sent: nothing was matched, the rate is not reported ("—")
        note = "截至当日未报送求职人员登记（表M），未做岗位匹配"
        per = per.iloc[0:0]
    elif not len(per):
        note = "当日无空岗"
    else:
        note = ""
    summary = pd.DataFrame([{
        "空岗数": len(acts.push.per_vacancy),
        "有匹配求职者的空岗数": int((per["匹配求职人数"] > 0).sum()) if len(per) else 0,
        "匹配率(%)": share if len(per) and share == share else "—",
        "未就业求职人数": acts.seekers,
        "获推送求职人数": int(acts.push.push["身份证号"].nunique()) if len(acts.push.push) else 0,
        "说明": note}])
    return {"余缺调剂建议": acts.suggestions, "培训缺口": acts.gap, "专车专列计划": veh,
            "零散返岗": scattered_summary(acts.vehicles.scattered), "岗位匹配情况": per, "岗位匹配汇总": summary}


def gap_for(cd) -> pd.DataFrame:
    """培训缺口 of a city day: its open vacancies against table I enrolment up to the day."""
    return training_gap(open_vacancies(cd), training_upto(cd))


def brief_block(gap: pd.DataFrame, limit: int = 8, clean=str) -> dict:
    """The 培训缺口 part of the brief from :func:`training_gap` rows: a sentence, the first ``limit``
    rows as text (``clean`` applied to occupation names, e.g. brief.scrub) and how many more."""
    if gap is None or gap.empty:
        return {"text": "当日空岗岗位的培训报名人数均不低于缺工人数，或当日无空岗明细。", "rows": [], "more": 0}
    urgent = gap[gap["急需紧缺"] == "是"]
    text = (f"对照空岗和累计培训报名情况，{len(gap)}个岗位培训报名人数低于缺工人数，合计缺口{int(gap['缺口'].sum()):,}人"
            + (f"，其中急需紧缺岗位{len(urgent)}个、缺口{int(urgent['缺口'].sum()):,}人" if len(urgent) else "") + "。")
    rows = [{"岗位": clean(r["岗位"]), "缺工人数": f"{int(r['缺工人数']):,}", "培训报名人数": f"{int(r['培训报名人数']):,}",
             "缺口": f"{int(r['缺口']):,}", "急需紧缺": r["急需紧缺"]} for r in gap.head(limit).to_dict("records")]
    return {"text": text, "rows": rows, "more": max(len(gap) - limit, 0)}


def summary(acts: Actions) -> pd.DataFrame:
    """Counts for the notebook and logs (no personal data): 项目, 数值.

    Parameters
    ----------
    acts : Actions
        The day's actions (:func:`city_day`).

    Returns
    -------
    pandas.DataFrame
        One row per count (vacancies, matches, pushes, suggestions, vehicles, training gap),
        then one per step timing (耗时_<step>(秒)); columns 项目, 数值 (object dtype).
    """
    per, push = acts.push.per_vacancy, acts.push.push
    veh = acts.vehicles.vehicles
    rows = [
        ("空岗（岗位行）", len(per)),
        ("有符合条件求职者的空岗", int((per["匹配求职人数"] > 0).sum()) if len(per) else 0),
        ("空岗匹配率(%)", acts.push.share),
        ("未就业求职人数", acts.seekers),
        ("获推送求职人数", int(push["身份证号"].nunique()) if len(push) else 0),
        ("推送条数", len(push)),
        ("余缺调剂建议（对）", len(acts.suggestions)),
        ("余缺调剂建议人数", int(acts.suggestions["建议人数"].sum()) if len(acts.suggestions) else 0),
        ("建议专车（辆）", int((veh["方式"] == "专车").sum()) if len(veh) else 0),
        ("建议专列（列）", int((veh["方式"] == "专列").sum()) if len(veh) else 0),
        ("专车专列运送人数", int(veh["人数"].sum()) if len(veh) else 0),
        ("培训缺口岗位数", len(acts.gap)),
        ("培训缺口人数", int(acts.gap["缺口"].sum()) if len(acts.gap) else 0),
    ] + [(f"耗时_{k}(秒)", round(v, 2)) for k, v in acts.timings.items()]
    return pd.DataFrame(rows, columns=["项目", "数值"], dtype=object)
