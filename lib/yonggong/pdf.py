"""PDF copies of the products for leaders who read on paper (``invoke daily … --pdf``).

    result = pdf.export([xlsx, html])            # PDFs next to their sources
    result = pdf.export_day(folder, names, keys)  # folder / names[k] for each key
    result = pdf.export_city_day(folder, city, day)   # 汇总表, 附件3, 工作简报 of a published day
    print("\\n".join(result.lines()))

Workbooks (.xlsx) go through LibreOffice (``soffice --headless --convert-to pdf``, every sheet as
it prints), HTML pages through Chromium, Chrome or Edge (``--headless --print-to-pdf``, the page's
own A4 ``@page``, no header or footer line). Neither program is a dependency: when one is not
found, its files get no PDF and :class:`PdfResult` carries one Chinese line naming what to
install; the run that asked for them still succeeds. The programs are looked up on PATH and in
their usual install folders (Windows, macOS); ``YONGGONG_SOFFICE`` / ``YONGGONG_CHROMIUM`` name
the program to use instead (and then only that one).

Each conversion runs with a profile of its own in a temporary folder (LibreOffice's
``-env:UserInstallation``, Chromium's ``--user-data-dir``), so it works while the user has
LibreOffice or the browser open, and in CI; it is stopped after a time limit. The sources are
staged under plain ASCII names, converted in the temporary folder, and each PDF is then written
next to its source atomically (``xlsxio.write_bytes_atomic``) with ordinary file permissions.
PDF bytes are not reproducible (the programs stamp creation times and ids); only the xlsx, HTML
and parquet products are byte-identical across re-runs.

The PDFs of a published day are made after it is published (holding that day's run lock), so
they are not in its manifest and do not take part in the 已是最新 check; a run that replaces the
folder drops them with the rest (they would describe the old products), and ``--pdf`` makes them
again every time it is given, 已是最新 or not.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import signal
import subprocess
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from . import catalogue
from .errors import RunLocked
from .xlsxio import write_bytes_atomic

SOFFICE_TIMEOUT = 300  # seconds for one LibreOffice run (all the workbooks of a call)
CHROMIUM_TIMEOUT = 120  # seconds for one page printed by Chromium
CITY_KEYS = ("huizongbiao", "progress", "brief")  # of the catalogue group city: 汇总表, 附件3, 工作简报
PROVINCE_KEYS = ("huizongbiao", "brief")  # of ``province.common.names``: the roll-up and its brief
# the page is our own offline file: no request leaves the machine while it prints
NETWORK_OFF = ["--proxy-server=127.0.0.1:9", "--proxy-bypass-list=<-loopback>",
               "--host-resolver-rules=MAP * ~NOTFOUND", "--disable-quic"]
CHROMIUM_FLAGS = ["--headless", "--disable-gpu", "--no-first-run", "--no-default-browser-check",
                  "--disable-extensions", "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--disable-default-apps", "--mute-audio", *NETWORK_OFF,
                  "--no-pdf-header-footer", "--print-to-pdf-no-header"]  # the second for older versions


@dataclass(frozen=True)
class Tool:
    """A program the conversion needs and how to find it."""

    label: str  # 程序名 in messages
    env: str  # environment variable naming the program to use
    commands: tuple[str, ...]  # names on PATH
    places: tuple[str, ...]  # usual install locations; ``%VAR%`` is the environment variable VAR
    install: str  # what to install and where from, for people

    def hint(self, note: str = "") -> str:
        return f"未找到 {self.label}{note}，未生成 PDF；{self.install}，或用环境变量 {self.env} 指明程序位置"


SOFFICE = Tool(
    label="LibreOffice", env="YONGGONG_SOFFICE", commands=("soffice", "libreoffice"),
    places=(r"%ProgramFiles%\LibreOffice\program\soffice.exe",
            r"%ProgramFiles(x86)%\LibreOffice\program\soffice.exe",
            "/Applications/LibreOffice.app/Contents/MacOS/soffice",
            "/opt/libreoffice/program/soffice", "/snap/bin/libreoffice"),
    install="请安装 LibreOffice（Windows：libreoffice.org 下载；Debian/Ubuntu：apt install libreoffice-calc-nogui）",
)
CHROMIUM = Tool(
    label="Chromium、Chrome 或 Edge 浏览器", env="YONGGONG_CHROMIUM",
    commands=("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome", "msedge",
              "microsoft-edge", "microsoft-edge-stable"),
    places=(r"%ProgramFiles(x86)%\Microsoft\Edge\Application\msedge.exe",
            r"%ProgramFiles%\Microsoft\Edge\Application\msedge.exe",
            r"%ProgramFiles%\Google\Chrome\Application\chrome.exe",
            r"%ProgramFiles(x86)%\Google\Chrome\Application\chrome.exe",
            r"%LOCALAPPDATA%\Google\Chrome\Application\chrome.exe",
            r"%LOCALAPPDATA%\Chromium\Application\chrome.exe",
            "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome",
            "/Applications/Chromium.app/Contents/MacOS/Chromium",
            "/Applications/Microsoft Edge.app/Contents/MacOS/Microsoft Edge"),
    install=("请安装 Chromium 或 Chrome，或使用 Edge（Windows：Edge 一般已自带，也可从 google.cn/chrome 下载 Chrome；"
             "Debian/Ubuntu：apt install chromium）"),
)
TOOLS = {".xlsx": SOFFICE, ".html": CHROMIUM}  # which program converts which kind of file


# --------------------------------------------------------------------------- finding the programs


def _expand(place: str) -> Path | None:
    """``place`` with its ``%VAR%`` parts filled in (None when such a variable is not set)."""
    names = re.findall(r"%([^%]+)%", place)
    if any(name not in os.environ for name in names):
        return None
    return Path(re.sub(r"%([^%]+)%", lambda m: os.environ[m.group(1)], place))


def _runnable(p: Path) -> bool:
    return p.is_file() and os.access(p, os.X_OK)


def locate(tool: Tool) -> tuple[Path | None, str]:
    """The program for ``tool`` and, when there is none, why (for the hint: a bad override)."""
    override = os.environ.get(tool.env)
    if override:
        p = Path(override)
        found = shutil.which(override) if not p.is_absolute() else (str(p) if _runnable(p) else None)
        if found:
            return Path(found), ""
        return None, f"（环境变量 {tool.env} 指向的 {override} 不存在或不能运行）"
    for name in tool.commands:
        found = shutil.which(name)
        if found:
            return Path(found), ""
    for place in tool.places:
        p = _expand(place)
        if p is not None and _runnable(p):
            return p, ""
    return None, ""


def find_soffice() -> Path | None:
    """LibreOffice's ``soffice`` (``YONGGONG_SOFFICE``, PATH, the usual install folders)."""
    return locate(SOFFICE)[0]


