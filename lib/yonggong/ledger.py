"""The day's enterprise ledger: the list in force, its adjustments, and carry-forward.

Pure functions of clean tables:

* the list in force on day D is the newest table A on or before D (a list is not re-sent
  every day); enterprises with 状态 = 调出 are not in force;
* the day's adjustments (纳入 / 调出) are the difference from the list in force on D-1;
* placements (table D) count from the folder they arrive in, at the enterprise's county on the
  placement's date (``attribute_placements``);
* each enterprise in force gets its ledger row (table B) for D; without one, its newest
  earlier row is carried forward for up to ``carry_forward_days`` days (报送状态 沿用), past
  that it is 未报送 and its five clears are blank.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from . import indicators

LEDGER_FIELDS = ["员工总数", "在岗人数", "缺工人数", "是否复工", "产能恢复率", "已返岗人数",
                 "问题困难类型", "问题困难", "问题是否解决", "富余人数"]
LIST_FIELDS = ["统一社会信用代码", "企业名称", "县区", "企业类别", "清单来源", "纳入日期",
               "人社服务专员", "专员手机"]
LEDGER_COLUMNS = LIST_FIELDS + LEDGER_FIELDS + ["填报日期", "报送状态"]

REPORTED, CARRIED, MISSING = "已报送", "沿用", "未报送"


def counted(ledger: pd.DataFrame) -> pd.Series:
    """Rows of a ledger whose five clears count in the figures: reported today or carried
    (沿用), not 未报送 (their five clears are blank)."""
    return ledger["报送状态"] != MISSING


def list_in_force(lists: dict[dt.date, pd.DataFrame], day: dt.date) -> tuple[dt.date | None, pd.DataFrame]:
    """The newest list on or before ``day`` and its enterprises in force (状态 ≠ 调出)."""
    days = sorted(d for d in lists if d <= day)
    if not days:
        return None, pd.DataFrame(columns=LIST_FIELDS + ["状态", "调整原因"])
    src = lists[days[-1]]
    return days[-1], src[src["状态"] != "调出"].reset_index(drop=True)  # blank 状态: on the list


def adjustments(lists: dict[dt.date, pd.DataFrame], day: dt.date, since: dt.date | None = None) -> pd.DataFrame:
    """Enterprises added to (纳入) or removed from (调出) the list on ``day`` versus the day before
    (or versus the list in force on ``since``, an earlier day)."""
    _, today = list_in_force(lists, day)
    _, before = list_in_force(lists, day - dt.timedelta(days=1) if since is None else since)
    newest_day, _ = list_in_force(lists, day)
    source = lists[newest_day] if newest_day else pd.DataFrame()
    rows = []
    before_codes = set(before["统一社会信用代码"])
    today_codes = set(today["统一社会信用代码"])
    for _, r in today[~today["统一社会信用代码"].isin(before_codes)].iterrows():
        rows.append({"调整": "纳入", "统一社会信用代码": r["统一社会信用代码"], "企业名称": r["企业名称"],
                     "县区": r["县区"], "企业类别": r["企业类别"], "原因": _text(r.get("调整原因"))})
    for _, r in before[~before["统一社会信用代码"].isin(today_codes)].iterrows():
        reason = ""
        if not source.empty:
            hit = source[source["统一社会信用代码"] == r["统一社会信用代码"]]
            if not hit.empty and isinstance(hit.iloc[0].get("调整原因"), str):
                reason = hit.iloc[0]["调整原因"]
        rows.append({"调整": "调出", "统一社会信用代码": r["统一社会信用代码"], "企业名称": r["企业名称"],
                     "县区": r["县区"], "企业类别": r["企业类别"], "原因": reason})
    cols = ["调整", "统一社会信用代码", "企业名称", "县区", "企业类别", "原因"]
    return pd.DataFrame(rows, columns=cols)


def _text(v) -> str:
    return v if isinstance(v, str) else ""


def newest_rows(b_rows: pd.DataFrame, day: dt.date, carry_days: int) -> pd.DataFrame:
    """Per enterprise (index: credit code), the table B row its ledger row of ``day`` comes from:
    the newest 填报日期 from ``day`` back ``carry_days`` days, of those the newest file (``_mtime``);
    with every column of ``b_rows`` (``_file``, ``_sheet``, ``_row``: where it was read)."""
    earliest = day - dt.timedelta(days=carry_days)
    usable = b_rows[(b_rows["填报日期"] <= day) & (b_rows["填报日期"] >= earliest)]
    if usable.empty:
        return pd.DataFrame()  # no row of any enterprise (only its index is asked)
    usable = usable.sort_values(["填报日期", "_mtime"])  # newest date, then newest file, last
    return usable.groupby("统一社会信用代码", sort=False).tail(1).set_index("统一社会信用代码")


def build_ledger(in_force: pd.DataFrame, b_rows: pd.DataFrame, day: dt.date, carry_days: int) -> pd.DataFrame:
    """One row per enterprise in force: the day's B row, a carried row, or 未报送.

    ``b_rows`` holds clean B rows of day ``day`` and earlier days (column 填报日期 is a date).
    """
    newest = newest_rows(b_rows, day, carry_days)
    rows = []
    for _, ent in in_force.iterrows():
        rec = {f: ent.get(f) for f in LIST_FIELDS}
        code = ent["统一社会信用代码"]
        if code in newest.index:
            b = newest.loc[code]
            rec.update({f: b.get(f) for f in LEDGER_FIELDS})
            rec["填报日期"] = b["填报日期"]
            rec["报送状态"] = REPORTED if b["填报日期"] == day else CARRIED
        else:
            rec.update({f: None for f in LEDGER_FIELDS})
            rec["填报日期"] = None
            rec["报送状态"] = MISSING
        rows.append(rec)
    out = pd.DataFrame(rows, columns=LEDGER_COLUMNS)
    for name in ("员工总数", "在岗人数", "缺工人数", "已返岗人数", "富余人数"):
        out[name] = pd.array(out[name], dtype="Int64")
    out["产能恢复率"] = pd.array(out["产能恢复率"], dtype="Float64")
    for name in ("是否复工", "问题是否解决"):
        out[name] = pd.array(out[name], dtype="boolean")
    return out


FUTURE, OFF_LIST = "future", "off_list"


def attribute_placements(folders: dict[dt.date, pd.DataFrame],
                         lists: dict[dt.date, pd.DataFrame]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Which placement rows count, and where.

    ``folders``: table D rows by the day folder they came in. A row of folder F counts when it
    is dated on or before F and its enterprise was on the list in force on its date (also if
    调出 since); it is attributed to the enterprise's county on that date (column 县区). Returns
    ``(counted, rejected)``; both carry ``_folder``; ``rejected`` has ``原因``: ``future`` (dated
    after its folder's day) or ``off_list`` (not on the list in force on its date).
    """
    parts = [df.assign(_folder=day) for day, df in sorted(folders.items()) if df is not None and not df.empty]
    return attribute_rows(pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(), lists)


