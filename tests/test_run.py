"""The daily city run: exits, manifest, byte-identical reruns, atomic replacement, lock."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import nbformat
import pytest
from conftest import invoke

from yonggong import outdir, runlock
from yonggong import run as run_mod
from yonggong.errors import RunFailed, RunLocked, UserError
from yonggong.reference import resolve_city

PRODUCTS = ["重点企业用工调度保障工作信息汇总表_南昌_20200301.xlsx", "工作底稿_南昌_20200301.xlsx",
            "数据质量报告_南昌_20200301.xlsx",
            "台账_南昌_20200301.parquet", "台账_南昌_20200301.xlsx", "notebook_南昌_20200301.ipynb",
            "每日进展情况_南昌_20200301.xlsx", "工作简报_南昌_20200301.html", "专区_南昌_20200301.html",
            "简讯_南昌_20200301.txt", "manifest.json"]


def sha(p: Path) -> str:
    return hashlib.sha256(p.read_bytes()).hexdigest()


def test_daily_writes_the_products_and_a_true_manifest(nanchang_run, sample_inbox):
    out, res = nanchang_run
    for name in PRODUCTS:
        assert (out / name).is_file(), name
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    listed = {e["path"]: e for e in manifest["outputs"]}
    assert set(listed) == {p.relative_to(out).as_posix() for p in out.rglob("*")
                           if p.is_file() and p.name != "manifest.json"}
    for path, entry in listed.items():
        assert entry["sha256"] == sha(out / path) and entry["size"] == (out / path).stat().st_size
    assert manifest["inputs"], "inputs must be listed"
    for entry in manifest["inputs"]:
        assert entry["sha256"] == sha(sample_inbox / entry["path"])
        assert entry["path"].startswith("南昌/")
    assert manifest["parameters"]["city"] == "南昌" and manifest["parameters"]["date"] == "2020-03-01"
    assert manifest["packages"]["pandas"] and manifest["code"]["package_sha256"]
    assert manifest["started"] <= manifest["finished"]
    assert "完成" in res.stdout
    # no kernel noise on a successful run (jupyter_client's shutdown interrupt is left out)
    assert "KeyboardInterrupt" not in res.stderr and "[IPKernelApp]" not in res.stderr, res.stderr


def test_executed_notebook_shows_chinese_parameters(nanchang_run):
    out, _ = nanchang_run
    nb = nbformat.read(str(out / "notebook_南昌_20200301.ipynb"), as_version=4)
    injected = [c for c in nb.cells if "injected-parameters" in c.metadata.get("tags", [])]
    assert injected and "city = '南昌'" in injected[0].source


def test_rerun_gives_byte_identical_xlsx_and_parquet(nanchang_run, tmp_path):
    out, _ = nanchang_run
    res = invoke("daily", "--city=360100", "--date=2020-03-01", f"--out={tmp_path}")
    assert res.returncode == 0, res.stderr
    again = tmp_path / "2020-03-01" / "南昌"
    compared = 0
    for p in out.rglob("*"):
        if p.suffix in (".xlsx", ".parquet"):
            assert sha(p) == sha(again / p.relative_to(out)), p.name
            compared += 1
    assert compared >= 5


@pytest.mark.parametrize("city", ["北京", "../南昌", "南昌县"])
def test_unknown_city_exits_2_and_writes_nothing(tmp_path, city):
    res = invoke("daily", f"--city={city}", f"--out={tmp_path}")
    assert res.returncode == 2
    assert "未知的设区市" in res.stderr
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("date", ["2020-02-30", "2020-13-01", "24/2/2020", "2020-04-01"])
def test_impossible_or_absent_date_exits_2_and_writes_nothing(tmp_path, date):
    res = invoke("daily", "--city=南昌", f"--date={date}", f"--out={tmp_path}")
    assert res.returncode == 2, res.stdout + res.stderr
    assert "日期" in res.stderr or "没有" in res.stderr
    assert list(tmp_path.iterdir()) == []


def _inbox_with(tmp_path: Path, sample: Path, keep_tables: set[str]) -> Path:
    """A one-day inbox for 南昌 holding only the sheets recognised as ``keep_tables``."""
    from openpyxl import Workbook

    from yonggong.ingest import read_day

    src_day = sample / "南昌" / "2020-02-23"
    inbox = tmp_path / "inbox"
    day = inbox / "南昌" / "2020-02-23"
    day.mkdir(parents=True)
    got = read_day(src_day)
    for i, sheet in enumerate(s for s in got.sheets if s.table in keep_tables):
        wb = Workbook()
        ws = wb.active
        cols = [c for c in sheet.data.columns if not c.startswith("_")]
        ws.append(cols)
        for row in sheet.data[cols].itertuples(index=False):
            ws.append([None if v != v else v for v in row])
        wb.save(day / f"t{i}.xlsx")
    return inbox


def test_missing_ledger_exits_2_and_writes_nothing(tmp_path, sample_inbox):
    inbox = _inbox_with(tmp_path, sample_inbox, {"A"})
    out = tmp_path / "out"
    res = invoke("daily", "--city=南昌", f"--inbox={inbox}", f"--out={out}")
    assert res.returncode == 2, res.stdout + res.stderr
    assert "表B" in res.stderr
    assert not out.exists() or list(out.rglob("*")) == []


def test_missing_list_exits_2(tmp_path, sample_inbox):
    inbox = _inbox_with(tmp_path, sample_inbox, {"B"})
    out = tmp_path / "out"
    res = invoke("daily", "--city=南昌", f"--inbox={inbox}", f"--out={out}")
    assert res.returncode == 2 and "表A" in res.stderr
    assert not out.exists() or list(out.rglob("*")) == []


def test_failed_run_keeps_previous_outputs_and_the_failed_notebook(tmp_path, sample_inbox, monkeypatch):
    out = tmp_path / "out"
    first = run_mod.run_city_day("南昌", "2020-02-24", sample_inbox, out)
    before = {p.relative_to(first.out_dir): sha(p) for p in first.out_dir.rglob("*") if p.is_file()}

    broken = tmp_path / "nb"
    broken.mkdir()
    nb = nbformat.read(str(run_mod.paths.NOTEBOOKS / run_mod.CITY_NOTEBOOK), as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell("raise RuntimeError('故意失败')"))
    nbformat.write(nb, str(broken / run_mod.CITY_NOTEBOOK))
    monkeypatch.setattr(run_mod.paths, "NOTEBOOKS", broken)
    with pytest.raises(RunFailed) as err:
        run_mod.run_city_day("南昌", "2020-02-24", sample_inbox, out)
    assert "上一次的成功结果未改动" in str(err.value)
    after = {p.relative_to(first.out_dir): sha(p) for p in first.out_dir.rglob("*") if p.is_file()}
    assert after == before
    failed = list((out / "2020-02-24" / "failed").glob("南昌-*/notebook_南昌_20200224.ipynb"))
    assert len(failed) == 1
    record = json.loads((failed[0].parent / run_mod.FAILURE_RECORD).read_text(encoding="utf-8"))
    assert "故意失败" in record["原因"] and record["笔记本"] == failed[0].name
    leftovers = [p.name for p in (out / "2020-02-24").iterdir() if p.name.startswith((".tmp", ".old"))]
    assert leftovers == []


def test_lock_refuses_a_second_run_and_is_released(tmp_path):
    import os
    import socket

    lock = tmp_path / ".南昌.lock"
    with runlock.lock(lock):
        owner = json.loads(lock.read_text(encoding="utf-8"))
        assert owner["pid"] == os.getpid() and owner["host"] == socket.gethostname() and owner["process_started"]
        with pytest.raises(RunLocked) as err, runlock.lock(lock):
            pass
        assert f"PID {os.getpid()}" in err.value.message and f"删除锁文件 {lock}" in err.value.message
    assert not lock.exists()
    lock.write_text("99999999 stale", encoding="utf-8")  # a dead process's lock (old form) is taken over
    with runlock.lock(lock) as held:
        assert json.loads(lock.read_text(encoding="utf-8"))["pid"] == os.getpid()
        assert held.took_over is not None and held.took_over.pid == 99999999
    assert list(tmp_path.iterdir()) == []


def test_output_folder_cannot_escape(tmp_path):
    import datetime as dt

    city = resolve_city("南昌")
    target = outdir.city_out_dir(tmp_path, city, dt.date(2020, 3, 1))
    assert target == (tmp_path / "2020-03-01" / "南昌").resolve()
    fake = type(city)(code="x", name="../../etc", full_name="x", bureau="x")
    with pytest.raises(UserError):
        outdir.city_out_dir(tmp_path, fake, dt.date(2020, 3, 1))


def test_unchanged_previous_outputs_when_user_error(tmp_path, sample_inbox):
    out = tmp_path / "out"
    run_mod.run_city_day("南昌", "2020-02-25", sample_inbox, out)
    snapshot = sorted(p.relative_to(out).as_posix() for p in out.rglob("*"))
    with pytest.raises(UserError):
        run_mod.run_city_day("南昌", "2021-01-01", sample_inbox, out)
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*")) == snapshot
    shutil.rmtree(out)


def test_papermill_is_imported_without_pyarrow_which_stays_importable():
    import subprocess
    import sys

    code = ("import sys\nfrom yonggong import nbexec\nnbexec.import_papermill()\n"
            "print(sorted(m for m in ('pyarrow', 'numpy', 'rfc3987_syntax') if sys.modules.get(m) is not None))\n"
            "import pyarrow.fs\nprint(pyarrow.fs.LocalFileSystem.__name__)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, encoding="utf-8", check=True)
    assert out.stdout.split() == ["[]", "LocalFileSystem"]
