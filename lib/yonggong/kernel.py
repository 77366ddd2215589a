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
city runs one notebook in a fresh kernel of its own, launched (:meth:`WarmKernel.launch`) before
papermill is imported so that both start at once, and shut down after the notebook.

Every kernel of a run, warm or not, is managed by a *quiet* kernel manager
(:func:`quiet_manager`). jupyter_client interrupts a kernel (SIGINT) before every shutdown, even
an idle one; a kernel that is still finishing a message when the signal lands logs
``[IPKernelApp] ERROR | KeyboardInterrupt caught in kernel.`` to the terminal, on a run that
succeeded. The quiet manager leaves that interrupt out: a shutdown asks the kernel to exit
(``shutdown_request``), then terminates it if it does not. The managers started are remembered
(:func:`started_managers`) so that a Ctrl-C can stop the kernel of the run it interrupts
(:func:`stop_kernels`).
"""

from __future__ import annotations

import atexit
import time
import weakref
from collections.abc import Callable
from pathlib import Path

from . import paths

WARM_UP = ("import pandas, numpy, yaml, jinja2, openpyxl, pyarrow.parquet\n"
           "import yonggong.notebook, yonggong.pipeline, yonggong.products, yonggong.match, yonggong.province\n"
           "yonggong.fontembed.base_codepoints()\n")
# InteractiveShell.reset(new_session=True): namespace emptied, a new history session (line
# numbers from 1 again, so the history database never sees a number twice) and the counter at 1
RESET = ("import pandas as _pd\n"
         "_pd.reset_option('display')\n"
         "get_ipython().reset(new_session=True)\n")

_current: WarmKernel | None = None
_managers: weakref.WeakSet = weakref.WeakSet()  # every quiet kernel manager of this process
_quiet_classes: dict[bool, type] = {}


def quiet_manager(asynchronous: bool = False) -> type:
    """A kernel manager class (jupyter_client's, sync or async) that shuts its kernel down
    without interrupting it first, and registers itself for :func:`stop_kernels`."""
    if asynchronous not in _quiet_classes:
        from jupyter_client import AsyncKernelManager, KernelManager

        base = AsyncKernelManager if asynchronous else KernelManager

        class QuietKernelManager(base):
            def __init__(self, *args, **kwargs):
                super().__init__(*args, **kwargs)
                _managers.add(self)

            async def _async_interrupt_kernel(self) -> None:
                if self.shutting_down:  # set by shutdown_kernel: the kernel is to exit, not be interrupted
                    return
                await super()._async_interrupt_kernel()

        QuietKernelManager.__name__ = QuietKernelManager.__qualname__ = \
            ("QuietAsync" if asynchronous else "Quiet") + "KernelManager"
        _quiet_classes[asynchronous] = QuietKernelManager
    return _quiet_classes[asynchronous]


def started_managers() -> set:
    """The kernel managers of this process so far (to tell a run's own kernel from older ones)."""
    return set(_managers)


def _kernel_process(km):
    provisioner = getattr(km, "provisioner", None)
    return getattr(provisioner, "process", None)


def stop_kernels(before: set, warm_km=None) -> None:
    """Kill the kernels started since ``before`` was taken, and ``warm_km``'s: the run that used
    them was interrupted. Only the process is killed here (from the main thread, while the
    notebook's own thread still holds its client); that thread then sees a dead kernel and ends."""
    for km in [*(set(_managers) - before), *([warm_km] if warm_km is not None else [])]:
        proc = _kernel_process(km)
        if proc is None:
            continue
        try:
            if proc.poll() is None:
                proc.kill()
        except OSError:
            pass


def close_thread_loop() -> None:
    """Close the asyncio loop the notebook client made in this (helper) thread."""
    import asyncio
    import warnings

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            loop = asyncio.get_event_loop_policy().get_event_loop()
    except RuntimeError:
        return
    if not loop.is_running() and not loop.is_closed():
        try:
            loop.run_until_complete(loop.shutdown_asyncgens())
        except Exception:  # noqa: BLE001 - tidying only
            pass
        loop.close()
    asyncio.set_event_loop(None)


class KernelFailed(RuntimeError):
    """The warm kernel did not start or did not answer."""


class WarmKernel:
    """A started kernel with the library imported; ``fresh()`` hands it out emptied."""

    def __init__(self, kernel_name: str, cwd: Path = paths.ROOT, timeout: float = 60.0):
        self.kernel_name, self.cwd, self.timeout = kernel_name, Path(cwd), timeout
        self.km = None

    def launch(self) -> WarmKernel:
        """Start the kernel process (returns at once; the kernel imports on its own)."""
        self.km = quiet_manager()(kernel_name=self.kernel_name)
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
            shutdown(self.km)
            self.km = None


def shutdown(km) -> None:
    """Stop a kernel whose notebooks are over and written: killed at once, no orderly exit to
    wait for (about a second)."""
    try:
        km.shutdown_kernel(now=True)
    except Exception:  # noqa: BLE001 - shutting down anyway
        pass


def start_worker(kernel_name: str, prepare: Callable[[], object] | None = None) -> None:
    """Give this (worker) process a warm kernel, shut down when the process ends; ``prepare``
    does the worker's own imports while the kernel starts (``run.start_worker`` is the pool
    initializer that calls this)."""
    global _current
    from multiprocessing import util

    try:
        warm = WarmKernel(kernel_name).launch()
        import nbclient  # noqa: F401  (the worker's own imports, while the kernel starts)

        if prepare is not None:
            prepare()

        warm.run(WARM_UP)
        _current = warm
    except Exception:  # noqa: BLE001 - without a warm kernel each notebook starts its own, as `daily` does
        _current = None
        return
    util.Finalize(None, stop_worker, exitpriority=10)  # runs at a worker's orderly exit
    atexit.register(stop_worker)


def stop_worker() -> None:
    """Shut this process's warm kernel down (a worker's exit does it; a caller that started one
    with :func:`start_worker` for a batch of runs may do it earlier)."""
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
        stop_worker()
        return None
