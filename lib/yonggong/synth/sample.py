"""Deterministic synthetic sample inbox for Jiangxi's 11 cities (``invoke sample``).

``generate(out_dir)`` writes ``out_dir/<city>/<YYYY-MM-DD>/*.xlsx|*.csv`` for every city and
every day of ``settings()["sample"]`` and ``out_dir/planted.json``: the deliberate "mess"
planted in the files, each with the file name, sheet name ("" for a CSV), the row number as
Excel shows it, the column header as written, the kind and the value as written. Kinds are
``form:<what>`` for valid but unusual forms a reader must parse (``1,200``, ``2020年2月24日``,
a 合计 row, a GB18030 CSV …) and ``fault:<rule>`` for genuine faults a validator must report.
``expected`` holds the clean value behind a form (or the true value behind a fault). File-level
entries (encoding, a table split across files) have ``excel_row`` and ``column`` null.

How it works: a small simulation per city keeps a state for each key enterprise (staff,
staff on duty, shortage, vacancies by job) and moves it day by day as placements (table D)
come in: shortage(D) = shortage(D-1) - placements(D) + occasional new demand. Each day's
tables A–M are built as rows of canonical columns (``params/tables.yaml``), laid out into
sheets and workbooks in the city's own style (title rows, header aliases, a two-row header,
CSV), then the planned mess of ``MESS_PLAN`` is applied and recorded. Every random choice
comes from ``random.Random`` seeded by (seed, city) or (seed, city, day), xlsx files go
through ``xlsxio.save_workbook`` and modification times are fixed, so the same seed gives
byte-identical files with identical times.

Table J (求助受理) is sent every day and follows the report period W(D) = (D-1 cut-off,
D cut-off] (settings ``period_cutoff``): folder D lists the requests received in W(D) with
their status at D's cut-off (已办结 with 办结时间, or 办理中 with 办结时间 blank), plus earlier
requests closed within W(D), sent again under the same 编号 (QZ<受理日期><seq>) as 已办结.
Merged by 编号 (newest folder wins) the folders give one row per request. Requests come from
a generator of their own per (seed, city, day). planted.json has one file-level entry per
city (``form:request_status_update``, on the first day's J workbook) with the week's counts
and the 编号 sent again (received folder, closed folder).

Word lists (enterprise names, people's names, jobs, origins, practice texts) live in
``params/sample_names.yaml``. Enterprises, people, ID numbers and phone numbers are made up.

The parts: ``sample_model`` (layouts, the mess plan, data classes), ``sample_world`` (one city's
enterprises, simulation and file layout), ``sample_tables`` (the rows of tables A–M and the help
requests), ``sample_mess`` (the planted mess of one day); this module writes the files.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
from collections import Counter
from datetime import date, datetime, time, timedelta
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from ..indicators import LOCAL
from ..reference import City, cities, load_yaml, resolve_city, settings
from ..xlsxio import save_workbook
from . import sample_outbound, sample_returns
from .sample_mess import day_books
from .sample_model import Book, Sheet
from .sample_world import CityWorld

WORDS_FILE = "sample_names.yaml"
PLANTED_FILE = "planted.json"
WIDTHS = {"统一社会信用代码": 22, "身份证号": 22, "企业名称": 30, "返岗企业": 24, "问题困难": 30, "内容": 60,
          "标题": 30, "单位及职务": 36, "出发地": 20, "调整原因": 24, "调剂来源企业": 28, "诉求内容": 30,
          "受理时间": 17, "办结时间": 17, "意向岗位": 20, "单位或个人": 24, "意向输出地": 18}

TITLE_FONT = Font(bold=True, size=14)
HEADER_FONT = Font(bold=True)
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)


def _json_value(value: object) -> object:
    """A cell value as JSON: dates as ISO text, everything else as is."""
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    return value


# --------------------------------------------------------------------------- writing files


def _grid(sheet: Sheet) -> tuple[list[list], list[tuple[int, int, int, int]], int]:
    """The cells of a sheet (titles, header, data), its merged ranges and its first data row."""
    width = len(sheet.columns)
    grid: list[list] = []
    merges = []
    for title in sheet.titles:
        grid.append([title] + [None] * (width - 1))
        merges.append((len(grid), 1, len(grid), width))
    if sheet.groups:
        grid += _two_row_header(sheet, len(grid) + 1, merges)
    else:
        grid.append([sheet.label(c) for c in sheet.columns])
    first = len(grid) + 1
    grid += [[row.get(c) for c in sheet.columns] for row in sheet.rows]
    return grid, merges, first


def _two_row_header(sheet: Sheet, top: int, merges: list) -> list[list]:
    """A merged two-row header: group headings over their sub-columns, others merged down."""
    upper, lower = [], []
    group_of = {c: (label, cols) for label, cols in sheet.groups for c in cols}
    for i, col in enumerate(sheet.columns, 1):
        if col not in group_of:
            upper.append(sheet.label(col))
            lower.append(None)
            merges.append((top, i, top + 1, i))
            continue
        label, cols = group_of[col]
        first = col == cols[0]
        upper.append(label if first else None)
        lower.append(sheet.label(col))
        if first:
            merges.append((top, i, top, i + len(cols) - 1))
    return [upper, lower]


def _write_xlsx(book: Book, path: Path) -> list[int]:
    """Write a workbook; returns the first data row of each sheet."""
    wb = Workbook()
    wb.remove(wb.active)
    wb.properties.creator = "yonggong 样例数据（虚构）"
    starts = []
    for sheet in book.sheets:
        ws = wb.create_sheet(sheet.name)
        grid, merges, first = _grid(sheet)
        for r, values in enumerate(grid, 1):
            for c, value in enumerate(values, 1):
                if value is not None:
                    _put(ws.cell(r, c, value), value, r, first, len(sheet.titles))
        for r1, c1, r2, c2 in merges:
            ws.merge_cells(start_row=r1, start_column=c1, end_row=r2, end_column=c2)
        for i, col in enumerate(sheet.columns, 1):
            ws.column_dimensions[get_column_letter(i)].width = WIDTHS.get(col, 11)
        starts.append(first)
    save_workbook(wb, path)
    return starts


def _put(cell, value: object, row: int, first: int, titles: int) -> None:
    """Format one cell: titles big, header bold, dates as dates."""
    if row <= titles:
        cell.font = TITLE_FONT if row == 1 else HEADER_FONT
    elif row < first:
        cell.font, cell.alignment = HEADER_FONT, CENTER
    elif isinstance(value, datetime):
        cell.number_format = "yyyy-mm-dd hh:mm"
    elif isinstance(value, date):
        cell.number_format = "yyyy-mm-dd"


def _csv_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _write_csv(book: Book, path: Path) -> list[int]:
    """Write a CSV in the book's encoding; returns the first data row."""
    grid, _, first = _grid(book.sheets[0])
    with path.open("w", encoding=book.encoding, newline="") as fh:
        writer = csv.writer(fh)
        for values in grid:
            writer.writerow([_csv_text(v) for v in values])
    return [first]


