"""Tests of yonggong.forms: the 汇总表 writer/reader driven by params/layouts/huizongbiao.yaml."""

from __future__ import annotations

import datetime as dt
import math
import shutil
import subprocess
import zipfile

import openpyxl
import pandas as pd
import pytest
import yaml

from yonggong import forms, forms_read, forms_write, paths

FIGURE_IDS = [
    "重点企业数", "已复工企业数", "复工率", "员工总数", "在岗人数", "到岗率", "缺工企业数", "缺工人数",
    "空岗_普工", "空岗_技工", "空岗_管理及专业技术", "空岗_其他", "当日解决_合计", "当日解决_本地招聘",
    "当日解决_跨区域招聘", "当日解决_组织返岗", "当日解决_余缺调剂", "当日解决_学生实习及志愿者",
    "补报解决用工", "累计解决用工", "缺工解决率", "跨区域招聘需求人数", "点对点运输趟次", "点对点运输人数", "推送岗位数",
    "推送人次", "培训报名人数", "培训结业人数", "求助受理件数", "求助办结件数", "求助到期件数",
    "求助24小时办结件数", "24小时办结率", "未解决问题数",
]
RATES = {"复工率", "到岗率", "缺工解决率", "24小时办结率"}
COUNTIES = ["东湖区", "西湖区", "青云谱区"]
META = {
    "city_full": "南昌市",
    "bureau": "南昌市人力资源和社会保障局",
    "date": dt.date(2020, 2, 24),
    "filler": "张三",
    "reviewer": "李四",
    "phone": "0791-86000000",
    "submitted": "2020年2月24日14:30",
}
INJECTION = ['=HYPERLINK("http://x")', "+1+1", "-2+A1", "@SUM(A1)", "\t=1+1", " =1", "\n@x"]  # a plain "-2" is no formula


def make_figures() -> pd.DataFrame:
    """Distinct values per cell so a value in the wrong column is noticed; some NaN."""
    rows = []
    for r in range(len(COUNTIES)):
        rows.append([
            round(50 + r * 10 + k / 10, 1) if f in RATES else float(100 * (r + 1) + k)
            for k, f in enumerate(FIGURE_IDS)
        ])
    frame = pd.DataFrame(rows, index=COUNTIES, columns=FIGURE_IDS)
    frame.loc["西湖区", "复工率"] = math.nan
    frame.loc["青云谱区", "跨区域招聘需求人数"] = math.nan
    total = frame.sum().to_frame("合计").T
    total["复工率"] = 85.3
    frame = pd.concat([frame, total])
    frame.index.name = "县区"
    return frame


@pytest.fixture
def figures() -> pd.DataFrame:
    return make_figures()


@pytest.fixture
def written(tmp_path, figures):
    path = tmp_path / "汇总表.xlsx"
    forms_write.write_huizongbiao(path, figures, META, detail_sheets=detail_sheets())
    return path


def detail_sheets() -> dict[str, pd.DataFrame]:
    return {
        "企业明细": pd.DataFrame({
            "统一社会信用代码": ["91360100MA35XXXX1X", "91360100MA35YYYY2Y"],
            "名称": ["江西某某电子有限公司", "南昌某某制造有限公司"],
            "县区": ["东湖区", "西湖区"],
            "缺工人数": [12, 0],
            "报送日期": [dt.date(2020, 2, 24), dt.date(2020, 2, 23)],
        }),
        "问题困难": pd.DataFrame(columns=["企业名称", "问题类型", "问题描述", "已挂起天数"]),
    }


def sheet(path, name="汇总表"):
    return openpyxl.load_workbook(path)[name]


def merged(ws) -> set[str]:
    return {str(r) for r in ws.merged_cells.ranges}


# --------------------------------------------------------------------------- layout


