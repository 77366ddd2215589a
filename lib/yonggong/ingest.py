"""Read a day folder and recognise which sheet is which table (A–M) by its header.

File names are never trusted. Every sheet of every .xlsx/.xls/.csv is scanned: the header
row is found among the first rows (title lines and 填报单位 lines above it are normal; a
two-row merged header is combined column by column), headers are normalised
(`parse.normalise_header`) and mapped through each table's aliases, and the sheet is table X
when it carries all of X's required columns. When several tables match, the one that
recognises the most columns wins; a tie is reported as ambiguous and nothing is guessed.

The result keeps, for every data row, the file, sheet and Excel row number as the analyst
sees it, so every later fault can point at a cell.
"""

from __future__ import annotations

import datetime as dt
import gc
import re
import sys
import unicodedata
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache
from itertools import compress
from pathlib import Path

import numpy as np
import pandas as pd

from .parse import normalise_header, read_csv_rows
from .reference import TableSpec, table_specs

SUFFIXES = {".xlsx", ".xlsm", ".xls", ".csv"}
HEADER_SCAN_ROWS = 12
META_COLUMNS = ["_file", "_sheet", "_row", "_mtime", "_total"]
PREFILTER_ROWS = 2000  # sheets longer than this look for total markers with a character pre-filter


@dataclass
class SheetIssue:
    """A file or sheet that could not be used (unreadable, unmatched, ambiguous)."""

    file: str
    sheet: str
    problem: str  # Chinese
    advice: str  # Chinese
    level: str = "错误"


@dataclass
class RecognisedSheet:
    """One sheet recognised as table ``table``."""

    table: str
    file: str
    sheet: str
    header_rows: tuple[int, ...]  # Excel row numbers of the header (1 or 2 rows)
    columns: dict[int, str]  # column index -> canonical column name
    headers: dict[str, str]  # canonical name -> header text as written
    data: pd.DataFrame  # canonical columns (raw cell values) + META_COLUMNS


@dataclass
class Inbox:
    """Everything read from one day folder."""

    sheets: list[RecognisedSheet] = field(default_factory=list)
    issues: list[SheetIssue] = field(default_factory=list)
    files: list[Path] = field(default_factory=list)

    def table(self, code: str) -> pd.DataFrame:
        """All rows of table ``code`` concatenated over files and sheets (raw values)."""
        parts = [s.data for s in self.sheets if s.table == code]
        if not parts:
            return pd.DataFrame(columns=[c.name for c in table_specs()[code].columns] + META_COLUMNS)
        return pd.concat(parts, ignore_index=True)

    def has(self, code: str) -> bool:
        return any(s.table == code for s in self.sheets)


def day_files(folder: Path) -> list[Path]:
    """Spreadsheet files of a day folder, sorted by name (Office lock files ~$… skipped)."""
    if not folder.is_dir():
        return []
    return sorted(
        p for p in folder.iterdir()
        if p.is_file() and p.suffix.lower() in SUFFIXES and not p.name.startswith(("~$", ".", "._"))
    )


def read_sheets(path: Path) -> list[tuple[str, list[list[object]]]]:
    """Every sheet of a file as rows of cell values (a CSV is one sheet with no name)."""
    if path.suffix.lower() == ".csv":
        rows, _encoding = read_csv_rows(path)
        return [("", rows)]
    from python_calamine import CalamineWorkbook

    wb = CalamineWorkbook.from_path(str(path))
    out = []
    for name in wb.sheet_names:
        rows = wb.get_sheet_by_name(name).to_python(skip_empty_area=False)
        if not (type(rows) is list and all(type(r) is list for r in rows)):
            rows = [list(r) for r in rows]
        out.append((name, rows))
    return out


@cache
def _alias_maps() -> dict[str, dict[str, str]]:
    """Normalised header (name or alias) -> canonical column name, per table."""
    return {code: _alias_map(spec) for code, spec in table_specs().items()}


