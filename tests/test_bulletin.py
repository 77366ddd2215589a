"""简讯 (issue 17): a few lines with the day's key figures, ready to paste into WeChat or an SMS.

Rules on small hand-made days (expected texts written by hand); on the sample, the numbers of the
written 简讯 against the 汇总表 read back with openpyxl, the province's named cities against its
报送情况 sheet; the 自检 catches a tampered 简讯.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
from types import SimpleNamespace

import openpyxl
import pandas as pd
import pytest
from conftest import SAMPLE

from yonggong import bulletin, pipeline, province, selfcheck
from yonggong.errors import YonggongError
from yonggong.province import bulletin as province_bulletin
from yonggong.province import verify as province_check
from yonggong.reference import load_yaml, resolve_city

DAY = dt.date(2020, 3, 1)
KEYS = ["缺工人数", "当日解决_合计", "累计解决用工", "重点企业数", "复工率", "缺工解决率"]


def _city_day(today: dict, trend: dict[dt.date, dict] | None = None, day: dt.date = DAY):
    """What the 简讯 reads of a city day: city, day, figures (合计 row) and trend (合计 of the last days)."""
    figures = pd.DataFrame([{k: float("nan") for k in KEYS}, today], index=["某县", "合计"], dtype="float64")
    rows = {**(trend or {}), day: today}
    t = pd.DataFrame([{k: v for k, v in r.items()} for r in rows.values()], index=list(rows), dtype="float64")
    return SimpleNamespace(city=resolve_city("南昌"), day=day, figures=figures, trend=t)


TODAY = {"缺工人数": 1234, "当日解决_合计": 78, "累计解决用工": 5678, "重点企业数": 55, "复工率": 94.5, "缺工解决率": 41.3}
YESTERDAY = {"缺工人数": 1290, "当日解决_合计": 78, "累计解决用工": 5600, "重点企业数": 54, "复工率": 92.7,
             "缺工解决率": 41.5}


# ------------------------------------------------------------------ wording, 较上日, length


def test_city_text_with_the_day_before():
    cd = _city_day(TODAY, {DAY - dt.timedelta(days=1): YESTERDAY})
    assert bulletin.city_text(cd) == (
        "【南昌市重点企业用工调度简讯】3月1日\n"
        "缺工人数1,234人（较上日减少56人）\n"
        "当日解决用工78人（较上日持平）\n"
        "累计解决用工5,678人（较上日增加78人）\n"
        "重点企业数55家（较上日增加1家）\n"
        "复工率94.5%（较上日提高1.8个百分点）\n"
        "缺工解决率41.3%（较上日下降0.2个百分点）\n"
        "详见当日工作简报。\n")


def test_city_text_without_a_previous_day_says_so():
    cd = _city_day(TODAY)
    assert bulletin.city_text(cd) == (
        "【南昌市重点企业用工调度简讯】3月1日\n"
        "无上日数据，不作较上日比较。\n"
        "缺工人数1,234人\n"
        "当日解决用工78人\n"
        "累计解决用工5,678人\n"
        "重点企业数55家\n"
        "复工率94.5%\n"
        "缺工解决率41.3%\n"
        "详见当日工作简报。\n")


def test_an_older_previous_day_is_named_and_a_missing_figure_is_a_dash():
    today = dict(TODAY, 当日解决_合计=float("nan"))
    cd = _city_day(today, {dt.date(2020, 2, 28): YESTERDAY})
    lines = bulletin.city_text(cd).split("\n")
    assert lines[1] == "缺工人数1,234人（较2月28日减少56人）"
    assert lines[2] == "当日解决用工—"  # as the 汇总表 shows it: no unit, nothing to compare
    assert "无上日数据" not in "".join(lines)


def _province_day(statuses: list[tuple[str, str, str]], totals: dict, previous: dict | None,
                  compared: dict | None = None, n_compared: int = 0):
    """What the 简讯 reads of a province day (the fields of province.day.ProvinceDay it uses)."""
    completeness = pd.DataFrame([{"设区市": c, "状态": s, "迟报时长": late} for c, s, late in statuses])
    return SimpleNamespace(day=DAY, totals=pd.Series(totals, dtype="float64"),
                           previous_totals=None if previous is None else pd.Series(previous, dtype="float64"),
                           compared_totals=None if compared is None else pd.Series(compared, dtype="float64"),
                           completeness=completeness, compared=[f"城{i}" for i in range(n_compared)])


def test_province_text_names_late_returned_and_missing_cities():
    statuses = [("南昌市", "按时", ""), ("景德镇市", "迟报", "1小时20分"), ("萍乡市", "退回", ""),
                ("九江市", "按时", ""), ("新余市", "未报送", "")]
    totals = {"缺工人数": 12728, "当日解决_合计": 1237, "累计解决用工": 5332, "重点企业数": 279, "复工率": 88.5,
              "缺工解决率": 29.5}
    # 较上日 over the cities accepted on both days: today 12,000 of them against 12,100 the day before
    compared = dict(totals, 缺工人数=12000)
    previous = dict(totals, 缺工人数=12100)
    pday = _province_day(statuses, totals, previous, compared, n_compared=2)
    assert province_bulletin.text(pday) == (
        "【江西省重点企业用工调度简讯】3月1日\n"
        "缺工人数12,728人（较上日减少100人）\n"
        "当日解决用工1,237人（较上日持平）\n"
        "累计解决用工5,332人（较上日持平）\n"
        "重点企业数279家（较上日持平）\n"
        "复工率88.5%（较上日持平）\n"
        "缺工解决率29.5%（较上日持平）\n"
        "报送情况：应报5个，按时2个；迟报1个：景德镇市（1小时20分）；退回1个：萍乡市；未报送1个：新余市。\n"
        "全省合计为3个有效报送设区市之和。\n"
        "较上日按两日均有效报送的2个设区市计算。\n"
        "详见当日工作简报。\n")


def test_province_text_when_every_city_is_on_time_and_no_day_before():
    statuses = [(c, "按时", "") for c in ("南昌市", "九江市")]
    pday = _province_day(statuses, {"缺工人数": 10, "当日解决_合计": 1, "累计解决用工": 1, "重点企业数": 2,
                                    "复工率": 50.0, "缺工解决率": 9.1}, None)
    text = province_bulletin.text(pday)
    assert "报送情况：应报2个，按时2个。\n" in text
    assert "无上日数据，不作较上日比较。\n" in text and "（较" not in text
    assert "全省合计为" not in text and "较上日按" not in text


BIG = {"缺工人数": 999999, "当日解决_合计": 99999, "累计解决用工": 999999, "重点企业数": 99999, "复工率": 100.0,
       "缺工解决率": 100.0}
SMALL = {"缺工人数": 900000, "当日解决_合计": 0, "累计解决用工": 900000, "重点企业数": 90000, "复工率": 0.0,
         "缺工解决率": 0.0}
ALL_CITIES = ["南昌市", "景德镇市", "萍乡市", "九江市", "新余市", "鹰潭市", "赣州市", "吉安市", "宜春市", "抚州市",
              "上饶市"]


def _worst():
    """The longest realistic province day: every figure at its widest, with the widest changes; one
    city on time, four late by over a day, three returned, three missing; fewer cities compared."""
    statuses = [(ALL_CITIES[0], "按时", "")]
    statuses += [(c, "迟报", "1天23小时59分") for c in ALL_CITIES[1:5]]
    statuses += [(c, "退回", "") for c in ALL_CITIES[5:8]]
    statuses += [(c, "未报送", "") for c in ALL_CITIES[8:]]
    # changes: 缺工人数 −99,999 (widest), the others +99,999 / +100 points
    return _province_day(statuses, BIG, SMALL | {"缺工人数": 1099998}, BIG, n_compared=3)


def test_the_longest_province_day_fits_and_keeps_every_required_figure_whole():
    text = province_bulletin.text(_worst())
    assert len(text) <= 300
    assert load_yaml("bulletin.yaml")["bulletin"]["max_chars"] == 300
    lines = text.split("\n")
    assert lines[1] == "缺工人数999,999人（较上日减少99,999人）"
    assert lines[2] == "当日解决用工99,999人（较上日增加99,999人）"
    assert lines[3] == "累计解决用工999,999人（较上日增加99,999人）"
    # every city not on time is named, in 报送情况 order; only the footer and how late had to go
    assert lines[7:] == ["报送情况：应报11个，按时1个；迟报4个：景德镇市、萍乡市、九江市、新余市；"
                         "退回3个：鹰潭市、赣州市、吉安市；未报送3个：宜春市、抚州市、上饶市。",
                         "全省合计为5个有效报送设区市之和。", "较上日按两日均有效报送的3个设区市计算。", ""]
    assert lines[4:7] == ["重点企业数99,999家（较上日增加9,999家）", "复工率100.0%（较上日提高100.0个百分点）",
                          "缺工解决率100.0%（较上日提高100.0个百分点）"]


def _present(lines: list[bulletin.Line]) -> set[str]:
    """The parts of a text; ``late`` when its status line says how late the late cities were."""
    parts = {line.part for line in lines}
    return parts | ({"late"} if any(line.part == "status" and "（1天" in line.text for line in lines) else set())


def test_optional_parts_are_dropped_in_the_order_of_params(monkeypatch):
    """With a tighter limit the parts go in the order of ``drop``, whole lines (never half a figure);
    when even the required parts are too long, an error (never a cut text)."""
    facts = province_bulletin.facts(_worst())
    full = bulletin.lines(facts)
    cfg = dict(bulletin.config())
    order = [p for p in cfg["drop"] if p in _present(full)]
    assert order == ["footer", "late", "缺工解决率", "复工率", "重点企业数", "province_total", "compared"]
    gone_at = {}
    for limit in range(len(bulletin.compose(full)), 0, -1):
        monkeypatch.setattr(bulletin, "config", lambda limit=limit: dict(cfg, max_chars=limit))
        try:
            kept = bulletin.fit(lambda dropped: bulletin.lines(facts, dropped))
        except YonggongError as exc:
            assert "简讯超过" in str(exc)
            break
        assert len(bulletin.compose(kept)) <= limit
        gone = [p for p in order if p not in _present(kept)]
        assert gone == order[:len(gone)], gone  # always the first parts of the order
        gone_at.setdefault(len(gone), limit)
        assert "缺工人数999,999人（较上日减少99,999人）" in [line.text for line in kept]
    else:
        pytest.fail("the required parts alone fit in one character")
    assert sorted(gone_at) == list(range(len(order) + 1))  # each part went, one after another


def test_the_three_key_figures_are_required_by_params():
    cfg = load_yaml("bulletin.yaml")["bulletin"]
    required = [k for k in cfg["figures"] if k not in cfg["drop"]]
    assert required == ["缺工人数", "当日解决_合计", "累计解决用工"]


def test_unknown_drop_part_is_an_error(monkeypatch):
    raw = load_yaml("bulletin.yaml")
    monkeypatch.setattr(bulletin, "load_yaml", lambda name: {"bulletin": dict(raw["bulletin"], drop=["页脚"])})
    with pytest.raises(YonggongError, match="页脚"):
        bulletin.config()


# ------------------------------------------------------------------ the sample: as the 汇总表 writes them


def _header_columns(ws) -> dict[str, int]:
    """Header text → column of the 汇总表 sheet (every header row; a group heading gives its first column)."""
    out: dict[str, int] = {}
    for row in ws.iter_rows(min_row=3, max_row=5):
        for c in row:
            if isinstance(c.value, str):
                out.setdefault(c.value.replace("\n", ""), c.column)
    return out


def _total_row(path, label: str) -> dict[str, object]:
    """The 汇总表's ``label`` row, by header: 缺工人数, 当日解决 (the first column of 当日解决用工), …"""
    ws = openpyxl.load_workbook(path, data_only=True)["汇总表"]
    cols = _header_columns(ws)
    row = next(r[0].row for r in ws.iter_rows(min_row=6) if r[0].value == label)
    cell = {k: ws.cell(row=row, column=cols[h]).value for k, h in
            (("缺工人数", "缺工人数"), ("当日解决", "当日解决用工"), ("累计解决用工", "累计解决用工"),
             ("补报", "本期补报"), ("重点企业数", "重点企业数"), ("复工率", "复工率（%）"))}
    assert ws.cell(row=4, column=cols["当日解决用工"]).value == "合计"
    return cell


