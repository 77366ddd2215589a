"""The province day: intake, checks, completeness and timeliness, 催报, roll-up, comparison.

The province inbox is built here for each case, with small figure frames written by
forms_write.write_huizongbiao (the same layout spec the province reads them with).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import math
import os
import random
import re
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from conftest import invoke

from yonggong import brief, catalogue, forms, forms_write, indicators, paths, province
from yonggong.errors import UserError, YonggongError
from yonggong.province import verify as province_check
from yonggong.reference import cities, city_counties, resolve_city
from yonggong.run import SELFCHECK_RECORD
from yonggong.synth import sample_province

D = dt.date(2020, 3, 10)
PREV = D - dt.timedelta(days=1)
CST = indicators.LOCAL
FIGURE_IDS = indicators.keys()
POINT_FIGURES = ["推送岗位数", "推送人次", "培训报名人数", "培训结业人数", "求助受理件数", "求助办结件数",
                 "求助到期件数", "求助24小时办结件数"]


# --------------------------------------------------------------------------- builders


def city_frame(city_name: str, seed: int = 1) -> pd.DataFrame:
    """A consistent city 汇总表: counties, 市本级, 合计 (合计 = sum, rates from counts)."""
    city = resolve_city(city_name)
    rng = random.Random(f"{city.code}-{seed}")
    counties = [c.name for c in city_counties(city)]
    rows = [*counties, "市本级"]
    f = pd.DataFrame(0.0, index=pd.Index(rows, name="县区"), columns=FIGURE_IDS)
    for r in counties:
        n = rng.randint(3, 12)
        staff = rng.randint(200, 3000)
        short = rng.randint(10, 300)
        a = rng.randint(0, short)
        b = rng.randint(0, short - a)
        c = rng.randint(0, short - a - b)
        channels = [rng.randint(0, 30) for _ in range(5)]
        f.loc[r, ["重点企业数", "已复工企业数", "员工总数", "在岗人数", "缺工企业数", "缺工人数"]] = \
            [n, rng.randint(0, n), staff, rng.randint(0, staff), rng.randint(1, n), short]
        f.loc[r, ["空岗_普工", "空岗_技工", "空岗_管理及专业技术", "空岗_其他"]] = [a, b, c, short - a - b - c]
        f.loc[r, ["当日解决_本地招聘", "当日解决_跨区域招聘", "当日解决_组织返岗", "当日解决_余缺调剂",
                  "当日解决_学生实习及志愿者"]] = channels
        f.loc[r, "当日解决_合计"] = sum(channels)
        f.loc[r, ["累计解决用工", "跨区域招聘需求人数", "点对点运输趟次", "点对点运输人数", "未解决问题数"]] = \
            [rng.randint(100, 500), rng.randint(0, 80), rng.randint(0, 3), rng.randint(0, 120), rng.randint(0, 3)]
        f.loc[r, "补报解决用工"] = rng.randint(0, 5)
    f.loc[counties, POINT_FIGURES] = float("nan")
    received = rng.randint(5, 40)
    done = rng.randint(0, received)
    due = rng.randint(1, 30)
    within = rng.randint(0, due)
    f.loc["市本级", POINT_FIGURES] = [rng.randint(100, 900), rng.randint(1000, 9000), rng.randint(10, 200),
                                    rng.randint(0, 100), received, done, due, within]
    f.loc["市本级", ["点对点运输趟次", "点对点运输人数"]] = [1, rng.randint(20, 60)]
    f.loc["合计"] = f.sum(axis=0, min_count=1)
    return with_rates(f)


def with_rates(f: pd.DataFrame) -> pd.DataFrame:
    """Rates from the counts in every row (written out here, not taken from the package)."""
    f["复工率"] = ratio(f["已复工企业数"], f["重点企业数"])
    f["到岗率"] = ratio(f["在岗人数"], f["员工总数"])
    f["缺工解决率"] = ratio(f["累计解决用工"], f["累计解决用工"] + f["缺工人数"])
    f["24小时办结率"] = ratio(f["求助24小时办结件数"], f["求助到期件数"])
    return f


def day_before(frame: pd.DataFrame) -> pd.DataFrame:
    """The same city the day before: 累计 lower by the day's placements and late reports."""
    f = frame.copy()
    f["累计解决用工"] = f["累计解决用工"] - f["当日解决_合计"] - f["补报解决用工"]
    return with_rates(f)


def ratio(num: pd.Series, den: pd.Series) -> pd.Series:
    return (num / den.where(den > 0) * 100).round(1)


def write_city(path: Path, city_name: str, frame: pd.DataFrame, day: dt.date = D, layout=None,
               when: dt.datetime | None = None) -> Path:
    city = resolve_city(city_name)
    meta = {"city_full": city.full_name, "bureau": city.bureau, "date": day, "filler": "张三", "reviewer": "",
            "phone": "0791-86000000", "submitted": ""}
    path.parent.mkdir(parents=True, exist_ok=True)
    forms_write.write_huizongbiao(path, frame, meta, layout=layout)
    if when is not None:
        set_mtime(path, when)
    return path


def set_mtime(path: Path, when: dt.datetime) -> None:
    stamp = when.replace(tzinfo=CST).timestamp()
    os.utime(path, (stamp, stamp))


def at(hhmm: str, day: dt.date = D) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.fromisoformat(hhmm))


def write_receipts(folder: Path, rows: list[tuple[str, str, str]], encoding: str = "gb18030") -> None:
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(["设区市", "收到时间", "文件名"])
    w.writerows(rows)
    (folder / "收件登记.csv").write_bytes(buf.getvalue().encode(encoding))


