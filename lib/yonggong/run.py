"""Run a city day: papermill execution, lock, atomic publish, manifest.

    outputs/<YYYY-MM-DD>/<市>/          the published products (replaced only on success)
    outputs/<YYYY-MM-DD>/.tmp-<市>-<PID>-…/   where a run writes while it executes
    outputs/<YYYY-MM-DD>/failed/<市>-<time>-…/   a failed or interrupted run: what it wrote
                                        (the executed or partial notebook) and 失败原因.json
    outputs/<YYYY-MM-DD>/.<市>.lock     held while a run of that city day executes

A failed run leaves the previous good outputs untouched. A bad command (unknown city,
impossible date, missing table A/B) ends with a UserError before anything is written; so does
an outputs folder the run cannot use (a file, read-only, a full disk: ``outdir.prepare_folder``).

The lock (``runlock.lock``) is a file created atomically with its owner already in it (PID, the
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

The parts live next to this module: the lock in ``runlock``, the outputs folder checks and the
publish in ``outdir``, file hashes and versions in ``manifest``, papermill in ``nbexec``.
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
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from . import __version__, catalogue, paths
from .days import resolve_day
from .errors import Interrupted, RunFailed, UserError, folder_error, os_error_kind, text_error_kind
from .manifest import code_hash, file_entry, git_commit, input_files, package_versions, sha256_file
from .nbexec import execute_notebook, import_papermill
from .outdir import check_out_root, city_out_dir, prepare_folder, publish, settle_modes
from .reference import City, params_files, resolve_city
from .runlock import LockOwner, lock, when_text

CITY_NOTEBOOK = "city_day.ipynb"
SELFCHECK_RECORD = "selfcheck.json"  # written by yonggong.selfcheck.city, merged into the manifest
FAILURE_RECORD = "失败原因.json"  # in each failed/<…>/ folder
# notebook parameters that say where to write or keep things, not what to compute: left out of
# the fingerprint and the manifest (the day cache under "cache" gives the same results as none)
WHERE_ONLY = ("out_dir", "cache")


@dataclass
class RunResult:
    city: City
    day: dt.date
    out_dir: Path
    manifest: dict
    status: str  # 完成 / 已是最新
    notes: list[str] = field(default_factory=list)  # what the run tidied before it ran (one line each)


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
            if not job.final.exists() and (old / catalogue.file_name("manifest")).is_file():
                os.replace(old, job.final)
                restored = True
            else:
                shutil.rmtree(old)
        except OSError:
            pass
    for p in entries:
        if p.name.startswith(f".tmp-{job.name}-") and p.is_dir():
            try:
                started = when_text(p.stat().st_mtime)
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
    manifest = job.final / catalogue.file_name("manifest")
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
    tmp = Path(tempfile.mkdtemp(prefix=f".tmp-{job.name}-{os.getpid()}-", dir=job.final.parent))
    parameters = dict(job.parameters, out_dir=str(tmp))
    nb_out = tmp / catalogue.file_name("notebook", job.name, job.day)
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
            (tmp / catalogue.file_name("manifest")).write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n",
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
