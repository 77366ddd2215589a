"""Lines of the 数据质量报告: conflict lines that name the record and every differing column
(personal values masked), and the 提示 level (after 错误 and 警告, never red)."""

from __future__ import annotations

import datetime as dt

import pandas as pd
from builders import A_HEADER, B_HEADER, ledger_rows, list_rows, write_xlsx
from openpyxl import load_workbook

from yonggong import pipeline, report, validate
from yonggong.clean import clean_table
from yonggong.faults import ERROR, LEVELS, NOTICE, WARNING, FaultLog, level_rank
from yonggong.ingest import Inbox, read_day
from yonggong.reference import resolve_city, table_specs

NC = resolve_city("南昌")
DAY = dt.date(2020, 2, 24)
OLD, NEW = 1_582_500_000, 1_582_600_000  # file times: NEW is the newer file

F_HEADER = ["姓名", "身份证号", "手机号", "出发地", "返岗企业", "计划返岗日期"]
M_HEADER = ["姓名", "身份证号", "手机号", "县区", "意向岗位", "登记日期"]
J_HEADER = ["编号", "受理时间", "诉求方", "类型", "办结时间", "状态"]


def _clean(folder, code):
    inbox = read_day(folder)
    log = FaultLog(inbox)
    df = clean_table(code, inbox.table(code), NC, DAY, log)
    df = validate.check_rows(code, df, log)
    return df, log.frame()


def _all_text(faults: pd.DataFrame) -> str:
    """Every cell of the faults frame (no truncation, unlike ``DataFrame.to_string``)."""
    return "\n".join(str(v) for v in faults.to_numpy().ravel())


def _conflicts(faults: pd.DataFrame) -> dict[tuple[str, int], str]:
    c = faults[faults["rule"] == "conflict"]
    assert (c["level"] == "警告").all() and (c["column"] == "").all() and (c["value"] == "").all()
    return {(f, int(r)): p for f, r, p in zip(c["file"], c["row"], c["problem"], strict=True)}


def test_ledger_conflict_names_enterprise_and_every_differing_column(tmp_path):
    day = tmp_path / "inbox" / "南昌" / "2020-02-24"
    write_xlsx(day / "清单.xlsx", {"清单": [A_HEADER, *list_rows(3)]})
    old = ledger_rows(3, "2020-02-24", shortage=12)
    write_xlsx(day / "台账旧.xlsx", {"台账": [B_HEADER, *old]}, mtime=OLD)
    header = list(B_HEADER)
    header[4], header[5] = "到岗人数", "缺口人数"  # aliases: the lines use the headers as written
    new = [list(r) for r in old]
    new[1][3] = "100人"  # same 员工总数 once read: not a difference
    new[1][4], new[1][5] = 82, 15
    write_xlsx(day / "台账新.xlsx", {"台账": [["企业用工台账"], header, *new]}, mtime=NEW)

    cd = pipeline.load(tmp_path / "inbox", "南昌", "2020-02-24")

    old_f, new_f = "南昌/2020-02-24/台账旧.xlsx", "南昌/2020-02-24/台账新.xlsx"
    assert _conflicts(cd.faults) == {
        (old_f, 3): "企业 91360102MA0000002U 测试企业2有限公司（填报日期 2020-02-24）与 "
                    "南昌/2020-02-24/台账新.xlsx 第4行主键相同但内容不同，已采用较新文件的行。"
                    "在岗人数：本行 80，南昌/2020-02-24/台账新.xlsx 第4行 82；"
                    "缺工人数：本行 12，南昌/2020-02-24/台账新.xlsx 第4行 15",
        (new_f, 4): "企业 91360102MA0000002U 测试企业2有限公司（填报日期 2020-02-24）与 "
                    "南昌/2020-02-24/台账旧.xlsx 第3行主键相同但内容不同，采用本行（文件较新）。"
                    "到岗人数：本行 82，南昌/2020-02-24/台账旧.xlsx 第3行 80；"
                    "缺口人数：本行 15，南昌/2020-02-24/台账旧.xlsx 第3行 12",
    }
    text = _all_text(cd.faults[cd.faults["rule"] == "conflict"])
    for same in ("员工总数", "是否复工", "产能恢复率", "富余人数", "企业名称"):
        assert same not in text, same
    ledger = cd.ledger.set_index("统一社会信用代码")
    assert ledger.loc["91360102MA0000002U", "缺工人数"] == 15, "the newer file wins"


def test_returning_worker_conflict_shows_masked_values_only(tmp_path):
    idno = "360102198505054562"
    rows = [F_HEADER, ["张三丰", idno, "13812345678", "湖北省黄冈市", "甲", "2020-02-26"]]
    write_xlsx(tmp_path / "old.xlsx", {"S": rows}, mtime=OLD)
    rows = [F_HEADER, ["王五", idno, "13987654321", "湖北省黄冈市", "甲", "2020-02-27"]]
    write_xlsx(tmp_path / "new.xlsx", {"S": rows}, mtime=NEW)

    df, faults = _clean(tmp_path, "F")

    assert list(df["姓名"]) == ["王五"]
    assert _conflicts(faults) == {
        ("old.xlsx", 2): "身份证号 3601**********4562 与 new.xlsx 第2行主键相同但内容不同，已采用较新文件的行。"
                         "姓名：本行 张**，new.xlsx 第2行 王*；手机号：本行 138****5678，new.xlsx 第2行 139****4321；"
                         "计划返岗日期：本行 2020-02-26，new.xlsx 第2行 2020-02-27",
        ("new.xlsx", 2): "身份证号 3601**********4562 与 old.xlsx 第2行主键相同但内容不同，采用本行（文件较新）。"
                         "姓名：本行 王*，old.xlsx 第2行 张**；手机号：本行 139****4321，old.xlsx 第2行 138****5678；"
                         "计划返岗日期：本行 2020-02-27，old.xlsx 第2行 2020-02-26",
    }
    text = _all_text(faults)
    for raw in (idno, "13812345678", "13987654321", "张三丰", "王五"):
        assert raw not in text, raw


