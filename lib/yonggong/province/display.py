"""Tables the province notebook shows."""

from __future__ import annotations

import math
from collections.abc import Sequence

import pandas as pd

from .. import indicators
from .common import config, number_text
from .day import ProvinceDay

# --------------------------------------------------------------------------- notebook display


def rates_table(pday: ProvinceDay) -> pd.DataFrame:
    """报送率 and 按时报送率 with the counts behind them (one row).

    Parameters
    ----------
    pday : ProvinceDay
        The province day (``province.day.load``).

    Returns
    -------
    pandas.DataFrame
        One row: 应报, 已收到, 有效报送, 按时, 迟报, 退回, 未报送, 报送率, 按时报送率 (``pday.rates``).
    """
    return pd.DataFrame([pday.rates])


def figures_table(pday: ProvinceDay) -> pd.DataFrame:
    """The roll-up as shown: one column per city, "—" for not reported, 退回 / 未报送 for excluded cities.

    Parameters
    ----------
    pday : ProvinceDay
        The province day (``province.day.load``).

    Returns
    -------
    pandas.DataFrame
        Index the figure keys; one column per city (full name) and the total (全省合计); values
        as text.
    """
    def show(v):
        if isinstance(v, str):
            return v
        return "—" if pd.isna(v) else number_text(v)

    return pday.figures.T.map(show)


def comparison_matrix(comparison: pd.DataFrame, keys: Sequence[str] | None = None
                      ) -> tuple[pd.DataFrame, list[tuple[int, int]]]:
    """逐日对比 as a reviewer reads it: one row per city (then 全省合计), one column per key indicator
    (params ``comparison_matrix``) holding the day's value and its change (“1,749（−140）”, “—”
    without a value, the status of a city not rolled up), then 需跟进 (the labels of every flagged
    indicator of the city, key or not) and 说明 (their reasons). Returns the frame and the flagged
    (row, column) positions of key cells, 0-based in the frame's body."""
    keys = list(config()["comparison_matrix"] if keys is None else keys)
    labels = [indicators.label(k) for k in keys]
    rates = {indicators.label(k) for k in keys if indicators.catalogue()[k].is_rate}
    rows, flagged = [], []
    for i, (city, part) in enumerate(comparison.groupby("设区市", sort=False)):
        by = part.set_index("指标")
        row = {"设区市": city}
        for j, label in enumerate(labels):
            if label not in by.index:
                row[label] = "—"
                continue
            r = by.loc[label]
            now, change = r["当日"], r["变化"]
            if isinstance(now, float) and math.isnan(now):
                why = str(r["说明"] or "")
                row[label] = why.removeprefix("当日") if why.startswith("当日") else "—"
            else:
                shown = f"{now:.1f}" if label in rates else f"{now:,.0f}"
                if not (isinstance(change, float) and math.isnan(change)):
                    step = f"{abs(change):.1f}" if label in rates else f"{abs(change):,.0f}"
                    shown += "（持平）" if change == 0 else f"（{'+' if change > 0 else '−'}{step}）"
                row[label] = shown
            if r["需跟进"] == "是":
                flagged.append((i, j + 1))
        follow = part[part["需跟进"] == "是"]
        row["需跟进"] = "、".join(follow["指标"])
        row["说明"] = "；".join(f"{n}：{w}" for n, w in zip(follow["指标"], follow["说明"], strict=True) if w)
        rows.append(row)
    return pd.DataFrame(rows, columns=["设区市", *labels, "需跟进", "说明"]), flagged


def flagged_changes(pday: ProvinceDay) -> pd.DataFrame:
    """The 逐日对比 rows flagged for follow-up.

    Parameters
    ----------
    pday : ProvinceDay
        The province day (``province.day.load``).

    Returns
    -------
    pandas.DataFrame
        The rows of ``pday.comparison`` with 需跟进 = 是 (设区市, 指标, 当日, 前一日, 变化, 需跟进,
        说明), renumbered.
    """
    return pday.comparison[pday.comparison["需跟进"] == "是"].reset_index(drop=True)


def chase_public(pday: ProvinceDay) -> pd.DataFrame:
    """The 催报 list without phone numbers (the numbers are in the xlsx).

    Parameters
    ----------
    pday : ProvinceDay
        The province day (``province.day.load``).

    Returns
    -------
    pandas.DataFrame
        设区市, 状态, 事由, 联络员 of ``pday.chase``: one row per liaison of each missing, late or
        returned city.
    """
    return pday.chase[["设区市", "状态", "事由", "联络员"]]