def _number(text: str, label: str, unit: str) -> str:
    m = re.search(rf"^{label}([\d,]+(?:\.\d)?){unit}", text, re.M)
    assert m, (label, text)
    return m.group(1)


def test_the_sample_bulletin_has_the_figures_of_the_huizongbiao(nanchang_run):
    out, _ = nanchang_run
    path = out / "简讯_南昌_20200301.txt"
    raw = path.read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf") and b"\r" not in raw
    text = raw.decode("utf-8")
    assert len(text) <= 300 and text.endswith("\n")
    cells = _total_row(out / "重点企业用工调度保障工作信息汇总表_南昌_20200301.xlsx", "合计")
    assert _number(text, "缺工人数", "人") == f"{cells['缺工人数']:,}"
    assert _number(text, "当日解决用工", "人") == f"{cells['当日解决']:,}"
    assert _number(text, "累计解决用工", "人") == f"{cells['累计解决用工']:,}"
    assert _number(text, "重点企业数", "家") == f"{cells['重点企业数']:,}"
    assert _number(text, "复工率", "%") == f"{cells['复工率']:.1f}"
    # 较上日 of 累计解决用工: what the day added, 当日解决 + 本期补报 (the 汇总表's identity)
    added = cells["当日解决"] + (cells["补报"] if isinstance(cells["补报"], int) else 0)
    assert f"累计解决用工{cells['累计解决用工']:,}人（较上日增加{added:,}人）" in text
    assert text.startswith("【南昌市重点企业用工调度简讯】3月1日\n")


