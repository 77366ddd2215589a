"""The province's days in the history (issue 17): the province run also writes 报送情况, 审核问题
and 汇总数据 as parquet, and ``history.submissions / checks / province`` read them back with
the same content as the written 汇总表 workbook (read here with openpyxl); ``history_view.counties``
drops the 市本级 and 合计 pseudo-rows. Expected statuses come from the sample's planted list
(sample_inbox/province/planted.json) and its 收件登记.csv, worked out by hand."""

from __future__ import annotations

import json
import math
import shutil
from pathlib import Path

import pandas as pd
import pytest
import yaml
from conftest import ROOT, SAMPLE
from independent import layout_figures
from openpyxl import load_workbook

from yonggong import history, history_view, province
from yonggong.province import verify as province_check
from yonggong.reference import resolve_city

DAYS = ["2020-02-25", "2020-02-26"]
OLD = "2020-02-27"  # a province folder written before the parquet files (and one damaged file)
DASH = "—"
DEADLINE = "15:00"
# By hand from planted.json and 收件登记.csv: 25th 上饶 received 16:20; 26th 九江 16:20, 吉安 sent
# nothing, 萍乡 sent the 25th's table, 新余's 合计 row is off by 40 (both returned).
LATE = {"2020-02-25": {"上饶": 80}, "2020-02-26": {"九江": 80}}
MISSING = {"2020-02-25": set(), "2020-02-26": {"吉安"}}
RETURNED = {"2020-02-25": set(), "2020-02-26": {"萍乡", "新余"}}
CITIES = ["南昌", "景德镇", "萍乡", "九江", "新余", "鹰潭", "赣州", "吉安", "宜春", "抚州", "上饶"]  # GB/T 2260


def _stamp(day: str) -> str:
    return day.replace("-", "")


def _publish(folder: Path, day: str) -> None:
    (folder / "manifest.json").write_text(json.dumps({"date": day}), encoding="utf-8")


@pytest.fixture(scope="module")
def out(tmp_path_factory):
    """Two province days written as the run writes them, an older province folder without the
    parquet files, and look-alikes that are not published province days."""
    root = tmp_path_factory.mktemp("outputs")
    days = {}
    for day in DAYS:
        pday = province.day.load(day, SAMPLE, source="inbox")
        folder = root / day / "省"
        province.write.write_all(pday, folder)
        _publish(folder, day)
        days[day] = pday
    old = root / OLD / "省"
    old.mkdir(parents=True)
    shutil.copy(root / DAYS[1] / "省" / f"重点企业用工调度保障工作信息汇总表_江西省_{_stamp(DAYS[1])}.xlsx",
                old / f"重点企业用工调度保障工作信息汇总表_江西省_{_stamp(OLD)}.xlsx")
    (old / f"审核问题_江西省_{_stamp(OLD)}.parquet").write_bytes(b"damaged")
    _publish(old, OLD)
    src = root / DAYS[1] / "省"
    for fake in (root / DAYS[1] / "failed" / "省-20200226T150000-ab12", root / DAYS[1] / ".tmp-省-x1y2",
                 root / "bench" / "省", root / "2020-02-28" / "省"):
        shutil.copytree(src, fake)
    (root / "2020-02-28" / "省" / "manifest.json").unlink()  # never published
    return root, days


def _sheet_rows(path: Path, sheet: str) -> tuple[list[str], list[tuple]]:
    """Header and body of a detail sheet (title row, header row, rows up to the first blank)."""
    ws = load_workbook(path, read_only=True, data_only=True)[sheet]
    rows = list(ws.iter_rows(min_row=2, values_only=True))
    header = [h for h in rows[0] if h is not None]
    body = []
    for r in rows[1:]:
        if r[0] in (None, ""):
            break
        body.append(tuple(r[:len(header)]))
    return header, body


def _book(root: Path, day: str) -> Path:
    return root / day / "省" / f"重点企业用工调度保障工作信息汇总表_江西省_{_stamp(day)}.xlsx"


def _short(full: str) -> str:
    return resolve_city(full).name


def test_published_province_days(out):
    root, _ = out
    runs = history.published_province(root)
    assert list(runs.columns) == ["日期", "目录"]
    assert [d.date().isoformat() for d in runs["日期"]] == [*DAYS, OLD]
    assert list(runs["目录"]) == [root / d / "省" for d in [*DAYS, OLD]]
    assert str(runs["日期"].dtype).startswith("datetime64")


def test_the_parquet_files_are_written_with_their_names(out):
    root, _ = out
    for day in DAYS:
        have = {p.name for p in (root / day / "省").glob("*.parquet")}
        assert have == {f"{stem}_江西省_{_stamp(day)}.parquet" for stem in ("报送情况", "审核问题", "汇总数据", "经验做法")}
        names = province.common.names(pd.Timestamp(day).date())
        assert {names[k] for k in ("submissions_parquet", "checks_parquet", "figures_parquet",
                                   "publicity_parquet")} == have


