"""The bundled sample's file times survive a git clone (recorded, then restored)."""

from __future__ import annotations

import json
import os
import shutil

from conftest import SAMPLE

from yonggong.synth import sample_mtimes


def test_restore_puts_recorded_times_back_and_leaves_content_alone(tmp_path):
    copy = tmp_path / "inbox"
    shutil.copytree(SAMPLE / "南昌" / "2020-02-23", copy / "南昌" / "2020-02-23")
    assert sample_mtimes.record(copy) == 4
    recorded = json.loads((copy / sample_mtimes.FILE).read_text(encoding="utf-8"))
    victim = next((copy / "南昌" / "2020-02-23").iterdir())
    content = victim.read_bytes()
    os.utime(victim, ns=(1, 1))  # what a fresh clone does: times are the checkout's
    assert sample_mtimes.restore(copy) == 1
    assert victim.stat().st_mtime_ns == recorded[victim.relative_to(copy).as_posix()]
    assert victim.read_bytes() == content
    assert sample_mtimes.restore(copy) == 0


def test_the_bundled_sample_has_its_times_recorded():
    recorded = json.loads((SAMPLE / sample_mtimes.FILE).read_text(encoding="utf-8"))
    files = {p.relative_to(SAMPLE).as_posix() for p in SAMPLE.rglob("*") if p.is_file()}
    assert set(recorded) == files - {sample_mtimes.FILE}
    for rel, ns in recorded.items():
        assert (SAMPLE / rel).stat().st_mtime_ns == ns, rel  # the session fixture restored them


def test_invoke_list_touches_nothing_and_a_command_on_the_sample_restores_its_times(tmp_path):
    from conftest import invoke

    recorded = json.loads((SAMPLE / sample_mtimes.FILE).read_text(encoding="utf-8"))
    rel = "planted.json"  # no run reads its time: tests on other xdist workers are not disturbed
    want = recorded[rel]
    path = SAMPLE / rel
    st = path.stat()
    try:
        os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 86_400 * 10**9))  # as after a git checkout
        moved = path.stat().st_mtime_ns
        assert invoke("--list").returncode == 0
        assert path.stat().st_mtime_ns == moved  # importing tasks.py changes nothing
        res = invoke("roster", "--city=南昌", f"--out={tmp_path}")
        assert res.returncode == 0, res.stderr
        assert path.stat().st_mtime_ns == want  # the command put the recorded time back
    finally:
        sample_mtimes.restore(SAMPLE)
