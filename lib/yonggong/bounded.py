"""Bounded reading of inbox files: every limit is checked before a reader allocates anything.

    book = bounded.read_book(path)      # Book(kind, sheets=[Sheet(name, rows, hidden, notes)])

A clerk's file may be anything: a real workbook, a renamed web page, an encrypted workbook, a
zip bomb, a sheet with one stray cell at XFD1048576 that would make a reader allocate a grid of
17 billion cells. Before python-calamine (the reader) touches a file:

* the file's size on disk is checked (``reading.max_file_mb`` in ``params/settings.yaml``) and its
  format is told from its first bytes, not from its name (a ``.xls`` that is a web page, a
  ``.xlsx`` that is an encrypted OLE file, a WPS ``.et``);
* a zip (xlsx, ods) is inflated once, part by part, counting the bytes really produced
  (``reading.max_unzipped_mb``); a part that inflates to more than its header says, or whose CRC
  is wrong, makes the file unreadable;
* every sheet's real extent is found from its cells (the xlsx ``<c r=…>`` references, the ods
  rows and cells with their repeat counts, the xls cell records), never from the declared
  ``<dimension>``. Cells separated from the table by more than ``reading.stray_gap_rows`` empty
  rows or ``reading.stray_gap_columns`` empty columns are stray: they are removed from an
  in-memory copy handed to the reader (xlsx/ods: the sheet XML without them; xls: their records
  disarmed) and each one is reported. A data area above ``reading.max_sheet_cells`` cells is not
  read (reported);
* Excel error values (``#DIV/0!``, ``#N/A`` …), which the reader turns into empty cells, are
  found in the file and put back into the rows as text, so they are reported as such.

CSV files get the same size limit, a cell-count limit, their ragged rows trimmed, and control
characters (NUL …) removed with a note. Whatever cannot be read raises :class:`Unreadable` with
a Chinese problem and advice.
"""

from __future__ import annotations

import csv
import html
import io
import re
import struct
import xml.etree.ElementTree as ET
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import numpy as np

from .parse import excel_display, read_csv_text
from .reference import settings

WARNING = "警告"
ERROR = "错误"
NOTICE = "提示"

MB = 1_000_000
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
EXCEL_CELL_LIMIT = 32767  # characters in one cell (Excel's limit)


class Unreadable(Exception):
    """A file that cannot or must not be read; ``problem`` and ``advice`` are Chinese."""

    def __init__(self, problem: str, advice: str, rule: str = "file_unreadable"):
        super().__init__(problem)
        self.problem = problem
        self.advice = advice
        self.rule = rule


@dataclass
class Note:
    """Something found while reading a sheet (a stray cell, a removed control character …)."""

    problem: str
    advice: str
    level: str = WARNING
    row: int | None = None  # Excel row, 1-based
    col: int | None = None  # column index, 0-based
    value: str = ""  # the cell as the clerk sees it
    rule: str = "reading"


@dataclass
class Sheet:
    name: str
    rows: list[list]
    hidden: bool = False
    notes: list[Note] = field(default_factory=list)
    unread: Note | None = None  # set when the sheet was not read at all (rows is then [])


@dataclass
class Book:
    kind: str  # xlsx, xls, ods, csv
    sheets: list[Sheet] = field(default_factory=list)
    encoding: str = ""  # CSV only


@dataclass(frozen=True)
class Limits:
    max_file_bytes: int
    max_unzipped_bytes: int
    max_sheet_cells: int
    gap_rows: int
    gap_columns: int

    @classmethod
    def from_settings(cls) -> Limits:
        r = settings()["reading"]
        return cls(int(r["max_file_mb"] * MB), int(r["max_unzipped_mb"] * MB), int(r["max_sheet_cells"]),
                   int(r["stray_gap_rows"]), int(r["stray_gap_columns"]))


# ---------------------------------------------------------------------------------------------
# Cell references


def column_letter(col: int) -> str:
    """0 → A, 25 → Z, 26 → AA, 16383 → XFD."""
    out = ""
    col += 1
    while col:
        col, rem = divmod(col - 1, 26)
        out = chr(65 + rem) + out
    return out


def cell_ref(row: int, col: int) -> str:
    """0-based (row, col) → "A1"."""
    return f"{column_letter(col)}{row + 1}"


_R_ATTR = int.from_bytes(b' r="', "little")
_POW10 = 10 ** np.arange(11, dtype=np.int64)


def _attr_r_positions(chunk: bytes) -> tuple[np.ndarray, np.ndarray]:
    """The 0-based (row, column) of every ``r="…"`` attribute of a piece of sheet XML, found
    with numpy (a regex costs twice as much on a big sheet): cells ``r="XFD1048576"`` give their
    position, rows ``r="1048576"`` (no letters) column 0."""
    n = len(chunk)
    hits = []
    for k in range(4):  # the 4-byte pattern at each alignment
        m = (n - k) // 4
        if m > 0:
            idx = np.flatnonzero(np.frombuffer(chunk, "<u4", count=m, offset=k) == _R_ATTR)
            if len(idx):
                hits.append(idx * 4 + (k + 4))
    if not hits:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    pos = np.concatenate(hits)
    padded = np.zeros(n + 12, np.uint8)
    padded[:n] = np.frombuffer(chunk, np.uint8)
    mat = padded[pos[:, None] + np.arange(10)]
    letter = (mat >= 65) & (mat <= 90)
    digit = (mat >= 48) & (mat <= 57)
    inside = np.cumprod(letter | digit, axis=1, dtype=np.uint8).astype(bool)  # up to the closing quote
    letter &= inside
    digit &= inside
    col = np.zeros(len(pos), np.int64)
    for i in range(3):  # at most 3 letters, at the start
        col = np.where(letter[:, i], col * 26 + (mat[:, i].astype(np.int64) - 64), col)
    after = np.cumsum(digit[:, ::-1], axis=1)[:, ::-1] - digit  # digits to the right of each digit
    row = ((mat.astype(np.int64) - 48) * digit * _POW10[after]).sum(axis=1)
    ok = digit.any(axis=1) & (row < 10_000_000)
    # column -1 marks a row element's reference (no letters): a candidate position in column A
    return row[ok] - 1, col[ok] - 1


