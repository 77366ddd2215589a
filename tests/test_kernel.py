"""yonggong.kernel: one warm kernel runs notebook after notebook, each as if in a fresh kernel."""

from __future__ import annotations

import json
import os
import signal
import time

import nbformat
import pytest

from yonggong import kernel, nbexec


def _notebook(path, *sources: str) -> None:
    nb = nbformat.v4.new_notebook()
    params = nbformat.v4.new_code_cell('city = ""')
    params.metadata["tags"] = ["parameters"]
    nb.cells = [params, *(nbformat.v4.new_code_cell(s) for s in sources)]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, str(path))


def _outputs(path) -> tuple[list[int | None], list[str]]:
    nb = json.loads(path.read_text(encoding="utf-8"))
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    # every output of every cell: a stray warning or message (stderr too) must show up here
    text = ["".join(o.get("text", "")) for c in code for o in c.get("outputs", [])]
    return [c.get("execution_count") for c in code], text


@pytest.fixture
def warm(monkeypatch):
    w = kernel.WarmKernel(nbexec.kernel_name()).start()
    monkeypatch.setattr(kernel, "_current", w)
    yield w
    w.shutdown()


def test_notebooks_share_a_warm_kernel_but_not_its_state(warm, tmp_path):
    first, second = tmp_path / "first.ipynb", tmp_path / "second.ipynb"
    _notebook(first, "import os, pandas as pd\nleftover = city\npd.set_option('display.max_rows', 3)\n"
                     "print(os.getpid(), 'yonggong.pipeline' in __import__('sys').modules)")
    _notebook(second, "import os, pandas as pd, sys\n"
                      "print(os.getpid(), 'leftover' in globals(), pd.get_option('display.max_rows'), city)")
    nbexec.execute_notebook(first, tmp_path / "out1.ipynb", {"city": "南昌"}, tmp_path)
    nbexec.execute_notebook(second, tmp_path / "out2.ipynb", {"city": "九江"}, tmp_path)
    counts1, (line1,) = _outputs(tmp_path / "out1.ipynb")
    counts2, (line2,) = _outputs(tmp_path / "out2.ipynb")
    pid1, imported = line1.split()
    pid2, leftover, max_rows, city = line2.split()
    assert pid1 == pid2  # the same kernel process ran both
    assert imported == "True"  # the library was already imported when the first notebook began
    assert (leftover, max_rows, city) == ("False", "60", "九江")  # namespace and pandas options reset
    # numbered from 1 in each executed notebook, as from a fresh kernel (params, injected, body)
    assert counts1 == counts2 == [1, 2, 3]


def test_a_dead_kernel_is_replaced(warm, tmp_path):
    nb = tmp_path / "pid.ipynb"
    _notebook(nb, "import os\nprint(os.getpid())")
    nbexec.execute_notebook(nb, tmp_path / "a.ipynb", {"city": "南昌"}, tmp_path)
    (before,) = _outputs(tmp_path / "a.ipynb")[1]
    os.kill(int(before), signal.SIGKILL)
    for _ in range(50):
        if not warm.km.is_alive():
            break
        time.sleep(0.1)
    nbexec.execute_notebook(nb, tmp_path / "b.ipynb", {"city": "南昌"}, tmp_path)
    (after,) = _outputs(tmp_path / "b.ipynb")[1]
    assert after != before and kernel.current() is warm


def test_without_a_warm_kernel_a_notebook_gets_its_own(tmp_path, monkeypatch):
    monkeypatch.setattr(kernel, "_current", None)
    nb = tmp_path / "pid.ipynb"
    _notebook(nb, "import os\nprint(os.getpid())")
    nbexec.execute_notebook(nb, tmp_path / "a.ipynb", {"city": "南昌"}, tmp_path)
    nbexec.execute_notebook(nb, tmp_path / "b.ipynb", {"city": "南昌"}, tmp_path)
    assert _outputs(tmp_path / "a.ipynb")[1] != _outputs(tmp_path / "b.ipynb")[1]
    pids = [int(_outputs(tmp_path / n)[1][0]) for n in ("a.ipynb", "b.ipynb")]
    assert not any(_alive(pid) for pid in pids)  # each notebook's own kernel is gone when it ends


def test_a_notebook_that_fails_leaves_no_kernel_behind(tmp_path, monkeypatch):
    monkeypatch.setattr(kernel, "_current", None)
    nb = tmp_path / "fails.ipynb"
    _notebook(nb, "import os\nprint(os.getpid())", "raise ValueError('坏')")
    with pytest.raises(Exception, match="坏"):
        nbexec.execute_notebook(nb, tmp_path / "out.ipynb", {"city": "南昌"}, tmp_path)
    assert not _alive(int(_outputs(tmp_path / "out.ipynb")[1][0]))


def _alive(pid: int) -> bool:
    try:
        import psutil

        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def test_a_kernel_that_cannot_be_reset_falls_back_to_fresh_kernels(warm, monkeypatch):
    monkeypatch.setattr(kernel, "RESET", "raise RuntimeError('broken')")
    assert kernel.fresh_or_none() is None
    assert kernel.current() is None and warm.km is None  # shut down, not left running
