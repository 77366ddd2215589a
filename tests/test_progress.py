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
    text = progress.draft_paragraph(cd.figures, cd.day, cd.trend)
    reading = progress.read_paragraph(text)
    assert reading.unmatched == []
    assert reading.date == progress.month_day(cd.day)
    drafted = progress.draft_clauses(cd.figures, cd.trend, cd.day)
    assert [(c.index, c.slots) for c in reading.clauses] == [(c.index, c.slots) for c in drafted]
    t = cd.figures.loc["合计"]
    before = cd.trend.loc[cd.day - dt.timedelta(days=1)] if cd.day - dt.timedelta(days=1) in cd.trend.index else None
    changes = 0
    for clause in reading.clauses:
        for key, shown, rate in clause.slots:
            if key.startswith("Δ"):  # worked out here from the trend row of the day before
                d = int(round(t[key[1:]] - before[key[1:]])) if before is not None else None
                want = "" if d is None else "（较上日持平）" if d == 0 else \
                    f"（较上日{'增加' if d > 0 else '减少'}{abs(d):,}{indicators.get(key[1:]).unit}）"
                assert shown == want
                changes += bool(want)
                continue
            want = f"{t[key]:.1f}%" if rate else f"{int(round(t[key])):,}"
            assert shown == want
            assert rate == indicators.is_rate(key)
    assert changes == (2 if before is not None else 0)


def test_clauses_with_a_missing_figure_and_zero_breakdowns_are_left_out():
    f = figures(**BASE)
    text = progress.draft_paragraph(f, dt.date(2020, 3, 1))
    assert text.startswith("截至3月1日，全市纳入重点企业清单55家，已复工52家，复工率94.5%；")
    assert "缺工1,749人，其中普工1,328人、管理及专业技术人员104人、其他58人" in text
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
    changed = text.replace("缺工1,749人，其中", "缺工1,749人，另外7人，其中")
    assert progress.read_paragraph(changed).unmatched  # the clause no longer matches its template


def trend_of(**days) -> pd.DataFrame:
    """A trend frame: date → 合计 figures given as dicts."""
    rows = {dt.date.fromisoformat(d): {k: float("nan") for k in indicators.keys()} | v for d, v in days.items()}
    return pd.DataFrame(rows).T


def test_changes_against_the_previous_day_are_written_and_read_back():
    f = figures(**BASE)
    day = dt.date(2020, 3, 1)
    trend = trend_of(**{"2020-02-29": dict(BASE, 缺工人数=1889, 在岗人数=27576)})
    text = progress.draft_paragraph(f, day, trend)
    assert "在岗27,576人（较上日持平），到岗率69.3%" in text
    assert "缺工1,749人（较上日减少140人），其中普工1,328人" in text
    reading = progress.read_paragraph(text)
    assert reading.unmatched == []
    slots = {k: v for c in reading.clauses for k, v, _ in c.slots}
    assert slots["Δ缺工人数"] == "（较上日减少140人）" and slots["Δ在岗人数"] == "（较上日持平）"
    older = trend_of(**{"2020-02-27": dict(BASE, 缺工人数=1700)})  # no run on 02-28 and 02-29
    assert "缺工1,749人（较2月27日增加49人）" in progress.draft_paragraph(f, day, older)
    assert "较" not in progress.draft_paragraph(f, day, None)  # no earlier day: no bracket
    # a wrong change in the file is found by the self-check's reading (the bracket is a slot)
    wrong = progress.read_paragraph(text.replace("减少140人", "减少14人"))
    assert {k: v for c in wrong.clauses for k, v, _ in c.slots}["Δ缺工人数"] == "（较上日减少14人）"


def test_open_problems_are_summed_up_by_type_not_listed():
    rows = [("甲厂", "东湖区", "缺工", "缺普工10人", 10), ("乙厂", "西湖区", "缺工", "缺技工，联系13912345678", 50),
            ("丙厂", "东湖区", "缺工", "外地员工未返岗" * 5, 30), ("丁厂", "青山湖区", "原材料", "原料断供", 0),
            ("戊厂", "西湖区", "资金", "贷款到期", 0), ("己厂", "东湖区", "物流运输", "运不出去", 0),
            ("庚厂", "东湖区", "防疫物资", "口罩不足", 0), ("辛厂", "东湖区", None, "其他困难", 0)]
    df = pd.DataFrame(rows, columns=["企业名称", "县区", "问题困难类型", "问题困难", "缺工人数"])
    lines = progress.problem_lines(df, "问题困难")
    # types by count (缺工 3), equal counts in table B's order (原材料, 资金, 防疫物资, 物流运输, …, 其他)
    assert lines[0] == "全市重点企业中有8家企业反映的问题困难尚未解决（缺工3家、原材料1家、资金1家、防疫物资1家、物流运输1家、其他1家）。"
    assert lines[1] == ("一是缺工方面3家，如乙厂（西湖区）反映“缺技工，联系139****5678”，"
                        "丙厂（东湖区）反映“" + ("外地员工未返岗" * 4) + "…”等。")
    assert lines[2] == "二是原材料方面1家，如丁厂（青山湖区）反映“原料断供”。"
    assert lines[4] == "四是防疫物资方面1家，如庚厂（东湖区）反映“口罩不足”。"
    assert lines[5] == "五是其他类型问题2家。"  # 物流运输 and 其他 beyond the first four types
    assert lines[-1] == "各企业问题明细详见工作底稿“问题困难”工作表。"
    assert len(lines) == 7
    assert progress.problem_lines(df.iloc[:0], "问题困难") == ["当日无未解决的问题困难。"]


def test_practices_name_the_first_titles():
    items = {"经验做法": [{"标题": "专班驻企", "单位": "南昌市人社局"}, {"标题": "直播带岗", "单位": ""}],
             "先进典型": [{"标题": "返岗专列", "单位": "某公司"}, {"标题": "第四条", "单位": "某局"}]}
    assert progress.practices_text(items) == ("经验做法和先进典型：“专班驻企”（南昌市人社局）、“直播带岗”（—）、"
                                              "“返岗专列”（某公司）等4条，详见工作简报。")
    assert progress.practices_text({"经验做法": [], "先进典型": []}) == ""


def test_a_long_problem_list_stays_within_excels_row_limit(tmp_path):
    from openpyxl import load_workbook

    from yonggong.reference import resolve_city

    rows = [(f"企业{i}", "东湖区", ["缺工", "原材料", "资金", "政策", "物流运输"][i % 5], "困难" * 40, i) for i in range(300)]
    df = pd.DataFrame(rows, columns=["企业名称", "县区", "问题困难类型", "问题困难", "缺工人数"])
    path = tmp_path / "p.xlsx"
    progress.write_progress(path, resolve_city("南昌"), dt.date(2020, 3, 1), figures(**BASE), df, None)
    ws = load_workbook(path).active
    heights = [ws.row_dimensions[r].height for r in range(1, ws.max_row + 1) if ws.row_dimensions[r].height]
    assert heights and max(heights) <= 409
    assert ws["A3"].value == "填报单位：南昌市人力资源和社会保障局" and "A3:B3" in {str(m) for m in ws.merged_cells.ranges}
    problems = ws["B5"].value
    assert problems.count("\n") == 6 and "企业0（" not in problems  # summed up (the largest named), not 300 lines
