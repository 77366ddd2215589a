"""Run a city day: papermill execution, lock, atomic publish, manifest.

    outputs/<YYYY-MM-DD>/<市>/          the published products (replaced only on success)
    outputs/<YYYY-MM-DD>/.tmp-<市>-<PID>-…/   where a run writes while it executes
    outputs/<YYYY-MM-DD>/failed/<市>-<time>-…/   a failed or interrupted run: what it wrote
                                        (the executed or partial notebook) and 失败原因.json
    outputs/<YYYY-MM-DD>/.<市>.lock     held while a run of that city day executes

A failed run leaves the previous good outputs untouched. A bad command (unknown city,
impossible date, missing table A/B) ends with a UserError before anything is written; so does
an outputs folder the run cannot use (a file, read-only, a full disk: :func:`prepare_folder`).

The lock (:func:`lock`) is a file created atomically with its owner already in it (PID, the
process's start time, host); a lock whose process is gone, or whose PID now belongs to a
process started later, is stale and taken over. Holding the lock, a run first tidies what a
dead run of the same city day left (:func:`tidy_leftovers`): its temporary folder goes to
failed/ with a 失败原因.json, an interrupted publish is undone; one line says so.

Ctrl-C (:func:`interrupt_once`) stops the notebook's kernel, keeps the partial notebook in
failed/ with the reason, and ends with :class:`~yonggong.errors.Interrupted` (exit code 130).
The notebook runs in a helper thread so that the interrupt always reaches this code, never
papermill's own signal handling.

The city notebook ends with the 自检 of its products (``yonggong.selfcheck``): it leaves its
outcome in ``SELFCHECK_RECORD`` next to the products, which goes into manifest.json under
``自检`` (the file itself is not published); a failed 自检 fails the notebook, hence the run.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import platform
import shutil
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

from . import __version__, paths
from .days import day_folders, resolve_day
from .errors import Interrupted, RunFailed, RunLocked, UserError, folder_error, os_error_kind, text_error_kind
from .reference import City, params_files, resolve_city

CITY_NOTEBOOK = "city_day.ipynb"
SELFCHECK_RECORD = "selfcheck.json"  # written by yonggong.selfcheck.city, merged into the manifest
FAILURE_RECORD = "失败原因.json"  # in each failed/<…>/ folder
KERNEL_NAME = "yonggong"
PACKAGES = ["yonggong", "pandas", "numpy", "openpyxl", "pyarrow", "papermill", "nbconvert", "pandera",
            "cn2an", "python-calamine", "jupyterlab", "invoke", "ipykernel", "PyYAML", "Jinja2", "psutil"]
# notebook parameters that say where to write or keep things, not what to compute: left out of
# the fingerprint and the manifest (the day cache under "cache" gives the same results as none)
WHERE_ONLY = ("out_dir", "cache")
MIN_FREE_BYTES = 16 * 2**20  # a city day writes well under 1 MB; less free space than this is a full disk
KERNEL_STOP_WAIT = 15.0  # seconds to wait for the notebook thread after its kernel was stopped


@dataclass
class RunResult:
    city: City
    day: dt.date
    out_dir: Path
    manifest: dict
    status: str  # 完成 / 已是最新
    notes: list[str] = field(default_factory=list)  # what the run tidied before it ran (one line each)


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


def city_out_dir(out_root: Path, city: City, day: dt.date) -> Path:
    """outputs/<day>/<city>; refuses anything that would leave the outputs folder."""
    root = Path(out_root).resolve()
    target = (root / day.isoformat() / city.name).resolve()
    if root not in target.parents:
        raise UserError(f"输出路径越出输出目录：{target}")
    return target


# --------------------------------------------------------------------------- the outputs folder


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


# --------------------------------------------------------------------------- the lock


LOCK_TAKEOVER_GRACE = 30.0  # seconds after which a takeover guard left by a dead process is removed
START_TIME_TOLERANCE = 1.0  # seconds: the same process reports the same start time


def _when(epoch: float | None) -> str:
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
    return {"pid": os.getpid(), "process_started": started, "process_started_text": _when(started),
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
        parts = [f"PID {self.pid}", f"进程启动于 {_when(self.started)}" if self.started is not None else ""]
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


# --------------------------------------------------------------------------- what dead runs left


def _pid_of(name: str, prefix: str) -> int | None:
    rest = name[len(prefix):]
    head = rest.split("-", 1)[0]
    return int(head) if head.isdigit() else None


def failure_folder(job: Job, tag: str = "") -> Path:
    root = job.final.parent / "failed"
    root.mkdir(parents=True, exist_ok=True)
    return root / f"{job.name}-{time.strftime('%Y%m%dT%H%M%S')}{('-' + tag) if tag else ''}-{uuid.uuid4().hex[:4]}"


def write_failure_record(folder: Path, job: Job, reason: str, **more) -> None:
    """失败原因.json in a failed/ folder (best effort: a full disk must not hide the first error)."""
    record = {"名称": job.label, "日期": job.day.isoformat(), "原因": reason,
              "记录时间": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
              "主机": socket.gethostname(), **more}
    notebooks = sorted(p.name for p in folder.glob("*.ipynb")) if folder.is_dir() else []
    record["笔记本"] = notebooks[0] if notebooks else None
    try:
        folder.mkdir(parents=True, exist_ok=True)
        (folder / FAILURE_RECORD).write_text(json.dumps(record, ensure_ascii=False, indent=2) + "\n",
                                             encoding="utf-8")
    except OSError:
        pass


def tidy_leftovers(job: Job, took_over: LockOwner | None = None) -> list[str]:
    """Under the lock: what dead runs of this job left in its day folder, put right.

    * ``.tmp-<name>-*`` (a run killed or cut off by a power failure while it executed): moved to
      failed/ with a 失败原因.json; its partial notebook stays there.
    * ``.old-<name>-*`` (a run stopped between the two renames of :func:`publish`): put back as
      the published folder when that is missing, else removed.
    * ``.<name>.lock.*.new`` (a lock record never linked): removed.

    Returns one line for the analyst (or none when there was nothing)."""
    import psutil

    day_dir = job.final.parent
    moved, restored = [], False
    try:
        entries = sorted(day_dir.iterdir())
    except OSError:
        return []
    olds = sorted((p for p in entries if p.name.startswith(f".old-{job.name}-") and p.is_dir()),
                  key=lambda p: p.stat().st_mtime, reverse=True)
    for old in olds:
        try:
            if not job.final.exists() and (old / "manifest.json").is_file():
                os.replace(old, job.final)
                restored = True
            else:
                shutil.rmtree(old)
        except OSError:
            pass
    for p in entries:
        if p.name.startswith(f".tmp-{job.name}-") and p.is_dir():
            try:
                started = _when(p.stat().st_mtime)
                dest = failure_folder(job, "未正常结束")
                os.replace(p, dest)
            except OSError:
                continue
            pid = _pid_of(p.name, f".tmp-{job.name}-")
            extra = {"临时文件夹": p.name, "进程": pid}
            if took_over is not None and took_over.complete and (pid is None or pid == took_over.pid):
                extra["锁"] = took_over.describe()
            write_failure_record(dest, job, "运行未正常结束（进程被强行终止、窗口被关闭或电脑断电），"
                                 f"由下一次运行清理（临时文件夹最后修改于 {started}）", **extra)
            moved.append(dest)
        elif p.name.startswith(f".{job.name}.lock.") and p.name.endswith(".new"):
            pid = _pid_of(p.name, f".{job.name}.lock.")
            if pid is None or not psutil.pid_exists(pid):
                p.unlink(missing_ok=True)
        elif p.name.startswith(".probe-"):  # prepare_folder's, of any job: only old ones
            try:
                if time.time() - p.stat().st_mtime > 600:
                    p.unlink()
            except OSError:
                pass
    notes = []
    if moved or restored or took_over is not None:
        what = []
        if took_over is not None:
            what.append(f"上次运行（{took_over.describe()}）未正常结束，已接管其运行锁")
        if moved:
            where = moved[0].relative_to(day_dir).as_posix() + (f" 等{len(moved)}个" if len(moved) > 1 else "")
            what.append(f"其临时文件夹已移至 {where}（附{FAILURE_RECORD}）" if took_over is not None else
                        f"上次未正常结束的运行留下的临时文件夹已移至 {where}（附{FAILURE_RECORD}）")
        if restored:
            what.append("上次发布中断，已恢复原有输出")
        notes.append(f"提示：{job.label} {job.day}：" + "；".join(what))
    return notes


# --------------------------------------------------------------------------- interrupts (Ctrl-C)


_busy = False  # a run is executing in this process (a SIGINT then interrupts it)
_interrupted = False  # this process got a SIGINT: later runs in it are refused at once


def _on_sigint(signum, frame):
    global _interrupted
    first = not _interrupted
    _interrupted = True
    if first and _busy:
        raise KeyboardInterrupt


def worker_sigint() -> None:
    """For worker processes of ``invoke all``: a Ctrl-C (which reaches every process of the
    console) interrupts the run in progress; an idle worker only notes it, and refuses the runs
    still queued, so the whole command stops quickly without a traceback from any process."""
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGINT, _on_sigint)


def start_worker(kernel_name: str) -> None:
    """Pool initializer of ``invoke all``'s workers: Ctrl-C handling (:func:`worker_sigint`), then
    a warm kernel (``kernel.start_worker``) while papermill is imported."""
    from . import kernel

    worker_sigint()  # Ctrl-C: the run in progress stops, queued ones are refused, no traceback
    kernel.start_worker(kernel_name, prepare=import_papermill)


@contextmanager
def interrupt_once():
    """For the command itself: the first Ctrl-C raises KeyboardInterrupt; further ones while the
    interrupted run tidies up are ignored (no second traceback in the middle of the clean-up)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum, frame):
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGINT, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


