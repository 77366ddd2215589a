"""Run a city day: papermill execution, lock, atomic publish, manifest.

    outputs/<YYYY-MM-DD>/<市>/          the published products (replaced only on success)
    outputs/<YYYY-MM-DD>/.tmp-<市>-…/   where a run writes while it executes
    outputs/<YYYY-MM-DD>/failed/<市>-<time>/   the executed notebook of a failed run
    outputs/<YYYY-MM-DD>/.<市>.lock     held while a run of that city day executes

A failed run leaves the previous good outputs untouched. A bad command (unknown city,
impossible date, missing table A/B) ends with a UserError before anything is written.

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
import subprocess
import sys
import tempfile
import time
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from . import __version__, paths
from .days import day_folders, resolve_day
from .errors import RunFailed, RunLocked, UserError
from .reference import City, params_files, resolve_city

CITY_NOTEBOOK = "city_day.ipynb"
SELFCHECK_RECORD = "selfcheck.json"  # written by yonggong.selfcheck.city, merged into the manifest
KERNEL_NAME = "yonggong"
PACKAGES = ["yonggong", "pandas", "numpy", "openpyxl", "pyarrow", "papermill", "nbconvert", "pandera",
            "cn2an", "python-calamine", "jupyterlab", "invoke", "ipykernel", "PyYAML", "Jinja2"]


@dataclass
class RunResult:
    city: City
    day: dt.date
    out_dir: Path
    manifest: dict
    status: str  # 完成 / 已是最新


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def file_entry(path: Path, base: Path) -> dict:
    """Path (relative to ``base`` when inside it), size and sha256 of a file."""
    try:
        shown = path.resolve().relative_to(Path(base).resolve()).as_posix()
    except ValueError:
        shown = path.resolve().as_posix()
    return {"path": shown, "size": path.stat().st_size, "sha256": sha256_file(path)}


def input_files(inbox: Path, city: City, day: dt.date) -> list[Path]:
    """Every inbox file a city-day run may read: the city's folders on or before the day."""
    files = []
    for d, folder in sorted(day_folders(inbox, city).items()):
        if d <= day:
            files += sorted(p for p in folder.rglob("*") if p.is_file())
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


@contextmanager
def lock(path: Path):
    """An exclusive lock file; a lock left by a dead process is taken over."""
    import psutil

    path.parent.mkdir(parents=True, exist_ok=True)
    for _attempt in range(2):
        try:
            fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
            break
        except FileExistsError:
            try:
                pid = int(path.read_text(encoding="utf-8").split()[0])
            except (OSError, ValueError, IndexError):
                pid = -1
            if pid > 0 and psutil.pid_exists(pid):
                raise RunLocked(f"该市当日报表正在由另一进程（PID {pid}）生成，请稍后再试：{path}") from None
            path.unlink(missing_ok=True)
    else:
        raise RunLocked(f"无法获得运行锁：{path}")
    try:
        os.write(fd, f"{os.getpid()} {dt.datetime.now().isoformat()}".encode())
        os.close(fd)
        yield
    finally:
        path.unlink(missing_ok=True)


def publish(tmp: Path, final: Path) -> None:
    """Move a finished temporary folder into place, replacing the previous outputs."""
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


def skip_slow_optional_imports() -> None:
    """Keep papermill's import fast.

    nbformat imports jsonschema, and jsonschema imports the optional ``rfc3987_syntax`` when it
    is installed (jupyterlab's dependencies install it) only to check the "iri" string format,
    which notebook validation never uses; importing it builds a grammar and costs ~0.7 s per
    process. Marking it absent before papermill is imported makes jsonschema leave out that one
    format check. Nothing else in a run uses the module.
    """
    if "jsonschema" not in sys.modules:
        sys.modules.setdefault("rfc3987_syntax", None)


def execute_notebook(notebook: Path, output: Path, parameters: dict, cwd: Path) -> None:
    """Execute a notebook with papermill (parameters injected, the run log kept)."""
    skip_slow_optional_imports()
    import papermill as pm

    from . import kernel

    _register_readable_translator()
    km = kernel.fresh_or_none()  # a worker of `invoke all` runs its notebooks in one warm kernel
    pm.execute_notebook(
        str(notebook), str(output), parameters=parameters, kernel_name=kernel_name(),
        cwd=str(cwd), progress_bar=False, log_output=False, language="python",
        **({"km": km} if km is not None else {}),
    )


@dataclass
class Job:
    """One notebook run that publishes a folder: a city day, or the province day."""

    name: str  # folder name under outputs/<day>/ (南昌, 省)
    label: str  # shown in messages (南昌市, 江西省)
    day: dt.date
    final: Path  # outputs/<day>/<name>
    notebook: Path
    parameters: dict  # injected; "out_dir" is set to the temporary folder
    inputs: list[dict]  # file entries (path, size, sha256)
    extra: dict  # more manifest fields (city, city_code …)

    def fingerprint(self) -> str:
        """Hash of everything that determines the outputs: inputs, params, notebook, code, parameters."""
        h = hashlib.sha256()
        parts = {
            "inputs": [(e["path"], e["sha256"]) for e in self.inputs],
            "params": [(e["path"], e["sha256"]) for e in (file_entry(p, paths.PARAMS_DIR) for p in params_files())],
            "notebook": sha256_file(self.notebook),
            "code": code_hash(),
            "parameters": {k: v for k, v in self.parameters.items() if k != "out_dir"},
        }
        h.update(json.dumps(parts, ensure_ascii=False, sort_keys=True).encode("utf-8"))
        return h.hexdigest()