def find_chromium() -> Path | None:
    """Chromium, Chrome or Edge (``YONGGONG_CHROMIUM``, PATH, the usual install folders)."""
    return locate(CHROMIUM)[0]


# --------------------------------------------------------------------------- running them


class _Failed(Exception):
    """A conversion program that failed (the reason, for people)."""


def _run(cmd: list[str], timeout: float) -> None:
    """Run a conversion program, output captured; stopped with all its children after ``timeout``."""
    kwargs: dict = {"stdin": subprocess.DEVNULL, "stdout": subprocess.PIPE, "stderr": subprocess.STDOUT}
    if os.name == "posix":
        kwargs["start_new_session"] = True  # its own process group: a timeout stops soffice.bin too
    else:
        kwargs["creationflags"] = subprocess.CREATE_NEW_PROCESS_GROUP
    try:
        proc = subprocess.Popen(cmd, **kwargs)
    except OSError as exc:
        raise _Failed(f"无法启动 {cmd[0]}：{exc.strerror or exc}") from None
    try:
        proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        _stop(proc)
        raise _Failed(f"超过 {int(timeout)} 秒未完成，已停止") from None
    except BaseException:  # Ctrl-C: leave nothing running
        _stop(proc)
        raise
    if proc.returncode:
        raise _Failed(f"退出码 {proc.returncode}")


