"""JupyterLab for ad hoc questions (``invoke lab``), and charts that draw Chinese in it.

    invoke lab [--port=8888] [--browser]

starts JupyterLab on ``notebooks/`` with the project's kernel ``yonggong`` (installed into
``.venv`` by ``./dev``), bound to 127.0.0.1 only, and prints the URL to open, with a random
token in it. The token reaches the server through the ``JUPYTER_TOKEN`` environment variable,
so it is not visible in the process list. Nothing is fetched from the internet (no news feed,
no update check). Stop it with Ctrl+C.

:class:`Chart` shows an SVG chart of ``yonggong.charts`` in a notebook with its Chinese
labels drawn from the shipped font (``fontembed``): no CJK font needs to be installed on
the machine, and none is.
"""

from __future__ import annotations

import hashlib
import html
import os
import re
import secrets
import socket
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from . import paths

HOST = "127.0.0.1"
DEFAULT_PORTS = range(8888, 8900)
KERNEL_NAME = "yonggong"


# --------------------------------------------------------------------------- charts


@dataclass(frozen=True)
class Chart:
    """An inline-SVG chart that a notebook displays with its font embedded.

    Each chart carries its own font subset under its own family name, so several charts on
    one page do not replace each other's glyphs.
    """

    svg: str

    def __repr__(self) -> str:
        title = re.search(r'aria-label="([^"]*)"', self.svg)
        return f"<图表：{html.unescape(title.group(1)) if title else ''}>"

    def family(self) -> str:
        return "YonggongChart" + hashlib.sha256(self.svg.encode("utf-8")).hexdigest()[:10]

    def html(self) -> str:
        from . import charts, fontembed

        family = self.family()
        svg = self.svg.replace(f'font-family="{charts.FONT}"', f'font-family="{family}, sans-serif"')
        css = fontembed.font_face_css(set(self.svg), family=family)
        return f'<div class="yonggong-chart" style="max-width:100%"><style>{css}</style>{svg}</div>'

    def _repr_html_(self) -> str:
        return self.html()

    def save(self, path: str | Path) -> Path:
        """Write the chart as a small self-contained HTML page (font inside)."""
        path = Path(path)
        path.write_text(f'<!doctype html><meta charset="utf-8">{self.html()}\n', encoding="utf-8")
        return path


# --------------------------------------------------------------------------- server


def port_free(port: int, host: str = HOST) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        try:
            s.bind((host, port))
        except OSError:
            return False
    return True


def free_port(host: str = HOST) -> int:
    """A port nobody listens on: the first free of 8888–8899, else one the system picks."""
    for port in DEFAULT_PORTS:
        if port_free(port, host):
            return port
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def kernel_installed() -> bool:
    from jupyter_client.kernelspec import KernelSpecManager

    return KERNEL_NAME in KernelSpecManager().find_kernel_specs()


def lab_command(port: int, root: Path | str | None = None, open_browser: bool = False) -> list[str]:
    """The JupyterLab command line: localhost only, the given port (no silent fallback to
    another), ``root`` (default ``notebooks/``) as its folder, no news or update fetching;
    ``--allow-root`` when running as root (containers), which Jupyter otherwise refuses."""
    root = Path(root) if root else paths.NOTEBOOKS
    cmd = [sys.executable, "-m", "jupyter", "lab", f"--ip={HOST}", f"--port={port}",
           "--ServerApp.port_retries=0", "--ServerApp.answer_yes=True", f"--ServerApp.root_dir={root}",
           "--LabApp.news_url=None",
           "--LabApp.check_for_updates_class=jupyterlab.handlers.announcements.NeverCheckForUpdate"]
    if not open_browser:
        cmd.insert(4, "--no-browser")
    if getattr(os, "geteuid", lambda: 1)() == 0:  # containers and CI run as root
        cmd.append("--allow-root")
    return cmd


def lab_env(token: str) -> dict[str, str]:
    """The environment of the server: the token, UTF-8 I/O, the package importable from lib/."""
    env = dict(os.environ, JUPYTER_TOKEN=token, PYTHONUTF8="1", PYTHONIOENCODING="utf-8")
    lib = str(paths.PACKAGE_DIR.parent)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (lib, env.get("PYTHONPATH", "")) if p)
    return env


def url(port: int, token: str, page: str = "lab") -> str:
    return f"http://{HOST}:{port}/{page}?token={token}"


def _say(line: str) -> None:
    print(line, flush=True)


def start(port: int | None = None, open_browser: bool = False, token: str | None = None,
          echo=_say) -> int:
    """Run JupyterLab until it stops (Ctrl+C); prints the URL first. Returns its exit code."""
    from .errors import UserError

    if port is None:
        port = free_port()
    elif not port_free(port):
        raise UserError(f"端口 {port} 已被占用，请换一个端口（--port=…）或省略 --port")
    token = token or secrets.token_hex(24)
    kernel = "已安装" if kernel_installed() else "未安装（请先运行 ./dev 建立环境）"
    echo(f"正在启动 JupyterLab（目录 {paths.NOTEBOOKS}，内核 {KERNEL_NAME} {kernel}）")
    echo(f"请在浏览器中打开 / open: {url(port, token)}")
    echo("示例笔记 explore.ipynb：全省各市逐日数据的分析示例。按 Ctrl+C 停止。")
    cmd = lab_command(port, open_browser=open_browser)
    if kernel_installed():
        cmd.append(f"--MappingKernelManager.default_kernel_name={KERNEL_NAME}")
    proc = subprocess.Popen(cmd, cwd=paths.NOTEBOOKS, env=lab_env(token))
    try:
        return proc.wait()
    except KeyboardInterrupt:  # Ctrl+C: the server got SIGINT too; make sure it ends
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        echo("JupyterLab 已停止。")
        return 0


def main(argv: list[str] | None = None) -> int:
    """``python -m yonggong.lab [--port N] [--browser]``."""
    import argparse

    parser = argparse.ArgumentParser(prog="python -m yonggong.lab", description="启动 JupyterLab")
    parser.add_argument("--port", type=int, default=None)
    parser.add_argument("--browser", action="store_true")
    args = parser.parse_args(argv)
    return start(args.port, open_browser=args.browser)


if __name__ == "__main__":
    sys.exit(main())
