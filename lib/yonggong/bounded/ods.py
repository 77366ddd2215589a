"""OpenDocument spreadsheets (ods): content.xml inflated within the budget and scanned for its
tables, rows and cells with their repeat counts; stray cells replaced by empty ones in an
in-memory copy (each reported), error cells put back, then the sheets loaded with the reader.
"""

from __future__ import annotations

import html
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..parse import excel_display
from .common import Area, Book, Limits, SheetPlan, data_area, load_sheets, stray_notes, too_big
from .zipped import OverBudget, inflate, over_budget, rewrite_zip

_ODS_TOKEN_RE = re.compile(
    rb'<(/?)table:(table-row|table-cell|covered-table-cell|table)(?=[\s/>])([^>]*?)(/?)>')
_ODS_REPEAT_RE = {
    b"table-row": re.compile(rb'table:number-rows-repeated="(\d+)"'),
    b"table-cell": re.compile(rb'table:number-columns-repeated="(\d+)"'),
    b"covered-table-cell": re.compile(rb'table:number-columns-repeated="(\d+)"'),
}
_ODS_NAME_RE = re.compile(rb'table:name="([^"]*)"')
_ODS_TYPE_RE = re.compile(rb'office:value-type="(\w+)"')
_ODS_ERROR_RE = re.compile(rb'calcext:value-type="error"')
_ODS_PARA_RE = re.compile(rb'<text:p\b[^>]*?(?:/>|>(.*?)</text:p>)', re.S)
_ODS_ATTR_RE = {k: re.compile(rb'office:' + k + rb'="([^"]*)"') for k in
                (b"value", b"date-value", b"time-value", b"boolean-value", b"string-value")}


def _ods_text(body: bytes) -> str:
    paras = []
    for m in _ODS_PARA_RE.finditer(body):
        inner = re.sub(rb'<text:s\b[^>]*?text:c="(\d+)"[^>]*/>', lambda s: b" " * min(int(s[1]), 1000), m[1] or b"")
        inner = re.sub(rb'<text:s\b[^>]*/>', b" ", inner)
        inner = re.sub(rb'<text:(?:tab|line-break)\b[^>]*/>', b"\n", inner)
        paras.append(html.unescape(re.sub(rb"<[^>]*>", b"", inner).decode("utf-8", "replace")))
    return "\n".join(paras)


def _ods_value(attrs: bytes, body: bytes) -> str:
    t = _ODS_TYPE_RE.search(attrs)
    kind = t[1].decode() if t else ""
    if kind in ("float", "percentage", "currency"):
        v = _ODS_ATTR_RE[b"value"].search(attrs)
        try:
            return excel_display(float(v[1])) if v else _ods_text(body)
        except ValueError:
            return _ods_text(body)
    if kind in ("date", "time", "boolean"):
        v = _ODS_ATTR_RE[{"date": b"date-value", "time": b"time-value", "boolean": b"boolean-value"}[kind]].search(attrs)
        if v:
            return v[1].decode().replace("T00:00:00", "")
    return _ods_text(body)


@dataclass
class _OdsCell:
    row: int
    col: int
    span: int  # repeated columns
    start: int  # byte offsets of the element in content.xml
    end: int
    value: str
    error: bool


