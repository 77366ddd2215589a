"""From figures to action (issue 8): 精准推送, 余缺调剂, 专车专列, 培训缺口 on fixtures built here.

The push is checked three ways: hand-made cases (hard rules, nobody admissible, ranking), a
brute-force cross product on random fixtures (the keyed join with its pruned candidates must give
exactly the same lists and counts), and a moderate-scale run whose timings are printed.
"""

from __future__ import annotations

import datetime as dt
import math
import time

import numpy as np
import pandas as pd
import pytest
from conftest import SAMPLE

from yonggong import match, match_push, match_rules, reference

SKILLS = ["无", "初级工", "中级工", "高级工", "技师", "高级技师", "专业技术"]
ORDER = {s: i for i, s in enumerate(SKILLS[:6])}


def vac(rows: list[tuple]) -> pd.DataFrame:
    """Vacancy rows: (code, name, county, 岗位名称, 缺工人数, 技能要求, 月薪下限, 月薪上限[, 职业编码])."""
    out = []
    for r in rows:
        code, name, county, job, n, skill, low, high = r[:8]
        out.append({"统一社会信用代码": code, "企业名称": name, "县区": county, "岗位名称": job, "缺工人数": n,
                    "技能要求": skill, "月薪下限": low, "月薪上限": high, "职业编码": r[8] if len(r) > 8 else None,
                    "专员手机": "0791-86000000"})
    return pd.DataFrame(out)


def seek(rows: list[tuple]) -> pd.DataFrame:
    """Seeker rows: (id, county, 意向岗位 tuple, 技能等级, 期望月薪[, 已就业])."""
    out = []
    for r in rows:
        sid, county, jobs, skill, wage = r[:5]
        out.append({"姓名": f"求职{sid}", "身份证号": sid, "手机号": "13900000000", "县区": county,
                    "意向岗位": tuple(jobs), "技能等级": skill, "期望月薪": wage,
                    "已就业": r[5] if len(r) > 5 else False})
    return pd.DataFrame(out)


def pushed(res: match_push.Push) -> dict[str, list[tuple[str, str]]]:
    """Seeker id → [(企业名称, 岗位名称)] in rank order."""
    out: dict[str, list] = {}
    for r in res.push.sort_values(["身份证号", "推荐序号"]).itertuples():
        out.setdefault(r.身份证号, []).append((r.企业名称, r.岗位名称))
    return out


# ------------------------------------------------------------------ names and skills


def test_normalise_job_synonyms_width_spaces_and_codes():
    assert match_rules.normalise_job("普工") == match_rules.normalise_job("操作工") == match_rules.normalise_job("生产工") == "普工"
    assert match_rules.normalise_job(" 操 作 工 ") == "普工"
    assert match_rules.normalise_job("ＣＮＣ操作工") == "数控操作工"  # full width, case
    assert match_rules.normalise_job("电焊工（6-18-02-04）") == "焊工"
    assert match_rules.normalise_job("口罩机操作") == "口罩机操作工"  # table I writes it without 工
    assert match_rules.normalise_job("6-31-01-03") == "电工"  # a bare listed code
    assert match_rules.normalise_job("育婴员") == "育婴员"  # in no group: itself
    assert match_rules.normalise_job(None) == ""
    assert match_rules.job_key("设备电工", "6310103") == ("电工", "6-31-01-03")  # unknown name, listed code
    assert match_rules.job_key("维修电工") == ("电工", None)
    assert match_rules.normalise_code("６-31-01-03") == "6-31-01-03" and match_rules.normalise_code("普工") is None


def test_skill_rule():
    code = match_rules.skill_code
    assert match_rules.skill_meets(code("中级工"), code("初级工"))
    assert match_rules.skill_meets(code("中级工"), code("中级工"))
    assert not match_rules.skill_meets(code("初级工"), code("中级工"))
    assert match_rules.skill_meets(code(None), code("无")) and match_rules.skill_meets(code(None), code(None))
    assert not match_rules.skill_meets(code(None), code("初级工"))  # a blank level proves nothing
    assert match_rules.skill_meets(code("专业技术"), code("专业技术"))
    assert match_rules.skill_meets(code("专业技术"), code("无"))
    assert not match_rules.skill_meets(code("专业技术"), code("初级工"))
    assert not match_rules.skill_meets(code("高级技师"), code("专业技术"))


