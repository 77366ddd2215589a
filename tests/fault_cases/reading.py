"""Cases for items 1–10 of issue 13: bad values and files, hostile cells, privacy, symlinks.

Every case builds a small inbox in its temporary folder (a 南昌 day, 2020-02-24, with a list of
three enterprises and their ledger unless the case says otherwise), runs ``pipeline.load`` (and
``products.write_all`` where outputs matter) and asserts the exact outcome: the 数据质量报告
line (level, table, file, sheet, Excel row, column as written, 原值 as the clerk sees it,
problem), the exit code of a refused day (``UserError``, exit 2), and that the inbox is left
byte for byte as it was. Hostile files are written directly (zipfile, raw XML, raw bytes) so
each case takes well under a second or two; the foreign files of ``tests/data`` (LibreOffice)
are used as they are.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
import shutil
import stat
import struct
import time
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

import pandas as pd
from builders import (
    A_HEADER,
    B_HEADER,
    C_HEADER,
    G_HEADER,
    H_HEADER,
    I_HEADER,
    ledger_rows,
    list_rows,
    uscc,
    write_csv,
    write_xlsx,
)

from yonggong import pipeline, products, zone
from yonggong.codes import make_idno
from yonggong.errors import UserError

from . import Case

CITY = "南昌"
DAY = "2020-02-24"
D = dt.date(2020, 2, 24)
DATA = Path(__file__).resolve().parent.parent / "data"
HUGE = "数值“{}”超出合理范围（人数、次数等不应超过100000000），可能多输入了数字或被改成了科学计数法，请核对"
STRAY = "单元格{}远离表格的数据区域（{}），未读取"
FIELDS = ("level", "table", "file", "sheet", "row", "column", "value", "problem")


# ---------------------------------------------------------------------------------------------
# Helpers


def folder(tmp: Path) -> Path:
    return tmp / "inbox" / CITY / DAY


def shown(name: str) -> str:
    """A file of the day as the report names it."""
    return f"{CITY}/{DAY}/{name}"


def base_day(tmp: Path, list_: bool = True, ledger: bool = True) -> Path:
    """The day folder with 清单.xlsx (A, enterprises 1–3) and 台账.xlsx (B)."""
    day = folder(tmp)
    day.mkdir(parents=True, exist_ok=True)
    if list_:
        write_xlsx(day / "清单.xlsx", {"清单": [A_HEADER, *list_rows(3)]})
    if ledger:
        write_xlsx(day / "台账.xlsx", {"台账": [B_HEADER, *ledger_rows(3, DAY)]})
    return day


def snapshot(root: Path) -> dict:
    """Every entry under ``root`` (not following links): kind, size, sha256 and mtime."""
    out = {}
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        for name in dirnames + filenames:
            p = Path(dirpath) / name
            st = p.lstat()
            digest = ""
            if stat.S_ISREG(st.st_mode):
                digest = hashlib.sha256(p.read_bytes()).hexdigest()
            elif stat.S_ISLNK(st.st_mode):
                digest = os.readlink(p)
            out[str(p.relative_to(root))] = (stat.S_IFMT(st.st_mode), st.st_size, digest, st.st_mtime_ns)
    return out


def load(tmp: Path) -> pipeline.CityDay:
    """pipeline.load of the day; the inbox must be unchanged afterwards."""
    root = tmp / "inbox"
    before = snapshot(root)
    try:
        return pipeline.load(root, CITY, DAY)
    finally:
        assert snapshot(root) == before, "the inbox was changed"


def refused(tmp: Path) -> str:
    """The day must be refused with a UserError (exit code 2); returns its message."""
    root = tmp / "inbox"
    before = snapshot(root)
    try:
        pipeline.load(root, CITY, DAY)
    except UserError as exc:
        assert exc.exit_code == 2
        assert snapshot(root) == before, "the inbox was changed"
        return exc.message
    raise AssertionError("the day was not refused")


def faults(cd) -> list[dict]:
    return [{k: (None if k == "row" and pd.isna(v) else v) for k, v in f.items()}
            for f in cd.faults.to_dict("records")]


def has_line(cd, **expected) -> dict:
    """Exactly one report line with these fields (level, table, file, sheet, row, column, value,
    problem — all of them must be given)."""
    assert set(expected) == set(FIELDS), sorted(set(FIELDS) - set(expected))
    found = [f for f in faults(cd) if all(f[k] == v for k, v in expected.items())]
    if len(found) != 1:
        near = [{k: f[k] for k in FIELDS} for f in faults(cd) if f["file"] == expected["file"]]
        raise AssertionError(f"expected one line {expected}, found {len(found)}; lines of the file: {near}")
    return found[0]


def no_rule(cd, *rules: str) -> None:
    got = [f for f in faults(cd) if f["rule"] in rules]
    assert not got, got


# -- raw xlsx written with zipfile: what a hostile or unusual writer can put in a sheet

_CT = ('<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
       'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
       '<Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType='
       '"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>{sheets}</Types>')
_RELS = ('<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
         'relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
         'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>')
NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
RNS = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'


class Err(str):
    """An Excel error value (a cell with t="e")."""


def col_name(j: int) -> str:
    out = ""
    j += 1
    while j:
        j, r = divmod(j - 1, 26)
        out = chr(65 + r) + out
    return out


def cell_xml(ref: str, v) -> str:
    if v is None:
        return ""
    if isinstance(v, Err):
        return f'<c r="{ref}" t="e"><v>{escape(v)}</v></c>'
    if isinstance(v, bool):
        return f'<c r="{ref}" t="b"><v>{int(v)}</v></c>'
    if isinstance(v, int | float):
        return f'<c r="{ref}"><v>{v!r}</v></c>'
    return f'<c r="{ref}" t="inlineStr"><is><t>{escape(str(v))}</t></is></c>'


def sheet_xml(rows: list[list], extra: str = "") -> str:
    body = "".join(f'<row r="{i}">' + "".join(cell_xml(f"{col_name(j)}{i}", v) for j, v in enumerate(r)) + "</row>"
                   for i, r in enumerate(rows, start=1))
    return f'<?xml version="1.0" encoding="UTF-8"?><worksheet {NS}><sheetData>{body}{extra}</sheetData></worksheet>'


def raw_xlsx(path: Path, sheets: dict[str, str], hidden: tuple[str, ...] = (),
             parts: dict[str, bytes] | None = None) -> Path:
    """An xlsx of sheet XML texts (name → XML), some hidden, plus extra parts."""
    path.parent.mkdir(parents=True, exist_ok=True)
    names = list(sheets)
    overrides = "".join(f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="application/vnd.'
                        f'openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>' for i in range(1, len(names) + 1))
    wb = (f'<?xml version="1.0" encoding="UTF-8"?><workbook {NS} {RNS}><sheets>'
          + "".join(f'<sheet name="{escape(n)}" sheetId="{i}" r:id="rId{i}"'
                    + (' state="hidden"' if n in hidden else "") + "/>" for i, n in enumerate(names, start=1))
          + "</sheets></workbook>")
    rels = ('<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
            '2006/relationships">' + "".join(
                f'<Relationship Id="rId{i}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
                f'worksheet" Target="worksheets/sheet{i}.xml"/>' for i in range(1, len(names) + 1)) + "</Relationships>")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", _CT.format(sheets=overrides))
        z.writestr("_rels/.rels", _RELS)
        z.writestr("xl/workbook.xml", wb)
        z.writestr("xl/_rels/workbook.xml.rels", rels)
        for i, n in enumerate(names, start=1):
            z.writestr(f"xl/worksheets/sheet{i}.xml", sheets[n])
        for name, data in (parts or {}).items():
            z.writestr(name, data)
    return path


def patch_declared_size(path: Path, part: str, size: int) -> None:
    """Make the zip's central directory declare ``size`` uncompressed bytes for ``part``."""
    data = bytearray(path.read_bytes())
    info = zipfile.ZipFile(path).getinfo(part)
    pos = 0
    while True:
        pos = data.find(b"PK\x01\x02", pos)
        assert pos >= 0
        name_len = struct.unpack_from("<H", data, pos + 28)[0]
        if data[pos + 46:pos + 46 + name_len].decode() == info.filename:
            struct.pack_into("<I", data, pos + 24, size)
            break
        pos += 4
    path.write_bytes(bytes(data))


