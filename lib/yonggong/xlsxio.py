"""Byte-reproducible file writing: xlsx via openpyxl, parquet via pyarrow, atomic replace.

openpyxl stamps the save time into ``docProps/core.xml`` and into every zip entry; the
same inputs must give the same bytes, so both are pinned to a fixed instant here.
"""

from __future__ import annotations

import io
import os
import re
import tempfile
import zipfile
from pathlib import Path

FIXED_ZIP_TIME = (2020, 1, 1, 0, 0, 0)
FIXED_W3CDTF = "2020-01-01T00:00:00Z"
_CORE_TIMES = re.compile(
    rb"(<dcterms:(created|modified)[^>]*>)[^<]*(</dcterms:(created|modified)>)"
)


def workbook_bytes(wb) -> bytes:
    """Serialise an openpyxl Workbook to deterministic bytes."""
    raw = io.BytesIO()
    wb.save(raw)
    return normalise_zip(raw.getvalue())


def normalise_zip(data: bytes) -> bytes:
    """Rewrite an xlsx zip with fixed entry times and fixed core-property timestamps."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            payload = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                payload = _CORE_TIMES.sub(rb"\g<1>" + FIXED_W3CDTF.encode() + rb"\g<3>", payload)
            fixed = zipfile.ZipInfo(info.filename, date_time=FIXED_ZIP_TIME)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o600 << 16
            dst.writestr(fixed, payload)
    return out.getvalue()


def write_bytes_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file in the same folder."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=path.suffix)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def save_workbook(wb, path: Path) -> None:
    """Save an openpyxl Workbook deterministically and atomically."""
    write_bytes_atomic(Path(path), workbook_bytes(wb))


def save_parquet(df, path: Path) -> None:
    """Write a DataFrame as parquet deterministically (no index, fixed writer options)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.Table.from_pandas(df, preserve_index=False)
    buf = io.BytesIO()
    pq.write_table(table, buf, compression="zstd", use_dictionary=True, write_statistics=True)
    write_bytes_atomic(Path(path), buf.getvalue())
