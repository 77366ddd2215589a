"""CSV files within the limits: decoded (``parse.read_csv_text``), a cell-count limit, ragged
rows trimmed (cells far right of the table are stray: reported, not read) and control
characters (NUL …) removed with a note; ``show_controls`` makes them visible in a message.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import numpy as np

from ..parse import read_csv_text
from .common import WARNING, Area, Book, Limits, Note, Sheet, Unreadable, stray_notes

_CONTROL_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_CONTROL_PICTURES = {i: 0x2400 + i for i in range(32)} | {0x7F: 0x2421}


def show_controls(text: str) -> str:
    """A text with its control characters made visible (NUL → ␀)."""
    return text.translate(_CONTROL_PICTURES)


def read_csv(path: Path, limits: Limits) -> Book:
    try:
        text, encoding = read_csv_text(path)
    except ValueError as exc:
        raise Unreadable(f"文件无法读取：{exc}", "请用Excel或记事本把文件另存为“CSV UTF-8（逗号分隔）”或GB18030（GBK）编码，"
                         "或另存为 .xlsx 后重新放入", "csv_encoding") from exc
    from ..parse import split_csv_rows

    fields = text.count(",") + text.count("\t") + text.count("\n") + 1
    if fields > limits.max_sheet_cells * 1.2:
        raise Unreadable(f"文件约有{fields}个单元格，超过读取上限{limits.max_sheet_cells}个，未读取",
                         "请把数据拆分为几个文件", "sheet_too_big")
    controls = _CONTROL_RE.search(text) is not None  # one scan of the text; cells only when found
    csv.field_size_limit(max(csv.field_size_limit(), limits.max_file_bytes))  # a long cell is reported, not fatal
    try:
        rows = split_csv_rows(text)
    except csv.Error as exc:
        raise Unreadable(f"文件无法读取：CSV格式有误（{exc}）", "请用Excel打开该文件核对后，另存为 .xlsx 或 CSV 后重新放入",
                         "csv_format") from exc
    del text
    sheet = Sheet("", rows)
    _trim_ragged(sheet, limits)
    if controls:
        _strip_controls(sheet)
    return Book("csv", [sheet], encoding)


def _strip_controls(sheet: Sheet) -> None:
    """Remove control characters (NUL, BEL …; not tab or line breaks) from every cell, one note
    per cell (only searched cell by cell when the file has any)."""
    for r, row in enumerate(sheet.rows):
        for c, v in enumerate(row):
            if type(v) is str and _CONTROL_RE.search(v):
                sheet.notes.append(Note("单元格含有不可见的控制字符（如NUL），已删除这些字符",
                                        "请检查导出该CSV的系统或软件，在原表中删除这些字符", WARNING, r + 1, c,
                                        show_controls(v)[:200], "control_chars"))
                row[c] = _CONTROL_RE.sub("", v)


def _blank_cell(v: object) -> bool:
    return v is None or (type(v) is str and not v.strip())


def _trim_ragged(sheet: Sheet, limits: Limits) -> None:
    """A CSV row far wider than the others (a line of commas, a stray value far to the right)
    would make the padded grid huge: the trailing empty cells of long rows are dropped, and cells
    more than ``gap_columns`` columns right of everything else are stray (reported, not read)."""
    rows = sheet.rows
    if not rows:
        return
    lengths = np.fromiter(map(len, rows), dtype=np.int64, count=len(rows))
    if len(rows) * int(lengths.max()) <= limits.max_sheet_cells and int(lengths.max()) <= limits.gap_columns:
        return
    typical = int(np.percentile(lengths, 99))
    for i in np.flatnonzero(lengths > typical).tolist():
        row = rows[i]
        while row and _blank_cell(row[-1]):
            row.pop()
        lengths[i] = len(row)
    wide = np.flatnonzero(lengths > typical + limits.gap_columns).tolist()
    if not wide:
        return
    narrow = lengths[lengths <= typical + limits.gap_columns]
    right = int(narrow.max()) - 1 if len(narrow) else typical - 1
    positions = [(i, j) for i in wide for j, v in enumerate(rows[i]) if not _blank_cell(v)]
    for j in sorted({j for _, j in positions}):  # cells attached to the table widen it
        if j > right:
            if j - right - 1 > limits.gap_columns:
                break
            right = j
    area = Area(np.zeros(0, bool), 0, 0, len(rows) - 1, right)
    strays = [(i, j, show_controls(str(rows[i][j]))[:200]) for i, j in positions if j > right]
    for i in wide:
        del rows[i][right + 1:]
    sheet.notes += stray_notes(strays, area)
