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
characters (NUL …) removed with a note. Whatever cannot be read raises ``common.Unreadable`` with
a Chinese problem and advice.

The package: ``common`` (the limits, the book/sheet/note types, cell references, the data
area and its stray cells, loading sheets with the reader), ``zipped`` (inflating zip parts
within the budget), ``xlsx``, ``ods``, ``ole`` (xls, WPS et, encrypted workbooks) and
``csvfile`` (CSV, control characters); this module tells the format and dispatches.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from .common import MB, OLE_MAGIC, ZIP_MAGIC, Book, Limits, Unreadable
from .csvfile import read_csv
from .ods import read_ods
from .ole import read_ole
from .xlsx import read_xlsx
from .zipped import over_budget


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
        return read_ole(path, suffix, limits)
    if suffix == ".csv":
        return read_csv(path, limits)
    with open(path, "rb") as fh:
        start = fh.read(4096)
    text = start.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if text.startswith((b"<", b"\xff\xfe<", b"\xfe\xff\x00<")) or b"<html" in text or b"<table" in text:
        raise Unreadable("文件无法读取：它实际是网页（HTML）格式，只是扩展名为Excel，不是真正的Excel文件",
                         "请用Excel打开该文件，再“另存为”Excel工作簿（.xlsx）后放入", "file_html")
    raise Unreadable("文件无法读取：内容不是Excel工作簿（可能已损坏，或扩展名与内容不符）",
                     "请确认文件能用Excel正常打开，再另存为 .xlsx 后重新放入", "file_unknown")



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
            raise over_budget(limits)
        if any(n.endswith("workbook.bin") for n in names):
            raise Unreadable("文件未读取：是Excel二进制工作簿（.xlsb），程序不读取这种格式",
                             "请在Excel中“另存为”Excel工作簿（.xlsx）后重新放入", "file_xlsb")
        if "xl/workbook.xml" in names or ("[Content_Types].xml" in names
                                          and any(n.endswith("workbook.xml") for n in names)):
            return read_xlsx(path, zf, fh, limits)
        mimetype = zf.read("mimetype")[:100] if "mimetype" in names else b""
        if b"opendocument.spreadsheet" in mimetype or ("content.xml" in names and not mimetype):
            return read_ods(path, zf, fh, limits)
        if "word/document.xml" in names or b"opendocument.text" in mimetype:
            raise Unreadable("文件未读取：是Word文档，不是表格", "请把表格复制到Excel中另存为 .xlsx 后放入", "file_not_sheet")
        if suffix in (".xlsx", ".xlsm", ".ods"):
            raise Unreadable("文件无法读取：内容不是Excel工作簿（是其他格式的压缩包）", "请确认文件能用Excel正常打开，再另存为 .xlsx 后放入",
                             "file_unknown")
        raise Unreadable("文件未读取：是压缩包，不是表格", "请解压后把其中的表格文件放入当日文件夹", "file_archive")

