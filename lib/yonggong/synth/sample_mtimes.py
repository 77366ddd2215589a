"""Modification times of the bundled sample inbox, kept in ``sample_inbox/mtimes.json``.

git does not keep file modification times, but the inbox contract uses them: the newest file
wins a conflict, and the province falls back to a file's time when no 收件登记.csv was kept.
The generator sets them deterministically; `record` writes them down and `restore` puts them
back on a fresh clone (``invoke`` calls it for the bundled sample before any task). Only the
bundled sample is touched, and only its times, never its content.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

FILE = "mtimes.json"


def record(root: Path) -> int:
    """Write the modification time (ns) of every file under ``root``; returns the count."""
    root = Path(root)
    times = {p.relative_to(root).as_posix(): p.stat().st_mtime_ns
             for p in sorted(root.rglob("*")) if p.is_file() and p.name != FILE}
    (root / FILE).write_text(json.dumps(times, ensure_ascii=False, indent=0, sort_keys=True) + "\n",
                             encoding="utf-8")
    return len(times)


def restore(root: Path) -> int:
    """Put the recorded times back where they differ; returns how many files were touched."""
    root = Path(root)
    path = root / FILE
    if not path.is_file():
        return 0
    touched = 0
    for rel, ns in json.loads(path.read_text(encoding="utf-8")).items():
        p = root / rel
        if p.is_file() and p.stat().st_mtime_ns != ns:
            os.utime(p, ns=(ns, ns))
            touched += 1
    return touched
