"""劳务输出 (issue 19): destinations normalised, table O and outbound G cleaned, the 劳务输出 sheet,
定向招聘 (O × P) and the outbound vehicle plan — expected values worked out by hand from the rows."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
import yaml
from builders import A_HEADER, B_HEADER, O_HEADER, idno, ledger_rows, list_rows, write_day_csv
from openpyxl import load_workbook

from yonggong import match_rules, outbound, pipeline, products, selfcheck

CITY = "南昌"
DAY = dt.date(2020, 2, 25)


@pytest.mark.parametrize("written, province, city", [
    ("粤", "广东省", None),
    ("广东", "广东省", None),
    ("广东省", "广东省", None),
    ("广东省深圳市", "广东省", "深圳市"),
    ("深圳", "广东省", "深圳市"),
    ("深圳市", "广东省", "深圳市"),
    ("广东东莞", "广东省", "东莞市"),
    ("广东省东莞市", "广东省", "东莞市"),
    ("浙江省义乌市", "浙江省", "义乌市"),
    ("浙江 义乌", "浙江省", "义乌市"),
    ("福建", "福建省", None),
    ("广东省深圳市宝安区", "广东省", "深圳市"),
    ("深圳市宝安区", "广东省", "深圳市"),
    ("广东／佛山", "广东省", "佛山市"),
    ("上海", "上海市", None),
    ("广西南宁", "广西壮族自治区", "南宁市"),
])
def test_destinations_written_every_way_are_one_province_and_city(written, province, city):
    assert outbound.normalise(written) == (province, city)
    cleaned = outbound.canonical(written)
    assert cleaned == province + (city or "")
    assert outbound.province_of(cleaned) == province and outbound.city_of(cleaned) == city


@pytest.mark.parametrize("written", ["火星", "", None, "  ", "广东杭州"])  # 杭州 is in 浙江: not trusted
def test_unknown_destinations_are_none(written):
    assert outbound.normalise(written) is None and outbound.canonical(written) is None


# ---------------------------------------------------------------- a small inbox with table O


def _inbox(root, o_rows, extra=None):
    tables = {"A": [A_HEADER, *list_rows(2)], "B": [B_HEADER, *ledger_rows(2, DAY.isoformat())], "O": [O_HEADER, *o_rows]}
    write_day_csv(root, CITY, DAY.isoformat(), {**tables, **(extra or {})})
    return pipeline.load(root, CITY, DAY)


def test_table_o_is_cleaned_and_an_unknown_destination_is_an_error(tmp_path):
    cd = _inbox(tmp_path, [["甲", idno(1), "东湖区", "广东东莞", "否", None],
                           ["乙", idno(2), "新建县", "浙江省义乌市", "是", "2020-02-24"],  # former name of 新建区
                           ["丙", idno(3), "西湖区", "火星", "否", None]])  # row 4: 错误, not counted
    o = cd.tables["O"]
    assert sorted(o["意向输入地"].astype(str)) == ["广东省东莞市", "浙江省义乌市"]
    bad = cd.faults[(cd.faults["table"] == "O") & (cd.faults["level"] == "错误")]
    assert bad[["row", "column"]].values.tolist() == [[4, "意向输入地"]]
    assert "“火星”未能识别为省份或城市" in bad["problem"].iloc[0]
    assert cd.figures.loc["合计", "外出务工登记人数"] == 2  # 甲 乙
    assert cd.figures.loc["合计", "累计输出人数"] == 1  # 乙
    by_dest = cd.figures.loc["合计", [f"外出务工登记人数（{p}）" for p in ("广东省", "浙江省", "福建省", "其他省份")]]
    assert by_dest.tolist() == [1, 1, 0, 0]  # 甲 广东, 乙 浙江; 丙's unknown destination is not a registration
    assert cd.figures.loc["新建区", "外出务工登记人数"] == 1 and cd.figures.loc["东湖区", "外出务工登记人数"] == 1
    alias = cd.faults[(cd.faults["table"] == "O") & (cd.faults["column"] == "户籍县区")]
    assert alias["level"].tolist() == ["警告"] and alias["row"].tolist() == [3]


def test_by_destination_counts_each_person_once():
    reg = pd.DataFrame({"身份证号": ["1", "2", "3", "4", "5"],
                        "意向输入地": ["广东省东莞市", "广东省东莞市", "广东省", "浙江省义乌市", None],
                        "已出发": [True, False, True, None, True],
                        "出发日期": [DAY, None, dt.date(2020, 2, 26), None, None]})
    got = outbound.by_destination(reg, DAY)
    # 广东 3 (东莞 2: one gone; no city 1: leaves tomorrow, not gone yet) first; then 浙江 1, then 未识别 1
    assert got.values.tolist() == [
        ["广东省", "东莞市", 2, 1, 1], ["广东省", "（未写城市）", 1, 0, 1],
        ["浙江省", "义乌市", 1, 0, 1], ["（未识别）", "（未写城市）", 1, 1, 0], ["合计", "", 5, 2, 3]]


def test_targeted_recruitment_by_destination_post_and_skill():
    reg = pd.DataFrame({"姓名": ["甲", "乙", "丙", "丁"], "身份证号": ["1", "2", "3", "4"],
                        "意向输入地": ["广东省东莞市", "广东省", "浙江省", "广东省东莞市"],
                        "意向工种": ["操作工", "电焊工", None, "普工"],
                        "技能等级": [None, "初级工", None, None],
                        "已出发": [False, False, False, True]})  # 丁 has gone: not matched
    demand = pd.DataFrame({"输入地": ["广东省东莞市", "广东省深圳市", "广东省", "浙江省义乌市", "广东省东莞市"],
                           "企业名称": ["东莞甲厂", "深圳乙厂", "广东丙厂", "义乌丁厂", "东莞戊厂"],
                           "岗位": ["普工", "普工", "焊工", "包装工", "焊工"],
                           "人数": [50, 80, 10, 30, 5],
                           "技能要求": [None, None, "初级工", None, "中级工"]})
    got = outbound.targeted(reg, demand, top_n=3)
    pairs = got[["姓名", "企业名称", "推荐序号"]].values.tolist()
    # 甲 (东莞, 普工): 东莞甲厂 only — 深圳乙厂 is another city; 乙 (广东, 焊工, 初级工): 广东丙厂 (初级工),
    # not 东莞戊厂 (中级工); 丙 (浙江, any post): 义乌丁厂
    assert pairs == [["甲", "东莞甲厂", 1], ["乙", "广东丙厂", 1], ["丙", "义乌丁厂", 1]]


def test_outbound_plan_has_no_vehicle_under_the_minimum_load():
    cfg = match_rules.config()["transport"]  # one rule for inbound and outbound vehicles
    min_load, seats = int(cfg["min_load"]), int(cfg["bus_seats"])
    assert (min_load, seats) == (20, 45)  # the numbers this test is worked out for
    sizes = {("东湖区", "广东省东莞市"): 50, ("东湖区", "浙江省义乌市"): 19, ("西湖区", "广东省东莞市"): 20}
    rows = []
    for (home, dest), n in sizes.items():
        rows += [{"姓名": "某", "身份证号": f"{home}{dest}{i:03d}", "户籍县区": home, "意向输入地": dest,
                  "需要专车": True, "已出发": False, "计划出发日期": DAY} for i in range(n)]
    rows.append({"姓名": "某", "身份证号": "gone", "户籍县区": "东湖区", "意向输入地": "广东省东莞市",
                 "需要专车": True, "已出发": True, "计划出发日期": DAY})  # gone: not planned
    veh, riders, few = outbound.plan_trips(pd.DataFrame(rows), DAY)
    # 东湖→东莞 50: two buses of 25; 东湖→义乌 19 < 20: 零散; 西湖→东莞 20: one bus
    assert veh[["出发县区", "输入地", "人数"]].values.tolist() == [
        ["东湖区", "广东省东莞市", 25], ["东湖区", "广东省东莞市", 25], ["西湖区", "广东省东莞市", 20]]
    assert (veh["人数"] >= min_load).all() and (veh["人数"] <= veh["座位数"]).all()
    assert len(riders) == 70 and len(few) == 19 and set(few["意向输入地"]) == {"浙江省义乌市"}
    assert riders["身份证号"].is_unique and "gone" not in set(riders["身份证号"])


def test_products_carry_the_outbound_sheets_and_restricted_lists(tmp_path):
    o_rows = [[f"人{i}", idno(i), "东湖区", "广东东莞", "否", None] for i in range(1, 4)]
    p_header = ["输入地", "企业名称", "岗位", "人数"]
    cd = _inbox(tmp_path / "in", o_rows, {"P": [p_header, ["东莞", "东莞甲厂", "普工", 30]]})
    out = tmp_path / "out"
    products.write_all(cd, out)
    wb = load_workbook(out / f"工作底稿_{CITY}_20200225.xlsx")
    ws = wb["劳务输出"]
    assert [c.value for c in ws[3]] == ["广东省", "东莞市", 3, 0, 3]
    targeted = load_workbook(out / "restricted" / f"定向招聘名单_{CITY}_20200225.xlsx").active
    body = [[c.value for c in row] for row in targeted.iter_rows(min_row=3)]
    assert len(body) == 3 and {r[1] for r in body} == {idno(1), idno(2), idno(3)}
    # the brief and 附件3 say it, and the self-check reads every number back against the figures
    selfcheck.city(cd, out)
    html = (out / f"工作简报_{CITY}_20200225.html").read_text(encoding="utf-8")
    assert '全市外出务工登记<span class="fig" data-fig="外出务工登记人数" data-row="合计">3</span>人' in html
    assert "<td>广东省</td>" in html
    para = " ".join(str(c.value) for row in load_workbook(out / f"每日进展情况_{CITY}_20200225.xlsx").active.iter_rows()
                    for c in row if c.value)
    assert "外出务工登记3人，累计输出0人，当日输出0人" in para
    # no ID number outside restricted/
    for p in out.rglob("*.xlsx"):
        if "restricted" in p.parts:
            continue
        text = " ".join(str(c.value) for ws in load_workbook(p).worksheets for row in ws.iter_rows() for c in row)
        assert idno(1) not in text, p.name


# ---------------------------------------------------------------- the sample: 赣州, a city that sends workers out


# destination words of the sample's written forms → province (worked out by hand, not by outbound)
_BY_HAND = [(("广东", "粤", "深圳", "东莞", "广州", "佛山", "中山"), "广东省"), (("浙江", "义乌", "宁波"), "浙江省"),
            (("福建", "泉州", "晋江"), "福建省"), (("上海",), "上海市"), (("江苏", "苏州"), "江苏省")]


def _former_names() -> dict[str, str]:
    """Former county names → today's, from the contract file (params/county_aliases.csv)."""
    import csv

    from yonggong import paths

    codes = {}
    with (paths.PARAMS_DIR / "counties.csv").open(encoding="utf-8") as fh:
        codes = {r["code"]: r["name"] for r in csv.DictReader(fh)}
    with (paths.PARAMS_DIR / "county_aliases.csv").open(encoding="utf-8") as fh:
        return {r["alias"]: codes[r["code"]] for r in csv.DictReader(fh) if r["code"]}


