"""The 数据质量报告 a clerk can act on and the working file's 问题困难 (issue 14, items 2 and 6): who
can fix each fault (企业名称, 县区, 服务专员), 原值 as Excel showed it with invisible characters named,
autofilter and frozen header, the 沿用 enterprises with the day they come from, and how long each
open problem has been open — on a three-day inbox built here, values worked out by hand."""

from __future__ import annotations

import datetime as dt

import pytest
from builders import A_HEADER, B_HEADER, list_rows, uscc, write_day_csv
from openpyxl import load_workbook

from yonggong import forms, ledger, pipeline, products, report, tidy
from yonggong.faults import Fault, FaultLog, cell_text, invisible_named

CITY = "南昌"
D1, D2, D3 = "2020-02-24", "2020-02-25", "2020-02-26"


def b(n: int, day: str, shortage, problem=None, solved=None) -> list:
    return [uscc(n), f"测试企业{n}有限公司", day, 100, 80, shortage, "是", 90, "原材料" if problem else None,
            problem, solved, 0]


@pytest.fixture(scope="module")
def city_day(tmp_path_factory):
    root = tmp_path_factory.mktemp("inbox")
    firms = list_rows(3)
    firms[1][2] = "西湖区"  # 企业2 in 西湖区, its officer 李专员
    firms[1][6] = "李专员"
    write_day_csv(root, CITY, D1, {"A": [A_HEADER, *firms],
                                   "B": [B_HEADER, b(1, D1, 10, "缺原材料"), b(2, D1, 5), b(3, D1, 7, "物流不畅")]})
    # 企业3 sends nothing after D1: carried forward (沿用) from D1, its problem still open
    write_day_csv(root, CITY, D2, {"B": [B_HEADER, b(1, D2, 10, "原材料仍短缺"), b(2, D2, 5, "缺包装材料")]})
    # 企业1: a negative shortage (a fault routed to 企业1 / 东湖区 / 张专员), problem open since D1;
    # 企业2: open since D2
    write_day_csv(root, CITY, D3, {"B": [B_HEADER, b(1, D3, -215, "原材料仍短缺"), b(2, D3, 5, "缺包装材料")]})
    return pipeline.load(root, CITY, dt.date.fromisoformat(D3))


def test_open_problems_say_since_when_and_for_how_many_days(city_day):
    got = ledger.open_problems(city_day).set_index("企业名称")[["首次报告", "已持续天数"]]
    # 企业1: open on D1, D2, D3 (the wording changed on D2: the same problem) → since D1, day 3;
    # 企业2: no problem on D1, open D2 and D3 → since D2, day 2; 企业3: its D1 row carried → since D1, day 3
    assert got.to_dict("index") == {"测试企业1有限公司": {"首次报告": D1, "已持续天数": 3},
                                    "测试企业2有限公司": {"首次报告": D2, "已持续天数": 2},
                                    "测试企业3有限公司": {"首次报告": D1, "已持续天数": 3}}


def test_a_solved_report_ends_the_run():
    import pandas as pd

    rows = pd.DataFrame({"统一社会信用代码": ["X"] * 4, "_folder": [1, 2, 3, 4],
                         "填报日期": [dt.date(2020, 2, d) for d in (20, 21, 22, 23)],
                         "问题困难": ["缺工", "缺工", "缺工", "缺工"], "问题是否解决": [None, None, True, None]})
    assert ledger.problem_since(rows, dt.date(2020, 2, 23)) == {"X": dt.date(2020, 2, 23)}
    assert ledger.problem_since(rows, dt.date(2020, 2, 21)) == {"X": dt.date(2020, 2, 20)}


