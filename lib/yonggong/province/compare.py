"""逐日对比: each accepted city's figures on D against D-1, a jump or a break between a cumulative
figure and its daily parts flagged for follow-up (thresholds: params/province.yaml
``day_over_day``)."""

from __future__ import annotations

import math

import pandas as pd

from .. import indicators
from .common import ACCEPTED, COMPARISON_COLUMNS, REMIND, Intake, Problem, config, number_text


def _threshold(fid: str) -> dict:
    rules = config()["day_over_day"]
    base = rules["rate"] if indicators.is_rate(fid) else rules["count"]
    return {**base, **((rules.get("figures") or {}).get(fid) or {})}


def _is_cumulative_count(fid: str) -> bool:
    ind = indicators.catalogue().get(fid)
    return ind is not None and ind.kind == "cumulative" and not ind.is_rate


def _value(row: pd.Series | None, fid: str) -> float:
    return float(row[fid]) if row is not None and fid in row.index and pd.notna(row[fid]) else math.nan


def compare(intake: Intake, previous: dict[str, pd.Series], totals: pd.Series,
            prev_totals: pd.Series | None, same_totals: pd.Series | None,
            columns: list[str]) -> tuple[pd.DataFrame, list[Problem]]:
    """逐日对比 rows (city × figure, then 全省合计) and the flags.

    A count or rate is flagged beyond its threshold (params/province.yaml ``day_over_day``); a
    cumulative count by its identity with the day's flows (:func:`_cumulative`). The 全省合计
    rows compare over the cities accepted on both days: 当日 and 前一日 are their totals
    (``same_totals``, ``prev_totals``); when that is not every city accepted today, 说明 gives
    the 全省合计 of the day as well.
    """
    action = config()["checks"].get("逐日变化", REMIND)
    rows, flags = [], []
    for st in intake.statuses:
        now = st.chosen.total if st.status in ACCEPTED else None
        before = previous.get(st.city.name)
        for fid in columns:
            a, b = _value(now, fid), _value(before, fid)
            change = a - b if not (math.isnan(a) or math.isnan(b)) else math.nan
            if _is_cumulative_count(fid):
                flagged, why = _cumulative(fid, now, a, b)
            else:
                flagged, why = _jump(fid, a, b)
            if now is None:
                why = f"当日{st.status}"
            elif before is None:
                why = "前一日无采用的报送"
            name = indicators.label(fid)
            rows.append({"设区市": st.city.full_name, "指标": name, "当日": a, "前一日": b,
                         "变化": round(change, 1) if not math.isnan(change) else math.nan,
                         "需跟进": "是" if flagged else "", "说明": why})
            if flagged:
                message = why if _is_cumulative_count(fid) else f"{name}较前一日{why}"
                flags.append(Problem(st.city.full_name, st.chosen.file, "逐日变化", f"合计行“{name}”",
                                     number_text(a), f"前一日{number_text(b)}", message, action))
    partial = same_totals is not None and any(s.status in ACCEPTED and s.city.name not in previous
                                              for s in intake.statuses)
    for fid in columns:
        whole = _value(totals, fid)
        a = _value(same_totals, fid) if same_totals is not None else whole
        b = _value(prev_totals, fid)
        change = a - b if not (math.isnan(a) or math.isnan(b)) else math.nan
        why = "前一日没有可比的有效报送，不作比较" if prev_totals is None else \
            (f"当日全省合计为{number_text(whole)}" if partial else "")
        rows.append({"设区市": config()["total_label"], "指标": indicators.label(fid), "当日": a, "前一日": b,
                     "变化": round(change, 1) if not math.isnan(change) else math.nan, "需跟进": "", "说明": why})
    return pd.DataFrame(rows, columns=COMPARISON_COLUMNS), flags


def _cumulative(fid: str, now: pd.Series | None, a: float, b: float) -> tuple[bool, str]:
    """A cumulative count against the day's flows of the submission (the catalogue's
    ``accumulates``): 累计(D) − 累计(D−1) must be 当日解决用工(D) + 补报解决用工(D) ("—" counts as
    nothing); without a 补报 column, at least 当日解决用工(D). A cumulative count without such an
    identity must not fall. Returns (flagged, 说明)."""
    if now is None or math.isnan(a) or math.isnan(b):
        return False, ""
    name = indicators.label(fid)
    accumulates = indicators.get(fid).accumulates
    if not accumulates:  # no identity with the day's flows (劳务输出 registrations): it must only not fall
        if a < b - 1e-9:
            return True, f"{name}较前一日减少{number_text(b - a)}（累计数不应减少），请核实"
        return False, ""
    flow_key, late_key = accumulates
    flow_name, late_name = indicators.label(flow_key), indicators.label(late_key)
    delta = a - b
    flow = _value(now, flow_key)
    flow = 0.0 if math.isnan(flow) else flow
    moved = f"{name}较前一日{'增加' if delta >= 0 else '减少'}{number_text(abs(delta))}"
    if late_key not in now.index:
        if delta < flow - 1e-9:
            return True, (f"{moved}，少于{flow_name}{number_text(flow)}（报表无“{late_name}”一列，"
                          f"{name}的增加至少应为{flow_name}），请核实")
        return False, f"{moved}，不少于{flow_name}{number_text(flow)}（报表无“{late_name}”一列）"
    late = _value(now, late_key)
    late = 0.0 if math.isnan(late) else late
    want = flow + late
    if abs(delta - want) > 1e-9:
        diff = delta - want
        return True, (f"{moved}，应等于{flow_name}{number_text(flow)}＋{late_name}{number_text(late)}"
                      f"＝{number_text(want)}，{'多' if diff > 0 else '少'}{number_text(abs(diff))}，请核实")
    return False, f"{moved}，等于{flow_name}{number_text(flow)}＋{late_name}{number_text(late)}"


def _jump(fid: str, now: float, before: float) -> tuple[bool, str]:
    if math.isnan(now) or math.isnan(before):
        return False, ""
    rule = _threshold(fid)
    change = now - before
    if "points" in rule:
        if abs(change) > float(rule["points"]) + 1e-9:
            return True, f"{'上升' if change > 0 else '下降'}{abs(change):.1f}个百分点（阈值{rule['points']}个百分点）"
        return False, ""
    rel, absolute = float(rule.get("relative", 0)), float(rule.get("absolute", 0))
    if abs(change) > absolute and abs(change) > rel * abs(before):
        pct = f"{abs(change) / abs(before) * 100:.1f}%" if before else "—"
        return True, (f"{'增加' if change > 0 else '减少'}{number_text(abs(change))}（{pct}；"
                      f"阈值：超过{rel * 100:g}%且超过{absolute:g}）")
    return False, ""
