"""The province day's tidy parquet files, read by yonggong.history."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd

from .. import indicators, tidy
from ..reference import cities
from .common import COMPLETENESS_COLUMNS, K_COLUMNS, PROBLEM_COLUMNS, late_minutes, names
from .day import ProvinceDay

# --------------------------------------------------------------------------- tidy parquet (yonggong.history)

# The province day for code (``yonggong.history.submissions / checks / province``): file stems
# (names: ``<kind>_parquet``) and column types. 设区市 is the city's short name (as in every
# tidy file), blank cells are null.
TIDY_SCHEMAS: dict[str, dict[str, str]] = {
    "submissions": {"日期": tidy.DATE, **{c: tidy.DATE if c == "收到时间" else tidy.STR for c in COMPLETENESS_COLUMNS},
                    "迟报分钟": tidy.INT},
    "checks": {"日期": tidy.DATE, **dict.fromkeys(PROBLEM_COLUMNS, tidy.STR)},
    "figures": {"日期": tidy.DATE, "设区市": tidy.STR, "指标": tidy.STR, "数值": tidy.FLOAT},
    "publicity": tidy.SCHEMAS["publicity"],
}


def _short_name(label) -> str:
    """A city's short name for its full name; other labels (全省合计, （未识别）) as they are."""
    return {c.full_name: c.name for c in cities()}.get(label, label)


def _tidy(df: pd.DataFrame, day: dt.date, kind: str) -> pd.DataFrame:
    df = df.assign(设区市=df["设区市"].map(_short_name))
    df.insert(0, "日期", pd.Timestamp(day))
    text = [c for c, t in TIDY_SCHEMAS[kind].items() if t == tidy.STR and c in df.columns]
    df[text] = df[text].astype(object).replace("", None)
    return tidy.typed(df, kind, TIDY_SCHEMAS)


def submissions_frame(pday: ProvinceDay) -> pd.DataFrame:
    """报送情况 (``pday.completeness``, one row per city) with 收到时间 as a time (to the second;
    the sheet shows minutes) and 迟报分钟 = minutes after the deadline as in 迟报时长 (null when the
    counted file came in time or nothing came)."""
    df = pday.completeness.assign(
        收到时间=[s.received for s in pday.statuses],
        迟报分钟=[None if s.late_by is None else late_minutes(s.late_by) for s in pday.statuses])
    return _tidy(df, pday.day, "submissions")


def checks_frame(pday: ProvinceDay) -> pd.DataFrame:
    """审核问题: every failed check of the day (``pday.problems``)."""
    return _tidy(pday.problems, pday.day, "checks")


def figures_frame(pday: ProvinceDay) -> pd.DataFrame:
    """The roll-up as the 汇总表 files it, long: one row per city (GB/T 2260 order) then 全省合计, and
    indicator (its label); 数值 is NaN where the 汇总表 shows "—" or the city's status (退回 / 未报送)."""
    f = pday.figures[[c for c in pday.figures.columns if c in set(indicators.keys())]]
    values = f.apply(pd.to_numeric, errors="coerce").to_numpy(dtype="float64")
    long = pd.DataFrame({"设区市": np.repeat(np.asarray(f.index, dtype=object), len(f.columns)),
                         "指标": np.tile(np.asarray([indicators.label(k) for k in f.columns], dtype=object), len(f)),
                         "数值": values.reshape(-1)})
    return _tidy(long, pday.day, "figures")


def publicity_frame(pday: ProvinceDay) -> pd.DataFrame:
    """The cities' 经验做法 and 先进典型 of the day as the province brief shows them (``pday.k_items``,
    free text scrubbed like the brief's); read by the province 周报 (``yonggong.week``)."""
    from ..brief import scrub

    k = pday.k_items if pday.k_items is not None else pd.DataFrame(columns=K_COLUMNS)
    df = pd.DataFrame({"设区市": k["设区市"].astype(object), "类别": k["类别"].astype(object),
                       **{c: k[c].map(scrub) for c in ("标题", "内容", "单位或个人")}})
    return _tidy(df, pday.day, "publicity")


TIDY_FRAMES = {"submissions": submissions_frame, "checks": checks_frame, "figures": figures_frame,
               "publicity": publicity_frame}


def write_tidy(pday: ProvinceDay, out_dir) -> list[Path]:
    """Write the province day's parquet files (``names``: ``<kind>_parquet``) into ``out_dir``."""
    from ..xlsxio import save_parquet

    n = names(pday.day)
    written = []
    for kind, frame in TIDY_FRAMES.items():
        save_parquet(frame(pday), Path(out_dir) / n[f"{kind}_parquet"])
        written.append(Path(out_dir) / n[f"{kind}_parquet"])
    return written
