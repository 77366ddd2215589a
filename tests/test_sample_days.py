"""The bundled sample end to end: every city day completes, the planted mess is reported,
the 汇总表 figures match an independent computation, and every 合计 adds up."""

from __future__ import annotations

import csv
import datetime as dt
import json
import math
from collections import defaultdict

import independent as ind
import pandas as pd
import pytest
from conftest import ROOT, SAMPLE
from openpyxl import load_workbook

from yonggong import pipeline, products
from yonggong.reference import cities

# fault kinds planted by the generator -> the rule the report must name
RULES = {
    "fault:uscc_check": "uscc_check", "fault:uscc_lowercase": "uscc_normalised",
    "fault:not_on_list": "not_on_list", "fault:duplicate_row": "duplicate",
    "fault:conflict_superseded": "conflict", "fault:conflict_winner": "conflict",
    "fault:on_duty_exceeds_total": "on_post_le_total", "fault:negative_shortage": "non_negative",
    "fault:rate_above_100": "parse_rate", "fault:missing_adjust_reason": "removal_reason",
    "fault:vacancy_sum_mismatch": "vacancy_sum", "fault:total_mismatch": "total_row",
    "fault:idno_check": "idno_check", "fault:idno_15digit": "idno_old",
    "form:county_former_name": "county_alias", "form:county_padded": "county_alias",
}


@pytest.fixture(scope="module")
def days(tmp_path_factory):
    """Every city day of the sample, loaded, with its 汇总表 written into a temporary folder (the
    other products of a day are checked by their own tests and, end to end, by test_all)."""
    out = tmp_path_factory.mktemp("sample_outputs")
    loaded = {}
    for city in cities():
        for day in sorted(pipeline.day_folders(SAMPLE, city)):
            cd = pipeline.load(SAMPLE, city, day)
            products.write_huizongbiao(cd, out / day.isoformat() / city.name)
            loaded[(city.name, day.isoformat())] = cd
    return loaded, out


def test_every_city_day_completes(days):
    loaded, _ = days
    assert len(loaded) == 11 * 8


def test_the_report_lists_exactly_the_planted_mess(days):
    loaded, _ = days
    planted = json.loads((SAMPLE / "planted.json").read_text(encoding="utf-8"))
    expected = set()
    for p in planted:
        if p["kind"] in RULES:
            expected.add((p["city"], p["date"], p["file"], p["excel_row"], RULES[p["kind"]]))
    got = set()
    for (city, day), cd in loaded.items():
        for f in cd.faults.itertuples():
            got.add((city, day, f.file.split("/")[-1], f.row, f.rule))
    assert got == expected


def test_planted_value_forms_are_read_to_their_values(days):
    loaded, _ = days
    planted = json.loads((SAMPLE / "planted.json").read_text(encoding="utf-8"))
    checked = 0
    for p in planted:
        if not p["kind"].startswith("form:") or p["excel_row"] is None or p["kind"] in RULES:
            continue
        if p["kind"] == "form:total_row":
            continue
        cd = loaded[(p["city"], p["date"])]
        sheet = next(s for s in cd.inbox.sheets if s.file.endswith(p["file"]) and s.sheet == p["sheet"])
        column = next(name for name, text in sheet.headers.items() if text == p["column"])
        table = cd.tables[sheet.table]
        hit = table[(table["_file"] == sheet.file) & (table["_sheet"] == sheet.sheet) & (table["_row"] == p["excel_row"])]
        assert len(hit) == 1, p
        value = hit.iloc[0][column]
        want = p["expected"]
        if isinstance(value, dt.date):
            value = value.isoformat()[:10]
        if want is None:
            assert value is None or value is pd.NA or value != value, p
        elif isinstance(want, int | float) and not isinstance(want, bool):
            assert float(value) == pytest.approx(float(want)), p
        else:
            assert value == want or str(value) == str(want), p
        checked += 1
    assert checked >= 15


# ---------------------------------------------------------------- independent figures
PICKS = [("南昌", "2020-02-27"), ("南昌", "2020-03-01"), ("赣州", "2020-02-24"), ("赣州", "2020-02-27"),
         ("九江", "2020-02-25"), ("九江", "2020-02-28")]
CHANNEL = {"本地招聘": "当日解决_本地招聘", "跨区域招聘": "当日解决_跨区域招聘", "组织返岗": "当日解决_组织返岗",
           "余缺调剂": "当日解决_余缺调剂", "学生实习": "当日解决_学生实习及志愿者", "志愿者": "当日解决_学生实习及志愿者"}
CLASS_OF_SKILL = {None: "普工", "": "普工", "无": "普工", "初级工": "技工", "中级工": "技工", "高级工": "技工",
                  "技师": "技工", "高级技师": "技工", "专业技术": "管理及专业技术"}