@contextmanager
def _deferred_interrupt():
    """Hold a Ctrl-C back while the block runs (the two renames of a publish, the failed/
    record). Yields a list that holds the signal number if one came."""
    got: list[int] = []
    if threading.current_thread() is not threading.main_thread():
        yield got
        return
    previous = signal.signal(signal.SIGINT, lambda s, f: got.append(s))
    try:
        yield got
    finally:
        signal.signal(signal.SIGINT, previous)


def _quiet_after_interrupt() -> None:
    """The notebook client logs its kernel's death as an error; after a Ctrl-C that is expected."""
    import logging

    for name in ("papermill", "nbclient", "traitlets", "jupyter_client"):
        logging.getLogger(name).disabled = True


def _current_umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


_UMASK = _current_umask()  # read once, at import (setting it back and forth is not thread-safe)


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
            os.chmod(p, 0o700 if private else 0o777 & ~_UMASK)
        else:
            os.chmod(p, 0o600 if private else 0o666 & ~_UMASK)


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


def kernel_name() -> str:
    """The project's kernel when installed (./dev installs it), else the default python3."""
    from jupyter_client.kernelspec import KernelSpecManager

    return KERNEL_NAME if KERNEL_NAME in KernelSpecManager().find_kernel_specs() else "python3"


def _register_readable_translator() -> None:
    """Inject str parameters as Python literals that keep Chinese readable.

    papermill's default escapes every non-ASCII character ("\\u5357\\u660c"); a reviewer
    reading the executed notebook should see city = "南昌".
    """
    from papermill.translators import PythonTranslator, papermill_translators

    class ReadablePythonTranslator(PythonTranslator):
        @classmethod
        def translate_str(cls, val):
            return repr(val) if isinstance(val, str) else super().translate_str(val)

    papermill_translators.register("python", ReadablePythonTranslator)


