"""Recognition by header: title rows, two-row merged headers, aliases, split tables, faults."""

from __future__ import annotations

from builders import A_HEADER, B_HEADER, ledger_rows, list_rows, write_csv, write_xlsx

from yonggong.ingest import read_day, recognise


def test_plain_header_is_recognised(tmp_path):
    write_xlsx(tmp_path / "随便起的名字.xlsx", {"Sheet1": [A_HEADER, *list_rows(3)]})
    inbox = read_day(tmp_path)
    assert [(s.table, s.sheet, s.header_rows) for s in inbox.sheets] == [("A", "Sheet1", (1,))]
    assert list(inbox.table("A")["_row"]) == [2, 3, 4]


def test_header_below_title_rows_keeps_excel_row_numbers(tmp_path):
    rows = [["南昌市重点企业用工台账"], ["填报单位：南昌市人社局", None, "填报日期：2020-02-24"], B_HEADER,
            *ledger_rows(2, "2020-02-24")]
    write_xlsx(tmp_path / "a.xlsx", {"台账": rows}, merges={"台账": ["A1:L1"]})
    inbox = read_day(tmp_path)
    (sheet,) = inbox.sheets
    assert sheet.table == "B" and sheet.header_rows == (3,)
    assert list(sheet.data["_row"]) == [4, 5]


def test_two_row_merged_header(tmp_path):
    top = ["统一社会信用代码", "企业名称", "填报日期", "员工情况", None, "缺工人数"]
    low = [None, None, None, "员工总数", "在岗人数", None]
    rows = [top, low, *[r[:6] for r in ledger_rows(2, "2020-02-24")]]
    merges = ["A1:A2", "B1:B2", "C1:C2", "D1:E1", "F1:F2"]
    write_xlsx(tmp_path / "b.xlsx", {"S": rows}, merges={"S": merges})
    (sheet,) = read_day(tmp_path).sheets
    assert sheet.table == "B" and sheet.header_rows == (1, 2)
    assert set(sheet.columns.values()) >= {"员工总数", "在岗人数", "缺工人数"}
    assert list(sheet.data["_row"]) == [3, 4]


def test_aliases_units_and_full_width_headers(tmp_path):
    header = ["信用代码", "单位名称", "统计日期", "职工总数（人）", "到岗人数", "缺口人数(人)"]
    write_xlsx(tmp_path / "c.xlsx", {"S": [header, *[r[:6] for r in ledger_rows(1, "2020-02-24")]]})
    (sheet,) = read_day(tmp_path).sheets
    assert sheet.table == "B"
    assert sheet.headers["员工总数"] == "职工总数（人）"


def test_split_table_is_concatenated(tmp_path):
    write_xlsx(tmp_path / "东湖区.xlsx", {"S": [B_HEADER, *ledger_rows(2, "2020-02-24")]})
    write_csv(tmp_path / "西湖区.csv", [B_HEADER, *ledger_rows(3, "2020-02-24")[2:]], encoding="gb18030")
    inbox = read_day(tmp_path)
    b = inbox.table("B")
    assert len(b) == 3 and set(b["_file"]) == {"东湖区.xlsx", "西湖区.csv"}


def test_unmatched_and_ambiguous_sheets_are_reported_not_guessed(tmp_path):
    write_xlsx(tmp_path / "x.xlsx", {"杂项": [["序号", "备注"], [1, "无关"]]})
    inbox = read_day(tmp_path)
    assert inbox.sheets == []
    (issue,) = inbox.issues
    assert issue.file == "x.xlsx" and issue.sheet == "杂项" and "未识别" in issue.problem


def test_tie_between_tables_is_ambiguous():
    # 统一社会信用代码 + 需求人数 is C's 缺工人数 alias and E's 招工人数 alias; 岗位名称 is in both.
    code, _idx, _cols, problem = recognise([["统一社会信用代码", "岗位名称", "需求人数"], ["x", "y", 1]])
    assert code is None and "多张表" in problem


def test_more_specific_table_wins():
    code, *_ = recognise([["统一社会信用代码", "岗位名称", "需求人数", "岗位类别", "技能要求"]])
    assert code == "C"


def test_corrupt_and_empty_files_are_one_error_each(tmp_path):
    (tmp_path / "坏文件.xlsx").write_bytes(b"this is not a zip")
    write_xlsx(tmp_path / "空.xlsx", {"Sheet1": []})
    write_xlsx(tmp_path / "ok.xlsx", {"S": [A_HEADER, *list_rows(1)]})
    inbox = read_day(tmp_path)
    assert len(inbox.sheets) == 1
    problems = {i.file: i.problem for i in inbox.issues}
    assert "无法读取" in problems["坏文件.xlsx"] and "为空" in problems["空.xlsx"]


def test_office_lock_files_are_skipped(tmp_path):
    write_xlsx(tmp_path / "ok.xlsx", {"S": [A_HEADER, *list_rows(1)]})
    (tmp_path / "~$ok.xlsx").write_bytes(b"lock")
    inbox = read_day(tmp_path)
    assert inbox.issues == [] and len(inbox.files) == 1


def test_legacy_xls_is_read_like_xlsx(tmp_path):
    """Older bureau PCs save Excel 97–2003 .xls; the same sheet must read the same as its .xlsx.
    The .xls is made by LibreOffice from an .xlsx (no Python writer of .xls is pinned)."""
    import shutil
    import subprocess

    import pytest

    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.skip("soffice (LibreOffice) is not installed")
    rows = [["南昌市重点企业用工台账"], B_HEADER, *ledger_rows(3, "2020-02-24")]
    src = write_xlsx(tmp_path / "src" / "台账.xlsx", {"台账": rows})
    xls_dir = tmp_path / "xls"
    subprocess.run([soffice, f"-env:UserInstallation=file://{tmp_path}/lo", "--headless", "--convert-to", "xls",
                    "--outdir", str(xls_dir), str(src)], capture_output=True, timeout=300)
    assert (xls_dir / "台账.xls").is_file()
    (from_xls,) = read_day(xls_dir).sheets
    (from_xlsx,) = read_day(src.parent).sheets
    assert (from_xls.table, from_xls.sheet, from_xls.header_rows) == ("B", "台账", (2,))
    assert list(from_xls.data["_row"]) == [3, 4, 5]
    def values(sheet):  # raw cells: text as text, numbers as numbers (.xls gives 100, .xlsx 100.0)
        df = sheet.data.rename(columns=sheet.columns)
        return [[str(a), str(b), float(c), float(d), float(e)] for a, b, c, d, e in
                df[["统一社会信用代码", "企业名称", "员工总数", "在岗人数", "缺工人数"]].values.tolist()]

    expected = [[r[0], r[1], 100.0, 80.0, 10.0] for r in ledger_rows(3, "2020-02-24")]
    assert values(from_xls) == values(from_xlsx) == expected
