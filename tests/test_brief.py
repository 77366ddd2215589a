"""The 工作简报 HTML (issue 6): self-contained, figures right, no personal data, font covers it.

The browser half (offline open, screenshot, PDF, glyphs drawn) is tests/test_browser.py.
"""

from __future__ import annotations

import datetime as dt
import html as htmllib
import re
from pathlib import Path

import pandas as pd
import pytest
from builders import A_HEADER, B_HEADER, ledger_rows, list_rows, uscc, write_xlsx
from conftest import SAMPLE

from yonggong import brief, brief_city, charts, fontembed, pipeline
from yonggong.codes import make_idno

F_HEADER = ["姓名", "身份证号", "手机号", "出发地", "返岗企业", "计划返岗日期", "需要专车"]
K_HEADER = ["日期", "类别", "标题", "内容", "单位或个人"]
D_HEADER = ["日期", "统一社会信用代码", "解决渠道", "人数"]
C_HEADER = ["统一社会信用代码", "岗位名称", "缺工人数", "技能要求"]
PEOPLE = [("欧阳测甲", make_idno("36010219900101123"), "13912345678"),
          ("司马验乙", make_idno("36010319851231456"), "18687654321"),
          ("诸葛试丙", make_idno("36012219920615789"), "15011112222")]
BAD_ID = "360102199001011230"  # wrong check character: an 错误 row of table F


def visible_text(page: str) -> str:
    """What a reader sees: the page without <style> and tags, entities decoded."""
    body = re.sub(r"<style>.*?</style>", " ", page, flags=re.S)
    body = re.sub(r"<title>.*?</title>", " ", body, flags=re.S)
    body = re.sub(r"</?span\b[^>]*>", "", body)  # inline (the marked figures): no gap
    return htmllib.unescape(re.sub(r"<[^>]+>", " ", body))


def card(page: str, figure: str) -> tuple[str, str]:
    """(value, change) of a headline card."""
    m = re.search(rf'data-figure="{figure}">.*?<div class="value">(?:<span class="fig"[^>]*>)?([^<]*)<.*?'
                  r'<div class="change">([^<]*)<', page, flags=re.S)
    assert m, figure
    return m.group(1), m.group(2)


def num(text: str) -> float:
    return float(text.replace(",", ""))


# ------------------------------------------------------------------ fixtures


@pytest.fixture(scope="module")
def sample_day():
    if not SAMPLE.is_dir():
        pytest.skip("sample_inbox/ is missing: run `invoke sample`")
    cd = pipeline.load(SAMPLE, "南昌", None)
    return cd, brief_city.render_city(cd)


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """A two-day inbox for 南昌 with table F (names, ID and phone numbers), K, C, D and faults."""
    root = tmp_path_factory.mktemp("inbox")
    d1, d2 = root / "南昌" / "2020-02-23", root / "南昌" / "2020-02-24"
    write_xlsx(d1 / "清单.xlsx", {"清单": [A_HEADER, *list_rows(5)]})
    write_xlsx(d1 / "台账.xlsx", {"台账": [B_HEADER, *ledger_rows(5, "2020-02-23", 12)]})
    bad_b = [None, "无代码企业有限公司", "2020-02-24", 10, 5, 3, "是", 50, None, None, None, 0]
    ledger = ledger_rows(4, "2020-02-24", 10)
    ledger[0][8:11] = ["缺工", "外地员工返岗受阻，联系人手机13912345678", "否"]
    write_xlsx(d2 / "台账.xlsx", {
        "台账": [B_HEADER, *ledger, bad_b],
        "空岗": [C_HEADER, [uscc(1), "普工", 6, "无"], [uscc(1), "电工", 4, "中级工"]],
        "解决": [D_HEADER, ["2020-02-24", uscc(1), "本地招聘", 3], ["2020-02-24", uscc(2), "组织返岗", 2],
               ["2020-02-23", uscc(2), "组织返岗", 2]],
    })
    write_xlsx(d2 / "返岗.xlsx", {"返岗登记": [F_HEADER, *[[n, i, p, "江西省吉安市", "测试企业1有限公司", "2020-02-25", "是"]
                                                  for n, i, p in PEOPLE],
                                       ["错号丁", BAD_ID, "13700001111", "湖北省", "测试企业2有限公司", "2020-02-25", "否"]]})
    write_xlsx(d2 / "典型.xlsx", {"经验做法": [K_HEADER,
                                          ["2020-02-24", "经验做法", "“点对点”专车接返岗员工", "东湖区开通返岗专车3趟。", "东湖区人社局"],
                                          ["2020-02-24", "先进典型", "服务专员连续值守十天", "专员坚守一线，协调解决缺工问题12个。", "东湖区人社局"]]})
    cd = pipeline.load(root, "南昌", "2020-02-24")
    return cd, brief_city.render_city(cd)