def _alias_map(spec: TableSpec) -> dict[str, str]:
    m = {}
    for col in spec.columns:
        m[normalise_header(col.name)] = col.name
        for a in col.aliases:
            m.setdefault(normalise_header(a), col.name)
    return m


def _blank(v: object) -> bool:
    return v is None or (isinstance(v, str) and not v.strip()) or (isinstance(v, float) and v != v)


def _candidate_headers(rows: list[list[object]]) -> list[tuple[tuple[int, ...], list[str]]]:
    """Header candidates: each single row, and each pair of rows combined column-wise."""
    out = []
    n = min(len(rows), HEADER_SCAN_ROWS)
    for i in range(n):
        row = rows[i]
        out.append(((i,), [normalise_header(v) if not _blank(v) else "" for v in row]))
        if i + 1 < len(rows):
            nxt = rows[i + 1]
            width = max(len(row), len(nxt))
            combined = []
            for j in range(width):
                low = nxt[j] if j < len(nxt) else None
                top = row[j] if j < len(row) else None
                v = low if not _blank(low) else top
                combined.append(normalise_header(v) if not _blank(v) else "")
            out.append(((i, i + 1), combined))
    return out


def _match(header: list[str]) -> list[tuple[str, dict[int, str]]]:
    """Tables whose required columns all appear in ``header``, with their column maps."""
    hits = []
    maps = _alias_maps()
    for code, spec in table_specs().items():
        amap = maps[code]
        cols: dict[int, str] = {}
        for j, h in enumerate(header):
            name = amap.get(h) if h else None
            if name and name not in cols.values():
                cols[j] = name
        if set(cols.values()).issuperset(spec.required):
            hits.append((code, cols))
    return hits


def recognise(rows: list[list[object]]) -> tuple[str | None, tuple[int, ...], dict[int, str], str]:
    """Find the header and the table of one sheet.

    Returns (table code or None, header row indexes (0-based), column map, problem text).
    """
    best: tuple[int, str, tuple[int, ...], dict[int, str]] | None = None
    rivals: set[str] = set()
    for idx, header in _candidate_headers(rows):
        for code, cols in _match(header):
            score = len(cols)
            if best is None or score > best[0]:
                best = (score, code, idx, cols)
                rivals = {code}
            elif score == best[0] and code != best[1]:
                rivals.add(code)
            elif score == best[0] and code == best[1] and len(idx) < len(best[2]):
                best = (score, code, idx, cols)  # same match with fewer header rows: prefer it
    if best is None:
        return None, (), {}, "未识别出表格：表头中缺少任何一张表（A–M）的全部必填列"
    if len(rivals) > 1:
        names = "、".join(f"{c}（{table_specs()[c].name}）" for c in sorted(rivals))
        return None, best[2], {}, f"表头同时符合多张表：{names}，无法确定"
    return best[1], best[2], best[3], ""


def _total_markers() -> set[str]:
    from .reference import settings

    return {normalise_header(m) for m in settings()["total_row_markers"]}


@cache
def _marker_pattern(markers: frozenset[str]) -> re.Pattern | None:
    """A character class matching every character that could turn into a character of a total
    marker after header normalisation (the marker characters themselves and whatever NFKC maps
    onto them, e.g. ⼩ → 小). A cell without such a character can never be a total marker, so
    only the few cells it finds are normalised. None when a marker is empty (no pre-filter)."""
    if not markers or any(not m for m in markers):
        return None
    chars = set("".join(markers))
    for cp in range(sys.maxunicode + 1):
        c = chr(cp)
        if unicodedata.decomposition(c) and chars & set(unicodedata.normalize("NFKC", c)):
            chars.add(c)
    return re.compile("[" + "".join(re.escape(c) for c in sorted(chars)) + "]")


def _text_cells(col, types: set) -> tuple[list[str] | tuple[str, ...], list[int] | None]:
    """(the text cells of a column, their positions; None when every cell is text).
    ``types`` is the set of the cells' types."""
    if types <= {str}:
        return col, None
    pos = [i for i, v in enumerate(col) if isinstance(v, str)]
    return [col[i] for i in pos], pos