def test_tables_have_the_documented_columns_and_types(out):
    root, _ = out
    s, c, p = history.submissions(root), history.checks(root), history.province(root)
    assert list(s.columns) == ["日期", "设区市", "状态", "收到时间", "时间来源", "迟报时长", "文件", "问题", "迟报分钟"]
    assert list(c.columns) == ["日期", "设区市", "文件", "检查", "位置", "值", "应为", "说明", "处理"]
    assert list(p.columns) == ["日期", "设区市", "指标", "数值"]
    for frame in (s, c, p):
        assert str(frame["日期"].dtype).startswith("datetime64") and len(frame) > 0
        for col in frame.columns:
            assert col in history.__doc__, col
    assert str(s["收到时间"].dtype).startswith("datetime64")
    assert str(s["迟报分钟"].dtype) == "Int64" and p["数值"].dtype == "float64"
    empty = history.submissions(root / "nothing")
    assert empty.empty and list(empty.columns) == list(s.columns) and empty.attrs["missing"] == []
    assert str(empty["迟报分钟"].dtype) == "Int64"


def test_submissions_are_the_written_completeness_sheet(out):
    root, _ = out
    s = history.submissions(root)
    for day in DAYS:
        header, body = _sheet_rows(_book(root, day), "报送情况")
        assert header == ["设区市", "状态", "收到时间", "时间来源", "迟报时长", "文件", "问题"]
        mine = s[s["日期"] == pd.Timestamp(day)]
        assert list(mine["设区市"]) == CITIES == [_short(r[0]) for r in body]
        for r, (_, m) in zip(body, mine.iterrows(), strict=True):
            assert m["状态"] == r[1], (day, r[0])
            assert (m["收到时间"].strftime("%Y-%m-%d %H:%M") if pd.notna(m["收到时间"]) else None) == r[2]
            for col, cell in zip(header[3:], r[3:], strict=True):
                assert (None if pd.isna(m[col]) else m[col]) == cell, (day, r[0], col)


def test_late_missing_and_returned_cities_of_the_sample(out):
    root, _ = out
    s = history.submissions(root)
    for day in DAYS:
        mine = s[s["日期"] == pd.Timestamp(day)].set_index("设区市")
        late = mine[mine["状态"] == "迟报"]
        assert dict(late["迟报分钟"]) == LATE[day]
        hh, mm = map(int, DEADLINE.split(":"))
        for city, minutes in LATE[day].items():
            got = mine.at[city, "收到时间"]
            assert (got.hour * 60 + got.minute) - (hh * 60 + mm) == minutes
            assert mine.at[city, "迟报时长"] == "1小时20分"
        assert set(mine.index[mine["状态"] == "未报送"]) == MISSING[day]
        assert set(mine.index[mine["状态"] == "退回"]) == RETURNED[day]
        assert mine.loc[list(MISSING[day]), "收到时间"].isna().all()
        on_time = mine[~mine.index.isin(set(LATE[day]))]
        assert on_time["迟报分钟"].isna().all() and on_time["迟报时长"].isna().all()
    # "which cities were late this week", in one line
    week = s[(s["日期"] > pd.Timestamp(DAYS[-1]) - pd.Timedelta(days=7)) & (s["状态"] == "迟报")]
    assert sorted(week["设区市"]) == ["上饶", "九江"]


def test_checks_are_the_written_problem_sheet(out):
    root, _ = out
    c = history.checks(root)
    for day in DAYS:
        header, body = _sheet_rows(_book(root, day), "审核问题")
        assert header == ["设区市", "文件", "检查", "位置", "值", "应为", "说明", "处理"]
        mine = c[c["日期"] == pd.Timestamp(day)]
        assert len(mine) == len(body) > 0
        for r, (_, m) in zip(body, mine.iterrows(), strict=True):
            assert m["设区市"] == (_short(r[0]) if r[0].endswith("市") else r[0])
            for col, cell in zip(header[1:], r[1:], strict=True):
                assert (None if pd.isna(m[col]) else m[col]) == (None if cell in (None, "") else str(cell))
    d26 = c[c["日期"] == pd.Timestamp("2020-02-26")]
    assert set(d26.loc[d26["处理"] == "退回", "设区市"]) == RETURNED["2020-02-26"]


