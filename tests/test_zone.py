"""The 专区 page (issue 8, item 5): self-contained, offline, no personal data, filters in a browser.

Static scans as for the 工作简报 (tests/test_brief.py ``offline_problems``; the one difference: the
page carries an inline script, never a ``<script src>``), then a real headless Chromium (the
DevTools helpers of tests/test_browser.py) with the network off: the page requests nothing, and
choosing a county shows that county's enterprises only. The restricted lists are checked too.
"""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path

import pytest
from builders import A_HEADER, B_HEADER, uscc, write_xlsx
from chromium import CHROMIUM, LOCAL_SCHEMES, Browser, Page
from conftest import SAMPLE
from test_brief import PEOPLE, offline_problems, visible_text

from yonggong import fontembed, match, pipeline, zone
from yonggong.codes import make_idno

DAY = "2020-02-24"
C_HEADER = ["统一社会信用代码", "岗位名称", "缺工人数", "技能要求", "薪酬", "招聘范围"]
F_HEADER = ["姓名", "身份证号", "手机号", "出发地", "返岗企业", "计划返岗日期", "需要专车", "已到岗"]
M_HEADER = ["姓名", "身份证号", "手机号", "县区", "意向岗位", "技能等级", "期望月薪", "登记日期", "已就业"]
SEEKERS = [("上官求甲", make_idno("36010219950303111"), "13511112222", "东湖区", "操作工、电工", "中级工", 5000),
           ("慕容求乙", make_idno("36012119880808222"), "13633334444", "南昌县", "普工", "无", 4000)]
FIRMS = [  # n, county, resumed, commissioner's phone
    (1, "东湖区", "是", "0791-86000001"), (2, "东湖区", "是", "0791-86000002"), (3, "南昌县", "是", "0791-85000003"),
    (4, "进贤县", "否", "0791-85000004"), (5, "进贤县", "是", "0791-85000005")]


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """A city day of 南昌 with five enterprises in three counties (one not resumed), vacancies,
    returning workers (F) and job seekers (M) carrying names, ID and phone numbers."""
    root = tmp_path_factory.mktemp("inbox")
    day = root / "南昌" / DAY
    a = [[uscc(n), f"测试企业{n}有限公司", county, "医用物资生产", "在册", None, "张专员", phone]
         for n, county, _, phone in FIRMS]
    b = [[uscc(n), f"测试企业{n}有限公司", DAY, 100, 80, 10, resumed, 90, None, None, None, 5 if n == 5 else 0]
         for n, _, resumed, _ in FIRMS]
    c = [[uscc(1), "普工", 6, "无", "3500-5000", "本地"], [uscc(1), "电工", 4, "中级工", "5000-7000", "跨区域"],
         [uscc(2), "操作工", 10, "无", "3600-5200", "本地"], [uscc(3), "包装工", 10, "无", None, "本地"],
         [uscc(4), "普工", 10, "无", "3500-5000", "本地"], [uscc(5), "焊工", 5, "中级工", "5000-8000", "本地"]]
    write_xlsx(day / "清单.xlsx", {"清单": [A_HEADER, *a]})
    write_xlsx(day / "台账.xlsx", {"台账": [B_HEADER, *b], "空岗": [C_HEADER, *c]})
    write_xlsx(day / "返岗.xlsx", {"返岗登记": [F_HEADER, *[[n, i, p, "湖南省邵阳市", uscc(1), "2020-02-26", "是", "否"]
                                                  for n, i, p in PEOPLE]]})
    write_xlsx(day / "求职.xlsx", {"求职登记": [M_HEADER, *[[*s, DAY, "否"] for s in SEEKERS]]})
    cd = pipeline.load(root, "南昌", DAY)
    acts = match.city_day(cd)
    return cd, acts, zone.render_city(cd, acts)


@pytest.fixture(scope="module")
def sample_page():
    if not SAMPLE.is_dir():
        pytest.skip("sample_inbox/ is missing: run `invoke sample`")
    cd = pipeline.load(SAMPLE, "南昌", None)
    return cd, zone.render_city(cd)


def zone_problems(page: str) -> list[str]:
    """The brief's offline scan, with inline scripts allowed (and only inline ones)."""
    # a phone number's tel: link is allowed (a tap calls, nothing is fetched); any other href is not
    out = [p for p in offline_problems(re.sub(r'href="tel:[0-9+-]+"', "", page)) if p != "a script"]
    for tag in re.findall(r"<script\b[^>]*>", page, flags=re.I):
        if tag.lower() != "<script>":
            out.append(f"a script tag with attributes: {tag}")
    return out