# ------------------------------------------------------------------ 精准推送: hand cases


def test_every_pair_obeys_the_hard_rules_and_nobody_admissible_gets_nothing():
    v = vac([
        ("U1", "甲厂", "东湖区", "普工", 10, "无", 3500, 5000),
        ("U2", "乙厂", "西湖区", "电工", 5, "中级工", 5000, 7000, "6-31-01-03"),
        ("U3", "丙厂", "东湖区", "技术员", 2, "专业技术", 6000, 9000),
        ("U4", "丁厂", "东湖区", "焊工", 3, "中级工", None, None),
    ])
    s = seek([
        ("S1", "东湖区", ["操作工"], "无", 4800),           # 普工 via synonym, wage ok
        ("S2", "东湖区", ["操作工"], "无", 5200),           # wants more than 普工's 上限: nothing
        ("S3", "西湖区", ["电工"], "初级工", 4000),          # skill too low: nothing
        ("S4", "西湖区", ["电工（6-31-01-09）"], "高级工", None),  # a different code: nothing
        ("S5", "西湖区", ["维修电工"], "高级工", None),        # synonym, level above: 乙厂
        ("S6", "东湖区", ["技术员", "焊工"], "专业技术", 20000),  # 技术员 above wage; 焊工 needs 中级工
        ("S7", "东湖区", ["焊工"], "技师", 20000),           # 焊工 wage unknown: admissible
        ("S8", "东湖区", ["普工"], "无", 3000, True),        # employed: not in the pool
        ("S9", "东湖区", ["厨师"], "无", None),              # no vacancy of the occupation
    ])
    res = match_push.match_seekers(s, v)
    got = pushed(res)
    assert got == {"S1": [("甲厂", "普工")], "S5": [("乙厂", "电工")], "S7": [("丁厂", "焊工")]}
    assert list(res.push.columns) == match_push.PUSH_COLUMNS
    per = res.per_vacancy.set_index("企业名称")
    assert per.loc["甲厂", "匹配求职人数"] == 1 and per.loc["丙厂", "匹配求职人数"] == 0
    assert per.loc["乙厂", "推送人数"] == 1
    assert res.share == 75.0
    row = res.push[res.push["身份证号"] == "S1"].iloc[0]
    assert row["联系电话"] == "0791-86000000" and row["同县区"] == "是" and row["月薪"] == "3500-5000"


def test_ranking_same_county_first_then_wage_then_shortage_then_code():
    v = vac([
        ("U1", "远高薪", "西湖区", "普工", 5, "无", 6000, 9000),
        ("U2", "近低薪", "东湖区", "普工", 5, "无", 3000, 4000),
        ("U3", "近高薪", "东湖区", "普工", 5, "无", 4000, 6000),
        ("U4", "近高薪缺多", "东湖区", "普工", 50, "无", 4000, 6000),
        ("U0", "近高薪缺多同", "东湖区", "普工", 50, "无", 4000, 6000),
        ("U5", "远更高薪", "南昌县", "普工", 1, "无", None, 9500),
        ("U6", "远下限", "南昌县", "普工", 1, "无", 8000, None),
    ])
    s = seek([("A", "东湖区", ["普工"], "无", None), ("B", "青山湖区", ["普工"], "无", None),
              ("C", "东湖区", ["普工"], "无", 8500)])
    got = pushed(match_push.match_seekers(s, v, top_n=3))
    # same county first; equal wage → larger shortage; equal shortage → credit code U0 before U4
    assert got["A"] == [("近高薪缺多同", "普工"), ("近高薪缺多", "普工"), ("近高薪", "普工")]
    # nobody is local: wage order, 上限 first and 下限 when 上限 is blank
    assert got["B"] == [("远更高薪", "普工"), ("远高薪", "普工"), ("远下限", "普工")]
    # 期望月薪 8500: the local ones pay too little; 远下限 has no 上限 so the wage rule does not apply
    assert got["C"] == [("远更高薪", "普工"), ("远高薪", "普工"), ("远下限", "普工")]
    res = match_push.match_seekers(s, v, top_n=3)
    assert set(res.push[res.push["身份证号"] == "A"]["同县区"]) == {"是"}