def test_job_seeker_conflict_masks_numeric_phone_cells(tmp_path):
    idno = "36010219900101123X"
    # phones typed as numbers: the cells read as 13812345678.0
    rows = [M_HEADER, ["李四", idno, 13812345678, "东湖区", "普工", "2020-02-24"]]
    write_xlsx(tmp_path / "a.xlsx", {"S": rows}, mtime=OLD)
    rows = [M_HEADER, ["李四", idno.lower(), 13812345679, "西湖区", "普工", "2020-02-24"]]
    write_xlsx(tmp_path / "b.xlsx", {"S": [["求职登记"], *rows]}, mtime=NEW)

    _, faults = _clean(tmp_path, "M")

    assert _conflicts(faults) == {
        ("a.xlsx", 2): "身份证号 3601**********123X 与 b.xlsx 第3行主键相同但内容不同，已采用较新文件的行。"
                       "手机号：本行 138****5678，b.xlsx 第3行 138****5679；县区：本行 东湖区，b.xlsx 第3行 西湖区",
        ("b.xlsx", 3): "身份证号 3601**********123X 与 a.xlsx 第2行主键相同但内容不同，采用本行（文件较新）。"
                       "手机号：本行 138****5679，a.xlsx 第2行 138****5678；县区：本行 西湖区，a.xlsx 第2行 东湖区",
    }
    text = _all_text(faults)
    for raw in (idno, idno.lower(), "13812345678", "13812345679", "李四"):
        assert raw not in text, raw


def test_conflict_without_credit_code_names_the_key(tmp_path):
    rows = [J_HEADER, ["QZ20200224001", dt.datetime(2020, 2, 24, 9), "企业", "招工", None, "办理中"]]
    write_xlsx(tmp_path / "j1.xlsx", {"S": rows}, mtime=OLD)
    rows = [J_HEADER, ["QZ20200224001", dt.datetime(2020, 2, 24, 9), "企业", "招工",
                       dt.datetime(2020, 2, 24, 16, 30), "已办结"]]
    write_xlsx(tmp_path / "j2.xlsx", {"S": rows}, mtime=NEW)

    _, faults = _clean(tmp_path, "J")

    assert _conflicts(faults)[("j2.xlsx", 2)] == (
        "编号 QZ20200224001 与 j1.xlsx 第2行主键相同但内容不同，采用本行（文件较新）。"
        "办结时间：本行 2020-02-24 16:30，j1.xlsx 第2行 （空）；状态：本行 已办结，j1.xlsx 第2行 办理中")


def test_levels_are_ordered_error_warning_notice():
    assert LEVELS == ("错误", "警告", "提示") and NOTICE == "提示"
    assert sorted(["提示", "其他", "警告", "错误"], key=level_rank) == ["错误", "警告", "提示", "其他"]


def test_notice_lines_come_last_and_are_not_red(tmp_path):
    log = FaultLog(Inbox())
    spec = table_specs()["B"]

    def at(row: int) -> dict:
        return {"_file": "台账.xlsx", "_sheet": "S", "_row": row, "填报日期": "2020-02-20"}

    # the 提示 is on the first row: file-and-row order alone would list it first
    log.add(NOTICE, spec, at(2), "填报日期", "补报：2020-02-20的数据今日报送，已计入", "无需处理", "late")
    log.add(WARNING, spec, at(3), "缺工人数", "合计行数值与上方各行之和不符", "请核对", "total_row")
    log.add(ERROR, spec, at(4), "缺工人数", "必填项为空", "请填写“缺工人数”", "required")
    log.add(WARNING, spec, at(5), "企业名称", "企业名称与清单不一致", "请核对", "name_differs")
    path = tmp_path / "数据质量报告.xlsx"

    report.write_quality_report(path, log.frame(), NC, DAY)

    wb = load_workbook(path)
    ws = wb["问题清单"]
    assert "错误1条（不计入报表），警告2条（已计入），提示1条（已计入，供知悉）" in ws["A1"].value
    body = list(ws.iter_rows(min_row=3))
    row_at = [c.value for c in ws[2]].index("Excel行号")
    assert [(r[0].value, r[row_at].value) for r in body] == [("警告", 3), ("错误", 4), ("警告", 5), ("提示", 2)]
    assert body[1][0].fill.fill_type == "solid" and body[1][0].fill.fgColor.rgb.endswith("FFC7CE")  # 错误: red
    assert body[0][0].fill.fill_type == "solid" and body[0][0].fill.fgColor.rgb.endswith("FFEB9C")  # 警告: yellow
    notice = body[3]
    assert all(c.fill.fill_type is None for c in notice), "a 提示 line has no fill at all"
    assert all(c.font.color is None or c.font.color.rgb in (None, "FF000000") for c in notice)

    summary = [[c.value for c in r] for r in wb["汇总"].iter_rows(min_row=3)]
    assert [(r[1], r[2], r[3]) for r in summary] == [
        ("错误", "required", 1), ("警告", "name_differs", 1), ("警告", "total_row", 1), ("提示", "late", 1)]