def import_papermill():
    """papermill, imported without what a run never uses but costs every process.

    nbformat imports jsonschema, and jsonschema imports the optional ``rfc3987_syntax`` when it
    is installed (jupyterlab's dependencies install it) only to check the "iri" string format,
    which notebook validation never uses; importing it builds a grammar and costs ~0.7 s per
    process. Marking it absent before papermill is imported makes jsonschema leave out that one
    format check. Nothing else in a run uses the module.

    papermill's I/O module tries ``pyarrow.fs`` for hdfs:// paths, which pulls in pyarrow and
    numpy (40 MB and 0.3 s in the ``invoke`` process that only drives the kernel); it is marked
    absent while papermill is imported and available again afterwards.
    """
    if "jsonschema" not in sys.modules:
        sys.modules.setdefault("rfc3987_syntax", None)
    blocked = "pyarrow.fs" not in sys.modules
    if blocked:
        sys.modules["pyarrow.fs"] = None
    try:
        import papermill
    finally:
        if blocked and sys.modules.get("pyarrow.fs", 0) is None:
            del sys.modules["pyarrow.fs"]
    return papermill


def execute_notebook(notebook: Path, output: Path, parameters: dict, cwd: Path) -> None:
    """Execute a notebook with papermill (parameters injected, the run log kept).

    papermill runs in a helper thread: its client then installs no signal handlers of its own,
    and a Ctrl-C reaches this (main) thread, which stops the kernel, waits for the helper to
    notice and re-raises KeyboardInterrupt. Kernels are shut down without the interrupt
    jupyter_client sends first by default (``kernel.quiet_manager``), the source of the
    "KeyboardInterrupt caught in kernel." line on successful runs.

    A worker of ``invoke all`` runs its notebooks in its one warm kernel. Otherwise the run's own
    kernel is launched before papermill is imported, so that the kernel starts up while this
    process imports (two cores: about 0.4 s of a sample day), and it is shut down at the end."""
    from . import kernel

    started = kernel.started_managers()
    km = kernel.fresh_or_none()
    own = None
    if km is None:
        own = km = kernel.WarmKernel(kernel_name(), cwd=cwd).launch().km
    try:
        pm = import_papermill()
        _register_readable_translator()
        _run_in_helper(pm, km, started, notebook, output, parameters, cwd)
    finally:
        if own is not None:
            kernel.shutdown(own)


