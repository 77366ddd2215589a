"""What one process keeps of day folders between the days it runs, keyed on their file stamps.

Without a day cache (a week explored in one kernel, the tests), a run over many days would clean
each earlier folder again for every day after it; :class:`Memo` keeps the results, bounded, and
:func:`folder_stamp` is the part of every key that makes an edited folder a new entry.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path


def folder_stamp(folder: Path) -> tuple:
    """Names, sizes and modification times of a folder's files (the cache key of its tables)."""
    return tuple((p.name, p.stat().st_size, p.stat().st_mtime_ns) for p in sorted(folder.iterdir()) if p.is_file())


class Memo:
    """A bounded in-process memo, least recently used out first."""

    def __init__(self, size: int):
        self.size = size
        self.items: OrderedDict = OrderedDict()

    def find(self, key):
        """The value kept under ``key``, or None."""
        if key not in self.items:
            return None
        self.items.move_to_end(key)
        return self.items[key]

    def get(self, key, make: Callable[[], object]):
        """The value kept under ``key``, made and kept when there is none."""
        value = self.find(key)
        if value is not None:
            return value
        value = make()
        self.put(key, value)
        return value

    def put(self, key, value) -> None:
        """Keep ``value`` under ``key``; the least recently used entry goes beyond ``size``."""
        self.items[key] = value
        self.items.move_to_end(key)
        if len(self.items) > self.size:
            self.items.popitem(last=False)

    def clear(self) -> None:
        """Forget every entry."""
        self.items.clear()