def write_liaisons(path: Path) -> None:
    """Table L of the province: a 设区市 column; one row without it (city from 单位及职务)."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["各设区市重点企业用工调度保障工作联络员名单"])
    ws.append(["序号", "设区市", "姓名", "单位及职务", "小组职务", "办公电话", "手机"])
    ws.append([1, "景德镇", "王联络", "景德镇市人社局就业科副科长", "联络员", "0798-8200001", "13900000001"])
    ws.append([2, "景德镇市", "李组长", "景德镇市人社局局长", "组长", "0798-8200002", "13900000002"])
    ws.append([3, "九江", "赵联络", "九江市就业创业服务中心科长", "联络员", "0792-8200003", "13900000003"])
    ws.append([4, "新余", "钱组长", "新余市人社局局长", "组长", "0790-8200004", "13900000004"])
    ws.append([5, "", "孙联络", "鹰潭市人力资源和社会保障局就业科科长", "联络员", "0701-8200005", "13900000005"])
    wb.save(path)


def bad_layout() -> dict:
    layout = forms.load_layout()
    layout["groups"][1]["columns"][0]["label"] = "企业数"  # 重点企业数 renamed: not the form
    return layout


# --------------------------------------------------------------------------- the case inbox


FRAMES = {name: city_frame(name) for name in ["南昌", "景德镇", "萍乡", "新余", "鹰潭", "赣州", "吉安", "宜春", "抚州",
                                               "上饶"]}


@pytest.fixture(scope="module")
def case_inbox(tmp_path_factory) -> Path:
    """One province day with every case; D-1 holds 南昌 with a jump in 缺工人数."""
    inbox = tmp_path_factory.mktemp("inbox")
    day = inbox / "province" / D.isoformat()
    day.mkdir(parents=True)
    # on time by 收件登记
    write_city(day / "南昌0310.xlsx", "南昌", FRAMES["南昌"], when=at("18:00"))  # mtime says late; 收件登记 wins
    # late by 收件登记
    write_city(day / "景德镇汇总表.xlsx", "景德镇", FRAMES["景德镇"], when=at("10:00"))
    # late by modification time (not in 收件登记)
    write_city(day / "萍乡.xlsx", "萍乡", FRAMES["萍乡"], when=at("15:40"))
    # 九江: missing (a 收件登记 line for a file that is not there)
    # wrong date
    write_city(day / "新余市3月10日.xlsx", "新余", FRAMES["新余"], day=PREV, when=at("11:00"))
    # wrong layout (city still found in 填报单位)
    write_city(day / "鹰潭.xlsx", "鹰潭", FRAMES["鹰潭"], layout=bad_layout(), when=at("11:00"))
    # 合计 does not add up
    spoiled = FRAMES["赣州"].copy()
    spoiled.loc["合计", "点对点运输人数"] += 7
    write_city(day / "赣州.xlsx", "赣州", spoiled, when=at("11:00"))
    # duplicate: an older file and a corrected resend (the resend counts)
    older = FRAMES["吉安"].copy()
    older.loc["合计", "缺工人数"] += 100
    write_city(day / "吉安（初报）.xlsx", "吉安", older, when=at("09:00"))
    write_city(day / "吉安（更正）.xlsx", "吉安", FRAMES["吉安"], when=at("14:00"))
    # negative figure (合计 still adds up)
    neg = FRAMES["宜春"].copy()
    first = neg.index[0]
    neg.loc[first, "未解决问题数"] = -1
    neg.loc["合计", "未解决问题数"] = neg.drop(index="合计")["未解决问题数"].sum()
    write_city(day / "宜春.xlsx", "宜春", neg, when=at("11:00"))
    # a county of another city
    foreign = FRAMES["抚州"].rename(index={FRAMES["抚州"].index[0]: "东湖区"})
    write_city(day / "抚州.xlsx", "抚州", foreign, when=at("11:00"))
    # on time by modification time
    write_city(day / "上饶.xlsx", "上饶", FRAMES["上饶"], when=at("14:59"))
    # a stray workbook and the liaisons
    wb = openpyxl.Workbook()
    wb.active["A1"] = "关于召开调度会的通知"
    wb.save(day / "通知.xlsx")
    set_mtime(day / "通知.xlsx", at("08:00"))
    write_liaisons(day / "联络员.xlsx")
    write_receipts(day, [
        ("南昌", "2020-03-10 14:30", "南昌0310.xlsx"),
        ("景德镇市", "2020/3/10 16:20", "景德镇汇总表.xlsx"),
        ("九江", "2020-03-10 13:00", "九江市汇总表.xlsx"),
        ("新余", "2020-03-10 11:00", "新余市3月10日.xlsx"),
        ("鹰潭", "11:05", "鹰潭.xlsx"),
        ("赣州", "2020-03-10 11:10", "赣州.xlsx"),
        ("吉安", "2020-03-10 09:00", "吉安（初报）.xlsx"),
        ("吉安", "2020-03-10 14:00", "吉安（更正）.xlsx"),
        ("宜春", "2020-03-10 11:20", "宜春.xlsx"),
        ("抚州", "2020-03-10 11:30", "抚州.xlsx"),
    ])
    # D-1: 南昌 with 缺工人数 much lower (a jump to follow up), 上饶 the day before (累计 consistent)
    prev = inbox / "province" / PREV.isoformat()
    before = day_before(FRAMES["南昌"])
    before["缺工人数"] = (before["缺工人数"] / 4).round()
    before.loc["合计", "缺工人数"] = before.drop(index="合计")["缺工人数"].sum()
    before = with_rates(before)
    write_city(prev / "南昌.xlsx", "南昌", before, day=PREV, when=at("10:00", PREV))
    write_city(prev / "上饶.xlsx", "上饶", day_before(FRAMES["上饶"]), day=PREV, when=at("10:00", PREV))
    return inbox


@pytest.fixture(scope="module")
def pday(case_inbox, tmp_path_factory):
    return province.day.load(D.isoformat(), case_inbox, outputs=tmp_path_factory.mktemp("nothing"))


def status_of(pday, full_name: str) -> dict:
    rows = pday.completeness[pday.completeness["设区市"] == full_name]
    assert len(rows) == 1
    return rows.iloc[0].to_dict()


# --------------------------------------------------------------------------- completeness


def test_exact_completeness_table(pday):
    got = pday.completeness[["设区市", "状态", "收到时间", "时间来源", "迟报时长", "文件"]]
    expected = [
        ["南昌市", "按时", "2020-03-10 14:30", "收件登记", "", "南昌0310.xlsx"],
        ["景德镇市", "迟报", "2020-03-10 16:20", "收件登记", "1小时20分", "景德镇汇总表.xlsx"],
        ["萍乡市", "迟报", "2020-03-10 15:40", "文件修改时间", "40分", "萍乡.xlsx"],
        ["九江市", "未报送", "", "", "", ""],
        ["新余市", "退回", "2020-03-10 11:00", "收件登记", "", "新余市3月10日.xlsx"],
        ["鹰潭市", "退回", "2020-03-10 11:05", "收件登记", "", "鹰潭.xlsx"],
        ["赣州市", "退回", "2020-03-10 11:10", "收件登记", "", "赣州.xlsx"],
        ["吉安市", "按时", "2020-03-10 14:00", "收件登记", "", "吉安（更正）.xlsx"],
        ["宜春市", "退回", "2020-03-10 11:20", "收件登记", "", "宜春.xlsx"],
        ["抚州市", "退回", "2020-03-10 11:30", "收件登记", "", "抚州.xlsx"],
        ["上饶市", "按时", "2020-03-10 14:59", "文件修改时间", "", "上饶.xlsx"],
    ]
    assert got.values.tolist() == expected


def test_reasons_are_listed(pday):
    assert status_of(pday, "新余市")["问题"].startswith("数据截至2020年3月9日，不是2020年3月10日")
    assert "版式不符" in status_of(pday, "鹰潭市")["问题"]
    assert status_of(pday, "赣州市")["问题"] == "合计行“点对点运输人数”为{}，上方各行之和为{}".format(
        int(FRAMES["赣州"].loc["合计", "点对点运输人数"] + 7), int(FRAMES["赣州"].loc["合计", "点对点运输人数"]))
    assert "为负数（-1）" in status_of(pday, "宜春市")["问题"]
    assert "“东湖区”不属于抚州市" in status_of(pday, "抚州市")["问题"]
    assert "收件登记有记录（九江市汇总表.xlsx），但收件箱中没有该文件" in status_of(pday, "九江市")["问题"]
    assert "采用最新的“吉安（更正）.xlsx”" in status_of(pday, "吉安市")["问题"]
    # what the 更正 changed, cell by cell (the first file had 合计 缺工人数 100 more)
    before = int(FRAMES["吉安"].loc["合计", "缺工人数"] + 100)
    change = f"与“吉安（初报）.xlsx”相比改动1处：合计缺工人数{before}→{before - 100}"
    assert change in status_of(pday, "吉安市")["问题"]
    assert change in pday.files.set_index("文件").loc["吉安（初报）.xlsx", "原因"]


def test_changed_cells_name_row_figure_old_and_new():
    old = pd.DataFrame({"缺工人数": [249.0, 300.0], "复工率": [90.0, float("nan")]}, index=["章贡区", "合计"])
    new = pd.DataFrame({"缺工人数": [224.0, 300.0], "复工率": [90.0, 85.5]}, index=["章贡区", "合计"])
    assert province.reading.changed_cells(old, new) == ["章贡区缺工人数249→224", "合计复工率—→85.5"]
    assert province.reading.changed_cells(new, new) == [] and province.reading.changed_cells(None, new) == []


def test_reporting_and_on_time_rates(pday):
    assert pday.rates == {"应报": 11, "已收到": 10, "有效报送": 5, "按时": 3, "迟报": 2, "退回": 5, "未报送": 1,
                          "报送率": 45.5, "按时报送率": 27.3}


def test_every_file_is_listed_with_what_happened(pday):
    files = pday.files.set_index("文件")
    assert files.loc["吉安（初报）.xlsx", "处理"] == "已被替代"
    assert files.loc["吉安（更正）.xlsx", "处理"] == "采用"
    assert files.loc["通知.xlsx", "处理"] == "未识别" and files.loc["通知.xlsx", "设区市"] == ""
    assert files.loc["联络员.xlsx", "处理"] == "联络员名单（表L）"
    assert files.loc["鹰潭.xlsx", "处理"] == "退回" and files.loc["鹰潭.xlsx", "设区市"] == "鹰潭市"
    assert files.loc["新余市3月10日.xlsx", "数据截至"] == "2020年3月9日"
    assert files.loc["赣州.xlsx", "原因"].startswith("审核未通过：合计行")


def test_problems_sheet_lists_every_failed_check(pday):
    p = pday.problems
    by = {(r["设区市"], r["检查"]) for _, r in p.iterrows()}
    assert {("新余市", "数据截至"), ("鹰潭市", "版式"), ("赣州市", "合计"), ("宜春市", "负数"), ("抚州市", "县区"),
            ("（未识别）", "版式"), ("九江市", "收件登记"), ("南昌市", "逐日变化")} <= by
    known = p["设区市"] != "（未识别）"
    assert set(p.loc[known & p["检查"].isin(["数据截至", "版式", "合计", "负数", "县区"]), "处理"]) == {"退回"}
    # a file that is no 汇总表 at all (通知.xlsx) is read by a person: nobody is returned for it
    assert p.loc[~known & (p["文件"] == "通知.xlsx"), "处理"].tolist() == ["提醒"]
    assert set(p.loc[p["检查"] == "逐日变化", "处理"]) == {"提醒"}
    # the older 吉安 file is replaced, not checked; the corrected one has no problem
    assert not ((p["设区市"] == "吉安市") & (p["处理"] == "退回")).any()


# --------------------------------------------------------------------------- 催报


def test_chase_list(pday):
    got = pday.chase[["设区市", "状态", "联络员", "办公电话", "手机"]].values.tolist()
    assert got == [
        ["景德镇市", "迟报", "王联络", "0798-8200001", "13900000001"],
        ["萍乡市", "迟报", "（无联络员名单）", "", ""],
        ["九江市", "未报送", "赵联络", "0792-8200003", "13900000003"],
        ["新余市", "退回", "钱组长", "0790-8200004", "13900000004"],  # no 联络员: the 组长
        ["鹰潭市", "退回", "孙联络", "0701-8200005", "13900000005"],  # city from 单位及职务
        ["赣州市", "退回", "（无联络员名单）", "", ""],
        ["宜春市", "退回", "（无联络员名单）", "", ""],
        ["抚州市", "退回", "（无联络员名单）", "", ""],
    ]
    reasons = dict(zip(pday.chase["设区市"], pday.chase["事由"], strict=True))
    assert reasons["景德镇市"] == "迟报1小时20分"
    assert reasons["萍乡市"] == "迟报40分"
    assert reasons["九江市"].startswith("未报送")
    assert reasons["新余市"] == "退回：数据截至2020年3月9日，不是2020年3月10日，请更正后重报"


def test_liaisons_from_an_earlier_province_folder(case_inbox, tmp_path):
    """Table L sent once, on an earlier day, still serves later days."""
    inbox = tmp_path / "inbox"
    first = inbox / "province" / PREV.isoformat()
    first.mkdir(parents=True)
    write_liaisons(first / "联络员.xlsx")
    (inbox / "province" / D.isoformat()).mkdir()
    p = province.day.load(D, inbox, outputs=tmp_path / "out")
    assert p.rates["未报送"] == 11
    row = p.chase[p.chase["设区市"] == "九江市"].iloc[0]
    assert (row["联络员"], row["手机"]) == ("赵联络", "13900000003")


# --------------------------------------------------------------------------- roll-up


def test_roll_up_excludes_returned_and_missing_cities(pday):
    f = pday.figures
    assert list(f.index) == [c.full_name for c in cities()] + ["全省合计"]
    assert set(f.loc["九江市"]) == {"未报送"}
    for name in ["新余市", "鹰潭市", "赣州市", "宜春市", "抚州市"]:
        assert set(f.loc[name]) == {"退回"}
    accepted = {"南昌": "南昌市", "景德镇": "景德镇市", "萍乡": "萍乡市", "吉安": "吉安市", "上饶": "上饶市"}
    for short, full in accepted.items():
        assert f.loc[full, "缺工人数"] == FRAMES[short].loc["合计", "缺工人数"]  # 吉安: the resend
    want = sum(FRAMES[s].loc["合计", "缺工人数"] for s in accepted)
    assert pday.totals["缺工人数"] == want


def test_note_names_the_excluded_cities(pday):
    note = pday.note()
    assert note[0].startswith("报送情况：应报11个，有效报送5个（按时3个、迟报2个），退回5个，未报送1个")
    assert note[1].startswith("注：以下设区市不计入全省合计：九江市（未报送")
    for name in ["新余市（退回：数据截至", "鹰潭市（退回", "赣州市（退回：合计行", "宜春市（退回", "抚州市（退回"]:
        assert name in note[1]


def test_day_over_day_flags_a_jump(pday):
    c = pday.comparison
    row = c[(c["设区市"] == "南昌市") & (c["指标"] == "缺工人数")].iloc[0]
    assert row["需跟进"] == "是" and row["当日"] == FRAMES["南昌"].loc["合计", "缺工人数"]
    assert row["变化"] == row["当日"] - row["前一日"]
    same = c[(c["设区市"] == "上饶市")]
    assert (same["需跟进"] == "").all()
    moved = same["指标"].isin(["累计解决用工", "缺工解决率"])
    assert (same.loc[~moved & same["当日"].notna(), "变化"] == 0).all()
    cum = same[same["指标"] == "累计解决用工"].iloc[0]
    assert cum["变化"] == FRAMES["上饶"].loc["合计", "当日解决_合计"] + FRAMES["上饶"].loc["合计", "补报解决用工"]
    assert "前一日无采用的报送" in set(c.loc[c["设区市"] == "吉安市", "说明"])
    assert "南昌市" == status_of(pday, "南昌市")["设区市"] and status_of(pday, "南昌市")["状态"] == "按时"


def _read_sheet(ws) -> tuple[dict[str, int], dict[str, list]]:
    """Column of each header label (rows 3–5) and the body rows by label (column A), with openpyxl."""
    cols = {}
    for r in range(3, 6):
        for c in range(1, ws.max_column + 1):
            v = ws.cell(row=r, column=c).value
            if isinstance(v, str):
                cols.setdefault(v.replace("\n", ""), c)
    rows = {}
    for r in range(6, ws.max_row + 1):
        label = ws.cell(row=r, column=1).value
        if isinstance(label, str) and (label.endswith("市") or label == "全省合计"):
            rows[label] = [ws.cell(row=r, column=c).value for c in range(1, ws.max_column + 1)]
    return cols, rows


def test_written_roll_up_total_is_the_sum_of_accepted_cities(pday, tmp_path):
    written = province.write.write_all(pday, tmp_path)
    path = tmp_path / province.common.names(D)["huizongbiao"]
    assert path in written
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["汇总表", "报送情况", "审核问题", "逐日对比", "催报名单", "收到文件"]
    ws = wb["汇总表"]
    cols, rows = _read_sheet(ws)
    assert list(rows) == [c.full_name for c in cities()] + ["全省合计"]
    accepted = [n for n, v in rows.items() if n != "全省合计" and v[1] not in ("未报送", "退回")]
    assert accepted == ["南昌市", "景德镇市", "萍乡市", "吉安市", "上饶市"]
    for label in ["重点企业数", "员工总数", "缺工人数", "累计解决用工", "推送人次", "合计"]:
        c = cols[label] - 1
        assert rows["全省合计"][c] == sum(rows[n][c] for n in accepted), label
    c = {k: cols[k] - 1 for k in ("重点企业数", "其中已复工", "复工率（%）")}
    assert rows["全省合计"][c["复工率（%）"]] == round(
        sum(rows[n][c["其中已复工"]] for n in accepted) / sum(rows[n][c["重点企业数"]] for n in accepted) * 100, 1)
    assert set(rows["九江市"][1:]) == {"未报送"}
    for n in ["新余市", "鹰潭市", "赣州市", "宜春市", "抚州市"]:
        assert set(rows[n][1:]) == {"退回"}
    texts = [ws.cell(row=r, column=1).value or "" for r in range(1, ws.max_row + 1)]
    assert any(t.startswith("注：以下设区市不计入全省合计：九江市") for t in texts)
    status = province.write.read_completeness(path)
    assert status["状态"].tolist() == pday.completeness["状态"].tolist()


def test_the_province_total_recomputes_rates_from_counts():
    nan = float("nan")
    frame = pd.DataFrame({"重点企业数": [10.0, 30.0], "已复工企业数": [5.0, 30.0], "累计解决用工": [10.0, nan],
                          "缺工人数": [90.0, 100.0], "求助受理件数": [10.0, 30.0], "求助到期件数": [8.0, 32.0],
                          "求助24小时办结件数": [4.0, 30.0], "24小时办结率": [50.0, 93.8]})
    total = province.day.province_total(frame)
    assert total["复工率"] == 87.5  # 35/40, not the mean of 50 and 100
    assert total["累计解决用工"] == 10.0 and total["缺工人数"] == 190.0  # "—" counts as nothing
    assert total["缺工解决率"] == 5.0  # 10 / (10 + 190): the rate of the summed counts
    assert total["24小时办结率"] == 85.0  # 34/40 from its counts (catalogue), not weighted by 受理件数
    pd.testing.assert_series_equal(total, indicators.total(frame))  # one implementation


# --------------------------------------------------------------------------- checks


def _sub(frame: pd.DataFrame, city: str = "南昌") -> province.common.Submission:
    sub = province.common.Submission(file="x.xlsx", path=Path("x.xlsx"), city=resolve_city(city), figures=frame)
    return sub


def test_a_consistent_submission_passes_every_check():
    assert province.checks.check_figures(_sub(FRAMES["南昌"])) == []


def test_rate_consistency_with_rounding_tolerance():
    f = FRAMES["南昌"].copy()
    exact = f.loc["合计", "已复工企业数"] / f.loc["合计", "重点企业数"] * 100
    f.loc["合计", "复工率"] = round(exact, 1) + 0.05  # rounding off by one step: tolerated
    assert province.checks.check_figures(_sub(f)) == []
    f.loc["合计", "复工率"] = round(exact, 1) + 0.3
    problems = province.checks.check_figures(_sub(f))
    assert [(p.check, p.where, p.action) for p in problems] == [("比率", "行“合计”，列“复工率”", "退回")]
    f = FRAMES["南昌"].copy()
    f.loc["合计", "24小时办结率"] = 120.0
    assert [p.check for p in province.checks.check_figures(_sub(f))] == ["比率"]


def test_dash_counts_as_nothing_in_the_total():
    f = FRAMES["南昌"].copy()
    f["跨区域招聘需求人数"] = float("nan")  # table E not reported: "—" everywhere is fine
    assert province.checks.check_figures(_sub(f)) == []
    f.loc[f.index[0], "跨区域招聘需求人数"] = 5.0  # a county has it, 合计 says "—"
    assert [p.check for p in province.checks.check_figures(_sub(f))] == ["合计"]


def test_missing_total_row_is_refused():
    f = FRAMES["南昌"].drop(index="合计")
    assert [p.message for p in province.checks.check_figures(_sub(f))] == ["汇总表缺少“合计”行"]


# --------------------------------------------------------------------------- outputs as intake


def _city_output(out_root: Path, city: str, day: dt.date, finished: str) -> None:
    folder = out_root / day.isoformat() / city
    name = catalogue.file_name("huizongbiao", city, day)
    write_city(folder / name, city, FRAMES[city], day=day)
    (folder / "manifest.json").write_text(json.dumps({"finished": finished}), encoding="utf-8")


def test_intake_from_this_machines_outputs_with_a_failed_city(tmp_path):
    out = tmp_path / "outputs"
    _city_output(out, "南昌", D, "2020-03-10T14:10:05+08:00")
    _city_output(out, "上饶", D, "2020-03-10T07:30:00+00:00")  # 15:30 in Shanghai: late
    _city_output(out, "萍乡", D, "2020-03-10T10:00:00+08:00")  # an old output of a city that failed now
    p = province.day.load(D, tmp_path / "no-inbox", source="outputs", outputs=out,
                      failures={"萍乡": "收件箱中没有萍乡市 2020-03-10 的文件夹"})
    assert p.intake.source == "outputs"
    st = p.completeness.set_index("设区市")
    assert st.loc["南昌市", ["状态", "收到时间", "时间来源"]].tolist() == ["按时", "2020-03-10 14:10", "本机运行完成时间"]
    assert st.loc["上饶市", ["状态", "迟报时长"]].tolist() == ["迟报", "30分"]
    assert st.loc["萍乡市", "状态"] == "未报送"
    assert st.loc["萍乡市", "问题"] == "本机运行失败：收件箱中没有萍乡市 2020-03-10 的文件夹"
    assert set(p.figures.loc["萍乡市"]) == {"未报送"}
    assert "萍乡市（未报送：本机运行失败" in p.note()[1]
    assert st.loc["九江市", "状态"] == "未报送"


def test_auto_source_and_user_errors(case_inbox, tmp_path):
    assert province.day.resolve_source("auto", case_inbox, D) == "inbox"
    assert province.day.resolve_source("auto", case_inbox, PREV - dt.timedelta(days=1)) == "outputs"
    with pytest.raises(UserError):
        province.runs.province_job("2020-01-01", case_inbox, tmp_path / "out")
    with pytest.raises(UserError):
        province.runs.province_job("2020-02-30", case_inbox, tmp_path / "out")


@pytest.mark.e2e
def test_invoke_province_bad_date_exits_2(tmp_path):
    res = invoke("province", "--date=2020-13-01", f"--out={tmp_path}")
    assert res.returncode == 2 and "日期" in res.stderr
    assert list(tmp_path.iterdir()) == []


# --------------------------------------------------------------------------- the notebook run


def test_province_run_publishes_the_roll_up_and_skips_when_up_to_date(case_inbox, tmp_path):
    out = tmp_path / "out"
    res = province.runs.run_province(D.isoformat(), case_inbox, out)
    assert res.status == "完成" and res.out_dir == out / D.isoformat() / "省"
    files = {p.name for p in res.out_dir.iterdir()}
    assert {province.common.names(D)["huizongbiao"], "manifest.json", f"notebook_省_{D:%Y%m%d}.ipynb"} <= files
    manifest = json.loads((res.out_dir / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["parameters"]["source"] == "inbox" and manifest["scope"] == "province"
    assert any(e["path"] == f"province/{D.isoformat()}/赣州.xlsx" for e in manifest["inputs"])
    table = province.write.read_completeness(res.workbook)
    assert table["状态"].tolist() == ["按时", "迟报", "迟报", "未报送", "退回", "退回", "退回", "按时", "退回", "退回",
                                    "按时"]
    # the 自检: in the manifest (as for a city day; its record is not published) and in the notebook
    assert manifest["自检"]["结果"] == "通过" and manifest["自检"]["检查项数"] > 500 and manifest["自检"]["不符"] == []
    assert res.manifest["自检"] == manifest["自检"]
    assert SELFCHECK_RECORD not in {e["path"] for e in manifest["outputs"]}
    nb = json.loads((res.out_dir / f"notebook_省_{D:%Y%m%d}.ipynb").read_text(encoding="utf-8"))
    shown = [o for c in nb["cells"] if c["cell_type"] == "code" for o in c["outputs"]
             if "text/plain" in o.get("data", {}) and "自检：通过" in "".join(o["data"]["text/plain"])]
    assert len(shown) == 1
    again = province.runs.run_province(D.isoformat(), case_inbox, out)
    assert again.status == "已是最新" and again.manifest["自检"] == manifest["自检"]
    html = (res.out_dir / province.common.names(D)["brief"]).read_text(encoding="utf-8")
    assert "九江市" in html and "未报送" in html and "退回" in html and "<script" not in html


# --------------------------------------------------------------------------- the sample


@pytest.mark.e2e
def test_the_sample_province_inbox_gives_what_it_plants(sample_inbox, tmp_path):
    planted = json.loads((sample_inbox / "province" / "planted.json").read_text(encoding="utf-8"))
    cases = [p for p in planted if p["expected_status"]]
    assert {p["kind"] for p in cases} >= {"late", "late_mtime", "missing", "wrong_date", "bad_total", "resend", "stray"}
    for day in sorted({p["date"] for p in cases}):
        p = province.day.load(day, sample_inbox, outputs=tmp_path)
        st = p.completeness.set_index("设区市")
        for case in (c for c in cases if c["date"] == day):
            assert st.loc[case["city"], "状态"] == case["expected_status"], case
        others = [s for s in st.index if s not in {c["city"] for c in cases if c["date"] == day}]
        assert (st.loc[others, "状态"] == "按时").all(), day
    # 宜春's explanatory letter (planted stray) is 未识别, not 退回: 宜春 filed its 汇总表 on time
    letter = province.day.load("2020-02-26", sample_inbox, outputs=tmp_path).files.set_index("文件").loc[
        "关于2月26日重点企业用工调度情况的说明.xlsx"]
    assert letter["处理"] == "未识别" and letter["设区市"] == "宜春市" and "不是汇总表" in letter["原因"]
    first = province.day.load("2020-02-24", sample_inbox, outputs=tmp_path)
    assert first.rates["按时报送率"] == 100.0
    assert (first.completeness["时间来源"] == "收件登记").all()
    no_receipts = province.day.load("2020-02-28", sample_inbox, outputs=tmp_path)
    assert (no_receipts.completeness["时间来源"] == "文件修改时间").all()


@pytest.mark.e2e
def test_sample_province_is_deterministic(sample_inbox, tmp_path):
    """Generated again for 02-26 (the day with every kind of planted case), the province's inbox
    is byte for byte and time for time the bundled one (whose times the session fixture restored),
    planted cases included: the generator is deterministic and the committed sample is what it gives."""
    days = [dt.date(2020, 2, 26)]
    a = sample_province.generate(sample_inbox, tmp_path / "a", days=days)
    assert a["files"] >= 12
    bundled = sample_inbox / "province" / days[0].isoformat()
    ours = sorted(p.relative_to(tmp_path / "a" / days[0].isoformat())
                  for p in (tmp_path / "a" / days[0].isoformat()).rglob("*") if p.is_file())
    assert ours == sorted(p.relative_to(bundled) for p in bundled.rglob("*") if p.is_file())
    for rel in ours:
        assert (tmp_path / "a" / days[0].isoformat() / rel).read_bytes() == (bundled / rel).read_bytes(), rel
        assert (tmp_path / "a" / days[0].isoformat() / rel).stat().st_mtime == (bundled / rel).stat().st_mtime, rel
    listed = json.loads((sample_inbox / "province" / "planted.json").read_text(encoding="utf-8"))
    assert json.loads((tmp_path / "a" / "planted.json").read_text(encoding="utf-8")) == \
        [p for p in listed if p["date"] == days[0].isoformat()]
    # the cities' K items of the day, one file per city that has some, read back as table K
    planted = json.loads((tmp_path / "a" / "planted.json").read_text(encoding="utf-8"))
    k_files = {p["file"]: p["city"] for p in planted if p["kind"] == "k_items"}
    intake = province.intake.intake_inbox(tmp_path / "a" / days[0].isoformat(), days[0])
    files = province.day.files_frame(intake).set_index("文件")
    assert k_files and {f: files.loc[f, "设区市"] for f in k_files} == k_files
    assert set(files.loc[list(k_files), "处理"]) <= {"经验做法（表K）"}
    assert sorted(set(intake.k_items["设区市"])) == sorted(set(k_files.values()))
    for city in cities():  # the same items as in the city's own day folder
        own = province.reading.city_k_items(sample_inbox, city, days[0])
        sent = intake.k_items[intake.k_items["设区市"] == city.full_name]
        if city.full_name in k_files.values():
            assert sent["标题"].tolist() == own["标题"].tolist(), city.name


def test_whole_sample_inbox_stays_small(sample_inbox):
    assert sum(p.stat().st_size for p in sample_inbox.rglob("*") if p.is_file()) < 10 * 1024 * 1024


# --------------------------------------------------------------------------- issue 12: small days built by hand

NAN = float("nan")
OTHERS = ["萍乡市", "九江市", "新余市", "鹰潭市", "赣州市", "吉安市", "宜春市", "抚州市", "上饶市"]


def tot(**values) -> pd.DataFrame:
    """A submission reduced to its 合计 row: the given figures, "—" for every other."""
    row = {k: NAN for k in FIGURE_IDS}
    row.update({k: float(v) for k, v in values.items()})
    return pd.DataFrame([row], index=pd.Index(["合计"], name="县区"))


def day_of(figs: dict, previous: dict | None = None, k_items: pd.DataFrame | None = None):
    """A province day from 合计 rows by city (short name → frame, or a status 退回 / 未报送)."""
    statuses, subs = [], []
    for city in cities():
        v = figs.get(city.name, "未报送")
        st = province.common.CityStatus(city, D)
        if isinstance(v, str):
            st.status = v
            if v == "退回":
                st.chosen = province.common.Submission(file=f"{city.name}.xlsx", path=Path(f"{city.name}.xlsx"), city=city,
                                                received=at("11:00"), source="收件登记", outcome="退回",
                                                reason="版式不符", check="版式")
                st.notes.append("版式不符")
                subs.append(st.chosen)
        else:
            st.chosen = province.common.Submission(file=f"{city.name}.xlsx", path=Path(f"{city.name}.xlsx"), city=city,
                                            received=at("10:00"), source="收件登记", data_day=D, figures=v,
                                            outcome="采用")
            st.status = "按时"
            subs.append(st.chosen)
        statuses.append(st)
    intake = province.common.Intake(D, "inbox", None, subs, statuses, [], None, "", k_items=k_items)
    prev = {name: frame.loc["合计"] for name, frame in (previous or {}).items()}
    return province.day.build(intake, prev, "测试")


# point 1: one implementation ---------------------------------------------------


def test_the_duplicates_are_gone():
    import inspect

    modules = [m for m in vars(province).values() if inspect.ismodule(m) and m.__name__.startswith("yonggong.province.")]
    assert len(modules) >= 10
    for mod in modules:
        for name in ("CST", "_show_figure", "deadline", "local_time"):
            assert name not in vars(mod) or getattr(mod, name) is getattr(indicators, name, None), (mod.__name__, name)
    assert "CST" not in vars(sample_province)
    assert not hasattr(brief, "_sum_cities")
    assert "rates" not in province.common.config()
    assert "indicators.total" in inspect.getsource(province.day.province_total)


def test_24_hour_rate_is_checked_against_its_counts():
    f = FRAMES["南昌"].copy()
    due, within = f.loc["合计", "求助到期件数"], f.loc["合计", "求助24小时办结件数"]
    f.loc[["市本级", "合计"], "24小时办结率"] = round(within / due * 100, 1) + 5  # in 0–100, not its counts
    problems = province.checks.check_figures(_sub(f))
    assert [(p.check, p.where) for p in problems] == [("比率", "行“市本级”，列“24小时办结率”"),
                                                       ("比率", "行“合计”，列“24小时办结率”")]
    assert problems[1].expected == f"{round(within / due * 100, 1):.1f}"


def test_an_older_form_without_the_counts_is_only_checked_for_0_to_100():
    f = FRAMES["南昌"].drop(columns=["求助到期件数", "求助24小时办结件数"])
    f.loc[["市本级", "合计"], "24小时办结率"] = 55.0  # cannot be checked against counts
    assert province.checks.check_figures(_sub(f)) == []
    f.loc["合计", "24小时办结率"] = 120.0
    assert [(p.check, p.message) for p in province.checks.check_figures(_sub(f))] == [("比率", "24小时办结率超出0–100")]


def test_problems_and_comparison_use_the_catalogue_labels(pday, tmp_path):
    f = FRAMES["南昌"].copy()
    f.loc["合计", "空岗_普工"] += 3
    (p,) = province.checks.check_figures(_sub(f))
    assert p.where == "行“合计”，列“空岗人数（普工）”"
    assert p.message.startswith("合计行“空岗人数（普工）”为")
    assert set(pday.comparison["指标"]) == {indicators.label(k) for k in FIGURE_IDS}
    province.write.write_all(pday, tmp_path)
    back = province.day.read_comparison_day(tmp_path / province.common.names(D)["working"])  # 逐日对比明细
    assert set(back) == {"南昌", "景德镇", "萍乡", "吉安", "上饶"}
    assert back["南昌"]["空岗_普工"] == FRAMES["南昌"].loc["合计", "空岗_普工"]
    assert back["上饶"]["求助到期件数"] == FRAMES["上饶"].loc["合计", "求助到期件数"]


def test_the_comparison_a_reviewer_reads_is_a_city_by_indicator_matrix(pday, tmp_path):
    """逐日对比 in the roll-up: a row per city, a column per key indicator, “value（change）”, the
    flagged cells filled, 需跟进 naming every flagged indicator; the long list is the working file's."""
    comparison = pd.DataFrame([
        ["南昌市", "缺工人数", 1749.0, 1889.0, -140.0, "", ""],
        ["南昌市", "复工率", 94.5, 92.7, 1.8, "", ""],
        ["南昌市", "推送人次", 41600.0, 20084.0, 21516.0, "是", "增加21516"],
        ["九江市", "缺工人数", 2390.0, 2083.0, 307.0, "是", "增加307"],
        ["九江市", "复工率", 90.0, 90.0, 0.0, "", ""],
        ["九江市", "推送人次", float("nan"), float("nan"), float("nan"), "", ""],
        ["萍乡市", "缺工人数", float("nan"), 900.0, float("nan"), "", "当日退回"],
        ["萍乡市", "复工率", float("nan"), 80.0, float("nan"), "", "当日退回"],
        ["萍乡市", "推送人次", float("nan"), 10.0, float("nan"), "", "当日退回"],
    ], columns=province.common.COMPARISON_COLUMNS)
    matrix, flagged = province.display.comparison_matrix(comparison, ["缺工人数", "复工率"])
    assert matrix.values.tolist() == [
        ["南昌市", "1,749（−140）", "94.5（+1.8）", "推送人次", "推送人次：增加21516"],
        ["九江市", "2,390（+307）", "90.0（持平）", "缺工人数", "缺工人数：增加307"],
        ["萍乡市", "退回", "退回", "", ""]]
    assert flagged == [(1, 1)]  # 九江市 × 缺工人数
    written = province.write.write_all(pday, tmp_path)
    assert tmp_path / province.common.names(D)["working"] in written
    ws = openpyxl.load_workbook(tmp_path / province.common.names(D)["huizongbiao"])["逐日对比"]
    header = [c.value for c in ws[2]]
    keys = province.common.config()["comparison_matrix"]
    assert header == ["设区市", *[indicators.label(k) for k in keys], "需跟进", "说明"]
    assert ws.max_row < 20  # 11 cities, 全省合计 and a note: one printed page, not 11
    _, marks = province.display.comparison_matrix(pday.comparison)
    assert marks  # the fixture's 南昌 jumps in a key indicator
    for i, j in marks:
        assert ws.cell(row=3 + i, column=1 + j).fill.start_color.rgb.endswith(province.common.FLAG_FILL)
    assert not ws.cell(row=3, column=1).fill.start_color.rgb.endswith(province.common.FLAG_FILL)
    detail = openpyxl.load_workbook(tmp_path / province.common.names(D)["working"])[province.common.DETAIL_SHEET]
    assert detail.max_row - 2 == len(pday.comparison)


