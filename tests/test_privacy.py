"""No personal data outside restricted/, no formulas from input text, 附件1 from table L."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import independent as ind
import pytest
from builders import A_HEADER, B_HEADER, ledger_rows, list_rows, uscc, write_xlsx
from conftest import SAMPLE, invoke

from yonggong import pipeline, products


def personal_values(inbox: Path, city: str) -> dict[str, set[str]]:
    """ID numbers, phones and names of workers (tables F, M and O) in a city's raw files."""
    out = {"id": set(), "phone": set(), "name": set()}
    for day in sorted((inbox / city).iterdir()):
        tables = ind.read_day(day)
        for code in ("F", "M", "O"):  # the tables with personal data (O: 外出务工登记)
            for r in tables.get(code, []):
                out["id"].add(ind.code_of(r["身份证号"]))
                if r.get("手机号"):
                    out["phone"].add(str(r["手机号"]).split(".")[0])
                out["name"].add(str(r["姓名"]))
    return out


def text_of(path: Path) -> str:
    """All text of an output file (xlsx: every XML part; others: decoded bytes)."""
    if path.suffix == ".xlsx":
        with zipfile.ZipFile(path) as z:
            return "\n".join(z.read(n).decode("utf-8", "replace") for n in z.namelist())
    if path.suffix == ".parquet":
        import pandas as pd

        return pd.read_parquet(path).to_csv()
    return path.read_text(encoding="utf-8", errors="replace")


def test_no_personal_data_outside_restricted(nanchang_run, sample_inbox):
    out, res = nanchang_run
    pii = personal_values(sample_inbox, "南昌")
    assert len(pii["id"]) > 50 and len(pii["phone"]) > 50, "the sample must carry personal data to scan for"
    restricted = [p for p in (out / "restricted").rglob("*") if p.is_file()]
    assert restricted, "the restricted lists must exist"
    assert any(next(iter(pii["id"] & set(re.findall(r"\d{17}[\dX]", text_of(p)))), None) for p in restricted)
    public = [p for p in out.rglob("*") if p.is_file() and "restricted" not in p.parts]
    assert {p.suffix for p in public} >= {".xlsx", ".parquet", ".html", ".ipynb", ".json", ".txt"}
    names = {n for n in pii["name"] if len(n) >= 2}
    for path in public:
        text = text_of(path)
        ids = set(re.findall(r"\d{17}[\dXx]|\d{15}", text))
        assert not ids & pii["id"], path.name
        phones = set(re.findall(r"1\d{10}", text))
        assert not phones & pii["phone"], path.name
        found = [n for n in names if re.search(rf"(?<![\u4e00-\u9fff]){n}(?![\u4e00-\u9fff])", text)]
        assert not found, (path.name, found[:5])
    assert not any(v in res.stdout + res.stderr for v in pii["id"] | pii["phone"])


def test_input_text_never_becomes_a_formula(tmp_path):
    inbox = tmp_path / "inbox"
    day = inbox / "南昌" / "2020-02-24"
    rows = list_rows(3)
    rows[0][1] = '=HYPERLINK("http://evil.example","点我")'
    rows[1][1] = "+1+2"
    rows[2][1] = "@SUM(A1:A9)"
    write_xlsx(day / "a.xlsx", {"S": [A_HEADER, *rows]})
    b = ledger_rows(3, "2020-02-24")
    for i, r in enumerate(b):
        r[1] = rows[i][1]
        r[9] = "-1 设备故障" if i == 0 else None
    write_xlsx(day / "b.xlsx", {"S": [B_HEADER, *b]})
    cd = pipeline.load(inbox, "南昌", "2020-02-24")
    written = products.write_all(cd, tmp_path / "out")
    seen = 0
    for path in written:
        if path.suffix != ".xlsx":
            continue
        with zipfile.ZipFile(path) as z:
            xml = "".join(z.read(n).decode("utf-8") for n in z.namelist()
                          if n.startswith("xl/worksheets/") or n == "xl/sharedStrings.xml")
        assert "<f>" not in xml, path.name
        for cell in re.findall(r"<t[^>]*>([^<]*)</t>", xml):
            assert not cell.startswith(("=", "+", "-", "@")), (path.name, cell)
        seen += "HYPERLINK" in xml
    assert seen >= 2, "the malicious names must have been written (as text) somewhere"


