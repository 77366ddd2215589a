"""List in force, adjustments against D-1, and carry-forward (沿用 / 未报送)."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from yonggong.ledger import adjustments, attribute_placements, build_ledger, list_in_force

D = dt.date(2020, 2, 26)


def _list(codes, removed=(), reason=None):
    rows = [{"统一社会信用代码": c, "企业名称": f"企业{c}", "县区": "东湖区", "企业类别": "相关配套",
             "状态": "调出" if c in removed else "在册", "调整原因": reason if c in removed else None}
            for c in codes]
    return pd.DataFrame(rows)


def test_newest_list_on_or_before_the_day_is_in_force():
    lists = {dt.date(2020, 2, 23): _list(["a", "b"]), dt.date(2020, 2, 25): _list(["a", "b", "c"]),
             dt.date(2020, 2, 27): _list(["a"])}
    day, df = list_in_force(lists, D)
    assert day == dt.date(2020, 2, 25) and list(df["统一社会信用代码"]) == ["a", "b", "c"]
    assert list_in_force(lists, dt.date(2020, 2, 22))[0] is None


def test_adjustments_against_the_day_before():
    lists = {dt.date(2020, 2, 23): _list(["a", "b"]),
             D: _list(["a", "b", "c"], removed={"b"}, reason="停产")}
    adj = adjustments(lists, D)
    assert sorted(zip(adj["调整"], adj["统一社会信用代码"], adj["原因"], strict=True)) == \
        [("纳入", "c", ""), ("调出", "b", "停产")]
    none = adjustments(lists, dt.date(2020, 2, 24))
    assert none.empty and list(none.columns) == ["调整", "统一社会信用代码", "企业名称", "县区", "企业类别", "原因"]
    assert adjustments({}, D).empty  # no list at all: nothing to compare


def _b(code, day, shortage):
    return {"统一社会信用代码": code, "填报日期": day, "员工总数": 100, "在岗人数": 90, "缺工人数": shortage,
            "_mtime": pd.Timestamp("2020-02-20")}


def test_carry_forward_up_to_n_days_then_missing():
    in_force = _list(["a", "b", "c", "d"])
    b = pd.DataFrame([_b("a", D, 5), _b("a", D - dt.timedelta(days=1), 9),
                      _b("b", D - dt.timedelta(days=1), 7), _b("b", D - dt.timedelta(days=2), 8),
                      _b("c", D - dt.timedelta(days=3), 6),
                      _b("d", D - dt.timedelta(days=4), 4)])
    led = build_ledger(in_force, b, D, carry_days=3).set_index("统一社会信用代码")
    assert led.loc["a", "报送状态"] == "已报送" and led.loc["a", "缺工人数"] == 5
    assert led.loc["b", "报送状态"] == "沿用" and led.loc["b", "缺工人数"] == 7
    assert led.loc["c", "报送状态"] == "沿用" and led.loc["c", "填报日期"] == D - dt.timedelta(days=3)
    assert led.loc["d", "报送状态"] == "未报送" and pd.isna(led.loc["d", "缺工人数"])
    led2 = build_ledger(in_force, b, D, carry_days=2).set_index("统一社会信用代码")
    assert led2.loc["c", "报送状态"] == "未报送"


def test_future_rows_are_not_used():
    led = build_ledger(_list(["a"]), pd.DataFrame([_b("a", D + dt.timedelta(days=1), 3)]), D, 3)
    assert led.loc[0, "报送状态"] == "未报送"


# ---------------------------------------------------------------- gaps found by invoke mutation


def test_an_empty_list_set_gives_no_list_with_the_list_columns():
    day, df = list_in_force({}, D)
    assert day is None and df.empty
    assert list(df.columns) == ["统一社会信用代码", "企业名称", "县区", "企业类别", "清单来源", "纳入日期",
                                "人社服务专员", "专员手机", "状态", "调整原因"]


def test_a_blank_status_means_on_the_list_and_rows_are_renumbered():
    src = _list(["a", "b", "c"], removed={"a"}, reason="停产")
    src.loc[src["统一社会信用代码"] == "c", "状态"] = None  # blank: still on the list
    day, df = list_in_force({D: src}, D)
    assert list(df["统一社会信用代码"]) == ["b", "c"]
    assert list(df.index) == [0, 1] and "index" not in df.columns


def test_adjustments_carry_every_column_and_both_reasons():
    before = _list(["a", "b"])
    today = _list(["a", "b", "c"], removed={"b"}, reason="停产")
    today.loc[today["统一社会信用代码"] == "c", ["县区", "企业类别", "调整原因"]] = ["西湖区", "医用物资生产", "新增重点"]
    adj = adjustments({dt.date(2020, 2, 25): before, D: today}, D)
    assert list(adj.columns) == ["调整", "统一社会信用代码", "企业名称", "县区", "企业类别", "原因"]
    assert adj.to_dict("records") == [
        {"调整": "纳入", "统一社会信用代码": "c", "企业名称": "企业c", "县区": "西湖区", "企业类别": "医用物资生产",
         "原因": "新增重点"},
        {"调整": "调出", "统一社会信用代码": "b", "企业名称": "企业b", "县区": "东湖区", "企业类别": "相关配套",
         "原因": "停产"},
    ]


def test_a_removal_by_omission_has_no_reason():
    """An enterprise simply left out of the new list is 调出 with an empty reason (not None)."""
    adj = adjustments({dt.date(2020, 2, 25): _list(["a", "b"]), D: _list(["a"])}, D)
    assert adj.to_dict("records") == [{"调整": "调出", "统一社会信用代码": "b", "企业名称": "企业b", "县区": "东湖区",
                                       "企业类别": "相关配套", "原因": ""}]


def test_ledger_columns_types_and_the_newest_file_of_the_same_day():
    """One row per enterprise in list order, the ledger's columns and types; two rows of the same
    day: the one from the newer file wins; no ledger rows at all: everyone 未报送."""
    in_force = _list(["b", "a"])
    older = {**_b("a", D, 5), "产能恢复率": 80.5, "是否复工": True, "问题是否解决": False}
    newer = {**_b("a", D, 6), "产能恢复率": 90.0, "是否复工": True, "问题是否解决": False,
             "_mtime": pd.Timestamp("2020-02-26 10:00")}
    b = pd.DataFrame([newer, older])
    led = build_ledger(in_force, b, D, carry_days=3)
    assert list(led.columns) == ["统一社会信用代码", "企业名称", "县区", "企业类别", "清单来源", "纳入日期",
                                 "人社服务专员", "专员手机", "员工总数", "在岗人数", "缺工人数", "是否复工", "产能恢复率",
                                 "已返岗人数", "问题困难类型", "问题困难", "问题是否解决", "富余人数", "填报日期", "报送状态"]
    assert list(led["统一社会信用代码"]) == ["b", "a"]
    a = led.set_index("统一社会信用代码").loc["a"]
    assert a["缺工人数"] == 6 and a["产能恢复率"] == 90.0 and a["填报日期"] == D  # the newer file
    b_row = led.set_index("统一社会信用代码").loc["b"]
    assert b_row["报送状态"] == "未报送" and b_row["填报日期"] is None
    for name in ("员工总数", "在岗人数", "缺工人数", "已返岗人数", "富余人数"):
        assert str(led[name].dtype) == "Int64", name
    assert str(led["产能恢复率"].dtype) == "Float64"
    assert str(led["是否复工"].dtype) == "boolean" and str(led["问题是否解决"].dtype) == "boolean"
    nobody = build_ledger(in_force, pd.DataFrame(columns=["统一社会信用代码", "填报日期"]), D, carry_days=3)
    assert list(nobody["报送状态"]) == ["未报送", "未报送"] and list(nobody.columns) == list(led.columns)


def test_a_list_whose_every_enterprise_is_removed_gives_an_empty_ledger_with_its_columns():
    in_force = list_in_force({D: _list(["a", "b"], removed={"a", "b"}, reason="停产")}, D)[1]
    led = build_ledger(in_force, pd.DataFrame([_b("a", D, 3)]), D, 3)
    assert led.empty
    assert list(led.columns) == ["统一社会信用代码", "企业名称", "县区", "企业类别", "清单来源", "纳入日期",
                                 "人社服务专员", "专员手机", "员工总数", "在岗人数", "缺工人数", "是否复工",
                                 "产能恢复率", "已返岗人数", "问题困难类型", "问题困难", "问题是否解决", "富余人数",
                                 "填报日期", "报送状态"]


def _d(day, code, n):
    return {"日期": day, "统一社会信用代码": code, "解决渠道": "本地招聘", "人数": n}


def test_placements_all_rejected_or_none_at_all():
    lists = {D: _list(["a"])}
    later = D + dt.timedelta(days=1)
    counted, rejected = attribute_placements(
        {D: pd.DataFrame([_d(later, "a", 4), _d(D, "zz", 2)])}, lists)
    assert counted.empty
    assert list(counted.columns) == ["日期", "统一社会信用代码", "解决渠道", "人数", "_folder", "县区"]
    assert list(zip(rejected["统一社会信用代码"], rejected["原因"], strict=True)) == [("a", "future"), ("zz", "off_list")]
    assert list(rejected.columns) == ["日期", "统一社会信用代码", "解决渠道", "人数", "_folder", "县区", "原因"]
    assert list(rejected.index) == [0, 1]
    for folders in ({}, {D: None}, {D: pd.DataFrame(columns=["日期", "统一社会信用代码", "解决渠道", "人数"])}):
        counted, rejected = attribute_placements(folders, lists)
        assert counted.empty and rejected.empty
        assert list(counted.columns) == ["日期", "统一社会信用代码", "解决渠道", "人数", "县区", "_folder"]
        assert list(rejected.columns) == ["日期", "统一社会信用代码", "解决渠道", "人数", "县区", "_folder", "原因"]


def test_placements_count_at_the_county_of_their_date_also_after_removal():
    before, after = _list(["a"]), _list(["a"], removed={"a"}, reason="停产")
    after.loc[0, "县区"] = "西湖区"
    lists = {D - dt.timedelta(days=1): before, D: after}
    counted, rejected = attribute_placements({D: pd.DataFrame([_d(D - dt.timedelta(days=1), "a", 5), _d(D, "a", 1)])},
                                             lists)
    assert list(zip(counted["人数"], counted["县区"], counted["_folder"], strict=True)) == [(5, "东湖区", D)]
    assert list(rejected["原因"]) == ["off_list"]