# point 2: statuses kept apart, the same words everywhere ----------------------------


def test_returned_and_missing_rows_and_the_brief_use_the_statuses_of_the_completeness_table(pday):
    ctx = province.write.brief_context(pday)
    shown = {r["name"]: r["status"] for r in ctx["city_table"]["rows"]}
    assert shown == dict(zip(pday.completeness["设区市"], pday.completeness["状态"], strict=True))
    page = brief.render_province(ctx)
    text = re.sub(r"<[^>]+>", "", page)
    assert "逾期" not in text and "已报送" not in text
    assert "全省应报送设区市11个，有效报送5个（按时3个、迟报2个），其中景德镇市、萍乡市迟报；" \
           "新余市、鹰潭市、赣州市、宜春市、抚州市退回，九江市未报送，均未计入全省合计。" in text
    assert "报送情况：按时3个，迟报2个，退回5个，未报送1个。" in text


# point 3: 全省合计 and the columns left out -------------------------------------------


def test_province_total_is_the_sum_of_accepted_cities_and_the_note_names_the_left_out():
    p = day_of({"南昌": tot(缺工人数=100, 跨区域招聘需求人数=40, 推送岗位数=300),
                "景德镇": tot(缺工人数=50, 推送岗位数=200),  # E and … not reported: "—"
                "萍乡": tot(缺工人数=30, 跨区域招聘需求人数=10),
                "九江": "退回"})
    assert p.totals["缺工人数"] == 180
    assert p.totals["跨区域招聘需求人数"] == 50  # 景德镇 "—" counts as nothing
    assert p.totals["推送岗位数"] == 500
    assert math.isnan(p.totals["员工总数"])  # nobody reported it
    assert p.left_out() == {"跨区域招聘需求人数": ["景德镇市"], "推送岗位数": ["萍乡市"]}
    assert p.note()[2] == ("注：全省合计为有效报送设区市之和，以下各列部分设区市报“—”（未报送相应报表），未计入："
                           "跨区域招聘需求人数不含景德镇市；推送岗位数不含萍乡市。")
    assert set(p.figures.loc["九江市"]) == {"退回"} and set(p.figures.loc["新余市"]) == {"未报送"}


