"""PDF copies for paper (issue 17, item 4): ``yonggong.pdf`` and ``invoke daily … --pdf``.

The 南昌 sample day (the session's ``nanchang_run``) is converted for real with LibreOffice and
Chromium: the PDFs sit next to their sources, start with ``%PDF``, have A4 pages in the right
orientation and the pages the documents print as (the 汇总表 workbook one page per sheet, 附件3
one page, the brief as many as Chromium's own print of it through DevTools, the route
tests/pages.py measures with). With the programs hidden the run writes nothing and says what to
install. The programs are required in CI (``CI`` set, .ci/run installs them): there a missing
program fails the tests instead of skipping them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
import shutil
import sys
from pathlib import Path

import openpyxl
import pages
import pytest
from conftest import invoke

from yonggong import pdf

DAY = dt.date(2020, 3, 1)
SOURCES = {"huizongbiao": "重点企业用工调度保障工作信息汇总表_南昌_20200301.xlsx",
           "progress": "每日进展情况_南昌_20200301.xlsx", "brief": "工作简报_南昌_20200301.html"}
A4 = (595.28, 841.89)  # points (210 × 297 mm)
_MEDIABOX = re.compile(rb"/MediaBox\s*\[\s*([-\d.]+)\s+([-\d.]+)\s+([-\d.]+)\s+([-\d.]+)\s*\]")
posix_only = pytest.mark.skipif(sys.platform == "win32", reason="fake programs are shell scripts")


def need(found, what: str) -> None:
    """Skip without the program, except in CI, where .ci/run installs it: there it is a failure."""
    if found is None:
        if os.environ.get("CI"):
            pytest.fail(f"{what} is required in CI (.ci/run installs it)")
        pytest.skip(f"{what} is not installed")


def sha(p: Path) -> str:
    return hashlib.sha256(p.read_bytes()).hexdigest()


def page_sizes(data: bytes) -> set[tuple[int, int]]:
    """(width, height) in whole points of every MediaBox in a PDF."""
    return {(round(float(x1) - float(x0)), round(float(y1) - float(y0)))
            for x0, y0, x1, y1 in _MEDIABOX.findall(data)}


def copy_day(src: Path, dest: Path) -> Path:
    """The three sources of a published day, copied (the session's folder stays as published)."""
    dest.mkdir(parents=True)
    for name in SOURCES.values():
        shutil.copy2(src / name, dest / name)
    return dest


@pytest.fixture(scope="module")
def exported(nanchang_run, tmp_path_factory):
    need(pdf.find_soffice(), "LibreOffice (soffice)")
    need(pdf.find_chromium(), "Chromium")
    folder = copy_day(nanchang_run[0], tmp_path_factory.mktemp("pdf") / "2020-03-01" / "南昌")
    before = {p.name: sha(p) for p in folder.iterdir()}
    result = pdf.export_city_day(folder, "南昌", DAY)
    return folder, before, result


def test_the_three_documents_get_a_pdf_next_to_them(exported):
    folder, before, result = exported
    assert result.messages == [] and result.missing == []
    expected = [folder / Path(name).with_suffix(".pdf").name for name in SOURCES.values()]
    assert result.written == expected
    for p in expected:
        assert p.read_bytes().startswith(b"%PDF-"), p.name
    # the sources untouched, nothing else left behind (no staging file, no lock)
    assert {p.name: sha(p) for p in folder.iterdir() if p.suffix != ".pdf"} == before
    assert sorted(p.name for p in folder.iterdir()) == sorted([*before, *(p.name for p in expected)])
    assert [p.name for p in folder.parent.iterdir()] == ["南昌"]
    assert result.lines() == [f"已生成 PDF：{p}" for p in expected]


@posix_only
def test_the_pdfs_are_readable_like_the_products(exported):
    folder, _, result = exported
    mask = os.umask(0o022)
    os.umask(mask)
    for p in result.written:
        assert p.stat().st_mode & 0o777 == 0o666 & ~mask, p.name


def test_the_workbooks_print_one_a4_page_per_sheet(exported):
    folder, _, _ = exported
    form = folder / SOURCES["huizongbiao"]
    sheets = openpyxl.load_workbook(form, read_only=True).sheetnames  # 汇总表, 指标说明 for 南昌
    data = form.with_suffix(".pdf").read_bytes()
    assert pages.pdf_pages(data) == len(sheets) == 2
    assert page_sizes(data) == {(round(A4[1]), round(A4[0]))}  # landscape
    progress = (folder / SOURCES["progress"]).with_suffix(".pdf").read_bytes()
    assert pages.pdf_pages(progress) == 1  # 附件3: one page on the sample
    assert page_sizes(progress) == {(round(A4[0]), round(A4[1]))}  # portrait


def test_the_brief_prints_as_in_the_browser_with_its_own_font(exported, browser):
    from chromium import Page
    from fontTools.ttLib import TTFont

    folder, _, _ = exported
    html = folder / SOURCES["brief"]
    data = html.with_suffix(".pdf").read_bytes()
    page = Page(browser, width=1280, height=900)
    try:
        page.open(html.as_uri())
        printed = pages.pdf_pages(page.pdf())
    finally:
        page.close()
    assert 1 <= pages.pdf_pages(data) == printed <= pages.LIMITS["brief"]
    assert page_sizes(data) == {(round(A4[0]), round(A4[1]))}
    # the embedded font was loaded before printing (CI has no CJK font: anything else is tofu)
    postscript = TTFont(Path(pdf.__file__).parent / "fonts" / "brief-sc.woff")["name"].getDebugName(6)
    assert re.search(rb"/BaseFont\s*/[A-Z]{6}\+" + re.escape(postscript.encode()) + rb"\b", data)


def test_without_the_programs_nothing_is_written_and_the_hint_says_what_to_install(nanchang_run, tmp_path,
                                                                                   monkeypatch):
    folder = copy_day(nanchang_run[0], tmp_path / "南昌")
    monkeypatch.setenv("YONGGONG_SOFFICE", str(tmp_path / "无此程序" / "soffice"))
    monkeypatch.setenv("YONGGONG_CHROMIUM", str(tmp_path / "无此程序" / "chromium"))
    assert pdf.find_soffice() is None and pdf.find_chromium() is None
    result = pdf.export_city_day(folder, "南昌", DAY)
    assert result.written == []
    assert result.missing == ["LibreOffice", "Chromium、Chrome 或 Edge 浏览器"]
    office, browser = result.messages
    assert office.startswith("未找到 LibreOffice") and "未生成 PDF" in office
    assert "libreoffice.org" in office and "apt install libreoffice-calc-nogui" in office
    assert "YONGGONG_SOFFICE" in office and SOURCES["huizongbiao"] in office and SOURCES["progress"] in office
    assert browser.startswith("未找到 Chromium、Chrome 或 Edge") and "apt install chromium" in browser
    assert SOURCES["brief"] in browser
    assert sorted(p.name for p in folder.iterdir()) == sorted(SOURCES.values())


@posix_only
def test_programs_are_found_on_path_and_the_override_alone_counts(tmp_path, monkeypatch):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for name in ("libreoffice", "google-chrome"):
        (bin_dir / name).write_text("#!/bin/sh\nexit 0\n")
        (bin_dir / name).chmod(0o755)
    monkeypatch.setenv("PATH", str(bin_dir))
    monkeypatch.delenv("YONGGONG_SOFFICE", raising=False)
    monkeypatch.delenv("YONGGONG_CHROMIUM", raising=False)
    assert pdf.find_soffice() == bin_dir / "libreoffice"
    assert pdf.find_chromium() == bin_dir / "google-chrome"
    monkeypatch.setenv("YONGGONG_SOFFICE", str(tmp_path / "nowhere"))
    assert pdf.find_soffice() is None  # a wrong override is not silently replaced by PATH
    assert "YONGGONG_SOFFICE 指向的" in pdf.SOFFICE.hint(pdf.locate(pdf.SOFFICE)[1])
    monkeypatch.setenv("YONGGONG_SOFFICE", "libreoffice")  # a bare name: looked up on PATH
    assert pdf.find_soffice() == bin_dir / "libreoffice"


@posix_only
def test_a_failing_or_hanging_program_is_a_message_naming_the_file(tmp_path, monkeypatch):
    book = tmp_path / "表.xlsx"
    book.write_bytes(b"not really a workbook")
    page = tmp_path / "页.html"
    page.write_text("<p>x</p>", encoding="utf-8")
    failing, hanging = tmp_path / "failing", tmp_path / "hanging"
    failing.write_text("#!/bin/sh\nexit 3\n")
    hanging.write_text("#!/bin/sh\nsleep 30\n")
    for p in (failing, hanging):
        p.chmod(0o755)
    monkeypatch.setenv("YONGGONG_SOFFICE", str(failing))
    monkeypatch.setenv("YONGGONG_CHROMIUM", str(hanging))
    monkeypatch.setattr(pdf, "CHROMIUM_TIMEOUT", 1)
    result = pdf.export([book, page])
    assert result.written == [] and result.missing == []
    assert result.messages == ["表.xlsx 未能转换为 PDF（LibreOffice：退出码 3）",
                               "页.html 未能转换为 PDF（Chromium、Chrome 或 Edge 浏览器：超过 1 秒未完成，已停止）"]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["表.xlsx", "页.html", "failing", "hanging"])


