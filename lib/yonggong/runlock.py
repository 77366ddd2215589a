"""The lock of a run: a file created atomically with its owner already in it (PID, the process's
start time, host, user, command). A lock whose process is gone, or whose PID now belongs to a
process started later, is stale and taken over (one process at a time, through a guard file); a
lock held by a live run ends the new one with :class:`~yonggong.errors.RunLocked`, saying who holds
it and how to clear it (:func:`held_message`).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import socket
import sys
import time
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from .errors import RunLocked

LOCK_TAKEOVER_GRACE = 30.0  # seconds after which a takeover guard left by a dead process is removed
START_TIME_TOLERANCE = 1.0  # seconds: the same process reports the same start time


def when_text(epoch: float | None) -> str:
    if epoch is None:
        return "未知"
    return dt.datetime.fromtimestamp(epoch).strftime("%Y-%m-%d %H:%M:%S")


def owner_record() -> dict:
    """Who takes a lock: this process (PID and start time, so that a reused PID is told apart),
    the host, the user, when and by which command."""
    import psutil

    try:
        started = psutil.Process().create_time()
    except (psutil.Error, OSError):
        started = None
    try:
        import getpass

        user = getpass.getuser()
    except Exception:  # noqa: BLE001 - no user name on some systems; not essential
        user = ""
    return {"pid": os.getpid(), "process_started": started, "process_started_text": when_text(started),
            "host": socket.gethostname(), "user": user,
            "acquired": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
            "command": " ".join(Path(a).name if i == 0 else a for i, a in enumerate(sys.argv))[:300]}


@dataclass
class LockOwner:
    """What a lock file says about its holder."""

    raw: bytes
    pid: int | None = None
    started: float | None = None
    host: str = ""
    acquired: str = ""
    legacy: bool = False  # the old "PID time" form

    @classmethod
    def parse(cls, raw: bytes) -> LockOwner:
        text = raw.decode("utf-8", "replace").strip()
        try:
            rec = json.loads(text)
            if isinstance(rec, dict) and isinstance(rec.get("pid"), int):
                started = rec.get("process_started")
                return cls(raw, rec["pid"], float(started) if isinstance(started, (int, float)) else None,
                           str(rec.get("host", "")), str(rec.get("acquired", "")))
        except ValueError:
            pass
        parts = text.split()
        if len(parts) >= 2 and parts[0].isdigit():  # written by an earlier version: "PID ISO-time"
            return cls(raw, int(parts[0]), None, "", parts[1], legacy=True)
        return cls(raw)  # empty or partial: being written; held

    @property
    def complete(self) -> bool:
        return self.pid is not None

    def stale(self) -> bool:
        """True when the holder is certainly gone: no such process on this host, or the PID now
        belongs to a process that started at another time (a reused PID). An empty or partial
        lock, or one from another host, is held."""
        import psutil

        if not self.complete or (self.host and self.host != socket.gethostname()):
            return False
        try:
            proc = psutil.Process(self.pid)
            created = proc.create_time()
        except psutil.NoSuchProcess:
            return True
        except (psutil.Error, OSError):
            return False  # exists, but cannot be inspected: held
        if self.started is not None:
            return abs(created - self.started) > START_TIME_TOLERANCE
        if self.legacy:  # the process with that PID started after the lock was taken: reused
            try:
                taken = dt.datetime.fromisoformat(self.acquired)
                taken = taken.timestamp() if taken.tzinfo else time.mktime(taken.timetuple())
            except ValueError:
                return False
            return created > taken + START_TIME_TOLERANCE
        return False

    def describe(self) -> str:
        if not self.complete:
            return "持有者信息不完整（锁文件可能正在写入）"
        parts = [f"PID {self.pid}", f"进程启动于 {when_text(self.started)}" if self.started is not None else ""]
        if self.host:
            parts.append(f"主机 {self.host}")
        if self.acquired:
            parts.append(f"加锁于 {self.acquired.replace('T', ' ')[:19]}")
        return "，".join(p for p in parts if p)


def read_lock(path: Path) -> LockOwner | None:
    """The lock's owner, None when there is no lock file."""
    try:
        return LockOwner.parse(Path(path).read_bytes())
    except FileNotFoundError:
        return None
    except OSError:
        return LockOwner(b"")  # cannot be read (yet): held


