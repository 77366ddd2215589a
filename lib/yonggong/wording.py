"""How figures, dates and day-over-day changes are written in every Chinese product (the brief,
附件3, the province's pages): one definition each.

* :func:`cn_date` / :func:`month_day` — 2020年2月26日 / 2月26日;
* :func:`show` / :func:`kind_of` — a figure as printed: 1,749 (counts, thousands separators),
  94.5 (rates, one decimal), "—" when not reported;
* :func:`previous` — the trend row a 较上日 change compares with;
* :func:`change_lead` / :func:`change_text` — 较上日 / 较2月24日, and 增加12人 / 减少3家 /
  提高1.8个百分点 / 持平.
"""

from __future__ import annotations

import datetime as dt
import math

import pandas as pd

from . import indicators


def cn_date(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def month_day(day: dt.date) -> str:
    return f"{day.month}月{day.day}日"


def given(v) -> bool:
    """A figure that is reported (not None, NA or NaN)."""
    return v is not None and v is not pd.NA and not (isinstance(v, float) and math.isnan(v))


def show(v, kind: str = "count") -> str:
    """A figure as printed: 1,749 / 94.5 / "—"."""
    if not given(v):
        return "—"
    return f"{float(v):.1f}" if kind == "rate" else f"{round(float(v)):,}"


def kind_of(key: str) -> str:
    """How a figure is printed: "rate" (one decimal) or "count" (integer with thousands separators)."""
    return "rate" if indicators.is_rate(key) else "count"


def previous(trend: pd.DataFrame | None, day: dt.date) -> tuple[dt.date | None, pd.Series | None]:
    """The newest trend row before ``day`` (the day before, when it was computed)."""
    if trend is None or trend.empty:
        return None, None
    earlier = [d for d in trend.index if d < day]
    if not earlier:
        return None, None
    d = max(earlier)
    return d, trend.loc[d]


def change_lead(prev_day: dt.date | None, day: dt.date) -> str:
    """较上日 when the comparison is with the day before, 较2月24日 with an older day, "" without one."""
    if prev_day is None:
        return ""
    return "较上日" if prev_day == day - dt.timedelta(days=1) else f"较{month_day(prev_day)}"


def change_text(now, before, kind: str, unit: str) -> str:
    """较上日 wording: 增加12人 / 减少3家 / 提高1.8个百分点 / 持平; "" when either is missing."""
    if not (given(now) and given(before)):
        return ""
    d = float(now) - float(before)
    if kind == "rate":
        d = round(d, 1)
        if d == 0:
            return "持平"
        return f"{'提高' if d > 0 else '下降'}{abs(d):.1f}个百分点"
    d = round(d)
    if d == 0:
        return "持平"
    return f"{'增加' if d > 0 else '减少'}{abs(d):,}{unit}"
