"""Executing a notebook with papermill: the project's kernel (:func:`kernel_name`), papermill
imported without what a run never uses (:func:`import_papermill`), readable Chinese parameters,
and the notebook run in a helper thread so that a Ctrl-C reaches the calling thread, which stops
the kernel (:func:`execute_notebook`).
"""

from __future__ import annotations

import sys
import threading
from pathlib import Path

KERNEL_NAME = "yonggong"
KERNEL_STOP_WAIT = 15.0  # seconds to wait for the notebook thread after its kernel was stopped


def _quiet_after_interrupt() -> None:
    """The notebook client logs its kernel's death as an error; after a Ctrl-C that is expected."""
    import logging

    for name in ("papermill", "nbclient", "traitlets", "jupyter_client"):
        logging.getLogger(name).disabled = True


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