@pytest.mark.e2e
def test_a_sample_day_of_ganzhou_against_a_hand_count_of_its_files(sample_inbox, tmp_path):
    import independent as ind

    from yonggong import paths

    city, day = "赣州", dt.date(2020, 2, 26)
    people: dict[str, dict] = {}  # ID → newest row (folders in date order, rows in file order)
    trips = people_out = 0
    for folder in sorted((sample_inbox / city).iterdir()):
        if dt.date.fromisoformat(folder.name) > day:
            continue
        tables = ind.read_day(folder)
        for r in tables.get("O", []):
            people[ind.code_of(r["身份证号"])] = r
        if folder.name == day.isoformat():
            for r in tables.get("G", []):
                if str(r.get("方向") or "").strip() == "输出" and ind.day_of(r["日期"], 2020) == day:
                    trips += int(ind.num(r.get("趟次")) or 1)
                    people_out += int(ind.num(r["运送人数"]))
    former = _former_names()
    gone = [r for r in people.values() if ind.yes(r["已出发"])]
    left_today = [r for r in gone if ind.day_of(r["出发日期"], 2020) == day]
    left_by_day = [r for r in gone if r["出发日期"] in (None, "") or ind.day_of(r["出发日期"], 2020) <= day]
    yudu = sum(1 for r in people.values() if former.get(r["户籍县区"], r["户籍县区"]) == "于都县")
    assert len(people) > 500 and trips > 0 and len(left_today) > 0  # the sample carries 劳务输出 to count

    dest = {}  # destination province by hand, from the forms the sample writes (an unknown form fails here)
    for r in people.values():
        written = str(r["意向输入地"])
        prov = next(p for keys, p in _BY_HAND if any(k in written for k in keys))
        dest[prov] = dest.get(prov, 0) + 1
    by_province = [dest.get(p, 0) for p in ("广东省", "浙江省", "福建省", "上海市", "江苏省")]
    by_province.append(len(people) - sum(by_province))
    assert dest["广东省"] > dest["浙江省"] > 0

    cd = pipeline.load(sample_inbox, city, day)
    t = cd.figures.loc["合计"]
    assert (t["外出务工登记人数"], t["当日输出人数"], t["累计输出人数"]) == (len(people), len(left_today), len(left_by_day))
    assert (t["点对点输出趟次"], t["点对点输出人数"]) == (trips, people_out)
    assert cd.figures.at["于都县", "外出务工登记人数"] == yudu

    out = tmp_path / "out"
    products.write_all(cd, out)
    selfcheck.city(cd, out)
    sheet = load_workbook(out / f"工作底稿_{city}_20200226.xlsx")["劳务输出"]
    total = [[c.value for c in row] for row in sheet.iter_rows(min_row=3) if row[0].value == "合计"][0]
    assert total[2:] == [len(people), len(left_by_day), len(people) - len(left_by_day)]
    plan = load_workbook(out / f"工作底稿_{city}_20200226.xlsx")["外出专车计划"]
    loads = [row[6].value for row in plan.iter_rows(min_row=3) if row[0].value and row[0].value != "（当日无）"]
    min_load = int(yaml.safe_load((paths.PARAMS_DIR / "match.yaml").read_text(encoding="utf-8"))["transport"]["min_load"])
    assert loads and min(loads) >= min_load
    assert (out / "restricted" / f"定向招聘名单_{city}_20200226.xlsx").is_file()
    html = (out / f"工作简报_{city}_20200226.html").read_text(encoding="utf-8")
    assert f'data-fig="外出务工登记人数" data-row="合计">{len(people):,}</span>' in html
    # the filed workbook: 汇总表, then 劳务输出 (by county and destination province), then 指标说明
    filed = load_workbook(out / f"重点企业用工调度保障工作信息汇总表_{city}_20200226.xlsx")
    assert filed.sheetnames == ["汇总表", "劳务输出", "指标说明"]
    row = [[c.value for c in r] for r in filed["劳务输出"].iter_rows(min_row=6) if r[0].value == "合计"][0]
    hand = [len(people), *by_province, len(left_today), len(left_by_day), trips, people_out]
    assert row[1:] == hand
    # the province's roll-up of the sample day: 赣州's row is the same hand count
    from yonggong import province

    pday = province.day.load(day, sample_inbox, outputs=tmp_path / "province-out")
    keys = ["外出务工登记人数", *[f"外出务工登记人数（{p}）" for p in ("广东省", "浙江省", "福建省", "上海市", "江苏省", "其他省份")],
            "当日输出人数", "累计输出人数", "点对点输出趟次", "点对点输出人数"]
    assert pday.figures.loc["赣州市", keys].tolist() == hand
    para = " ".join(str(c.value) for row in load_workbook(out / f"每日进展情况_{city}_20200226.xlsx").active.iter_rows()
                    for c in row if c.value)
    assert f"外出务工登记{len(people):,}人，累计输出{len(left_by_day):,}人，当日输出{len(left_today):,}人" in para