def _ref_pair(ref: str) -> tuple[int, int]:
    m = re.fullmatch(r"([A-Z]{1,3})(\d{1,7})", ref)
    if not m:
        return -1, -1
    col = 0
    for ch in m[1]:
        col = col * 26 + ord(ch) - 64
    return int(m[2]) - 1, col - 1


# ---------------------------------------------------------------------------------------------
# The data area of a sheet and its stray cells


@dataclass
class Area:
    """Which candidate cells belong to the table (``keep``) and its bounding box (0-based)."""

    keep: np.ndarray
    top: int = 0
    left: int = 0
    bottom: int = -1  # inclusive; -1: no cell
    right: int = -1

    @property
    def cells(self) -> int:
        """Cells of the grid a reader builds (from A1, as rows are kept with their Excel numbers)."""
        return (self.bottom + 1) * (self.right + 1)

    def a1(self) -> str:
        return f"{cell_ref(self.top, self.left)}:{cell_ref(self.bottom, self.right)}" if self.bottom >= 0 else ""


def _main_cluster(values: np.ndarray, gap: int) -> np.ndarray:
    """Mask of ``values`` in the cluster holding most of them, clusters being separated by more
    than ``gap`` unused positions (ties: the first cluster)."""
    uniq, inverse, counts = np.unique(values, return_inverse=True, return_counts=True)
    cluster = np.concatenate([[0], np.cumsum(np.diff(uniq) - 1 > gap)])
    sizes = np.bincount(cluster, weights=counts)
    return cluster[inverse] == int(np.argmax(sizes))


def data_area(rows: np.ndarray, cols: np.ndarray, limits: Limits) -> Area:
    """The table among the occupied cells (0-based ``rows``, ``cols``): the cluster of rows
    holding most cells (rows more than ``gap_rows`` apart are separate clusters), then within it
    the cluster of columns holding most cells. Everything else is stray."""
    n = len(rows)
    if not n:
        return Area(np.zeros(0, bool))
    keep = _main_cluster(rows, limits.gap_rows)
    keep[keep] = _main_cluster(cols[keep], limits.gap_columns)
    kr, kc = rows[keep], cols[keep]
    return Area(keep, int(kr.min()), int(kc.min()), int(kr.max()), int(kc.max()))


def _too_big(area: Area, limits: Limits) -> Note:
    return Note(f"工作表的数据区域（{area.a1()}）有{area.bottom + 1}行×{area.right + 1}列，"
                f"超过读取上限{limits.max_sheet_cells}个单元格，该工作表未读取",
                "请删除表格以外多余的行和列，或把数据拆分到几个文件中", ERROR, rule="sheet_too_big")


def stray_notes(strays: list[tuple[int, int, str]], area: Area) -> list[Note]:
    """One 警告 per stray cell with a value (0-based row, col, value as shown)."""
    notes = []
    for row, col, value in sorted(strays):
        notes.append(Note(f"单元格{cell_ref(row, col)}远离表格的数据区域（{area.a1()}），未读取",
                          "如是误录入，请删除该单元格的内容；如确为报送数据，请移到表格内", WARNING,
                          row + 1, col, value, "stray_cell"))
    return notes


# ---------------------------------------------------------------------------------------------
# Entry point


def read_book(path: Path, limits: Limits | None = None) -> Book:
    """Read every sheet of a spreadsheet or CSV file within the limits (see the module doc)."""
    limits = limits or Limits.from_settings()
    path = Path(path)
    size = path.stat().st_size
    suffix = path.suffix.lower()
    if size == 0:
        raise Unreadable("文件为空（0字节），无法读取", "文件可能在复制或下载时出错，请重新导出或复制后放入",
                         "file_empty")
    if size > limits.max_file_bytes:
        raise Unreadable(f"文件大小{size / MB:.0f}MB，超过读取上限{limits.max_file_bytes / MB:.0f}MB，未读取",
                         "请只保留需要报送的工作表，或把数据拆分为几个文件", "file_too_big")
    with open(path, "rb") as fh:
        head = fh.read(8)
    if head.startswith(ZIP_MAGIC):  # by content, whatever the name (an xlsx saved as .csv too)
        return _read_zip(path, suffix, limits)
    if head.startswith(OLE_MAGIC):
        return _read_ole(path, suffix, limits)
    if suffix == ".csv":
        return _read_csv(path, limits)
    with open(path, "rb") as fh:
        start = fh.read(4096)
    text = start.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if text.startswith((b"<", b"\xff\xfe<", b"\xfe\xff\x00<")) or b"<html" in text or b"<table" in text:
        raise Unreadable("文件无法读取：它实际是网页（HTML）格式，只是扩展名为Excel，不是真正的Excel文件",
                         "请用Excel打开该文件，再“另存为”Excel工作簿（.xlsx）后放入", "file_html")
    raise Unreadable("文件无法读取：内容不是Excel工作簿（可能已损坏，或扩展名与内容不符）",
                     "请确认文件能用Excel正常打开，再另存为 .xlsx 后重新放入", "file_unknown")


_KIND_SUFFIXES = {"xlsx": (".xlsx", ".xlsm"), "ods": (".ods",), "xls": (".xls",)}


def _calamine(source, kind: str):
    from python_calamine import CalamineWorkbook

    if isinstance(source, str | Path):
        if Path(source).suffix.lower() in _KIND_SUFFIXES.get(kind, ()):
            return CalamineWorkbook.from_path(str(source))
        with open(source, "rb") as fh:  # named otherwise (an xlsx saved as .ods): by content
            return CalamineWorkbook.from_filelike(io.BytesIO(fh.read()))
    return CalamineWorkbook.from_filelike(source)


def _visible(meta) -> bool:
    return str(getattr(meta, "visible", "")).endswith("Visible")