# ------------------------------------------------------------------ self-contained and offline


def offline_problems(page: str) -> list[str]:
    """What keeps a page from being a self-contained, offline brief (empty: nothing)."""
    out = []
    if '<html lang="zh-CN">' not in page:
        out.append('no <html lang="zh-CN">')
    for pattern, what in ((r"<script\b", "a script"), (r"<link\b", "a link element"),
                          (r"https?://", "a URL"), (r"//[a-z0-9.-]+\.[a-z]{2,}/", "a protocol-relative URL"),
                          (r"\b(src|href)\s*=", "a src/href attribute"), (r"@import", "a CSS import"),
                          (r"url\((?!data:)", "a CSS url() that is not data:")):
        if re.search(pattern, page, flags=re.I):
            out.append(what)
    for trace in ("In [", "Out[", "jp-", "ipykernel", "nbconvert", "import ", "def "):
        if trace in page:
            out.append(f"notebook trace {trace!r}")
    if len(page.encode("utf-8")) >= 2_000_000:
        out.append("2 MB or more")
    return out


def test_city_brief_is_self_contained_and_offline(sample_day):
    _, page = sample_day
    assert page.startswith("<!DOCTYPE html>")
    assert offline_problems(page) == []
    assert re.findall(r"url\(([^)]{0,26})", page) == ["data:font/woff;base64,d09G"]
    for chart in ("chart-trend", "chart-channel", "chart-county", "chart-category", "chart-vacancy"):
        assert f'id="{chart}"' in page and f'id="{chart}-title"' in page
    # printed on A4 without a forced break per section (issue 14: three pages, tests/test_pages.py)
    assert "@page" in page and "break-before: page" not in page and "break-inside: avoid" in page


def test_the_scan_catches_a_cdn_script_put_back_into_the_template(sample_day, tmp_path, monkeypatch):
    import shutil

    cd, _ = sample_day
    templates = tmp_path / "templates"
    shutil.copytree(brief.TEMPLATES, templates)
    t = templates / "brief.html.j2"
    cdn = '<script src="https://cdn.jsdelivr.net/npm/echarts@4.7.0/dist/echarts.min.js"></script>'
    t.write_text(t.read_text(encoding="utf-8").replace("</head>", cdn + "</head>", 1), encoding="utf-8")
    monkeypatch.setattr(brief, "TEMPLATES", templates)
    assert {"a script", "a URL", "a src/href attribute"} <= set(offline_problems(brief_city.render_city(cd)))


def test_title_block(sample_day):
    cd, page = sample_day
    text = visible_text(page)
    assert "南昌市重点企业用工调度保障工作简报" in text
    assert f"第{(cd.day - dt.date(2020, 2, 23)).days + 1}期" in text
    assert f"{cd.day.year}年{cd.day.month}月{cd.day.day}日" in text
    assert "南昌市人力资源和社会保障局编" in text


def test_issue_number_counts_from_the_mechanisms_first_day():
    assert brief.issue_number(dt.date(2020, 2, 23)) == 1
    assert brief.issue_number(dt.date(2020, 3, 1)) == 8


def test_rendering_is_deterministic(sample_day, tmp_path):
    cd, page = sample_day
    assert brief_city.render_city(cd) == page
    p = brief_city.write_city(cd, tmp_path)
    assert p.name == f"工作简报_南昌_{cd.day:%Y%m%d}.html"
    assert p.read_bytes() == page.encode("utf-8")


