"""Read a day folder and recognise which sheet is which table (A–P) by its header.

File names are never trusted. Only the regular files of the day folder are inputs (links,
subfolders, devices and other file types are listed as 未读取 with the reason, see
``day_entries``); each is read within the limits of ``bounded`` (by content: .xlsx, .xls, WPS
.et, .ods, .csv), which reports what it could not read. Every sheet is scanned: the header
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
import os
import re
import stat
import sys
import unicodedata
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache
from itertools import compress
from pathlib import Path

import numpy as np
import pandas as pd

from .bounded import read_book
from .bounded.common import Unreadable, column_letter
from .parse import normalise_header
from .reference import TableSpec, table_specs

# Files read as spreadsheets (by content, whatever the name says): Excel, Excel 97–2003 and WPS
# (.et, tried as Excel 97–2003), OpenDocument (.ods, LibreOffice/WPS), CSV.
SUFFIXES = {".xlsx", ".xlsm", ".xls", ".et", ".ods", ".csv"}
HEADER_SCAN_ROWS = 12
META_COLUMNS = ["_file", "_sheet", "_row", "_mtime", "_total"]
PREFILTER_ROWS = 2000  # sheets longer than this look for total markers with a character pre-filter
# Tables whose sheet with a header and no rows counts as not sent (level of its report line).
EMPTY_MEANS_NOT_SENT = {"B": "错误", "C": "警告"}

# Other entries of a day folder: listed in the report as 未读取 with the reason and advice.
_SKIPPED = {
    ".txt": ("文本文件（.txt）", "如是Excel导出的“Unicode文本”，请在Excel中另存为 .xlsx 或 .csv 后放入"),
    ".zip": ("压缩包", "请解压后把其中的表格文件放入当日文件夹"),
    ".rar": ("压缩包", "请解压后把其中的表格文件放入当日文件夹"),
    ".7z": ("压缩包", "请解压后把其中的表格文件放入当日文件夹"),
    ".xlsb": ("Excel二进制工作簿（.xlsb）", "请在Excel中“另存为”Excel工作簿（.xlsx）后放入"),
    ".doc": ("Word文档", "如含报送数据，请把表格复制到Excel中另存为 .xlsx 后放入"),
    ".docx": ("Word文档", "如含报送数据，请把表格复制到Excel中另存为 .xlsx 后放入"),
    ".wps": ("WPS文字文档", "如含报送数据，请把表格复制到WPS表格中另存为 .xlsx 后放入"),
    ".pdf": ("PDF文件", "程序只读取表格文件，请放入原始的 .xlsx 或 .csv 文件"),
}
READABLE = "、".join(sorted(SUFFIXES))


@dataclass
class SheetIssue:
    """A line for the report from reading: a file or sheet that could not be used (unreadable,
    unmatched, ambiguous, skipped), or a cell-level note (``row`` set) found while reading."""

    file: str
    sheet: str
    problem: str  # Chinese
    advice: str  # Chinese
    level: str = "错误"
    row: int | None = None  # Excel row
    column: str = ""  # header as written (or the column letter outside the table)
    value: str = ""  # the cell as the clerk sees it (masked later when the column is personal)
    rule: str = "sheet"
    table: str = ""  # table code when the sheet was recognised
    canonical: str = ""  # canonical column name (decides masking)


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
    hidden: bool = False  # a hidden sheet (read only when no visible sheet holds its table)


@dataclass
class Inbox:
    """Everything read from one day folder."""

    sheets: list[RecognisedSheet] = field(default_factory=list)
    issues: list[SheetIssue] = field(default_factory=list)  # files and sheets not used
    files: list[Path] = field(default_factory=list)
    notes: list[SheetIssue] = field(default_factory=list)  # cell-level lines from reading

    def unread_note(self, limit: int = 5) -> str:
        """The files and sheets of the day that could not be used, with why, for a message
        saying a table is missing ("" when there are none)."""
        items = []
        for i in self.issues:
            if i.level == "提示":
                continue
            where = i.file + (f"（工作表“{i.sheet}”）" if i.sheet else "")
            item = f"{where}：{i.problem}"
            if item not in items:
                items.append(item)
        if not items:
            return ""
        more = f"等{len(items)}项" if len(items) > limit else ""
        return "。当日文件夹中未能读取或识别的文件：" + "；".join(items[:limit]) + more

    def table(self, code: str) -> pd.DataFrame:
        """All rows of table ``code`` concatenated over files and sheets (raw values)."""
        parts = [s.data for s in self.sheets if s.table == code]
        if not parts:
            return pd.DataFrame(columns=[c.name for c in table_specs()[code].columns] + META_COLUMNS)
        return pd.concat(parts, ignore_index=True)

    def has(self, code: str) -> bool:
        return any(s.table == code for s in self.sheets)

    def keep_only(self, columns: tuple[str, ...]) -> None:
        """Once the day is cleaned: each sheet's raw rows keep only ``columns`` (those it has)
        and ``_row``, all rows (a million rows of table F as read hold 0.25 GB that nothing reads
        again). :meth:`table` then gives only those columns."""
        for s in self.sheets:
            s.data = s.data[[c for c in (*columns, "_row") if c in s.data.columns]]


def day_entries(folder: Path) -> tuple[list[Path], list[tuple[str, str, str]]]:
    """The spreadsheet files of a day folder, sorted by name, and every other entry with why it
    is not read: (name, problem, advice). Only regular files are inputs: symbolic links (even to
    a spreadsheet), subfolders, devices and FIFOs are never followed or opened. Office lock files
    (~$…) and hidden system files (.…) are left out without a word."""
    files: list[Path] = []
    skipped: list[tuple[str, str, str]] = []
    if not folder.is_dir():
        return files, skipped
    with os.scandir(folder) as it:
        entries = sorted(it, key=lambda e: e.name)
    for e in entries:
        name = e.name
        if name.startswith(("~$", ".", "._")):
            continue
        try:
            st = e.stat(follow_symlinks=False)
        except OSError:
            skipped.append((name, "未读取：无法访问该文件", "请检查文件权限后重新放入"))
            continue
        suffix = Path(name).suffix.lower()
        if stat.S_ISLNK(st.st_mode):
            skipped.append((name, "未读取：这是一个符号链接（快捷方式），程序不跟随链接读取",
                            "请把文件本身（而不是链接）复制到当日文件夹"))
        elif stat.S_ISDIR(st.st_mode):
            skipped.append((name, "未读取：这是一个子文件夹，程序只读取当日文件夹中直接放着的文件",
                            "请把其中需要报送的表格文件移到当日文件夹中"))
        elif not stat.S_ISREG(st.st_mode):
            skipped.append((name, "未读取：不是普通文件（设备、管道等）", "请只在收件箱中放入表格文件"))
        elif suffix in SUFFIXES:
            files.append(Path(folder) / name)
        elif suffix in _SKIPPED:
            what, advice = _SKIPPED[suffix]
            skipped.append((name, f"未读取：{what}不是程序读取的表格文件（可读取 {READABLE}）", advice))
        else:
            shown = f"（{suffix}）" if suffix else "（无扩展名）"
            skipped.append((name, f"未读取：文件类型{shown}不是程序读取的表格文件（可读取 {READABLE}）",
                            "如含报送数据，请另存为 .xlsx 或 .csv 后放入"))
    return files, skipped


def day_files(folder: Path) -> list[Path]:
    """Spreadsheet files of a day folder, sorted by name (regular files only; see day_entries)."""
    return day_entries(folder)[0]


def read_sheets(path: Path) -> list[tuple[str, list[list[object]]]]:
    """Every sheet of a file as rows of cell values (a CSV is one sheet with no name), read
    within the limits of ``bounded``; raises ``bounded.common.Unreadable`` for a file that cannot be read.
    Sheets not read (too big) are left out."""
    return [(s.name, s.rows) for s in read_book(Path(path)).sheets if s.unread is None]


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
    Two header columns that both map to one column of the table (缺工人数 beside its alias
    缺口人数) make the sheet unusable: which one is meant is never guessed.
    """
    best: tuple[int, str, tuple[int, ...], dict[int, str], list[str]] | None = None
    rivals: set[str] = set()
    for idx, header in _candidate_headers(rows):
        for code, cols in _match(header):
            score = len(cols)
            if best is None or score > best[0]:
                best = (score, code, idx, cols, header)
                rivals = {code}
            elif score == best[0] and code != best[1]:
                rivals.add(code)
            elif score == best[0] and code == best[1] and len(idx) < len(best[2]):
                best = (score, code, idx, cols, header)  # same match with fewer header rows: prefer it
    if best is None:
        codes = list(table_specs())
        return None, (), {}, f"未识别出表格：表头中缺少任何一张表（{codes[0]}–{codes[-1]}）的全部必填列"
    if len(rivals) > 1:
        names = "、".join(f"{c}（{table_specs()[c].name}）" for c in sorted(rivals))
        return None, best[2], {}, f"表头同时符合多张表：{names}，无法确定"
    _score, code, idx, cols, header = best
    amap = _alias_maps()[code]
    seen: dict[str, int] = {}
    for j, h in enumerate(header):
        name = amap.get(h) if h else None
        if name is None:
            continue
        if name in seen:
            first = seen[name]
            return None, idx, {}, (
                f"表头中“{_written(rows, idx, first)}”（{column_letter(first)}列）和“{_written(rows, idx, j)}”"
                f"（{column_letter(j)}列）都对应“{name}”，无法确定用哪一列，该工作表未读取")
        seen[name] = j
    return code, idx, cols, ""


