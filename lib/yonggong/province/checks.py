"""The checks of one submission: 合计, 比率, 负数, 县区."""

from __future__ import annotations

import pandas as pd

from .. import indicators
from ..reference import city_counties, resolve_county, settings
from .common import RETURN, Problem, Submission, config, number_text

# --------------------------------------------------------------------------- checks


def check_figures(sub: Submission) -> list[Problem]:
    """The checks of one readable submission (params/province.yaml ``checks``; rates from the
    indicator catalogue)."""
    cfg = config()
    actions = cfg["checks"]
    city = sub.city
    f = sub.figures
    total_label = settings()["total_row"]
    city_row = settings()["city_level_row"]
    out: list[Problem] = []

    def add(check, where, value, expected, message):
        out.append(Problem(city.full_name, sub.file, check, where, value, expected, message,
                           actions.get(check, RETURN)))

    labels = list(f.index)
    counts = [c for c in f.columns if not indicators.is_rate(c)]
    if sub.companion_error:
        add("劳务输出", "劳务输出表", "", "", sub.companion_error)

    # Rows: counties of the city (no repeats), 市本级, and a final 合计.
    own = {c.name for c in city_counties(city)}
    seen = set()
    for label in labels:
        if label in (total_label, city_row):
            continue
        if label in seen:
            add("县区", f"行“{label}”", label, "每个县区一行", f"县区“{label}”出现多次")
        seen.add(label)
        if label not in own:
            match = resolve_county(label, city)
            why = match.note if match.county is None else f"县区“{label}”应写规范名称“{match.county.name}”"
            add("县区", f"行“{label}”", label, f"{city.full_name}的县区", why)
    if labels[-1] != total_label:
        add("合计", "表末", labels[-1], total_label, "汇总表缺少“合计”行")
    else:
        body = f.iloc[:-1]
        total = f.iloc[-1]
        tol = float(cfg.get("total_tolerance", 0))
        for fid in counts:
            rows_sum = body[fid].sum(min_count=1)
            have = total[fid]
            if pd.isna(rows_sum) and pd.isna(have):
                continue
            if pd.isna(rows_sum) != pd.isna(have) or abs(float(have) - float(rows_sum)) > tol + 1e-9:
                name = indicators.label(fid)
                add("合计", f"行“合计”，列“{name}”", number_text(have), number_text(rows_sum),
                    f"合计行“{name}”为{number_text(have)}，上方各行之和为{number_text(rows_sum)}")

    # No negatives.
    for label, row in f.iterrows():
        for fid, v in row.items():
            if pd.notna(v) and float(v) < 0:
                name = indicators.label(fid)
                add("负数", f"行“{label}”，列“{name}”", number_text(v), "≥0",
                    f"行“{label}”“{name}”为负数（{number_text(v)}）")

    # Rates follow from their counts (the catalogue); without the count columns (an older
    # form) a rate is only checked to lie within 0–100.
    slack = 0.05 + float(cfg.get("rate_tolerance", 0.05)) + 1e-9
    for rid in indicators.rates():
        if rid not in f.columns:
            continue
        ind = indicators.get(rid)
        name = ind.label
        with_counts = set(ind.numerator + ind.denominator) <= set(f.columns)
        for label, row in f.iterrows():
            v = row[rid]
            where = f"行“{label}”，列“{name}”"
            if pd.notna(v) and not 0 <= float(v) <= 100:
                add("比率", where, number_text(v), "0–100", f"{name}超出0–100")
                continue
            if not with_counts:
                continue
            num = _sum_of(row, ind.numerator)
            den = _sum_of(row, ind.denominator)
            if den is None or den <= 0:
                if pd.notna(v):
                    add("比率", where, number_text(v), "—", f"{name}的分母为0或未报送，比率应为“—”")
                continue
            if num is None:
                continue
            want = indicators.ratio(num, den)
            if pd.isna(v):
                add("比率", where, "—", f"{want:.1f}", f"{name}应由计数算出（{want:.1f}），不应为空")
            elif abs(float(v) - want) > slack:
                add("比率", where, number_text(v), f"{want:.1f}", f"{name}为{number_text(v)}，由计数算得{want:.1f}")
    return out


def _sum_of(row: pd.Series, ids) -> float | None:
    """Sum of figures ``ids`` of a row; None when any is missing ("—") or absent."""
    vals = [row.get(i) for i in ids]
    if any(v is None or pd.isna(v) for v in vals):
        return None
    return float(sum(float(v) for v in vals))