# point 4: 较上日 over the cities present on both days ---------------------------------


def test_day_over_day_change_over_the_cities_accepted_on_both_days():
    p = day_of({"南昌": tot(重点企业数=10, 已复工企业数=8, 缺工人数=100),
                "景德镇": tot(重点企业数=5, 已复工企业数=5, 缺工人数=50),
                "萍乡": tot(重点企业数=4, 已复工企业数=2, 缺工人数=30)},  # new today
               previous={"南昌": tot(重点企业数=10, 已复工企业数=7, 缺工人数=120),
                         "景德镇": tot(重点企业数=5, 已复工企业数=4, 缺工人数=40),
                         "九江": tot(重点企业数=20, 已复工企业数=20, 缺工人数=500)})  # missing today
    assert p.compared == ["南昌市", "景德镇市"]
    assert p.totals["缺工人数"] == 180 and p.totals["复工率"] == 78.9  # 15/19
    assert p.previous_totals["缺工人数"] == 160 and p.compared_totals["缺工人数"] == 150
    note = "较上日变化按两日均有效报送的2个设区市计算（不含" + "、".join(OTHERS) + "）"
    assert p.comparison_text() == note
    row = p.comparison[(p.comparison["设区市"] == "全省合计") & (p.comparison["指标"] == "缺工人数")].iloc[0]
    assert (row["当日"], row["前一日"], row["变化"]) == (150, 160, -10)  # 南昌 + 景德镇 on both days
    assert row["说明"] == note + "；当日全省合计为180"
    ctx = province.write.brief_context(p)
    cards = {h["id"]: (h["value"], h["change"]) for h in ctx["headline"]}
    assert cards["缺工人数"] == ("180", "较上日减少10人")
    assert cards["复工率"] == ("78.9", "较上日提高13.4个百分点")  # 13/15 = 86.7 against 11/15 = 73.3
    text = re.sub(r"<[^>]+>", "", brief.render_province(ctx))
    assert note + "。" in text


