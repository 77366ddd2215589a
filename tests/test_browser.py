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

import base64
import fcntl
import json
import os
import re
import select
import shutil
import struct
import subprocess
import time
import zlib
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="/usr/bin/chromium is not installed")

NETWORK_OFF = ["--proxy-server=127.0.0.1:9", "--proxy-bypass-list=<-loopback>",
               "--host-resolver-rules=MAP * ~NOTFOUND", "--disable-quic"]
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--no-default-browser-check",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-extensions", "--disable-default-apps", "--disable-domain-reliability",
         "--metrics-recording-only", "--mute-audio", "--hide-scrollbars", "--font-render-hinting=none",
         *NETWORK_OFF]
LOCAL_SCHEMES = ("file:", "data:", "about:")


# ------------------------------------------------------------------ DevTools over a pipe


class Browser:
    """Headless Chromium with the DevTools protocol on fds 3 (commands) and 4 (replies)."""

    def __init__(self, profile: Path, timeout: float = 30.0):
        self.timeout = timeout
        cmd_r, cmd_w = os.pipe()
        out_r, out_w = os.pipe()
        # the child's ends, moved to free descriptors >= 10 so bash can put them on 3 and 4
        hi_r, hi_w = fcntl.fcntl(cmd_r, fcntl.F_DUPFD, 10), fcntl.fcntl(out_w, fcntl.F_DUPFD, 10)
        os.close(cmd_r)
        os.close(out_w)
        script = f'exec "$0" "$@" 3<&{hi_r} 4>&{hi_w} {hi_r}<&- {hi_w}>&-'
        self.proc = subprocess.Popen(
            ["/bin/bash", "-c", script, str(CHROMIUM), *FLAGS, f"--user-data-dir={profile}",
             "--remote-debugging-pipe", "about:blank"],
            pass_fds=(hi_r, hi_w), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL)
        os.close(hi_r)
        os.close(hi_w)
        self.w, self.r = cmd_w, out_r
        self.buf = b""
        self.next_id = 0
        self.events: list[dict] = []

    def close(self) -> None:
        try:
            self.send("Browser.close", timeout=5)
        except Exception:  # noqa: BLE001 - the browser may already be gone
            pass
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        for fd in (self.w, self.r):
            try:
                os.close(fd)
            except OSError:
                pass

    def _read_message(self, deadline: float) -> dict:
        while b"\0" not in self.buf:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("no answer from Chromium")
            ready, _, _ = select.select([self.r], [], [], left)
            if ready:
                chunk = os.read(self.r, 1 << 20)
                if not chunk:
                    raise RuntimeError("Chromium closed the DevTools pipe")
                self.buf += chunk
        raw, self.buf = self.buf.split(b"\0", 1)
        return json.loads(raw)

    def send(self, method: str, params: dict | None = None, session: str | None = None,
             timeout: float | None = None) -> dict:
        self.next_id += 1
        msg = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        os.write(self.w, json.dumps(msg).encode() + b"\0")
        deadline = time.monotonic() + (timeout or self.timeout)
        while True:
            m = self._read_message(deadline)
            if m.get("id") == self.next_id:
                if "error" in m:
                    raise RuntimeError(f"{method}: {m['error']}")
                return m.get("result", {})
            if "method" in m:
                self.events.append(m)

    def wait_event(self, method: str, session: str, timeout: float | None = None) -> dict:
        deadline = time.monotonic() + (timeout or self.timeout)
        for i, e in enumerate(self.events):
            if e["method"] == method and e.get("sessionId") == session:
                return self.events.pop(i)
        while True:
            m = self._read_message(deadline)
            if "method" in m:
                if m["method"] == method and m.get("sessionId") == session:
                    return m
                self.events.append(m)


class Page:
    """One tab: navigate, evaluate, screenshot, print; every request of the page is logged."""

    def __init__(self, browser: Browser, width: int = 1200, height: int = 2000):
        self.b = browser
        target = browser.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        self.s = browser.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        for domain in ("Page", "Network", "Runtime"):
            self.cmd(f"{domain}.enable")
        self.cmd("Emulation.setDeviceMetricsOverride",
                 {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False})

    def cmd(self, method: str, params: dict | None = None) -> dict:
        return self.b.send(method, params, session=self.s)

    def open(self, url: str) -> None:
        self.cmd("Page.navigate", {"url": url})
        self.b.wait_event("Page.loadEventFired", self.s)
        self.eval("document.fonts.ready.then(() => document.fonts.status)")
        time.sleep(0.2)  # give a failing external request time to be reported

    def eval(self, expression: str):
        r = self.cmd("Runtime.evaluate", {"expression": expression, "awaitPromise": True, "returnByValue": True})
        if "exceptionDetails" in r:
            raise RuntimeError(r["exceptionDetails"])
        return r["result"].get("value")

    def requests(self) -> list[str]:
        """URLs of every request the page asked for (drains pending events first)."""
        self.eval("1")
        return [e["params"]["request"]["url"] for e in self.b.events
                if e.get("sessionId") == self.s and e["method"] == "Network.requestWillBeSent"]

    def rect(self, element_id: str) -> dict:
        return self.eval(f"(() => {{ const r = document.getElementById({json.dumps(element_id)})"
                         ".getBoundingClientRect(); return {x: r.x + scrollX, y: r.y + scrollY, "
                         "width: r.width, height: r.height}; })()")

    def screenshot(self, clip: dict | None = None, scale: float = 1) -> bytes:
        if clip is None:
            size = self.cmd("Page.getLayoutMetrics")["cssContentSize"]
            clip = {"x": 0, "y": 0, "width": size["width"], "height": size["height"]}
        params = {"format": "png", "captureBeyondViewport": True, "clip": {**clip, "scale": scale}}
        return base64.b64decode(self.cmd("Page.captureScreenshot", params)["data"])

    def pdf(self) -> bytes:
        r = self.cmd("Page.printToPDF", {"printBackground": True, "preferCSSPageSize": True})
        return base64.b64decode(r["data"])


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    b = Browser(tmp_path_factory.mktemp("chromium-profile"))
    try:
        b.send("Browser.getVersion")
        yield b
    finally:
        b.close()


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
    from yonggong import brief

    return brief.write_city(sample_cd, tmp_path_factory.mktemp("brief"))


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
    from yonggong import brief

    templates = tmp_path / "templates"
    shutil.copytree(brief.TEMPLATES, templates)
    t = templates / "brief.html.j2"
    t.write_text(t.read_text(encoding="utf-8").replace("</head>", f'<script src="{CDN}"></script>\n</head>', 1),
                 encoding="utf-8")
    monkeypatch.setattr(brief, "TEMPLATES", templates)
    bad = brief.write_city(sample_cd, tmp_path / "out")
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
