"""Fault cases of items 11–14 (issue 13): the outputs folder, the up-to-date check, killed and
interrupted runs, the lock.

Most cases run the real ``run.run_job`` machinery (folder checks, lock, tidy, fingerprint,
publish) with the notebook replaced by a stand-in that writes a few products at once
(:func:`stand_in`); only where the process boundary is the point (exit codes, SIGKILL, Ctrl-C,
a lock race between processes) is a real ``invoke`` process started.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import hashlib
import json
import os
import signal
import socket
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from unittest import mock

import pytest
from builders import A_HEADER, B_HEADER, ledger_rows, list_rows, write_day_csv

from yonggong import nbexec, outdir
from yonggong import run as run_mod
from yonggong.errors import RunLocked

from . import Case

ROOT = Path(__file__).resolve().parents[2]
CITY, DAY = "南昌", "2020-02-24"


def env() -> dict:
    """The environment of a child process (read when it starts: the test session sets some)."""
    return dict(os.environ, PYTHONUTF8="1", PYTHONIOENCODING="utf-8")


# --------------------------------------------------------------------------- helpers


def small_inbox(tmp: Path) -> Path:
    """南昌 2020-02-24 with a three-enterprise list (A) and ledger (B)."""
    inbox = tmp / "inbox"
    write_day_csv(inbox, CITY, DAY, {"A": [A_HEADER, *list_rows(3)], "B": [B_HEADER, *ledger_rows(3, DAY)]})
    return inbox


def stand_in(version: str = "v1"):
    """A notebook stand-in: the executed notebook and two products, written at once."""

    def execute(notebook, output, parameters, cwd):
        out = Path(parameters["out_dir"])
        stamp = parameters["date"].replace("-", "")
        Path(output).write_text(json.dumps({"cells": [], "version": version}), encoding="utf-8")
        (out / f"工作简报_{parameters['city']}_{stamp}.html").write_text(f"<p>简报 {version}</p>\n", encoding="utf-8")
        (out / f"汇总表_{parameters['city']}_{stamp}.csv").write_text(f"合计,{version}\n", encoding="utf-8")

    return mock.patch.object(run_mod, "execute_notebook", execute)


def quiet_run(inbox: Path, out: Path, **kw) -> run_mod.RunResult:
    notes: list[str] = []
    res = run_mod.run_city_day(CITY, DAY, inbox, out, echo=notes.append, **kw)
    assert notes == res.notes
    return res


def tree(root: Path) -> dict[str, str]:
    """Every file under ``root`` with its sha256 (for "byte-identical" checks)."""
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def task_exit(task: str, **kwargs) -> tuple[int, str]:
    """Call an invoke task of tasks.py in this process: (exit code, message) of the Exit it
    raises, (0, "") when it returns."""
    from invoke import Context, Exit

    sys.path.insert(0, str(ROOT))
    try:
        import tasks
    finally:
        sys.path.remove(str(ROOT))
    try:
        with open(os.devnull, "w", encoding="utf-8") as sink, contextlib.redirect_stdout(sink):
            getattr(tasks, task)(Context(), **kwargs)
    except Exit as exc:
        return exc.code, str(exc.message or "")
    return 0, ""


def invoke(*args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "invoke", *args], cwd=ROOT, capture_output=True, text=True,
                          encoding="utf-8", env=env(), timeout=timeout)


def start_invoke(*args: str) -> subprocess.Popen:
    """``invoke`` in a process group of its own (as a terminal's foreground job)."""
    kw = {"start_new_session": True} if os.name == "posix" else \
        {"creationflags": subprocess.CREATE_NEW_PROCESS_GROUP}
    return subprocess.Popen([sys.executable, "-m", "invoke", *args], cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env=env(), **kw)


def wait_for_notebook(day_dir: Path, proc: subprocess.Popen, timeout: float = 90) -> Path:
    """The temporary folder of the running notebook, once papermill has written the notebook."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for tmp in day_dir.glob(f".tmp-{CITY}-*"):
            if any(tmp.glob("notebook_*.ipynb")):
                time.sleep(0.3)
                return tmp
        assert proc.poll() is None, proc.communicate()
        time.sleep(0.1)
    proc.kill()
    raise AssertionError("the notebook did not start")


def no_traceback(text: str) -> None:
    for bad in ("Traceback", "KeyboardInterrupt caught", "ZMQError", "[IPKernelApp]"):
        assert bad not in text, text


# --------------------------------------------------------------------------- item 11: the outputs folder

NOT_A_FOLDER = "错误：输出目录 {path} 不是文件夹（同名的文件已存在）。请用 --out 指定一个文件夹（不存在时会自动建立）"


def out_is_a_file(tmp: Path) -> None:
    """--out naming a file (or a path through one): daily, province and all each end with the
    one message and exit code 2; nothing is written, the file and the inbox are unchanged."""
    from test_province import FRAMES, at, write_city  # a one-file province day

    inbox = small_inbox(tmp)
    write_city(inbox / "province" / DAY / "南昌.xlsx", "南昌", FRAMES["南昌"], day=dt.date.fromisoformat(DAY),
               when=at("11:00", dt.date.fromisoformat(DAY)))
    target = tmp / "报表.xlsx"
    target.write_bytes(b"not a folder")
    before = tree(inbox)
    expected = NOT_A_FOLDER.format(path=target)
    res = invoke("daily", f"--city={CITY}", f"--date={DAY}", f"--inbox={inbox}", f"--out={target}")
    assert (res.returncode, res.stderr.strip(), res.stdout.strip()) == (2, expected, ""), res.stderr
    for task, kw in (("daily", {"city": CITY}), ("province", {}), ("all_", {"workers": "1"})):
        for out in (target, target / "sub"):
            assert task_exit(task, date=DAY, inbox=str(inbox), out=str(out), **kw) == (2, expected), (task, out)
    assert target.read_bytes() == b"not a folder" and tree(inbox) == before
    assert sorted(p.name for p in tmp.iterdir()) == ["inbox", "报表.xlsx"]


def out_read_only(tmp: Path) -> None:
    """A folder the run may not write to (daily, province, all): exit 2, one message, previous
    outputs untouched, nothing else written."""
    from test_province import FRAMES, at, write_city

    inbox, out = small_inbox(tmp), tmp / "out"
    write_city(inbox / "province" / DAY / "南昌.xlsx", "南昌", FRAMES["南昌"], day=dt.date.fromisoformat(DAY),
               when=at("11:00", dt.date.fromisoformat(DAY)))
    with stand_in():
        first = quiet_run(inbox, out)
    before, inputs = tree(out), tree(inbox)
    expected = (f"错误：输出目录 {out.resolve()} 不可写（没有写入权限或为只读）（Permission denied），报表没有生成。"
                "请用 --out 指定一个可写的文件夹，或请管理员开通写入权限")
    denied = PermissionError(errno.EACCES, "Permission denied")
    with stand_in("v2"), mock.patch.object(outdir, "_probe_write", side_effect=denied):
        for task, kw in (("daily", {"city": CITY}), ("province", {}), ("all_", {"workers": "1"})):
            assert task_exit(task, date=DAY, inbox=str(inbox), out=str(out), force=True, **kw) == (2, expected), task
    assert tree(out) == before and tree(inbox) == inputs and first.status == "完成"
    assert sorted(p.name for p in out.iterdir()) == [DAY]
    if os.name == "posix" and os.geteuid() != 0:  # the real thing, where permissions bind
        fresh = tmp / "只读"
        fresh.mkdir()
        fresh.chmod(0o555)
        try:
            res = invoke("daily", f"--city={CITY}", f"--date={DAY}", f"--inbox={inbox}", f"--out={fresh}")
        finally:
            fresh.chmod(0o755)
        assert res.returncode == 2 and "不可写" in res.stderr and list(fresh.iterdir()) == [], res.stderr
        no_traceback(res.stderr)


def no_space(tmp: Path) -> None:
    """A full disk, found before the run and met during it: exit 2, one message, nothing left."""
    inbox, out = small_inbox(tmp), tmp / "out"
    with stand_in():
        quiet_run(inbox, out)
    before = tree(out)
    expected = (f"错误：输出目录 {out.resolve()} 所在磁盘空间不足，报表没有生成；上一次的成功结果未改动。"
                "请清理磁盘或用 --out 指定其他磁盘上的文件夹后重试")
    with stand_in("v2"), mock.patch.object(outdir, "_disk_free", return_value=1 << 20):
        code, message = task_exit("daily", city=CITY, date=DAY, inbox=str(inbox), out=str(out), force=True)
    assert (code, message) == (2, expected), message
    assert tree(out) == before

    def full_disk(notebook, output, parameters, cwd):  # the products do not fit
        Path(output).write_text("{}", encoding="utf-8")
        raise OSError(errno.ENOSPC, "No space left on device", str(Path(parameters["out_dir"]) / "汇总表.xlsx"))

    with mock.patch.object(run_mod, "execute_notebook", full_disk):
        code, message = task_exit("daily", city=CITY, date=DAY, inbox=str(inbox), out=str(out), force=True)
    assert code == 2 and message.startswith(f"错误：输出目录 {out.resolve()} 所在磁盘空间不足（No space left on device）"), message
    assert tree(out) == before
    assert [p.name for p in (out / DAY).iterdir()] == [CITY]  # no temporary folder, no failed/ (space given back)


def damaged_receipts_log(tmp: Path) -> None:
    """A damaged 收件登记.csv: one 审核问题 line, its 收到文件 row says why, files timed by mtime."""
    from test_province import FRAMES, at, write_city

    from yonggong import province

    d = dt.date(2020, 3, 10)
    folder = tmp / "inbox" / "province" / d.isoformat()
    write_city(folder / "南昌.xlsx", "南昌", FRAMES["南昌"], day=d, when=at("11:00", d))
    write_city(folder / "萍乡.xlsx", "萍乡", FRAMES["萍乡"], day=d, when=at("16:30", d))
    good = "设区市,收到时间,文件名\n萍乡市,2020-03-10 09:00,萍乡.xlsx\n".encode("gb18030")
    for damage in (good[:-12] + "萍".encode("gb18030")[:1], bytes(range(128, 256)) * 4):
        (folder / "收件登记.csv").write_bytes(damage)
        before = tree(tmp / "inbox")
        pday = province.day.load(d, tmp / "inbox")
        problems = pday.problems[pday.problems["检查"] == "收件登记"]
        assert problems[["设区市", "文件", "位置", "处理"]].values.tolist() == [["（全部）", "收件登记.csv", "文件", "提醒"]]
        (why,) = problems["说明"]  # the cause as the CSV reader words it (parse.read_csv_text)
        assert why.startswith("收件登记无法读取（无法识别文件“收件登记.csv”的编码") and \
            why.endswith("），全部文件按文件修改时间计"), why
        files = pday.files.set_index("文件")
        assert files.loc["收件登记.csv", "处理"] == "收件登记" and files.loc["收件登记.csv", "原因"] == why
        status = pday.completeness.set_index("设区市")
        assert status.loc["萍乡市", ["状态", "时间来源"]].tolist() == ["迟报", "文件修改时间"]
        assert status.loc["南昌市", ["状态", "时间来源"]].tolist() == ["按时", "文件修改时间"]
        assert tree(tmp / "inbox") == before


# --------------------------------------------------------------------------- item 12: the up-to-date check


def touched_input_reruns(tmp: Path) -> None:
    """Same contents, newer modification time (which decides a conflict): the day is run again."""
    inbox, out = small_inbox(tmp), tmp / "out"
    with stand_in():
        first = quiet_run(inbox, out)
        assert quiet_run(inbox, out).status == "已是最新"
        ledger = inbox / CITY / DAY / "B.csv"
        entry = next(e for e in first.manifest["inputs"] if e["path"] == f"{CITY}/{DAY}/B.csv")
        assert entry["mtime_ns"] == ledger.stat().st_mtime_ns and entry["modified"]
        content = ledger.read_bytes()
        later = ledger.stat().st_mtime + 3600
        os.utime(ledger, (later, later))
        again = quiet_run(inbox, out)
        assert ledger.read_bytes() == content
        assert again.status == "完成" and again.manifest["fingerprint"] != first.manifest["fingerprint"]
        assert quiet_run(inbox, out).status == "已是最新"


def same_length_edit_reruns(tmp: Path) -> None:
    """A published product edited without changing its length: not up to date, run again."""
    inbox, out = small_inbox(tmp), tmp / "out"
    with stand_in():
        first = quiet_run(inbox, out)
        published = tree(first.out_dir)
        brief = next(first.out_dir.glob("工作简报_*.html"))
        original = brief.read_bytes()
        edited = original.replace(b"v1", b"v9")
        assert len(edited) == len(original) and edited != original
        brief.write_bytes(edited)
        again = quiet_run(inbox, out)
    assert again.status == "完成"
    assert brief.read_bytes() == original
    assert {k: v for k, v in tree(first.out_dir).items() if k != "manifest.json"} == \
        {k: v for k, v in published.items() if k != "manifest.json"}


# --------------------------------------------------------------------------- item 13: killed and interrupted runs


def killed_run_is_tidied(tmp: Path) -> None:
    """SIGKILL in the middle of a run: the next run moves the dead run's temporary folder to
    failed/ with 失败原因.json, takes over its lock and says so in one line."""
    import psutil

    inbox, out = small_inbox(tmp), tmp / "out"
    with stand_in():
        quiet_run(inbox, out)
    before = tree(out / DAY / CITY)
    proc = start_invoke("daily", f"--city={CITY}", f"--date={DAY}", f"--inbox={inbox}", f"--out={out}", "--force")
    leftover = wait_for_notebook(out / DAY, proc)
    kernels = psutil.Process(proc.pid).children(recursive=True)
    proc.kill()  # SIGKILL; TerminateProcess on Windows
    proc.communicate(timeout=30)
    # its kernel notices the parent is gone within a second or so (ipykernel's parent poller)
    # and exits; until then it may still write into the temporary folder
    _, alive = psutil.wait_procs(kernels, timeout=30)
    assert alive == [], alive
    lock = out / DAY / f".{CITY}.lock"
    owner = json.loads(lock.read_text(encoding="utf-8"))  # left behind, with its owner
    assert owner["pid"] == proc.pid and owner["host"] == socket.gethostname() and owner["process_started"]
    assert leftover.is_dir()

    with stand_in():
        res = quiet_run(inbox, out)
    assert res.status == "已是最新", res.status
    assert tree(out / DAY / CITY) == before, (tree(out / DAY / CITY), before)
    (failed,) = (out / DAY / "failed").iterdir()
    assert failed.name.startswith(f"{CITY}-") and "-未正常结束-" in failed.name
    record = json.loads((failed / run_mod.FAILURE_RECORD).read_text(encoding="utf-8"))
    assert record["原因"].startswith("运行未正常结束（进程被强行终止、窗口被关闭或电脑断电），由下一次运行清理")
    assert record["临时文件夹"] == leftover.name and record["进程"] == proc.pid
    assert record["笔记本"] == f"notebook_{CITY}_{DAY.replace('-', '')}.ipynb"
    assert (failed / record["笔记本"]).is_file()
    started = dt.datetime.fromtimestamp(owner["process_started"]).strftime("%Y-%m-%d %H:%M:%S")
    assert res.notes == [
        f"提示：南昌市 {DAY}：上次运行（PID {proc.pid}，进程启动于 {started}，主机 {socket.gethostname()}，"
        f"加锁于 {owner['acquired'][:19].replace('T', ' ')}）未正常结束，已接管其运行锁；"
        f"其临时文件夹已移至 failed/{failed.name}（附失败原因.json）"]
    assert sorted(p.name for p in (out / DAY).iterdir()) == ["failed", CITY]  # no .tmp-, no lock


def cut_off_publish_is_undone(tmp: Path) -> None:
    """A run killed between the two renames of its publish (previous outputs moved aside, new ones
    not yet in place) and leaving its temporary folder: the next run puts the previous outputs
    back byte-identical, moves the temporary folder to failed/ and says both in one line."""
    inbox, out = small_inbox(tmp), tmp / "out"
    with stand_in():
        first = quiet_run(inbox, out)
    before = tree(first.out_dir)
    day_dir = first.out_dir.parent
    first.out_dir.rename(day_dir / f".old-{CITY}-0badf00d")
    partial = day_dir / f".tmp-{CITY}-{2**22 + 7}-x1y2z3"
    partial.mkdir()
    (partial / "notebook_南昌_20200224.ipynb").write_text("{}", encoding="utf-8")
    with stand_in():
        res = quiet_run(inbox, out)
    assert res.status == "已是最新" and tree(first.out_dir) == before
    (failed,) = (day_dir / "failed").iterdir()
    assert res.notes == [f"提示：南昌市 {DAY}：上次未正常结束的运行留下的临时文件夹已移至 failed/{failed.name}"
                         "（附失败原因.json）；上次发布中断，已恢复原有输出"]
    record = json.loads((failed / run_mod.FAILURE_RECORD).read_text(encoding="utf-8"))
    assert record["临时文件夹"] == partial.name and record["进程"] == 2**22 + 7
    assert record["笔记本"] == "notebook_南昌_20200224.ipynb"
    assert sorted(p.name for p in day_dir.iterdir()) == ["failed", CITY]


def ctrl_c_exits_130(tmp: Path) -> None:
    """Ctrl-C during the notebook: "已中断", exit 130, no traceback, the partial notebook and
    失败原因.json in failed/, previous outputs byte-identical, the lock released."""
    if os.name != "posix":
        pytest.skip("a console Ctrl-C cannot be sent to a child process group here")
    inbox, out = small_inbox(tmp), tmp / "out"
    with stand_in():
        quiet_run(inbox, out)
    before, inputs = tree(out / DAY / CITY), tree(inbox)
    proc = start_invoke("daily", f"--city={CITY}", f"--date={DAY}", f"--inbox={inbox}", f"--out={out}", "--force")
    wait_for_notebook(out / DAY, proc)
    os.killpg(proc.pid, signal.SIGINT)  # what the terminal does on Ctrl-C
    stdout, stderr = (b.decode("utf-8") for b in proc.communicate(timeout=60))
    assert proc.returncode == 130, stderr
    no_traceback(stderr)
    (failed,) = (out / DAY / "failed").iterdir()
    assert stderr.strip() == (f"已中断：南昌市 {DAY} 未完成，上一次的成功结果未改动；"
                              f"中断时的运行记录在 {failed.resolve()}"), stderr
    assert stdout.strip() == ""
    record = json.loads((failed / run_mod.FAILURE_RECORD).read_text(encoding="utf-8"))
    assert record["原因"] == "运行被中断（Ctrl-C），未完成；上一次的成功结果未改动"
    assert (failed / record["笔记本"]).is_file()
    assert tree(out / DAY / CITY) == before and tree(inbox) == inputs
    assert sorted(p.name for p in (out / DAY).iterdir()) == ["failed", CITY]  # no .tmp-, no lock


def quiet_kernel_shutdown(tmp: Path) -> None:
    """The "[IPKernelApp] ERROR | KeyboardInterrupt caught in kernel." line came from the
    interrupt jupyter_client sends before every shutdown: the run's kernel managers do not send it."""
    from yonggong import kernel

    flag = tmp / "sigint.txt"
    km = kernel.quiet_manager()(kernel_name=nbexec.kernel_name())
    km.start_kernel(cwd=str(tmp), stderr=subprocess.PIPE)
    try:
        kc = km.client()
        kc.start_channels()
        kc.wait_for_ready(timeout=60)
        # the kernel puts its own SIGINT handling back after each message; make that ours
        code = textwrap.dedent(f"""
            def _note(*args):
                open({str(flag)!r}, "w").write("interrupted")
            get_ipython().kernel.saved_sigint_handler = _note
            """)
        reply = kc.execute_interactive(code, timeout=60)
        assert reply["content"]["status"] == "ok"
        km.interrupt_kernel()  # a deliberate interrupt still reaches it (the handler works) …
        for _ in range(100):
            if flag.exists():
                break
            time.sleep(0.05)
        assert flag.read_text(encoding="utf-8") == "interrupted"
        flag.unlink()
        kc.stop_channels()
    finally:  # … the one before shutting down does not
        km.shutdown_kernel()
    assert not km.is_alive()
    assert not flag.exists(), "the kernel was interrupted on shutdown"
    assert kernel.quiet_manager(asynchronous=True) is kernel.quiet_manager(asynchronous=True)


# --------------------------------------------------------------------------- item 14: the lock

RACER = textwrap.dedent("""
    import sys, time
    sys.path.insert(0, {lib!r})
    from yonggong import runlock
    from yonggong.errors import RunLocked
    start = float(sys.argv[1])
    time.sleep(max(0.0, start - time.time() - 0.05))
    while time.time() < start:
        pass
    try:
        with runlock.lock(__import__("pathlib").Path(sys.argv[2])):
            print("got", flush=True)
            time.sleep(3)
    except RunLocked:
        print("locked")
""")


def lock_race(tmp: Path) -> None:
    """Eight processes start together on a free lock, eight more on a stale one (its process
    dead, as SIGKILL leaves it): exactly one of each eight gets it."""
    script = tmp / "racer.py"
    script.write_text(RACER.format(lib=str(ROOT / "lib")), encoding="utf-8")
    locks = {case: tmp / case / f".{CITY}.lock" for case in ("free", "stale")}
    for lock in locks.values():
        lock.parent.mkdir()
    locks["stale"].write_text(json.dumps({"pid": 2**22 + 12345, "process_started": 1.0, "host": socket.gethostname()}),
                              encoding="utf-8")
    start = time.time() + 3
    procs = {case: [subprocess.Popen([sys.executable, str(script), str(start), str(lock)], stdout=subprocess.PIPE,
                                     text=True, env=env()) for _ in range(8)] for case, lock in locks.items()}
    for case, group in procs.items():
        results = sorted(p.communicate(timeout=90)[0].strip() for p in group)
        assert results == ["got"] + ["locked"] * 7, (case, results)
        assert list(locks[case].parent.iterdir()) == []  # released; no guard or record left


def lock_owner_and_message(tmp: Path) -> None:
    """The lock holds its owner (PID, start time, host) from the first byte; a held lock's
    message says who holds it and how to clear it; an empty lock is held, not stale."""
    import psutil

    inbox, out = small_inbox(tmp), tmp / "out"
    day_dir = out / DAY
    day_dir.mkdir(parents=True)
    lock = day_dir / f".{CITY}.lock"
    holder = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        started = psutil.Process(holder.pid).create_time()
        lock.write_text(json.dumps({"pid": holder.pid, "process_started": started, "host": socket.gethostname(),
                                    "acquired": "2020-02-24T14:00:00+08:00"}), encoding="utf-8")
        with stand_in():
            code, message = task_exit("daily", city=CITY, date=DAY, inbox=str(inbox), out=str(out))
        when = dt.datetime.fromtimestamp(started).strftime("%Y-%m-%d %H:%M:%S")
        assert code == 3
        assert message == (f"错误：南昌市 {DAY}的报表正在由另一个运行生成（PID {holder.pid}，进程启动于 {when}，"
                           f"主机 {socket.gethostname()}，加锁于 2020-02-24 14:00:00），请等它结束后再运行。"
                           f"如果确认该进程已经不在运行（例如已关闭窗口、电脑重启过），可以删除锁文件 {lock.resolve()} 后重试；"
                           "进程仍在运行时不要删除"), message
        assert not (day_dir / CITY).exists()
    finally:
        holder.kill()
        holder.wait()

    lock.write_bytes(b"")  # created, owner not yet written (the old race): held
    with pytest.raises(RunLocked) as err, stand_in():
        quiet_run(inbox, out)
    assert "持有者信息不完整（锁文件可能正在写入）" in err.value.message and str(lock.resolve()) in err.value.message
    assert lock.read_bytes() == b""

    lock.unlink()
    with stand_in():
        seen = {}

        def look(notebook, output, parameters, cwd):  # the lock while the run holds it
            seen.update(json.loads(lock.read_text(encoding="utf-8")))
            Path(output).write_text("{}", encoding="utf-8")

        with mock.patch.object(run_mod, "execute_notebook", look):
            quiet_run(inbox, out)
    me = psutil.Process()
    assert seen["pid"] == os.getpid() and seen["host"] == socket.gethostname()
    assert abs(seen["process_started"] - me.create_time()) < 0.01 and seen["acquired"]
    assert not lock.exists()


def reused_pid_is_stale(tmp: Path) -> None:
    """A lock whose PID now belongs to another, later-started process (here: this very process,
    with another start time; and the old "PID time" form) is stale: taken over, said in one line."""
    inbox, out = small_inbox(tmp), tmp / "out"
    day_dir = out / DAY
    day_dir.mkdir(parents=True)
    lock = day_dir / f".{CITY}.lock"
    for record in (json.dumps({"pid": os.getpid(), "process_started": 1.0e9, "host": socket.gethostname(),
                               "acquired": "2001-09-09T09:46:40+08:00"}),
                   f"{os.getpid()} 2001-09-09T09:46:40"):
        lock.write_text(record, encoding="utf-8")
        with stand_in():
            res = quiet_run(inbox, out, force=True)
        assert res.status == "完成" and not lock.exists()
        assert len(res.notes) == 1 and res.notes[0].startswith(f"提示：南昌市 {DAY}：上次运行（PID {os.getpid()}") \
            and res.notes[0].endswith("未正常结束，已接管其运行锁"), res.notes
        assert res.manifest["清理"] == res.notes


CASES = [
    Case("11-out-is-a-file", 11, "--out 指向文件（daily、province、all）", out_is_a_file),
    Case("11-out-read-only", 11, "输出目录不可写", out_read_only),
    Case("11-out-no-space", 11, "磁盘空间不足（运行前、运行中）", no_space),
    Case("11-receipts-damaged", 11, "收件登记.csv 损坏", damaged_receipts_log),
    Case("12-touched-input", 12, "输入文件内容不变、修改时间变化", touched_input_reruns),
    Case("12-same-length-edit", 12, "已发布的简报被等长改动", same_length_edit_reruns),
    Case("13-killed-run", 13, "运行被强行终止（SIGKILL）后再运行", killed_run_is_tidied),
    Case("13-publish-cut-off", 13, "发布过程中被终止（旧输出已移开、新输出未到位）", cut_off_publish_is_undone),
    Case("13-ctrl-c", 13, "运行中按 Ctrl-C", ctrl_c_exits_130),
    Case("13-quiet-kernel-shutdown", 13, "关闭内核时不发送中断", quiet_kernel_shutdown),
    Case("14-lock-race", 14, "多个进程同时抢锁（空闲锁、失效锁）", lock_race),
    Case("14-lock-owner-message", 14, "锁的持有者记录与提示", lock_owner_and_message),
    Case("14-lock-reused-pid", 14, "锁的 PID 已被其他进程重用", reused_pid_is_stale),
]