def test_no_common_city_means_no_change():
    p = day_of({"南昌": tot(缺工人数=100)}, previous={"九江": tot(缺工人数=500)})
    assert p.compared == [] and p.previous_totals is None
    assert p.comparison_text() == "前一日没有可比的有效报送，不作较上日比较"
    ctx = province.write.brief_context(p)
    assert all(h["change"] == "" for h in ctx["headline"])


# point 5: 累计 against the day's flows --------------------------------------------------


def test_cumulative_change_is_checked_against_the_days_placements():
    p = day_of({"南昌": tot(累计解决用工=500, 当日解决_合计=30, 补报解决用工=5),  # +30, should be +35
                "景德镇": tot(累计解决用工=300, 当日解决_合计=20, 补报解决用工=0),  # +20 = 20 + 0
                "萍乡": tot(累计解决用工=100, 当日解决_合计=10).drop(columns="补报解决用工"),  # older form, +5 < 10
                "上饶": tot(累计解决用工=400, 当日解决_合计=250, 补报解决用工=50)},  # +300: a big jump, but right
               previous={"南昌": tot(累计解决用工=470), "景德镇": tot(累计解决用工=280), "萍乡": tot(累计解决用工=95),
                         "上饶": tot(累计解决用工=100)})
    c = p.comparison[p.comparison["指标"] == "累计解决用工"].set_index("设区市")
    assert c.loc["南昌市", "需跟进"] == "是"
    assert c.loc["南昌市", "说明"] == "累计解决用工较前一日增加30，应等于当日解决用工30＋补报解决用工5＝35，少5，请核实"
    assert c.loc["景德镇市", "需跟进"] == ""
    assert c.loc["景德镇市", "说明"] == "累计解决用工较前一日增加20，等于当日解决用工20＋补报解决用工0"
    assert c.loc["萍乡市", "需跟进"] == "是"
    assert c.loc["萍乡市", "说明"] == ("累计解决用工较前一日增加5，少于当日解决用工10（报表无“补报解决用工”一列，"
                                     "累计解决用工的增加至少应为当日解决用工），请核实")
    assert c.loc["上饶市", "需跟进"] == "" and c.loc["上饶市", "变化"] == 300
    flags = [(f.city, f.check, f.action) for f in p.flags]
    assert flags == [("南昌市", "逐日变化", "提醒"), ("萍乡市", "逐日变化", "提醒")]