# ---------------------------------------------------------------- the province's roll-up


def _filed(path, city_name: str, outbound_rows: dict[str, list[float]] | None, layout=None) -> None:
    """A city's filed workbook: the 汇总表 of a consistent frame and, with ``outbound_rows``
    (county → the 劳务输出 figures in the layout's order, other rows 0), its 劳务输出 sheet."""
    from test_province import D, city_frame, set_mtime

    from yonggong import forms, forms_write
    from yonggong.reference import resolve_city

    frame = city_frame(city_name)
    keys = forms.plan_of(forms.load_layout("laowushuchu")).figures
    if outbound_rows is not None:
        frame[keys] = 0.0
        for county, values in outbound_rows.items():
            frame.loc[county, keys] = values
        frame.loc["合计", keys] = frame.drop(index="合计")[keys].sum()
    city = resolve_city(city_name)
    meta = {"city_full": city.full_name, "bureau": city.bureau, "date": D, "filler": "张三", "reviewer": "",
            "phone": "0791-86000000", "submitted": ""}
    path.parent.mkdir(parents=True, exist_ok=True)
    companions = () if outbound_rows is None else (layout or "laowushuchu",)
    forms_write.write_huizongbiao(path, frame, meta, companions=companions)
    set_mtime(path, dt.datetime.combine(D, dt.time(11, 0)))


