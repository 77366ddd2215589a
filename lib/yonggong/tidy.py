"""Tidy parquet products of a city day, for code (``yonggong.history``) rather than people.

Written next to the 台账 parquet (``products.write_ledger``, which already carries 日期 and
设区市) by :func:`write_tidy`:

    汇总数据_<市>_<YYYYMMDD>.parquet   the 汇总表 figures, long: one row per 县区 row and figure
    空岗_<市>_<YYYYMMDD>.parquet       the day's vacancies (table C), 岗位类别 derived
    用工解决_<市>_<YYYYMMDD>.parquet   the placements (table D) sent in the day's folder
    数据质量_<市>_<YYYYMMDD>.parquet   the day's faults (the 数据质量报告), with the county
    经验做法_<市>_<YYYYMMDD>.parquet   the day's 经验做法 and 先进典型 (table K, as in the brief)

Every file has the same columns and types every day (also when its table was not sent: then
it has no rows), so a history of many days reads as one table. Column lists and types are
:data:`SCHEMAS`; the meaning of each column is documented in ``yonggong.history``.

No personal data: tables F and M are never written; fault values are masked already
(``faults.show_value``). Bytes are deterministic (``xlsxio.save_parquet``).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd

from . import catalogue, codes, indicators
from .figures import vacancy_class
from .reference import City, resolve_county
from .xlsxio import save_parquet

STR, INT, FLOAT, DATE = "str", "Int64", "float64", "datetime64[s]"

SCHEMAS: dict[str, dict[str, str]] = {
    "figures": {"日期": DATE, "设区市": STR, "县区": STR, "指标": STR, "数值": FLOAT},
    "vacancies": {"日期": DATE, "设区市": STR, "县区": STR, "统一社会信用代码": STR, "企业名称": STR,
                  "岗位名称": STR, "岗位类别": STR, "缺工人数": INT, "职业编码": STR, "技能要求": STR,
                  "月薪下限": FLOAT, "月薪上限": FLOAT, "薪酬": STR, "招聘范围": STR, "填报日期": DATE},
    "placements": {"日期": DATE, "设区市": STR, "县区": STR, "统一社会信用代码": STR, "企业名称": STR,
                   "解决日期": DATE, "解决渠道": STR, "人数": INT, "调剂来源企业": STR},
    "faults": {"日期": DATE, "设区市": STR, "县区": STR, "level": STR, "table": STR, "file": STR,
               "sheet": STR, "row": INT, "column": STR, "value": STR, "problem": STR, "advice": STR,
               "rule": STR},
    "publicity": {"日期": DATE, "设区市": STR, "类别": STR, "标题": STR, "内容": STR, "单位或个人": STR},
}
def typed(df: pd.DataFrame, kind: str, schemas: dict[str, dict[str, str]] | None = None) -> pd.DataFrame:
    """``df`` with exactly the columns of ``SCHEMAS[kind]`` (or ``schemas[kind]``: the province's,
    ``province.parquet.TIDY_SCHEMAS``), in order and with their types."""
    out = {}
    for col, dtype in (SCHEMAS if schemas is None else schemas)[kind].items():
        s = df[col] if col in df.columns else pd.Series([None] * len(df), index=df.index, dtype=object)
        if dtype == DATE:
            s = pd.to_datetime(s.map(lambda v: None if v is None or v is pd.NA else v)).astype(DATE)
        elif dtype == STR:
            s = s.astype(object).where(s.notna(), None).map(lambda v: v if v is None else str(v)).astype(STR)
        else:
            s = s.astype(dtype)
        out[col] = s
    return pd.DataFrame(out, index=df.index).reset_index(drop=True)


def _stamp(df: pd.DataFrame, cd) -> pd.DataFrame:
    """Add 日期 (the report day) and 设区市 as the first columns."""
    df = df.copy()
    df.insert(0, "日期", pd.Timestamp(cd.day))
    df.insert(1, "设区市", cd.city.name)
    return df


def _ledger_lookup(cd, column: str) -> dict:
    return dict(zip(cd.ledger["统一社会信用代码"], cd.ledger[column], strict=False))


def figures_frame(cd) -> pd.DataFrame:
    """The 汇总表 figures, long: one row per 县区 row (counties, 市本级, 合计) and figure, in the
    汇总表's order; 数值 is NaN where the 汇总表 shows "—"."""
    f = cd.figures
    long = pd.DataFrame({
        "县区": np.repeat(np.asarray(f.index, dtype=object), len(f.columns)),
        "指标": np.tile(np.asarray([indicators.label(k) for k in f.columns], dtype=object), len(f.index)),
        "数值": f.to_numpy(dtype="float64").reshape(-1),
    })
    return typed(_stamp(long, cd), "figures")


