"""Warm Jupyter kernels: one per worker process of ``invoke all``, reused notebook after notebook.

Starting a kernel and importing pandas and yonggong in it costs about 1.5 s on the 2-core
machine, as much as a sample city day's own work. A worker of ``invoke all`` therefore starts
one kernel when it starts, imports the library in it, and runs each of its notebooks in that
kernel through papermill (``km=``). Before each notebook the kernel's namespace is emptied
(IPython's ``reset`` with a new history session), pandas display options are put back to their
defaults and the execution counter restarts at 1, so an executed notebook reads exactly as one
from a fresh kernel: parameters injected and visible, cells numbered from 1, nothing left over
from the previous city. Imported modules stay loaded, which is the point.

A kernel that has died is replaced before the next notebook. ``invoke daily`` for a single
city does not use this: one notebook, one fresh kernel.
"""

from __future__ import annotations

import atexit
import time
from pathlib import Path

from . import paths

WARM_UP = ("import pandas, numpy, yaml, jinja2, openpyxl, pyarrow.parquet\n"
           "import yonggong.notebook, yonggong.pipeline, yonggong.products, yonggong.match, yonggong.province\n")
# InteractiveShell.reset(new_session=True): namespace emptied, a new history session (line
# numbers from 1 again, so the history database never sees a number twice) and the counter at 1
RESET = ("import pandas as _pd\n"
         "_pd.reset_option('display')\n"
         "get_ipython().reset(new_session=True)\n")

_current: WarmKernel | None = None


class KernelFailed(RuntimeError):
    """The warm kernel did not start or did not answer."""


class WarmKernel:
    """A started kernel with the library imported; ``fresh()`` hands it out emptied."""

    def __init__(self, kernel_name: str, cwd: Path = paths.ROOT, timeout: float = 60.0):
        self.kernel_name, self.cwd, self.timeout = kernel_name, Path(cwd), timeout
        self.km = None

    def launch(self) -> WarmKernel:
        """Start the kernel process (returns at once; the kernel imports on its own)."""
        from jupyter_client import KernelManager

        self.km = KernelManager(kernel_name=self.kernel_name)
        self.km.start_kernel(cwd=str(self.cwd))
        return self

    def start(self) -> WarmKernel:
        """Start the kernel and wait until the library is imported in it."""
        self.launch()
        self.run(WARM_UP)
        return self

    def run(self, code: str) -> None:
        """Execute ``code`` quietly (no history, no execution count) and wait for its reply.

        A new client each time: papermill's own client, run in between, leaves an earlier
        blocking client's channels deaf."""
        kc = self.km.client()
        kc.start_channels()
        try:
            msg_id = kc.execute(code, silent=True, store_history=False)
            deadline = time.monotonic() + self.timeout
            while True:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise KernelFailed("内核无响应")
                reply = kc.get_shell_msg(timeout=left)
                if reply["parent_header"].get("msg_id") == msg_id:
                    break
        finally:
            kc.stop_channels()
        content = reply["content"]
        if content.get("status") != "ok":
            raise KernelFailed(f"{content.get('ename', '')}：{content.get('evalue', '')}")

    def fresh(self):
        """The kernel manager of an emptied, warm kernel (restarted first if it has died)."""
        if self.km is None or not self.km.is_alive():
            self.shutdown()
            self.start()
        self.run(RESET)
        return self.km

    def shutdown(self) -> None:
        if self.km is not None:
            try:
                self.km.shutdown_kernel(now=True)
            except Exception:  # noqa: BLE001 - shutting down anyway
                pass
            self.km = None


def start_worker(kernel_name: str) -> None:
    """Pool initializer: this process gets a warm kernel, shut down when the process ends."""
    global _current
    from multiprocessing import util

    try:
        warm = WarmKernel(kernel_name).launch()
        from . import run  # the worker's own imports, while the kernel starts

        run.skip_slow_optional_imports()
        import nbclient  # noqa: F401
        import papermill  # noqa: F401

        warm.run(WARM_UP)
        _current = warm
    except Exception:  # noqa: BLE001 - without a warm kernel each notebook starts its own, as `daily` does
        _current = None
        return
    util.Finalize(None, _shutdown_current, exitpriority=10)  # runs at a worker's orderly exit
    atexit.register(_shutdown_current)


def _shutdown_current() -> None:
    global _current
    if _current is not None:
        _current.shutdown()
        _current = None


def current() -> WarmKernel | None:
    """This process's warm kernel, if it is a worker that has one."""
    return _current


def fresh_or_none():
    """The warm kernel's manager, emptied, for the next notebook; None when this process has no
    warm kernel or it cannot be made ready (the notebook then starts its own kernel)."""
    global _current
    if _current is None:
        return None
    try:
        return _current.fresh()
    except Exception:  # noqa: BLE001 - fall back to a kernel of the notebook's own
        _shutdown_current()
        return None