def _is_worksheet(meta) -> bool:
    typ = str(getattr(meta, "typ", "WorkSheet"))
    return typ.endswith("WorkSheet")


def _load_sheets(source, plans: dict[str, SheetPlan], kind: str) -> Book:
    """Rows of every worksheet with the reader; sheets planned as too big are not loaded."""
    wb = _calamine(source, kind)
    book = Book(kind)
    try:
        for meta in wb.sheets_metadata:
            if not _is_worksheet(meta):
                continue
            plan = plans.get(meta.name, SheetPlan())
            sheet = Sheet(meta.name, [], hidden=not _visible(meta), notes=list(plan.notes))
            if plan.unread is not None:
                sheet.unread = plan.unread
                book.sheets.append(sheet)
                continue
            rows = wb.get_sheet_by_name(meta.name).to_python(skip_empty_area=False)
            if not (type(rows) is list and all(type(r) is list for r in rows)):
                rows = [list(r) for r in rows]
            for (r, c), text in plan.errors.items():  # the reader gives "" for an error value
                if r < len(rows) and c < len(rows[r]) and rows[r][c] in ("", None):
                    rows[r][c] = text
            sheet.rows = rows
            book.sheets.append(sheet)
    finally:
        wb.close()
    return book


@dataclass
class SheetPlan:
    """What the scan of one sheet decided: notes, error cells to put back, or not to read it."""

    notes: list[Note] = field(default_factory=list)
    errors: dict[tuple[int, int], str] = field(default_factory=dict)  # 0-based (row, col) -> "#DIV/0!"
    unread: Note | None = None


# ---------------------------------------------------------------------------------------------
# Zip containers (xlsx, ods)


def _local_data_offset(fh, info: zipfile.ZipInfo) -> int:
    fh.seek(info.header_offset)
    head = fh.read(30)
    if len(head) < 30 or head[:4] != ZIP_MAGIC:
        raise Unreadable("文件已损坏（压缩包结构不完整），无法读取", "请重新导出或从原始文件重新复制后放入", "file_corrupt")
    name_len, extra_len = struct.unpack_from("<HH", head, 26)
    return info.header_offset + 30 + name_len + extra_len


def _inflate(fh, zf: zipfile.ZipFile, info: zipfile.ZipInfo, budget: int, sink=None) -> int:
    """Inflate one zip part in pieces, counting the bytes really produced (never more than
    ``budget`` + one piece is held); each piece goes to ``sink``. Returns the size. A part that
    inflates to more than its header declares, or whose CRC is wrong, is a damaged file."""
    piece = 1 << 23
    total = 0
    crc = 0

    def emit(data: bytes) -> None:
        nonlocal total, crc
        total += len(data)
        if total > info.file_size:
            raise Unreadable("文件已损坏或被篡改（解压后的大小与文件记录不符），无法读取",
                             "请重新导出或从原始文件重新复制后放入", "file_corrupt")
        if total > budget:
            raise _OverBudget()
        crc = zlib.crc32(data, crc)
        if sink is not None and data:
            sink(data)

    if info.compress_type in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        start = _local_data_offset(fh, info)
        fh.seek(start)
        left = info.compress_size
        d = zlib.decompressobj(-15) if info.compress_type == zipfile.ZIP_DEFLATED else None
        while left > 0:
            raw = fh.read(min(left, 1 << 20))
            if not raw:
                break
            left -= len(raw)
            if d is None:
                emit(raw)
                continue
            data = d.decompress(raw, piece)
            emit(data)
            while d.unconsumed_tail:
                emit(d.decompress(d.unconsumed_tail, piece))
        if d is not None:
            emit(d.flush())
    else:  # other methods (bzip2, lzma): zipfile itself stops at the declared size
        with zf.open(info) as part:
            for data in iter(lambda: part.read(piece), b""):
                emit(data)
    if total != info.file_size or (crc & 0xFFFFFFFF) != info.CRC:
        raise Unreadable("文件已损坏（压缩数据校验失败），无法读取", "请重新导出或从原始文件重新复制后放入", "file_corrupt")
    return total


class _OverBudget(Exception):
    pass


def _over_budget(limits: Limits) -> Unreadable:
    return Unreadable(f"文件解压后超过读取上限{limits.max_unzipped_bytes / MB:.0f}MB，未读取（文件中可能有大量无用内容）",
                      "请把数据复制到一个新的Excel工作簿（只粘贴数值）另存为 .xlsx 后放入，或把数据拆分为几个文件",
                      "file_unzipped_too_big")


def _read_zip(path: Path, suffix: str, limits: Limits) -> Book:
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise Unreadable("文件已损坏（压缩包结构不完整），无法读取", "请重新导出或从原始文件重新复制后放入",
                         "file_corrupt") from exc
    with zf, open(path, "rb") as fh:
        names = set(zf.namelist())
        infos = zf.infolist()
        if any(i.flag_bits & 0x1 for i in infos):
            raise Unreadable("文件设有密码（已加密），无法读取", "请取消密码后另存为 .xlsx 重新放入", "file_encrypted")
        if sum(i.file_size for i in infos) > limits.max_unzipped_bytes:
            raise _over_budget(limits)
        if any(n.endswith("workbook.bin") for n in names):
            raise Unreadable("文件未读取：是Excel二进制工作簿（.xlsb），程序不读取这种格式",
                             "请在Excel中“另存为”Excel工作簿（.xlsx）后重新放入", "file_xlsb")
        if "xl/workbook.xml" in names or ("[Content_Types].xml" in names
                                          and any(n.endswith("workbook.xml") for n in names)):
            return _read_xlsx(path, zf, fh, limits)
        mimetype = zf.read("mimetype")[:100] if "mimetype" in names else b""
        if b"opendocument.spreadsheet" in mimetype or ("content.xml" in names and not mimetype):
            return _read_ods(path, zf, fh, limits)
        if "word/document.xml" in names or b"opendocument.text" in mimetype:
            raise Unreadable("文件未读取：是Word文档，不是表格", "请把表格复制到Excel中另存为 .xlsx 后放入", "file_not_sheet")
        if suffix in (".xlsx", ".xlsm", ".ods"):
            raise Unreadable("文件无法读取：内容不是Excel工作簿（是其他格式的压缩包）", "请确认文件能用Excel正常打开，再另存为 .xlsx 后放入",
                             "file_unknown")
        raise Unreadable("文件未读取：是压缩包，不是表格", "请解压后把其中的表格文件放入当日文件夹", "file_archive")