def test_the_sample_bulletin_change_in_shortage_is_against_the_day_before(nanchang_run):
    out, _ = nanchang_run
    text = (out / "简讯_南昌_20200301.txt").read_text(encoding="utf-8")
    before = pipeline.load(SAMPLE, "南昌", "2020-02-29").figures.loc["合计", "缺工人数"]
    now = _total_row(out / "重点企业用工调度保障工作信息汇总表_南昌_20200301.xlsx", "合计")["缺工人数"]
    d = now - int(before)
    word = "持平" if d == 0 else f"{'增加' if d > 0 else '减少'}{abs(d):,}人"
    assert f"缺工人数{now:,}人（较上日{word}）\n" in text


# ------------------------------------------------------------------ the province on the sample


@pytest.fixture(scope="module")
def province_written(tmp_path_factory):
    """The sample's 2月26日: 九江 late, 萍乡 and 新余 returned, 吉安 missing."""
    pday = province.day.load("2020-02-26", SAMPLE, source="inbox", outputs=tmp_path_factory.mktemp("none"))
    out = tmp_path_factory.mktemp("province")
    written = province.write.write_all(pday, out)
    return pday, out, written


def _completeness_sheet(path) -> list[tuple[str, str, str]]:
    ws = openpyxl.load_workbook(path, data_only=True)["报送情况"]
    rows = list(ws.iter_rows(min_row=2, values_only=True))
    head = list(rows[0])
    i, j, k = head.index("设区市"), head.index("状态"), head.index("迟报时长")
    out = []
    for r in rows[1:]:
        if not r or not r[i]:
            break  # the blank row above the note
        out.append((r[i], r[j], r[k] or ""))
    return out


