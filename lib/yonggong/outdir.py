"""The outputs folder of a run: where a city day's products go (:func:`city_out_dir`), checking
that a run can write there before anything is written (a file named by ``--out``, a read-only or
full disk: one Chinese message, :func:`prepare_folder`), and publishing a finished temporary folder
in place of the previous outputs with ordinary permissions (:func:`settle_modes`, :func:`publish`).
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import tempfile
import uuid
from pathlib import Path

from . import paths
from .errors import UserError, folder_error, os_error_kind
from .reference import City

MIN_FREE_BYTES = 16 * 2**20  # a city day writes well under 1 MB; less free space than this is a full disk


def city_out_dir(out_root: Path, city: City, day: dt.date) -> Path:
    """outputs/<day>/<city>; refuses anything that would leave the outputs folder."""
    root = Path(out_root).resolve()
    target = (root / day.isoformat() / city.name).resolve()
    if root not in target.parents:
        raise UserError(f"输出路径越出输出目录：{target}")
    return target


def _disk_free(folder: Path) -> int:
    return shutil.disk_usage(folder).free


def _probe_write(folder: Path) -> None:
    """Write and remove a one-byte file in ``folder`` (an OSError when that is not possible)."""
    fd, probe = tempfile.mkstemp(dir=folder, prefix=".probe-")
    try:
        os.write(fd, b"\0")
    finally:
        os.close(fd)
        os.unlink(probe)


def prepare_folder(folder: Path, shown: Path | None = None) -> None:
    """Create ``folder`` (an outputs day folder) and make sure a run can write there.

    ``--out`` naming a file, a folder without write permission, a read-only disk or a full one
    end here with one Chinese message (UserError, exit code 2) naming ``shown`` (the ``--out``
    folder), before anything is written."""
    folder = Path(folder)
    shown = Path(shown) if shown is not None else folder
    check_out_root(folder)  # the nearest existing ancestor must be a folder
    try:
        folder.mkdir(parents=True, exist_ok=True)
        _probe_write(folder)
    except OSError as exc:
        raise folder_error(os_error_kind(exc) or "other", shown, exc) from None
    try:
        free = _disk_free(folder)
    except OSError:
        return
    if free < MIN_FREE_BYTES:
        raise folder_error("space", shown)


def _current_umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


UMASK = _current_umask()  # read once, at import (setting it back and forth is not thread-safe)


def settle_modes(folder: Path) -> None:
    """Ordinary permissions for a finished outputs folder, as the umask allows (colleagues read
    the products on a shared drive; the temporary files they were written through are 0600), and
    restricted/ 0700 with its files 0600; an empty restricted/ is removed."""
    private_root = folder / paths.RESTRICTED
    if private_root.is_dir() and not any(private_root.iterdir()):
        private_root.rmdir()
    for p in [folder, *sorted(folder.rglob("*"))]:
        private = paths.RESTRICTED in p.relative_to(folder).parts
        if p.is_dir():
            os.chmod(p, 0o700 if private else 0o777 & ~UMASK)
        else:
            os.chmod(p, 0o600 if private else 0o666 & ~UMASK)


def publish(tmp: Path, final: Path) -> None:
    """Move a finished temporary folder into place, replacing the previous outputs.

    Callers hold Ctrl-C back meanwhile (``_deferred_interrupt``); a run killed between the two
    renames leaves ``.old-<name>-*``, which the next run puts back (:func:`tidy_leftovers`)."""
    old = None
    if final.exists():
        old = final.with_name(f".old-{final.name}-{uuid.uuid4().hex[:8]}")
        os.replace(final, old)
    try:
        os.replace(tmp, final)
    except OSError:
        if old is not None:
            os.replace(old, final)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def check_out_root(out_root: Path) -> None:
    """``--out`` naming a file (or a path through one): the one message, before anything else."""
    out_root = Path(out_root)
    for parent in (out_root, *out_root.parents):
        if parent.exists() or parent.is_symlink():
            if not parent.is_dir():
                raise folder_error("not_folder", parent)
            return


def check_out_folder(out_root: Path) -> None:
    """Before many runs into ``out_root`` (``invoke all``): the one message now for a folder
    that cannot be used, rather than one per run. Creates nothing: where ``out_root`` does
    not exist yet, its nearest existing folder is checked (the runs will create it there)."""
    out_root = Path(out_root)
    check_out_root(out_root)
    existing = next((p for p in (out_root, *out_root.parents) if p.is_dir()), None)
    if existing is not None:
        prepare_folder(existing, out_root.resolve())