def _run_in_helper(pm, km, started: set, notebook: Path, output: Path, parameters: dict, cwd: Path) -> None:
    from . import kernel

    box: dict = {}

    def target() -> None:
        try:
            pm.execute_notebook(
                str(notebook), str(output), parameters=parameters, kernel_name=kernel_name(),
                cwd=str(cwd), progress_bar=False, log_output=False, language="python", km=km,
            )
        except BaseException as exc:  # noqa: BLE001 - handed to the calling thread
            box["exc"] = exc
        finally:
            kernel.close_thread_loop()

    helper = threading.Thread(target=target, name="yonggong-notebook", daemon=True)
    helper.start()
    try:
        while helper.is_alive():
            helper.join(0.2)  # a timed wait stays interruptible on Windows too
    except KeyboardInterrupt:
        _quiet_after_interrupt()  # the client would log its kernel's death as an error
        kernel.stop_kernels(started, km)
        helper.join(KERNEL_STOP_WAIT)
        raise
    if "exc" in box:
        raise box["exc"]


@dataclass
class Job:
    """One notebook run that publishes a folder: a city day, or the province day."""

    name: str  # folder name under outputs/<day>/ (南昌, 省)
    label: str  # shown in messages (南昌市, 江西省)
    day: dt.date
    final: Path  # outputs/<day>/<name>
    notebook: Path
    parameters: dict  # injected; "out_dir" is set to the temporary folder
    inputs: list[dict]  # file entries (path, size, sha256, mtime_ns)
    extra: dict  # more manifest fields (city, city_code …)
    notes: list[str] = field(default_factory=list)  # lines for the analyst (what was tidied)

    def fingerprint(self) -> str:
        """Hash of everything that determines the outputs: inputs (content and modification
        time: the newest file wins a conflict), params, notebook, code, parameters."""
        h = hashlib.sha256()
        parts = {
            "inputs": [(e["path"], e["sha256"], e.get("mtime_ns")) for e in self.inputs],
            "params": [(e["path"], e["sha256"]) for e in (file_entry(p, paths.PARAMS_DIR, times=False)
                                                          for p in params_files())],
            "notebook": sha256_file(self.notebook),
            "code": code_hash(),
            "parameters": {k: v for k, v in self.parameters.items() if k not in WHERE_ONLY},
        }
        h.update(json.dumps(parts, ensure_ascii=False, sort_keys=True).encode("utf-8"))
        return h.hexdigest()