# ------------------------------------------------------------------ figures


def test_headline_figures_equal_the_ledger(sample_day):
    cd, page = sample_day
    led = cd.ledger
    counted = led[led["报送状态"] != "未报送"]
    n = len(led)
    resumed = int(led["是否复工"].fillna(False).astype(bool).sum())
    shortage = int(counted["缺工人数"].fillna(0).sum())
    d = cd.tables["D"]
    today = d[(d["日期"] == cd.day) & d["统一社会信用代码"].isin(led["统一社会信用代码"])]
    assert num(card(page, "重点企业数")[0]) == n
    assert card(page, "复工率")[0] == f"{resumed / n * 100:.1f}"
    assert num(card(page, "缺工人数")[0]) == shortage
    assert num(card(page, "当日解决_合计")[0]) == int(today["人数"].sum())
    cum = cd.figures.loc["合计", "累计解决用工"]
    assert num(card(page, "累计解决用工")[0]) == cum
    assert card(page, "缺工解决率")[0] == f"{cum / (cum + shortage) * 100:.1f}"


def test_change_against_the_day_before(sample_day):
    cd, page = sample_day
    before = pipeline.load(SAMPLE, "南昌", cd.day - dt.timedelta(days=1))
    b = before.ledger[before.ledger["报送状态"] != "未报送"]["缺工人数"].fillna(0).sum()
    a = cd.ledger[cd.ledger["报送状态"] != "未报送"]["缺工人数"].fillna(0).sum()
    diff = int(a - b)
    word = "持平" if diff == 0 else f"{'增加' if diff > 0 else '减少'}{abs(diff):,}人"
    assert card(page, "缺工人数")[1] == f"较上日{word}"
    assert card(page, "复工率")[1].startswith("较上日")


def test_change_wording():
    assert brief.change_text(1749, 1889, "count", "人") == "减少140人"
    assert brief.change_text(55, 55, "count", "家") == "持平"
    assert brief.change_text(94.5, 92.7, "rate", "%") == "提高1.8个百分点"
    assert brief.change_text(float("nan"), 3, "count", "人") == ""


def test_not_reported_is_a_dash(built):
    cd, page = built
    # table H (岗位推送) was not reported: the county table and summary show no invented zeros
    assert pd.isna(cd.figures.loc["合计", "推送岗位数"])
    assert "推送岗位" not in visible_text(page)


def test_by_category_is_the_ledger_sum():
    led = pd.DataFrame({"企业类别": ["相关配套", "医用物资生产", "相关配套", "相关配套"],
                        "缺工人数": pd.array([3, 5, 7, 100], dtype="Int64"),
                        "报送状态": ["已报送", "沿用", "已报送", "未报送"]})
    s = brief_city.shortage_by_category(led)
    assert s.to_dict() == {"医用物资生产": 5.0, "相关配套": 10.0}


# ------------------------------------------------------------------ content: problems, K, footnote


def test_publicity_items_of_table_k_appear(built):
    cd, page = built
    text = visible_text(page)
    k = cd.tables["K"]
    assert len(k) == 2
    for _, r in k.iterrows():
        assert r["标题"] in text and r["内容"] in text
    assert text.index("“点对点”专车接返岗员工") < text.index("服务专员连续值守十天")  # 经验做法 before 先进典型


def test_sample_publicity_day(sample_day):
    if not (SAMPLE / "南昌" / "2020-02-29").is_dir():
        pytest.skip("no 2020-02-29 folder")
    cd = pipeline.load(SAMPLE, "南昌", "2020-02-29")
    k = cd.tables.get("K")
    if k is None or k.empty:
        pytest.skip("no table K that day")
    text = visible_text(brief_city.render_city(cd))
    for _, r in k.iterrows():
        assert brief.scrub(r["标题"]) in text


def test_open_problems_listed(built):
    cd, page = built
    text = visible_text(page)
    assert "尚未解决的问题困难1个" in text and "测试企业1有限公司" in text