def _create_exclusive(path: Path, data: bytes) -> bool:
    """Create ``path`` holding ``data`` in one step; False if it exists.

    The record is written to a private file first and hard-linked into place (``os.link``
    fails if the name exists), so nobody ever sees a lock without its owner. Where hard links
    are not supported the file is created with O_EXCL and written at once; a reader seeing it
    empty treats it as held."""
    tmp = path.with_name(f"{path.name}.{os.getpid()}-{uuid.uuid4().hex[:8]}.new")
    with open(tmp, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    try:
        try:
            os.link(tmp, path)
            return True
        except FileExistsError:
            return False
        except (OSError, AttributeError, NotImplementedError):
            pass  # no hard links on this file system (FAT, some network shares)
        try:
            fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY | getattr(os, "O_BINARY", 0))
        except FileExistsError:
            return False
        try:
            os.write(fd, data)
            os.fsync(fd)
        finally:
            os.close(fd)
        return True
    finally:
        tmp.unlink(missing_ok=True)


def _take_over(path: Path, stale: LockOwner, data: bytes) -> bool:
    """Replace the stale lock ``stale`` by ours; False when someone else got there first.

    Only one process at a time may take over (a guard file, created exclusively); it removes the
    lock only if it still holds the very record judged stale."""
    guard = path.with_name(path.name + ".takeover")
    if not _create_exclusive(guard, data):
        try:
            if time.time() - guard.stat().st_mtime > LOCK_TAKEOVER_GRACE:
                guard.unlink(missing_ok=True)  # left by a process that died while taking over
        except OSError:
            pass
        return False
    try:
        current = read_lock(path)
        if current is not None and current.raw != stale.raw:
            return False
        path.unlink(missing_ok=True)
        return _create_exclusive(path, data)
    finally:
        guard.unlink(missing_ok=True)


def held_message(path: Path, owner: LockOwner, label: str = "") -> str:
    """Who holds the lock and exactly how to clear it."""
    what = f"{label}的报表" if label else "该报表"
    return (f"{what}正在由另一个运行生成（{owner.describe()}），请等它结束后再运行。"
            f"如果确认该进程已经不在运行（例如已关闭窗口、电脑重启过），可以删除锁文件 {path} 后重试；"
            "进程仍在运行时不要删除")


@dataclass
class LockInfo:
    path: Path
    record: dict
    took_over: LockOwner | None = None  # the stale lock taken over (a dead run's)


@contextmanager
def lock(path: Path, label: str = ""):
    """An exclusive lock file holding its owner (see :func:`owner_record`); a stale lock (its
    process gone, or its PID reused) is taken over. Yields a :class:`LockInfo`."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    record = owner_record()
    data = (json.dumps(record, ensure_ascii=False, indent=1) + "\n").encode("utf-8")
    info = LockInfo(path, record)
    for attempt in range(5):
        if _create_exclusive(path, data):
            break
        owner = read_lock(path)
        if owner is None:
            continue  # released meanwhile
        if not owner.stale():
            raise RunLocked(held_message(path, owner, label))
        if _take_over(path, owner, data):
            info.took_over = owner
            break
        time.sleep(0.05 * (attempt + 1))
    else:
        owner = read_lock(path) or LockOwner(b"")
        raise RunLocked(held_message(path, owner, label))
    try:
        yield info
    finally:
        try:
            if path.read_bytes() == data:  # never remove a lock someone else holds now
                path.unlink()
        except OSError:
            pass