def ole_file(path: Path, streams: dict[str, bytes]) -> Path:
    """A minimal OLE compound file (version 3) holding ``streams`` (each stored in regular
    sectors): what an encrypted Office file looks like from outside."""
    ss = 512
    names = list(streams)
    blobs = [streams[n].ljust(max(4096, len(streams[n])), b"\0") for n in names]
    fat = [0xFFFFFFFD, 0xFFFFFFFE]  # sector 0: the FAT, sector 1: the directory
    starts = []
    for blob in blobs:
        n = -(-len(blob) // ss)
        first = len(fat)
        starts.append(first)
        fat += [first + k + 1 for k in range(n - 1)] + [0xFFFFFFFE]
    assert len(fat) <= ss // 4
    fat += [0xFFFFFFFF] * (ss // 4 - len(fat))

    def entry(name: str, kind: int, start: int, size: int, child: int = 0xFFFFFFFF, right: int = 0xFFFFFFFF) -> bytes:
        raw = name.encode("utf-16-le") + b"\0\0"
        e = bytearray(128)
        e[:len(raw)] = raw
        struct.pack_into("<HBB", e, 64, len(raw), kind, 1)
        struct.pack_into("<III", e, 68, 0xFFFFFFFF, right, child)
        struct.pack_into("<IQ", e, 116, start, size)
        return bytes(e)

    entries = [entry("Root Entry", 5, 0xFFFFFFFE, 0, child=1)]
    for i, (n, start) in enumerate(zip(names, starts, strict=True), start=1):
        entries.append(entry(n, 2, start, len(streams[n]), right=i + 1 if i < len(names) else 0xFFFFFFFF))
    directory = b"".join(entries).ljust(ss, b"\0")
    header = bytearray(512)
    header[:8] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    struct.pack_into("<HHHHH", header, 0x18, 0x3E, 3, 0xFFFE, 9, 6)
    struct.pack_into("<IIIIIIIII", header, 0x28, 0, 1, 1, 0, 4096, 0xFFFFFFFE, 0, 0xFFFFFFFE, 0)
    struct.pack_into("<109I", header, 0x4C, 0, *([0xFFFFFFFF] * 108))
    body = struct.pack(f"<{ss // 4}I", *fat) + directory + b"".join(blobs)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(bytes(header) + body)
    return path


def text_of(path: Path) -> str:
    """All text of an output file (xlsx: every XML part; parquet: as CSV; others: decoded)."""
    if path.suffix == ".xlsx":
        with zipfile.ZipFile(path) as z:
            return "\n".join(z.read(n).decode("utf-8", "replace") for n in z.namelist())
    if path.suffix == ".parquet":
        return pd.read_parquet(path).to_csv()
    return path.read_bytes().decode("utf-8", "replace")


# ---------------------------------------------------------------------------------------------
# 1. Huge numbers


def huge_counts_xlsx(tmp: Path) -> None:
    day = base_day(tmp, ledger=False)
    rows = ledger_rows(3, DAY)
    rows[0][3] = 1e20  # 员工总数
    rows[1][11] = "99999999999999999999"  # 富余人数 (optional)
    rows[2][5] = 1e16  # 缺工人数
    write_xlsx(day / "台账.xlsx", {"台账": [B_HEADER, *rows]})
    cd = load(tmp)
    f = shown("台账.xlsx")
    line = has_line(cd, level="错误", table="B", file=f, sheet="台账", row=2, column="员工总数", value="1E+20",
                    problem=HUGE.format("1E+20"))
    assert line["rule"] == "count_implausible" and "科学计数法" in line["advice"]
    has_line(cd, level="错误", table="B", file=f, sheet="台账", row=3, column="富余人数",
             value="99999999999999999999", problem=HUGE.format("99999999999999999999"))
    has_line(cd, level="错误", table="B", file=f, sheet="台账", row=4, column="缺工人数", value="1E+16",
             problem=HUGE.format("1E+16"))
    assert cd.tables["B"].empty, "rows with an implausible count are not counted"


def huge_counts_csv_and_daily_tables(tmp: Path) -> None:
    day = base_day(tmp, ledger=False)
    rows = ledger_rows(3, DAY)
    rows[0][4] = "1E+20"  # 在岗人数, as Excel writes a huge number into a CSV
    write_csv(day / "台账.csv", [B_HEADER, *rows])
    write_csv(day / "推送.csv", [H_HEADER, [DAY, "微信", 10, "1E+19"]])
    cd = load(tmp)
    has_line(cd, level="错误", table="B", file=shown("台账.csv"), sheet="", row=2, column="在岗人数", value="1E+20",
             problem=HUGE.format("1E+20"))
    has_line(cd, level="错误", table="H", file=shown("推送.csv"), sheet="", row=2, column="推送人次",
             value="1E+19", problem=HUGE.format("1E+19"))
    assert len(cd.tables["B"]) == 2


# ---------------------------------------------------------------------------------------------
# 2. Bounded reading


def _timed(fn, seconds: float):
    started = time.perf_counter()
    out = fn()
    took = time.perf_counter() - started
    assert took < seconds, f"took {took:.1f} s"
    return out


def stray_cell_far_away(tmp: Path) -> None:
    day = base_day(tmp, ledger=False)
    extra = '<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>'
    raw_xlsx(day / "台账.xlsx", {"台账": sheet_xml([B_HEADER, *ledger_rows(3, DAY)], extra)})
    cd = _timed(lambda: load(tmp), 20)
    has_line(cd, level="警告", table="B", file=shown("台账.xlsx"), sheet="台账", row=1048576, column="XFD列",
             value="x", problem=STRAY.format("XFD1048576", "A1:L4"))
    assert len(cd.tables["B"]) == 3


def stray_cell_in_an_unusual_form(tmp: Path) -> None:
    """References in forms a quick scan could miss: single quotes, spaces around =, lower case,
    a cell without reference in a far row; each one found and left out."""
    day = base_day(tmp, ledger=False)
    extra = ("<row r='600000'><c r = 'az600000' t='inlineStr'><is><t>y</t></is></c></row>"
             '<row r="1048576"><c t="inlineStr"><is><t>z</t></is></c></row>')
    raw_xlsx(day / "台账.xlsx", {"台账": sheet_xml([B_HEADER, *ledger_rows(3, DAY)], extra)})
    cd = _timed(lambda: load(tmp), 20)
    has_line(cd, level="警告", table="B", file=shown("台账.xlsx"), sheet="台账", row=600000, column="AZ列",
             value="y", problem=STRAY.format("AZ600000", "A1:L4"))
    has_line(cd, level="警告", table="B", file=shown("台账.xlsx"), sheet="台账", row=1048576,
             column="统一社会信用代码", value="z", problem=STRAY.format("A1048576", "A1:L4"))
    assert len(cd.tables["B"]) == 3


def zip_bomb_declared(tmp: Path) -> None:
    """An xlsx whose shared strings say they inflate to 1 GB: refused before anything is read."""
    base_day(tmp)
    path = raw_xlsx(folder(tmp) / "大文件.xlsx", {"S": sheet_xml([["a"]])},
                    parts={"xl/sharedStrings.xml": b"<sst/>" * 100})
    patch_declared_size(path, "xl/sharedStrings.xml", 1_000_000_000)
    cd = _timed(lambda: load(tmp), 10)
    has_line(cd, level="错误", table="", file=shown("大文件.xlsx"), sheet="", row=None, column="", value="",
             problem="文件解压后超过读取上限300MB，未读取（文件中可能有大量无用内容）")


def zip_bomb_lying(tmp: Path) -> None:
    """A part that inflates to more than its header declares: the inflating stops there."""
    base_day(tmp)
    path = raw_xlsx(folder(tmp) / "篡改.xlsx", {"S": sheet_xml([["a"]])},
                    parts={"xl/sharedStrings.xml": b"<sst>" + b" " * 5_000_000 + b"</sst>"})
    patch_declared_size(path, "xl/sharedStrings.xml", 100)
    cd = _timed(lambda: load(tmp), 10)
    has_line(cd, level="错误", table="", file=shown("篡改.xlsx"), sheet="", row=None, column="", value="",
             problem="文件已损坏或被篡改（解压后的大小与文件记录不符），无法读取")


def sheet_too_big(tmp: Path) -> None:
    """Cells spread so that no gap separates them, over the whole sheet: the data area is
    rows × columns beyond the limit, so the sheet is not read (and the reader never runs)."""
    base_day(tmp)
    rows = "".join(f'<row r="{r + 1}"><c r="{col_name(min(r // 1000 * 100, 16383))}{r + 1}"><v>1</v></c></row>'
                   for r in range(0, 1048576, 1000))
    raw_xlsx(folder(tmp) / "大表.xlsx", {"大表": f'<?xml version="1.0"?><worksheet {NS}><sheetData>{rows}'
                                                f'</sheetData></worksheet>'})
    cd = _timed(lambda: load(tmp), 20)
    has_line(cd, level="错误", table="", file=shown("大表.xlsx"), sheet="大表", row=None, column="", value="",
             problem="工作表的数据区域（A1:XFD1048001）有1048001行×16384列，超过读取上限15000000个单元格，该工作表未读取")


def csv_ragged_row(tmp: Path) -> None:
    day = base_day(tmp, ledger=False)
    rows = [B_HEADER, *ledger_rows(3, DAY), [""] * 20000 + ["x"]]
    write_csv(day / "台账.csv", rows)
    cd = _timed(lambda: load(tmp), 10)
    has_line(cd, level="警告", table="B", file=shown("台账.csv"), sheet="", row=5, column="ACOG列", value="x",
             problem=STRAY.format("ACOG5", "A1:L5"))
    assert len(cd.tables["B"]) == 3


def stray_cells_in_foreign_files(tmp: Path) -> None:
    """LibreOffice's .ods (stray at AZ1048576) and .xls (stray at IV65536, last cell of a sheet)."""
    day = base_day(tmp, ledger=False)
    shutil.copy(DATA / "libreoffice_stray.ods", day / "台账.ods")
    cd = _timed(lambda: load(tmp), 20)
    has_line(cd, level="警告", table="B", file=shown("台账.ods"), sheet="台账", row=1048576, column="AZ列",
             value="x", problem=STRAY.format("AZ1048576", "A1:L4"))
    assert len(cd.tables["B"]) == 3
    (day / "台账.ods").unlink()
    shutil.copy(DATA / "libreoffice_hidden_stray.xls", day / "台账.xls")
    cd = _timed(lambda: load(tmp), 20)
    has_line(cd, level="警告", table="B", file=shown("台账.xls"), sheet="台账", row=65536, column="IV列",
             value="x", problem=STRAY.format("IV65536", "A1:L4"))
    assert list(cd.tables["B"]["缺工人数"]) == [10, 10, 10], "the visible sheet, not the hidden stale one"


# ---------------------------------------------------------------------------------------------
# 3. Excel error values


def _error_lines(cd, name: str) -> None:
    f = shown(name)
    has_line(cd, level="错误", table="B", file=f, sheet="台账", row=2, column="员工总数", value="#DIV/0!",
             problem="单元格为Excel错误值“#DIV/0!”，请检查公式或改填数值")
    has_line(cd, level="错误", table="B", file=f, sheet="台账", row=3, column="产能恢复率", value="#N/A",
             problem="单元格为Excel错误值“#N/A”，请检查公式或改填数值")
    has_line(cd, level="错误", table="B", file=f, sheet="台账", row=4, column="企业名称", value="#VALUE!",
             problem="单元格为Excel错误值“#VALUE!”，请检查公式或改填数值")
    assert cd.tables["B"].empty
    assert not [x for x in faults(cd) if x["file"] == f and x["rule"] == "required"], "never 必填项为空"


def error_values_xlsx(tmp: Path) -> None:
    day = base_day(tmp, ledger=False)
    shutil.copy(DATA / "libreoffice_errors.xlsx", day / "台账.xlsx")
    _error_lines(load(tmp), "台账.xlsx")


def error_values_xls(tmp: Path) -> None:
    day = base_day(tmp, ledger=False)
    shutil.copy(DATA / "libreoffice_errors.xls", day / "台账.xls")
    _error_lines(load(tmp), "台账.xls")


def error_values_ods(tmp: Path) -> None:
    day = base_day(tmp, ledger=False)
    shutil.copy(DATA / "libreoffice_errors.ods", day / "台账.ods")
    _error_lines(load(tmp), "台账.ods")


def only_error_values_is_not_empty(tmp: Path) -> None:
    base_day(tmp)
    raw_xlsx(folder(tmp) / "错误值.xlsx", {"S": sheet_xml([[Err("#N/A"), Err("#REF!")], [Err("#DIV/0!")]])})
    cd = load(tmp)
    has_line(cd, level="错误", table="", file=shown("错误值.xlsx"), sheet="S", row=None, column="", value="",
             problem="未识别出表格：表头中缺少任何一张表（A–P）的全部必填列")
    assert not [x for x in faults(cd) if x["problem"] == "文件为空"]


# ---------------------------------------------------------------------------------------------
# 4. Other formats and other files


def ods_xls_et_read_like_xlsx(tmp: Path) -> None:
    """The same day from LibreOffice's .ods and .xls (and the .xls named .et, as WPS files are
    tried) gives the same figures as from .xlsx files."""
    base = tmp / "xlsx"
    day = base_day(base, ledger=False)
    write_xlsx(day / "台账.xlsx", {"台账": [B_HEADER, *ledger_rows(3, DAY)],
                                   "空岗": [C_HEADER, [uscc(1), "普工", 6, "普工", "无"],
                                            [uscc(2), "电工", 4, "技工", "中级工"]]})
    cd = load(base)
    expected = cd.figures

    def lines(cd) -> list[tuple]:  # the report lines apart from file and sheet names
        return sorted((f["level"], f["table"], f["row"], f["column"], f["value"], f["problem"]) for f in faults(cd))

    expected_lines = lines(cd)
    for name in ("day.ods", "day.xls", "day.et"):
        other = tmp / name.replace(".", "_")
        folder(other).mkdir(parents=True)
        source = DATA / ("libreoffice_day.ods" if name.endswith(".ods") else "libreoffice_day.xls")
        shutil.copy(source, folder(other) / name)
        cd = load(other)
        assert cd.reported == ["A", "B", "C"], (name, cd.reported)
        pd.testing.assert_frame_equal(cd.figures, expected, check_dtype=False)
        assert lines(cd) == expected_lines, name


def et_that_is_not_a_workbook(tmp: Path) -> None:
    base_day(tmp)
    (folder(tmp) / "台账.et").write_bytes(b"WPS ET v1 \x00\x01 not a workbook at all")
    ole_file(folder(tmp) / "汇总.et", {"WpsContent": b"x" * 10})
    cd = load(tmp)
    has_line(cd, level="错误", table="", file=shown("台账.et"), sheet="", row=None, column="", value="",
             problem="文件无法读取：内容不是Excel工作簿（可能已损坏，或扩展名与内容不符）")
    has_line(cd, level="错误", table="", file=shown("汇总.et"), sheet="", row=None, column="", value="",
             problem="WPS表格文件（.et）的格式无法读取")


OTHER_FILES = {
    "说明.txt": "未读取：文本文件（.txt）不是程序读取的表格文件（可读取 .csv、.et、.ods、.xls、.xlsm、.xlsx）",
    "附件.zip": "未读取：压缩包不是程序读取的表格文件（可读取 .csv、.et、.ods、.xls、.xlsm、.xlsx）",
    "数据.dat": "未读取：文件类型（.dat）不是程序读取的表格文件（可读取 .csv、.et、.ods、.xls、.xlsm、.xlsx）",
    "无扩展名": "未读取：文件类型（无扩展名）不是程序读取的表格文件（可读取 .csv、.et、.ods、.xls、.xlsm、.xlsx）",
    "县区报表": "未读取：这是一个子文件夹，程序只读取当日文件夹中直接放着的文件",
}


def other_files_are_listed(tmp: Path) -> None:
    day = base_day(tmp)
    for name in OTHER_FILES:
        if name == "县区报表":
            write_xlsx(day / name / "台账.xlsx", {"台账": [B_HEADER, *ledger_rows(3, DAY, shortage=99)]})
        else:
            (day / name).write_bytes("统一社会信用代码\t企业名称\n".encode("utf-16"))
    cd = load(tmp)
    for name, problem in OTHER_FILES.items():
        has_line(cd, level="警告", table="", file=shown(name), sheet="", row=None, column="", value="",
                 problem=problem)
    assert list(cd.tables["B"]["缺工人数"]) == [10, 10, 10], "nothing read from the subfolder"


def missing_ledger_names_the_candidates(tmp: Path) -> None:
    day = base_day(tmp, ledger=False)
    (day / "台账.txt").write_bytes("\t".join(B_HEADER).encode("utf-16"))
    write_xlsx(day / "台账.ods", {"台账": [B_HEADER]})  # an xlsx named .ods: read by its content
    (day / "台账2.xlsx").write_bytes("<html><table><tr><td>统一社会信用代码</td></tr></table></html>".encode())
    message = refused(tmp)
    assert message.startswith("南昌市 2020-02-24：当日文件夹中没有企业用工台账（表B），无法生成报表。"
                              "当日文件夹中未能读取或识别的文件："), message
    for part in ("南昌/2020-02-24/台账.txt：未读取：文本文件（.txt）",
                 "南昌/2020-02-24/台账.ods（工作表“台账”）：B（企业用工台账）表头下没有数据行，按当日未报送该表处理",
                 "南昌/2020-02-24/台账2.xlsx：文件无法读取：它实际是网页（HTML）格式"):
        assert part in message, (part, message)


# ---------------------------------------------------------------------------------------------
# 5. Headers and sheets


def duplicate_mapped_headers(tmp: Path) -> None:
    day = base_day(tmp, ledger=False)
    header = [*B_HEADER, "缺口人数"]
    rows = [[*r, 23976] for r in ledger_rows(3, DAY)]
    write_xlsx(day / "台账.xlsx", {"台账": [header, *rows]})
    line = ("南昌/2020-02-24/台账.xlsx（工作表“台账”）：表头中“缺工人数”（F列）和“缺口人数”（M列）都对应“缺工人数”，"
            "无法确定用哪一列，该工作表未读取")
    assert line in refused(tmp)
    write_xlsx(day / "台账2.xlsx", {"台账": [B_HEADER, *ledger_rows(3, DAY)]})
    cd = load(tmp)
    has_line(cd, level="错误", table="", file=shown("台账.xlsx"), sheet="台账", row=None, column="", value="",
             problem="表头中“缺工人数”（F列）和“缺口人数”（M列）都对应“缺工人数”，无法确定用哪一列，该工作表未读取")
    assert list(cd.tables["B"]["缺工人数"]) == [10, 10, 10]


def hidden_stale_sheet(tmp: Path) -> None:
    day = base_day(tmp, ledger=False)
    raw_xlsx(day / "台账.xlsx", {"台账(旧)": sheet_xml([B_HEADER, *ledger_rows(3, DAY, shortage=99)]),
                                 "台账": sheet_xml([B_HEADER, *ledger_rows(3, DAY, shortage=10)])},
             hidden=("台账(旧)",))
    cd = load(tmp)
    has_line(cd, level="提示", table="B", file=shown("台账.xlsx"), sheet="台账(旧)", row=None, column="", value="",
             problem="隐藏的工作表，未读取（当日已有未隐藏的B（企业用工台账）工作表）")
    assert list(cd.tables["B"]["缺工人数"]) == [10, 10, 10]
    no_rule(cd, "conflict", "duplicate")


def hidden_sheet_only_data(tmp: Path) -> None:
    day = base_day(tmp, ledger=False)
    raw_xlsx(day / "台账.xlsx", {"说明": sheet_xml([["填表说明"]]),
                                 "台账": sheet_xml([B_HEADER, *ledger_rows(3, DAY, shortage=7)])}, hidden=("台账",))
    cd = load(tmp)
    has_line(cd, level="提示", table="B", file=shown("台账.xlsx"), sheet="台账", row=None, column="", value="",
             problem="隐藏的工作表：当日只有它含有B（企业用工台账）的数据，已读取")
    assert list(cd.tables["B"]["缺工人数"]) == [7, 7, 7]


def conflict_within_one_file(tmp: Path) -> None:
    day = base_day(tmp, ledger=False)
    second = ledger_rows(1, DAY, shortage=20)
    write_xlsx(day / "台账.xlsx", {"台账": [B_HEADER, *ledger_rows(3, DAY)], "补充": [B_HEADER, *second]})
    cd = load(tmp)
    code = uscc(1)
    f = shown("台账.xlsx")
    rec = f"企业 {code} 测试企业1有限公司（填报日期 2020-02-24）"
    lost = has_line(cd, level="警告", table="B", file=f, sheet="台账", row=2, column="", value="",
                    problem=f"{rec}与 {f} 工作表“补充” 第2行主键相同但内容不同，已采用同一文件中位置靠后的行。"
                            f"缺工人数：本行 10，{f} 工作表“补充” 第2行 20")
    won = has_line(cd, level="警告", table="B", file=f, sheet="补充", row=2, column="", value="",
                   problem=f"{rec}与 {f} 工作表“台账” 第2行主键相同但内容不同，采用本行（同一文件中位置靠后）。"
                           f"缺工人数：本行 20，{f} 工作表“台账” 第2行 10")
    for line in (lost, won):  # never "the same file and row" for the other row
        assert f"{f} 第2行" not in line["problem"]
        assert "较新文件" not in line["problem"]


# ---------------------------------------------------------------------------------------------
# 6. Header without rows; totals


def empty_vacancy_sheet(tmp: Path) -> None:
    day = base_day(tmp)
    write_xlsx(day / "空岗.xlsx", {"空岗": [["南昌市空岗明细表"], C_HEADER]})
    cd = load(tmp)
    has_line(cd, level="警告", table="C", file=shown("空岗.xlsx"), sheet="空岗", row=None, column="", value="",
             problem="C（空岗明细）表头下没有数据行，按当日未报送该表处理")
    assert "C" not in cd.reported
    assert pd.isna(cd.figures.loc["合计", "空岗_普工"]), "空岗 is — (not sent), not 0"


def empty_ledger_sheet(tmp: Path) -> None:
    day = base_day(tmp, ledger=False)
    write_xlsx(day / "台账.xlsx", {"台账": [B_HEADER, ["合计", None, None, 0, 0, 0]]})
    assert ("南昌/2020-02-24/台账.xlsx（工作表“台账”）：B（企业用工台账）表头下没有数据行，按当日未报送该表处理"
            in refused(tmp))


def total_row_under_the_header(tmp: Path) -> None:
    day = base_day(tmp, ledger=False)
    rows = ledger_rows(3, DAY)
    total = ["合计", None, DAY, 300, 240, 30, None, None, None, None, None, 0]
    write_xlsx(day / "台账.xlsx", {"台账": [B_HEADER, total, *rows]})
    cd = load(tmp)
    no_rule(cd, "total_row")
    assert len(cd.tables["B"]) == 3
    wrong = ["合计", None, DAY, 300, 240, 31, None, None, None, None, None, 0]
    write_xlsx(day / "台账.xlsx", {"台账": [B_HEADER, wrong, *rows]})
    cd = load(tmp)
    has_line(cd, level="警告", table="B", file=shown("台账.xlsx"), sheet="台账", row=2, column="缺工人数",
             value="31", problem="合计行数值31与下方各行之和30不符")
    assert len([x for x in faults(cd) if x["rule"] == "total_row"]) == 1


# ---------------------------------------------------------------------------------------------
# 7. Rows after the day, long cells, control characters


def future_dated_rows(tmp: Path) -> None:
    day = base_day(tmp)
    later = "2020-02-25"
    write_xlsx(day / "运输.xlsx", {"运输": [G_HEADER, [DAY, "专车", "湖南省", "东湖区", "赣A1", 1, 30],
                                            [later, "专车", "湖南省", "东湖区", "赣A2", 1, 40]]})
    write_xlsx(day / "推送.xlsx", {"推送": [H_HEADER, [DAY, "微信", 10, 100], [later, "短信", 5, 50]]})
    write_xlsx(day / "培训.xlsx", {"培训": [I_HEADER, [later, "电工", "岗前培训", 20, 0]]})
    cd = load(tmp)
    problem = "日期晚于报送日期2020-02-24，不计入"
    for code, name, sheet, row in (("G", "运输.xlsx", "运输", 3), ("H", "推送.xlsx", "推送", 3),
                                   ("I", "培训.xlsx", "培训", 2)):
        has_line(cd, level="错误", table=code, file=shown(name), sheet=sheet, row=row, column="日期", value=later,
                 problem=problem)
    assert list(cd.tables["G"]["运送人数"]) == [30] and list(cd.tables["H"]["推送人次"]) == [100]
    assert cd.tables["I"].empty


def long_cell(tmp: Path) -> None:
    day = base_day(tmp, ledger=False)
    rows = ledger_rows(3, DAY)
    rows[0][9] = "设备" * 20_000  # 问题困难: 40,000 characters
    write_csv(day / "台账.csv", [B_HEADER, *rows])
    cd = load(tmp)
    has_line(cd, level="警告", table="B", file=shown("台账.csv"), sheet="", row=2, column="问题困难",
             value="设备" * 30 + "…",
             problem="单元格内容有40000个字符，超过Excel单元格上限32767个字符，已截取前32767个字符")
    assert len(cd.tables["B"].iloc[0]["问题困难"]) == 32767


def control_characters_from_csv(tmp: Path) -> None:
    day = base_day(tmp, ledger=False)
    rows = ledger_rows(3, DAY)
    rows[0][9] = "原材料\x00短缺\x07"  # 问题困难
    rows[0][8] = "原材料"
    write_csv(day / "台账.csv", [B_HEADER, *rows])
    cd = load(tmp)
    has_line(cd, level="警告", table="B", file=shown("台账.csv"), sheet="", row=2, column="问题困难",
             value="原材料␀短缺␇", problem="单元格含有不可见的控制字符（如NUL），已删除这些字符")
    assert cd.tables["B"].iloc[0]["问题困难"] == "原材料短缺"
    out = tmp / "out"
    for path in products.write_all(cd, out):
        text = text_of(path)
        assert not re.search("[\x00-\x08\x0b\x0c\x0e-\x1f]", text), path.name
    brief = next(out.glob("工作简报_*.html")).read_text(encoding="utf-8")
    assert "原材料短缺" in brief


# ---------------------------------------------------------------------------------------------
# 8. Messages that name the cause


def unreadable_ledger_named(tmp: Path) -> None:
    day = base_day(tmp, ledger=False)
    (day / "台账.xlsx").write_bytes(b"PK\x03\x04 this zip is cut short")
    message = refused(tmp)
    assert message == ("南昌市 2020-02-24：当日文件夹中没有企业用工台账（表B），无法生成报表。当日文件夹中未能读取或识别的"
                       "文件：南昌/2020-02-24/台账.xlsx：文件已损坏（压缩包结构不完整），无法读取"), message


def encrypted_ledger_named(tmp: Path) -> None:
    day = base_day(tmp, ledger=False)
    ole_file(day / "台账.xlsx", {"EncryptionInfo": b"\x04\x00\x04\x00" + b"\0" * 100,
                                 "EncryptedPackage": b"\0" * 5000})
    message = refused(tmp)
    assert message == ("南昌市 2020-02-24：当日文件夹中没有企业用工台账（表B），无法生成报表。当日文件夹中未能读取或识别的"
                       "文件：南昌/2020-02-24/台账.xlsx：文件设有打开密码（已加密），无法读取"), message


def csv_encoding_message(tmp: Path) -> None:
    base_day(tmp)
    text = ",".join(B_HEADER) + "\n" + ",".join(str(v or "") for v in ledger_rows(1, DAY)[0]) + "\n"
    (folder(tmp) / "坏编码.csv").write_bytes(text.encode("utf-8") + b"\xff\xfe\xff,1\n")
    cd = load(tmp)
    line = has_line(cd, level="错误", table="", file=shown("坏编码.csv"), sheet="", row=None, column="", value="",
                    problem="文件无法读取：无法识别文件“坏编码.csv”的编码：第3行有既不是UTF-8也不是GB18030（GBK）"
                            "编码的字节（ff fe ff 2c），请另存为 UTF-8 或 GB18030（GBK）编码的 CSV")
    assert "ValueError" not in line["problem"] and ".xlsx" in line["advice"]


def zero_byte_file(tmp: Path) -> None:
    base_day(tmp)
    (folder(tmp) / "空文件.xlsx").write_bytes(b"")
    cd = load(tmp)
    line = has_line(cd, level="错误", table="", file=shown("空文件.xlsx"), sheet="", row=None, column="", value="",
                    problem="文件为空（0字节），无法读取")
    assert "Zip" not in line["problem"] + line["advice"]


F_HEADER = ["姓名", "身份证号", "手机号", "出发地", "返岗企业", "计划返岗日期"]
M_HEADER = ["姓名", "身份证号", "手机号", "县区", "意向岗位", "登记日期"]


def id_number_in_scientific_notation(tmp: Path) -> None:
    day = base_day(tmp)
    idno = make_idno("36010219900307123")
    write_xlsx(day / "返岗.xlsx", {"返岗": [F_HEADER, ["张三", float(idno[:17] + "0"), "13800001111", "湖南省",
                                                      "测试企业1有限公司", DAY]]})
    write_csv(day / "求职.csv", [M_HEADER, ["李四", "3.60102E+17", "13800002222", "东湖区", "普工", DAY]])
    cd = load(tmp)
    problem = "身份证号被Excel当成数字，显示为科学计数法（3.60***E+17），后几位已经丢失，无法恢复"
    for code, name, sheet in (("F", "返岗.xlsx", "返岗"), ("M", "求职.csv", "")):
        line = has_line(cd, level="错误", table=code, file=shown(name), sheet=sheet, row=2, column="身份证号",
                        value="3.60***E+17", problem=problem)
        assert line["rule"] == "idno_scientific"
        assert "文本" in line["advice"] and "营业执照" not in line["advice"], line["advice"]
    for f in faults(cd):
        assert "营业执照" not in f["advice"] or f["column"] == "统一社会信用代码", f


# ---------------------------------------------------------------------------------------------
# 9. Privacy


PEOPLE = [  # name, ID number, phone as a clerk might write them
    ("欧阳春花", make_idno("36010219850505456"), "15802572625转8"),
    ("司马秋月", make_idno("36012119900101222"), "18090014287/13912345678"),
    ("上官冬雪", make_idno("36010319920202333"), "手机15504358696"),
    ("诸葛夏荷", make_idno("36010419930303444"), "+86 137 0000 1111"),
]


def _hostile_people(day: Path) -> None:
    f_rows = [[n, i, p, "湖南省邵阳市", "测试企业1有限公司", "2020-02-26"] for n, i, p in PEOPLE]
    f_rows.append([PEOPLE[0][0], PEOPLE[0][1], "13500009999", "湖北省", "测试企业2有限公司", "2020-02-27"])  # conflict
    f_rows.append(["东方朔", PEOPLE[1][1][:17] + "0", "13600007777", "湖南省", "测试企业1有限公司", "2020-02-26"])  # bad ID
    f_rows.append(["西门吹雪", float(PEOPLE[2][1][:15]), "1370000", "湖南省", "测试企业1有限公司", "2020-02-26"])
    write_xlsx(day / "返岗.xlsx", {"返岗": [F_HEADER, *f_rows]})
    m_rows = [[n, i.lower().replace("x", "x "), p, "东湖区", "普工", DAY] for n, i, p in PEOPLE]
    m_rows.append(["皇甫铁牛", PEOPLE[3][1], "#N/A", "东湖区", "电工", DAY])
    write_csv(day / "求职.csv", [M_HEADER, *m_rows])


def _mobiles(text: str) -> set[str]:
    return set(re.findall(r"1[3-9]\d{9}", re.sub(r"\D", "", text)))


def odd_phones_are_masked_in_every_text(tmp: Path) -> None:
    _hostile_people(base_day(tmp))
    cd = load(tmp)
    personal = [f for f in faults(cd) if f["table"] in ("F", "M")]
    assert any(f["column"] == "手机号" for f in personal), "the odd phones are reported"
    phones = {m for _, _, p in PEOPLE for m in _mobiles(p)} | {"13500009999", "13600007777"}
    for f in personal:
        text = " ".join(str(f[k]) for k in ("value", "problem", "advice"))
        for p in phones:
            assert p not in text and p not in re.sub(r"\D", "", text), (p, f)
        for _, idno, _ in PEOPLE:
            assert idno not in text.upper().replace(" ", ""), (idno, f)


def no_personal_data_outside_restricted(tmp: Path) -> None:
    _hostile_people(base_day(tmp))
    cd = load(tmp)
    out = tmp / "out"
    written = products.write_all(cd, out)
    public = [p for p in written if "restricted" not in p.relative_to(out).parts]
    assert {p.suffix for p in public} >= {".xlsx", ".parquet", ".html"}
    assert any("restricted" in p.relative_to(out).parts for p in written), "the restricted lists exist"
    ids = {i for _, i, _ in PEOPLE} | {PEOPLE[1][1][:17] + "0", PEOPLE[2][1][:15]}
    phones = {m for _, _, p in PEOPLE for m in _mobiles(p)} | {"13500009999", "13600007777"}
    names = {n for n, _, _ in PEOPLE} | {"东方朔", "西门吹雪", "皇甫铁牛"}
    for path in public:
        text = text_of(path)
        digits = re.sub(r"[\s\-+]", "", text).upper()
        for i in ids:
            assert i not in digits, (path.name, i)
        for p in phones:
            assert p not in digits, (path.name, p)
        for n in names:
            assert n not in text, (path.name, n)


def zone_shows_work_phone_or_hotline(tmp: Path) -> None:
    day = base_day(tmp, list_=False)
    rows = list_rows(3)
    rows[0][7] = "13912345678"  # a personal mobile
    rows[1][7] = "0791-86001234"  # a work phone
    rows[2][7] = "0791-86001235转13912345678"
    write_xlsx(day / "清单.xlsx", {"清单": [A_HEADER, *rows]})
    cd = load(tmp)
    page = zone.render_city(cd)
    text = re.sub(r"<[^>]+>", " ", page)
    assert "13912345678" not in re.sub(r"\D", "", page)
    assert "联系电话（人社服务专员）： 0791-86001234" in text
    assert text.count("联系电话（人社服务热线）： 12333") == 2


# ---------------------------------------------------------------------------------------------
# 10. Only regular files


def links_and_fifos_are_not_followed(tmp: Path) -> None:
    day = base_day(tmp)
    outside = write_xlsx(tmp / "outside" / "台账.xlsx", {"台账": [B_HEADER, *ledger_rows(3, DAY, shortage=99)]})
    (day / "外部台账.xlsx").symlink_to(outside)
    (day / "passwd.csv").symlink_to("/etc/passwd")
    (day / "链接目录").symlink_to(outside.parent, target_is_directory=True)
    os.mkfifo(day / "管道.csv")
    cd = _timed(lambda: load(tmp), 10)
    link = "未读取：这是一个符号链接（快捷方式），程序不跟随链接读取"
    for name in ("外部台账.xlsx", "passwd.csv", "链接目录"):
        has_line(cd, level="警告", table="", file=shown(name), sheet="", row=None, column="", value="", problem=link)
    has_line(cd, level="警告", table="", file=shown("管道.csv"), sheet="", row=None, column="", value="",
             problem="未读取：不是普通文件（设备、管道等）")
    assert list(cd.tables["B"]["缺工人数"]) == [10, 10, 10]
    assert sorted(p.name for p in cd.inbox.files) == ["台账.xlsx", "清单.xlsx"]


# ---------------------------------------------------------------------------------------------
# The corpus: every foreign file ends as report lines or is read, never a crash


def corpus_never_crashes(tmp: Path) -> None:
    files = sorted(p for p in DATA.iterdir() if p.suffix not in (".py", ".md"))
    assert len(files) >= 7
    for i, path in enumerate(files):
        case = tmp / f"c{i}"
        base_day(case, ledger=False)
        shutil.copy(path, folder(case) / path.name)
        root = case / "inbox"
        try:
            cd = pipeline.load(root, CITY, DAY)
        except UserError as exc:
            raise AssertionError(f"{path.name}: {exc.message}") from exc
        assert "B" in cd.reported, path.name
        lines = [f for f in faults(cd) if f["file"] == shown(path.name)]
        assert all(f["problem"] and f["advice"] for f in lines), path.name


CASES = [
    Case("1-huge-count-xlsx", 1, "1E+20, 20 nines and 1E+16 in count columns of an xlsx", huge_counts_xlsx),
    Case("1-huge-count-csv", 1, "1E+20 in a CSV ledger, 1E+19 in 推送人次", huge_counts_csv_and_daily_tables),
    Case("2-stray-xfd1048576", 2, "one stray cell at XFD1048576", stray_cell_far_away),
    Case("2-stray-odd-references", 2, "stray cells in quoting, spacing and case a quick scan misses",
         stray_cell_in_an_unusual_form),
    Case("2-zip-bomb-declared", 2, "shared strings declaring 1 GB", zip_bomb_declared),
    Case("2-zip-bomb-lying", 2, "a part inflating beyond its declared size", zip_bomb_lying),
    Case("2-sheet-too-big", 2, "a data area of 1048001 × 16384 cells", sheet_too_big),
    Case("2-csv-ragged-row", 2, "a CSV line of 20,000 commas and a value", csv_ragged_row),
    Case("2-stray-ods-xls", 2, "stray cells in LibreOffice .ods and .xls", stray_cells_in_foreign_files),
    Case("3-error-values-xlsx", 3, "#DIV/0!, #N/A, #VALUE! in a LibreOffice xlsx", error_values_xlsx),
    Case("3-error-values-xls", 3, "#DIV/0!, #N/A, #VALUE! in a LibreOffice xls", error_values_xls),
    Case("3-error-values-ods", 3, "#DIV/0!, #N/A, #VALUE! in a LibreOffice ods", error_values_ods),
    Case("3-only-error-values", 3, "a workbook of error values only", only_error_values_is_not_empty),
    Case("4-ods-xls-et", 4, "the same day as .ods, .xls and .et", ods_xls_et_read_like_xlsx),
    Case("4-et-not-workbook", 4, ".et files that are no workbook", et_that_is_not_a_workbook),
    Case("4-other-files-listed", 4, ".txt, .zip, unknown, no extension, subfolder", other_files_are_listed),
    Case("4-missing-ledger-names-files", 4, "no table B: the message names the files not read",
         missing_ledger_names_the_candidates),
    Case("5-duplicate-mapped-headers", 5, "缺工人数 beside 缺口人数", duplicate_mapped_headers),
    Case("5-hidden-stale-sheet", 5, "a hidden sheet of stale rows beside the visible one", hidden_stale_sheet),
    Case("5-hidden-only-data", 5, "the only ledger is on a hidden sheet", hidden_sheet_only_data),
    Case("5-conflict-one-file", 5, "conflicting rows in two sheets of one file", conflict_within_one_file),
    Case("6-empty-vacancy-sheet", 6, "table C with a header and no rows", empty_vacancy_sheet),
    Case("6-empty-ledger-sheet", 6, "table B with a header and a 合计 row only", empty_ledger_sheet),
    Case("6-total-under-header", 6, "a 合计 row directly under the header", total_row_under_the_header),
    Case("7-future-dated-ghi", 7, "G, H, I rows dated after the day", future_dated_rows),
    Case("7-long-cell", 7, "a cell of 40,000 characters", long_cell),
    Case("7-control-characters", 7, "NUL and BEL in a CSV cell", control_characters_from_csv),
    Case("8-unreadable-ledger", 8, "the only ledger file is damaged", unreadable_ledger_named),
    Case("8-encrypted-ledger", 8, "the only ledger file is encrypted", encrypted_ledger_named),
    Case("8-csv-encoding", 8, "a CSV in no known encoding", csv_encoding_message),
    Case("8-zero-byte", 8, "a 0-byte xlsx", zero_byte_file),
    Case("8-id-scientific", 8, "ID numbers turned into 3.60102E+17", id_number_in_scientific_notation),
    Case("9-odd-phones-masked", 9, "odd phone cells in F and M", odd_phones_are_masked_in_every_text),
    Case("9-no-pii-outside-restricted", 9, "every public output of a hostile F/M day",
         no_personal_data_outside_restricted),
    Case("9-zone-hotline", 9, "专区 shows work phones or the hotline", zone_shows_work_phone_or_hotline),
    Case("10-links-fifos", 10, "symlinks (file, /etc/passwd, folder) and a FIFO", links_and_fifos_are_not_followed),
    Case("corpus-never-crashes", 4, "every foreign file of tests/data", corpus_never_crashes),
]