def test_a_cumulative_count_without_an_identity_is_only_checked_not_to_fall():
    # 外出务工登记人数 is cumulative but is not made of the day's placements: growth is not a flag
    p = day_of({"赣州": tot(外出务工登记人数=1500, 累计输出人数=700, 当日解决_合计=30, 补报解决用工=0),
                "上饶": tot(外出务工登记人数=800, 累计输出人数=300)},
               previous={"赣州": tot(外出务工登记人数=1200, 累计输出人数=500),
                         "上饶": tot(外出务工登记人数=820, 累计输出人数=300)})
    c = p.comparison.set_index(["设区市", "指标"])
    assert c.loc[("赣州市", "外出务工登记人数"), ["需跟进", "说明", "变化"]].tolist() == ["", "", 300]
    assert c.loc[("赣州市", "累计输出人数"), "需跟进"] == ""
    assert c.loc[("上饶市", "外出务工登记人数"), ["需跟进", "说明"]].tolist() == [
        "是", "外出务工登记人数较前一日减少20（累计数不应减少），请核实"]
    assert c.loc[("上饶市", "累计输出人数"), "需跟进"] == ""
    assert [(f.city, f.message) for f in p.flags] == [("上饶市", "外出务工登记人数较前一日减少20（累计数不应减少），请核实")]


