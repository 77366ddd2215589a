"""Zip containers (xlsx, ods) read within the budget: each part inflated once, piece by piece,
counting the bytes really produced (``inflate``; ``reading.max_unzipped_mb``), a damaged part
(size or CRC) made ``Unreadable``, and an in-memory copy with some parts replaced for the reader
(``rewrite_zip``).
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib

from .common import MB, ZIP_MAGIC, Limits, Unreadable


def _local_data_offset(fh, info: zipfile.ZipInfo) -> int:
    fh.seek(info.header_offset)
    head = fh.read(30)
    if len(head) < 30 or head[:4] != ZIP_MAGIC:
        raise Unreadable("文件已损坏（压缩包结构不完整），无法读取", "请重新导出或从原始文件重新复制后放入", "file_corrupt")
    name_len, extra_len = struct.unpack_from("<HH", head, 26)
    return info.header_offset + 30 + name_len + extra_len


def inflate(fh, zf: zipfile.ZipFile, info: zipfile.ZipInfo, budget: int, sink=None) -> int:
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
            raise OverBudget()
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


class OverBudget(Exception):
    pass


def over_budget(limits: Limits) -> Unreadable:
    return Unreadable(f"文件解压后超过读取上限{limits.max_unzipped_bytes / MB:.0f}MB，未读取（文件中可能有大量无用内容）",
                      "请把数据复制到一个新的Excel工作簿（只粘贴数值）另存为 .xlsx 后放入，或把数据拆分为几个文件",
                      "file_unzipped_too_big")



def rewrite_zip(zf: zipfile.ZipFile, replaced: dict[str, bytes]) -> io.BytesIO:
    """An in-memory copy of the zip with some parts replaced (for the reader)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as out:
        for info in zf.infolist():
            data = replaced[info.filename] if info.filename in replaced else zf.read(info)
            out.writestr(info.filename, data)
    buf.seek(0)
    return buf
