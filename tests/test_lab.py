"""`invoke lab` (issue 9): JupyterLab starts on notebooks/ with the project's kernel, answers
on localhost only and behind a token, and stops cleanly with its children."""

from __future__ import annotations

import importlib.util
import json
import os
import queue
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import invoke
import psutil
import pytest
from conftest import ROOT

from yonggong import lab

START_TIMEOUT = 90.0


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fetch(url: str, timeout: float = 5.0) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as resp:
            return resp.status, resp.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as exc:
        return exc.code, ""


def wait_until_up(url: str, proc: subprocess.Popen, log: Path) -> tuple[int, str]:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"JupyterLab exited with {proc.returncode}:\n{log.read_text(errors='replace')[-3000:]}")
        try:
            return fetch(url)
        except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
            time.sleep(0.5)
    pytest.fail(f"JupyterLab did not answer within {START_TIMEOUT:.0f} s:\n{log.read_text(errors='replace')[-3000:]}")


def stop(proc: subprocess.Popen) -> None:
    """Terminate the process and every child it started; kill what does not exit."""
    try:
        parent = psutil.Process(proc.pid)
        family = [parent, *parent.children(recursive=True)]
    except psutil.NoSuchProcess:
        family = []
    for p in family:
        try:
            p.send_signal(signal.SIGTERM) if os.name != "nt" else p.terminate()
        except psutil.NoSuchProcess:
            pass
    _, alive = psutil.wait_procs(family, timeout=30)
    for p in alive:
        p.kill()
    proc.wait(timeout=10)
    assert not [p for p in family if _running(p)]


def _running(p: psutil.Process) -> bool:
    """Alive and not a zombie (a process may end between the two questions)."""
    try:
        return p.is_running() and p.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def isolated_env(tmp_path: Path, base: dict) -> dict:
    """Runtime files and user config of this test's server in its own folder."""
    return dict(base, JUPYTER_RUNTIME_DIR=str(tmp_path / "runtime"), JUPYTER_CONFIG_DIR=str(tmp_path / "config"))


def listening_hosts(proc: subprocess.Popen) -> set[str]:
    procs = [psutil.Process(proc.pid), *psutil.Process(proc.pid).children(recursive=True)]
    hosts = set()
    for p in procs:
        for conn in p.net_connections(kind="inet"):
            if conn.status == psutil.CONN_LISTEN:
                hosts.add(conn.laddr.ip)
    return hosts


CJK = re.compile(r"[\u4e00-\u9fff]")


def test_every_task_has_a_one_line_help_in_chinese_and_english():
    listed = subprocess.run([sys.executable, "-m", "invoke", "--list", "--list-format=json"], cwd=ROOT,
                            capture_output=True, text=True, encoding="utf-8")
    tasks = json.loads(listed.stdout)["tasks"]
    assert len(tasks) >= 8
    for t in tasks:  # 中文 / English
        chinese, sep, english = t["help"].partition("/")
        assert sep and CJK.search(chinese) and re.search(r"[A-Za-z]{3,}", english), t
        assert "\n" not in t["help"], t
    spec = importlib.util.spec_from_file_location("_tasks_under_test", ROOT / "tasks.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    options = [(name, text) for obj in vars(module).values() if isinstance(obj, invoke.Task)
               for name, text in obj.help.items()]
    assert options
    for name, text in options:  # 中文说明 (English)
        assert CJK.search(text) and re.search(r"\([^)]*[A-Za-z]{3,}[^)]*\)", text), (name, text)


def test_lab_command_is_local_and_has_no_token_in_it():
    cmd = lab.lab_command(8890)
    assert cmd[:4] == [sys.executable, "-m", "jupyter", "lab"]
    assert "--ip=127.0.0.1" in cmd and "--port=8890" in cmd and "--no-browser" in cmd
    assert "--ServerApp.port_retries=0" in cmd
    assert f"--ServerApp.root_dir={ROOT / 'notebooks'}" in cmd
    assert not any("token" in part.lower() for part in cmd)
    assert "--no-browser" not in lab.lab_command(8890, open_browser=True)
    assert lab.lab_env("abc")["JUPYTER_TOKEN"] == "abc"
    assert lab.url(8890, "abc") == "http://127.0.0.1:8890/lab?token=abc"


def test_jupyterlab_starts_answers_on_localhost_and_stops(tmp_path):
    port, token = free_port(), "t" + os.urandom(12).hex()
    log = tmp_path / "lab.log"
    with log.open("wb") as fh:
        proc = subprocess.Popen(lab.lab_command(port), cwd=ROOT / "notebooks", env=isolated_env(tmp_path, lab.lab_env(token)),
                                stdout=fh, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                start_new_session=os.name != "nt")
    try:
        status, page = wait_until_up(lab.url(port, token), proc, log)
        assert status == 200 and "JupyterLab" in page
        assert listening_hosts(proc) == {"127.0.0.1"}
        assert fetch(f"http://127.0.0.1:{port}/api/contents")[0] == 403  # no token, no access
        status, body = fetch(f"http://127.0.0.1:{port}/api/contents?token={token}")
        names = {item["name"] for item in json.loads(body)["content"]}
        assert {"city_day.ipynb", "explore.ipynb"} <= names  # notebooks/ is the root
        status, body = fetch(f"http://127.0.0.1:{port}/api/kernelspecs?token={token}")
        specs = json.loads(body)["kernelspecs"]
        if lab.kernel_installed():
            assert lab.KERNEL_NAME in specs, sorted(specs)
    finally:
        stop(proc)
    assert proc.returncode is not None


def _read_lines(stream, out: queue.Queue) -> None:
    for line in stream:
        out.put(line)
    out.put(None)


def test_invoke_lab_prints_the_url_and_serves_it(tmp_path):
    listed = subprocess.run([sys.executable, "-m", "invoke", "--list"], cwd=ROOT, capture_output=True, text=True,
                            encoding="utf-8")
    if not re.search(r"^\s+lab\b", listed.stdout, re.M):
        pytest.skip("tasks.py has no `lab` task yet")
    port = free_port()
    env = isolated_env(tmp_path, dict(os.environ, PYTHONUTF8="1", PYTHONIOENCODING="utf-8"))
    log = tmp_path / "lab.log"
    with log.open("wb") as err:
        proc = subprocess.Popen([sys.executable, "-m", "invoke", "lab", f"--port={port}"], cwd=ROOT, env=env,
                                stdout=subprocess.PIPE, stderr=err, stdin=subprocess.DEVNULL, text=True,
                                encoding="utf-8", start_new_session=os.name != "nt")
    lines: queue.Queue = queue.Queue()
    threading.Thread(target=_read_lines, args=(proc.stdout, lines), daemon=True).start()
    try:
        url, seen, deadline = None, [], time.monotonic() + START_TIMEOUT
        while url is None and time.monotonic() < deadline:
            try:
                line = lines.get(timeout=1)
            except queue.Empty:
                continue
            if line is None:
                break
            seen.append(line)
            m = re.search(rf"http://127\.0\.0\.1:{port}/lab\?token=\w+", line)
            url = m.group(0) if m else None
        assert url, "".join(seen) + log.read_text(errors="replace")[-2000:]
        status, page = wait_until_up(url, proc, log)
        assert status == 200 and "JupyterLab" in page
        status, body = fetch(url.replace("/lab?", "/api/kernelspecs?"))
        specs = json.loads(body)
        if lab.kernel_installed():
            assert specs["default"] == lab.KERNEL_NAME
    finally:
        stop(proc)
