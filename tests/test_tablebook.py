"""tablebook: the vectorised SpreadsheetML writer of the restricted name lists.

The reference is the cell-by-cell openpyxl writer of detail sheets (``forms_write.write_table_sheet``):
the same frame written both ways must read back (openpyxl) as the same values, number formats,
fonts, fills, borders, wrapping, widths, merges, frozen header and print set-up.
"""

from __future__ import annotations

import datetime as dt
import io
import shutil
import subprocess
import zipfile

import numpy as np
import pandas as pd
import pytest
from openpyxl import Workbook, load_workbook
from python_calamine import CalamineWorkbook

from yonggong import forms, forms_write, restricted, tablebook
from yonggong.xlsxio import FIXED_ZIP_TIME, save_workbook


def awkward_frame() -> pd.DataFrame:
    """Every kind of value a list can carry, with the traps of text in a spreadsheet."""
    return pd.DataFrame({
        "姓名": ["张三", None, "=SUM(A1)", "  -1", "a&b<c>", "x\x01y", "很长" * 40, "\u3000+86", "@home", "李四"],
        "身份证号": ["36010219900101123X", "360102199001011234", None, "1", "2", "3", "4", "5", "6", "7"],
        "人数": pd.array([1, 2, None, 4, 5, 6, 7, 8, 9, 10], dtype="Int64"),
        "工资": [3500.5, np.nan, 1.0, 2.25, 1e20, -3.0, 0.1, np.inf, 7.0, 8.5],
        "日期": [dt.date(2020, 3, 1), None, dt.date(2020, 2, 28), dt.date(2020, 1, 1), None, None,
               dt.date(2020, 3, 2), None, None, dt.date(2019, 12, 31)],
        "时间": pd.to_datetime(["2020-03-01 08:30", None, "2020-03-01 00:00", "2020-03-01 00:00", None, None,
                              None, None, None, "2020-02-29 23:59"]),
        "是否": [True, False, True, False, True, False, True, False, True, False],
        "混合": [1, "a", dt.date(2020, 1, 1), None, 2.5, ["x", "y"], True, "=1", dt.datetime(2020, 1, 1, 9), 3],
        "全空": [None] * 10,
        "出发地": pd.Categorical(["湖北省", "湖南省", None, "湖北省", "=广东", "湖北省", "湖南省", "湖北省", None,
                               "湖北省"]),
    })


def _openpyxl_reference(path, sheets) -> None:
    wb = Workbook()
    wb.remove(wb.active)
    for name, title, df in sheets:
        forms_write.write_table_sheet(wb.create_sheet(name), title, df)
    save_workbook(wb, path)


def _cells(ws) -> list[tuple]:
    out = []
    for row in ws.iter_rows():
        for c in row:
            if c.value is None and not c.has_style:
                continue
            out.append((c.coordinate, c.value, c.number_format if c.value is not None else None,
                        c.font.name, bool(c.font.b), c.font.sz,
                        c.fill.fgColor.rgb if c.fill.fill_type == "solid" else None,
                        c.border.left.style, c.border.bottom.style, bool(c.alignment.wrap_text),
                        c.alignment.horizontal))
    return out


def _sheet_facts(ws) -> dict:
    return {"merged": sorted(str(r) for r in ws.merged_cells.ranges), "freeze": ws.freeze_panes,
            "print_titles": ws.print_title_rows, "paper": int(ws.page_setup.paperSize),
            "orientation": ws.page_setup.orientation, "fit": (ws.sheet_properties.pageSetUpPr.fitToPage,
                                                              ws.page_setup.fitToWidth, ws.page_setup.fitToHeight),
            "widths": {k: round(v.width, 3) for k, v in ws.column_dimensions.items() if v.width},
            "title_height": ws.row_dimensions[1].height}


@pytest.fixture
def both(tmp_path):
    df = awkward_frame()
    sheets = [("名单", "测试名单（内部使用）", df), ("空表", "当日无数据", df.iloc[:0]),
              ("按县", "分组", df.set_index(["姓名"])[["人数"]].iloc[:3])]
    ours, ref = tmp_path / "ours.xlsx", tmp_path / "ref.xlsx"
    tablebook.write_tables(ours, sheets)
    _openpyxl_reference(ref, sheets)
    return ours, ref


