"""Incremental runs: an unchanged city day is not executed again; any change reruns it."""

from __future__ import annotations

import hashlib
import os
import shutil

import nbformat
import pytest
from conftest import SAMPLE, invoke

from yonggong import kernel, nbexec
from yonggong import run as run_mod


@pytest.fixture(scope="module", autouse=True)
def warm_kernel():
    """The module's in-process runs share one warm kernel, as the runs of `invoke all` do (what is
    tested here is the decision to run, not the kernel; tests/test_run.py runs cold kernels)."""
    kernel.start_worker(nbexec.kernel_name())
    yield
    kernel.stop_worker()


@pytest.fixture
def small_inbox(tmp_path):
    """南昌's first two days of the sample (a small, private copy that tests may change)."""
    inbox = tmp_path / "inbox"
    for day in ("2020-02-23", "2020-02-24"):
        shutil.copytree(SAMPLE / "南昌" / day, inbox / "南昌" / day)
    return inbox


def _run(inbox, out, **kw):
    return run_mod.run_city_day("南昌", "2020-02-24", inbox, out, **kw)


def _tree_hashes(root):
    return {p.relative_to(root).as_posix(): (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mtime_ns)
            for p in sorted(root.rglob("*")) if p.is_file()}


def test_raw_inputs_are_never_modified(small_inbox, tmp_path):
    before = _tree_hashes(small_inbox)
    _run(small_inbox, tmp_path / "out")
    assert _tree_hashes(small_inbox) == before


def test_unchanged_day_is_up_to_date_and_force_reruns(small_inbox, tmp_path):
    out = tmp_path / "out"
    first = _run(small_inbox, out)
    assert first.status == "完成"
    manifest = (first.out_dir / "manifest.json").read_bytes()
    again = _run(small_inbox, out)
    assert again.status == "已是最新"
    assert (first.out_dir / "manifest.json").read_bytes() == manifest, "nothing was rewritten"
    forced = _run(small_inbox, out, force=True)
    assert forced.status == "完成"
    assert forced.manifest["fingerprint"] == first.manifest["fingerprint"]


def test_cli_reports_up_to_date(small_inbox, tmp_path):
    out = tmp_path / "out"
    args = ("daily", "--city=南昌", "--date=2020-02-24", f"--inbox={small_inbox}", f"--out={out}")
    assert "完成" in invoke(*args).stdout
    res = invoke(*args)
    assert res.returncode == 0 and "已是最新" in res.stdout
    assert "完成" in invoke(*args, "--force").stdout


def test_each_kind_of_change_reruns(small_inbox, tmp_path, monkeypatch):
    out = tmp_path / "out"
    assert _run(small_inbox, out).status == "完成"
    assert _run(small_inbox, out).status == "已是最新"

    # an input file's content (an earlier day counts: it feeds the list and carry-forward)
    f = next((small_inbox / "南昌" / "2020-02-23").glob("*.xlsx"))
    shutil.copy(f, f.with_name("副本_" + f.name))
    assert _run(small_inbox, out).status == "完成"
    assert _run(small_inbox, out).status == "已是最新"

    # params
    params = tmp_path / "params"
    shutil.copytree(run_mod.paths.PARAMS_DIR, params)
    with (params / "settings.yaml").open("a", encoding="utf-8") as fh:
        fh.write("\n# 分析员修改了阈值\n")
    monkeypatch.setattr(run_mod.paths, "PARAMS_DIR", params)
    assert _run(small_inbox, out).status == "完成"
    assert _run(small_inbox, out).status == "已是最新"

    # the notebook
    nb_dir = tmp_path / "nb"
    nb_dir.mkdir()
    nb = nbformat.read(str(run_mod.paths.NOTEBOOKS / run_mod.CITY_NOTEBOOK), as_version=4)
    nb.cells.append(nbformat.v4.new_markdown_cell("备注"))
    nbformat.write(nb, str(nb_dir / run_mod.CITY_NOTEBOOK))
    monkeypatch.setattr(run_mod.paths, "NOTEBOOKS", nb_dir)
    assert _run(small_inbox, out).status == "完成"
    assert _run(small_inbox, out).status == "已是最新"

    # the yonggong code
    monkeypatch.setattr(run_mod, "code_hash", lambda: "0" * 64)
    assert _run(small_inbox, out).status == "完成"
    assert _run(small_inbox, out).status == "已是最新"

    # an input file's modification time alone (the newest file wins a conflict)
    later = f.stat().st_mtime + 60
    os.utime(f, (later, later))
    assert _run(small_inbox, out).status == "完成"
    assert _run(small_inbox, out).status == "已是最新"

    # the parameters (the same files under another inbox path)
    moved = tmp_path / "inbox2"
    shutil.copytree(small_inbox, moved)
    assert _run(moved, out).status == "完成"


def test_a_damaged_output_is_not_up_to_date(small_inbox, tmp_path):
    out = tmp_path / "out"
    first = _run(small_inbox, out)
    victim = next(first.out_dir.glob("*.parquet"))
    victim.write_bytes(b"broken")
    assert _run(small_inbox, out).status == "完成"
    # an edit that keeps the length: outputs are checked by the sha256 the manifest records
    brief = next(first.out_dir.glob("工作简报_*.html"))
    original = brief.read_bytes()
    edited = original.replace("南昌".encode(), "北京".encode(), 1)
    assert len(edited) == len(original) and edited != original
    brief.write_bytes(edited)
    assert _run(small_inbox, out).status == "完成"
    assert brief.read_bytes() == original