def test_data_quality_footnote_counts_without_values(built):
    cd, page = built
    errors = cd.faults[cd.faults["level"] == "错误"]
    assert len(errors) >= 2  # the B row without a code, the F row with a wrong ID check character
    note = visible_text(page[page.index('id="data-note"'):])
    assert f"发现错误{len(errors)}条" in note
    assert "《返岗登记》" in note and "《企业用工台账》" in note
    assert BAD_ID not in page and BAD_ID[:4] + "*" not in page
    assert "无代码企业有限公司" not in page


# ------------------------------------------------------------------ privacy


def test_no_personal_data_from_table_f(built):
    cd, page = built
    assert "F" in cd.reported
    for name, idno, phone in PEOPLE:
        for s in (name, idno, phone, idno[-6:], phone[-8:]):
            assert s not in page, s
    assert "错号丁" not in page and "13700001111" not in page
    # a mobile number typed into free text (a problem) is masked
    assert "13912345678" not in page and "139****5678" in visible_text(page)


def test_no_personal_data_in_the_sample_brief(sample_day):
    cd, page = sample_day
    f = cd.tables.get("F")
    if f is None:
        pytest.skip("no table F that day")
    text = visible_text(page)
    for _, r in f.iterrows():
        assert str(r["身份证号"]) not in page
        if pd.notna(r["手机号"]):
            assert str(r["手机号"]) not in page
        assert r["姓名"] not in text
    for phone in cd.ledger["专员手机"].dropna():
        assert str(phone) not in page


def test_scrub_masks_ids_and_mobiles():
    idno = make_idno("36010219900101123")
    assert brief.scrub(f"身份证{idno}，手机13912345678，电话0791-86658291") == \
        f"身份证{idno[:4]}**********{idno[-4:]}，手机139****5678，电话0791-86658291"
    assert brief.scrub(None) == ""


# ------------------------------------------------------------------ the embedded font


def test_embedded_font_covers_every_visible_character(sample_day, built):
    for _, page in (sample_day, built):
        css = page[page.index("@font-face"):]
        cmap = fontembed.font_from_css(css).getBestCmap()
        text = visible_text(page) + "".join(re.findall(r'aria-label="([^"]*)"', page))
        uncovered = sorted({c for c in text if not c.isspace() and ord(c) not in cmap})
        assert uncovered == []
        assert len(cmap) < 2000  # a subset, not the whole base font


@pytest.mark.e2e
def test_the_sample_inbox_has_no_character_outside_the_base_font():
    """Every character of every non-personal cell of the sample inbox can be drawn."""
    from yonggong.ingest import read_day

    if not SAMPLE.is_dir():
        pytest.skip("sample_inbox/ is missing")
    chars: set[str] = set()
    for folder in sorted(p for p in SAMPLE.glob("*/*") if p.is_dir()):
        for sheet in read_day(folder).sheets:
            if sheet.table in ("F", "M", "L"):
                continue
            for col in (c for c in sheet.data.columns if not c.startswith("_")):
                for v in sheet.data[col].dropna().unique():
                    chars |= set(str(v))
    assert chars
    assert fontembed.missing(chars) == []


def test_base_font_covers_gb2312_and_params():
    from yonggong import paths

    gb = set()
    for hi in range(0xB0, 0xF8):
        for lo in range(0xA1, 0xFF):
            try:
                gb.add(bytes([hi, lo]).decode("gb2312"))
            except UnicodeDecodeError:
                pass
    assert len(gb) == 6763
    assert fontembed.missing(gb) == []
    shown = set()  # params whose text a brief shows (settings.yaml also holds input-only markers)
    for name in ("cities.csv", "counties.csv", "categories.csv", "brief.yaml", "tables.yaml"):
        shown |= set((paths.PARAMS_DIR / name).read_text(encoding="utf-8"))
    assert fontembed.missing(shown) == []
    base = Path(fontembed.BASE_FONT)
    assert base.stat().st_size < 4_000_000
    assert (base.parent / "LICENSE-wqy-microhei.txt").is_file()


def test_font_subset_is_deterministic():
    assert fontembed.subset_font("缺工人数123") == fontembed.subset_font("数人工缺321")


# ------------------------------------------------------------------ charts