def _stop(proc: subprocess.Popen) -> None:
    try:
        if os.name == "posix":
            os.killpg(proc.pid, signal.SIGKILL)
        else:
            subprocess.run(["taskkill", "/F", "/T", "/PID", str(proc.pid)], capture_output=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        proc.kill()
    proc.wait()


def _no_sandbox() -> list[str]:
    """Chromium refuses to start as root (containers, CI) unless its sandbox is off."""
    return ["--no-sandbox"] if getattr(os, "geteuid", lambda: 1)() == 0 else []


def _pdf_bytes(path: Path) -> bytes:
    data = path.read_bytes() if path.is_file() else b""
    if not data.startswith(b"%PDF"):
        raise _Failed("未生成 PDF 文件")
    return data


def _publish(data: bytes, target: Path) -> None:
    """Write the PDF atomically, readable like the products it sits next to (the umask allows)."""
    from .outdir import UMASK

    write_bytes_atomic(target, data)
    os.chmod(target, 0o666 & ~UMASK)


# --------------------------------------------------------------------------- the conversion


@dataclass
class PdfResult:
    written: list[Path] = field(default_factory=list)  # the PDFs written, in the order of the sources
    messages: list[str] = field(default_factory=list)  # Chinese: what to install, what failed and why
    missing: list[str] = field(default_factory=list)  # labels of the programs not found

    def lines(self) -> list[str]:
        """What to show the analyst: each PDF written, then each message."""
        return [f"已生成 PDF：{p}" for p in self.written] + [f"注意：{m}" for m in self.messages]


def export(files: Iterable[Path], out_dir: Path | None = None) -> PdfResult:
    """PDF copies of ``files`` (.xlsx through LibreOffice, .html through Chromium), each written as
    ``<name>.pdf`` next to its source or into ``out_dir``. Never raises for a missing program or
    a failed conversion: those are in the result's messages (a file that is not .xlsx or .html is
    a programming error: ValueError)."""
    files = [Path(f) for f in files]
    for f in files:
        if f.suffix.lower() not in TOOLS:
            raise ValueError(f"no PDF conversion for {f.name}")
    result = PdfResult()
    done: dict[Path, Path] = {}
    present = []
    for f in files:
        if f.is_file():
            present.append(f)
        else:
            result.messages.append(f"找不到 {f}，未生成其 PDF")
    with tempfile.TemporaryDirectory(prefix="yonggong-pdf-") as tmp:
        work = Path(tmp)
        for suffix, tool in TOOLS.items():
            group = [f for f in present if f.suffix.lower() == suffix]
            if not group:
                continue
            program, note = locate(tool)
            if program is None:
                result.missing.append(tool.label)
                result.messages.append(tool.hint(note) + f"（{'、'.join(f.name for f in group)}）")
                continue
            convert = _with_soffice if tool is SOFFICE else _with_chromium
            for source, data_or_reason in convert(program, group, work / suffix.lstrip(".")):
                if isinstance(data_or_reason, str):
                    result.messages.append(f"{source.name} 未能转换为 PDF（{tool.label}：{data_or_reason}）")
                    continue
                target = (Path(out_dir) if out_dir else source.parent) / (source.stem + ".pdf")
                try:
                    _publish(data_or_reason, target)
                except OSError as exc:  # Windows: the old PDF is open in a reader
                    result.messages.append(f"无法写入 {target}（{exc.strerror or exc}；文件是否正在被打开？）")
                    continue
                done[source] = target
    result.written = [done[f] for f in files if f in done]
    return result


def _with_soffice(program: Path, sources: list[Path], work: Path):
    """(source, PDF bytes or the reason it failed) for each workbook: one LibreOffice run for all."""
    out = work / "out"
    out.mkdir(parents=True)
    staged = {}
    for i, src in enumerate(sources):  # plain names: LibreOffice and every locale agree on them
        try:
            staged[src] = Path(shutil.copyfile(src, work / f"f{i}{src.suffix.lower()}"))
        except OSError as exc:
            yield src, f"无法读取：{exc.strerror or exc}"
    if not staged:
        return
    profile = (work / "profile").resolve().as_uri()
    cmd = [str(program), f"-env:UserInstallation={profile}", "--headless", "--norestore", "--nolockcheck",
           "--convert-to", "pdf", "--outdir", str(out), *map(str, staged.values())]
    try:
        _run(cmd, SOFFICE_TIMEOUT)
        failed = None
    except _Failed as exc:
        failed = str(exc)
    for src, st in staged.items():
        try:
            yield src, _pdf_bytes(out / (st.stem + ".pdf"))
        except _Failed as exc:
            yield src, failed or str(exc)


def _with_chromium(program: Path, sources: list[Path], work: Path):
    """(source, PDF bytes or the reason it failed) for each page: one browser run per page."""
    work.mkdir(parents=True)
    for i, src in enumerate(sources):
        target = work / f"p{i}.pdf"
        cmd = [str(program), *CHROMIUM_FLAGS, *_no_sandbox(), f"--user-data-dir={work / f'profile{i}'}",
               f"--print-to-pdf={target}", src.resolve().as_uri()]
        try:
            _run(cmd, CHROMIUM_TIMEOUT)
            yield src, _pdf_bytes(target)
        except _Failed as exc:
            yield src, str(exc)


# --------------------------------------------------------------------------- the products of a day


def export_day(folder: Path, names: dict[str, str], keys: Iterable[str]) -> PdfResult:
    """PDFs of ``folder / names[key]`` for each key, next to them (``invoke week`` passes its own
    names and keys)."""
    return export([Path(folder) / names[k] for k in keys])


def export_published(folder: Path, names: dict[str, str], keys: Iterable[str], label: str) -> PdfResult:
    """:func:`export_day` on a published run folder (``outputs/<day>/<name>/``), holding that
    folder's run lock so that no run of the same day replaces it meanwhile; a held lock is a
    message (the products are there, only their PDFs are not made)."""
    from .runlock import lock

    folder = Path(folder)
    try:
        with lock(folder.parent / f".{folder.name}.lock", label):
            return export_day(folder, names, keys)
    except RunLocked as exc:
        return PdfResult(messages=[f"未生成 PDF：{exc.message}"])


def export_city_day(folder: Path, city: str, day: dt.date, label: str = "") -> PdfResult:
    """The 汇总表, 附件3 and 工作简报 of a published city day as PDFs (:data:`CITY_KEYS`)."""
    return export_published(folder, catalogue.names("city", city, day), CITY_KEYS, label or f"{city} {day}")


def export_province_day(folder: Path, day: dt.date) -> PdfResult:
    """The province's roll-up workbook and brief of a published day as PDFs (:data:`PROVINCE_KEYS`)."""
    from . import province

    return export_published(folder, province.common.names(day), PROVINCE_KEYS, f"{province.common.config()['name']} {day}")