def vacancies_frame(cd) -> pd.DataFrame:
    """The day's vacancy rows (table C, as counted in the 空岗 figures) with 县区 and 企业名称
    from the ledger and 岗位类别 derived from 技能要求 where blank; no rows when C was not sent."""
    vac = cd.tables.get("C")
    if vac is None or vac.empty:
        return typed(pd.DataFrame(columns=list(SCHEMAS["vacancies"])), "vacancies")
    v = vac.assign(岗位类别=vacancy_class(vac))
    v["县区"] = v["统一社会信用代码"].map(_ledger_lookup(cd, "县区"))
    v["企业名称"] = v["统一社会信用代码"].map(_ledger_lookup(cd, "企业名称"))
    return typed(_stamp(v, cd), "vacancies")


def placements_frame(cd) -> pd.DataFrame:
    """The placement rows (table D) sent in the day's folder: 解决日期 is the row's own date
    (usually the day itself); 县区 and 企业名称 from the ledger. No rows when D was not sent."""
    d = cd.tables.get("D")
    if d is None or d.empty:
        return typed(pd.DataFrame(columns=list(SCHEMAS["placements"])), "placements")
    p = d.rename(columns={"日期": "解决日期"})
    p["县区"] = p["统一社会信用代码"].map(_ledger_lookup(cd, "县区"))
    p["企业名称"] = p["统一社会信用代码"].map(_ledger_lookup(cd, "企业名称"))
    return typed(_stamp(p, cd), "placements")


COUNTY_COLUMNS = ("县区", "目的地县区")
FAULT_ROW_COLUMNS = (*COUNTY_COLUMNS, "统一社会信用代码")  # the raw cells a fault's county comes from


def _fault_county(row: pd.Series | None, city: City, county_of: dict) -> str | None:
    """The county a faulty input row belongs to: its own 县区 cell, else its enterprise's."""
    if row is None:
        return None
    for col in COUNTY_COLUMNS:
        raw = row.get(col)
        if raw is not None and not (isinstance(raw, float) and raw != raw) and str(raw).strip():
            match = resolve_county(raw, city)
            if match.county is not None:
                return match.county.name
    raw = row.get("统一社会信用代码")
    if raw is None or (isinstance(raw, float) and raw != raw) or not str(raw).strip():
        return None
    return county_of.get(codes.check_uscc(raw).value)


def faults_frame(cd) -> pd.DataFrame:
    """The day's faults (masked values, as in the 数据质量报告) with 县区 where it is known: the
    faulty row's 县区 cell, or the county of its enterprise on the list in force."""
    faults = cd.faults
    out = faults.assign(县区=fault_routing(cd, faults)["县区"].replace("", None))  # unknown: no county
    return typed(_stamp(out, cd), "faults")


ROUTING_COLUMNS = ["企业名称", "县区", "服务专员"]


