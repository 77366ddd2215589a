"""The province's part of the day cache: table L of each province folder and each day's accepted
合计 rows are read once; the province day is the same with and without them, and an edited file
of an earlier folder is read again."""

from __future__ import annotations

import datetime as dt
import os
import shutil
from pathlib import Path

import pandas as pd

from yonggong import daycache, paths, province

DAY, PREV = "2020-03-01", dt.date(2020, 2, 29)


def _inbox(tmp_path: Path) -> Path:
    inbox = tmp_path / "inbox"
    shutil.copytree(paths.SAMPLE_INBOX / "province", inbox / "province")
    return inbox


def _products(pday, out: Path) -> dict[str, bytes]:
    province.write.write_all(pday, out)
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


def test_the_province_day_is_the_same_with_and_without_its_cache(tmp_path):
    inbox, cache = _inbox(tmp_path), tmp_path / "out"
    ref = province.day.load(DAY, inbox, source="inbox", outputs=tmp_path / "none")
    want = _products(ref, tmp_path / "ref")
    for run in ("fills the cache", "reads it"):
        got = province.day.load(DAY, inbox, source="inbox", outputs=tmp_path / "none", cache=cache)
        pd.testing.assert_frame_equal(got.intake.liaisons, ref.intake.liaisons)
        assert _products(got, tmp_path / run) == want, run
    public, _ = daycache.cache_dirs(cache, province.day.CACHE_OWNER, province.day.ACCEPTED_TOTALS)
    # the day's own accepted rows (for 03-02) and those of the day before
    assert sorted({p.name.split(".")[0] for p in public.glob("*.json")}) == ["2020-02-29", "2020-03-01"]
    liaisons, _ = daycache.cache_dirs(cache, province.day.CACHE_OWNER, province.day.LIAISONS)
    assert list(liaisons.glob("*.json"))


def test_an_edited_file_of_the_day_before_is_read_again(tmp_path, monkeypatch):
    inbox, cache = _inbox(tmp_path), tmp_path / "out"
    province.day.load(DAY, inbox, source="inbox", outputs=tmp_path / "none", cache=cache)
    calls = []
    from yonggong.province import day as province_day

    real = province.day.collect

    def counting(day, *args, **kwargs):
        calls.append(day)
        return real(day, *args, **kwargs)

    monkeypatch.setattr(province_day, "collect", counting)  # where load calls it
    province.day.load(DAY, inbox, source="inbox", outputs=tmp_path / "none", cache=cache)
    assert calls == [dt.date(2020, 3, 1)]  # 02-29 from the cache
    f = next(p for p in sorted((inbox / "province" / PREV.isoformat()).iterdir()) if p.suffix == ".xlsx")
    st = f.stat()
    os.utime(f, ns=(st.st_atime_ns, st.st_mtime_ns + 10**9))
    calls.clear()
    province.day.load(DAY, inbox, source="inbox", outputs=tmp_path / "none", cache=cache)
    assert calls == [dt.date(2020, 3, 1), PREV]  # 02-29 read again