def test_same_workbook_as_the_openpyxl_detail_sheet_writer(both):
    ours, ref = (load_workbook(p) for p in both)
    assert ours.sheetnames == ref.sheetnames == ["名单", "空表", "按县"]
    for name in ours.sheetnames:
        a, b = _cells(ours[name]), _cells(ref[name])
        assert [x[:2] for x in a] == [x[:2] for x in b], name  # values first, for a readable diff
        assert a == b, name
        assert _sheet_facts(ours[name]) == _sheet_facts(ref[name]), name


def test_values_that_need_care(both):
    ws = load_workbook(both[0])["名单"]
    col = {ws.cell(row=2, column=c).value: c for c in range(1, ws.max_column + 1)}
    names = [ws.cell(row=r, column=col["姓名"]).value for r in range(3, 13)]
    # formulas never: a zero-width space in front; control characters dropped; XML specials kept
    assert names[2] == "\u200b=SUM(A1)" and names[3] == "\u200b  -1" and names[8] == "\u200b@home"
    assert names[7] == "\u200b\u3000+86" and names[4] == "a&b<c>" and names[5] == "xy" and names[1] is None
    assert all(ws.cell(row=r, column=col["姓名"]).data_type == "s" for r in (5, 6))
    # an ID number stays text (no rounding to 15 digits)
    assert ws.cell(row=3, column=col["身份证号"]).value == "36010219900101123X"
    assert ws.cell(row=4, column=col["身份证号"]).value == "360102199001011234"
    # numbers stay numbers; infinity is left empty
    assert [ws.cell(row=r, column=col["工资"]).value for r in range(3, 13)] == \
        [3500.5, None, 1, 2.25, 1e20, -3, 0.1, None, 7, 8.5]
    # real dates, with a date format; a time of day keeps its time
    d = ws.cell(row=3, column=col["日期"])
    assert d.value == dt.datetime(2020, 3, 1) and d.number_format == "yyyy-mm-dd"
    t = ws.cell(row=3, column=col["时间"])
    assert t.value == dt.datetime(2020, 3, 1, 8, 30) and t.number_format == "yyyy-mm-dd hh:mm"
    assert ws.cell(row=12, column=col["时间"]).value == dt.datetime(2020, 2, 29, 23, 59)
    assert [ws.cell(row=r, column=col["是否"]).value for r in (3, 4)] == ["是", "否"]
    # the long text wraps and its column stops at the layout's maximum width
    assert ws.cell(row=9, column=col["姓名"]).alignment.wrap_text is True
    assert ws.column_dimensions["A"].width == 50


WHITE_SPACE = [chr(c) for c in range(0x110000) if chr(c).isspace()]


def test_every_cell_safe_text_would_change_is_written_as_it_says(tmp_path):
    # the vectorised writer only sends suspect cells through forms.safe_text: a formula lead after
    # any white space Python knows (RE2's \s knows fewer), control characters, CR; and leaves
    # the rest as it is, including a dash inside the text (a plain signed number such as "-1" is no formula)
    tricky = [w + lead for w in WHITE_SPACE for lead in ("=1", "+1+A1", "-1+A1", "@a")]
    plain = ["3000-5000", "a=b", "甲@乙", "x+y", "ab", "第1-2行"]
    values = tricky + ["\x01=1", "a\rb", "a\r\nb", "\tx", "\x0bx", "x\x1fy"] + plain
    path = tablebook.write_tables(tmp_path / "t.xlsx", [("名单", "t", pd.DataFrame({"值": values}))])
    ws = load_workbook(path)["名单"]
    written = [ws.cell(row=r, column=1).value for r in range(3, 3 + len(values))]
    assert written == [forms.safe_text(v) for v in values]
    assert all(w.startswith(forms.GUARD) for w in written[:len(tricky)])
    assert written[-len(plain):] == plain


@pytest.mark.parametrize("storage", ["str", "object"])
def test_rows_are_joined_from_the_cells_side_by_side(storage):
    cols = [pd.Series(["<a>", "<b>", ""], dtype=storage), pd.Series(["甲", "", "丙&"], dtype=storage)]
    out = io.BytesIO()
    tablebook._write_joined(out, cols)
    assert out.getvalue().decode("utf-8") == "<a>甲<b>丙&"


def test_calamine_reads_what_was_written(both):
    rows = CalamineWorkbook.from_path(str(both[0])).get_sheet_by_name("名单").to_python()
    assert rows[0][0] == "测试名单（内部使用）" and rows[1][:3] == ["姓名", "身份证号", "人数"]
    assert rows[2][:4] == ["张三", "36010219900101123X", 1.0, 3500.5]
    assert len(rows) == 12


