"""The 周报 (issue 17, item 1): `invoke week` for 南昌 and for the province on the sample week,
checked against the daily parquet files the runs published (read here with pandas, not through
yonggong.history or yonggong.week), against the working file's 问题困难 sheet, and with a day
taken out of the middle of the week."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pandas as pd
import pytest
from conftest import invoke
from openpyxl import load_workbook

from yonggong import kernel, nbexec, week
from yonggong.province.runs import run_province
from yonggong.run import run_city_day

START, END = dt.date(2020, 2, 23), dt.date(2020, 3, 1)
WEEK = [END - dt.timedelta(days=i) for i in range(6, -1, -1)]  # 02-24 … 03-01
ALL = [START + dt.timedelta(days=i) for i in range(8)]  # the campaign so far: 02-23 … 03-01
FLOWS = ["当日解决用工", "点对点运输人数", "培训报名人数"]


@pytest.fixture(scope="module")
def outputs(tmp_path_factory, sample_inbox):
    """南昌 and the province, every day of the sample (one published run each)."""
    out = tmp_path_factory.mktemp("week_outputs")
    kernel.start_worker(nbexec.kernel_name())  # one warm kernel for the 16 runs, as `invoke all` does
    try:
        for day in ALL:
            run_city_day("南昌", day.isoformat(), sample_inbox, out)
            run_province(day.isoformat(), sample_inbox, out)
    finally:
        kernel.stop_worker()
    assert kernel.current() is None
    return out


@pytest.fixture(scope="module")
def city_week(outputs):
    res = invoke("week", "--city=南昌", "--end=2020-03-01", f"--out={outputs}")
    assert res.returncode == 0, res.stdout + res.stderr
    folder = outputs / "week" / "南昌" / "2020-03-01"
    return folder, res


@pytest.fixture(scope="module")
def province_week(outputs):
    res = invoke("week", "--province", "--end=2020-03-01", f"--out={outputs}")
    assert res.returncode == 0, res.stdout + res.stderr
    return outputs / "week" / "省" / "2020-03-01", res


def _parquet(outputs: Path, who: str, folder: str, day: dt.date) -> pd.DataFrame:
    return pd.read_parquet(outputs / day.isoformat() / folder / f"汇总数据_{who}_{day:%Y%m%d}.parquet")


def _city_value(outputs, day, label, row="合计") -> float:
    f = _parquet(outputs, "南昌", "南昌", day)
    hit = f[(f["县区"] == row) & (f["指标"] == label)]["数值"]
    assert len(hit) == 1
    return float(hit.iloc[0])


def _province_value(outputs, day, label, row="全省合计") -> float:
    f = _parquet(outputs, "江西省", "省", day)
    hit = f[(f["设区市"] == row) & (f["指标"] == label)]["数值"]
    assert len(hit) == 1
    return float(hit.iloc[0])


def _sheet(path: Path, name: str) -> pd.DataFrame:
    """A tablebook sheet: title row 1, header row 2, data below."""
    ws = load_workbook(path, read_only=True, data_only=True)[name]
    rows = list(ws.iter_rows(values_only=True))
    header = [str(h) for h in rows[1]]
    return pd.DataFrame([list(r) for r in rows[2:]], columns=header)


def _sum(values) -> float:
    """A week sum as the 周报 states it: "—" days count as nothing."""
    values = [v for v in values if v == v]
    return float(sum(values)) if values else float("nan")


def _num(v) -> float:
    return float("nan") if v in (None, "", "—") else float(v)


def _close(a, b) -> bool:
    a, b = _num(a), _num(b)
    return (a != a and b != b) or abs(a - b) < 1e-6


@pytest.mark.parametrize("scope", ["city", "province"])
def test_the_week_writes_html_xlsx_and_a_manifest(scope, city_week, province_week):
    folder, res = city_week if scope == "city" else province_week
    who = "南昌" if scope == "city" else "江西省"
    html, xlsx = folder / f"周报_{who}_20200301.html", folder / f"周报_{who}_20200301.xlsx"
    assert html.is_file() and xlsx.is_file()
    assert str(html) in res.stdout and "周报" in res.stdout
    text = html.read_text(encoding="utf-8")
    assert "http://" not in text and "https://" not in text and "<script" not in text  # offline
    assert "@font-face" in text and "2月24日至3月1日" in text
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert {o["path"] for o in manifest["outputs"]} == {html.name, xlsx.name}
    assert manifest["days"] == [d.isoformat() for d in WEEK] and manifest["missing_days"] == []
    assert manifest["inputs"]  # the parquet files read, with their hashes


def test_city_key_indicators_equal_the_daily_parquet(outputs, city_week):
    folder, _ = city_week
    t = _sheet(folder / "周报_南昌_20200301.xlsx", "关键指标").set_index("指标")
    for label in ["重点企业数", "缺工人数", "累计解决用工", "缺工解决率", "复工率", *FLOWS]:
        start, end = _city_value(outputs, WEEK[0], label), _city_value(outputs, END, label)
        row = t.loc[label]
        assert _close(row["周初（2月24日）"], start) and _close(row["周末（3月1日）"], end), label
        assert _close(row["变化"], round(end - start, 1)), label
    for label in FLOWS:
        assert _close(t.loc[label, "本周合计"], _sum(_city_value(outputs, d, label) for d in WEEK)), label
    assert pd.isna(t.loc["缺工人数", "本周合计"])  # a stock has no week sum


def test_city_daily_rows_ranking_channels_and_totals_equal_the_daily_parquet(outputs, city_week):
    book = city_week[0] / "周报_南昌_20200301.xlsx"
    daily = _sheet(book, "逐日情况")
    assert list(daily["日期"]) == [f"{d.month}月{d.day}日" for d in WEEK] and set(daily["运行结果"]) == {"有"}
    for d, row in zip(WEEK, daily.to_dict("records"), strict=True):
        assert _close(row["缺工人数"], _city_value(outputs, d, "缺工人数"))
        assert _close(row["当日解决用工"], _city_value(outputs, d, "当日解决用工"))
    rank = _sheet(book, "排名")
    counties = sorted(set(_parquet(outputs, "南昌", "南昌", END)["县区"]) - {"合计", "市本级"})
    assert sorted(rank["县区"]) == counties
    drops = {c: _city_value(outputs, WEEK[0], "缺工人数", c) - _city_value(outputs, END, "缺工人数", c) for c in counties}
    assert list(rank["缺工减少"]) == sorted(drops.values(), reverse=True)
    best = max(drops, key=drops.get)
    assert rank.iloc[0]["县区"] == best and rank.iloc[0]["减少排名"] == 1
    rates = {c: _city_value(outputs, END, "缺工解决率", c) for c in counties}
    top_rate = rank[rank["解决率排名"] == 1]["县区"].tolist()
    assert top_rate == [max(rates, key=rates.get)]
    channels = _sheet(book, "解决渠道").set_index("渠道")
    for channel, label in [("本地招聘", "当日解决用工（本地招聘）"), ("组织返岗", "当日解决用工（组织返岗）")]:
        assert _close(channels.loc[channel, "本周解决用工（人）"], _sum(_city_value(outputs, d, label) for d in WEEK))
    assert abs(sum(channels["占比（%）"]) - 100) < 0.3
    totals = _sheet(book, "运输培训和服务").set_index("指标")
    for label in ["点对点运输人数", "培训报名人数", "求助受理件数"]:
        assert _close(totals.loc[label, "本周合计"], _sum(_city_value(outputs, d, label) for d in WEEK))
        assert _close(totals.loc[label, "自2月23日以来累计"], _sum(_city_value(outputs, d, label) for d in ALL))


def test_city_problems_are_those_of_the_working_file_open_more_than_three_days(outputs, city_week):
    sheet_name = "问题困难"
    ws = load_workbook(outputs / "2020-03-01" / "南昌" / "工作底稿_南昌_20200301.xlsx", read_only=True)[sheet_name]
    rows = list(ws.iter_rows(values_only=True))
    head = list(rows[1])
    work = pd.DataFrame([list(r) for r in rows[2:]], columns=head)
    want = sorted((r["企业名称"], int(r["已持续天数"])) for r in work.to_dict("records")
                  if r["已持续天数"] not in (None, "") and int(r["已持续天数"]) > 3)
    got = _sheet(city_week[0] / "周报_南昌_20200301.xlsx", "持续未解决问题")
    assert want, "the sample has long-open problems"
    assert sorted(zip(got["企业名称"], got["已持续天数"].astype(int), strict=True)) == want


def test_city_reporting_days_come_from_the_province_runs(outputs, city_week):
    rep = _sheet(city_week[0] / "周报_南昌_20200301.xlsx", "报送情况")
    for d, row in zip(WEEK, rep.to_dict("records"), strict=True):
        s = pd.read_parquet(outputs / d.isoformat() / "省" / f"报送情况_江西省_{d:%Y%m%d}.parquet")
        assert row["状态"] == s.loc[s["设区市"] == "南昌", "状态"].iloc[0]


def test_province_week_equals_the_official_roll_up_and_names_late_cities(outputs, province_week):
    book = province_week[0] / "周报_江西省_20200301.xlsx"
    t = _sheet(book, "关键指标").set_index("指标")
    for label in ["缺工人数", "累计解决用工", "重点企业数"]:
        assert _close(t.loc[label, "周初（2月24日）"], _province_value(outputs, WEEK[0], label))
        assert _close(t.loc[label, "周末（3月1日）"], _province_value(outputs, END, label))
    assert _close(t.loc["当日解决用工", "本周合计"], _sum(_province_value(outputs, d, "当日解决用工") for d in WEEK))
    rank = _sheet(book, "排名").set_index("设区市")
    assert len(rank) == 11
    for city in ["南昌", "赣州"]:
        drop = _province_value(outputs, WEEK[0], "缺工人数", city) - _province_value(outputs, END, "缺工人数", city)
        assert _close(rank.loc[city, "缺工减少"], drop)
    rep = _sheet(book, "报送情况").set_index("设区市")
    # by hand, from sample_inbox/planted.json and the 收件登记 of 2月26日: 九江 late, 吉安 not sent,
    # 萍乡 and 新余 returned
    assert rep.loc["九江", "2月26日"] == "迟报" and rep.loc["吉安", "2月26日"] == "未报送"
    assert rep.loc["萍乡", "2月26日"] == "退回" and rep.loc["新余", "2月26日"] == "退回"
    for d in WEEK:
        s = pd.read_parquet(outputs / d.isoformat() / "省" / f"报送情况_江西省_{d:%Y%m%d}.parquet").set_index("设区市")
        assert rep[f"{d.month}月{d.day}日"].to_dict() == s["状态"].to_dict()
    late = {c: int(n) for c, n in rep["迟报天数"].items() if n}
    want = {}
    for d in WEEK:
        s = pd.read_parquet(outputs / d.isoformat() / "省" / f"报送情况_江西省_{d:%Y%m%d}.parquet")
        for c in s.loc[s["状态"] == "迟报", "设区市"]:
            want[c] = want.get(c, 0) + 1
    assert late == want and "九江" in late


def test_the_weeks_publicity_is_every_item_published_in_the_week(outputs, city_week):
    got = _sheet(city_week[0] / "周报_南昌_20200301.xlsx", "经验做法和先进典型")
    titles = set()
    for d in WEEK:
        p = pd.read_parquet(outputs / d.isoformat() / "南昌" / f"经验做法_南昌_{d:%Y%m%d}.parquet")
        titles |= set(p["标题"])
    assert set(got["标题"]) == titles and titles


def test_html_prints_on_at_most_four_a4_pages_and_fits_a_phone(browser, city_week, province_week):
    from pages import html_pages

    for folder, who in [(city_week[0], "南昌"), (province_week[0], "江西省")]:
        pages, width = html_pages(browser, folder / f"周报_{who}_20200301.html")
        assert 1 <= pages <= 4, (who, pages)
        assert width <= 390, (who, width)


def test_a_missing_day_in_the_middle_is_named_and_not_summed(outputs, tmp_path):
    out = tmp_path / "outputs"
    for d in ALL:
        if d != dt.date(2020, 2, 27):
            shutil.copytree(outputs / d.isoformat() / "南昌", out / d.isoformat() / "南昌")
            shutil.copytree(outputs / d.isoformat() / "省", out / d.isoformat() / "省")
    wk, written = week.run_week("南昌", "2020-03-01", out)
    assert wk.missing == [dt.date(2020, 2, 27)]
    html = written[0].read_text(encoding="utf-8")
    assert "2月27日没有已发布的日报结果" in html
    daily = _sheet(written[1], "逐日情况")
    row = daily[daily["日期"] == "2月27日"].iloc[0]
    assert row["运行结果"] == "无运行结果" and pd.isna(row["缺工人数"])
    t = _sheet(written[1], "关键指标").set_index("指标")
    kept = [d for d in WEEK if d != dt.date(2020, 2, 27)]
    assert _close(t.loc["当日解决用工", "本周合计"], _sum(_city_value(outputs, d, "当日解决用工") for d in kept))
    notes = " ".join(_sheet(written[1], "说明")["说明"])
    assert "2月27日没有已发布的日报结果" in notes and "2月27日没有已发布的全省汇总" in notes
    rep = _sheet(written[1], "报送情况").set_index("日期")
    assert rep.loc["2月27日", "状态"] == "—" and "省级当日无运行结果" in rep.loc["2月27日", "问题"]


def test_the_same_published_days_give_the_same_bytes(outputs, tmp_path):
    out = tmp_path / "outputs"
    for d in WEEK:
        shutil.copytree(outputs / d.isoformat() / "南昌", out / d.isoformat() / "南昌")
    _, first = week.run_week("南昌", "2020-03-01", out)
    before = [p.read_bytes() for p in first]
    _, again = week.run_week("南昌", "2020-03-01", out)
    assert [p.read_bytes() for p in again] == before


def test_bad_week_commands_give_one_chinese_line(outputs, tmp_path):
    res = invoke("week", f"--out={outputs}")
    assert res.returncode == 2 and "二者选一" in res.stderr and "Traceback" not in res.stderr
    res = invoke("week", "--city=南昌", "--end=2020-01-10", f"--out={outputs}")
    assert res.returncode == 2 and "没有南昌市已发布的日报结果" in res.stderr and "Traceback" not in res.stderr
    res = invoke("week", "--city=南昌", f"--out={tmp_path}")
    assert res.returncode == 2 and "invoke daily --city=南昌" in res.stderr


def test_week_pdf_is_its_brief_printed_on_a4(outputs, tmp_path):
    from test_pdf import need

    from yonggong.pdf import find_chromium

    need(find_chromium(), "Chromium")
    out = tmp_path / "outputs"
    for d in WEEK:
        shutil.copytree(outputs / d.isoformat() / "南昌", out / d.isoformat() / "南昌")
    res = invoke("week", "--city=南昌", "--end=2020-03-01", f"--out={out}", "--pdf")
    assert res.returncode == 0, res.stdout + res.stderr
    pdf = out / "week" / "南昌" / "2020-03-01" / "周报_南昌_20200301.pdf"
    assert pdf.read_bytes().startswith(b"%PDF") and "已生成 PDF" in res.stdout
    from pages import pdf_pages

    assert 1 <= pdf_pages(pdf.read_bytes()) <= 4