def test_other_kinds_of_file_are_refused(tmp_path):
    with pytest.raises(ValueError):
        pdf.export([tmp_path / "台账.parquet"])


def test_daily_with_pdf_on_an_up_to_date_day(nanchang_run, tmp_path, monkeypatch):
    """The CLI on a copy of the session's run (已是最新, so cheap): without the programs exit 0 and
    the hint; with them the PDFs; a later run without --pdf keeps them (they are not products)."""
    src, _ = nanchang_run
    out = tmp_path / "outputs"
    shutil.copytree(src, out / "2020-03-01" / "南昌")
    folder = out / "2020-03-01" / "南昌"
    monkeypatch.setenv("YONGGONG_SOFFICE", str(tmp_path / "nowhere"))
    monkeypatch.setenv("YONGGONG_CHROMIUM", str(tmp_path / "nowhere"))
    res = invoke("daily", "--city=南昌", f"--out={out}", "--pdf")
    assert res.returncode == 0, res.stdout + res.stderr
    assert "已是最新" in res.stdout
    hints = [ln for ln in res.stdout.splitlines() if ln.startswith("注意：")]
    assert len(hints) == 2, res.stdout
    assert hints[0].startswith("注意：未找到 LibreOffice（环境变量 YONGGONG_SOFFICE 指向的")
    assert "请安装 LibreOffice（Windows：libreoffice.org 下载；Debian/Ubuntu：apt install libreoffice-calc-nogui）" \
        in hints[0]
    assert hints[1].startswith("注意：未找到 Chromium、Chrome 或 Edge 浏览器") and "apt install chromium" in hints[1]
    assert not list(folder.glob("*.pdf"))

    monkeypatch.delenv("YONGGONG_SOFFICE")
    monkeypatch.delenv("YONGGONG_CHROMIUM")
    need(pdf.find_soffice(), "LibreOffice (soffice)")
    need(pdf.find_chromium(), "Chromium")
    res = invoke("daily", "--city=南昌", f"--out={out}", "--pdf")
    assert res.returncode == 0, res.stdout + res.stderr
    written = [folder / Path(name).with_suffix(".pdf").name for name in SOURCES.values()]
    assert [ln for ln in res.stdout.splitlines() if "PDF" in ln] == [f"已生成 PDF：{p}" for p in written]
    for p in written:
        assert p.read_bytes().startswith(b"%PDF-")

    res = invoke("daily", "--city=南昌", f"--out={out}")
    assert res.returncode == 0 and "已是最新" in res.stdout, res.stdout + res.stderr
    assert all(p.is_file() for p in written)