def test_byte_identical_and_chunking_changes_nothing(tmp_path, monkeypatch):
    df = pd.concat([awkward_frame()] * 7, ignore_index=True)
    first, second, chunked = tmp_path / "a.xlsx", tmp_path / "b.xlsx", tmp_path / "c.xlsx"
    tablebook.write_tables(first, [("名单", "t", df)])
    tablebook.write_tables(second, [("名单", "t", df)])
    monkeypatch.setattr(tablebook, "CHUNK_ROWS", 4)
    tablebook.write_tables(chunked, [("名单", "t", df)])
    assert first.read_bytes() == second.read_bytes() == chunked.read_bytes()
    with zipfile.ZipFile(io.BytesIO(first.read_bytes())) as z:
        assert {i.date_time for i in z.infolist()} == {FIXED_ZIP_TIME}
        assert b"2020-01-01T00:00:00Z" in z.read("docProps/core.xml")


def test_display_widths_both_ways_over_every_character(monkeypatch):
    # independent route: East Asian Width straight from unicodedata, character by character
    import sys
    import unicodedata

    chars = [chr(i) for i in range(sys.maxunicode + 1) if not 0xD800 <= i <= 0xDFFF]
    expected = np.array([2 if unicodedata.east_asian_width(c) in ("W", "F") else 1 for c in chars])
    text = pd.Series(chars + ["张三abc，", "", "ｆｕｌｌ width"], dtype="str")
    expected = np.concatenate([expected, [9, 0, 14]])
    assert len(text) >= tablebook.ARROW_WIDTHS  # the Arrow path
    assert (tablebook.display_widths(text).to_numpy() == expected).all()
    monkeypatch.setattr(tablebook, "ARROW_WIDTHS", len(text) + 1)  # the per-value path
    assert (tablebook.display_widths(text).to_numpy() == expected).all()


def test_a_table_longer_than_a_sheet_continues_on_the_next(tmp_path, monkeypatch):
    monkeypatch.setattr(tablebook, "MAX_SHEET_ROWS", 7)  # 5 body rows a sheet
    df = pd.DataFrame({"序号": range(1, 13), "姓名": [f"人{i}" for i in range(1, 13)]})
    path = tablebook.write_tables(tmp_path / "long.xlsx", [("名单", "长名单", df), ("另表", "t", df.iloc[:2])])
    wb = load_workbook(path)
    assert wb.sheetnames == ["名单", "名单（续2）", "名单（续3）", "另表"]
    seen = [ws.cell(row=r, column=1).value for ws in wb.worksheets[:3] for r in range(3, ws.max_row + 1)]
    assert seen == list(range(1, 13))
    assert all(ws.max_row <= 7 and ws["A2"].value == "序号" for ws in wb.worksheets)


def test_a_failed_write_keeps_the_previous_file_and_leaves_no_temporary(tmp_path, monkeypatch):
    path = tmp_path / "名单.xlsx"
    tablebook.write_tables(path, [("名单", "t", awkward_frame())])
    before = path.read_bytes()

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(tablebook, "column_cells", broken)
    with pytest.raises(RuntimeError):
        tablebook.write_tables(path, [("名单", "t", awkward_frame())])
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["名单.xlsx"]


