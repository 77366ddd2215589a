"""validate.passes: the direct evaluation of a table's schema checks agrees with pandera's own
verdict on every clean table of sample days (both outcomes occur), and each kind of failure makes
it answer False so that the schema runs and reports."""

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


def _pandera_passes(spec, df) -> bool:
    try:
        validate.schema_for(spec).validate(df, lazy=True)
        return True
    except pa.errors.SchemaErrors:
        return False


def test_the_direct_checks_agree_with_pandera_on_the_sample(sample_inbox):
    seen = {True: 0, False: 0}
    for city, day in [("南昌", "2020-02-23"), ("南昌", "2020-02-26"), ("新余", "2020-02-26"), ("赣州", "2020-03-01"),
                      ("九江", "2020-02-25")]:
        inbox = read_day(sample_inbox / city / day)
        log = FaultLog(inbox)
        for code, spec in table_specs().items():
            raw = inbox.table(code)
            if raw is None:
                continue
            df = clean_table(code, raw, resolve_city(city), dt.date.fromisoformat(day), log)
            if df.empty:
                continue
            want = _pandera_passes(spec, df)
            assert validate.passes(spec, df) == want, f"{city} {day} 表{code}"
            seen[want] += 1
    assert seen[True] > 10 and seen[False] >= 1, seen  # both ways taken on the sample


def _b(**over) -> pd.DataFrame:
    row = {"员工总数": 100, "在岗人数": 80, "已返岗人数": 70, "缺工人数": 5}
    row.update(over)
    df = pd.DataFrame([row])
    for c in df.columns:
        df[c] = df[c].astype("Int64")
    return df


@pytest.mark.parametrize("frame, ok", [
    (_b(), True),
    (_b(缺工人数=-1), False),  # a negative count
    (_b(在岗人数=120), False),  # a row rule (在岗人数 ≤ 员工总数)
    (_b(已返岗人数=120), False),  # a row rule of level 警告 still fails the schema
    (_b().astype({"员工总数": "float64"}), False),  # not the schema's dtype
])
def test_each_kind_of_failure_is_left_to_pandera(frame, ok):
    spec = table_specs()["B"]
    assert validate.passes(spec, frame) is ok
    assert _pandera_passes(spec, frame) is ok