def test_roster_from_table_l(tmp_path):
    res = invoke("roster", "--city=南昌", "--date=2020-03-01", f"--out={tmp_path}")
    assert res.returncode == 0, res.stderr
    (path,) = (tmp_path / "roster" / "南昌").glob("附件1_*.xlsx")
    from openpyxl import load_workbook

    ws = load_workbook(path).active
    rows = [[c.value for c in r] for r in ws.iter_rows()]
    header = next(i for i, r in enumerate(rows) if r[0] == "序号")
    body = [r for r in rows[header + 1:] if r[0] is not None]
    raw = ind.read_day(SAMPLE / "南昌" / "2020-02-23")["L"]
    assert len(body) == len(raw) > 0
    roles = [r[3] for r in body]
    order = ["组长", "副组长", "成员", "联络员"]
    assert roles == sorted(roles, key=order.index)
    assert {r[1] for r in body} == {x["姓名"] for x in raw}
    # the line under the title: 填报单位 and 填报日期 (the report day asked for)
    line = [v for v in rows[1] if v]
    assert line == ["填报单位：南昌市人力资源和社会保障局（盖章）", "填报日期：2020年3月1日"]
    assert rows[header][-2:] == ["微信号", "入群"]  # the sample's table L has neither: blank columns


def test_roster_lists_the_wechat_groups():
    import pandas as pd

    from yonggong import roster

    liaisons = pd.DataFrame({"姓名": ["甲", "乙"], "单位及职务": ["局长", "科员"], "小组职务": ["联络员", "组长"],
                             "办公电话": ["0791-1", None], "手机": ["13800000001", "13800000002"],
                             "微信号": ["wx_jia", None], "入群": [("工作群", "劳务协作群"), ("工作群",)], "_row": [3, 4]})
    got = roster.roster_frame(liaisons)
    assert got[["序号", "姓名", "微信号", "入群"]].fillna("").values.tolist() == [[1, "乙", "", "工作群"],
                                                                   [2, "甲", "wx_jia", "工作群、劳务协作群"]]


def test_roster_without_table_l_exits_2(tmp_path):
    day = tmp_path / "inbox" / "南昌" / "2020-02-24"
    write_xlsx(day / "a.xlsx", {"S": [A_HEADER, *list_rows(1)]})
    res = invoke("roster", "--city=南昌", f"--inbox={tmp_path / 'inbox'}", f"--out={tmp_path}")
    assert res.returncode == 2 and "表L" in res.stderr


@pytest.mark.parametrize("day", ["2020-02-24"])
def test_progress_report_paragraph_uses_the_figures(tmp_path, day):
    from openpyxl import load_workbook

    cd = pipeline.load(SAMPLE, "赣州", day)
    written = products.write_all(cd, tmp_path)
    (path,) = [p for p in written if p.name.startswith("每日进展情况")]
    ws = load_workbook(path).active
    cells = {ws.cell(row=r, column=1).value: ws.cell(row=r, column=2).value for r in range(1, ws.max_row + 1)}
    text = cells["今日工作进展"]
    t = cd.figures.loc["合计"]
    assert text.startswith("截至2月24日，全市纳入重点企业清单")
    assert f"{int(t['重点企业数']):,}家" in text and f"缺工{int(t['缺工人数']):,}人" in text
    assert f"复工率{t['复工率']:.1f}%" in text
    assert "【待填写】" in cells["下一步工作打算"]
    assert "联络员" in cells["联系人及电话"]
    _ = uscc  # builders import kept for fixtures above