def test_default_layout_covers_every_figure_once():
    layout = forms.load_layout()
    plan = forms.plan_of(layout)
    assert layout["sheet"] == "汇总表"
    assert layout["title"]["text"] == "重点企业用工调度保障工作信息汇总表"
    assert plan.figures == FIGURE_IDS
    assert plan.ncols == 35 and plan.header_rows == 3
    rate_formats = {c["figure"]: c["format"] for c in plan.columns if c["figure"]}
    assert all(rate_formats[f] == ("0.0" if f in RATES else "0") for f in FIGURE_IDS)


def test_layout_errors_are_reported_in_chinese(tmp_path):
    layout = yaml.safe_load((paths.PARAMS_DIR / "layouts" / "huizongbiao.yaml").read_text(encoding="utf-8"))
    layout["groups"][1]["columns"].append({"label": "重复", "figure": "复工率"})
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump(layout, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ValueError, match="指标重复出现：复工率"):
        forms.load_layout(bad)
    with pytest.raises(ValueError, match="找不到版式文件"):
        forms.load_layout(tmp_path / "nope.yaml")


# --------------------------------------------------------------------------- writing


def test_title_info_line_and_headers(written):
    ws = sheet(written)
    assert ws["A1"].value == "重点企业用工调度保障工作信息汇总表"
    assert "A1:AI1" in merged(ws)
    assert (ws["A1"].font.name, ws["A1"].font.sz, ws["A1"].font.b) == ("黑体", 16, True)
    assert ws["A2"].value == "填报单位：南昌市人力资源和社会保障局"
    assert ws["M2"].value == "数据截至：2020年2月24日"
    assert ws["AB2"].value == "单位：家、人、%"
    assert {"A2:L2", "M2:AA2", "AB2:AI2"} <= merged(ws)
    expected = {  # cell: (text, merged range)
        "A3": ("地区", "A3:A5"),
        "B3": ("企业情况", "B3:D3"),
        "B4": ("重点企业数", "B4:B5"),
        "C4": ("其中已复工", "C4:C5"),
        "D4": ("复工率（%）", "D4:D5"),
        "H3": ("缺工情况", "H3:M3"),
        "J4": ("空岗结构", "J4:M4"),
        "J5": ("普工", None),
        "L5": ("管理及专业技术", None),
        "N3": ("当日解决用工", "N3:S3"),
        "S4": ("学生实习及志愿者", "S4:S5"),
        "T3": ("累计", "T3:V3"),
        "T4": ("本期补报", "T4:T5"),
        "AD3": ("求助受理", "AD3:AH3"),
        "AF4": ("24小时到期件数", "AF4:AF5"),
        "AG4": ("其中24小时内办结", "AG4:AG5"),
        "AI3": ("问题困难\n（未解决数）", "AI3:AI5"),
    }
    for coord, (text, rng) in expected.items():
        assert ws[coord].value == text, coord
        if rng:
            assert rng in merged(ws), rng
        assert ws[coord].font.name == "黑体"
        assert ws[coord].alignment.horizontal == "center"
    # every header cell the layout declares is in place
    for r0, c0, _r1, _c1, text in forms.plan_of(forms.load_layout()).header_cells:
        assert ws.cell(row=3 + r0, column=c0 + 1).value == text
    # borders reach the edges of merged header cells
    assert ws["D3"].border.right.style == "thin"
    assert ws["A5"].border.bottom.style == "thin"


def test_body_values_formats_fonts(written, figures):
    ws = sheet(written)
    plan = forms.plan_of(forms.load_layout())
    assert [ws.cell(row=r, column=1).value for r in range(6, 10)] == [*COUNTIES, "合计"]
    for r, label in enumerate(figures.index, 6):
        for c, col in enumerate(plan.columns, 1):
            if col["figure"] is None:
                continue
            cell = ws.cell(row=r, column=c)
            want = figures.loc[label, col["figure"]]
            if math.isnan(want):
                assert (cell.value, cell.data_type) == ("—", "s")
                assert cell.alignment.horizontal == "center"
            else:
                assert cell.value == pytest.approx(want), (label, col["figure"])
                assert cell.number_format == ("0.0" if col["figure"] in RATES else "0")
            assert cell.border.left.style == "thin"
    assert ws["B6"].value == 100 and ws["C6"].value == 101  # 重点企业数, 已复工企业数
    assert ws["D7"].value == "—"  # 西湖区 复工率 NaN
    assert ws["D9"].value == 85.3 and ws["D9"].number_format == "0.0"  # 合计 复工率
    assert ws["AI6"].value == 133  # 未解决问题数 is the last column (index 33 of FIGURE_IDS: 100 + 33)
    assert ws["B6"].font.name == "宋体" and ws["B6"].font.sz == 10 and not ws["B6"].font.b
    assert ws["A9"].font.b and ws["B9"].font.b  # 合计 bold


