"""Categoricals for the big tables: less memory, the same answers as text columns."""

from __future__ import annotations

import pandas as pd
from conftest import SAMPLE

from yonggong import pipeline, restricted
from yonggong.reference import table_specs


def test_compact_only_touches_the_listed_columns_and_provenance():
    df = pd.DataFrame({"出发地": ["湖北省", "湖南省", "湖北省"], "姓名": ["甲", "乙", "丙"],
                       "_file": ["a.csv"] * 3, "_sheet": ["s"] * 3})
    out = pipeline.compact(df, ("出发地",))
    assert [c for c in out.columns if isinstance(out[c].dtype, pd.CategoricalDtype)] == ["出发地", "_file", "_sheet"]
    assert out.astype(object).equals(df.astype(object))
    assert pipeline.compact(df, ()) is df  # a table with no categorical columns is left alone


def test_concat_unites_categories_and_keeps_values():
    a = pipeline.compact(pd.DataFrame({"出发地": ["湖北省", "广东省"]}), ("出发地",))
    b = pipeline.compact(pd.DataFrame({"出发地": ["湖南省", None]}), ("出发地",))
    both = pipeline.concat_keeping_categories([a, b])
    assert isinstance(both["出发地"].dtype, pd.CategoricalDtype)
    assert list(both["出发地"].cat.categories) == ["广东省", "湖北省", "湖南省"]
    assert both["出发地"].astype(object).where(both["出发地"].notna(), None).tolist() == \
        ["湖北省", "广东省", "湖南省", None]


def test_sample_f_is_categorical_and_gives_the_same_lists_as_text():
    cd = pipeline.load(SAMPLE, "南昌", None)
    f = cd.accumulated("F", key="身份证号")
    assert set(table_specs()["F"].categorical) <= {c for c in f.columns if isinstance(f[c].dtype, pd.CategoricalDtype)}
    as_text = f.astype({c: object for c in f.columns if isinstance(f[c].dtype, pd.CategoricalDtype)})
    for got, want in zip(restricted.transport_groups(f), restricted.transport_groups(as_text), strict=True):
        assert len(want) > 0
        pd.testing.assert_frame_equal(got.astype(object), want.astype(object))
    pd.testing.assert_frame_equal(restricted.overdue(f, cd.day).astype(object),
                                  restricted.overdue(as_text, cd.day).astype(object))
