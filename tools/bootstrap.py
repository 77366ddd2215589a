"""Set up the project environment on first use, then run an invoke task in it.

Used by ``./dev`` (POSIX) and ``dev.cmd`` (Windows), in the style of ``./gradlew``:

    ./dev daily --city=南昌     # first call: creates .venv, installs requirements.lock,
    ./dev test                   # the package (editable) and the Jupyter kernel "yonggong"

Standard library only: it runs before anything is installed. The environment is rebuilt
when requirements.lock, pyproject.toml or this script change (their hash is stamped into .venv).
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".venv"
STAMP = VENV / ".yonggong-installed"
KERNEL = "yonggong"


def venv_python() -> Path:
    if os.name == "nt":
        return VENV / "Scripts" / "python.exe"
    return VENV / "bin" / "python"


def wanted_stamp() -> str:
    h = hashlib.sha256()
    for name in ("requirements.lock", "pyproject.toml", "tools/bootstrap.py"):
        h.update((ROOT / name).read_bytes())
    return h.hexdigest()


def run(cmd: list[str]) -> None:
    print("[dev] " + " ".join(str(c) for c in cmd), flush=True)
    subprocess.run([str(c) for c in cmd], check=True, cwd=ROOT)


def ensure_env() -> None:
    """Create or refresh .venv when the lock or project file changed."""
    stamp = wanted_stamp()
    if STAMP.is_file() and STAMP.read_text(encoding="utf-8").strip() == stamp and venv_python().is_file():
        return
    if sys.version_info < (3, 11):  # noqa: UP036 (runs under any python3 before .venv exists)
        sys.exit("需要 Python 3.11 或更高版本 (Python 3.11+ is required).")
    print("[dev] 正在准备运行环境（首次运行需几分钟）… setting up .venv", flush=True)
    if not venv_python().is_file():
        run([sys.executable, "-m", "venv", VENV])
    py = venv_python()
    pip = [py, "-m", "pip", "--disable-pip-version-check"]
    run([*pip, "install", "-q", "-r", ROOT / "requirements.lock"])
    run([*pip, "install", "-q", "--no-deps", "-e", ROOT])
    run([py, "-m", "ipykernel", "install", "--sys-prefix", "--name", KERNEL,
         "--display-name", "yonggong (Python 3)"])
    quiet_kernel()
    STAMP.write_text(stamp, encoding="utf-8")


def quiet_kernel() -> None:
    """Keep the kernel's start-up warnings (plain-TCP notice) out of the analyst's terminal;
    errors still show, and everything a cell prints stays in the executed notebook."""
    spec = VENV / "share" / "jupyter" / "kernels" / KERNEL / "kernel.json"
    data = json.loads(spec.read_text(encoding="utf-8"))
    flag = "--IPKernelApp.log_level=ERROR"
    if flag not in data["argv"]:
        data["argv"].append(flag)
        spec.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")


def main(argv: list[str]) -> int:
    ensure_env()
    if argv[:1] == ["--setup-only"]:
        return 0
    env = dict(os.environ, PYTHONUTF8="1", PYTHONIOENCODING="utf-8")
    return subprocess.call([str(venv_python()), "-m", "invoke", *argv], cwd=ROOT, env=env)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
