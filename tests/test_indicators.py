"""The shared rules of yonggong.indicators on small hand-made values: the one rate, the one total,
the rows left out of a total, the open-problem predicate, the deadline, the report period and
local time. (The catalogue's use in the 汇总表 is tested in test_figures.py.)"""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd
import pytest

from yonggong import indicators as ind

NAN = float("nan")


def _same(a, b) -> bool:
    return (isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b)) or a == b


@pytest.mark.parametrize("num, den, want", [
    (1, 3, 33.3),         # 33.33… to one decimal
    (2, 3, 66.7),         # rounds half up at .x5 here: 66.66… → 66.7
    (5, 5, 100.0),
    (1, 1, 100.0),        # a denominator of one is a base
    (3, 1, 300.0),
    (0, 4, 0.0),
    (7, 0, NAN),          # no denominator
    (3, -2, NAN),         # a negative denominator is not a base
    (None, 4, NAN),
    (4, None, NAN),
    (NAN, 4, NAN),
    (4, NAN, NAN),
    ("x", 4, NAN),        # not a number
    (np.int64(1), np.int64(8), 12.5),
])
def test_ratio_of_scalars(num, den, want):
    got = ind.ratio(num, den)
    assert isinstance(got, float) and _same(got, want), (num, den, got)


def test_ratio_of_series_and_of_a_series_with_a_scalar():
    num = pd.Series([1, 2, 0, 5, None], dtype="Int64", index=list("abcde"))
    den = pd.Series([3, 3, 4, 0, 2], dtype="Int64", index=list("abcde"))
    got = ind.ratio(num, den)
    assert got.dtype == "float64" and list(got.index) == list("abcde")
    assert [None if math.isnan(v) else v for v in got] == [33.3, 66.7, 0.0, None, None]
    # a scalar on either side is broadcast over the other's index
    left = ind.ratio(pd.Series([1.0, 3.0], index=["x", "y"]), 4)
    assert left.tolist() == [25.0, 75.0] and list(left.index) == ["x", "y"]
    one = ind.ratio(pd.Series([1.0, 2.0]), pd.Series([1.0, 1.0]))
    assert one.tolist() == [100.0, 200.0]
    right = ind.ratio(3, pd.Series([4.0, 0.0, 6.0]))
    assert right.iloc[0] == 75.0 and math.isnan(right.iloc[1]) and right.iloc[2] == 50.0


def _catalogue_rate_with_two_parts():
    """A rate of the catalogue whose numerator or denominator has more than one part."""
    for key in ind.rates():
        c = ind.catalogue()[key]
        if len(c.numerator) > 1 or len(c.denominator) > 1:
            return key, c
    return None, None


def test_sum_parts_is_nan_when_any_part_is_nan_or_missing():
    frame = pd.DataFrame({"a": [1.0, NAN, 2.0], "b": [3.0, 4.0, NAN]}, index=["r1", "r2", "r3"])
    got = ind._sum_parts(frame, ("a", "b"))
    assert got.iloc[0] == 4.0 and math.isnan(got.iloc[1]) and math.isnan(got.iloc[2])
    assert list(got.index) == ["r1", "r2", "r3"]
    one = ind._sum_parts(frame, ("a",))
    assert one.iloc[0] == 1.0 and math.isnan(one.iloc[1]) and one.iloc[2] == 2.0
    missing = ind._sum_parts(frame, ("a", "zz"))
    assert missing.isna().all() and list(missing.index) == ["r1", "r2", "r3"]