def up_to_date(job: Job, fingerprint: str) -> dict | None:
    """The published manifest when the last successful run had the same fingerprint and every
    output it lists is still there with the sha256 it recorded."""
    manifest = job.final / "manifest.json"
    if not manifest.is_file():
        return None
    try:
        old = json.loads(manifest.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(old, dict) or old.get("fingerprint") != fingerprint:
        return None
    try:
        for entry in old.get("outputs", []):  # outputs still there and unchanged
            p = job.final / entry["path"]
            if not p.is_file() or p.stat().st_size != entry["size"] or sha256_file(p) != entry["sha256"]:
                return None
    except (OSError, KeyError, TypeError):
        return None
    return old


def echo_note(line: str) -> None:
    print(line, flush=True)


def run_job(job: Job, force: bool = False, echo: Callable[[str], None] | None = echo_note) -> tuple[dict, str]:
    """Execute the job's notebook and publish atomically; skip when up to date.

    Returns (manifest, status) with status 完成 or 已是最新. What the run tidied first (a dead
    run's leftovers) is in ``job.notes`` and shown through ``echo``.
    """
    if _interrupted:
        raise Interrupted()
    started = dt.datetime.now().astimezone()
    day_dir = job.final.parent
    fresh = _missing_folders(day_dir)  # removed again when the run ends with a UserError
    try:
        prepare_folder(day_dir, day_dir.parent)
        with lock(day_dir / f".{job.name}.lock", f"{job.label} {job.day}") as held:
            job.notes += tidy_leftovers(job, held.took_over)
            for line in job.notes:
                if echo is not None:
                    echo(line)
            fingerprint = job.fingerprint()
            if not force:
                old = up_to_date(job, fingerprint)
                if old is not None:
                    return old, "已是最新"
            return _execute_and_publish(job, fingerprint, started), "完成"
    except UserError:
        for folder in fresh:  # leave no empty folders behind (only if nothing else is in them)
            try:
                folder.rmdir()
            except OSError:
                break
        raise
    except OSError as exc:  # the outputs folder failed us (full disk, lost permission) outside the notebook
        kind = os_error_kind(exc)
        if kind is None or not _names_a_path_in(exc, day_dir):
            raise
        raise folder_error(kind, day_dir.parent, exc) from None


def _missing_folders(folder: Path) -> list[Path]:
    """``folder`` and its ancestors that do not exist yet, innermost first."""
    out = []
    for p in (folder, *folder.parents):
        if p.exists() or p.is_symlink():
            break
        out.append(p)
    return out


def _names_a_path_in(exc: OSError, folder: Path) -> bool:
    """Whether the error is about a path inside ``folder`` (not, say, an unreadable input)."""
    for name in (exc.filename, getattr(exc, "filename2", None)):
        if name is None:
            continue
        try:
            Path(os.path.abspath(name)).relative_to(os.path.abspath(folder))
            return True
        except ValueError:
            continue
    return False


def _execute_and_publish(job: Job, fingerprint: str, started: dt.datetime) -> dict:
    global _busy
    stamp = job.day.strftime("%Y%m%d")
    tmp = Path(tempfile.mkdtemp(prefix=f".tmp-{job.name}-{os.getpid()}-", dir=job.final.parent))
    parameters = dict(job.parameters, out_dir=str(tmp))
    nb_out = tmp / f"notebook_{job.name}_{stamp}.ipynb"
    try:
        _busy = True
        try:
            if _interrupted:  # a Ctrl-C reached this worker before it began executing
                raise KeyboardInterrupt
            execute_notebook(job.notebook, nb_out, parameters, cwd=paths.ROOT)
        finally:
            _busy = False
        selfcheck = _take_selfcheck(tmp)
        manifest = {
            "tool": "yonggong",
            "version": __version__,
            **job.extra,
            "date": job.day.isoformat(),
            "parameters": {k: v for k, v in parameters.items() if k not in WHERE_ONLY},
            "fingerprint": fingerprint,
            "code": {"git_commit": git_commit(), "package_sha256": code_hash(),
                     "notebook": file_entry(job.notebook, paths.ROOT, times=False)},
            "params": [file_entry(p, paths.PARAMS_DIR, times=False) for p in params_files()],
            "packages": package_versions(),
            "inputs": job.inputs,
            **({"自检": selfcheck} if selfcheck is not None else {}),
            "outputs": [file_entry(p, tmp, times=False) for p in sorted(tmp.rglob("*")) if p.is_file()],
            **({"清理": job.notes} if job.notes else {}),
            "started": started.isoformat(timespec="seconds"),
            "finished": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
            "platform": {"system": platform.system(), "python": sys.version.split()[0]},
        }
        with _deferred_interrupt() as late:  # the products are done: finish publishing them
            (tmp / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n",
                                               encoding="utf-8")
            try:
                settle_modes(tmp)
                publish(tmp, job.final)
            except PermissionError as exc:  # Windows: a published file is open in Excel or WPS
                raise folder_error("in_use", job.final, exc) from None
        if late:
            raise Interrupted(f"已中断：{job.label} {job.day} 的报表在中断前已生成完毕，输出目录 {job.final}")
        return manifest
    except KeyboardInterrupt:
        with _deferred_interrupt():
            failed = failure_folder(job, "中断")
            _move(tmp, failed)
            write_failure_record(failed, job, "运行被中断（Ctrl-C），未完成；上一次的成功结果未改动",
                                 开始=started.isoformat(timespec="seconds"), 进程=os.getpid())
        raise Interrupted(f"已中断：{job.label} {job.day} 未完成，上一次的成功结果未改动；"
                          f"中断时的运行记录在 {failed}") from None
    except (UserError, Interrupted):
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    except OSError as exc:
        kind = os_error_kind(exc)
        if kind in ("space", "readonly"):
            shutil.rmtree(tmp, ignore_errors=True)  # give the space back
            raise folder_error(kind, job.final.parent.parent, exc) from None
        _handle_failure(exc, tmp, job)
        raise  # not reached
    except Exception as exc:
        _handle_failure(exc, tmp, job)
        raise  # not reached


def _move(tmp: Path, dest: Path) -> None:
    try:
        if tmp.exists():
            os.replace(tmp, dest)
    except OSError:
        shutil.rmtree(tmp, ignore_errors=True)


def _take_selfcheck(tmp: Path) -> dict | None:
    """The 自检 outcome the notebook left in ``tmp`` (removed from the products), None if none."""
    path = tmp / SELFCHECK_RECORD
    if not path.is_file():
        return None
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        record = {"结果": "无法读取", "检查项数": 0, "不符": []}
    path.unlink()
    return record


def _handle_failure(exc: Exception, tmp: Path, job: Job) -> None:
    """Translate a notebook failure; keep the failed notebook; never touch ``job.final``."""
    ename = getattr(exc, "ename", "")
    evalue = getattr(exc, "evalue", str(exc))
    if ename == "UserError":
        shutil.rmtree(tmp, ignore_errors=True)
        raise UserError(evalue) from None
    kind = text_error_kind(evalue) if ename in ("OSError", "PermissionError", "") else None
    if kind is not None:  # the notebook could not write its products: the disk, not the data
        shutil.rmtree(tmp, ignore_errors=True)
        raise folder_error(kind, job.final.parent.parent) from None
    failed = failure_folder(job)
    _move(tmp, failed)
    write_failure_record(failed, job, f"{ename or type(exc).__name__}：{evalue}")
    raise RunFailed(f"{job.label} {job.day} 运行失败（{ename or type(exc).__name__}：{evalue}）。"
                    f"上一次的成功结果未改动；失败的运行记录在 {failed}") from exc


def city_job(city: str, day: str | None = None, inbox: Path | str | None = None,
             out: Path | str | None = None, footer: dict | None = None) -> Job:
    """Resolve a city day into a Job (UserError for unknown city, absent day or inbox).
    ``footer``: the analyst's 填表人 / 审核人 / 联系电话 / 报送时间 for this run (keyword arguments of
    products.footer_overrides), a notebook parameter (so part of the run's fingerprint)."""
    city_obj = resolve_city(city)
    inbox = Path(inbox) if inbox else paths.SAMPLE_INBOX
    if not inbox.is_dir():
        raise UserError(f"收件箱目录不存在：{inbox}")
    day_obj = resolve_day(inbox, city_obj, day)
    out_root = Path(out) if out else paths.OUTPUTS
    check_out_root(out_root)
    from .products import footer_overrides

    signed = footer_overrides(day_obj, **(footer or {}))
    return Job(
        name=city_obj.name, label=city_obj.full_name, day=day_obj,
        final=city_out_dir(out_root, city_obj, day_obj),
        notebook=paths.NOTEBOOKS / CITY_NOTEBOOK,
        parameters={"city": city_obj.name, "date": day_obj.isoformat(), "inbox": str(inbox.resolve()),
                    "cache": str(out_root.resolve()), **({"footer": signed} if signed else {})},
        inputs=[file_entry(p, inbox) for p in input_files(inbox, city_obj, day_obj)],
        extra={"city": city_obj.name, "city_code": city_obj.code},
    )


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


def run_city_day(city: str, day: str | None = None, inbox: Path | str | None = None,
                 out: Path | str | None = None, force: bool = False,
                 echo: Callable[[str], None] | None = echo_note, footer: dict | None = None) -> RunResult:
    """Execute the city notebook for one day and publish its outputs atomically (``footer``: see
    :func:`city_job`).

    A city day whose inputs, params, notebook, code and parameters are unchanged since its
    last successful run is not executed again (status 已是最新) unless ``force``.
    """
    job = city_job(city, day, inbox, out, footer)
    manifest, status = run_job(job, force=force, echo=echo)
    return RunResult(resolve_city(job.name), job.day, job.final, manifest, status, list(job.notes))