def test_footer_print_setup_and_panes(written):
    ws = sheet(written)
    assert ws["A10"].value == "填表人：张三"
    assert ws["J10"].value == "审核人：李四"  # 35 columns in 4 segments: 9, 9, 9, 8
    assert ws["S10"].value == "联系电话：0791-86000000"
    assert ws["AB10"].value == "报送时间：2020年2月24日14:30"
    assert ws.freeze_panes == "B6"
    assert ws.page_setup.orientation == "landscape"
    assert int(ws.page_setup.paperSize) == 9
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert int(ws.page_setup.fitToWidth) == 1 and int(ws.page_setup.fitToHeight) == 0
    assert ws.print_title_rows == "$3:$5"
    assert ws.column_dimensions["A"].width == 12


def test_detail_sheets(written):
    wb = openpyxl.load_workbook(written)
    assert wb.sheetnames == ["汇总表", "企业明细", "问题困难"]
    ws = wb["企业明细"]
    assert ws["A1"].value == "企业明细" and "A1:E1" in merged(ws)
    assert [c.value for c in ws[2]] == ["统一社会信用代码", "名称", "县区", "缺工人数", "报送日期"]
    assert ws["A2"].font.b and ws["A2"].fill.fgColor.rgb.endswith("D9D9D9")
    assert ws["B3"].value == "江西某某电子有限公司" and ws["D4"].value == 0
    assert ws["E3"].value.date() == dt.date(2020, 2, 24) and ws["E3"].number_format == "yyyy-mm-dd"
    assert ws["B3"].font.name == "宋体" and ws["B4"].border.bottom.style == "thin"
    assert ws.freeze_panes == "A3"
    assert ws.column_dimensions["B"].width > ws.column_dimensions["D"].width
    empty = wb["问题困难"]
    assert [c.value for c in empty[2]] == ["企业名称", "问题类型", "问题描述", "已挂起天数"]
    assert empty["A3"].value == "（当日无）" and "A3:D3" in merged(empty)


def test_missing_figure_column_is_refused(tmp_path, figures):
    with pytest.raises(ValueError, match="缺少版式所需的指标：推送人次"):
        forms_write.write_huizongbiao(tmp_path / "x.xlsx", figures.drop(columns=["推送人次"]), META)


def test_output_is_byte_identical(tmp_path, figures):
    a, b = tmp_path / "a.xlsx", tmp_path / "b.xlsx"
    forms_write.write_huizongbiao(a, figures, META, detail_sheets=detail_sheets())
    forms_write.write_huizongbiao(b, figures.copy(), dict(META), detail_sheets=detail_sheets())
    assert a.read_bytes() == b.read_bytes()


# --------------------------------------------------------------------------- reading


def test_read_round_trips(written, figures):
    meta, back = forms_read.read_huizongbiao(written)
    pd.testing.assert_frame_equal(back, figures)
    assert back.index.name == "县区"
    assert meta["bureau"] == META["bureau"] and meta["date"] == META["date"]
    assert meta["city_full"] == "南昌市"
    assert (meta["filler"], meta["reviewer"], meta["phone"], meta["submitted"]) == (
        "张三", "李四", "0791-86000000", "2020年2月24日14:30")


def test_read_empty_footer_fields(tmp_path, figures):
    path = tmp_path / "f.xlsx"
    forms_write.write_huizongbiao(path, figures, {**META, "filler": "", "reviewer": "", "phone": "", "submitted": ""})
    meta, _ = forms_read.read_huizongbiao(path)
    assert meta["filler"] == meta["submitted"] == "" and meta["date"] == META["date"]


