"""The province day: intake, checks, completeness and timeliness, 催报, roll-up, comparison.

The province inbox is built here for each case, with small figure frames written by
forms.write_huizongbiao (the same layout spec the province reads them with).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import random
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from conftest import invoke

from yonggong import forms, province, sample_province
from yonggong.errors import UserError
from yonggong.figures import FIGURE_IDS
from yonggong.reference import city_counties, resolve_city

D = dt.date(2020, 3, 10)
PREV = D - dt.timedelta(days=1)
CST = dt.timezone(dt.timedelta(hours=8))
POINT_FIGURES = ["推送岗位数", "推送人次", "培训报名人数", "培训结业人数", "求助受理件数", "求助办结件数"]


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
            [rng.randint(0, 500), rng.randint(0, 80), rng.randint(0, 3), rng.randint(0, 120), rng.randint(0, 3)]
    f.loc[counties, POINT_FIGURES] = float("nan")
    received = rng.randint(5, 40)
    done = rng.randint(0, received)
    f.loc["市本级", POINT_FIGURES] = [rng.randint(100, 900), rng.randint(1000, 9000), rng.randint(10, 200),
                                    rng.randint(0, 100), received, done]
    f.loc["市本级", ["点对点运输趟次", "点对点运输人数"]] = [1, rng.randint(20, 60)]
    f.loc["合计"] = f.sum(axis=0, min_count=1)
    f["复工率"] = ratio(f["已复工企业数"], f["重点企业数"])
    f["到岗率"] = ratio(f["在岗人数"], f["员工总数"])
    f["缺工解决率"] = ratio(f["累计解决用工"], f["累计解决用工"] + f["缺工人数"])
    within = rng.randint(0, done)
    f["24小时办结率"] = float("nan")
    f.loc[["市本级", "合计"], "24小时办结率"] = round(within / received * 100, 1)
    return f


def ratio(num: pd.Series, den: pd.Series) -> pd.Series:
    return (num / den.where(den > 0) * 100).round(1)


def write_city(path: Path, city_name: str, frame: pd.DataFrame, day: dt.date = D, layout=None,
               when: dt.datetime | None = None) -> Path:
    city = resolve_city(city_name)
    meta = {"city_full": city.full_name, "bureau": city.bureau, "date": day, "filler": "张三", "reviewer": "",
            "phone": "0791-86000000", "submitted": ""}
    path.parent.mkdir(parents=True, exist_ok=True)
    forms.write_huizongbiao(path, frame, meta, layout=layout)
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
    # D-1: 南昌 with 缺工人数 much lower (a jump to follow up), 上饶 unchanged
    prev = inbox / "province" / PREV.isoformat()
    before = FRAMES["南昌"].copy()
    before["缺工人数"] = (before["缺工人数"] / 4).round()
    before.loc["合计", "缺工人数"] = before.drop(index="合计")["缺工人数"].sum()
    before["缺工解决率"] = ratio(before["累计解决用工"], before["累计解决用工"] + before["缺工人数"])
    write_city(prev / "南昌.xlsx", "南昌", before, day=PREV, when=at("10:00", PREV))
    write_city(prev / "上饶.xlsx", "上饶", FRAMES["上饶"], day=PREV, when=at("10:00", PREV))
    return inbox


@pytest.fixture(scope="module")
def pday(case_inbox, tmp_path_factory):
    return province.load(D.isoformat(), case_inbox, outputs=tmp_path_factory.mktemp("nothing"))


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
    assert set(p.loc[p["检查"].isin(["数据截至", "版式", "合计", "负数", "县区"]), "处理"]) == {"退回"}
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
    p = province.load(D, inbox, outputs=tmp_path / "out")
    assert p.rates["未报送"] == 11
    row = p.chase[p.chase["设区市"] == "九江市"].iloc[0]
    assert (row["联络员"], row["手机"]) == ("赵联络", "13900000003")


# --------------------------------------------------------------------------- roll-up


def test_roll_up_excludes_returned_and_missing_cities(pday):
    f = pday.figures
    assert list(f.index) == [c.full_name for c in province.cities()] + ["全省合计"]
    for name in ["九江市", "新余市", "鹰潭市", "赣州市", "宜春市", "抚州市"]:
        assert set(f.loc[name]) == {"未报送"}
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
    assert (same["变化"] == 0).all() and (same["需跟进"] == "").all()
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
    written = province.write_all(pday, tmp_path)
    path = tmp_path / province.names(D)["huizongbiao"]
    assert path in written
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["汇总表", "报送情况", "审核问题", "逐日对比", "催报名单", "收到文件"]
    ws = wb["汇总表"]
    cols, rows = _read_sheet(ws)
    assert list(rows) == [c.full_name for c in province.cities()] + ["全省合计"]
    accepted = [n for n, v in rows.items() if n != "全省合计" and v[1] != "未报送"]
    assert accepted == ["南昌市", "景德镇市", "萍乡市", "吉安市", "上饶市"]
    for label in ["重点企业数", "员工总数", "缺工人数", "累计解决用工", "推送人次", "合计"]:
        c = cols[label] - 1
        assert rows["全省合计"][c] == sum(rows[n][c] for n in accepted), label
    c = {k: cols[k] - 1 for k in ("重点企业数", "其中已复工", "复工率（%）")}
    assert rows["全省合计"][c["复工率（%）"]] == round(
        sum(rows[n][c["其中已复工"]] for n in accepted) / sum(rows[n][c["重点企业数"]] for n in accepted) * 100, 1)
    for n in ["九江市", "新余市", "鹰潭市", "赣州市", "宜春市", "抚州市"]:
        assert set(rows[n][1:]) == {"未报送"}
    texts = [ws.cell(row=r, column=1).value or "" for r in range(1, ws.max_row + 1)]
    assert any(t.startswith("注：以下设区市不计入全省合计：九江市") for t in texts)
    status = province.read_completeness(path)
    assert status["状态"].tolist() == pday.completeness["状态"].tolist()


def test_the_province_total_recomputes_rates_from_counts():
    frame = pd.DataFrame({"重点企业数": [10.0, 30.0], "已复工企业数": [5.0, 30.0], "累计解决用工": [10.0, float("nan")],
                          "缺工人数": [90.0, 100.0], "求助受理件数": [10.0, 30.0], "24小时办结率": [50.0, 100.0]})
    total = province.province_total(frame)
    assert total["复工率"] == 87.5  # 35/40, not the mean of 50 and 100
    assert total["缺工解决率"] == 10.0  # over the city that has 累计解决用工 only
    assert total["24小时办结率"] == 87.5  # weighted by 求助受理件数


# --------------------------------------------------------------------------- checks


def _sub(frame: pd.DataFrame, city: str = "南昌") -> province.Submission:
    sub = province.Submission(file="x.xlsx", path=Path("x.xlsx"), city=resolve_city(city), figures=frame)
    return sub


def test_a_consistent_submission_passes_every_check():
    assert province.check_figures(_sub(FRAMES["南昌"])) == []


def test_rate_consistency_with_rounding_tolerance():
    f = FRAMES["南昌"].copy()
    exact = f.loc["合计", "已复工企业数"] / f.loc["合计", "重点企业数"] * 100
    f.loc["合计", "复工率"] = round(exact, 1) + 0.05  # rounding off by one step: tolerated
    assert province.check_figures(_sub(f)) == []
    f.loc["合计", "复工率"] = round(exact, 1) + 0.3
    problems = province.check_figures(_sub(f))
    assert [(p.check, p.where, p.action) for p in problems] == [("比率", "行“合计”，列“复工率”", "退回")]
    f = FRAMES["南昌"].copy()
    f.loc["合计", "24小时办结率"] = 120.0
    assert [p.check for p in province.check_figures(_sub(f))] == ["比率"]


def test_dash_counts_as_nothing_in_the_total():
    f = FRAMES["南昌"].copy()
    f["跨区域招聘需求人数"] = float("nan")  # table E not reported: "—" everywhere is fine
    assert province.check_figures(_sub(f)) == []
    f.loc[f.index[0], "跨区域招聘需求人数"] = 5.0  # a county has it, 合计 says "—"
    assert [p.check for p in province.check_figures(_sub(f))] == ["合计"]


def test_missing_total_row_is_refused():
    f = FRAMES["南昌"].drop(index="合计")
    assert [p.message for p in province.check_figures(_sub(f))] == ["汇总表缺少“合计”行"]


# --------------------------------------------------------------------------- outputs as intake


def _city_output(out_root: Path, city: str, day: dt.date, finished: str) -> None:
    folder = out_root / day.isoformat() / city
    name = province.products.names(city, day)["huizongbiao"]
    write_city(folder / name, city, FRAMES[city], day=day)
    (folder / "manifest.json").write_text(json.dumps({"finished": finished}), encoding="utf-8")


def test_intake_from_this_machines_outputs_with_a_failed_city(tmp_path):
    out = tmp_path / "outputs"
    _city_output(out, "南昌", D, "2020-03-10T14:10:05+08:00")
    _city_output(out, "上饶", D, "2020-03-10T07:30:00+00:00")  # 15:30 in Shanghai: late
    _city_output(out, "萍乡", D, "2020-03-10T10:00:00+08:00")  # an old output of a city that failed now
    p = province.load(D, tmp_path / "no-inbox", source="outputs", outputs=out,
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
    assert province.resolve_source("auto", case_inbox, D) == "inbox"
    assert province.resolve_source("auto", case_inbox, PREV - dt.timedelta(days=1)) == "outputs"
    with pytest.raises(UserError):
        province.province_job("2020-01-01", case_inbox, tmp_path / "out")
    with pytest.raises(UserError):
        province.province_job("2020-02-30", case_inbox, tmp_path / "out")


def test_invoke_province_bad_date_exits_2(tmp_path):
    res = invoke("province", "--date=2020-13-01", f"--out={tmp_path}")
    assert res.returncode == 2 and "日期" in res.stderr
    assert list(tmp_path.iterdir()) == []


# --------------------------------------------------------------------------- the notebook run


def test_province_run_publishes_the_roll_up_and_skips_when_up_to_date(case_inbox, tmp_path):
    out = tmp_path / "out"
    res = province.run_province(D.isoformat(), case_inbox, out)
    assert res.status == "完成" and res.out_dir == out / D.isoformat() / "省"
    files = {p.name for p in res.out_dir.iterdir()}
    assert {province.names(D)["huizongbiao"], "manifest.json", f"notebook_省_{D:%Y%m%d}.ipynb"} <= files
    manifest = json.loads((res.out_dir / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["parameters"]["source"] == "inbox" and manifest["scope"] == "province"
    assert any(e["path"] == f"province/{D.isoformat()}/赣州.xlsx" for e in manifest["inputs"])
    table = province.read_completeness(res.workbook)
    assert table["状态"].tolist() == ["按时", "迟报", "迟报", "未报送", "退回", "退回", "退回", "按时", "退回", "退回",
                                    "按时"]
    again = province.run_province(D.isoformat(), case_inbox, out)
    assert again.status == "已是最新"
    brief = province.names(D)["brief"]
    if brief in files:
        html = (res.out_dir / brief).read_text(encoding="utf-8")
        assert "九江市" in html and "未报送" in html and "<script" not in html


# --------------------------------------------------------------------------- the sample


def test_the_sample_province_inbox_gives_what_it_plants(sample_inbox, tmp_path):
    planted = json.loads((sample_inbox / "province" / "planted.json").read_text(encoding="utf-8"))
    cases = [p for p in planted if p["expected_status"]]
    assert {p["kind"] for p in cases} >= {"late", "late_mtime", "missing", "wrong_date", "bad_total", "resend", "stray"}
    for day in sorted({p["date"] for p in cases}):
        p = province.load(day, sample_inbox, outputs=tmp_path)
        st = p.completeness.set_index("设区市")
        for case in (c for c in cases if c["date"] == day):
            assert st.loc[case["city"], "状态"] == case["expected_status"], case
        others = [s for s in st.index if s not in {c["city"] for c in cases if c["date"] == day}]
        assert (st.loc[others, "状态"] == "按时").all(), day
    first = province.load("2020-02-24", sample_inbox, outputs=tmp_path)
    assert first.rates["按时报送率"] == 100.0
    assert (first.completeness["时间来源"] == "收件登记").all()
    no_receipts = province.load("2020-02-28", sample_inbox, outputs=tmp_path)
    assert (no_receipts.completeness["时间来源"] == "文件修改时间").all()


def test_sample_province_is_deterministic(sample_inbox, tmp_path):
    days = [dt.date(2020, 2, 26)]
    a = sample_province.generate(sample_inbox, tmp_path / "a", days=days)
    sample_province.generate(sample_inbox, tmp_path / "b", days=days)
    assert a["files"] >= 12
    ours = sorted(p.relative_to(tmp_path / "a") for p in (tmp_path / "a").rglob("*") if p.is_file())
    assert ours == sorted(p.relative_to(tmp_path / "b") for p in (tmp_path / "b").rglob("*") if p.is_file())
    for rel in ours:
        assert (tmp_path / "a" / rel).read_bytes() == (tmp_path / "b" / rel).read_bytes(), rel
        assert (tmp_path / "a" / rel).stat().st_mtime == (tmp_path / "b" / rel).stat().st_mtime, rel


def test_whole_sample_inbox_stays_small(sample_inbox):
    assert sum(p.stat().st_size for p in sample_inbox.rglob("*") if p.is_file()) < 10 * 1024 * 1024