def _records(city: City, day: date, book: Book, starts: list[int]) -> list[dict]:
    """planted.json entries of one written file."""
    base = {"city": city.name, "date": day.isoformat(), "file": book.file}
    out = []
    for sheet, first in zip(book.sheets, starts, strict=True):
        name = "" if book.encoding else sheet.name
        for p in sheet.plants:
            out.append({**base, "sheet": name, "excel_row": first + p.row, "column": sheet.label(p.column),
                        "kind": p.kind, "value": _json_value(sheet.rows[p.row].get(p.column)),
                        "expected": _json_value(p.expected)})
    for kind, value in book.notes:
        name = "" if book.encoding else book.sheets[0].name
        out.append({**base, "sheet": name, "excel_row": None, "column": None, "kind": kind, "value": value,
                    "expected": None})
    return out


def _write_day(folder: Path, books: list[Book], city: City, day: date) -> list[dict]:
    """Write one city-day's files with fixed modification times; returns planted entries."""
    folder.mkdir(parents=True, exist_ok=True)
    records = []
    for k, book in enumerate(books):
        path = folder / book.file
        starts = _write_csv(book, path) if book.encoding else _write_xlsx(book, path)
        hour, minute = book.clock or (10, 0)
        offset = timedelta(minutes=0 if book.clock else 6 * k)
        stamp = (datetime.combine(day, time(hour, minute), LOCAL) + offset).timestamp()
        os.utime(path, (stamp, stamp))
        records += _records(city, day, book, starts)
    return records