def _written(rows: list[list[object]], idx: tuple[int, ...], j: int) -> str:
    """The header text of column ``j`` as written (lower header row first)."""
    for i in sorted(idx, reverse=True):
        if j < len(rows[i]) and not _blank(rows[i][j]):
            return str(rows[i][j])
    return ""


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


DUPLICATE_HEADER_ADVICE = "请删除多余的一列，或把其中一列改成其他名称后重新放入"


def _read_day(folder: Path, base: Path | None) -> Inbox:
    inbox = Inbox()
    files, skipped = day_entries(folder)

    def shown_name(path: Path) -> str:
        return (str(path.relative_to(base)) if base else path.name).replace("\\", "/")

    for name, problem, advice in skipped:
        inbox.issues.append(SheetIssue(shown_name(Path(folder) / name), "", problem, advice, "警告",
                                       rule="file_skipped"))
    hidden: list[RecognisedSheet] = []
    for path in files:
        inbox.files.append(path)
        shown = shown_name(path)
        mtime = dt.datetime.fromtimestamp(path.stat().st_mtime)
        try:
            book = read_book(path)
        except Unreadable as exc:
            inbox.issues.append(SheetIssue(shown, "", exc.problem, exc.advice, rule=exc.rule))
            continue
        except Exception as exc:  # noqa: BLE001 (a reader's own failure on a damaged file)
            inbox.issues.append(SheetIssue(shown, "", f"文件无法读取（{type(exc).__name__}）：文件可能已损坏",
                                           "请确认文件能用Excel正常打开，再另存为 .xlsx 后重新放入",
                                           rule="file_unreadable"))
            continue
        if not book.sheets or all(s.unread is None and not any(any(not _blank(v) for v in r) for r in s.rows)
                                  for s in book.sheets):
            inbox.issues.append(SheetIssue(shown, "", "文件为空", "请放入填写完整的文件", rule="file_empty"))
            continue
        for sheet in book.sheets:
            _read_sheet(inbox, sheet, shown, mtime, hidden)
    visible = {s.table for s in inbox.sheets}
    for s in hidden:
        if s.table in visible:
            inbox.issues.append(SheetIssue(
                s.file, s.sheet, f"隐藏的工作表，未读取（当日已有未隐藏的{s.table}（{table_specs()[s.table].name}）工作表）",
                "如该工作表的数据需要报送，请取消隐藏后放入；否则可删除该工作表", "提示", rule="sheet_hidden",
                table=s.table))
        else:
            inbox.sheets.append(s)
            inbox.notes.append(SheetIssue(
                s.file, s.sheet, f"隐藏的工作表：当日只有它含有{s.table}（{table_specs()[s.table].name}）的数据，已读取",
                "请确认该工作表的数据是否应当报送；如不应报送，请删除该工作表", "提示", rule="sheet_hidden",
                table=s.table))
    return inbox