# ------------------------------------------------------------------ brute-force reference


def random_fixture(seed: int, n_seekers: int, n_vacancies: int, n_firms: int | None = None):
    """Random seekers and vacancies over a few counties, jobs (with synonyms and codes), levels
    and wages, blanks included."""
    rng = np.random.default_rng(seed)
    counties = ["东湖区", "西湖区", "青山湖区", "南昌县", "进贤县"]
    jobs = ["普工", "操作工", "流水线操作工", "电工", "维修电工", "焊工", "技术员", "包装工", "叉车工", "保安", "育婴员"]
    codes = [None, None, None, "6-31-01-03", "6-31-01-09"]
    n_firms = n_firms or max(3, n_vacancies // 3)
    firm_county = rng.integers(0, len(counties), n_firms)
    vrows, seen = [], set()
    while len(vrows) < n_vacancies:
        f = int(rng.integers(0, n_firms))
        j = jobs[int(rng.integers(0, len(jobs)))]
        if (f, j) in seen:
            continue
        seen.add((f, j))
        low = float(rng.integers(30, 60) * 100) if rng.random() < 0.85 else None
        high = (low or 3000) + float(rng.integers(0, 30) * 100) if rng.random() < 0.8 else None
        vrows.append((f"U{f:05d}", f"企业{f}", counties[firm_county[f]], j, int(rng.integers(1, 6)),
                      SKILLS[int(rng.integers(0, 7))] if rng.random() < 0.9 else None, low, high,
                      codes[int(rng.integers(0, len(codes)))] if j in ("电工", "维修电工") else None))
    srows = []
    for i in range(n_seekers):
        k = int(rng.integers(1, 4))
        wanted = [jobs[int(x)] for x in rng.integers(0, len(jobs), k)]
        if rng.random() < 0.1:
            wanted.append("电工（6-31-01-03）")
        srows.append((f"S{i:06d}", counties[int(rng.integers(0, len(counties)))], wanted,
                      SKILLS[int(rng.integers(0, 7))] if rng.random() < 0.85 else None,
                      float(rng.integers(25, 80) * 100) if rng.random() < 0.8 else None, bool(rng.random() < 0.1)))
    return seek(srows), vac(vrows)


def _ok(x) -> bool:
    return x is not None and not (isinstance(x, float) and math.isnan(x))


def admissible(s: dict, v: dict) -> bool:
    """The hard rules, written out plainly for one pair."""
    vjob, vcode = match_rules.job_key(v["岗位名称"], v["职业编码"])
    job_ok = False
    for t in s["意向岗位"]:
        sjob, scode = match_rules.job_key(t)
        if sjob == vjob and (scode is None or vcode is None or scode == vcode):
            job_ok = True
    req, lvl = v["技能要求"], s["技能等级"]
    if not _ok(req) or req == "无":
        skill_ok = True
    elif req == "专业技术":
        skill_ok = lvl == "专业技术"
    else:
        skill_ok = _ok(lvl) and lvl in ORDER and ORDER[lvl] >= ORDER[req]
    wage_ok = not (_ok(s["期望月薪"]) and _ok(v["月薪上限"])) or s["期望月薪"] <= v["月薪上限"]
    return job_ok and skill_ok and wage_ok


def brute_force(seekers: pd.DataFrame, vacancies: pd.DataFrame, top_n: int = 3):
    vs = vacancies.to_dict("records")
    counts = [0] * len(vs)
    lists = {}
    for s in seekers.to_dict("records"):
        if s["已就业"]:
            continue
        ok = []
        for i, v in enumerate(vs):
            if admissible(s, v):
                counts[i] += 1
                wage = v["月薪上限"] if _ok(v["月薪上限"]) else v["月薪下限"]
                ok.append(((v["县区"] != s["县区"]), -(wage if _ok(wage) else -math.inf), -v["缺工人数"],
                           v["统一社会信用代码"], v["岗位名称"], i))
        ok.sort()
        if ok:
            lists[s["身份证号"]] = [(vs[k[-1]]["企业名称"], vs[k[-1]]["岗位名称"]) for k in ok[:top_n]]
    return lists, counts


@pytest.mark.parametrize("seed,top_n,n_vac,n_firms", [(1, 3, 120, 40), (2, 3, 120, 40), (3, 1, 120, 40),
                                                       (4, 5, 120, 40), (5, 3, 300, 30), (6, 2, 40, 8)])
def test_keyed_join_equals_the_brute_force_cross_product(seed, top_n, n_vac, n_firms):
    # few firms and counties, many vacancies per occupation: the pruning is what is tested
    seekers, vacancies = random_fixture(seed, 400, n_vac, n_firms=n_firms)
    if seed % 2:  # intentions as the raw text of the column, not yet split
        seekers["意向岗位"] = seekers["意向岗位"].map("、".join)
    res = match_push.match_seekers(seekers, vacancies, top_n=top_n)
    if seed % 2:
        seekers["意向岗位"] = seekers["意向岗位"].map(lambda t: tuple(t.split("、")))
    lists, counts = brute_force(seekers, vacancies, top_n)
    assert pushed(res) == lists
    shuffled = match_push.match_seekers(seekers.sample(frac=1, random_state=seed),
                                   vacancies.sample(frac=1, random_state=seed), top_n=top_n)
    assert pushed(shuffled) == lists  # row order does not matter
    per = res.per_vacancy.set_index(["企业名称", "岗位名称"])["匹配求职人数"]
    want = {(v["企业名称"], v["岗位名称"]): c for v, c in zip(vacancies.to_dict("records"), counts, strict=True)}
    assert per.to_dict() == want
    assert res.share == round(sum(c > 0 for c in counts) / len(counts) * 100, 1)
    # every pushed pair obeys the hard rules
    vrec = {(v["企业名称"], v["岗位名称"]): v for v in vacancies.to_dict("records")}
    srec = {s["身份证号"]: s for s in seekers.to_dict("records")}
    for r in res.push.itertuples():
        assert admissible(srec[r.身份证号], vrec[(r.企业名称, r.岗位名称)])


def test_moderate_scale_runs_keyed_and_prints_timings(capsys):
    seekers, vacancies = random_fixture(7, 20_000, 5_000)
    t0 = time.perf_counter()
    res = match_push.match_seekers(seekers, vacancies)
    took = time.perf_counter() - t0
    with capsys.disabled():
        print(f"\n[match] {len(seekers):,} seekers × {len(vacancies):,} vacancy rows: {took:.2f} s, "
              f"{len(res.push):,} pushes, share {res.share}%")
    assert res.push.groupby("身份证号").size().max() <= 3
    assert len(res.per_vacancy) == len(vacancies)


def test_no_seekers_or_no_vacancies():
    seekers, vacancies = random_fixture(5, 20, 10)
    empty = match_push.match_seekers(seekers.iloc[:0], vacancies)
    assert empty.push.empty and (empty.per_vacancy["匹配求职人数"] == 0).all() and empty.share == 0.0
    none = match_push.match_seekers(seekers, vacancies.iloc[:0])
    assert none.push.empty and none.per_vacancy.empty and math.isnan(none.share)


# ------------------------------------------------------------------ 余缺调剂


def ledger(rows: list[tuple]) -> pd.DataFrame:
    """(code, county, category, 缺工人数, 富余人数[, 报送状态])."""
    return pd.DataFrame([{"统一社会信用代码": r[0], "企业名称": f"{r[0]}公司", "县区": r[1], "企业类别": r[2],
                          "缺工人数": r[3], "富余人数": r[4], "报送状态": r[5] if len(r) > 5 else "已报送"}
                         for r in rows])


def test_share_suggestions_same_county_then_category_then_city():
    led = ledger([
        ("L1", "东湖区", "甲类", 0, 10),
        ("L2", "西湖区", "乙类", 0, 6),
        ("L3", "南昌县", "丙类", 0, 5),
        ("B1", "东湖区", "乙类", 4, 0),    # same county as L1
        ("B2", "进贤县", "乙类", 8, 0),    # same category as L2
        ("B3", "进贤县", "丁类", 20, 0),   # neither: gets the rest
        ("X1", "东湖区", "甲类", 9, 9),    # surplus = shortage: neither lends nor borrows
        ("N1", "东湖区", "甲类", 0, 50, "未报送"),  # not reported: ignored
    ])
    got = match.share_suggestions(led)
    rows = [(r.调出企业, r.调入企业, r.建议人数, r.依据) for r in got.itertuples()]
    assert rows == [("L1公司", "B1公司", 4, "同县区"), ("L2公司", "B2公司", 6, "同类别"),
                    ("L1公司", "B3公司", 6, "同市"), ("L3公司", "B3公司", 5, "同市")]
    assert list(got.columns) == match.SHARE_COLUMNS


@pytest.mark.parametrize("seed", range(5))
def test_share_never_lends_more_than_surplus_nor_fills_more_than_shortage(seed):
    rng = np.random.default_rng(seed)
    n = 60
    led = ledger([(f"E{i:03d}", ["东湖区", "西湖区", "南昌县"][int(rng.integers(0, 3))],
                   ["甲类", "乙类"][int(rng.integers(0, 2))],
                   int(rng.integers(0, 20)) if rng.random() < 0.6 else 0,
                   int(rng.integers(0, 15)) if rng.random() < 0.4 else 0) for i in range(n)])
    got = match.share_suggestions(led)
    assert got.equals(match.share_suggestions(led.sample(frac=1, random_state=seed)))  # order-free
    net = (led["富余人数"] - led["缺工人数"]).set_axis(led["企业名称"])
    lent = got.groupby("调出企业")["建议人数"].sum()
    taken = got.groupby("调入企业")["建议人数"].sum()
    assert all(lent[e] <= net[e] for e in lent.index)
    assert all(taken[e] <= -net[e] for e in taken.index)
    assert not set(lent.index) & set(taken.index)
    assert (got["建议人数"] > 0).all()
    assert lent.sum() == min(net[net > 0].sum(), -net[net < 0].sum())  # the city pass pairs what is left
    county = dict(zip(led["企业名称"], led["县区"], strict=True))
    cat = dict(zip(led["企业名称"], led["企业类别"], strict=True))
    for r in got.itertuples():
        if r.依据 == "同县区":
            assert county[r.调出企业] == county[r.调入企业]
        elif r.依据 == "同类别":
            assert cat[r.调出企业] == cat[r.调入企业] and county[r.调出企业] != county[r.调入企业]
    # the county pass exhausts pairs within a county before other passes run
    after_county = got[got["依据"] == "同县区"]
    left_give = net.clip(lower=0) - after_county.groupby("调出企业")["建议人数"].sum().reindex(net.index, fill_value=0)
    left_need = (-net).clip(lower=0) - after_county.groupby("调入企业")["建议人数"].sum().reindex(net.index,
                                                                                               fill_value=0)
    for c in set(county.values()):
        names = [e for e in net.index if county[e] == c]
        assert not (left_give[names].sum() > 0 and left_need[names].sum() > 0)


# ------------------------------------------------------------------ 专车专列


def workers(rows: list[tuple]) -> pd.DataFrame:
    """(id, 出发地, 返岗企业, 计划返岗日期, 需要专车, 已到岗)."""
    return pd.DataFrame([{"姓名": f"工{r[0]}", "身份证号": r[0], "手机号": "13700000000", "出发地": r[1],
                          "返岗企业": r[2], "计划返岗日期": r[3], "需要专车": r[4], "已到岗": r[5]} for r in rows])


DAY = dt.date(2020, 3, 1)


def test_vehicles_windows_buses_and_trains():
    d = lambda k: DAY + dt.timedelta(days=k)  # noqa: E731
    rows = [(f"A{i:03d}", "湖南省邵阳市邵东县" if i % 2 else "湖南省邵阳市", "U1", d(i % 3), True, False)
            for i in range(100)]                                   # 100 in one window of 3 days
    rows += [(f"B{i:03d}", "湖南省邵阳市", "U2", d(5), True, False) for i in range(7)]    # a later window
    rows += [(f"C{i:03d}", "四川省达州市", "U1", d(0), True, False) for i in range(130)]  # a train
    rows += [("D1", "江西省九江市", "U1", d(-2), True, False),          # overdue: leaves on the day, alone
             ("D2", "江西省九江市", "U1", d(0), True, True),            # on post: no seat
             ("D3", "江西省九江市", "U1", d(0), False, False),          # no transport needed
             ("D4", "江西省九江市", "U1", None, True, False)]           # no planned day
    firms = pd.DataFrame({"统一社会信用代码": ["U1", "U2"], "企业名称": ["甲厂", "乙厂"], "县区": ["东湖区", "西湖区"]})
    veh, people, few = match.plan_vehicles(workers(rows), DAY, seats=45, window_days=3, train_threshold=120,
                                           train_capacity=100, min_load=5, enterprises=firms)
    got = [(r.编号, r.方式, r.出发地, r.计划日期, r.人数) for r in veh.itertuples()]
    # 达州 130 ≥ 120: two trains of 65; 九江 1 < 5: no vehicle; 邵阳 100 in days 0–2: three buses
    # (34, 33, 33, the 34 carrying every day-0 worker); 邵阳 day 5 is a new window: one bus of 7
    assert got == [("ZL001", "专列", "四川省达州市", d(0), 65), ("ZL002", "专列", "四川省达州市", d(0), 65),
                   ("ZC001", "专车", "湖南省邵阳市", d(0), 34), ("ZC002", "专车", "湖南省邵阳市", d(1), 33),
                   ("ZC003", "专车", "湖南省邵阳市", d(2), 33), ("ZC004", "专车", "湖南省邵阳市", d(5), 7)]
    assert set(veh.loc[veh["方式"] == "专车", "座位数"]) == {45}
    assert veh.iloc[2]["上车地点"] == "湖南省邵阳市、湖南省邵阳市邵东县"
    assert veh.iloc[5]["目的企业"] == "乙厂" and veh.iloc[5]["目的县区"] == "西湖区"
    assert sorted(people["身份证号"]) == sorted(r[0] for r in rows[:-4])
    assert few["身份证号"].tolist() == ["D1"] and few["建议"].iloc[0].startswith("人数不足一车")
    # the lists name the enterprise, the credit code beside it
    assert set(zip(people["返岗企业"], people["统一社会信用代码"], strict=True)) == {("甲厂", "U1"), ("乙厂", "U2")}
    assert list(veh.columns) == match.VEHICLE_COLUMNS


def test_eighty_nine_people_from_eleven_origins_get_no_small_vehicle_and_no_trip_inside_the_city():
    """The issue's case: 89 returning workers to 南昌 from 11 origins, all on one day. Only 邵阳
    (25 ≥ the minimum load of 20) fills a bus; 南昌 itself (21, written four ways) gets no vehicle
    however many; the nine other origins (43 people, each under 20) are 零散."""
    nanchang = next(c for c in reference.cities() if c.name == "南昌")
    sizes = [("湖南省邵阳市", 25), ("江西省南昌市", 9), ("江西省南昌市新建区", 6), ("南昌市西湖区", 3), ("进贤县", 3),
             ("湖南省衡阳市", 12), ("江西省九江市", 8), ("安徽省阜阳市", 7), ("河南省信阳市", 5), ("四川省广安市", 4),
             ("湖北省黄冈市", 3), ("广东省梅州市", 2), ("福建省龙岩市", 1), ("贵州省遵义市", 1)]
    rows = [(f"{k:02d}{i:02d}", origin, "U1", DAY, True, False) for k, (origin, n) in enumerate(sizes) for i in range(n)]
    assert len(rows) == 89 and len({match.origin_group(o) for o, _ in [sizes[0], *sizes[5:]]} | {"南昌"}) == 11
    firms = pd.DataFrame({"统一社会信用代码": ["U1"], "企业名称": ["甲厂"], "县区": ["东湖区"]})
    veh, people, few = match.plan_vehicles(workers(rows), DAY, enterprises=firms, city=nanchang)
    assert veh[["出发地", "人数", "座位数"]].values.tolist() == [["湖南省邵阳市", 25, 45]]
    assert (veh["人数"] >= 20).all() and len(people) == 25
    local = few[few["建议"].str.startswith("市内返岗")]
    assert len(local) == 21 and len(few) == 89 - 25
    assert not any(match.is_local(o, nanchang) for o in people["出发地"])
    assert not veh["出发地"].str.contains("南昌").any()


@pytest.mark.parametrize("seed", range(4))
def test_every_eligible_worker_rides_once_or_is_listed_and_no_vehicle_is_over_capacity_or_under_the_minimum(seed):
    rng = np.random.default_rng(seed)
    origins = ["湖南省邵阳市", "湖南省邵阳市邵东县", "四川省达州市", "河南省信阳市固始县", "江西省赣州市"]
    rows = [(f"W{i:05d}", origins[int(rng.integers(0, len(origins)))], f"U{int(rng.integers(0, 9))}",
             DAY + dt.timedelta(days=int(rng.integers(-3, 12))) if rng.random() < 0.95 else None,
             bool(rng.random() < 0.6), bool(rng.random() < 0.3)) for i in range(3000)]
    f = workers(rows)
    seats, cap, threshold, min_load = 45, 300, 250, 20
    veh, people, few = match.plan_vehicles(f, DAY, seats=seats, window_days=4, train_threshold=threshold,
                                           train_capacity=cap, min_load=min_load)
    eligible = {r[0] for r in rows if r[4] and not r[5] and r[3] is not None}
    assert sorted([*people["身份证号"], *few["身份证号"]]) == sorted(eligible)  # each exactly once
    assert veh["人数"].sum() == len(people)
    assert (veh["人数"] <= veh["座位数"]).all() and (veh["人数"] >= min_load).all()
    assert set(veh.loc[veh["方式"] == "专车", "座位数"]) <= {seats}
    assert set(veh.loc[veh["方式"] == "专列", "座位数"]) <= {cap}
    assert people.groupby("编号").size().reindex(veh["编号"]).tolist() == veh["人数"].tolist()
    assert veh["编号"].is_unique
    # a worker's vehicle leaves from the worker's prefecture, within window_days of the planned day
    by_no = veh.set_index("编号")
    for r in people.itertuples():
        v = by_no.loc[r.编号]
        assert match.origin_group(r.出发地) == v["出发地"]
        planned = max(r.计划返岗日期, DAY)
        assert v["计划日期"] <= planned <= v["最晚返岗日期"] and (v["最晚返岗日期"] - v["计划日期"]).days < 4


def test_no_returning_workers():
    veh, people, few = match.plan_vehicles(None, DAY)
    assert veh.empty and people.empty and few.empty and list(veh.columns) == match.VEHICLE_COLUMNS


# ------------------------------------------------------------------ 培训缺口


def test_training_gap_hand_computed():
    v = vac([("U1", "甲", "东湖区", "普工", 30, "无", None, None),
             ("U2", "乙", "西湖区", "操作工", 20, "无", None, None),       # 普工: 50 short
             ("U3", "乙", "西湖区", "电工", 12, "中级工", None, None),      # 电工: 12 short
             ("U4", "丙", "西湖区", "焊工", 5, "中级工", None, None),       # 焊工: 5 short
             ("U5", "丙", "西湖区", "保安", 4, "无", None, None)])         # 保安员: 4 short
    i = pd.DataFrame({"日期": [DAY] * 5, "工种": ["生产工", "流水线操作工", "维修电工", "焊工", "育婴员"],
                      "培训类型": ["岗前培训"] * 5, "报名人数": [15, 10, 12, 2, 100],
                      "是否急需紧缺": [False, None, True, True, False]})
    got = match.training_gap(v, i, urgent=["保安员"])
    # 普工 50 − 25 = 25; 电工 12 − 12 = 0 (not short of trainees); 焊工 5 − 2 = 3; 保安员 4 − 0 = 4
    assert got.to_dict("records") == [
        {"岗位": "保安员", "缺工人数": 4, "培训报名人数": 0, "缺口": 4, "急需紧缺": "是"},
        {"岗位": "焊工", "缺工人数": 5, "培训报名人数": 2, "缺口": 3, "急需紧缺": "是"},
        {"岗位": "普工", "缺工人数": 50, "培训报名人数": 25, "缺口": 25, "急需紧缺": "否"},
    ]
    assert match.training_gap(None, i).empty and list(match.training_gap(v, None).columns) == match.GAP_COLUMNS


# ------------------------------------------------------------------ the sample city day


@pytest.fixture(scope="module")
def sample_actions():
    from yonggong import pipeline

    if not SAMPLE.is_dir():
        pytest.skip("sample_inbox/ is missing: run `invoke sample`")
    cd = pipeline.load(SAMPLE, "南昌", None)
    return cd, match.city_day(cd)


def test_sample_city_day(sample_actions):
    cd, acts = sample_actions
    assert len(acts.vacancies) == len(cd.tables["C"][cd.tables["C"]["缺工人数"] > 0])
    assert not acts.push.push.empty and 0 < acts.push.share <= 100
    assert acts.push.push.groupby("身份证号").size().max() <= 3
    assert not acts.suggestions.empty and not acts.vehicles.vehicles.empty and not acts.gap.empty
    f = cd.accumulated("F", key="身份证号")
    need = f[f["需要专车"].fillna(False).astype(bool) & ~f["已到岗"].fillna(False).astype(bool)]
    assert len(acts.vehicles.assignment) + len(acts.vehicles.scattered) == len(need)
    assert len(acts.vehicles.assignment) == acts.vehicles.vehicles["人数"].sum()
    # the sample's 组团返岗 roster (planted form:organised_return: 32 from 邵东 on 2-29/3-1, 22 from 于都
    # on 3-1/3-2) fills a coach each with the scattered workers of the same prefecture and window; no
    # other origin reaches 20 people, and nobody starting in 南昌 itself rides
    veh = acts.vehicles.vehicles
    assert sorted(veh["出发地"]) == ["江西省赣州市", "湖南省邵阳市"] and (veh["人数"] >= 20).all()
    assert not acts.vehicles.assignment["出发地"].str.contains("南昌").any()
    assert acts.vehicles.assignment["返岗企业"].notna().all()
    assert not acts.vehicles.assignment["返岗企业"].str.fullmatch(r"[0-9A-Z]{18}").any()  # names, not codes
    sheets = match.public_sheets(acts)
    assert set(sheets) == {"余缺调剂建议", "培训缺口", "专车专列计划", "零散返岗", "岗位匹配情况", "岗位匹配汇总"}
    for name, df in sheets.items():
        assert not {"姓名", "身份证号", "手机号"} & set(df.columns), name
    block = match.brief_block(match.gap_for(cd))
    assert block["text"].startswith("对照空岗") and block["rows"] and len(block["rows"]) <= 8
    assert match.gap_for(cd).equals(acts.gap)
    counts = match.summary(acts).set_index("项目")["数值"]
    assert counts["推送条数"] == len(acts.push.push) and counts["专车专列运送人数"] == len(acts.vehicles.assignment)
    print({k: round(v, 3) for k, v in acts.timings.items()})