# ------------------------------------------------------------------ static scans


def test_page_is_self_contained_and_offline(built, sample_page):
    for page in (built[2], sample_page[1]):
        assert page.startswith("<!DOCTYPE html>")
        assert zone_problems(page) == []
        assert re.findall(r"url\(([^)]{0,26})", page) == ["data:font/woff;base64,d09G"]
        assert page.count("<script>") == 1 and '<html lang="zh-CN">' in page
        assert 'name="viewport"' in page and "@media (max-width: 480px)" in page


def test_the_scan_catches_a_cdn_script_or_a_stylesheet_link(built):
    page = built[2]
    bad = page.replace("</head>", '<script src="https://cdn.example.org/x.js"></script>'
                                  '<link rel="stylesheet" href="//cdn.example.org/x.css"></head>', 1)
    problems = zone_problems(bad)
    assert "a URL" in problems and "a link element" in problems and "a src/href attribute" in problems
    assert any(p.startswith("a script tag with attributes") for p in problems)


def test_no_personal_data_of_tables_f_and_m(built):
    cd, acts, page = built
    assert {"F", "M"} <= set(cd.reported) and len(acts.push.push) > 0  # the fixture has them, and they are used
    for name, idno, phone, *_ in [*PEOPLE, *SEEKERS]:
        for s in (name, idno, phone, idno[-6:], phone[-8:]):
            assert s not in page, s


def test_no_personal_data_in_the_sample_page(sample_page):
    cd, page = sample_page
    text = visible_text(page)
    for code in ("F", "M"):
        rows = cd.accumulated(code, key="身份证号")
        assert rows is not None and len(rows) > 10
        for r in rows.to_dict("records"):
            assert str(r["身份证号"]) not in page
            if r.get("手机号"):
                assert str(r["手机号"]) not in page
            assert not re.search(rf"(?<![\u4e00-\u9fff]){r['姓名']}(?![\u4e00-\u9fff])", text), r["姓名"]


def test_resumed_enterprises_and_their_vacancies_with_the_commissioners_phone(built):
    cd, _, page = built
    text = visible_text(page)
    cards = re.findall(r'<article class="ent" data-county="([^"]+)">\s*<h2>([^<]+)</h2>', page)
    assert cards == [("东湖区", "测试企业1有限公司"), ("东湖区", "测试企业2有限公司"), ("南昌县", "测试企业3有限公司"),
                     ("进贤县", "测试企业5有限公司")]  # 4 has not resumed
    assert re.findall(r'<option value="([^"]*)">', page) == ["", "东湖区", "南昌县", "进贤县"]
    for _, _, resumed, phone in FIRMS:
        assert (phone in text) == (resumed == "是")
    assert "张专员" not in text  # the contact is the work phone, not a name
    assert "电工" in text and "5000-7000元" in text and "跨区域招聘" in text and "技能：中级工" in text
    assert "月薪：面议" in text  # 包装工 has no wage
    assert 'data-job="操作工 普工 ' in page  # the search finds the synonym group
    assert "共4家企业、5个岗位" in text


def test_every_phone_is_a_tel_link_and_the_page_offers_the_help_line(built):
    _, _, page = built
    links = re.findall(r'<a class="tel" href="tel:([^"]+)">([^<]+)</a>', page)
    assert len(links) == 1 + 4  # the 返岗求助 line, then one contact per resumed enterprise
    assert all(target == shown for target, shown in links)  # numbers here carry only digits and -
    assert links[0] == ("12333", "12333")  # params/settings.yaml zone_hotline (no city-specific one)
    text = visible_text(page)
    assert "返岗求助" in text and "受理时间：每天 8:00—20:00" in text
    assert re.findall(r"\bhref=", page) == ['href='] * len(links)
    assert "@page { size: A4" in page and ".filters, #f-empty { display: none !important; }" in page


def test_rendering_is_deterministic(built):
    cd, acts, page = built
    assert zone.render_city(cd, acts) == page
    assert zone.render_city(cd) == page  # computing the actions inside gives the same page


def test_embedded_font_covers_every_visible_character(built, sample_page):
    for page in (built[2], sample_page[1]):
        css = page[page.index("@font-face"):]
        cmap = fontembed.font_from_css(css).getBestCmap()
        script = page[page.index("<script>"):page.index("</script>")]
        text = visible_text(page) + "".join(re.findall(r'placeholder="([^"]*)"', page)) + \
            "".join(re.findall(r'"([^"]*)"', script))
        assert sorted({c for c in text if not c.isspace() and ord(c) not in cmap}) == []


