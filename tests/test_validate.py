"""validate.failures: the rules of one table, evaluated column-wise, against hand-worked frames and
against pandera as an independent route: a lazy pandera schema built here from the same rules
(params/tables.yaml and validate.ROW_RULES) finds the same failing rows on every clean table of
sample days with planted rule faults and on frames built by hand."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pandera.pandas as pa
import pytest

from yonggong import validate
from yonggong.clean import clean_table
from yonggong.faults import FaultLog
from yonggong.ingest import read_day
from yonggong.reference import resolve_city, table_specs


def _schema(spec) -> pa.DataFrameSchema:
    """The table's rules as a pandera schema: counts ≥ 0 (blank cells ignored) and the row rules."""
    columns = {}
    for col in spec.columns:
        checks = [pa.Check(lambda s: s >= 0, element_wise=False, error=f"{col.name}不能为负数")] \
            if col.type in validate.NUMERIC else []
        columns[col.name] = pa.Column(checks=checks, nullable=True, required=False, coerce=False)
    checks = [pa.Check(fn, error=problem) for _r, _l, _c, fn, problem, _a in validate.ROW_RULES.get(spec.code, [])]
    return pa.DataFrameSchema(columns, checks=checks, strict=False, coerce=False)


def _pandera_failures(spec, df) -> set[tuple]:
    """(index, rule, column) of every failure pandera reports."""
    rules = {problem: (rule, cols[0]) for rule, _l, cols, _f, problem, _a in validate.ROW_RULES.get(spec.code, [])}
    try:
        _schema(spec).validate(df, lazy=True)
        return set()
    except pa.errors.SchemaErrors as err:
        cases = err.failure_cases
    out = set()
    for case in cases.itertuples():
        if case.index is None or case.index != case.index:
            continue
        if case.check in rules:
            out.add((case.index, *rules[case.check]))
        else:
            out.add((case.index, "non_negative", case.column))
    return out


def _ours(spec, df) -> list[tuple]:
    return [(idx, rule, column) for idx, rule, _level, column, _p, _a in validate.failures(spec, df)]


def test_the_rules_agree_with_pandera_on_the_sample(sample_inbox):
    seen = {True: 0, False: 0}
    for city, day in [("南昌", "2020-02-23"), ("南昌", "2020-02-26"), ("新余", "2020-02-26"), ("赣州", "2020-03-01"),
                      ("九江", "2020-02-25"), ("萍乡", "2020-02-27"), ("九江", "2020-02-26"), ("宜春", "2020-02-26")]:
        inbox = read_day(sample_inbox / city / day)
        log = FaultLog(inbox)
        for code, spec in table_specs().items():
            raw = inbox.table(code)
            if raw is None:
                continue
            df = clean_table(code, raw, resolve_city(city), dt.date.fromisoformat(day), log)
            if df.empty:
                continue
            ours = _ours(spec, df)
            assert len(ours) == len(set(ours))
            assert set(ours) == _pandera_failures(spec, df), f"{city} {day} 表{code}"
            seen[not ours] += 1
    assert seen[True] > 10 and seen[False] >= 3, seen  # tables with and without failures (3 planted)


def _b(rows: list[dict]) -> pd.DataFrame:
    df = pd.DataFrame(rows, index=[10 + i for i in range(len(rows))])
    for c in df.columns:
        df[c] = df[c].astype("Int64")
    return df


ROW = {"员工总数": 100, "在岗人数": 80, "已返岗人数": 70, "缺工人数": 5}


@pytest.mark.parametrize("rows, expected", [
    ([ROW], []),
    ([ROW, {**ROW, "缺工人数": -1}], [(11, "non_negative", "缺工人数")]),
    ([{**ROW, "在岗人数": 120}], [(10, "on_post_le_total", "在岗人数")]),
    ([{**ROW, "已返岗人数": 120}], [(10, "returned_le_total", "已返岗人数")]),
    # blank cells: a rule with a blank operand holds; a blank count is not negative
    ([{**ROW, "员工总数": None, "在岗人数": 500, "缺工人数": None}], []),
    # a row failing two rules and a count, in the order: row rules, then counts column by column
    ([ROW, {"员工总数": -10, "在岗人数": -1, "已返岗人数": 3, "缺工人数": -2}],
     [(11, "on_post_le_total", "在岗人数"), (11, "returned_le_total", "已返岗人数"),
      (11, "non_negative", "员工总数"), (11, "non_negative", "在岗人数"), (11, "non_negative", "缺工人数")]),
])
def test_each_rule_by_hand_and_as_pandera_finds_it(rows, expected):
    spec = table_specs()["B"]
    df = _b(rows)
    assert _ours(spec, df) == expected
    assert set(expected) == _pandera_failures(spec, df)


def test_a_rule_that_cannot_be_evaluated_reports_nothing():
    spec = table_specs()["B"]
    df = _b([{**ROW, "在岗人数": 120}]).drop(columns=["员工总数"])  # the rule's other column is missing
    assert _ours(spec, df) == [] == sorted(_pandera_failures(spec, df))
    text = pd.DataFrame({"缺工人数": ["五", "-3"]})  # not numbers: the count check cannot run
    assert _ours(spec, text) == [] == sorted(_pandera_failures(spec, text))


def test_check_rows_logs_each_failure_and_drops_rows_with_an_error(tmp_path):
    df = _b([ROW, {**ROW, "已返岗人数": 120}, {**ROW, "缺工人数": -1}])
    df["_file"], df["_sheet"], df["_row"] = "B.csv", "", [2, 3, 4]
    log = FaultLog(read_day(tmp_path))
    kept = validate.check_rows("B", df, log)
    assert list(kept.index) == [10, 11]  # the 警告 row kept, the 错误 row dropped
    assert [(f.rule, f.level, f.row) for f in log.faults] == [("returned_le_total", "警告", 3),
                                                              ("non_negative", "错误", 4)]


def test_a_row_of_blanks_passes_a_row_rule_as_in_pandera(monkeypatch):
    spec = table_specs()["B"]
    rule = ("positive", "错误", ["在岗人数"], lambda df: df["在岗人数"] > 0, "在岗人数应大于0", "请核对")
    monkeypatch.setitem(validate.ROW_RULES, "B", [rule])
    df = _b([ROW, {"员工总数": None, "在岗人数": None, "已返岗人数": None, "缺工人数": None}, {**ROW, "在岗人数": 0}])
    df["在岗人数"] = df["在岗人数"].astype("float64")  # blank as NaN: the rule answers False on it
    assert _ours(spec, df) == [(12, "positive", "在岗人数")]
    assert _pandera_failures(spec, df) == {(12, "positive", "在岗人数")}