# ---- xlsx


_CELL_TAG_RE = re.compile(rb'<((?:[\w.-]+:)?)c\b([^>]*?)(/?)>')
_ROW_TAG_RE = re.compile(rb'<((?:[\w.-]+:)?)row\b([^>]*?)(/?)>')
_ATTR_R_RE = re.compile(rb'\br\s*=\s*["\']([A-Za-z]{0,3}[0-9]{1,7})["\']')
_TAG_RE = re.compile(rb'<((?:[\w.-]+:)?)(row|c)(?=[\s/>])([^>]*?)(/?)>')
_SEPARATORS = (b" ", b"\t", b"\n", b"\r", b">", b"/")
_ATTR_T_RE = re.compile(rb'\bt\s*=\s*["\'](\w+)["\']')
_VALUE_RE = re.compile(rb'<(?:[\w.-]+:)?v>([^<]*)</(?:[\w.-]+:)?v>')
_TEXT_RE = re.compile(rb'<(?:[\w.-]+:)?t(?:\s[^>]*)?>([^<]*)</(?:[\w.-]+:)?t>')
_RPH_RE = re.compile(rb'<(?:[\w.-]+:)?rPh\b.*?</(?:[\w.-]+:)?rPh>', re.S)
_ERROR_VALUE_RE = re.compile(
    rb'\s*(?:<(?:[\w.-]+:)?f\b[^>]*/>|<(?:[\w.-]+:)?f\b[^>]*>.*?</(?:[\w.-]+:)?f>)?\s*<(?:[\w.-]+:)?v>([^<]*)<', re.S)


class _XlsxScan:
    """Streaming scan of one worksheet part: the positions of its cells and rows, and its
    error cells. Pieces are cut after a row end so no cell is split."""

    def __init__(self):
        self._tail = b""
        self.rows: list[np.ndarray] = []
        self.cols: list[np.ndarray] = []
        self.errors: dict[tuple[int, int], str] = {}
        self._prefix: bytes | None = None  # namespace prefix of the elements ("x:" or "")
        self._row = -1  # the last row seen (cells without a reference follow it)

    def feed(self, data: bytes) -> None:
        buf = self._tail + data
        cut = buf.rfind(b"row>")
        if cut < 0:
            self._tail = buf
            return
        cut += 4
        self._tail = buf[cut:]
        self._scan(buf[:cut])

    def finish(self) -> tuple[np.ndarray, np.ndarray]:
        if self._tail:
            self._scan(self._tail)
            self._tail = b""
        rows = np.concatenate(self.rows) if self.rows else np.empty(0, np.int64)
        cols = np.concatenate(self.cols) if self.cols else np.empty(0, np.int64)
        return rows, cols

    def _scan(self, chunk: bytes) -> None:
        if self._prefix is None:
            m = re.search(rb'<((?:[\w.-]+:)?)sheetData\b', chunk)
            self._prefix = m[1] if m else b""
        r, c = _attr_r_positions(chunk)
        tags = sum(chunk.count(b"<" + self._prefix + b"c" + sep) for sep in _SEPARATORS)
        if tags > int((c >= 0).sum()):
            # some cell has no reference in the usual form (r = 'A1', r="a1", none at all):
            # every row and cell element is read one by one
            r, c = self._tolerant(chunk)
        c = np.maximum(c, 0)
        if len(r):
            self._row = max(self._row, int(r.max()))
        self.rows.append(r)
        self.cols.append(c)
        if b't="e"' in chunk or b"t='e'" in chunk:
            self._errors(chunk)

    def _tolerant(self, chunk: bytes) -> tuple[np.ndarray, np.ndarray]:
        rows: list[int] = []
        cols: list[int] = []
        row, col = self._row, 0
        for m in _TAG_RE.finditer(chunk):
            ref = _ATTR_R_RE.search(m[3])
            if m[2] == b"row":
                row = int(ref[1]) - 1 if ref and ref[1].isdigit() else row + 1
                col = 0
                rows.append(row)
                cols.append(0)
                continue
            if ref and not ref[1].isdigit():
                row, col = _ref_pair(ref[1].decode().upper())
            rows.append(row)
            cols.append(col)
            col += 1
        return np.array(rows, np.int64), np.array(cols, np.int64)

    def _errors(self, chunk: bytes) -> None:
        for m in re.finditer(rb't\s*=\s*["\']e["\']', chunk):
            start = chunk.rfind(b"<", 0, m.start())
            end = chunk.find(b">", m.end())
            tag = _CELL_TAG_RE.match(chunk, start)
            if tag is None or tag.end() != end + 1 or tag[3]:
                continue
            ref = _ATTR_R_RE.search(tag[2])
            v = _ERROR_VALUE_RE.match(chunk, end + 1)
            if ref and v:
                row, col = _ref_pair(ref[1].decode().upper())
                if row >= 0:
                    self.errors[(row, col)] = html.unescape(v[1].decode("utf-8", "replace")).strip()


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _rels(zf: zipfile.ZipFile, part: str) -> dict[str, tuple[str, str]]:
    """Relationship id → (type, target part) of ``part``."""
    p = PurePosixPath(part)
    rels = str(p.parent / "_rels" / (p.name + ".rels"))
    if rels not in zf.namelist():
        return {}
    out = {}
    for el in ET.fromstring(zf.read(rels)).iter():
        if _local(el.tag) != "Relationship":
            continue
        target = el.get("Target", "")
        if el.get("TargetMode") == "External":
            continue
        full = target.lstrip("/") if target.startswith("/") else _join(str(p.parent), target)
        out[el.get("Id", "")] = (el.get("Type", ""), full)
    return out