def _clear(out_dir: Path) -> None:
    """Remove what an earlier run wrote (city folders, planted.json), nothing else."""
    out_dir.mkdir(parents=True, exist_ok=True)
    for city in cities():
        target = out_dir / city.name
        if target.is_symlink() or target.is_file():
            target.unlink()
        elif target.is_dir():
            shutil.rmtree(target)
    (out_dir / PLANTED_FILE).unlink(missing_ok=True)


def _as_date(value: object) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def generate(out_dir: Path, seed: int | None = None) -> dict:
    """Write the synthetic inbox for all 11 cities under ``out_dir``; return a summary.

    Layout: ``out_dir/<city short name>/<YYYY-MM-DD>/*.xlsx|*.csv`` for every day from
    ``settings()["sample"]["first_day"]`` to ``["last_day"]``, plus ``out_dir/planted.json``.
    City folders and planted.json from an earlier run are removed first; nothing is written
    outside ``out_dir``. The same seed (default ``settings()["sample"]["seed"]``) gives
    byte-identical files with identical modification times.
    """
    out_dir = Path(out_dir)
    cfg = settings()["sample"]
    seed = cfg["seed"] if seed is None else seed
    first, last = _as_date(cfg["first_day"]), _as_date(cfg["last_day"])
    days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
    words = load_yaml(WORDS_FILE)
    _clear(out_dir)
    planted, files, size = [], 0, 0
    rows, per_table = Counter(), Counter()
    outbound = sample_outbound.exporters(seed)  # 劳务输出 files of the exporting cities (new files)
    for city in cities():
        world = CityWorld(city, seed, days, words)
        for d, day in enumerate(days):
            world.step(d)
            books = day_books(world, d)
            if city.name in outbound:
                books = books + outbound[city.name].books(day, d)
            books = books + sample_returns.books(world, d, day)  # 组团返岗 (new file)
            folder = out_dir / city.name / day.isoformat()
            planted += _write_day(folder, books, city, day)
            if d == 0:
                planted.append(world.request_entry(books))
            for book in books:
                files += 1
                size += (folder / book.file).stat().st_size
                per_table.update(dict.fromkeys((s.table for s in book.sheets), 1))
                rows.update(_count_rows(book))
    with (out_dir / PLANTED_FILE).open("w", encoding="utf-8", newline="\n") as fh:
        json.dump(planted, fh, ensure_ascii=False, indent=1)
        fh.write("\n")
    stamp = datetime.combine(days[-1], time(18, 0), LOCAL).timestamp()
    os.utime(out_dir / PLANTED_FILE, (stamp, stamp))
    return {"cities": len(cities()), "days": len(days), "files": files, "bytes": size,
            "files_per_table": dict(sorted(per_table.items())), "rows_per_table": dict(sorted(rows.items())),
            "planted": len(planted), "faults": sum(p["kind"].startswith("fault:") for p in planted)}


def _count_rows(book: Book) -> Counter:
    """Data rows per table in one file."""
    count = Counter()
    for sheet in book.sheets:
        count[sheet.table] += len(sheet.rows)
    return count


def generate_campaign(out_dir: Path, city: str, days: int, seed: int | None = None) -> Path:
    """A longer campaign for one city with the same generator: ``days`` day folders from
    ``settings()["sample"]["first_day"]`` under ``out_dir/<city>/`` (``invoke bench`` S5). Nothing
    else is written (no planted.json); the same arguments give byte-identical files."""
    out_dir = Path(out_dir)
    cfg = settings()["sample"]
    first = _as_date(cfg["first_day"])
    dates = [first + timedelta(days=i) for i in range(days)]
    c = resolve_city(city)
    world = CityWorld(c, cfg["seed"] if seed is None else seed, dates, load_yaml(WORDS_FILE))
    for d, day in enumerate(dates):
        world.step(d)
        _write_day(out_dir / c.name / day.isoformat(), day_books(world, d), c, day)
    return out_dir
