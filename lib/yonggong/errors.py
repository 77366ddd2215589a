"""Exceptions in one place.

`UserError` carries a message in Chinese for the analyst and ends a command with exit code 2
before anything is written. A folder the program cannot write to (``--out`` naming a file, a
read-only folder, a full disk) is a `UserError` too: :func:`folder_error` words it.
`Interrupted` (Ctrl-C) ends a command with exit code 130, as a shell does.
"""

from __future__ import annotations

import errno
from pathlib import Path


class YonggongError(Exception):
    """Base class of the package's own errors."""


class UserError(YonggongError):
    """Bad command input (unknown city, impossible date, missing table): exit code 2."""

    exit_code = 2

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class RunFailed(YonggongError):
    """The notebook failed; previous outputs are untouched and the failed notebook is kept."""

    exit_code = 1


class SelfCheckFailed(YonggongError):
    """A number of a written product differs from the computed figures (a program defect, not a
    data fault): the run fails with exit code 1 and the previous outputs stay."""

    exit_code = 1


class RunLocked(YonggongError):
    """Another run of the same city-day holds the lock."""

    exit_code = 3

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class Interrupted(YonggongError):
    """The run was interrupted (Ctrl-C): previous outputs untouched, a failed/ record left."""

    exit_code = 130

    def __init__(self, message: str = "已中断"):
        super().__init__(message)
        self.message = message


# errno values (POSIX names; Windows maps its own codes onto these in OSError.errno) and the
# Windows error codes (OSError.winerror) that mean the same.
_NO_SPACE = {errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC), getattr(errno, "EFBIG", errno.ENOSPC)}
_NO_SPACE_WIN = {39, 112}  # ERROR_HANDLE_DISK_FULL, ERROR_DISK_FULL
_READ_ONLY = {errno.EACCES, errno.EPERM, getattr(errno, "EROFS", errno.EACCES)}
_IN_USE_WIN = {32, 33}  # ERROR_SHARING_VIOLATION, ERROR_LOCK_VIOLATION (a file open in Excel)
_NOT_A_FOLDER = {errno.ENOTDIR, errno.EEXIST}


def os_error_kind(exc: BaseException) -> str | None:
    """What an OSError means for a folder: "space", "readonly", "in_use", "not_folder" or None."""
    if not isinstance(exc, OSError):
        return None
    winerror = getattr(exc, "winerror", None)
    if exc.errno in _NO_SPACE or winerror in _NO_SPACE_WIN:
        return "space"
    if winerror in _IN_USE_WIN:
        return "in_use"
    if isinstance(exc, (NotADirectoryError, FileExistsError)) or exc.errno in _NOT_A_FOLDER:
        return "not_folder"
    if isinstance(exc, PermissionError) or exc.errno in _READ_ONLY:
        return "readonly"
    return None


def text_error_kind(text: str) -> str | None:
    """The same for an error known only by its text (an exception raised inside the notebook's kernel)."""
    t = str(text)
    if "[Errno 28]" in t or "No space left" in t or "Disk quota exceeded" in t or "[WinError 112]" in t \
            or "[Errno 122]" in t or "磁盘空间不足" in t:
        return "space"
    if "[Errno 30]" in t or "Read-only file system" in t:
        return "readonly"
    return None


def folder_error(kind: str, folder: Path | str, exc: BaseException | None = None) -> UserError:
    """The one Chinese message for an outputs folder the run cannot use (exit code 2)."""
    folder = Path(folder)
    detail = f"（{exc.strerror or exc}）" if isinstance(exc, OSError) and (exc.strerror or str(exc)) else ""
    if kind == "space":
        msg = (f"输出目录 {folder} 所在磁盘空间不足{detail}，报表没有生成；上一次的成功结果未改动。"
               "请清理磁盘或用 --out 指定其他磁盘上的文件夹后重试")
    elif kind == "not_folder":
        msg = (f"输出目录 {folder} 不是文件夹（同名的文件已存在）{detail}。"
               "请用 --out 指定一个文件夹（不存在时会自动建立）")
    elif kind == "in_use":
        msg = (f"输出文件夹 {folder} 中有文件正被其他程序（如 Excel、WPS）打开{detail}，无法替换。"
               "上一次的成功结果未改动；请关闭这些文件后重试")
    else:  # readonly
        msg = (f"输出目录 {folder} 不可写（没有写入权限或为只读）{detail}，报表没有生成。"
               "请用 --out 指定一个可写的文件夹，或请管理员开通写入权限")
    return UserError(msg)