def _county_names(city: str) -> tuple[list[str], dict[str, str]]:
    with (ROOT / "params" / "cities.csv").open(encoding="utf-8") as fh:
        code = next(r["code"] for r in csv.DictReader(fh) if r["name"] == city)
    with (ROOT / "params" / "counties.csv").open(encoding="utf-8") as fh:
        names = [r["name"] for r in csv.DictReader(fh) if r["city_code"] == code]
    with (ROOT / "params" / "county_aliases.csv").open(encoding="utf-8") as fh:
        aliases = {r["alias"]: r["code"] for r in csv.DictReader(fh) if r["code"]}
    with (ROOT / "params" / "counties.csv").open(encoding="utf-8") as fh:
        by_code = {r["code"]: r["name"] for r in csv.DictReader(fh)}
    fix = {a: by_code[c] for a, c in aliases.items()}
    return names, fix


def expected_figures(city: str, day: str) -> dict[str, dict[str, float]]:
    """Per county and 合计: the 汇总表 counts computed from the raw files with independent code."""
    d = dt.date.fromisoformat(day)
    names, fix = _county_names(city)
    folders = {dt.date.fromisoformat(p.name): p for p in (SAMPLE / city).iterdir()}
    by_day = {x: ind.read_day(folders[x]) for x in sorted(folders) if x <= d}
    list_day = max(x for x, t in by_day.items() if t["A"])
    ents = {}
    for r in by_day[list_day]["A"]:
        status = ind.norm(r.get("状态") or "在册")
        if status != "调出":
            county = ind.norm(r["县区"])
            ents[ind.code_of(r["统一社会信用代码"])] = fix.get(county, county)
    ledger = {}
    for x in sorted(by_day):
        if x < d - dt.timedelta(days=3):
            continue
        for r in by_day[x]["B"]:
            code = ind.code_of(r["统一社会信用代码"])
            if code in ents and ind.day_of(r["填报日期"], d.year) == x:
                ledger[code] = r
    f = defaultdict(lambda: defaultdict(float))
    for code, county in ents.items():
        f[county]["重点企业数"] += 1
        r = ledger.get(code)
        if r is None:
            continue
        f[county]["已复工企业数"] += ind.yes(r.get("是否复工"))
        for name in ("员工总数", "在岗人数", "缺工人数"):
            f[county][name] += ind.num(r.get(name)) or 0
        f[county]["缺工企业数"] += (ind.num(r.get("缺工人数")) or 0) > 0
    for r in by_day[d]["C"]:
        county = ents.get(ind.code_of(r["统一社会信用代码"]))
        cls = r.get("岗位类别") or CLASS_OF_SKILL.get(r.get("技能要求"), "其他")
        f[county][f"空岗_{cls}"] += ind.num(r["缺工人数"]) or 0
    def on_list(when: dt.date) -> dict[str, str]:
        """Credit code → county of the list in force on ``when`` (newest A on or before it)."""
        days = [x for x, t in by_day.items() if t["A"] and x <= when]
        if not days:
            return {}
        out = {}
        for r in by_day[max(days)]["A"]:
            if ind.norm(r.get("状态") or "在册") != "调出":
                county = ind.norm(r["县区"])
                out[ind.code_of(r["统一社会信用代码"])] = fix.get(county, county)
        return out

    for x, t in by_day.items():  # a placement row belongs to the folder it came in
        for r in t["D"]:
            when = ind.day_of(r["日期"], d.year)
            if when > x:  # dated after its folder: an error, never counted
                continue
            county = on_list(when).get(ind.code_of(r["统一社会信用代码"]))
            if county is None:  # not on the list on its date: an error, never counted
                continue
            n = ind.num(r["人数"]) or 0
            f[county]["累计解决用工"] += n
            if x == d and when == d:
                f[county][CHANNEL[r["解决渠道"]]] += n
                f[county]["当日解决_合计"] += n
            if x == d and when < d:
                f[county]["补报解决用工"] += n
    for r in by_day[d]["E"]:
        f[ents.get(ind.code_of(r["统一社会信用代码"]))]["跨区域招聘需求人数"] += ind.num(r["招工人数"]) or 0
    for r in by_day[d]["H"]:
        if ind.day_of(r["日期"], d.year) == d:
            f["市本级"]["推送岗位数"] += ind.num(r["推送岗位数"]) or 0
            f["市本级"]["推送人次"] += ind.num(r["推送人次"]) or 0
    for r in by_day[d]["I"]:
        if ind.day_of(r["日期"], d.year) == d:
            f["市本级"]["培训报名人数"] += ind.num(r["报名人数"]) or 0
            f["市本级"]["培训结业人数"] += ind.num(r.get("结业人数")) or 0
    total = defaultdict(float)
    for county in [*names, "市本级"]:
        for k, v in f[county].items():
            total[k] += v
    f["合计"] = total
    return {k: dict(v) for k, v in f.items()}