def _join(base: str, target: str) -> str:
    parts = [] if base in ("", ".") else base.split("/")
    for seg in target.split("/"):
        if seg == "..":
            if parts:
                parts.pop()
        elif seg not in ("", "."):
            parts.append(seg)
    return "/".join(parts)


def _xlsx_layout(zf: zipfile.ZipFile) -> tuple[dict[str, str], str | None]:
    """(sheet name → worksheet part, shared strings part) from the workbook and its relations."""
    names = set(zf.namelist())
    wb_part = "xl/workbook.xml"
    for typ, target in _rels(zf, "").values():
        if typ.endswith("/officeDocument") and target in names:
            wb_part = target
    rels = _rels(zf, wb_part)
    sheets = {}
    try:
        root = ET.fromstring(zf.read(wb_part))
    except (KeyError, ET.ParseError):
        return {}, None
    for el in root.iter():
        if _local(el.tag) != "sheet":
            continue
        rid = next((v for k, v in el.attrib.items() if _local(k) == "id"), "")
        typ, target = rels.get(rid, ("", ""))
        if target in names:
            sheets[el.get("name", "")] = target
    sst = next((t for typ, t in rels.values() if typ.endswith("/sharedStrings") and t in names), None)
    return sheets, sst


def _read_xlsx(path: Path, zf: zipfile.ZipFile, fh, limits: Limits) -> Book:
    sheets, sst_part = _xlsx_layout(zf)
    by_part = {part: name for name, part in sheets.items()}
    scans: dict[str, _XlsxScan] = {}
    budget = limits.max_unzipped_bytes
    try:
        for info in zf.infolist():
            if info.is_dir():
                continue
            scan = _XlsxScan() if info.filename in by_part else None
            budget -= _inflate(fh, zf, info, budget, scan.feed if scan else None)
            if scan:
                scans[info.filename] = scan
    except _OverBudget:
        raise _over_budget(limits) from None
    plans: dict[str, SheetPlan] = {}
    replaced: dict[str, bytes] = {}
    sst_cache: list[str] | None = None
    for part, scan in scans.items():
        name = by_part[part]
        rows, cols = scan.finish()
        area = data_area(rows, cols, limits)
        plan = SheetPlan(errors={k: v for k, v in scan.errors.items()})
        if len(area.keep) and not area.keep.all():
            if sst_cache is None:
                sst_cache = _shared_strings(zf, sst_part)
            stray = {cell_ref(r, c) for r, c in zip(rows[~area.keep].tolist(), cols[~area.keep].tolist(),
                                                   strict=True)}
            stray_rows = set(rows[~area.keep].tolist()) - set(rows[area.keep].tolist())
            xml, found = _drop_xlsx_cells(zf.read(part), stray, stray_rows, sst_cache)
            replaced[part] = xml
            plan.notes += stray_notes(found, area)
        if area.cells > limits.max_sheet_cells:
            plan.unread = _too_big(area, limits)
        plan.errors = {k: v for k, v in plan.errors.items()
                       if area.top <= k[0] <= area.bottom and area.left <= k[1] <= area.right}
        plans[name] = plan
    if replaced:
        return _load_sheets(_rewrite_zip(zf, replaced), plans, "xlsx")
    return _load_sheets(path, plans, "xlsx")


def _rewrite_zip(zf: zipfile.ZipFile, replaced: dict[str, bytes]) -> io.BytesIO:
    """An in-memory copy of the zip with some parts replaced (for the reader)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as out:
        for info in zf.infolist():
            data = replaced[info.filename] if info.filename in replaced else zf.read(info)
            out.writestr(info.filename, data)
    buf.seek(0)
    return buf


def _shared_strings(zf: zipfile.ZipFile, part: str | None) -> list[str]:
    if not part:
        return []
    data = zf.read(part)
    out = []
    for m in re.finditer(rb'<(?:[\w.-]+:)?si\b[^>]*?(?:/>|>(.*?)</(?:[\w.-]+:)?si>)', data, re.S):
        body = _RPH_RE.sub(b"", m[1] or b"")
        out.append(html.unescape(b"".join(_TEXT_RE.findall(body)).decode("utf-8", "replace")))
    return out


def _xlsx_value(attrs: bytes, body: bytes, sst: list[str]) -> str:
    """A cell element's value as the clerk sees it ("" when it holds none)."""
    t = _ATTR_T_RE.search(attrs)
    kind = t[1].decode() if t else "n"
    if kind == "inlineStr":
        return html.unescape(b"".join(_TEXT_RE.findall(_RPH_RE.sub(b"", body))).decode("utf-8", "replace"))
    v = _VALUE_RE.search(body)
    if v is None:
        return ""
    text = html.unescape(v[1].decode("utf-8", "replace"))
    if kind == "s":
        try:
            return sst[int(text)]
        except (ValueError, IndexError):
            return text
    if kind == "b":
        return "TRUE" if text.strip() == "1" else "FALSE"
    if kind == "n":
        try:
            return excel_display(float(text))
        except ValueError:
            return text
    return text