# point 6: 经验做法 carried upward ------------------------------------------------------


def write_k(path: Path, rows: list[list], title: str = "经验做法和先进典型", city_column: bool = False) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append([title])
    ws.append(["序号", *(["设区市"] if city_column else []), "日期", "类别", "标题", "内容", "单位或个人"])
    for i, r in enumerate(rows, 1):
        ws.append([i, *r])
    wb.save(path)


@pytest.fixture(scope="module")
def k_inbox(tmp_path_factory) -> Path:
    inbox = tmp_path_factory.mktemp("k-inbox")
    day = inbox / "province" / D.isoformat()
    day.mkdir(parents=True)
    write_city(day / "南昌.xlsx", "南昌", FRAMES["南昌"], when=at("10:00"))
    write_city(day / "上饶.xlsx", "上饶", FRAMES["上饶"], when=at("10:00"))
    # several cities in one file, a 设区市 column
    write_k(day / "经验做法汇总.xlsx", [
        ["南昌", "2020-03-10", "经验做法", "专班驻企", "派驻专班。", "南昌市人社局"],
        ["上饶市", "2020-03-09", "先进典型", "专员值守", "坚守一线。", "上饶市就业中心"],
        ["上饶市", "2020-03-11", "经验做法", "明天的事", "不应出现。", "上饶市人社局"],  # after D
    ], title="各地经验做法", city_column=True)
    set_mtime(day / "经验做法汇总.xlsx", at("12:00"))
    # the city in the title only
    write_k(day / "赣州.xlsx", [["2020-03-10", "先进典型", "返岗专列", "开出专列。", "某公司"]],
            title="赣州市经验做法和先进典型")
    set_mtime(day / "赣州.xlsx", at("12:00"))
    # the city in 单位或个人 only
    write_k(day / "典型.xlsx", [["2020-03-10", "经验做法", "直播带岗", "线上招聘。", "九江市人力资源和社会保障局"]])
    set_mtime(day / "典型.xlsx", at("12:00"))
    return inbox


def test_k_files_in_the_province_folder_go_into_the_brief(k_inbox, tmp_path):
    p = province.day.load(D, k_inbox, outputs=tmp_path / "out")
    files = p.files.set_index("文件")
    assert files.loc["经验做法汇总.xlsx", "处理"] == "经验做法（表K）"
    assert files.loc["经验做法汇总.xlsx", "设区市"] == "南昌市、上饶市"
    assert files.loc["赣州.xlsx", ["处理", "设区市"]].tolist() == ["经验做法（表K）", "赣州市"]
    assert files.loc["典型.xlsx", ["处理", "设区市"]].tolist() == ["经验做法（表K）", "九江市"]
    assert "未识别" not in set(files["处理"])
    got = p.k_items[["设区市", "类别", "标题"]].values.tolist()
    assert got == [["南昌市", "经验做法", "专班驻企"], ["九江市", "经验做法", "直播带岗"],
                   ["赣州市", "先进典型", "返岗专列"], ["上饶市", "先进典型", "专员值守"]]
    assert p.completeness.set_index("设区市").loc["赣州市", "状态"] == "未报送"  # a K file is not a 汇总表
    page = brief.render_province(province.write.brief_context(p))
    text = re.sub(r"<[^>]+>", "", page)
    for title in ("专班驻企", "专员值守", "返岗专列", "直播带岗"):
        assert title in text
    assert "明天的事" not in text
    assert "（南昌市　南昌市人社局）" in text