def test_the_province_bulletin_names_the_cities_of_the_completeness_sheet(province_written):
    pday, out, written = province_written
    path = out / "简讯_江西省_20200226.txt"
    assert path in written and province.common.names(pday.day)["bulletin"] == path.name
    text = path.read_text(encoding="utf-8")
    assert len(text) <= 300
    sheet = _completeness_sheet(out / province.common.names(pday.day)["huizongbiao"])
    assert len(sheet) == 11
    by = {s: [(c, late) for c, st, late in sheet if st == s] for s in ("按时", "迟报", "退回", "未报送")}
    assert [c for c, _ in by["迟报"]] == ["九江市"] and by["迟报"][0][1] == "1小时20分"
    assert [c for c, _ in by["退回"]] == ["萍乡市", "新余市"] and [c for c, _ in by["未报送"]] == ["吉安市"]
    line = next(x for x in text.split("\n") if x.startswith("报送情况："))
    assert line == (f"报送情况：应报11个，按时{len(by['按时'])}个；"
                    f"迟报1个：九江市（{by['迟报'][0][1]}）；退回2个：萍乡市、新余市；未报送1个：吉安市。")
    total = _total_row(out / province.common.names(pday.day)["huizongbiao"], "全省合计")
    assert _number(text, "缺工人数", "人") == f"{total['缺工人数']:,}"
    assert _number(text, "当日解决用工", "人") == f"{total['当日解决']:,}"
    assert _number(text, "累计解决用工", "人") == f"{total['累计解决用工']:,}"
    assert "全省合计为8个有效报送设区市之和。\n" in text