def test_the_province_rolls_up_the_outbound_sheets_by_city_and_destination(tmp_path):
    from test_province import D

    from yonggong import forms, province
    from yonggong.province import verify as province_check

    folder = tmp_path / "inbox" / "province" / D.isoformat()
    # 登记, 广东 浙江 福建 上海 江苏 其他, 当日输出, 累计输出, 趟次, 人数
    _filed(folder / "赣州.xlsx", "赣州", {"章贡区": [10, 6, 2, 1, 0, 0, 1, 2, 5, 1, 30],
                                        "于都县": [20, 15, 0, 3, 0, 2, 0, 4, 8, 0, 0]})
    _filed(folder / "上饶.xlsx", "上饶", {"信州区": [7, 4, 3, 0, 0, 0, 0, 1, 2, 0, 0]})
    _filed(folder / "南昌.xlsx", "南昌", None)  # no 劳务输出 sheet: "—", not 0
    bad = forms.load_layout("laowushuchu")
    bad["title"]["text"] = "外出务工情况"  # not the layout: a note, the 汇总表 still taken
    _filed(folder / "宜春.xlsx", "宜春", {"袁州区": [9, 9, 0, 0, 0, 0, 0, 0, 9, 0, 0]}, layout=bad)

    pday = province.day.load(D, tmp_path / "inbox", outputs=tmp_path / "nothing")
    f = pday.figures
    assert f.loc["赣州市", ["外出务工登记人数", "外出务工登记人数（广东省）", "外出务工登记人数（其他省份）",
                         "累计输出人数", "点对点输出人数"]].tolist() == [30, 21, 1, 13, 30]
    assert f.loc["上饶市", ["外出务工登记人数", "外出务工登记人数（浙江省）"]].tolist() == [7, 3]
    assert pd.isna(f.loc["南昌市", "外出务工登记人数"]) and pd.isna(f.loc["宜春市", "外出务工登记人数"])
    t = pday.totals
    assert t[["外出务工登记人数", "外出务工登记人数（广东省）", "外出务工登记人数（浙江省）", "外出务工登记人数（福建省）",
              "外出务工登记人数（江苏省）", "外出务工登记人数（其他省份）", "当日输出人数", "累计输出人数",
              "点对点输出趟次"]].tolist() == [37, 25, 5, 4, 2, 1, 7, 15, 1]
    status = pday.completeness.set_index("设区市")["状态"]
    assert status["宜春市"] == "按时" and status["赣州市"] == "按时"
    note = pday.problems[pday.problems["检查"] == "劳务输出"]
    assert note[["设区市", "处理"]].values.tolist() == [["宜春市", "提醒"]]
    assert "外出务工情况" not in note["说明"].iloc[0] and "劳务输出情况表" in note["说明"].iloc[0]

    out = tmp_path / "out"
    province.write.write_all(pday, out)
    assert province_check.check(pday, out).passed
    book = load_workbook(out / province.common.names(D)["huizongbiao"])
    assert book.sheetnames[:2] == ["汇总表", "劳务输出"]
    rows = {r[0].value: [c.value for c in r[1:]] for r in book["劳务输出"].iter_rows(min_row=6) if r[0].value}
    assert rows["赣州市"] == [30, 21, 2, 4, 0, 2, 1, 6, 13, 1, 30]
    assert rows["南昌市"] == ["—"] * 11 and rows["九江市"] == ["未报送"] * 11
    assert rows["全省合计"][:2] == [37, 25]
    html = (out / province.common.names(D)["brief"]).read_text(encoding="utf-8")
    assert 'data-fig="外出务工登记人数" data-row="全省合计">37</span>' in html
    assert "赣州市、上饶市报送了劳务输出情况" in html