def test_k_items_from_the_accepted_cities_own_folders_with_outputs(tmp_path):
    out = tmp_path / "outputs"
    inbox = tmp_path / "inbox"
    _city_output(out, "南昌", D, "2020-03-10T14:10:05+08:00")
    _city_output(out, "上饶", D, "2020-03-10T14:20:00+08:00")
    other = tmp_path / "inbox-of-shangrao"  # 上饶 was run from another inbox (its manifest says so)
    manifest = out / D.isoformat() / "上饶" / "manifest.json"
    manifest.write_text(json.dumps({"finished": "2020-03-10T14:20:00+08:00", "parameters": {"inbox": str(other)}}),
                        encoding="utf-8")
    for root, city, title in ((inbox, "南昌", "南昌经验"), (other, "上饶", "上饶典型"), (inbox, "上饶", "不是这个"),
                              (inbox, "萍乡", "萍乡经验")):  # 萍乡 has no output
        folder = root / city / D.isoformat()
        folder.mkdir(parents=True)
        kind = "先进典型" if city == "上饶" else "经验做法"
        write_k(folder / "经验.xlsx", [["2020-03-10", kind, title, "内容。", "市人社局"]], title="经验做法与典型")
    p = province.day.load(D, inbox, source="outputs", outputs=out)
    assert p.k_items[["设区市", "类别", "标题"]].values.tolist() == [["南昌市", "经验做法", "南昌经验"],
                                                                  ["上饶市", "先进典型", "上饶典型"]]
    job = province.runs.province_job(D.isoformat(), inbox, out, source="outputs")
    assert {f"{c}/{D.isoformat()}/经验.xlsx" for c in ("南昌", "上饶", "萍乡")} <= {e["path"] for e in job.inputs}
    assert sum(e["path"] == f"上饶/{D.isoformat()}/经验.xlsx" for e in job.inputs) == 1  # the one in its own inbox


# point 7: the province 自检 ---------------------------------------------------------------


def test_self_check_passes_on_what_was_written(pday, tmp_path):
    province.write.write_all(pday, tmp_path)
    result = province.write.self_check(pday, tmp_path)
    assert result.passed and result.failures == [] and result.checks > 500
    assert repr(result) == f"自检：通过（{result.checks}项）"
    saved = json.loads((tmp_path / SELFCHECK_RECORD).read_text(encoding="utf-8"))
    assert saved == {"结果": "通过", "检查项数": result.checks, "不符": []}


def _cell(ws, row_label: str, header: str):
    cols, _rows = _read_sheet(ws)
    for r in range(6, ws.max_row + 1):
        if ws.cell(row=r, column=1).value == row_label:
            return ws.cell(row=r, column=cols[header])
    raise KeyError(row_label)


def test_tampering_with_a_written_cell_fails_the_self_check(pday, tmp_path):
    province.write.write_all(pday, tmp_path)
    path = tmp_path / province.common.names(D)["huizongbiao"]
    wb = openpyxl.load_workbook(path)
    cell = _cell(wb["汇总表"], "南昌市", "缺工人数")
    was = cell.value
    cell.value = was + 1
    coordinate = cell.coordinate
    wb.save(path)
    result = province_check.check(pday, tmp_path)
    assert not result.passed
    assert f"汇总表 南昌市“缺工人数”（{coordinate}）：表中为{was + 1}，汇总数据为{was}" in result.failures
    total = pday.totals["缺工人数"]
    assert any(f.startswith("汇总表 全省合计“缺工人数”") and f"有效报送设区市之和为{int(total) + 1}" in f
               for f in result.failures)
    with pytest.raises(province_check.SelfCheckFailed, match="自检：未通过"):
        province.write.self_check(pday, tmp_path)
    saved = json.loads((tmp_path / SELFCHECK_RECORD).read_text(encoding="utf-8"))
    assert saved["结果"] == "未通过" and saved["不符"] == result.failures


def test_self_check_catches_a_returned_row_and_a_wrong_status_in_the_brief(pday, tmp_path):
    province.write.write_all(pday, tmp_path)
    path = tmp_path / province.common.names(D)["huizongbiao"]
    wb = openpyxl.load_workbook(path)
    _cell(wb["汇总表"], "新余市", "缺工人数").value = "未报送"  # 新余 was returned
    wb.save(path)
    page = tmp_path / province.common.names(D)["brief"]
    html = page.read_text(encoding="utf-8")
    row = html.index('data-city="景德镇市"')
    html = html[:row] + html[row:].replace(">迟报<", ">按时<", 1)
    page.write_text(html, encoding="utf-8")
    result = province_check.check(pday, tmp_path)
    assert any(f.startswith("汇总表 新余市（退回）“缺工人数”") and "应为“退回”" in f for f in result.failures)
    assert "工作简报 景德镇市的报送状态：简报为“按时”，报送情况为“迟报”" in result.failures
    assert len(result.failures) == 2


def test_self_check_catches_a_wrong_province_figure_in_the_brief(pday, tmp_path):
    province.write.write_all(pday, tmp_path)
    page = tmp_path / province.common.names(D)["brief"]
    html = page.read_text(encoding="utf-8")
    shown = brief.show(pday.totals["缺工人数"])
    marked = f'data-fig="缺工人数" data-row="全省合计">{shown}<'
    assert marked in html
    page.write_text(html.replace(marked, marked.replace(shown, "1"), 1), encoding="utf-8")
    result = province_check.check(pday, tmp_path)
    assert result.failures == [f"工作简报 全省合计“缺工人数”：简报为“1”，汇总数据为“{shown}”"]


def test_the_province_notebook_runs_the_self_check():
    nb = json.loads((paths.NOTEBOOKS / province.common.NOTEBOOK).read_text(encoding="utf-8"))
    code = ["".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code"]
    write = next(i for i, c in enumerate(code) if "province.write.write_all(" in c)
    assert "province.write.self_check(pday, out_dir)" in code[write + 1]
    assert issubclass(province_check.SelfCheckFailed, YonggongError)
    assert province_check.SelfCheckFailed.exit_code == 1


# the province brief (moved here from test_brief.py: it is the province's) -------------------


def test_province_brief_compares_cities():
    cities = [
        {"设区市": "南昌市", "报送状态": "按时", "收到时间": "14:20", "重点企业数": 55, "已复工企业数": 52,
         "缺工人数": 1749, "当日解决_合计": 191, "累计解决用工": 1763},
        {"设区市": "九江市", "报送状态": "迟报", "收到时间": "16:05", "重点企业数": 40, "已复工企业数": 38,
         "缺工人数": 251, "当日解决_合计": 9, "累计解决用工": 237},
        {"设区市": "赣州市", "报送状态": "未报送"},
        {"设区市": "萍乡市", "报送状态": "退回", "收到时间": "11:00"},
    ]
    totals = {"重点企业数": 95, "已复工企业数": 90, "复工率": 94.7, "缺工人数": 2000, "当日解决_合计": 200,
              "累计解决用工": 2000, "缺工解决率": 50.0}
    ctx = brief.province_context(dt.date(2020, 3, 1), cities, totals=totals,
                                 previous_totals={"重点企业数": 95, "缺工人数": 2100, "复工率": 90.0},
                                 items=[{"设区市": "南昌市", "类别": "先进典型", "标题": "专员值守", "内容": "坚守一线。",
                                         "单位或个人": "南昌市人社局"}],
                                 notes=["九江市汇总表合计行与各行之和不符。"])
    page = brief.render_province(ctx)
    text = re.sub(r"<[^>]+>", "", page)
    assert '<html lang="zh-CN">' in page and "<script" not in page and re.search(r"https?://", page) is None
    assert "江西省重点企业用工调度保障工作简报" in text and "第8期" in text
    cards = {h["id"]: (h["value"], h["change"]) for h in ctx["headline"]}
    assert cards["缺工人数"] == ("2,000", "较上日减少100人")  # the roll-up's total, not summed here
    assert cards["复工率"] == ("94.7", "较上日提高4.7个百分点")
    assert "全省应报送设区市4个，有效报送2个（按时1个、迟报1个），其中九江市迟报；萍乡市退回，赣州市未报送，" \
           "均未计入全省合计。" in text
    assert 'id="chart-cities"' in page
    assert "专员值守" in text and "九江市汇总表合计行与各行之和不符" in text
    assert "全省合计" in text and "2/4" in text