def _blank_mask(col, types: set) -> np.ndarray:
    """``_blank`` of every cell of a column (``types``: the set of the cells' types)."""
    if types <= {str}:
        return np.fromiter(map(len, map(str.strip, col)), dtype=np.int64, count=len(col)) == 0
    return np.fromiter(map(_blank, col), dtype=bool, count=len(col))


def _total_mask(columns: list, types: list[set], n: int, markers: set[str]) -> np.ndarray:
    """Rows with a cell (any column) whose normalised text is a total marker (合计/总计/小计).

    Text cells of a column are joined and searched once for the characters a marker needs;
    only the cells found there are normalised and compared.
    """
    total = np.zeros(n, dtype=bool)
    # building the pre-filter scans the Unicode tables once (~0.1 s): only worth it on big sheets
    pattern = _marker_pattern(frozenset(markers)) if n > PREFILTER_ROWS else None
    for col, kinds in zip(columns, types, strict=True):
        if not any(issubclass(k, str) for k in kinds):
            continue
        texts, pos = _text_cells(col, kinds)
        if not len(texts):
            continue
        if pattern is None:
            hits = range(len(texts))
        else:
            joined = "\x00".join(texts)
            offsets = [m.start() for m in pattern.finditer(joined)]
            if not offsets:
                continue
            starts = np.cumsum(np.fromiter(map(len, texts), dtype=np.int64, count=len(texts)) + 1)
            hits = np.unique(np.searchsorted(starts, offsets, side="right")).tolist()
        for k in hits:
            if normalise_header(texts[k]) in markers:
                total[k if pos is None else pos[k]] = True
    return total


@cache
def _str_dtype():
    """The dtype pandas gives a column of text read from records (its default string dtype)."""
    return pd.DataFrame.from_records([("",)], columns=["x"])["x"].dtype


def _text_array(col, types: set) -> pd.api.extensions.ExtensionArray | None:
    """A column whose cells are all ``str`` as pandas' default string array, built in one
    pyarrow call; None for any other column (pandas then infers its type as usual)."""
    dtype = _str_dtype()
    if types != {str} or not isinstance(dtype, pd.StringDtype) or dtype.storage != "pyarrow":
        return None
    import pyarrow as pa

    return pd.arrays.ArrowStringArray(pa.chunked_array([pa.array(col, type=pa.large_string())]), dtype=dtype)