def test_the_province_day_converts_its_roll_up_and_brief(tmp_path, monkeypatch):
    folder = tmp_path / "2020-03-01" / "省"
    folder.mkdir(parents=True)
    names = ["重点企业用工调度保障工作信息汇总表_江西省_20200301.xlsx", "工作简报_江西省_20200301.html",
             "工作底稿_江西省_20200301.xlsx"]
    for name in names:
        (folder / name).write_bytes(b"")
    monkeypatch.setenv("YONGGONG_SOFFICE", str(tmp_path / "nowhere"))
    monkeypatch.setenv("YONGGONG_CHROMIUM", str(tmp_path / "nowhere"))
    office, browser = pdf.export_province_day(folder, DAY).messages
    assert office.endswith(f"（{names[0]}）") and browser.endswith(f"（{names[1]}）")  # not the working file


def test_a_run_of_the_same_day_in_progress_is_a_message_not_a_failure(nanchang_run, tmp_path):
    from yonggong.runlock import lock

    folder = copy_day(nanchang_run[0], tmp_path / "2020-03-01" / "南昌")
    with lock(folder.parent / ".南昌.lock", "南昌市 2020-03-01"):  # as run_job holds it
        result = pdf.export_city_day(folder, "南昌", DAY, "南昌市 2020-03-01")
    assert result.written == [] and len(result.messages) == 1
    assert result.messages[0].startswith("未生成 PDF：南昌市 2020-03-01的报表正在由另一个运行生成")
    assert not list(folder.glob("*.pdf"))