def test_carried_enterprises_with_the_day_they_come_from(city_day):
    got = ledger.carried(city_day.ledger, city_day.day)
    # 企业3 sent nothing after D1; 企业1's D3 row is rejected (a negative shortage is an 错误), so its
    # D2 row stands in — the longest carried first
    assert got.to_dict("records") == [
        {"企业名称": "测试企业3有限公司", "县区": "东湖区", "服务专员": "张专员", "沿用自": D1, "已沿用天数": 2},
        {"企业名称": "测试企业1有限公司", "县区": "东湖区", "服务专员": "张专员", "沿用自": D2, "已沿用天数": 1}]


def test_report_routes_each_fault_and_filters(city_day, tmp_path):
    path = tmp_path / "数据质量报告.xlsx"
    report.write_quality_report(path, city_day.faults, city_day.city, city_day.day,
                                routing=tidy.fault_routing(city_day), carried=ledger.carried(city_day.ledger, city_day.day))
    wb = load_workbook(path)
    ws = wb["问题清单"]
    header = [c.value for c in ws[2]]
    assert header[:4] == ["级别", "企业名称", "县区", "服务专员"]
    rows = [dict(zip(header, (c.value for c in r), strict=True)) for r in ws.iter_rows(min_row=3)]
    negative = [r for r in rows if r["列"] == "缺工人数" and r["原值"] == "-215"]
    assert len(negative) == 1  # shown as written: no invisible guard in front of a plain number
    assert (negative[0]["企业名称"], negative[0]["县区"], negative[0]["服务专员"]) == ("测试企业1有限公司", "东湖区", "张专员")
    assert ws.auto_filter.ref == f"A2:L{len(rows) + 2}" and ws.freeze_panes == "A3"
    carried = wb[report.CARRIED_SHEET]
    assert [c.value for c in carried[3]] == ["测试企业3有限公司", "东湖区", "张专员", D1, 2]
    assert carried.auto_filter.ref == "A2:E4"


def test_original_values_as_excel_shows_them_with_invisible_characters_named():
    assert cell_text(2408.0) == "2408" and cell_text(2408) == "2408"
    shown = cell_text("\u200b-215")
    assert shown == "⟨零宽空格⟩-215" and invisible_named(shown) == ["零宽空格"]
    assert cell_text("\ufeff东湖区") == "⟨字节顺序标记⟩东湖区"
    faults = FaultLog.__new__(FaultLog)
    faults.faults = [Fault("错误", "B", "f.xlsx", "S", 5, "缺工人数", shown, "缺工人数不能为负数", "请核对", "negative")]
    table = report.fault_table(faults.frame())
    assert table.loc[0, "问题"] == "缺工人数不能为负数（原值含不可见字符：零宽空格）"


def test_plain_numbers_get_no_guard_but_formulas_do():
    assert forms.safe_text("-215") == "-215" and forms.safe_text("+3.5") == "+3.5" and forms.safe_text("-12%") == "-12%"
    assert forms.safe_text("=1+1") == forms.GUARD + "=1+1" and forms.safe_text("-2+3") == forms.GUARD + "-2+3"
    assert forms.safe_text("@SUM(A1)") == forms.GUARD + "@SUM(A1)"


def test_footer_overrides_from_the_command_line():
    day = dt.date(2020, 2, 26)
    assert products.footer_overrides(day, filler="王五", submitted="14:30") == {"filler": "王五",
                                                                               "submitted": "2月26日14时30分"}
    assert products.footer_overrides(day) == {}
    from yonggong.errors import UserError

    with pytest.raises(UserError, match="时:分"):
        products.footer_overrides(day, submitted="下午两点")


def test_no_report_up_to_the_day_gives_no_problem_dates():
    import pandas as pd

    later = pd.DataFrame({"统一社会信用代码": ["X"], "_folder": [1], "填报日期": [dt.date(2020, 3, 5)],
                          "问题困难": ["缺工"], "问题是否解决": [None]})
    assert ledger.problem_since(later, dt.date(2020, 3, 1)) == {}
    assert ledger.problem_since(later.iloc[0:0], dt.date(2020, 3, 1)) == {}
