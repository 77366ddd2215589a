"""A real browser opens the 工作简报 with the network off (issue 6, item 6).

Chromium (Debian package ``chromium``) runs headless and is driven over its DevTools protocol
through ``--remote-debugging-pipe`` (stdlib only: no websocket, no port). For each page the
test collects every request the page made (``Network.requestWillBeSent``), saves a full-page
PNG screenshot and an A4 PDF print into the test's temporary folder, and checks on a
high-resolution crop of a chart title that Chinese glyphs were drawn, not tofu boxes.

The network is off twice over: every request goes to a dead proxy (127.0.0.1:9, loopback not
bypassed) and host names resolve to nothing; the request log proves that only ``file:`` and
``data:`` URLs were asked for. The failing variants are tests too: a CDN ``<script src>`` put
back into the page is caught, and the same page without its embedded font is recognised as
tofu.

Skipped only when /usr/bin/chromium is absent (CI installs it).
"""

from __future__ import annotations

import json
import re
import shutil
import struct
import subprocess
import zlib
from pathlib import Path

import pytest
from chromium import CHROMIUM, LOCAL_SCHEMES, Browser, Page

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="/usr/bin/chromium is not installed")


# ------------------------------------------------------------------ PNG (stdlib) and the glyph check


def png_gray(data: bytes) -> tuple[int, int, list[bytearray]]:
    """Decode an 8-bit RGB/RGBA/gray PNG (non-interlaced) into rows of gray values."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, width = 8, b"", 0
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", body)
            assert depth == 8 and interlace == 0, "only 8-bit non-interlaced PNG"
            channels = {0: 1, 2: 3, 4: 2, 6: 4}[colour]
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    raw = zlib.decompress(idat)
    stride = width * channels
    rows, prev = [], bytearray(stride)
    for y in range(height):
        f = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - channels] if i >= channels else 0
            b, c = prev[i], (prev[i - channels] if i >= channels else 0)
            if f == 1:
                line[i] = (line[i] + a) & 255
            elif f == 2:
                line[i] = (line[i] + b) & 255
            elif f == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(line)
        prev = line
    gray = [bytearray((r[i] * 299 + r[i + 1] * 587 + r[i + 2] * 114) // 1000 if channels >= 3 else r[i]
                      for i in range(0, stride, channels)) for r in rows]
    return width, height, gray


def glyph_cells(png: bytes, threshold: int = 128) -> list[tuple[bytes, int, int]]:
    """The dark shapes of a one-line text crop, split at blank columns: (bitmap, width, height)."""
    w, h, g = png_gray(png)
    ink = [[v < threshold for v in row] for row in g]
    cols = [any(ink[y][x] for y in range(h)) for x in range(w)]
    cells, x = [], 0
    while x < w:
        if not cols[x]:
            x += 1
            continue
        x0 = x
        while x < w and cols[x]:
            x += 1
        ys = [y for y in range(h) if any(ink[y][x0:x])]
        bits = bytes(int(ink[y][i]) for y in range(ys[0], ys[-1] + 1) for i in range(x0, x))
        cells.append((bits, x - x0, ys[-1] - ys[0] + 1))
    return cells


def _same(a: tuple[bytes, int, int], b: tuple[bytes, int, int]) -> bool:
    """Two shapes alike: same size within 2 px and at most 8 % of pixels differ."""
    (ba, wa, ha), (bb, wb, hb) = a, b
    if abs(wa - wb) > 2 or abs(ha - hb) > 2:
        return False
    w, h = min(wa, wb), min(ha, hb)
    diff = sum(ba[y * wa + x] != bb[y * wb + x] for y in range(h) for x in range(w))
    return diff <= 0.08 * w * h


def distinct_shapes(cells) -> int:
    kinds: list = []
    for c in cells:
        if not any(_same(c, k) for k in kinds):
            kinds.append(c)
    return len(kinds)


def hollow_boxes(cells) -> int:
    """How many shapes are a plain rectangle outline (the tofu of a missing glyph)."""
    n = 0
    for bits, w, h in cells:
        if w < 5 or h < 5:
            continue
        edge = [bits[x] for x in range(w)] + [bits[(h - 1) * w + x] for x in range(w)] + \
            [bits[y * w] for y in range(h)] + [bits[y * w + w - 1] for y in range(h)]
        inner = [bits[y * w + x] for y in range(2, h - 2) for x in range(2, w - 2)]
        if sum(edge) >= 0.9 * len(edge) and sum(inner) <= 0.1 * max(len(inner), 1):
            n += 1
    return n


def chinese_drawn(png: bytes, title: str) -> tuple[bool, str]:
    """Whether a crop of ``title`` shows real glyphs: as many distinct shapes as distinct
    characters (tofu draws the same box for every character) and no box outlines."""
    cells = glyph_cells(png)
    distinct_chars = len(set(title))
    kinds = distinct_shapes(cells)
    boxes = hollow_boxes(cells)
    ok = bool(cells) and kinds >= 0.6 * distinct_chars and boxes <= 0.2 * len(cells)
    return ok, f"{len(cells)} shapes, {kinds} distinct, {boxes} boxes, {distinct_chars} distinct characters"


# ------------------------------------------------------------------ the brief under test


@pytest.fixture(scope="module")
def sample_cd():
    from conftest import SAMPLE

    from yonggong import pipeline

    if not SAMPLE.is_dir():
        pytest.skip("sample_inbox/ is missing: run `invoke sample`")
    return pipeline.load(SAMPLE, "南昌", None)


@pytest.fixture(scope="module")
def brief_file(tmp_path_factory, sample_cd):
    """A city brief rendered from the sample inbox (newest day of 南昌)."""
    from yonggong import brief_city

    return brief_city.write_city(sample_cd, tmp_path_factory.mktemp("brief"))


def _variant(tmp_path: Path, src: Path, name: str, edit) -> Path:
    out = tmp_path / name
    out.write_text(edit(src.read_text(encoding="utf-8")), encoding="utf-8")
    return out


def _open(browser: Browser, path: Path) -> Page:
    page = Page(browser)
    page.open(path.resolve().as_uri())
    return page


def _external(urls: list[str]) -> list[str]:
    return [u for u in urls if not u.startswith(LOCAL_SCHEMES)]


def _title_crop(page: Page, chart_id: str, clip: dict | None = None) -> tuple[bytes, str, dict]:
    """A 3x screenshot of a chart title (its own box, or ``clip``), its text and the clip."""
    text = page.eval(f"document.getElementById({json.dumps(chart_id + '-title')}).textContent")
    if clip is None:
        r = page.rect(chart_id + "-title")
        clip = {"x": r["x"] - 2, "y": r["y"] - 2, "width": r["width"] + 4, "height": r["height"] + 4}
    return page.screenshot(clip, scale=3), text, clip


def test_brief_opens_offline_requests_nothing_and_draws_chinese(browser, brief_file, tmp_path):
    page = _open(browser, brief_file)
    urls = page.requests()
    assert urls and urls[0].startswith("file:"), urls
    assert _external(urls) == [], f"the brief asked the network for {_external(urls)}"
    assert page.eval("document.documentElement.lang") == "zh-CN"
    assert page.eval("document.fonts.check('16px BriefSC', '缺工人数')") is True
    assert page.eval("[...document.fonts].some(f => f.family.replace(/\"/g, '') === 'BriefSC' "
                     "&& f.status === 'loaded')") is True

    shot = page.screenshot()
    (tmp_path / "brief.png").write_bytes(shot)
    pdf = page.pdf()
    (tmp_path / "brief.pdf").write_bytes(pdf)
    assert shot[:4] == b"\x89PNG" and len(shot) > 50_000
    assert pdf[:5] == b"%PDF-" and len(re.findall(rb"/Type\s*/Page\b", pdf)) >= 3

    for chart in ("chart-trend", "chart-county"):
        crop, title, _ = _title_crop(page, chart)
        (tmp_path / f"{chart}-title.png").write_bytes(crop)
        ok, why = chinese_drawn(crop, title)
        assert ok, f"{chart}: Chinese title not drawn ({why})"


CDN = "https://cdn.jsdelivr.net/npm/echarts@4.7.0/dist/echarts.min.js"


def test_a_cdn_script_put_back_into_the_template_is_caught(browser, sample_cd, tmp_path, monkeypatch):
    """The failing variant: the template as it would be with a charting library from a CDN."""
    from yonggong import brief, brief_city

    templates = tmp_path / "templates"
    shutil.copytree(brief.TEMPLATES, templates)
    t = templates / "brief.html.j2"
    t.write_text(t.read_text(encoding="utf-8").replace("</head>", f'<script src="{CDN}"></script>\n</head>', 1),
                 encoding="utf-8")
    monkeypatch.setattr(brief, "TEMPLATES", templates)
    bad = brief_city.write_city(sample_cd, tmp_path / "out")
    page = _open(browser, bad)
    assert _external(page.requests()) == [CDN]


def test_an_external_font_or_image_is_caught(browser, brief_file, tmp_path):
    extra = ('<style>@font-face { font-family: X; src: url(https://fonts.example.org/x.woff2); } '
             'body { font-family: X, BriefSC; }</style></head>')
    bad = _variant(tmp_path, brief_file, "ext.html",
                   lambda s: s.replace("</head>", extra, 1).replace(
                       "</body>", '<img src="http://192.0.2.1/logo.png" alt=""></body>', 1))
    external = _external(_open(browser, bad).requests())
    assert sorted(external) == ["http://192.0.2.1/logo.png", "https://fonts.example.org/x.woff2"]


def test_without_the_embedded_font_the_check_sees_tofu(browser, brief_file, tmp_path):
    """The same page without its @font-face: boxes on a machine with no CJK font, and the glyph
    check must say so (on a machine that has a CJK font installed this cannot be shown)."""
    if subprocess.run(["fc-list", ":lang=zh"], capture_output=True, text=True).stdout.strip() \
            if shutil.which("fc-list") else False:
        pytest.skip("a CJK font is installed system-wide: no tofu to detect here")
    tofu = _variant(tmp_path, brief_file, "tofu.html",
                    lambda s: re.sub(r"@font-face \{[^}]*\}", "", s, count=1))
    page = _open(browser, tofu)
    assert page.eval("document.fonts.size") == 0
    crop, title, _ = _title_crop(page, "chart-trend")
    (tmp_path / "tofu-title.png").write_bytes(crop)
    ok, why = chinese_drawn(crop, title)
    assert not ok, f"tofu taken for glyphs ({why})"

    # the same region of the page with and without the font must differ substantially
    crop_good, _, clip = _title_crop(_open(browser, brief_file), "chart-trend")
    crop, _, _ = _title_crop(page, "chart-trend", clip)
    w1, h1, g1 = png_gray(crop)
    w2, h2, g2 = png_gray(crop_good)
    assert (w1, h1) == (w2, h2)
    differing = sum(abs(a - b) > 64 for r1, r2 in zip(g1, g2, strict=True) for a, b in zip(r1, r2, strict=True))
    assert differing > 0.05 * w1 * h1, "the embedded font changed nothing in the title"
