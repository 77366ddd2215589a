"""附件3 每日进展情况 (issue 12): the paragraph from the figures, read back by its templates."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from conftest import SAMPLE

from yonggong import indicators, pipeline, progress


def figures(**values) -> pd.DataFrame:
    """A figures frame with only a 合计 row (NaN for every figure not given)."""
    row = {k: float("nan") for k in indicators.keys()}
    row.update({k: float(v) for k, v in values.items()})
    return pd.DataFrame([row], index=pd.Index(["合计"], name="县区"))


BASE = dict(重点企业数=55, 已复工企业数=52, 复工率=94.5, 员工总数=39820, 在岗人数=27576, 到岗率=69.3,
            缺工企业数=43, 缺工人数=1749, 空岗_普工=1328, 空岗_技工=0, 空岗_管理及专业技术=104, 空岗_其他=58)


@pytest.mark.parametrize("city,day", [("南昌", None), ("赣州", "2020-02-24"), ("九江", "2020-02-26")])
def test_the_paragraph_reads_back_into_the_figures(city, day):
    cd = pipeline.load(SAMPLE, city, day)
    text = progress.draft_paragraph(cd.figures, cd.day)
    reading = progress.read_paragraph(text)
    assert reading.unmatched == []
    assert reading.date == progress.month_day(cd.day)
    drafted = progress.draft_clauses(cd.figures)
    assert [(c.index, c.slots) for c in reading.clauses] == [(c.index, c.slots) for c in drafted]
    t = cd.figures.loc["合计"]
    for clause in reading.clauses:
        for key, shown, rate in clause.slots:
            assert shown == progress.figure_text(t[key], rate)
            assert rate == indicators.is_rate(key)


def test_clauses_with_a_missing_figure_and_zero_breakdowns_are_left_out():
    f = figures(**BASE)
    text = progress.draft_paragraph(f, dt.date(2020, 3, 1))
    assert text.startswith("截至3月1日，全市纳入重点企业清单55家，已复工52家，复工率94.5%；")
    assert "缺工1749人，其中普工1328人、管理及专业技术人员104人、其他58人" in text
    assert "技工" not in text  # 0: not in the breakdown
    assert "当日解决" not in text and "求助" not in text  # not reported ("—")


def test_the_24_hour_rate_clause_needs_its_denominator():
    f = figures(**BASE, 求助受理件数=3, 求助办结件数=2, 求助到期件数=0, 求助24小时办结件数=0)
    f = indicators.add_rates(f)
    assert np.isnan(f.loc["合计", "24小时办结率"])
    text = progress.draft_paragraph(f, dt.date(2020, 3, 1))
    assert "受理求助3件、办结2件" in text and "24小时办结率" not in text
    f = indicators.add_rates(figures(**BASE, 求助受理件数=3, 求助办结件数=2, 求助到期件数=4, 求助24小时办结件数=3))
    text = progress.draft_paragraph(f, dt.date(2020, 3, 1))
    assert "24小时到期求助4件，其中24小时内办结3件，24小时办结率75.0%" in text


def test_a_number_outside_the_templates_is_reported():
    text = progress.draft_paragraph(figures(**BASE), dt.date(2020, 3, 1))
    extra = text[:-1] + "；另有新增用工99人。"
    reading = progress.read_paragraph(extra)
    assert reading.unmatched == ["另有新增用工99人"]
    changed = text.replace("缺工1749人，其中", "缺工1749人，另外7人，其中")
    assert progress.read_paragraph(changed).unmatched  # the clause no longer matches its template