def test_province_is_the_written_huizongbiao(out):
    root, days = out
    p = history.province(root)
    catalogue = yaml.safe_load((ROOT / "params" / "indicators.yaml").read_text(encoding="utf-8"))
    labels = {i["key"]: i["label"] for i in catalogue["indicators"]}
    compared = dashes = status = 0
    for day in DAYS:
        mine = p[p["日期"] == pd.Timestamp(day)]
        assert list(dict.fromkeys(mine["设区市"])) == [*CITIES, "全省合计"]
        value = mine.set_index(["设区市", "指标"])["数值"]
        wb = load_workbook(_book(root, day), data_only=True)
        for layout in ("huizongbiao", "laowushuchu"):
            sheet, columns = layout_figures(layout)
            assert columns[0] is None and sheet in wb.sheetnames, (day, sheet)
            rows = [r for r in wb[sheet].iter_rows(values_only=True)
                    if r[0] in {f"{c}市" for c in CITIES} | {"全省合计"}]
            assert [r[0] for r in rows] == [f"{c}市" for c in CITIES] + ["全省合计"]
            for r in rows:
                label = r[0] if r[0] == "全省合计" else _short(r[0])
                for figure, cell in zip(columns[1:], r[1:], strict=True):
                    got = value[(label, labels[figure])]
                    if cell == DASH or cell in ("退回", "未报送"):
                        assert math.isnan(got), (day, label, figure)
                        dashes += cell == DASH
                        status += cell != DASH
                    else:
                        assert got == pytest.approx(float(cell)), (day, label, figure)
                    compared += 1
        assert province_check.check(days[day], root / day / "省").passed
    assert compared == 2 * 12 * (34 + 11) and dashes > 0 and status == 3 * (34 + 11)
    # the official 全省合计 leaves out the returned and missing cities of the 26th
    d26 = p[(p["日期"] == pd.Timestamp("2020-02-26")) & (p["指标"] == "缺工人数")].set_index("设区市")["数值"]
    accepted = [c for c in CITIES if c not in MISSING["2020-02-26"] | RETURNED["2020-02-26"]]
    assert d26["全省合计"] == d26[accepted].sum() and d26[list(RETURNED["2020-02-26"])].isna().all()


def test_a_folder_without_the_parquet_files_is_listed_not_a_crash(out):
    root, _ = out
    for read, stem in ((history.submissions, "报送情况"), (history.checks, "审核问题"), (history.province, "汇总数据")):
        frame = read(root)
        assert {d.date().isoformat() for d in frame["日期"]} == set(DAYS)
        assert frame.attrs["missing"] == [root / OLD / "省" / f"{stem}_江西省_{_stamp(OLD)}.parquet"]
    only = history.submissions(root, start=DAYS[1], end=DAYS[1])
    assert set(only["日期"]) == {pd.Timestamp(DAYS[1])} and only.attrs["missing"] == []


def test_parquet_is_byte_identical_when_rewritten(out, tmp_path):
    root, days = out
    again = province.day.load(DAYS[1], SAMPLE, source="inbox")
    written = province.parquet.write_tidy(again, tmp_path)
    assert len(written) == 4  # 报送情况, 审核问题, 汇总数据, 经验做法
    for path in written:
        assert path.read_bytes() == (root / DAYS[1] / "省" / path.name).read_bytes(), path.name


def test_no_liaison_names_or_phones_in_the_parquet(out):
    root, days = out
    people = {v for pday in days.values() for col in ("联络员", "手机", "办公电话")
              for v in pday.chase[col].dropna().astype(str) if v}
    assert people
    for path in root.glob("20*/省/*.parquet"):
        if path.stat().st_size > 100:
            text = pd.read_parquet(path).to_csv()
            assert not [v for v in people if v in text], path.name


def test_a_tampered_parquet_fails_the_self_check(out, tmp_path):
    root, days = out
    folder = tmp_path / "省"
    shutil.copytree(root / DAYS[1] / "省", folder)
    name = province.common.names(pd.Timestamp(DAYS[1]).date())["figures_parquet"]
    frame = pd.read_parquet(folder / name)
    frame.loc[frame["设区市"] == "全省合计", "数值"] += 1
    frame.to_parquet(folder / name)
    result = province_check.check(days[DAYS[1]], folder)
    assert not result.passed and any(name in f and "全省合计" in f for f in result.failures)


def _history(figures: pd.DataFrame) -> history.History:
    empty = {k: pd.DataFrame(columns=history.COLUMNS[k]) for k in history.KINDS}
    return history.History(**{**empty, "figures": figures}, runs=pd.DataFrame(columns=["日期", "设区市", "目录"]))


def test_counties_leave_out_the_city_level_and_total_rows():
    rows = [("南昌", county, figure, v) for county, v in (("东湖区", 3.0), ("西湖区", 4.0), ("市本级", 1.0), ("合计", 8.0))
            for figure in ("缺工人数", "空岗人数（普工）")]
    figures = pd.DataFrame([(pd.Timestamp("2020-02-26"), *r) for r in rows], columns=["日期", "设区市", "县区", "指标", "数值"])
    h = _history(figures)
    c = history_view.counties(h)
    assert list(c.columns) == list(figures.columns)
    assert sorted(set(c["县区"])) == ["东湖区", "西湖区"] and len(c) == 4
    assert list(history_view.counties(h, "缺工人数")["数值"]) == [3.0, 4.0]
    assert list(history_view.counties(h, "空岗_普工")["县区"]) == ["东湖区", "西湖区"]  # a key as well as a label
