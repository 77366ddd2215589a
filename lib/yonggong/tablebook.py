"""Workbooks of plain tables, written straight to SpreadsheetML, column by column.

The restricted name lists (返岗人员名单, 岗位推送名单, 专车专列名单) reach 10^5–10^6 rows at
province scale. Building them cell by cell in openpyxl costs ~50 µs a cell (8.7 million cells:
seven minutes); a general-purpose writer in constant-memory mode still costs ~5 µs a cell. This
module builds each column's cell XML with vectorised string operations (pandas ``str`` columns
are Arrow-backed), so a table costs well under a microsecond a cell, and streams the sheet into
the zip in chunks, so memory stays at a few hundred MB.

The look is the one ``forms_write.write_table_sheet`` gives a detail sheet, from the same
``table_sheet`` section of the layout: a merged 黑体 title row, a bold grey header row, thin
borders, widths from the content, the header frozen and repeated on every printed page, A4
landscape fitted to the page width, an empty table shown as "（当日无）". Values follow the same
rules (``forms.safe_text``: no formulas, no characters XML cannot hold; 是/否 for booleans; real
dates and numbers). A table longer than a sheet can hold continues on sheets "名称（续2）", ….

Output is byte-reproducible (fixed zip times and document times) and appears atomically.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import os
import sys
import tempfile
import unicodedata
import zipfile
from collections.abc import Sequence
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from openpyxl.utils import get_column_letter

from . import forms, forms_write
from .xlsxio import FIXED_W3CDTF, FIXED_ZIP_TIME

MAX_SHEET_ROWS = 1_048_576  # the SpreadsheetML (Excel) limit, title and header rows included
CHUNK_ROWS = 50_000
# Below this many rows a chunk's cell text is built in Python strings (object columns): each
# vectorised operation on Arrow strings has a fixed cost that dominates a city's small tables
# (~17 ms a column); the same operations give the same text either way.
ARROW_ROWS = 2_000
COMPRESS_LEVEL = 1
EXCEL_EPOCH = np.datetime64("1899-12-30")
# candidates for forms.safe_text (a superset of the cells it changes): a character XML cannot
# hold or CR anywhere, or a first character that is a formula lead or any white space (the lead
# may follow it); spelt out rather than \s, which means less in Arrow's RE2 than in Python
_SUSPECT = ("^[=+\\-@\t\n\x0b\x0c\r\x1c-\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]"
            "|[\x00-\x08\x0b\x0c\x0e-\x1f\r]")
# cellXfs indices in styles.xml (see _styles_xml)
S_TITLE, S_HEAD, S_TEXT, S_WRAP, S_NUM, S_DATE, S_DATETIME, S_EMPTY = range(1, 9)

NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
NS_R = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'


def write_tables(path: str | Path, sheets: Sequence[tuple[str, str, pd.DataFrame]],
                 style: dict | None = None) -> Path:
    """Write one workbook of tables to ``path``: ``sheets`` = (sheet name, title, frame) each.

    Named index levels become the first columns (as in ``forms_write.write_table_sheet``).
    ``style`` defaults to the ``table_sheet`` section of the default layout. Returns ``path``.
    """
    if style is None:
        style = forms.load_layout().get("table_sheet") or {}
    path = Path(path)
    parts: list[tuple[str, str, pd.DataFrame, int]] = []
    per_sheet = MAX_SHEET_ROWS - 2
    for name, title, df in sheets:
        frame = df
        if any(n is not None for n in df.index.names) and not isinstance(df.index, pd.RangeIndex):
            frame = df.reset_index()
        frame = frame.reset_index(drop=True)
        pieces = max(1, math.ceil(len(frame) / per_sheet))
        for k in range(pieces):
            label = name if k == 0 else f"{name}（续{k + 1}）"
            parts.append((label, title, frame.iloc[k * per_sheet:(k + 1) * per_sheet], k * per_sheet))
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=path.suffix)
    os.close(fd)
    try:
        with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=COMPRESS_LEVEL) as zf:
            _put(zf, "[Content_Types].xml", _content_types(len(parts)))
            _put(zf, "_rels/.rels", _ROOT_RELS)
            _put(zf, "docProps/app.xml", _APP)
            _put(zf, "docProps/core.xml", _CORE)
            _put(zf, "xl/workbook.xml", _workbook_xml([p[0] for p in parts]))
            _put(zf, "xl/_rels/workbook.xml.rels", _workbook_rels(len(parts)))
            _put(zf, "xl/styles.xml", _styles_xml(style))
            for i, (_, title, frame, _) in enumerate(parts, 1):
                info = _info(f"xl/worksheets/sheet{i}.xml")
                with zf.open(info, "w", force_zip64=True) as out:
                    _write_sheet(out, title, frame, style)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


# --------------------------------------------------------------------------- the sheet


def _write_sheet(out, title: str, frame: pd.DataFrame, style: dict) -> None:
    """Write the worksheet XML of one table to the binary stream ``out``. The body goes through
    a temporary file first: the column widths, which come before it, depend on every value."""
    headers = [forms.safe_text(c) for c in frame.columns]
    ncols = max(1, len(headers))
    letters = [get_column_letter(c) for c in range(1, ncols + 1)]
    min_w, max_w = float(style.get("min_width", 6)), float(style.get("max_width", 50))
    widths = [display_width(h) for h in headers] or [0]
    n = len(frame)

    with tempfile.TemporaryFile() as body:
        for start in range(0, n, CHUNK_ROWS):
            chunk = frame.iloc[start:start + CHUNK_ROWS]
            rows = pd.Series(np.arange(start + 3, start + 3 + len(chunk)).astype(str), dtype=_text_dtype(len(chunk)))
            parts = ['<row r="' + rows + '">']
            for c in range(len(chunk.columns)):
                cells, widest = column_cells(chunk.iloc[:, c], letters[c], rows, max_w)
                widths[c] = max(widths[c], widest)
                parts.append(cells)
            parts.append(pd.Series("</row>", index=rows.index, dtype=rows.dtype))
            _write_joined(body, parts)

        cols = "".join(f'<col min="{c}" max="{c}" width="{_num(min(max_w, max(min_w, w + 2)))}" customWidth="1"/>'
                       for c, w in enumerate(widths, 1))
        head = [_XML, f'<worksheet {NS} {NS_R}><sheetPr><pageSetUpPr fitToPage="1"/></sheetPr>',
                f'<dimension ref="A1:{letters[-1]}{2 + max(n, 1)}"/>',
                '<sheetViews><sheetView workbookViewId="0"><pane ySplit="2" topLeftCell="A3" activePane="bottomLeft" '
                'state="frozen"/><selection pane="bottomLeft" activeCell="A3" sqref="A3"/></sheetView></sheetViews>',
                f'<sheetFormatPr defaultRowHeight="15"/><cols>{cols}</cols><sheetData>',
                '<row r="1" ht="24" customHeight="1">', _text_cell("A1", S_TITLE, title),
                *(f'<c r="{L}1" s="{S_TITLE}"/>' for L in letters[1:]), "</row>", '<row r="2">',
                *(_text_cell(f"{L}2", S_HEAD, headers[i]) if i < len(headers) else f'<c r="{L}2" s="{S_HEAD}"/>'
                  for i, L in enumerate(letters)), "</row>"]
        merges = [f"A1:{letters[-1]}1"] if ncols > 1 else []
        if n == 0:
            head += ['<row r="3">', _text_cell("A3", S_EMPTY, style.get("empty_text", "（当日无）")),
                     *(f'<c r="{L}3" s="{S_EMPTY}"/>' for L in letters[1:]), "</row>"]
            if ncols > 1:
                merges.append(f"A3:{letters[-1]}3")
        out.write("".join(head).encode("utf-8"))
        body.seek(0)
        while block := body.read(1 << 22):
            out.write(block)
    merged = ""
    if merges:
        merged = (f'<mergeCells count="{len(merges)}">' + "".join(f'<mergeCell ref="{m}"/>' for m in merges)
                  + "</mergeCells>")
    out.write(("</sheetData>" + merged + '<printOptions horizontalCentered="1"/>'
               '<pageMargins left="0.75" right="0.75" top="1" bottom="1" header="0.5" footer="0.5"/>'
               '<pageSetup paperSize="9" orientation="landscape" fitToWidth="1" fitToHeight="0"/>'
               "</worksheet>").encode("utf-8"))


def _text_dtype(rows: int) -> str | type:
    """The dtype of the cell text of a chunk of ``rows`` rows (see ``ARROW_ROWS``)."""
    return "str" if rows >= ARROW_ROWS else object


def _arrow(cells: pd.Series) -> pa.Array | pa.ChunkedArray:
    if hasattr(cells.array, "__arrow_array__"):  # pandas str columns are Arrow-backed
        return pa.array(cells.array).cast(pa.large_string())
    return pa.array(cells.to_numpy(dtype=object, na_value=None), type=pa.large_string())


def _write_joined(out, columns: list[pd.Series]) -> None:
    """Write the rows made of ``columns`` (cell XML text, none missing) side by side, row after
    row, as UTF-8 to the binary stream ``out``: joined in Arrow and written from its buffers, without
    turning a row into a Python string (which costs more than building the cells)."""
    joined = pc.binary_join_element_wise(*(_arrow(c) for c in columns), pa.scalar("", pa.large_string()))
    for chunk in (joined.chunks if isinstance(joined, pa.ChunkedArray) else [joined]):
        if len(chunk) == 0:
            continue
        offsets = np.frombuffer(chunk.buffers()[1], dtype=np.int64)
        out.write(memoryview(chunk.buffers()[2])[offsets[chunk.offset]:offsets[chunk.offset + len(chunk)]])


def _text_cell(ref: str, s: int, text: str) -> str:
    return f'<c r="{ref}" s="{s}" t="inlineStr"><is><t xml:space="preserve">{escape(text)}</t></is></c>'


def _num(x: float) -> str:
    return repr(float(x)).removesuffix(".0")


# --------------------------------------------------------------------------- one column


def column_cells(values: pd.Series, letter: str, rows: pd.Series, max_width: float) -> tuple[pd.Series, int]:
    """The cell XML of one column (``rows``: the Excel row numbers as text) and its widest
    display width (capped at ``max_width``: only the column width depends on it)."""
    values = values.reset_index(drop=True)
    if isinstance(values.dtype, pd.CategoricalDtype):  # F and M keep some text columns as categoricals
        values = values.astype(values.cat.categories.dtype)
    ref = '<c r="' + letter + rows + '" s="'
    if pd.api.types.is_bool_dtype(values.dtype):
        kind = "boolean"
    elif pd.api.types.is_numeric_dtype(values.dtype):
        kind = "number"
    elif pd.api.types.is_datetime64_any_dtype(values.dtype):
        kind = "datetime64"
    elif pd.api.types.is_string_dtype(values.dtype) and values.dtype != object:
        kind = "string"
    else:
        kind = pd.api.types.infer_dtype(values, skipna=True)
    if kind == "boolean" and values.isna().any():
        kind = "mixed"
    if kind == "empty" or values.isna().all():
        return ref + f'{S_TEXT}"/>', 0
    if kind == "boolean":
        return _texts(values.map({True: "是", False: "否"}).astype(ref.dtype), ref, max_width, safe=True)
    if kind == "string":
        return _texts(values.astype("str").astype(ref.dtype), ref, max_width)
    if kind in ("integer", "floating", "mixed-integer-float", "number", "decimal"):
        return _numbers(values, ref)
    if kind in ("datetime64", "datetime", "date"):
        converted = pd.to_datetime(values, errors="coerce")
        if converted.notna().sum() == values.notna().sum():
            return _datetimes(converted, ref)
    return _mixed(values, ref, max_width)


def _texts(text: pd.Series, ref: pd.Series, max_width: float, safe: bool = False) -> tuple[pd.Series, int]:
    missing = text.isna()
    text = text.fillna("")
    if not safe:
        suspect = text.str.contains(_SUSPECT, regex=True)
        if suspect.any():
            text = text.copy()
            text[suspect] = [forms.safe_text(v) for v in text[suspect].tolist()]
    width = display_widths(text)
    wrap = width + 2 > max_width
    widest = int(width.max()) if len(width) else 0
    escaped = text
    for ch, ent in (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;")):
        hit = escaped.str.contains(ch, regex=False)
        if hit.any():
            escaped = escaped.where(~hit, escaped.str.replace(ch, ent, regex=False))
    style = pd.Series(str(S_TEXT), index=text.index, dtype=ref.dtype).where(~wrap, str(S_WRAP))
    cells = ref + style + '" t="inlineStr"><is><t xml:space="preserve">' + escaped + "</t></is></c>"
    cells = cells.where(~missing, ref + f'{S_TEXT}"/>')
    return cells, widest


def _numbers(values: pd.Series, ref: pd.Series) -> tuple[pd.Series, int]:
    numeric = pd.to_numeric(values, errors="coerce")
    finite = np.isfinite(numeric.to_numpy(dtype="float64", na_value=np.nan))
    out = []
    for v, ok in zip(numeric.tolist(), finite.tolist(), strict=True):
        if not ok:
            out.append(None)
        elif isinstance(v, int) or float(v).is_integer() and abs(v) < 2 ** 53:
            out.append(str(int(v)))
        else:
            out.append(repr(float(v)))
    shown = pd.Series(out, index=values.index, dtype=ref.dtype)
    cells = ref + f'{S_NUM}"><v>' + shown + "</v></c>"
    cells = cells.where(shown.notna(), ref + f'{S_NUM}"/>')
    widest = int(shown.str.len().max()) if shown.notna().any() else 0
    return cells, widest


def _datetimes(ts: pd.Series, ref: pd.Series) -> tuple[pd.Series, int]:
    if getattr(ts.dt, "tz", None) is not None:
        from .indicators import LOCAL

        ts = ts.dt.tz_convert(LOCAL).dt.tz_localize(None)
    ts = ts.astype("datetime64[us]")
    midnight = (ts == ts.dt.normalize()).fillna(True)
    days = (ts - pd.Timestamp(EXCEL_EPOCH)) / pd.Timedelta(days=1)
    shown = pd.Series([None if math.isnan(d) else (str(int(d)) if m else repr(d))
                       for d, m in zip(days.tolist(), midnight.tolist(), strict=True)],
                      index=ts.index, dtype=ref.dtype)
    style = pd.Series(str(S_DATE), index=ts.index, dtype=ref.dtype).where(midnight, str(S_DATETIME))
    cells = ref + style + '"><v>' + shown + "</v></c>"
    cells = cells.where(shown.notna(), ref + f'{S_TEXT}"/>')
    widest = 10 if midnight[ts.notna()].all() else 16
    return cells, widest if ts.notna().any() else 0


def _mixed(values: pd.Series, ref: pd.Series, max_width: float) -> tuple[pd.Series, int]:
    """Any other column: each value classified as ``forms_write.write_table_sheet`` does."""
    out, widest = [], 0
    refs = ref.tolist()
    for r, raw in zip(refs, values.tolist(), strict=True):
        value, kind = forms_write.detail_value(raw)
        if kind == "none":
            out.append(f'{r}{S_TEXT}"/>')
        elif kind == "text":
            w = display_width(value)
            widest = max(widest, w)
            s = S_WRAP if w + 2 > max_width else S_TEXT
            out.append(f'{r}{s}" t="inlineStr"><is><t xml:space="preserve">{escape(value)}</t></is></c>')
        elif kind == "date":
            widest = max(widest, 10)
            out.append(f'{r}{S_DATE}"><v>{(value - dt.date(1899, 12, 30)).days}</v></c>')
        elif kind == "datetime":
            widest = max(widest, 16)
            days = (value - dt.datetime(1899, 12, 30)) / dt.timedelta(days=1)
            out.append(f'{r}{S_DATETIME}"><v>{days!r}</v></c>')
        else:
            shown = str(value) if isinstance(value, int) else repr(value)
            if not math.isfinite(value):
                out.append(f'{r}{S_NUM}"/>')
                continue
            widest = max(widest, len(shown))
            out.append(f'{r}{S_NUM}"><v>{shown}</v></c>')
    return pd.Series(out, index=values.index, dtype=ref.dtype), widest


display_width = forms_write.display_width  # East Asian wide and full-width characters count 2


@functools.lru_cache(maxsize=1)
def _wide_class() -> str:
    """An RE2 character class of the characters :func:`display_width` counts 2 (East Asian
    wide and full-width, from this Python's ``unicodedata``), as code point ranges."""
    ranges, start = [], None
    for cp in range(sys.maxunicode + 2):
        wide = cp <= sys.maxunicode and unicodedata.east_asian_width(chr(cp)) in ("W", "F")
        if wide and start is None:
            start = cp
        elif not wide and start is not None:
            ranges.append(f"\\x{{{start:X}}}" + (f"-\\x{{{cp - 1:X}}}" if cp - 1 > start else ""))
            start = None
    return "[" + "".join(ranges) + "]"


ARROW_WIDTHS = 20_000  # cells from which a column's widths are counted in Arrow


def display_widths(text: pd.Series) -> pd.Series:
    """:func:`display_width` of every cell of a text column (no missing cells). A long column
    is measured in Arrow, as its length in characters plus one for each wide character (the
    class of those is built once, in 0.1 s); a short one once per distinct value."""
    if len(text) < ARROW_WIDTHS:
        width = text.str.len().astype("int64")
        wide = ~text.str.fullmatch(r"[\x00-\x7f]*").astype(bool)
        if wide.any():
            distinct = text[wide]
            width[wide] = distinct.map({v: display_width(v) for v in distinct.unique().tolist()}).astype("int64")
        return width
    arr = _arrow(text)
    width = pc.add(pc.utf8_length(arr), pc.count_substring_regex(arr, _wide_class()))
    return pd.Series(width.to_numpy(), index=text.index, dtype="int64")


# --------------------------------------------------------------------------- package parts


def _info(name: str) -> zipfile.ZipInfo:
    """A zip member at the fixed time, deflated at level 1: a ZipInfo does not take the level of
    its ZipFile (zlib's default 6 costs four times as much for a file 15 % smaller)."""
    info = zipfile.ZipInfo(name, date_time=FIXED_ZIP_TIME)
    info.compress_type = zipfile.ZIP_DEFLATED
    # Python 3.13 names the attribute compress_level; 3.11 and 3.12 only _compresslevel
    setattr(info, "compress_level" if hasattr(info, "compress_level") else "_compresslevel", COMPRESS_LEVEL)
    info.external_attr = 0o600 << 16
    return info


def _put(zf: zipfile.ZipFile, name: str, text: str) -> None:
    zf.writestr(_info(name), text.encode("utf-8"))


_XML = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_ROOT_RELS = (_XML + '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
              '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
              'officeDocument" Target="xl/workbook.xml"/>'
              '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/'
              'core-properties" Target="docProps/core.xml"/>'
              '<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
              'extended-properties" Target="docProps/app.xml"/></Relationships>')
_APP = (_XML + '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">'
        "<Application>yonggong</Application></Properties>")
_CORE = (_XML + '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/'
         'core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
         'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><dc:creator>yonggong</dc:creator>'
         f'<dcterms:created xsi:type="dcterms:W3CDTF">{FIXED_W3CDTF}</dcterms:created>'
         f'<dcterms:modified xsi:type="dcterms:W3CDTF">{FIXED_W3CDTF}</dcterms:modified></cp:coreProperties>')


def _content_types(n: int) -> str:
    sheets = "".join(f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="application/'
                     'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>' for i in range(1, n + 1))
    return (_XML + '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/styles.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>' + sheets +
            '<Override PartName="/docProps/core.xml" ContentType="application/'
            'vnd.openxmlformats-package.core-properties+xml"/>'
            '<Override PartName="/docProps/app.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.extended-properties+xml"/></Types>')


def _workbook_xml(names: list[str]) -> str:
    sheets = "".join(f"<sheet name={quoteattr(name)} sheetId=\"{i}\" r:id=\"rId{i}\"/>"
                     for i, name in enumerate(names, 1))
    titles = "".join(f'<definedName name="_xlnm.Print_Titles" localSheetId="{i}">'
                     f"{escape(_quote_sheet(name))}!$2:$2</definedName>" for i, name in enumerate(names))
    return (_XML + f"<workbook {NS} {NS_R}><bookViews><workbookView activeTab=\"0\"/></bookViews>"
            f"<sheets>{sheets}</sheets><definedNames>{titles}</definedNames></workbook>")


def _quote_sheet(name: str) -> str:
    return "'" + name.replace("'", "''") + "'"


def _workbook_rels(n: int) -> str:
    rels = "".join(f'<Relationship Id="rId{i}" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
                   f'relationships/worksheet" Target="worksheets/sheet{i}.xml"/>' for i in range(1, n + 1))
    return (_XML + '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            + rels + f'<Relationship Id="rId{n + 1}" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
            'relationships/styles" Target="styles.xml"/></Relationships>')


def _font_xml(spec: dict | None, default_name: str, bold: bool = False) -> str:
    spec = dict(spec or {})
    b = "<b/>" if spec.get("bold", bold) else ""
    size = _num(spec.get("size", 10))
    return f'<font>{b}<sz val="{size}"/><name val={quoteattr(str(spec.get("name", default_name)))}/></font>'


def _styles_xml(style: dict) -> str:
    fill = str(style.get("header_fill", "D9D9D9") or "").lstrip("#").upper()
    fills = ('<fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill>'
             + (f'<fill><patternFill patternType="solid"><fgColor rgb="00{fill[-6:]}"/>'
                f'<bgColor rgb="00{fill[-6:]}"/></patternFill></fill>' if fill else ""))
    head_fill = 2 if fill else 0
    thin = '<left style="thin"/><right style="thin"/><top style="thin"/><bottom style="thin"/><diagonal/>'
    fonts = ('<font><sz val="11"/><name val="Calibri"/></font>' + _font_xml(style.get("title_font"), "黑体")
             + _font_xml(style.get("header_font"), "宋体", bold=True) + _font_xml(style.get("body_font"), "宋体"))
    centre = '<alignment horizontal="center" vertical="center"/>'
    vcentre = '<alignment vertical="center"/>'
    xfs = [
        '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>',
        f'<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1" applyAlignment="1">{centre}</xf>',
        f'<xf numFmtId="0" fontId="2" fillId="{head_fill}" borderId="1" xfId="0" applyFont="1" applyFill="1" '
        'applyBorder="1" applyAlignment="1"><alignment horizontal="center" vertical="center" wrapText="1"/></xf>',
        f'<xf numFmtId="0" fontId="3" fillId="0" borderId="1" xfId="0" applyFont="1" applyBorder="1" '
        f'applyAlignment="1">{vcentre}</xf>',
        '<xf numFmtId="0" fontId="3" fillId="0" borderId="1" xfId="0" applyFont="1" applyBorder="1" '
        'applyAlignment="1"><alignment vertical="center" wrapText="1"/></xf>',
        f'<xf numFmtId="0" fontId="3" fillId="0" borderId="1" xfId="0" applyFont="1" applyBorder="1" '
        f'applyAlignment="1">{vcentre}</xf>',
        f'<xf numFmtId="164" fontId="3" fillId="0" borderId="1" xfId="0" applyNumberFormat="1" applyFont="1" '
        f'applyBorder="1" applyAlignment="1">{vcentre}</xf>',
        f'<xf numFmtId="165" fontId="3" fillId="0" borderId="1" xfId="0" applyNumberFormat="1" applyFont="1" '
        f'applyBorder="1" applyAlignment="1">{vcentre}</xf>',
        f'<xf numFmtId="0" fontId="3" fillId="0" borderId="1" xfId="0" applyFont="1" applyBorder="1" '
        f'applyAlignment="1">{centre}</xf>',
    ]
    date_fmt = quoteattr(str(style.get("date_format", "yyyy-mm-dd")))
    datetime_fmt = quoteattr(str(style.get("datetime_format", "yyyy-mm-dd hh:mm")))
    return (_XML + f"<styleSheet {NS}>"
            f'<numFmts count="2"><numFmt numFmtId="164" formatCode={date_fmt}/>'
            f'<numFmt numFmtId="165" formatCode={datetime_fmt}/></numFmts>'
            f'<fonts count="4">{fonts}</fonts><fills count="{3 if fill else 2}">{fills}</fills>'
            f'<borders count="2"><border><left/><right/><top/><bottom/><diagonal/></border><border>{thin}</border>'
            '</borders><cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
            f'<cellXfs count="{len(xfs)}">{"".join(xfs)}</cellXfs>'
            '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>')
