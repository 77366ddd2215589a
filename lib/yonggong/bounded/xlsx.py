"""xlsx workbooks: every worksheet part scanned while it is inflated (the real positions of its
cells and rows from their ``r`` references, its error cells), stray cells removed from an
in-memory copy of the sheet XML (each reported with its value as shown), then the sheets loaded
with the reader.
"""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path, PurePosixPath

import numpy as np

from ..parse import excel_display
from .common import Book, Limits, SheetPlan, cell_ref, data_area, load_sheets, stray_notes, too_big
from .zipped import OverBudget, inflate, over_budget, rewrite_zip

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


def read_xlsx(path: Path, zf: zipfile.ZipFile, fh, limits: Limits) -> Book:
    sheets, sst_part = _xlsx_layout(zf)
    by_part = {part: name for name, part in sheets.items()}
    scans: dict[str, _XlsxScan] = {}
    budget = limits.max_unzipped_bytes
    try:
        for info in zf.infolist():
            if info.is_dir():
                continue
            scan = _XlsxScan() if info.filename in by_part else None
            budget -= inflate(fh, zf, info, budget, scan.feed if scan else None)
            if scan:
                scans[info.filename] = scan
    except OverBudget:
        raise over_budget(limits) from None
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
            plan.unread = too_big(area, limits)
        plan.errors = {k: v for k, v in plan.errors.items()
                       if area.top <= k[0] <= area.bottom and area.left <= k[1] <= area.right}
        plans[name] = plan
    if replaced:
        return load_sheets(rewrite_zip(zf, replaced), plans, "xlsx")
    return load_sheets(path, plans, "xlsx")



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