def test_charts_show_missing_values_as_dash_and_empty_charts_say_so():
    svg = charts.hbar("c1", "测试", ["东湖区", "西湖区"], [5, float("nan")])
    assert ">—<" in svg and svg.count("<rect") == 2  # background + one bar
    assert "本期无数据" in charts.hbar("c2", "测试", [], [])
    line = charts.combo("c3", "测试", ["2月23日", "2月24日"], ("当日", [None, 3]), [("缺工", [10, None])])
    assert "<polyline" in line and ">—<" in line
    assert "http" not in svg + line


def test_bar_labels_keep_clear_of_line_markers_and_end_labels():
    """The 7-day chart's worst case: the 当日 bar's top where the 累计 and 缺工 markers are, on every
    day, the newest values written right of the last markers. Every bar label's text box (baseline
    − 13 … baseline + 2, ±half its width) must miss every marker (r 3.5 + stroke) and end label."""
    days = [f"2月{d}日" for d in range(23, 30)]
    bars = [100, 160, 120, 90, 200, 150, 160]
    lines = [("累计", [100, 162, 125, 95, 198, 150, 165]), ("缺工", [104, 158, 118, 92, 203, 152, 161])]
    svg = charts.combo("c", "测试", days, ("当日", bars), lines)
    texts = re.findall(r'<text x="([\d.]+)" y="([\d.]+)" [^>]*text-anchor="(\w+)"([^>]*)>([^<]*)</text>', svg)
    marks = [(float(x), float(y)) for x, y in re.findall(r'<circle cx="([\d.]+)" cy="([\d.]+)" r="3.5"', svg)]
    ends = [(float(x), float(y), t) for x, y, _, extra, t in texts if "bold" in extra]
    labels = [(float(x), float(y), t) for x, y, anchor, extra, t in texts
              if anchor == "middle" and "bold" not in extra and t.replace(",", "").isdigit()]
    size = charts.DEFAULT.value_size
    assert sorted(t for _, _, t in labels) == sorted(charts.fmt(v) for v in bars)
    for x, y, t in labels:
        half = charts.text_width(t, size) / 2
        left, top, right, bottom = x - half, y - size, x + half, y + 2
        for mx, my in marks:
            assert not (left < mx + 5 and right > mx - 5 and top < my + 5 and bottom > my - 5), (t, x, y, my)
        for ex, ey, et in ends:
            ew = charts.text_width(et, size)
            assert not (left < ex + ew and right > ex and top < ey + 2 and bottom > ey - size), (t, et)
    checked = len(labels)
    assert checked == len(bars)


# ------------------------------------------------------------------ one catalogue, one computation (issue 12)


def test_cards_and_table_headers_are_the_catalogues_labels(sample_day):
    from yonggong import indicators

    _, page = sample_day
    for key in brief.figure_keys(brief.config()["headline"]):
        m = re.search(rf'data-figure="{key}">\s*<div class="label">([^<]*)<', page)
        assert m and m.group(1) == indicators.label(key), key
    table = page[page.index('class="county-table"'):]
    table = table[:table.index("</thead>")]
    headers = re.findall(r"<th>([^<]*)</th>", table)
    keys = brief.figure_keys(brief.config()["county_table"])
    assert headers == ["县（市、区）"] + [f"{indicators.label(k)}（{indicators.get(k).unit}）" for k in keys]


def test_every_marked_figure_is_the_figure(sample_day):
    cd, page = sample_day
    spans = re.findall(r'<span class="fig" data-fig="([^"]+)" data-row="([^"]+)"(?: data-day="([^"]+)")?>([^<]*)</span>',
                       page)
    assert len(spans) > 80
    keys = {k for k, _, _, _ in spans}
    assert {"重点企业数", "缺工人数", "累计解决用工", "未解决问题数", "24小时办结率"} <= keys
    for key, row, day, text in spans:
        value = cd.trend.loc[dt.date.fromisoformat(day), key] if day else cd.figures.loc[row, key]
        assert text == brief.show(value, brief.kind_of(key)), (key, row, day)