def _data_frame(rows, header_idx, cols, file, sheet, mtime) -> pd.DataFrame:
    """Data rows below the header; ``_total`` marks 合计/总计/小计 rows (in any cell).

    Works column by column on the whole sheet (a sheet can have a million rows): rows whose
    recognised cells are all blank are skipped. Columns of text only become pandas' string
    columns directly; any other column is typed by pandas' inference for records, so the
    frame is the same as ``DataFrame.from_records`` of the rows would give.
    """
    start = max(header_idx) + 1
    body = rows[start:]
    n = len(body)
    columns = list(cols.values()) + META_COLUMNS
    if not n:
        return pd.DataFrame.from_records([], columns=columns)
    lengths = np.fromiter(map(len, body), dtype=np.int64, count=n)
    width = max(int(lengths.max()), max(cols) + 1)
    if (lengths < width).any():  # ragged rows (CSV): pad with None, as a missing cell reads
        for i in np.flatnonzero(lengths < width).tolist():
            body[i] = [*body[i], *([None] * (width - len(body[i])))]
    grid = list(zip(*body, strict=True))  # one tuple per column
    del body
    types = [set(map(type, col)) for col in grid]
    mapped = list(cols)
    blank = _blank_mask(grid[mapped[0]], types[mapped[0]])
    for j in mapped[1:]:  # a row is skipped only when every recognised cell is blank
        idx = np.flatnonzero(blank)
        if not len(idx):
            break
        col = grid[j]
        blank[idx] = np.fromiter((_blank(col[i]) for i in idx.tolist()), dtype=bool, count=len(idx))
    total = _total_mask(grid, types, n, _total_markers())
    keep = np.flatnonzero(~blank)
    if not len(keep):
        return pd.DataFrame.from_records([], columns=columns)
    m = len(keep)
    if m < n:
        take = (~blank).tolist()
        grid = [list(compress(grid[j], take)) if j in cols else None for j in range(len(grid))]
    data: dict[str, object] = {}
    inferred: list[tuple[str, object]] = []
    for j, name in cols.items():
        arr = _text_array(grid[j], types[j])
        if arr is None:
            inferred.append((name, grid[j]))
        else:
            data[name] = arr
    meta = pd.DataFrame.from_records([(file, sheet, start + 1, mtime, False)], columns=META_COLUMNS)
    for name, value in (("_file", file), ("_sheet", sheet)):
        arr = _text_array([value] * m, {type(value)})
        if arr is None:
            inferred.append((name, [value] * m))
        else:
            data[name] = arr
    data["_row"] = (keep + start + 1).astype(meta["_row"].dtype)
    if isinstance(meta["_mtime"].dtype, np.dtype):
        data["_mtime"] = np.repeat(meta["_mtime"].to_numpy(), m)
    else:
        inferred.append(("_mtime", [mtime] * m))
    data["_total"] = total[keep]
    if inferred:
        rest = pd.DataFrame.from_records(list(zip(*(c for _, c in inferred), strict=True)),
                                         columns=[name for name, _ in inferred])
        for name, _ in inferred:
            data[name] = rest[name].array
    return pd.DataFrame({name: data[name] for name in columns}, copy=False)


@contextmanager
def gc_paused():
    """Pause the cyclic garbage collector while millions of cells are allocated.

    Rows, cells and frames hold no reference cycles, so nothing is left uncollected; without
    the pause every few thousand allocations trigger a collection that walks all the live
    rows, which costs more than reading them.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def read_day(folder: Path, base: Path | None = None) -> Inbox:
    """Read and recognise every sheet of one day folder.

    ``base`` makes reported file names relative (e.g. to the inbox root); by default the
    file name alone is reported.
    """
    with gc_paused():
        return _read_day(folder, base)


def _read_day(folder: Path, base: Path | None) -> Inbox:
    inbox = Inbox()
    for path in day_files(folder):
        inbox.files.append(path)
        shown = str(path.relative_to(base)) if base else path.name
        shown = shown.replace("\\", "/")
        mtime = dt.datetime.fromtimestamp(path.stat().st_mtime)
        try:
            sheets = read_sheets(path)
        except Exception as exc:  # corrupt, encrypted, not a spreadsheet
            inbox.issues.append(SheetIssue(shown, "", f"文件无法读取（{type(exc).__name__}）",
                                           "请确认文件未损坏、未加密，并另存为 .xlsx 后重新放入"))
            continue
        if not sheets or all(not any(not _blank(v) for v in r) for _, rows in sheets for r in rows):
            inbox.issues.append(SheetIssue(shown, "", "文件为空", "请放入填写完整的文件"))
            continue
        for sheet, rows in sheets:
            if not any(any(not _blank(v) for v in r) for r in rows):
                continue  # empty extra sheets (Sheet2, Sheet3) are normal
            code, idx, cols, problem = recognise(rows)
            if code is None:
                inbox.issues.append(SheetIssue(shown, sheet, problem,
                                               "请按填报模板（invoke templates）核对表头名称"))
                continue
            headers = {name: str(rows[max(idx)][j] if not _blank(rows[max(idx)][j]) else rows[min(idx)][j])
                       for j, name in cols.items()}
            data = _data_frame(rows, idx, cols, shown, sheet, mtime)
            inbox.sheets.append(RecognisedSheet(code, shown, sheet, tuple(i + 1 for i in idx),
                                                cols, headers, data))
    return inbox