def test_write_city_and_restricted_lists(built, tmp_path):
    cd, acts, page = built
    path = zone.write_city(cd, tmp_path, acts)
    assert path.name == "专区_南昌_20200224.html" and path.read_text(encoding="utf-8") == page
    written = zone.write_restricted(acts, tmp_path / "restricted", "南昌", cd.day)
    assert sorted(p.name for p in written) == ["专车专列名单_南昌_20200224.xlsx", "岗位推送名单_南昌_20200224.xlsx"]
    for p in written:
        with zipfile.ZipFile(p) as z:
            xml = "".join(z.read(n).decode("utf-8") for n in z.namelist())
        ids = {i for _, i, _ in PEOPLE} if p.name.startswith("专车") else {s[1] for s in SEEKERS}
        assert ids <= set(re.findall(r"\d{17}[\dX]", xml)), p.name
    for name, df in match.public_sheets(acts).items():
        blob = df.to_csv()
        assert not any(s in blob for _, i, ph, *_ in [*PEOPLE, *SEEKERS] for s in (i, ph)), name


# ------------------------------------------------------------------ a real browser, offline

browser_only = pytest.mark.skipif(not CHROMIUM.exists(), reason="/usr/bin/chromium is not installed")


def _phone_page(browser: Browser, path: Path) -> Page:
    page = Page(browser, width=360, height=740)
    page.cmd("Emulation.setDeviceMetricsOverride", {"width": 360, "height": 740, "deviceScaleFactor": 2,
                                                    "mobile": True})
    page.open(path.resolve().as_uri())
    return page


VISIBLE = ("[...document.querySelectorAll('article.ent')].filter(e => e.offsetParent !== null)"
           ".map(e => [e.dataset.county, e.querySelector('h2').textContent, "
           "[...e.querySelectorAll('li.job')].filter(j => j.offsetParent !== null)"
           ".map(j => j.querySelector('.name').textContent)])")


def _choose(page: Page, county: str = "", job: str = "") -> list:
    page.eval("(() => { const s = document.getElementById('f-county'); s.value = " + json.dumps(county) + ";"
              " s.dispatchEvent(new Event('change'));"
              " const q = document.getElementById('f-job'); q.value = " + json.dumps(job) + ";"
              " q.dispatchEvent(new Event('input')); })()")
    return page.eval(VISIBLE)


@browser_only
def test_browser_filters_by_county_offline_on_a_phone(browser, built, tmp_path):
    cd, acts, _ = built
    path = zone.write_city(cd, tmp_path, acts)
    page = _phone_page(browser, path)
    urls = page.requests()
    assert urls[0].startswith("file:") and [u for u in urls if not u.startswith(LOCAL_SCHEMES)] == []
    assert page.eval("document.fonts.check('16px BriefSC', '招聘专区')") is True
    assert page.eval("document.documentElement.scrollWidth") <= 360  # no sideways scrolling on a phone
    assert len(page.eval(VISIBLE)) == 4

    shown = _choose(page, county="东湖区")
    assert [c for c, _, _ in shown] == ["东湖区", "东湖区"]
    assert page.eval("document.getElementById('f-count').textContent") == "共2家企业、3个岗位"
    assert [c for c, _, _ in _choose(page, county="进贤县")] == ["进贤县"]

    # the 岗位 search: 普工 finds 操作工 (same occupation), and combines with the county
    assert _choose(page, job="普工") == [["东湖区", "测试企业1有限公司", ["普工"]], ["东湖区", "测试企业2有限公司", ["操作工"]]]
    assert _choose(page, county="南昌县", job="普工") == []
    assert page.eval("document.getElementById('f-empty').offsetParent !== null") is True
    assert len(_choose(page)) == 4
    (tmp_path / "zone-phone.png").write_bytes(page.screenshot())


@browser_only
def test_browser_sample_page_county_filter(browser, tmp_path):
    if not SAMPLE.is_dir():
        pytest.skip("sample_inbox/ is missing: run `invoke sample`")
    cd = pipeline.load(SAMPLE, "南昌", None)
    path = zone.write_city(cd, tmp_path)
    page = _phone_page(browser, path)
    assert [u for u in page.requests() if not u.startswith(LOCAL_SCHEMES)] == []
    everything = page.eval(VISIBLE)
    counties = sorted({c for c, _, _ in everything})
    assert len(counties) > 3
    for county in counties:
        shown = _choose(page, county=county)
        assert shown and {c for c, _, _ in shown} == {county}
        assert len(shown) == sum(c == county for c, _, _ in everything)
    assert page.eval("document.documentElement.scrollWidth") <= 360