def _scan_ods(xml: bytes, limits: Limits) -> dict[str, tuple[list[_OdsCell], int]]:
    """Valued cells of every table of content.xml with their positions (repeats counted)."""
    tables: dict[str, tuple[list[_OdsCell], int]] = {}
    current: list[_OdsCell] | None = None
    name = ""
    row = col = 0
    row_repeat = 1
    row_cells: list[_OdsCell] = []
    depth = 0  # nested tables (inside cells) are part of their cell
    pos = 0
    for m in _ODS_TOKEN_RE.finditer(xml):
        if m.start() < pos:
            continue
        closing, kind, attrs, empty = m[1], m[2], m[3], m[4]
        if kind == b"table":
            if closing:
                depth -= 1
                if depth == 0 and current is not None:
                    tables[name] = (current, row)
                    current = None
            else:
                depth += 1
                if depth == 1:
                    n = _ODS_NAME_RE.search(attrs)
                    name = html.unescape(n[1].decode("utf-8", "replace")) if n else ""
                    current, row = [], 0
            continue
        if depth != 1 or current is None:
            continue
        if kind == b"table-row":
            if closing:
                _add_row(current, row_cells, row, row_repeat)
                row += row_repeat
            else:
                rep = _ODS_REPEAT_RE[b"table-row"].search(attrs)
                row_repeat = int(rep[1]) if rep else 1
                col = 0
                row_cells = []
                if empty:
                    row += row_repeat
            continue
        if closing:
            continue
        rep = _ODS_REPEAT_RE[kind].search(attrs)
        span = int(rep[1]) if rep else 1
        if empty:
            body, end = b"", m.end()
        else:
            close = xml.find(b"</table:" + kind + b">", m.end())
            close = len(xml) if close < 0 else close
            body, end = xml[m.end():close], close + len(kind) + 9
            pos = end
        if kind == b"table-cell" and (_ODS_TYPE_RE.search(attrs) or b"<text:p" in body):
            value = _ods_value(attrs, body)
            if value.strip() or _ODS_TYPE_RE.search(attrs):
                row_cells.append(_OdsCell(row, col, span, m.start(), end, value, bool(_ODS_ERROR_RE.search(attrs))))
        col += span
    return tables


def _add_row(cells: list[_OdsCell], row_cells: list[_OdsCell], row: int, repeat: int) -> None:
    for cell in row_cells:
        cells.append(cell)
        if repeat > 1:  # the same cells in each repeated row (a row written once, repeated)
            cells.append(_OdsCell(row + repeat - 1, cell.col, cell.span, cell.start, cell.end, cell.value, cell.error))


def _expand(cells: list[_OdsCell]) -> tuple[np.ndarray, np.ndarray]:
    """Positions of the cells (a repeated cell: its first and last column)."""
    rows, cols = [], []
    for c in cells:
        rows += [c.row, c.row]
        cols += [c.col, c.col + c.span - 1]
    return np.array(rows, np.int64), np.array(cols, np.int64)


def read_ods(path: Path, zf: zipfile.ZipFile, fh, limits: Limits) -> Book:
    budget = limits.max_unzipped_bytes
    content = bytearray()
    try:
        for info in zf.infolist():
            if info.is_dir():
                continue
            budget -= inflate(fh, zf, info, budget, content.extend if info.filename == "content.xml" else None)
    except OverBudget:
        raise over_budget(limits) from None
    xml = bytes(content)
    del content
    plans: dict[str, SheetPlan] = {}
    cuts: list[tuple[int, int, int]] = []  # (start, end, span) of stray cell elements
    for name, (cells, _height) in _scan_ods(xml, limits).items():
        plan = SheetPlan()
        rows, cols = _expand(cells)
        area = data_area(rows, cols, limits)
        if len(area.keep):
            keep = area.keep.reshape(-1, 2).all(axis=1)
            strays = []
            for cell, kept in zip(cells, keep.tolist(), strict=True):
                if kept:
                    if cell.error:
                        for k in range(cell.span):
                            plan.errors[(cell.row, cell.col + k)] = cell.value
                    continue
                cuts.append((cell.start, cell.end, cell.span))
                if cell.value.strip():
                    strays.append((cell.row, cell.col, cell.value))
            kept_rows, kept_cols = rows.reshape(-1, 2)[keep], cols.reshape(-1, 2)[keep]
            if len(kept_rows):
                area = Area(keep, int(kept_rows.min()), int(kept_cols.min()), int(kept_rows.max()),
                            int(kept_cols.max()))
            plan.notes += stray_notes(sorted(set(strays)), area)
            if area.cells > limits.max_sheet_cells:
                plan.unread = too_big(area, limits)
        plans[name] = plan
    if cuts:
        pieces, pos = [], 0
        for start, end, span in sorted(set(cuts)):
            if start < pos:
                continue
            pieces += [xml[pos:start], b'<table:table-cell table:number-columns-repeated="%d"/>' % span]
            pos = end
        pieces.append(xml[pos:])
        return load_sheets(rewrite_zip(zf, {"content.xml": b"".join(pieces)}), plans, "ods")
    return load_sheets(path, plans, "ods")