def fault_routing(cd, faults: pd.DataFrame | None = None) -> pd.DataFrame:
    """Who can fix each fault (rows aligned with ``faults``, default ``cd.faults``): 企业名称 — the
    enterprise of the faulty row on the list in force (by its 统一社会信用代码, else its 企业名称 or
    返岗企业 cell), else the name as the row wrote it; 县区 — the row's own 县区 cell, else the
    enterprise's; 服务专员 — the enterprise's 人社服务专员. "" where the fault has no row (a file or
    header fault) or the row names no enterprise."""
    faults = cd.faults if faults is None else faults
    listed = cd.in_force
    by_code = {c: i for i, c in enumerate(listed["统一社会信用代码"])}
    by_name = {n: i for i, n in enumerate(listed["企业名称"])}
    county_of = dict(zip(listed["统一社会信用代码"], listed["县区"], strict=False))
    sheets = {(s.file, s.sheet): s.data for s in cd.inbox.sheets}
    by_row: dict[tuple[str, str], pd.Index] = {}  # a sheet's Excel row numbers (a million for table F)

    def raw_row(file: str, sheet: str, row) -> pd.Series | None:
        if row is None or pd.isna(row) or (file, sheet) not in sheets:
            return None
        if (file, sheet) not in by_row:
            by_row[(file, sheet)] = pd.Index(sheets[(file, sheet)]["_row"].astype("int64"))
        hits = by_row[(file, sheet)].get_indexer_for([int(row)])
        return None if hits[-1] < 0 else sheets[(file, sheet)].iloc[int(hits[-1])]

    def listed_at(row: pd.Series | None) -> int | None:
        if row is None:
            return None
        code = _text(row.get("统一社会信用代码"))
        if code:
            return by_code.get(codes.check_uscc(code).value)
        for col in ("企业名称", "返岗企业"):
            text = _text(row.get(col))
            if text:
                return by_name.get(text, by_code.get(codes.check_uscc(text).value))
        return None

    out = []
    for f, s, r in zip(faults["file"], faults["sheet"], faults["row"], strict=True):
        row = raw_row(f, s, r)
        at = listed_at(row)
        if at is not None:
            name, officer = str(listed["企业名称"].iloc[at]), _text(listed["人社服务专员"].iloc[at])
        else:
            name = _text(row.get("企业名称")) if row is not None else ""
            officer = ""
        out.append((name, _fault_county(row, cd.city, county_of) or "", officer))
    return pd.DataFrame(out, columns=ROUTING_COLUMNS, index=faults.index, dtype=object)


def _text(v) -> str:
    return "" if v is None or (isinstance(v, float) and v != v) or v is pd.NA else str(v).strip()


def publicity_frame(cd) -> pd.DataFrame:
    """The day's 经验做法 and 先进典型 (table K) as the brief shows them (``brief.publicity``: items
    dated on or before the day, free text scrubbed); read by the 周报 (``yonggong.week``)."""
    from .brief import publicity

    items = publicity(cd.tables.get("K"), cd.day)
    rows = [{"类别": kind, "标题": it["标题"], "内容": it["内容"], "单位或个人": it["单位"]}
            for kind, its in items.items() for it in its]
    return typed(_stamp(pd.DataFrame(rows, columns=["类别", "标题", "内容", "单位或个人"]), cd), "publicity")


def names(city: str, day: dt.date) -> dict[str, str]:
    """Parquet file names of a city day by kind (``catalogue`` group ``tidy``, keys without
    ``_parquet``): the tidy products, and ``ledger`` (the 台账 parquet of ``products.write_ledger``)."""
    return {key.removesuffix("_parquet"): name for key, name in catalogue.names("tidy", city, day).items()}


FRAMES = {"figures": figures_frame, "vacancies": vacancies_frame, "placements": placements_frame,
          "faults": faults_frame, "publicity": publicity_frame}


def write_tidy(cd, out_dir: str | Path) -> list[Path]:
    """Write the tidy parquet files of the city day into ``out_dir``; returns the paths."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    n = names(cd.city.name, cd.day)
    written = []
    for kind, frame in FRAMES.items():
        path = out_dir / n[kind]
        save_parquet(frame(cd), path)
        written.append(path)
    return written
