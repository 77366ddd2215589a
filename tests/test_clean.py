"""Cleaning rules on small fixtures: value forms, faults with Excel rows, totals, duplicates."""

from __future__ import annotations

import datetime as dt

from builders import A_HEADER, B_HEADER, ledger_rows, list_rows, uscc, write_xlsx

from yonggong import validate
from yonggong.clean import clean_table
from yonggong.faults import FaultLog
from yonggong.ingest import read_day
from yonggong.reference import resolve_city

NC = resolve_city("南昌")
DAY = dt.date(2020, 2, 24)


def _clean(folder, code):
    inbox = read_day(folder)
    log = FaultLog(inbox)
    df = clean_table(code, inbox.table(code), NC, DAY, log)
    df = validate.check_rows(code, df, log)
    return df, log.frame()


def test_number_and_date_forms_are_parsed(tmp_path):
    rows = [B_HEADER,
            [uscc(1), "甲", "2020/2/24", "1,200", "１０００人", "一百二十", "是", "85%", None, None, None, "-"],
            [uscc(2), "乙", "2月24日", "1.2万", 11000, 30, "√", 0.9, None, None, None, "无"],
            [uscc(3), "丙", 43885, 100, 90, "—", "Y", "", None, None, None, "/"]]
    write_xlsx(tmp_path / "b.xlsx", {"S": rows})
    df, faults = _clean(tmp_path, "B")
    # 缺工人数 is required: "—" in row 4 is an error and the row is left out
    assert list(df["员工总数"]) == [1200, 12000]
    assert list(df["在岗人数"]) == [1000, 11000]
    assert list(df["缺工人数"]) == [120, 30]
    assert list(df["填报日期"]) == [DAY, DAY]
    assert list(df["是否复工"]) == [True, True]
    assert list(df["产能恢复率"]) == [85, 90]
    assert df["富余人数"].isna().all(), "missing markers are missing, not zero"
    errs = faults[faults["level"] == "错误"]
    assert list(zip(errs["row"], errs["column"], errs["rule"], strict=True)) == [(4, "缺工人数", "required")]


def test_faults_name_file_sheet_row_and_column_as_written(tmp_path):
    header = ["信用代码", "企业名称", "填报日期", "职工总数（人）", "在岗人数", "缺工人数"]
    rows = [["标题"], header,
            [uscc(1), "甲", "2020-02-24", 100, 120, 5],  # 在岗 > 员工总数
            [uscc(2)[:-1] + "0" if uscc(2)[-1] != "0" else uscc(2)[:-1] + "1", "乙", "2020-02-24", 100, 50, 5],
            [uscc(3), "丙", "2020-02-24", "abc", 50, -3]]
    write_xlsx(tmp_path / "台账.xlsx", {"二月": rows})
    df, faults = _clean(tmp_path, "B")
    got = {(f.row, f.column, f.rule) for f in faults.itertuples()}
    assert (3, "在岗人数", "on_post_le_total") in got
    assert (4, "信用代码", "uscc_check") in got
    assert (5, "职工总数（人）", "parse_int") in got
    assert all(f.file == "台账.xlsx" and f.sheet == "二月" for f in faults.itertuples())
    assert df.empty, "every row had an error"


def test_negative_shortage_is_an_error(tmp_path):
    write_xlsx(tmp_path / "b.xlsx", {"S": [B_HEADER, *ledger_rows(1, "2020-02-24", shortage=-4)]})
    df, faults = _clean(tmp_path, "B")
    assert df.empty
    assert list(faults["rule"]) == ["non_negative"] and list(faults["row"]) == [2]


def test_total_row_checked_and_dropped(tmp_path):
    good = ledger_rows(2, "2020-02-24", shortage=10)
    total_ok = ["合计", None, None, 200, 160, 20, None, None, None, None, None, None]
    write_xlsx(tmp_path / "ok.xlsx", {"S": [B_HEADER, *good, total_ok]})
    df, faults = _clean(tmp_path, "B")
    assert len(df) == 2 and faults.empty

    bad_total = ["合 计", None, None, 200, 160, 25, None, None, None, None, None, None]
    write_xlsx(tmp_path / "ok.xlsx", {"S": [B_HEADER, *good, bad_total]})
    df, faults = _clean(tmp_path, "B")
    assert len(df) == 2
    assert list(zip(faults["row"], faults["rule"], strict=True)) == [(4, "total_row")]
    assert "25" in faults["problem"].iloc[0] and "20" in faults["problem"].iloc[0]


def test_exact_duplicate_collapses_and_conflict_takes_newest_file(tmp_path):
    rows = ledger_rows(2, "2020-02-24")
    write_xlsx(tmp_path / "old.xlsx", {"S": [B_HEADER, rows[0], rows[1]]}, mtime=1_582_500_000)
    changed = list(rows[1])
    changed[5] = 99
    write_xlsx(tmp_path / "new.xlsx", {"S": [B_HEADER, rows[0], changed]}, mtime=1_582_600_000)
    df, faults = _clean(tmp_path, "B")
    assert len(df) == 2
    assert df.set_index("统一社会信用代码").loc[uscc(2), "缺工人数"] == 99
    kinds = sorted(zip(faults["rule"], faults["file"], faults["row"], strict=True))
    assert kinds == [("conflict", "new.xlsx", 3), ("conflict", "old.xlsx", 3), ("duplicate", "new.xlsx", 2)]


def test_county_former_names_and_unknown_counties(tmp_path):
    rows = [A_HEADER, *list_rows(3)]
    rows[1][2] = "新建县"
    rows[2][2] = "湾里区"
    rows[3][2] = "章贡区"
    write_xlsx(tmp_path / "a.xlsx", {"S": rows})
    df, faults = _clean(tmp_path, "A")
    assert list(df["县区"]) == ["新建区"]
    got = sorted(zip(faults["row"], faults["level"], faults["rule"], strict=True))
    assert got == [(2, "警告", "county_alias"), (3, "错误", "county"), (4, "错误", "county")]


def test_lower_case_credit_code_is_normalised_with_a_warning(tmp_path):
    rows = [A_HEADER, *list_rows(1)]
    rows[1][0] = rows[1][0].lower().replace("9", "９", 1)
    write_xlsx(tmp_path / "a.xlsx", {"S": rows})
    df, faults = _clean(tmp_path, "A")
    assert list(df["统一社会信用代码"]) == [uscc(1)]
    assert list(faults["rule"]) == ["uscc_normalised"] and list(faults["level"]) == ["警告"]


def test_removal_without_reason_is_a_warning(tmp_path):
    rows = [A_HEADER, *list_rows(2)]
    rows[2][4] = "调出"
    write_xlsx(tmp_path / "a.xlsx", {"S": rows})
    df, faults = _clean(tmp_path, "A")
    assert len(df) == 2
    assert list(zip(faults["row"], faults["rule"], strict=True)) == [(3, "removal_reason")]


def test_personal_values_are_masked_in_faults(tmp_path):
    header = ["姓名", "身份证号", "手机号", "出发地", "返岗企业", "计划返岗日期"]
    rows = [header, ["张三", "360102199001011230", "13812345678", "湖北省黄冈市", "甲", "2020-02-26"]]
    write_xlsx(tmp_path / "f.xlsx", {"S": rows})
    df, faults = _clean(tmp_path, "F")
    (fault,) = faults.itertuples()
    assert fault.rule == "idno_check" and fault.value == "3601**********1230"
    assert "360102199001011230" not in faults.to_string()