def _drop_xlsx_cells(xml: bytes, stray: set[str], stray_rows: set[int], sst: list[str]
                     ) -> tuple[bytes, list[tuple[int, int, str]]]:
    """The sheet XML without the stray cells (by reference) and stray rows (by number); returns
    it and the removed cells that held a value: (0-based row, col, value as shown)."""
    pieces: list[bytes] = []
    found: list[tuple[int, int, str]] = []
    pos = 0
    for m in _ROW_TAG_RE.finditer(xml):
        if m.start() < pos:
            continue
        r = _ATTR_R_RE.search(m[2])
        if not r or not r[1].isdigit() or int(r[1]) - 1 not in stray_rows:
            continue
        end = m.end() if m[3] else xml.find(b"</" + m[1] + b"row>", m.end())
        end = len(xml) if end < 0 else (end if m[3] else end + len(m[1]) + 6)
        pieces.append(xml[pos:m.start()])
        row_no = int(r[1]) - 1
        col_no = 0
        for cm, body in _cells(xml[m.end():end] if not m[3] else b""):
            ref = _ATTR_R_RE.search(cm[2])
            if ref and not ref[1].isdigit():
                row_no, col_no = _ref_pair(ref[1].decode().upper())
            value = _xlsx_value(cm[2], body, sst)
            if value.strip():
                found.append((row_no, col_no, value))
            col_no += 1
        pos = end
    pieces.append(xml[pos:])
    xml = b"".join(pieces)
    if not stray:
        return xml, found
    pieces, pos = [], 0
    for m in _CELL_TAG_RE.finditer(xml):
        if m.start() < pos:
            continue
        ref = _ATTR_R_RE.search(m[2])
        if not ref or ref[1].decode().upper() not in stray:
            continue
        if m[3]:
            end, body = m.end(), b""
        else:
            close = xml.find(b"</" + m[1] + b"c>", m.end())
            end = len(xml) if close < 0 else close + len(m[1]) + 4
            body = xml[m.end():close if close >= 0 else len(xml)]
        value = _xlsx_value(m[2], body, sst)
        if value.strip():
            row, col = _ref_pair(ref[1].decode().upper())
            found.append((row, col, value))
        pieces.append(xml[pos:m.start()])
        pos = end
    pieces.append(xml[pos:])
    return b"".join(pieces), found


def _cells(row_body: bytes):
    """(tag match, body) of every cell element in a row's content."""
    pos = 0
    for m in _CELL_TAG_RE.finditer(row_body):
        if m.start() < pos:
            continue
        if m[3]:
            yield m, b""
            pos = m.end()
            continue
        close = row_body.find(b"</" + m[1] + b"c>", m.end())
        close = len(row_body) if close < 0 else close
        yield m, row_body[m.end():close]
        pos = close


# ---- ods


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


def _read_ods(path: Path, zf: zipfile.ZipFile, fh, limits: Limits) -> Book:
    budget = limits.max_unzipped_bytes
    content = bytearray()
    try:
        for info in zf.infolist():
            if info.is_dir():
                continue
            budget -= _inflate(fh, zf, info, budget, content.extend if info.filename == "content.xml" else None)
    except _OverBudget:
        raise _over_budget(limits) from None
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
                plan.unread = _too_big(area, limits)
        plans[name] = plan
    if cuts:
        pieces, pos = [], 0
        for start, end, span in sorted(set(cuts)):
            if start < pos:
                continue
            pieces += [xml[pos:start], b'<table:table-cell table:number-columns-repeated="%d"/>' % span]
            pos = end
        pieces.append(xml[pos:])
        return _load_sheets(_rewrite_zip(zf, {"content.xml": b"".join(pieces)}), plans, "ods")
    return _load_sheets(path, plans, "ods")


# ---------------------------------------------------------------------------------------------
# OLE compound files (xls, WPS et, encrypted OOXML)

ENDOFCHAIN = 0xFFFFFFFE
FREESECT = 0xFFFFFFFF