def test_marking_does_not_change_what_a_reader_sees():
    page = brief.mark("缺工人数", 1234.0, row="东湖区")
    assert page == '<span class="fig" data-fig="缺工人数" data-row="东湖区">1,234</span>'
    assert brief.mark("复工率", float("nan")).endswith(">—</span>")
    assert 'data-day="2020-02-29"' in brief.mark("缺工人数", 1, day=dt.date(2020, 2, 29))


def test_trend_text_quotes_cumulative_from_the_figures(sample_day):
    cd, page = sample_day
    section = visible_text(page[page.index('<section id="trend"'):page.index('<section id="shortage"')])
    assert "共解决用工" not in section  # the sum of the days shown is not called 累计
    cum = cd.figures.loc["合计", "累计解决用工"]
    assert f"累计解决用工{brief.show(cum)}人" in section
    days = [d for d in cd.trend.index if pd.notna(cd.trend.loc[d, "当日解决_合计"])]
    placed = sum(cd.trend.loc[d, "当日解决_合计"] for d in days)
    assert f"当日解决用工合计{brief.show(placed)}人" in section


def test_shares_in_the_text_use_the_one_ratio(sample_day):
    from yonggong import indicators

    cd, page = sample_day
    t = cd.figures.loc["合计"]
    channels = brief.placement_columns()
    fid, name = max(channels, key=lambda c: t[c[0]])
    share = indicators.ratio(t[fid], t["当日解决_合计"])
    assert f"当日解决用工以{name}为主（{brief.show(t[fid])}人，占{share:.1f}%）" in visible_text(page)


def test_no_rate_is_computed_outside_the_catalogue():
    """Rates come from the figures; shares from indicators.ratio (no "× 100" of our own)."""
    from yonggong import paths

    city_part = (paths.PACKAGE_DIR / "brief.py").read_text(encoding="utf-8").split("# ---- province")[0]
    for name, text in (("brief.py (city)", city_part),
                       ("progress.py", (paths.PACKAGE_DIR / "progress.py").read_text(encoding="utf-8")),
                       ("products.py", (paths.PACKAGE_DIR / "products.py").read_text(encoding="utf-8"))):
        assert not re.search(r"\*\s*100\b", text), name


def test_data_note_counts_additions_as_the_adjustments_say(built):
    import dataclasses

    cd, _ = built
    adj = pd.DataFrame({"调整": ["纳入", "纳入", "调出"], "统一社会信用代码": ["a", "b", "c"]})
    moved = dataclasses.replace(cd, adjustments=adj)
    note = brief_city.data_note(moved)
    assert (note["added"], note["removed"]) == (2, 1)
    text = visible_text(brief_city.render_city(moved))
    assert "当日纳入2家、调出1家" in text and "新增" not in text


def test_sample_list_change_is_counted(sample_day):
    cd = pipeline.load(SAMPLE, "南昌", "2020-02-26")
    adj = cd.adjustments
    if adj.empty:
        pytest.skip("no list change that day")
    added, removed = int((adj["调整"] == "纳入").sum()), int((adj["调整"] == "调出").sum())
    assert f"当日纳入{added}家、调出{removed}家" in visible_text(brief_city.render_city(cd))


def test_data_note_defines_the_figures_from_the_catalogue(sample_day):
    from yonggong import indicators

    cd, page = sample_day
    note = re.sub(r"\s+", "", visible_text(page[page.index('id="definitions"'):]))
    assert "本报告期为2月29日15:00至3月1日15:00" in note
    for key in ("累计解决用工", "24小时办结率", "缺工解决率", "当日解决_合计"):
        ind = indicators.get(key)
        assert f"{ind.label}：{ind.kind_text}。" in note, key
        assert re.sub(r"\s+", "", ind.definition.translate(brief_city._GLYPHS)) in note, key
    assert "汇总表“指标说明”工作表" in note


def test_open_problems_are_the_figure(sample_day):
    from yonggong import ledger

    cd, page = sample_day
    n = len(ledger.open_problems(cd))
    assert n == cd.figures.loc["合计", "未解决问题数"]
    assert f"尚未解决的问题困难{n}个" in visible_text(page)