def up_to_date(job: Job, fingerprint: str) -> dict | None:
    """The published manifest when the last successful run had the same fingerprint."""
    manifest = job.final / "manifest.json"
    if not manifest.is_file():
        return None
    try:
        old = json.loads(manifest.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if old.get("fingerprint") != fingerprint:
        return None
    for entry in old.get("outputs", []):  # outputs still there and unchanged
        p = job.final / entry["path"]
        if not p.is_file() or p.stat().st_size != entry["size"]:
            return None
    return old


def run_job(job: Job, force: bool = False) -> tuple[dict, str]:
    """Execute the job's notebook and publish atomically; skip when up to date.

    Returns (manifest, status) with status 完成 or 已是最新.
    """
    started = dt.datetime.now().astimezone()
    fresh_parent = not job.final.parent.exists()
    try:
        with lock(job.final.parent / f".{job.name}.lock"):
            fingerprint = job.fingerprint()
            if not force:
                old = up_to_date(job, fingerprint)
                if old is not None:
                    return old, "已是最新"
            return _execute_and_publish(job, fingerprint, started), "完成"
    except UserError:
        if fresh_parent:  # leave no empty date folder behind (only if nothing else is in it)
            try:
                job.final.parent.rmdir()
            except OSError:
                pass
        raise


def _execute_and_publish(job: Job, fingerprint: str, started: dt.datetime) -> dict:
    stamp = job.day.strftime("%Y%m%d")
    tmp = Path(tempfile.mkdtemp(prefix=f".tmp-{job.name}-", dir=job.final.parent))
    parameters = dict(job.parameters, out_dir=str(tmp))
    nb_out = tmp / f"notebook_{job.name}_{stamp}.ipynb"
    try:
        execute_notebook(job.notebook, nb_out, parameters, cwd=paths.ROOT)
    except Exception as exc:
        _handle_failure(exc, tmp, job)
    selfcheck = _take_selfcheck(tmp)
    manifest = {
        "tool": "yonggong",
        "version": __version__,
        **job.extra,
        "date": job.day.isoformat(),
        "parameters": {k: v for k, v in parameters.items() if k != "out_dir"},
        "fingerprint": fingerprint,
        "code": {"git_commit": git_commit(), "package_sha256": code_hash(),
                 "notebook": file_entry(job.notebook, paths.ROOT)},
        "params": [file_entry(p, paths.PARAMS_DIR) for p in params_files()],
        "packages": package_versions(),
        "inputs": job.inputs,
        **({"自检": selfcheck} if selfcheck is not None else {}),
        "outputs": [file_entry(p, tmp) for p in sorted(tmp.rglob("*")) if p.is_file()],
        "started": started.isoformat(timespec="seconds"),
        "finished": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        "platform": {"system": platform.system(), "python": sys.version.split()[0]},
    }
    (tmp / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n",
                                       encoding="utf-8")
    publish(tmp, job.final)
    return manifest


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
    failed_root = job.final.parent / "failed"
    failed_root.mkdir(parents=True, exist_ok=True)
    failed = failed_root / f"{job.name}-{time.strftime('%Y%m%dT%H%M%S')}-{uuid.uuid4().hex[:4]}"
    os.replace(tmp, failed)
    raise RunFailed(f"{job.label} {job.day} 运行失败（{ename or type(exc).__name__}：{evalue}）。"
                    f"上一次的成功结果未改动；失败的运行记录在 {failed}") from exc


def city_job(city: str, day: str | None = None, inbox: Path | str | None = None,
             out: Path | str | None = None) -> Job:
    """Resolve a city day into a Job (UserError for unknown city, absent day or inbox)."""
    city_obj = resolve_city(city)
    inbox = Path(inbox) if inbox else paths.SAMPLE_INBOX
    if not inbox.is_dir():
        raise UserError(f"收件箱目录不存在：{inbox}")
    day_obj = resolve_day(inbox, city_obj, day)
    out_root = Path(out) if out else paths.OUTPUTS
    return Job(
        name=city_obj.name, label=city_obj.full_name, day=day_obj,
        final=city_out_dir(out_root, city_obj, day_obj),
        notebook=paths.NOTEBOOKS / CITY_NOTEBOOK,
        parameters={"city": city_obj.name, "date": day_obj.isoformat(), "inbox": str(inbox.resolve())},
        inputs=[file_entry(p, inbox) for p in input_files(inbox, city_obj, day_obj)],
        extra={"city": city_obj.name, "city_code": city_obj.code},
    )


def run_city_day(city: str, day: str | None = None, inbox: Path | str | None = None,
                 out: Path | str | None = None, force: bool = False) -> RunResult:
    """Execute the city notebook for one day and publish its outputs atomically.

    A city day whose inputs, params, notebook, code and parameters are unchanged since its
    last successful run is not executed again (status 已是最新) unless ``force``.
    """
    job = city_job(city, day, inbox, out)
    manifest, status = run_job(job, force=force)
    return RunResult(resolve_city(job.name), job.day, job.final, manifest, status)
