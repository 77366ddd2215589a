"""Documents rendered as a reader gets them, and measured (issue 14): xlsx through LibreOffice to
PDF, HTML through headless Chromium (print with the page's own A4 ``@page``, and a 390 px
viewport). Used by tests/test_pages.py (three city-days) and by ``invoke pages`` (every city-day
of the sample week, run by .ci/run after the tests).

Limits (issue 14): the 汇总表 sheet 1 page and its workbook ≤ 3; 附件3 ≤ 2; the brief ≤ 3; the
brief and the 专区 page no wider than a 390 px viewport; no xlsx row over Excel's 409 pt.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import openpyxl

from yonggong.pdf import find_soffice

LIMITS = {"form_sheet": 1, "form_book": 3, "progress": 2, "brief": 3}
PHONE_WIDTH = 390
MAX_ROW_PT = 409

_PAGE = re.compile(rb"/Type\s*/Page(?![a-zA-Z])")


def pdf_pages(data: bytes) -> int:
    """The number of pages of a PDF (its page objects)."""
    return len(_PAGE.findall(data))


def soffice() -> str | None:
    """LibreOffice as the product finds it (yonggong.pdf: YONGGONG_SOFFICE, PATH, install folders)."""
    found = find_soffice()
    return str(found) if found else None


def xlsx_pages(paths: list[Path], work: Path, chunk: int = 24) -> dict[Path, int]:
    """Page counts of workbooks as LibreOffice prints them (a few soffice runs for all; a file
    it could not convert counts 0 pages)."""
    out = work / "pdf"
    out.mkdir(parents=True, exist_ok=True)
    staged = []
    for i, p in enumerate(paths):  # plain names: one folder, no clash
        q = work / f"f{i}.xlsx"
        shutil.copyfile(p, q)
        staged.append(q)
    for start in range(0, len(staged), chunk):
        subprocess.run([soffice(), f"-env:UserInstallation=file://{work}/lo", "--headless", "--convert-to", "pdf",
                        "--outdir", str(out), *map(str, staged[start:start + chunk])],
                       capture_output=True, text=True, timeout=900)
    counts = {}
    for p, q in zip(paths, staged, strict=True):
        pdf = out / (q.stem + ".pdf")
        counts[p] = pdf_pages(pdf.read_bytes()) if pdf.is_file() else 0
    return counts


def first_sheet_only(path: Path, work: Path) -> Path:
    """A copy of a workbook with only its first sheet (to count that sheet's pages)."""
    wb = openpyxl.load_workbook(path)
    for ws in wb.worksheets[1:]:
        wb.remove(ws)
    out = work / f"{path.stem}-sheet1.xlsx"
    wb.save(out)
    return out


def tall_rows(path: Path) -> list[str]:
    """Rows of a workbook taller than Excel allows (sheet!row height)."""
    wb = openpyxl.load_workbook(path)
    try:
        return [f"{ws.title}!{r} {d.height}" for ws in wb.worksheets for r, d in ws.row_dimensions.items()
                if d.height is not None and d.height > MAX_ROW_PT]
    finally:
        wb.close()


def html_pages(browser, path: Path) -> tuple[int, int]:
    """(pages printed on the page's own @page size, document width at a 390 px viewport)."""
    from chromium import Page

    page = Page(browser, width=1280, height=900)
    try:
        page.open(path.resolve().as_uri())
        pages = pdf_pages(page.pdf())
    finally:
        page.close()
    phone = Page(browser, width=PHONE_WIDTH, height=800)
    try:
        phone.open(path.resolve().as_uri())
        width = int(phone.eval("document.documentElement.scrollWidth"))
    finally:
        phone.close()
    return pages, width


@dataclass
class Report:
    checked: int = 0
    failures: list[str] = field(default_factory=list)
    counts: dict[str, dict[str, int]] = field(default_factory=dict)


def _one(folder: Path, pattern: str) -> Path:
    found = sorted(folder.glob(pattern))
    if len(found) != 1:
        raise RuntimeError(f"{folder}: {pattern} gives {len(found)} files")
    return found[0]


def check_days(folders: list[Path], browser, work: Path) -> Report:
    """Every limit on each published city-day folder (one LibreOffice run for all the workbooks)."""
    report = Report()
    books = {}
    for i, folder in enumerate(folders):
        form, prog = _one(folder, "重点企业用工调度保障工作信息汇总表_*.xlsx"), _one(folder, "每日进展情况_*.xlsx")
        sub = work / f"d{i}"
        sub.mkdir(parents=True, exist_ok=True)
        books[folder] = (form, first_sheet_only(form, sub), prog)
    pages = xlsx_pages([p for trio in books.values() for p in trio], work)
    for folder in folders:
        form, sheet1, prog = books[folder]
        where = f"{folder.parent.name}/{folder.name}"
        counts = {"form_book": pages[form], "form_sheet": pages[sheet1], "progress": pages[prog]}
        counts["brief"], brief_width = html_pages(browser, _one(folder, "工作简报_*.html"))
        _, zone_width = html_pages(browser, _one(folder, "专区_*.html"))
        report.counts[where] = counts
        for key, n in counts.items():
            report.checked += 1
            if n > LIMITS[key] or n < 1:
                report.failures.append(f"{where} {key}: {n} 页（上限 {LIMITS[key]}）")
        for name, width in (("brief", brief_width), ("zone", zone_width)):
            report.checked += 1
            if width > PHONE_WIDTH:
                report.failures.append(f"{where} {name}: 390 px 下宽 {width} px")
        for p in sorted(folder.rglob("*.xlsx")):
            report.checked += 1
            report.failures += [f"{where} {p.name} {t}" for t in tall_rows(p)]
    return report


def main(out_root: Path) -> int:
    """``invoke pages``: every city-day under ``out_root``/<day>/<city>/ (as ``invoke all`` leaves them)."""
    from chromium import Browser

    folders = sorted(p.parent for p in out_root.glob("*/*/重点企业用工调度保障工作信息汇总表_*.xlsx")
                     if p.parent.name != "省")
    with tempfile.TemporaryDirectory() as tmp:
        browser = Browser(Path(tmp) / "profile")
        try:
            report = check_days(folders, browser, Path(tmp) / "work")
        finally:
            browser.close()
    for where, counts in report.counts.items():
        print(f"{where}: " + "，".join(f"{k} {v}" for k, v in counts.items()))
    print(f"{len(folders)} 个市日，{report.checked} 项检查，{len(report.failures)} 项超限")
    for f in report.failures:
        print("  " + f)
    return 1 if report.failures or not folders else 0


# ---------------------------------------------------------------- screenshots for the README

SHOTS = {"progress": "附件3_每日进展情况.png", "brief": "工作简报_第1页.png", "comparison": "省级_逐日对比.png"}


def only_sheet(path: Path, name: str, work: Path) -> Path:
    """A copy of a workbook with only the sheet ``name`` (to print that sheet alone)."""
    wb = openpyxl.load_workbook(path)
    for ws in list(wb.worksheets):
        if ws.title != name:
            wb.remove(ws)
    out = work / f"{path.stem}-{name}.xlsx"
    wb.save(out)
    return out


def _png_of_pdf(pdf: Path, target: Path, dpi: int = 110) -> Path:
    """Page 1 of ``pdf`` as a PNG at ``target`` (pdftoppm, poppler-utils)."""
    stem = target.with_suffix("")
    subprocess.run(["pdftoppm", "-r", str(dpi), "-png", "-f", "1", "-l", "1", "-singlefile", str(pdf), str(stem)],
                   check=True, capture_output=True, timeout=300)
    return target


def screenshots(city_folder: Path, province_workbook: Path, comparison_sheet: str, browser, target: Path,
                work: Path) -> list[Path]:
    """The README's pictures of the sample: 附件3 and the brief's first page of a city day (as
    printed: LibreOffice and Chromium to PDF, then page 1 as PNG), and the province's 逐日对比 sheet."""
    target.mkdir(parents=True, exist_ok=True)
    work.mkdir(parents=True, exist_ok=True)
    progress = work / "progress.xlsx"  # 附件3 is a one-sheet workbook; an ASCII name for soffice
    shutil.copyfile(_one(city_folder, "每日进展情况_*.xlsx"), progress)
    comparison = only_sheet(province_workbook, comparison_sheet, work)
    subprocess.run([soffice(), f"-env:UserInstallation=file://{work}/lo", "--headless", "--convert-to", "pdf",
                    "--outdir", str(work), str(progress), str(comparison)], capture_output=True, text=True, timeout=900)
    from chromium import Page

    page = Page(browser, width=1280, height=900)
    try:
        page.open(_one(city_folder, "工作简报_*.html").resolve().as_uri())
        (work / "brief.pdf").write_bytes(page.pdf())
    finally:
        page.close()
    return [_png_of_pdf(work / f"{progress.stem}.pdf", target / SHOTS["progress"]),
            _png_of_pdf(work / "brief.pdf", target / SHOTS["brief"]),
            _png_of_pdf(work / f"{comparison.stem}.pdf", target / SHOTS["comparison"])]