def test_read_refuses_foreign_layout(tmp_path, written):
    wb = openpyxl.load_workbook(written)
    wb["汇总表"]["J5"] = "一线工人"
    changed = tmp_path / "changed.xlsx"
    wb.save(changed)
    with pytest.raises(ValueError, match=r"版式不符.*J5 应为“普工”，实为“一线工人”"):
        forms_read.read_huizongbiao(changed)
    other = openpyxl.Workbook()
    other.active["A1"] = "某某统计表"
    other.save(tmp_path / "other.xlsx")
    with pytest.raises(ValueError, match="版式不符"):
        forms_read.read_huizongbiao(tmp_path / "other.xlsx")
    (tmp_path / "text.xlsx").write_text("not a workbook", encoding="utf-8")
    with pytest.raises(ValueError, match="无法作为 xlsx 文件打开"):
        forms_read.read_huizongbiao(tmp_path / "text.xlsx")


def test_read_refuses_text_in_figure_cell(tmp_path, written):
    wb = openpyxl.load_workbook(written)
    wb["汇总表"]["C6"] = "约100"
    path = tmp_path / "t.xlsx"
    wb.save(path)
    with pytest.raises(ValueError, match="C6（其中已复工）的值“约100”不是数字"):
        forms_read.read_huizongbiao(path)


def test_read_finds_renamed_sheet_and_date_typed_by_hand(tmp_path, written, figures):
    wb = openpyxl.load_workbook(written)
    ws = wb["汇总表"]
    ws.title = "Sheet1"
    ws["M2"] = "数据截至: 2020年02月24日"  # ASCII colon, padded month
    path = tmp_path / "renamed.xlsx"
    wb.save(path)
    meta, back = forms_read.read_huizongbiao(path)
    assert meta["date"] == dt.date(2020, 2, 24)
    pd.testing.assert_frame_equal(back, figures)


# --------------------------------------------------------------------------- layout edits


def test_layout_edit_moves_column_and_renames_heading(tmp_path, figures):
    spec = yaml.safe_load((paths.PARAMS_DIR / "layouts" / "huizongbiao.yaml").read_text(encoding="utf-8"))
    groups = spec["groups"]
    assert groups[2]["heading"] == "员工情况"
    groups[2]["heading"] = "职工情况"
    problem = groups.pop()  # 问题困难 (one column) moves to second place
    assert problem["heading"] == "问题困难"
    groups.insert(1, problem)
    edited = tmp_path / "edited.yaml"
    edited.write_text(yaml.safe_dump(spec, allow_unicode=True, sort_keys=False), encoding="utf-8")

    layout = forms.load_layout(edited)
    path = tmp_path / "edited.xlsx"
    forms_write.write_huizongbiao(path, figures, META, layout=layout)
    ws = sheet(path)
    assert ws["B3"].value == "问题困难\n（未解决数）" and "B3:B5" in merged(ws)
    assert [ws.cell(row=r, column=2).value for r in range(6, 10)] == list(figures["未解决问题数"])
    assert ws["C3"].value == "企业情况" and ws["C6"].value == 100  # everything shifted right by one
    assert ws["F3"].value == "职工情况" and "F3:H3" in merged(ws)
    assert ws["F6"].value == figures.loc["东湖区", "员工总数"]
    assert ws["AI4"].value == "24小时办结率（%）"

    meta, back = forms_read.read_huizongbiao(path, layout=edited)
    assert list(back.columns)[0] == "未解决问题数"
    pd.testing.assert_frame_equal(back, figures[back.columns])
    assert meta["date"] == META["date"]
    with pytest.raises(ValueError, match="版式不符"):  # the default layout does not accept it
        forms_read.read_huizongbiao(path)


# --------------------------------------------------------------------------- injection