class _Cfb:
    """A minimal reader of OLE compound files: directory, streams, and where a stream's bytes
    lie in the file (to disarm records in place)."""

    def __init__(self, data: bytes):
        if len(data) < 512 or data[:8] != OLE_MAGIC:
            raise ValueError("not an OLE file")
        self.data = data
        self.ss = 1 << struct.unpack_from("<H", data, 0x1E)[0]
        self.mss = 1 << struct.unpack_from("<H", data, 0x20)[0]
        n_fat, first_dir = struct.unpack_from("<II", data, 0x2C)
        self.cutoff, first_mini, n_mini, first_difat, n_difat = struct.unpack_from("<IIIII", data, 0x38)
        if self.ss not in (512, 4096) or self.mss != 64:
            raise ValueError("bad sector size")
        self.n_sectors = max(0, (len(data) - self.ss) // self.ss)
        difat = list(struct.unpack_from("<109I", data, 0x4C))
        sec, seen = first_difat, 0
        while sec < self.n_sectors and seen < n_difat + 1:
            entries = struct.unpack_from(f"<{self.ss // 4}I", data, (sec + 1) * self.ss)
            difat += entries[:-1]
            sec, seen = entries[-1], seen + 1
        fat_sectors = [s for s in difat if s < self.n_sectors][:max(n_fat, 0) or None]
        self.fat = np.concatenate([np.frombuffer(data, "<u4", self.ss // 4, (s + 1) * self.ss) for s in fat_sectors]) \
            if fat_sectors else np.empty(0, "<u4")
        self.entries = []
        dir_data = self._chain_bytes(self._chain(first_dir))
        for i in range(len(dir_data) // 128):
            e = dir_data[i * 128:(i + 1) * 128]
            n = min(struct.unpack_from("<H", e, 64)[0], 64)
            name = e[:max(n - 2, 0)].decode("utf-16-le", "replace")
            kind = e[66]
            start, size = struct.unpack_from("<IQ", e, 116)
            if self.ss == 512:
                size &= 0xFFFFFFFF
            self.entries.append((name, kind, start, size))
        root = self.entries[0] if self.entries else ("", 5, ENDOFCHAIN, 0)
        self.mini_chain_root = self._chain(root[2])
        mini_fat = self._chain_bytes(self._chain(first_mini))
        self.mini_fat = np.frombuffer(mini_fat[:len(mini_fat) // 4 * 4], "<u4")

    def _chain(self, start: int, fat=None) -> list[int]:
        fat = self.fat if fat is None else fat
        out, sec = [], start
        while sec < len(fat) and len(out) <= len(fat):
            out.append(sec)
            sec = int(fat[sec])
        return out

    def _chain_bytes(self, chain: list[int]) -> bytes:
        return b"".join(self.data[(s + 1) * self.ss:(s + 2) * self.ss] for s in chain if s < self.n_sectors)

    def find(self, *names: str) -> tuple[str, int, int] | None:
        wanted = {n.lower() for n in names}
        for name, kind, start, size in self.entries:
            if kind == 2 and name.lower() in wanted:
                return name, start, size
        return None

    def stream(self, start: int, size: int) -> tuple[bytes, list[int]]:
        """A stream's bytes and the file offset of each of its bytes' sectors (for patching)."""
        if size < self.cutoff:
            chain = self._chain(start, self.mini_fat)
            offsets = []
            for ms in chain:
                o = ms * self.mss
                sec = o // self.ss
                if sec >= len(self.mini_chain_root):
                    break
                offsets.append((self.mini_chain_root[sec] + 1) * self.ss + o % self.ss)
            data = b"".join(self.data[o:o + self.mss] for o in offsets)[:size]
            return data, [o for o in offsets]
        chain = self._chain(start)
        data = self._chain_bytes(chain)[:size]
        return data, [(s + 1) * self.ss for s in chain]

    def file_offset(self, offsets: list[int], unit: int, pos: int) -> int:
        return offsets[pos // unit] + pos % unit


def _read_ole(path: Path, suffix: str, limits: Limits) -> Book:
    data = path.read_bytes()
    try:
        cfb = _Cfb(data)
    except (ValueError, struct.error, IndexError) as exc:
        raise Unreadable("文件已损坏，无法读取", "请重新导出或从原始文件重新复制后放入", "file_corrupt") from exc
    if cfb.find("EncryptedPackage", "EncryptionInfo"):
        raise Unreadable("文件设有打开密码（已加密），无法读取",
                         "请在Excel中取消打开密码（文件→信息→保护工作簿→用密码进行加密，清空密码）后另存为 .xlsx 重新放入",
                         "file_encrypted")
    found = cfb.find("Workbook", "Book")
    if found is None:
        if cfb.find("WordDocument"):
            raise Unreadable("文件未读取：是Word文档，不是表格", "请把表格复制到Excel中另存为 .xlsx 后放入", "file_not_sheet")
        if suffix == ".et":
            raise Unreadable("WPS表格文件（.et）的格式无法读取", "请在WPS表格中“另存为”Excel工作簿（.xlsx）后重新放入",
                             "file_et")
        raise Unreadable("文件无法读取：内容不是Excel工作簿（可能已损坏，或扩展名与内容不符）",
                         "请确认文件能用Excel正常打开，再另存为 .xlsx 后重新放入", "file_unknown")
    _name, start, size = found
    stream, offsets = cfb.stream(start, size)
    unit = cfb.mss if size < cfb.cutoff else cfb.ss
    try:
        sheets, encrypted, sst = _scan_biff(stream)
    except (struct.error, IndexError, ValueError) as exc:
        raise Unreadable("文件已损坏，无法读取", "请重新导出或从原始文件重新复制后放入", "file_corrupt") from exc
    if encrypted:
        raise Unreadable("文件设有打开密码（已加密），无法读取", "请在Excel中取消打开密码后另存为 .xlsx 重新放入",
                         "file_encrypted")
    plans: dict[str, SheetPlan] = {}
    patched = bytearray()
    for bs in sheets:
        plan = SheetPlan()
        rows = np.array([c[0] for c in bs.cells], np.int64)
        cols = np.array([c[1] for c in bs.cells], np.int64)
        area = data_area(rows, cols, limits)
        strays = []
        for (r, c, rec, shown), kept in zip(bs.cells, area.keep.tolist(), strict=True):
            if kept:
                if shown[0] == "e":
                    plan.errors[(r, c)] = shown[1]
                continue
            if not patched:
                patched = bytearray(data)
            for k in range(2):  # the record type becomes 0: a record no reader knows, skipped
                patched[cfb.file_offset(offsets, unit, rec + k)] = 0
            strays.append((r, c, _biff_shown(shown, sst)))
        if strays:
            plan.notes += stray_notes(sorted(set(strays)), area)
        if area.cells > limits.max_sheet_cells:
            plan.unread = _too_big(area, limits)
        plans[bs.name] = plan
    source = io.BytesIO(bytes(patched)) if patched else io.BytesIO(data)
    try:
        return _load_sheets(source, plans, "xls")
    except Exception as exc:
        if suffix == ".et":
            raise Unreadable("WPS表格文件（.et）无法按Excel 97-2003格式读取",
                             "请在WPS表格中“另存为”Excel工作簿（.xlsx）后重新放入", "file_et") from exc
        raise


@dataclass
class _BiffSheet:
    name: str
    hidden: bool
    cells: list[tuple[int, int, int, tuple]] = field(default_factory=list)  # row, col, record offset, shown


_BIFF_ERRORS = {0x00: "#NULL!", 0x07: "#DIV/0!", 0x0F: "#VALUE!", 0x17: "#REF!", 0x1D: "#NAME?", 0x24: "#NUM!",
                0x2A: "#N/A", 0x2B: "#GETTING_DATA"}


def _rk(value: int) -> float:
    if value & 0x02:
        num = float(value >> 2) if not value & 0x80000000 else float((value >> 2) - (1 << 30))
    else:
        num = struct.unpack("<d", struct.pack("<Q", (value & 0xFFFFFFFC) << 32))[0]
    return num / 100 if value & 0x01 else num


def _biff_shown(shown: tuple, sst: list[str]) -> str:
    kind, v = shown
    if kind == "n":
        return excel_display(v)
    if kind == "s":
        return sst[v] if 0 <= v < len(sst) else ""
    return str(v)


def _scan_biff(data: bytes) -> tuple[list[_BiffSheet], bool, list[str]]:
    """Sheets (from BOUNDSHEET records) with their valued cell records; whether the workbook is
    encrypted (FILEPASS); the shared strings (for showing stray cells)."""
    sheets: list[tuple[int, _BiffSheet]] = []
    encrypted = False
    sst_records: list[bytes] = []
    pos = 0
    n = len(data)
    in_sst = False
    while pos + 4 <= n:
        typ, ln = struct.unpack_from("<HH", data, pos)
        body = data[pos + 4:pos + 4 + ln]
        if typ == 0x000A:  # EOF of the globals
            break
        if typ == 0x002F:
            encrypted = True
        elif typ == 0x0085 and ln >= 8:
            offset, state, _kind = struct.unpack_from("<IBB", body, 0)
            cch, flags = body[6], body[7] if ln > 7 else 0
            raw = body[8:]
            name = raw[:cch * 2].decode("utf-16-le", "replace") if flags & 1 else raw[:cch].decode("latin-1")
            if _kind == 0:
                sheets.append((offset, _BiffSheet(name, bool(state & 0x03))))
        if typ == 0x00FC:
            sst_records, in_sst = [body], True
        elif typ == 0x003C and in_sst:
            sst_records.append(body)
        else:
            in_sst = False
        pos += 4 + ln
    for offset, sheet in sheets:
        _scan_biff_sheet(data, offset, sheet)
    return [s for _, s in sheets], encrypted, _sst(sst_records) if sst_records else []


def _scan_biff_sheet(data: bytes, pos: int, sheet: _BiffSheet) -> None:
    n = len(data)
    cells = sheet.cells
    first = True
    while pos + 4 <= n:
        typ, ln = struct.unpack_from("<HH", data, pos)
        if first and typ != 0x0809:
            return
        first = False
        b = pos + 4
        if typ == 0x000A:
            return
        if typ == 0x0203 and ln >= 14:
            r, c = struct.unpack_from("<HH", data, b)
            cells.append((r, c, pos, ("n", struct.unpack_from("<d", data, b + 6)[0])))
        elif typ == 0x027E and ln >= 10:
            r, c, _xf, rk = struct.unpack_from("<HHHI", data, b)
            cells.append((r, c, pos, ("n", _rk(rk))))
        elif typ == 0x00BD and ln >= 6:
            r, c0 = struct.unpack_from("<HH", data, b)
            c1 = struct.unpack_from("<H", data, b + ln - 2)[0]
            for k, c in enumerate(range(c0, c1 + 1)):
                rk = struct.unpack_from("<I", data, b + 4 + k * 6 + 2)[0] if b + 4 + k * 6 + 6 <= b + ln else 0
                cells.append((r, c, pos, ("n", _rk(rk))))
        elif typ == 0x00FD and ln >= 10:
            r, c, _xf, isst = struct.unpack_from("<HHHI", data, b)
            cells.append((r, c, pos, ("s", isst)))
        elif typ in (0x0204, 0x00D6) and ln >= 8:
            r, c = struct.unpack_from("<HH", data, b)
            cells.append((r, c, pos, ("t", "")))
        elif typ == 0x0205 and ln >= 8:
            r, c, _xf, value, is_error = struct.unpack_from("<HHHBB", data, b)
            cells.append((r, c, pos, ("e", _BIFF_ERRORS.get(value, "#N/A")) if is_error else
                          ("t", "TRUE" if value else "FALSE")))
        elif typ == 0x0006 and ln >= 20:
            r, c = struct.unpack_from("<HH", data, b)
            result = data[b + 6:b + 14]
            if result[6:8] == b"\xff\xff":
                if result[0] == 2:
                    cells.append((r, c, pos, ("e", _BIFF_ERRORS.get(result[2], "#N/A"))))
                elif result[0] == 1:
                    cells.append((r, c, pos, ("t", "TRUE" if result[2] else "FALSE")))
                elif result[0] == 0:
                    cells.append((r, c, pos, ("t", "")))
            else:
                cells.append((r, c, pos, ("n", struct.unpack("<d", result)[0])))
        pos = b + ln


def _sst(records: list[bytes]) -> list[str]:
    """Strings of an SST record and its CONTINUE records (BIFF8)."""
    out: list[str] = []
    if not records or len(records[0]) < 8:
        return out
    total = struct.unpack_from("<I", records[0], 4)[0]
    rec, pos = 0, 8

    def need(k: int) -> None:
        nonlocal rec, pos
        while pos + k > len(records[rec]) and rec + 1 < len(records) and pos >= len(records[rec]):
            rec, pos = rec + 1, 0

    try:
        for _ in range(min(total, 10_000_000)):
            need(3)
            data = records[rec]
            cch, flags = struct.unpack_from("<HB", data, pos)
            pos += 3
            runs = ext = 0
            if flags & 0x08:
                runs = struct.unpack_from("<H", data, pos)[0]
                pos += 2
            if flags & 0x04:
                ext = struct.unpack_from("<I", data, pos)[0]
                pos += 4
            chars: list[str] = []
            wide = flags & 0x01
            left = cch
            while left > 0:
                if pos >= len(records[rec]):
                    rec, pos = rec + 1, 0
                    wide = records[rec][0] & 0x01
                    pos = 1
                data = records[rec]
                size = 2 if wide else 1
                take = min(left, (len(data) - pos) // size)
                raw = data[pos:pos + take * size]
                chars.append(raw.decode("utf-16-le", "replace") if wide else raw.decode("latin-1"))
                pos += take * size
                left -= take
            out.append("".join(chars))
            skip = runs * 4 + ext
            while skip > 0:
                room = len(records[rec]) - pos
                if skip <= room:
                    pos += skip
                    skip = 0
                else:
                    skip -= room
                    rec, pos = rec + 1, 0
    except (struct.error, IndexError):
        pass
    return out


# ---------------------------------------------------------------------------------------------
# CSV

_CONTROL_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_CONTROL_PICTURES = {i: 0x2400 + i for i in range(32)} | {0x7F: 0x2421}


def show_controls(text: str) -> str:
    """A text with its control characters made visible (NUL → ␀)."""
    return text.translate(_CONTROL_PICTURES)


def _read_csv(path: Path, limits: Limits) -> Book:
    try:
        text, encoding = read_csv_text(path)
    except ValueError as exc:
        raise Unreadable(f"文件无法读取：{exc}", "请用Excel或记事本把文件另存为“CSV UTF-8（逗号分隔）”或GB18030（GBK）编码，"
                         "或另存为 .xlsx 后重新放入", "csv_encoding") from exc
    from .parse import split_csv_rows

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
