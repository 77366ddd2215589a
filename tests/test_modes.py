"""Published outputs carry ordinary permissions (issue 14, item 8): products readable by
colleagues as the umask allows, restricted/ 0700 with its files 0600, no empty restricted/."""

from __future__ import annotations

import os
import stat
import sys

import pytest

from yonggong import outdir

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX permissions")


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _mode(p) -> int:
    return stat.S_IMODE(p.stat().st_mode)


def test_a_published_folder_gets_ordinary_modes_and_restricted_stays_private(tmp_path):
    folder = tmp_path / "day"
    (folder / "restricted").mkdir(parents=True)
    for p in (folder / "汇总表.xlsx", folder / "restricted" / "名单.xlsx"):
        p.write_bytes(b"x")
        os.chmod(p, 0o600)  # as written through a temporary file
    os.chmod(folder, 0o700)  # as made by mkdtemp
    outdir.settle_modes(folder)
    mask = _umask()
    assert _mode(folder) == 0o777 & ~mask and _mode(folder / "汇总表.xlsx") == 0o666 & ~mask
    assert _mode(folder / "restricted") == 0o700 and _mode(folder / "restricted" / "名单.xlsx") == 0o600


def test_an_empty_restricted_folder_is_not_published(tmp_path):
    (tmp_path / "restricted").mkdir()
    (tmp_path / "a.html").write_text("x", encoding="utf-8")
    outdir.settle_modes(tmp_path)
    assert not (tmp_path / "restricted").exists()


def test_the_daily_run_publishes_with_those_modes(nanchang_run):
    out, _ = nanchang_run
    mask = _umask()
    products = [p for p in out.iterdir() if p.is_file()]
    assert products and all(_mode(p) == 0o666 & ~mask for p in products)
    private = out / "restricted"
    assert _mode(out) == 0o777 & ~mask and _mode(private) == 0o700
    assert [p.name for p in private.iterdir() if _mode(p) != 0o600] == []