def _read_sheet(inbox: Inbox, sheet, shown: str, mtime: dt.datetime, hidden: list[RecognisedSheet]) -> None:
    """Recognise one sheet read by ``bounded`` and add it (or why not) to ``inbox``."""
    if sheet.unread is not None:
        n = sheet.unread
        inbox.issues.append(SheetIssue(shown, sheet.name, n.problem, n.advice, n.level, rule=n.rule))
        return
    rows = sheet.rows
    code, idx, cols, problem = (None, (), {}, "")
    if any(any(not _blank(v) for v in r) for r in rows):
        code, idx, cols, problem = recognise(rows)
    elif not sheet.notes:
        return  # empty extra sheets (Sheet2, Sheet3) are normal
    headers: dict[str, str] = {}
    if code is not None:
        headers = {name: _written(rows, idx, j) for j, name in cols.items()}
    for n in sheet.notes:  # cell-level lines from reading, with the column as written
        canonical = cols.get(n.col, "") if n.col is not None else ""
        column = headers.get(canonical, "") if canonical else ""
        if not column and n.col is not None:
            column = f"{column_letter(n.col)}列"
        inbox.notes.append(SheetIssue(shown, sheet.name, n.problem, n.advice, n.level, n.row, column, n.value,
                                      n.rule, code or "", canonical))
    if code is None:
        if not problem:
            return
        if sheet.hidden:
            inbox.issues.append(SheetIssue(shown, sheet.name, f"隐藏的工作表，{problem}，未读取",
                                           "无需处理；如该工作表含报送数据，请取消隐藏并按填报模板核对表头", "提示",
                                           rule="sheet_hidden"))
        else:
            advice = DUPLICATE_HEADER_ADVICE if "都对应" in problem else "请按填报模板（invoke templates）核对表头名称"
            inbox.issues.append(SheetIssue(shown, sheet.name, problem, advice,
                                           rule="duplicate_header" if "都对应" in problem else "sheet"))
        return
    data = _data_frame(rows, idx, cols, shown, sheet.name, mtime)
    if data.empty or bool(data["_total"].all()):
        spec = table_specs()[code]
        if code in EMPTY_MEANS_NOT_SENT:
            inbox.issues.append(SheetIssue(
                shown, sheet.name, f"{code}（{spec.name}）表头下没有数据行，按当日未报送该表处理",
                "请填写数据行后重新放入；如当日确实没有数据，请删除该文件", EMPTY_MEANS_NOT_SENT[code],
                rule="sheet_no_rows", table=code))
            return
    recognised = RecognisedSheet(code, shown, sheet.name, tuple(i + 1 for i in idx), cols, headers, data,
                                 hidden=sheet.hidden)
    if sheet.hidden:
        hidden.append(recognised)
    else:
        inbox.sheets.append(recognised)