def test_the_province_self_check_passes_and_catches_a_tampered_bulletin(province_written, tmp_path):
    pday, out, _ = province_written
    res = province_check.check(pday, out)
    assert res.passed, res.failures
    target = tmp_path / "out"
    shutil.copytree(out, target)
    path = target / "简讯_江西省_20200226.txt"
    text = path.read_text(encoding="utf-8")
    shown = _number(text, "缺工人数", "人")
    wrong = f"{int(shown.replace(',', '')) + 1:,}"
    tampered = text.replace(f"缺工人数{shown}人", f"缺工人数{wrong}人").replace("萍乡市、", "")
    path.write_text(tampered.replace("九江市（1小时20分）", "九江市"), encoding="utf-8")
    res = province_check.check(pday, target)
    assert not res.passed
    assert f"{path.name}：缺工人数显示“{wrong}”，应为“{shown}”" in res.failures
    assert f"{path.name}：退回的设区市显示“新余市”，应为“萍乡市、新余市”" in res.failures
    assert f"{path.name}：九江市迟报时长显示“（无）”，应为“1小时20分”" in res.failures
    assert len(res.failures) == 3, res.failures


def test_the_self_check_accepts_the_longest_day_as_fitted(tmp_path):
    """What was dropped to fit (the footer, how late) is not asked for; a dropped part put back is."""
    pday = _worst()
    path = province_bulletin.write(pday, tmp_path)
    assert path.name == "简讯_江西省_20200301.txt"
    tally = selfcheck.Tally()
    province_bulletin.check(path, pday, tally)
    assert tally.failures == []
    path.write_text(path.read_text(encoding="utf-8") + "详见当日工作简报。\n", encoding="utf-8")
    tally = selfcheck.Tally()
    province_bulletin.check(path, pday, tally)
    assert tally.failures == [f"{path.name}：共{len(path.read_text(encoding='utf-8'))}字，超过300字",
                              f"{path.name}：不应有“结尾”"]


# ------------------------------------------------------------------ the city 自检


@pytest.fixture(scope="module")
def city_cd():
    return pipeline.load(SAMPLE, "南昌", "2020-03-01")


@pytest.fixture
def city_copy(nanchang_run, city_cd, tmp_path):
    """The run's outputs in a folder of the test's own (to be tampered with), and the day they are of."""
    out, _ = nanchang_run
    target = tmp_path / "out"
    shutil.copytree(out, target)
    return city_cd, target, target / "简讯_南昌_20200301.txt"


def _failures(cd, path) -> list[str]:
    tally = selfcheck.Tally()
    bulletin.check_city(path, cd, tally)
    assert tally.checks > 20
    return tally.failures


def test_the_city_self_check_reads_the_bulletin(city_copy):
    cd, out, path = city_copy
    assert _failures(cd, path) == []
    res = selfcheck.check_city(cd, out)
    assert res.passed, res.failures
    text = path.read_text(encoding="utf-8")
    shown = _number(text, "累计解决用工", "人")
    wrong = f"{int(shown.replace(',', '')) - 10:,}"
    path.write_text(text.replace(f"累计解决用工{shown}人", f"累计解决用工{wrong}人"), encoding="utf-8")
    res = selfcheck.check_city(cd, out)
    assert not res.passed and res.failures == [f"{path.name}：累计解决用工显示“{wrong}”，应为“{shown}”"]


@pytest.mark.parametrize("tamper, failure", [
    (lambda t: t.replace("（较上日减少", "（较上日增加", 1), "缺工人数的较上日变化显示"),
    (lambda t: t.replace("3月1日", "2月29日", 1), "标题日期显示“2月29日”，应为“3月1日”"),
    (lambda t: t + "另有12家企业待复工。\n", "不符合 params/bulletin.yaml 的任何句式"),
    (lambda t: t + "啊" * 300 + "\n", "超过300字"),
    (lambda t: "\ufeff" + t, "BOM"),
    (lambda t: t.replace("\n", "\r\n"), "回车符"),
    (lambda t: "\n".join(x for x in t.split("\n") if not x.startswith("当日解决用工")), "缺少“当日解决用工”"),
    (lambda t: t.replace("人（较上日", "名（较上日", 1), "不符合 params/bulletin.yaml 的任何句式"),
    (lambda t: "\n".join(x for x in t.split("\n") if not x.startswith("复工率")), "缺少“复工率”"),  # it fits
    (lambda t: t.replace("%（较上日", "（较上日", 1), "复工率的单位显示“（无）”，应为“%”"),
])
def test_the_city_self_check_catches_each_tampering(city_copy, tamper, failure):
    cd, _, path = city_copy
    text = path.read_text(encoding="utf-8")
    assert "（较上日减少" in text.split("\n")[1]  # the sample's 3月1日: the shortage fell
    path.write_bytes(tamper(text).encode("utf-8"))
    failures = _failures(cd, path)
    assert any(failure in f for f in failures), failures
