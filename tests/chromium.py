"""Headless Chromium driven over its DevTools protocol through ``--remote-debugging-pipe``.

Shared by the browser tests (tests/test_browser.py, tests/test_zone.py): stdlib only, no
websocket and no port. The network is off twice over: every request goes to a dead proxy
(127.0.0.1:9, loopback not bypassed) and host names resolve to nothing.
"""

from __future__ import annotations

import base64
import fcntl
import json
import os
import select
import subprocess
import time
from pathlib import Path

from yonggong.pdf import find_chromium

# the browser the product prints with (yonggong.pdf: YONGGONG_CHROMIUM, PATH, install folders)
CHROMIUM = find_chromium() or Path("/usr/bin/chromium")

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
        self.target = browser.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        self.s = browser.send("Target.attachToTarget", {"targetId": self.target, "flatten": True})["sessionId"]
        for domain in ("Page", "Network", "Runtime"):
            self.cmd(f"{domain}.enable")
        self.cmd("Emulation.setDeviceMetricsOverride",
                 {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False})

    def close(self) -> None:
        self.b.send("Target.closeTarget", {"targetId": self.target})

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

    def front(self) -> None:
        """Bring this tab to the front: a background tab of a headless browser paints no frames,
        so a screenshot of it would wait for ever."""
        self.cmd("Page.bringToFront")

    def screenshot(self, clip: dict | None = None, scale: float = 1) -> bytes:
        self.front()
        if clip is None:
            size = self.cmd("Page.getLayoutMetrics")["cssContentSize"]
            clip = {"x": 0, "y": 0, "width": size["width"], "height": size["height"]}
        params = {"format": "png", "captureBeyondViewport": True, "clip": {**clip, "scale": scale}}
        return base64.b64decode(self.cmd("Page.captureScreenshot", params)["data"])

    def pdf(self) -> bytes:
        self.front()
        r = self.cmd("Page.printToPDF", {"printBackground": True, "preferCSSPageSize": True})
        return base64.b64decode(r["data"])