def test_safe_text():
    for text in INJECTION:
        out = forms.safe_text(text)
        assert not out.startswith(forms.FORMULA_LEADS)
        assert out == forms.GUARD + text
    assert forms.safe_text("\r=1") == forms.GUARD + "\n=1"  # CR is stored as LF, guarded
    assert forms.safe_text("东湖区") == "东湖区"
    assert forms.safe_text("a-b=c") == "a-b=c"
    assert forms.safe_text(-2) == "-2" and forms.safe_text("-2") == "-2"  # a plain signed number is no formula
    assert forms.safe_text(None) == ""
    assert forms.safe_text("a\x00b\x07c") == "abc"  # characters XML cannot hold


def test_formula_injection_is_neutralised(tmp_path, figures):
    figs = figures.rename(index={"东湖区": "=1+1"})
    details = {"问题困难": pd.DataFrame({"企业名称": INJECTION, "问题描述": list(reversed(INJECTION))}),
               **{"=SUM(A1)": pd.DataFrame({"=cmd": [1]})}}
    path = tmp_path / "inj.xlsx"
    forms_write.write_huizongbiao(path, figs, META, detail_sheets=details)

    with zipfile.ZipFile(path) as zf:
        sheets = [n for n in zf.namelist() if n.startswith("xl/worksheets/") and n.endswith(".xml")]
        assert len(sheets) == 3
        for name in sheets:
            xml = zf.read(name).decode("utf-8")
            assert "<f>" not in xml and "<f " not in xml, name

    wb = openpyxl.load_workbook(path)
    a6 = wb["汇总表"]["A6"]
    assert a6.data_type == "s" and a6.value == forms.GUARD + "=1+1"
    ws = wb["问题困难"]
    for r, text in enumerate(INJECTION, 3):
        cell = ws.cell(row=r, column=1)
        assert cell.data_type == "s"
        assert not cell.value.startswith(forms.FORMULA_LEADS)
        assert cell.value.replace(forms.GUARD, "", 1) == text
    assert wb["=SUM(A1)"]["A2"].value == forms.GUARD + "=cmd"
    _, back = forms_read.read_huizongbiao(path)
    assert back.index[0] == "=1+1"  # the guard is dropped on reading


# --------------------------------------------------------------------------- LibreOffice


@pytest.mark.e2e
def test_libreoffice_converts_to_pdf(tmp_path, written):
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.skip("soffice (LibreOffice) is not installed")
    outdir = tmp_path / "pdf"
    result = subprocess.run(
        [soffice, f"-env:UserInstallation=file://{tmp_path}/lo", "--headless",
         "--convert-to", "pdf", "--outdir", str(outdir), str(written)],
        capture_output=True, text=True, timeout=300,
    )
    pdf = outdir / (written.stem + ".pdf")
    assert pdf.is_file(), result.stdout + result.stderr
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF") and len(data) > 1000


def test_table_rows_fit_their_wrapped_text_within_409_points(tmp_path):
    """A detail sheet's rows are as tall as their wrapped text (14 pt a line at 宋体 10, + 3), so a
    printed 说明 never runs over the next row; a huge cell stops at Excel's 409 pt."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    long = "问" * 300  # 600 display units over a 50-unit line (max_width 50): 12 lines
    frame = pd.DataFrame({"设区市": ["南昌市", "九江市", "赣州市", "吉安市"],
                          "备注": ["短", long, "第一行\n第二行\n第三行", "字" * 5000]})
    forms_write.write_table_sheet(ws, "测试", frame)
    heights = {r: ws.row_dimensions[r].height for r in range(3, 7)}
    assert heights == {3: None, 4: 14 * 12 + 3, 5: 14 * 3 + 3, 6: 409}
    assert ws["B4"].alignment.wrap_text and ws["B5"].alignment.wrap_text and not ws["B3"].alignment.wrap_text
    # a long-text column of the layout's wide_columns (说明: 70) wraps later: 600 / 70 → 9 lines
    ws2 = Workbook().active
    forms_write.write_table_sheet(ws2, "测试", frame.rename(columns={"备注": "说明"}))
    assert ws2.row_dimensions[4].height == 14 * 9 + 3 and ws2.column_dimensions["B"].width == 70