@pytest.mark.parametrize(("city", "day"), PICKS)
def test_figures_match_an_independent_computation(days, city, day):
    loaded, _ = days
    got = loaded[(city, day)].figures
    want = expected_figures(city, day)
    names, _ = _county_names(city)
    checked = 0
    for row in [*names, "合计"]:
        for figure in ["重点企业数", "已复工企业数", "员工总数", "在岗人数", "缺工人数", "缺工企业数",
                       "空岗_普工", "空岗_技工", "空岗_管理及专业技术", "空岗_其他", "当日解决_合计",
                       *sorted(set(CHANNEL.values())), "补报解决用工", "累计解决用工", "跨区域招聘需求人数"]:
            g = got.loc[row, figure]
            if math.isnan(g):  # the table was not sent that day: nothing to add up
                assert want.get(row, {}).get(figure, 0) == 0
                continue
            assert g == want.get(row, {}).get(figure, 0), (row, figure)
            checked += 1
    for figure in ["推送岗位数", "推送人次", "培训报名人数", "培训结业人数"]:
        if not math.isnan(got.loc["合计", figure]):
            assert got.loc["合计", figure] == want["合计"].get(figure, 0), figure
    t = want["合计"]
    assert got.loc["合计", "复工率"] == pytest.approx(round(100 * t["已复工企业数"] / t["重点企业数"], 1))
    assert got.loc["合计", "到岗率"] == pytest.approx(round(100 * t["在岗人数"] / t["员工总数"], 1))
    if "累计解决用工" in t:
        cum = t["累计解决用工"]
        assert got.loc["合计", "缺工解决率"] == pytest.approx(round(100 * cum / (cum + t["缺工人数"]), 1))
    assert checked > 100


def expected_help(city: str, day: str) -> dict[str, float]:
    """求助 figures of the day from the raw J rows: merged by 编号 over the folders up to the day
    (the newest folder's row wins), counted by the window (D−1 15:00, D 15:00]."""
    d = dt.date.fromisoformat(day)
    merged = {}
    for folder in sorted((SAMPLE / city).iterdir()):
        if dt.date.fromisoformat(folder.name) <= d:
            for r in ind.read_day(folder)["J"]:
                merged[str(r["编号"]).strip()] = r
    end = dt.datetime.combine(d, dt.time(15))
    start, before = end - dt.timedelta(days=1), end - dt.timedelta(days=2)
    got = {"求助受理件数": 0, "求助办结件数": 0, "求助到期件数": 0, "求助24小时办结件数": 0}
    for r in merged.values():
        rec, done = r["受理时间"], r.get("办结时间")
        got["求助受理件数"] += start < rec <= end
        got["求助办结件数"] += done is not None and start < done <= end
        if before < rec <= start:
            got["求助到期件数"] += 1
            got["求助24小时办结件数"] += done is not None and done - rec <= dt.timedelta(hours=24)
    return got


@pytest.mark.parametrize(("city", "day"), PICKS)
def test_help_figures_match_an_independent_computation(days, city, day):
    loaded, _ = days
    got = loaded[(city, day)].figures
    want = expected_help(city, day)
    for figure, n in want.items():
        assert got.loc["市本级", figure] == n == got.loc["合计", figure], figure
    rate = round(100 * want["求助24小时办结件数"] / want["求助到期件数"], 1) if want["求助到期件数"] else None
    assert (math.isnan(got.loc["合计", "24小时办结率"]) if rate is None else got.loc["合计", "24小时办结率"] == rate)
    assert want["求助受理件数"] > 0


def test_every_total_equals_the_sum_of_its_rows_in_every_file(days):
    _, out = days
    files = sorted(out.rglob("重点企业用工调度保障工作信息汇总表_*.xlsx"))
    assert len(files) == 88
    for path in files:
        ws = load_workbook(path, data_only=True)["汇总表"]
        rows = [[c.value for c in r] for r in ws.iter_rows()]
        label_col = 0
        total_i = next(i for i, r in enumerate(rows) if r[label_col] == "合计")
        first = next(i for i, r in enumerate(rows) if isinstance(r[label_col], str) and r[label_col].endswith(("区", "县", "市"))
                     and i > 2)
        body = rows[first:total_i]
        header_texts = [str(c) for r in rows[:first] for c in r if c]
        assert any("率" in h for h in header_texts)
        rate_cols = {j for r in rows[:first] for j, c in enumerate(r) if isinstance(c, str) and "率" in c}
        for j in range(1, len(rows[total_i])):
            if j in rate_cols:
                continue
            total = rows[total_i][j]
            parts = [r[j] for r in body if isinstance(r[j], int | float)]
            if isinstance(total, int | float):
                assert total == pytest.approx(sum(parts)), (path.name, j)
            else:
                assert total == "—" and parts == [], (path.name, j)