def attribute_rows(rows: pd.DataFrame, lists: dict[dt.date, pd.DataFrame]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """:func:`attribute_placements` of table D rows of many folders in one frame (column
    ``_folder``: the day of the folder each came in)."""
    if rows.empty:
        empty = pd.DataFrame(columns=["日期", "统一社会信用代码", "解决渠道", "人数", "县区", "_folder"])
        return empty, empty.assign(原因=pd.Series(dtype=object))
    rows = rows.copy()
    future = rows["日期"] > rows["_folder"]
    counties = {}
    for d in sorted(set(rows.loc[~future, "日期"])):
        _, in_force = list_in_force(lists, d)
        counties[d] = dict(zip(in_force["统一社会信用代码"], in_force["县区"], strict=False))
    county = [counties[d].get(code) if not f else None
              for d, code, f in zip(rows["日期"], rows["统一社会信用代码"], future, strict=True)]
    rows["县区"] = pd.Series(county, index=rows.index, dtype=object)
    off_list = ~future & rows["县区"].isna()
    counted = rows[~future & ~off_list].reset_index(drop=True)
    reason = pd.Series(OFF_LIST, index=rows.index, dtype=object).where(~future, FUTURE)
    bad = future | off_list
    return counted, rows[bad].assign(原因=reason[bad]).reset_index(drop=True)


CARRIED_COLUMNS = ["企业名称", "县区", "服务专员", "沿用自", "已沿用天数"]


def carried(ledger: pd.DataFrame, day: dt.date) -> pd.DataFrame:
    """The enterprises whose row is carried forward (报送状态 沿用) with the report day it comes
    from (填报日期) and how many days it has been carried, the longest first."""
    rows = ledger[ledger["报送状态"] == CARRIED]
    out = pd.DataFrame({"企业名称": rows["企业名称"].astype(object), "县区": rows["县区"].astype(object),
                        "服务专员": rows["人社服务专员"].astype(object),
                        "沿用自": rows["填报日期"].map(lambda d: d.isoformat() if isinstance(d, dt.date) else ""),
                        "已沿用天数": rows["填报日期"].map(lambda d: (day - d).days if isinstance(d, dt.date) else None)},
                       columns=CARRIED_COLUMNS)
    return out.sort_values(["已沿用天数", "县区", "企业名称"], ascending=[False, True, True], kind="stable").reset_index(drop=True)


def capacity(ledger: pd.DataFrame, bands: list[float], lowest: int = 3) -> dict:
    """产能恢复 of the resumed enterprises (是否复工 是): how many there are, how many report 产能恢复率,
    its plain mean, the count per band (``bands`` descending, e.g. [80, 50]: ≥80, 50–80, <50) and
    the ``lowest`` enterprises (name, rate), the lowest rate first."""
    resumed = ledger[ledger["是否复工"].astype("boolean").fillna(False).to_numpy(dtype=bool)]
    rate = pd.to_numeric(resumed["产能恢复率"], errors="coerce").astype("float64")
    given = resumed[rate.notna().to_numpy()].assign(_r=rate[rate.notna()])
    edges = sorted((float(b) for b in bands), reverse=True)
    counts, upper = [], None
    for edge in edges:
        inside = given["_r"] >= edge if upper is None else (given["_r"] >= edge) & (given["_r"] < upper)
        counts.append(int(inside.sum()))
        upper = edge
    counts.append(int((given["_r"] < edges[-1]).sum()) if edges else 0)
    low = given.sort_values(["_r", "企业名称"], kind="stable").head(lowest)
    return {"resumed": len(resumed), "reported": len(given),
            "mean": float(given["_r"].mean()) if len(given) else None, "edges": edges, "counts": counts,
            "lowest": [(str(n), float(r)) for n, r in zip(low["企业名称"], low["_r"], strict=True)]}


def open_problems(cd) -> pd.DataFrame:
    """Open problems (``indicators.open_problem``) with enterprise, type, text, its shortage, the
    newest ledger date, the day the problem was first reported (:func:`problem_since`) and the
    days it has been open (已持续天数: the first report day counts as day 1)."""
    led = cd.ledger
    rows = led[indicators.open_problem(led)][["统一社会信用代码", "企业名称", "县区", "问题困难类型", "问题困难", "缺工人数",
                                              "填报日期"]].copy()
    rows["问题困难类型"] = rows["问题困难类型"].fillna("其他")
    since = problem_since(cd.accumulated("B"), cd.day)
    first = rows["统一社会信用代码"].map(since)
    first = first.where(first.notna(), rows["填报日期"])
    rows = rows.rename(columns={"填报日期": "最近填报"})
    rows["首次报告"] = first.map(lambda d: d.isoformat() if isinstance(d, dt.date) else "")
    rows["已持续天数"] = first.map(lambda d: (cd.day - d).days + 1 if isinstance(d, dt.date) else None).astype("Int64")
    rows["最近填报"] = rows["最近填报"].map(lambda d: d.isoformat() if d is not None else "")
    return rows.drop(columns="统一社会信用代码").reset_index(drop=True)


def problem_since(b: pd.DataFrame | None, day: dt.date) -> dict[str, dt.date]:
    """Per enterprise, the first 填报日期 of the unbroken run of open-problem reports (table B rows
    up to ``day``, the newest folder's row for each report date) that ends at its newest report:
    a report with no problem or with 问题是否解决 是 ends a run; a changed wording does not."""
    if b is None or b.empty:
        return {}
    r = b[["统一社会信用代码", "填报日期", "_folder", "问题困难", "问题是否解决"]]
    r = r[np.array([isinstance(d, dt.date) and d <= day for d in r["填报日期"]], dtype=bool)]
    r = r.sort_values(["统一社会信用代码", "填报日期", "_folder"], kind="stable")
    r = r.drop_duplicates(["统一社会信用代码", "填报日期"], keep="last")
    open_ = indicators.open_problem(r).to_numpy()
    closed_last = r[~open_].groupby("统一社会信用代码", observed=True)["填报日期"].max()
    o = r[open_]
    ended = o["统一社会信用代码"].map(closed_last.to_dict())
    o = o[np.array([e is None or e != e or d > e for d, e in zip(o["填报日期"], ended, strict=True)], dtype=bool)]
    return o.groupby("统一社会信用代码", observed=True)["填报日期"].min().to_dict()
