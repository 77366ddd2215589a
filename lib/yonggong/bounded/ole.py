"""OLE compound files: xls workbooks (BIFF8), told apart from encrypted OOXML, Word documents and
WPS ``.et`` files. A minimal compound-file reader finds the workbook stream; its cell records
give the real extent of every sheet; stray cells are disarmed in an in-memory copy (their record
type set to 0) and reported; error cells are put back; then the sheets are loaded with the reader.
"""

from __future__ import annotations

import io
import struct
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..parse import excel_display
from .common import (
    OLE_MAGIC,
    Book,
    Limits,
    SheetPlan,
    Unreadable,
    data_area,
    load_sheets,
    stray_notes,
    too_big,
)

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


def read_ole(path: Path, suffix: str, limits: Limits) -> Book:
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
            plan.unread = too_big(area, limits)
        plans[bs.name] = plan
    source = io.BytesIO(bytes(patched)) if patched else io.BytesIO(data)
    try:
        return load_sheets(source, plans, "xls")
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

