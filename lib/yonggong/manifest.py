"""What a run records about its inputs and code: file entries (path, size, sha256, modification
time), the inbox files a city day may read, the sha256 of the package sources, the git commit and
the versions of the packages used. ``run`` builds the fingerprint of a job and its manifest.json
from them; ``daycache`` uses the same hashes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import platform
import stat
import subprocess
from importlib import metadata
from pathlib import Path

from . import paths
from .days import day_folders
from .reference import City

PACKAGES = ["yonggong", "pandas", "numpy", "openpyxl", "pyarrow", "papermill", "nbconvert",
            "cn2an", "python-calamine", "jupyterlab", "invoke", "ipykernel", "PyYAML", "Jinja2", "psutil"]


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def file_entry(path: Path, base: Path, times: bool = True) -> dict:
    """Path (relative to ``base`` when inside it), size and sha256 of a file; with ``times`` also
    its modification time (``mtime_ns`` exactly, ``modified`` for people): the newest file wins
    a conflict and a province file without a 收件登记 line is timed by it, so it is an input too."""
    try:
        shown = path.resolve().relative_to(Path(base).resolve()).as_posix()
    except ValueError:
        shown = path.resolve().as_posix()
    st = path.stat()
    entry = {"path": shown, "size": st.st_size, "sha256": sha256_file(path)}
    if times:
        entry["mtime_ns"] = st.st_mtime_ns
        entry["modified"] = dt.datetime.fromtimestamp(st.st_mtime).astimezone().isoformat(timespec="seconds")
    return entry


def _regular_files(folder: Path) -> list[Path]:
    """Regular files under ``folder`` (symbolic links, devices and FIFOs are not inputs)."""
    out = []
    for dirpath, dirnames, filenames in os.walk(folder, followlinks=False):
        base = Path(dirpath)
        dirnames[:] = [d for d in dirnames if not (base / d).is_symlink()]
        for name in filenames:
            p = base / name
            try:
                st = p.lstat()
            except OSError:
                continue
            if stat.S_ISREG(st.st_mode):
                out.append(p)
    return sorted(out)


def input_files(inbox: Path, city: City, day: dt.date) -> list[Path]:
    """Every inbox file a city-day run may read: the city's folders on or before the day."""
    files = []
    for d, folder in sorted(day_folders(inbox, city).items()):
        if d <= day:
            files += _regular_files(folder)
    return files


def git_commit() -> str:
    try:
        out = subprocess.run(["git", "rev-parse", "HEAD"], cwd=paths.ROOT, capture_output=True, text=True,
                             timeout=10)
        return out.stdout.strip() if out.returncode == 0 else ""
    except (OSError, subprocess.SubprocessError):
        return ""


def code_hash() -> str:
    """sha256 over the yonggong package sources (what the up-to-date check compares)."""
    h = hashlib.sha256()
    for p in sorted(paths.PACKAGE_DIR.rglob("*")):
        if p.is_file() and p.suffix in (".py", ".html", ".css", ".j2", ".yaml"):
            h.update(p.relative_to(paths.PACKAGE_DIR).as_posix().encode())
            h.update(p.read_bytes())
    return h.hexdigest()


def package_versions() -> dict[str, str]:
    out = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = ""
    return out