def test_total_sums_counts_skipping_nan_and_recomputes_rates():
    cat = ind.catalogue()
    rate = "复工率"
    num, den = cat[rate].numerator, cat[rate].denominator
    assert num == ("已复工企业数",) and den == ("重点企业数",)
    frame = pd.DataFrame({"重点企业数": [4.0, 6.0, NAN], "已复工企业数": [2.0, 6.0, NAN],
                          "推送人次": [NAN, NAN, NAN], rate: [50.0, 100.0, NAN]},
                         index=["东湖区", "西湖区", "市本级"])
    got = ind.total(frame)
    assert got["重点企业数"] == 10.0 and got["已复工企业数"] == 8.0
    assert math.isnan(got["推送人次"])  # every row "—": the total is "—" too, not 0
    assert got[rate] == 80.0            # 8 / 10, not the mean of 50 and 100
    assert list(got.index[:4]) == ["重点企业数", "已复工企业数", "推送人次", rate]
    assert set(ind.rates()) <= set(got.index)  # every rate of the catalogue is there
    others = [k for k in ind.rates() if k != rate]
    assert all(math.isnan(got[k]) for k in others)  # their counts are not in this frame


def test_add_rates_recomputes_every_rate_row_by_row():
    frame = pd.DataFrame({"重点企业数": [4.0, 0.0], "已复工企业数": [1.0, 0.0], "复工率": [99.0, 99.0]})
    got = ind.add_rates(frame)
    assert got.loc[0, "复工率"] == 25.0 and math.isnan(got.loc[1, "复工率"])


def test_left_out_names_rows_without_a_count_but_not_rates_or_all_blank_columns():
    frame = pd.DataFrame({"推送人次": [NAN, 5.0, 3.0], "员工总数": [1.0, 2.0, 3.0], "点对点运输人数": [NAN, NAN, NAN],
                          "复工率": [NAN, 50.0, 50.0]}, index=["东湖区", "西湖区", "市本级"])
    assert ind.left_out(frame) == {"推送人次": ["东湖区"]}
    rate_first = frame[["复工率", "推送人次", "员工总数"]]  # a rate before the counts is skipped, not the end
    assert ind.left_out(rate_first) == {"推送人次": ["东湖区"]}


def test_open_problem_needs_text_and_not_solved():
    ledger = pd.DataFrame({"问题困难": ["缺口罩", "  ", None, "招工难", "物流", pd.NA],
                           "问题是否解决": [None, None, False, True, False, True]})
    assert ind.open_problem(ledger).tolist() == [True, False, False, False, True, False]


def test_deadline_and_report_period_come_from_settings():
    day = dt.date(2020, 2, 26)
    assert ind.deadline(day) == dt.datetime(2020, 2, 26, 15, 0)
    assert ind.period(day) == (dt.datetime(2020, 2, 25, 15, 0), dt.datetime(2020, 2, 26, 15, 0))
    times = pd.Series([dt.datetime(2020, 2, 25, 15, 0), dt.datetime(2020, 2, 25, 15, 1),
                       dt.datetime(2020, 2, 26, 15, 0), dt.datetime(2020, 2, 26, 15, 0, 1), None])
    assert ind.in_period(times, day).tolist() == [False, True, True, False, False]
    text = pd.Series(["2020-02-26 09:00", "不详", None], dtype=object)  # what is not a time is in no period
    assert ind.in_period(text, day).tolist() == [True, False, False]


def test_clock_reads_hours_and_minutes(monkeypatch):
    monkeypatch.setattr(ind, "settings", lambda: {"deadline": " 9:05 ", "period_cutoff": "23:30"})
    assert ind._clock("deadline") == dt.time(9, 5)
    assert ind.period(dt.date(2020, 3, 1)) == (dt.datetime(2020, 2, 29, 23, 30), dt.datetime(2020, 3, 1, 23, 30))


def test_local_time_is_china_standard_time_to_the_second():
    # 2020-02-26 07:00:00.9 UTC is 15:00:00 in Beijing (UTC+8, no daylight saving)
    ts = dt.datetime(2020, 2, 26, 7, 0, 0, 900000, tzinfo=dt.UTC).timestamp()
    got = ind.local_time(ts)
    assert got == dt.datetime(2020, 2, 26, 15, 0, 0) and got.tzinfo is None