def test_restricted_lists_hold_exactly_the_workers_who_need_transport(tmp_path):
    day = dt.date(2020, 3, 1)
    f = pd.DataFrame({
        "姓名": ["甲", "乙", "丙", "丁", "戊"],
        "身份证号": ["36010219900101001X", "360102199001010021", "360102199001010030", "360102199001010048",
                 "360102199001010056"],
        "手机号": ["13800000001", "13800000002", "13800000003", "13800000004", "13800000005"],
        "出发地": ["湖北省", "湖南省", "湖北省", "湖北省", "广东省"],
        "返岗企业": ["A", "乙厂", "A", "C", "D"],  # a credit code or a name, as clerks write it
        "计划返岗日期": [dt.date(2020, 3, 3), dt.date(2020, 2, 20), dt.date(2020, 3, 3), dt.date(2020, 2, 27),
                   dt.date(2020, 2, 25)],
        "需要专车": [True, True, True, False, True],
        "已到岗": [False, False, True, False, None],
        "到岗日期": [None, None, dt.date(2020, 2, 29), None, None],
    })
    firms = pd.DataFrame({"统一社会信用代码": ["A", "B"], "企业名称": ["甲厂", "乙厂"]})
    written = restricted.write_restricted(tmp_path, "南昌", day, f, None, firms)
    assert [p.name for p in written] == ["返岗人员名单_南昌_20200301.xlsx"]
    wb = load_workbook(written[0])
    assert wb.sheetnames == ["专车需求汇总", "专车需求名单", "逾期未到岗名单"]

    def body(ws):
        return [tuple(c.value for c in row) for row in ws.iter_rows(min_row=3)]

    # need transport and not on post: 甲 (湖北 3-03), 乙 (湖南 2-20), 戊 (广东 2-25, 已到岗 unknown);
    # ordered by 出发地 (code point order: 广 < 湖北 < 湖南), then date and ID
    assert body(wb["专车需求名单"]) == [
        ("戊", "360102199001010056", "13800000005", "广东省", "D", None, dt.datetime(2020, 2, 25)),  # not listed
        ("甲", "36010219900101001X", "13800000001", "湖北省", "甲厂", "A", dt.datetime(2020, 3, 3)),
        ("乙", "360102199001010021", "13800000002", "湖南省", "乙厂", "B", dt.datetime(2020, 2, 20)),
    ]
    assert sorted((r[0], r[1].date(), r[2]) for r in body(wb["专车需求汇总"])) == [
        ("广东省", dt.date(2020, 2, 25), 1), ("湖北省", dt.date(2020, 3, 3), 1), ("湖南省", dt.date(2020, 2, 20), 1)]
    # overdue: not on post and planned before 3-01 — 乙 10 days, 戊 5 days, 丁 3 days (most overdue first)
    assert [(r[0], r[-1]) for r in body(wb["逾期未到岗名单"])] == [("乙", 10), ("戊", 5), ("丁", 3)]
    assert wb["专车需求名单"]["G3"].number_format == "yyyy-mm-dd"


@pytest.mark.e2e
def test_libreoffice_opens_a_list(tmp_path, both):
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.skip("soffice (LibreOffice) is not installed")
    result = subprocess.run(
        [soffice, f"-env:UserInstallation=file://{tmp_path}/lo", "--headless", "--convert-to",
         "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1",
         "--outdir", str(tmp_path / "csv"), str(both[0])],
        capture_output=True, text=True, timeout=300)
    out = sorted((tmp_path / "csv").glob("*.csv"))
    assert out, result.stdout + result.stderr
    text = "\n".join(p.read_text(encoding="utf-8") for p in out)
    assert "测试名单（内部使用）" in text and "36010219900101123X" in text and "2020-03-01" in text
    assert "（当日无）" in text


def test_small_and_large_chunks_give_the_same_bytes(tmp_path, monkeypatch):
    """A chunk below ARROW_ROWS builds its cell text in Python strings, a larger one in Arrow:
    the same messy table written both ways gives the same file, byte for byte."""
    n = 40
    df = pd.DataFrame({
        "文本": [["甲&乙", "<b>", "=1+1", None, " 前空格", "ＡＢ宽字", "x" * 70, "a>b"][i % 8] for i in range(n)],
        "是否": pd.array([[True, False, None][i % 3] for i in range(n)], dtype="boolean"),
        "整数": pd.array([[1, None, -3][i % 3] for i in range(n)], dtype="Int64"),
        "小数": [[1.5, float("nan"), float("inf"), 2.0][i % 4] for i in range(n)],
        "日期": pd.to_datetime([["2020-02-23", None, "2020-02-24 09:30"][i % 3] for i in range(n)], format="ISO8601"),
        "混合": pd.Series([[1, "二", dt.date(2020, 2, 23), None, 2.5][i % 5] for i in range(n)], dtype=object),
        "分类": pd.Categorical([["南昌县", "新建区", None][i % 3] for i in range(n)]),
        "字符串": pd.array([["一", None, "三"][i % 3] for i in range(n)], dtype="string"),
    })
    out = {}
    for rows in (0, 10**9):  # every chunk in Arrow / every chunk in Python strings
        monkeypatch.setattr(tablebook, "ARROW_ROWS", rows)
        out[rows] = tablebook.write_tables(tmp_path / f"{rows}.xlsx", [("表", "标题", df)]).read_bytes()
    assert out[0] == out[10**9]
