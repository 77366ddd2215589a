"""Memory freed between the steps of a big day given back to the system.

A province-scale day (a million returning workers) frees hundreds of MB after each step —
the rows read from a CSV once they are columns, the parquet bytes of the day cache once
written, the cells of a name list once it is in its workbook — but the C allocators keep
freed memory for reuse, so the process would grow to the sum of its steps' peaks instead of the
largest one. :func:`release` hands it back between steps: Arrow's memory pool drops its unused
blocks and, on Linux (glibc), ``malloc_trim`` returns free heap pages. Each call costs a few
milliseconds; elsewhere (Windows, macOS, musl) only Arrow's part applies.
"""

from __future__ import annotations

import ctypes
import functools
import sys


@functools.cache
def _malloc_trim():
    if not sys.platform.startswith("linux"):
        return None
    try:
        return getattr(ctypes.CDLL(None), "malloc_trim", None)
    except OSError:
        return None


def release() -> None:
    """Give the memory freed so far back to the system (see the module docstring)."""
    pyarrow = sys.modules.get("pyarrow")
    if pyarrow is not None:
        pyarrow.default_memory_pool().release_unused()
    trim = _malloc_trim()
    if trim is not None:
        trim(0)
