"""The benchmark's plumbing (no timing assertions) and the fast paths it relies on.

* ``bench.main(quick=True)`` runs every scenario it runs in quick mode and writes a JSON with
  medians and ratios for each;
* ``bigdata.generate_big`` writes what it promises, read back independently (openpyxl, csv)
  and checked with check-character code written here;
* the array checks in ``codes`` and the column-wise ``ingest._data_frame`` agree with their
  value-by-value definitions on messy values.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import random
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

from yonggong import codes, ingest
from yonggong.parse import normalise_header
from yonggong.reference import city_counties, resolve_city
from yonggong.synth import bench
from yonggong.synth.bigdata import HEADERS, cached_big, generate_big

ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def id_ok(value: str) -> bool:
    if len(value) != 18 or not value[:17].isdigit():
        return False
    return "10X98765432"[sum(int(c) * w for c, w in zip(value[:17], ID_WEIGHTS, strict=True)) % 11] == value[17]


def uscc_ok(value: str) -> bool:
    if len(value) != 18 or any(c not in USCC_CHARS for c in value):
        return False
    total = sum(USCC_CHARS.index(c) * (3**i % 31) for i, c in enumerate(value[:17]))
    return USCC_CHARS[(31 - total % 31) % 31] == value[17]


def xlsx_rows(path: Path) -> list[list]:
    wb = load_workbook(path, read_only=True)
    try:
        return [list(r) for r in wb.worksheets[0].iter_rows(values_only=True)]
    finally:
        wb.close()


def csv_rows(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.reader(fh))


def body(rows: list[list], header: list[str]) -> list[list]:
    at = next(i for i, r in enumerate(rows) if [c for c in r if c is not None][:2] == header[:2])
    assert rows[at][: len(header)] == header
    return rows[at + 1:]


def test_generate_big_writes_valid_codes_and_the_requested_rows(tmp_path):
    big = generate_big(tmp_path / "big", enterprises=12, vacancies=40, returning=300, seekers=120, seed=5,
                       bad_share=0.05)
    counties = {c.name for c in city_counties(resolve_city("南昌"))}
    a = body(xlsx_rows(big.path("A.xlsx")), HEADERS["A"])
    assert len(a) == 12 and all(uscc_ok(r[0]) for r in a)
    assert {r[2] for r in a} <= counties
    assert len({r[0] for r in a}) == 12
    assert len(body(xlsx_rows(big.path("B.xlsx")), HEADERS["B"])) == 12
    c = body(xlsx_rows(big.path("C.xlsx")), HEADERS["C"])
    assert len(c) == 40 and len({(r[0], r[2]) for r in c}) == 40
    b = body(xlsx_rows(big.path("B.xlsx")), HEADERS["B"])
    shortage = {r[0]: r[5] for r in b}
    for code in shortage:  # 缺工人数 of B is the sum of the enterprise's vacancy rows
        assert shortage[code] == sum(r[5] for r in c if r[0] == code)
    for table, n in (("F", 300), ("M", 120)):
        from_xlsx = body(xlsx_rows(big.path(f"{table}.xlsx")), HEADERS[table])
        from_csv = body(csv_rows(big.path(f"{table}.csv")), HEADERS[table])
        assert len(from_xlsx) == len(from_csv) == n == big.counts[table]
        ids = [r[2] for r in from_csv]
        assert len(set(ids)) == n
        bad = [i for i in ids if not id_ok(i)]
        assert 0 < len(bad) < n * 0.2  # the planted wrong check characters, and only those
        assert all(i[:17].isdigit() and len(i) == 18 for i in bad)
        for rx, rc in zip(from_xlsx, from_csv, strict=True):  # the same rows in both formats
            shown = [v.date().isoformat() if isinstance(v, dt.datetime) else v.isoformat() if isinstance(v, dt.date)
                     else "" if v is None else str(v) for v in rx]
            shown += [""] * (len(rc) - len(shown))  # a trailing empty cell is not stored in xlsx
            assert shown == rc
    m = body(csv_rows(big.path("M.csv")), HEADERS["M"])
    assert {r[4] for r in m} <= counties
    # both inbox roots hold the same A–E and their own F and M
    for root in (big.csv_inbox, big.xlsx_inbox):
        day = root / "南昌" / "2020-03-01"
        assert len(list(day.glob("*.xlsx"))) == (5 if root == big.csv_inbox else 7)


def test_generated_inputs_are_cached_by_parameters(tmp_path):
    first = cached_big(tmp_path, enterprises=5, vacancies=10, returning=20, seekers=10)
    again = cached_big(tmp_path, enterprises=5, vacancies=10, returning=20, seekers=10)
    other = cached_big(tmp_path, enterprises=5, vacancies=10, returning=21, seekers=10)
    assert not first.cached and again.cached and again.root == first.root
    assert other.root != first.root and not other.cached


@pytest.mark.long
def test_quick_bench_writes_every_scenario(tmp_path):
    results = bench.main(tmp_path, quick=True)
    saved = json.loads((tmp_path / "bench.json").read_text(encoding="utf-8"))
    assert saved["scenarios"].keys() == {"S1", "S2", "S3", "S4", "S5"} == results["scenarios"].keys()
    s1, s2, s3, s4, s5 = (saved["scenarios"][k] for k in ("S1", "S2", "S3", "S4", "S5"))
    assert s1["daily"]["median_s"] > 0 and s1["floor"]["median_s"] > 0 and s1["ratio"] > 0
    assert s2["rerun"]["median_s"] > 0 and s2["ratio"] > 0 and s2["all_up_to_date"]
    assert s3["skipped"] and "ratio" in s3
    assert s4["daily"]["median_s"] > 0 and s4["daily"]["peak_rss_mb"] > 0
    assert s4["reader"]["calamine"]["median_s"] > 0 and s4["reader"]["openpyxl"]["median_s"] > 0
    assert s4["ratio"] == s4["reader"]["speedup"] > 0
    assert s4["steps_s"].get("match", -1) >= 0, "the matching step's time is reported"
    assert s4["reader"]["calamine"]["runs"][0]["rows"] == s4["reader"]["openpyxl"]["runs"][0]["rows"]
    assert s5["days"] == 12 and s5["day_8_s"] > 0 and s5["last_day_s"] > 0
    assert s5["ratio"] == round(s5["last_day_s"] / s5["day_8_s"], 3)
    for s in (s1, s2, s4, s5):
        assert isinstance(s["met"], bool) and s["target"]
    assert saved["meta"]["quick"] and "floor" in saved["meta"]["definitions"]["S1"]


# --------------------------------------------------------------------------- fast paths


def _messy_ids(rng: random.Random) -> list:
    out = []
    for _ in range(3000):
        v = codes.make_idno("".join(rng.choice("0123456789") for _ in range(17)))
        r = rng.random()
        if r < 0.1:
            v = v[:-1] + rng.choice("0123456789Xx")
        elif r < 0.15:
            v = v.lower()
        elif r < 0.2:
            v = f" {v}"
        elif r < 0.25:
            v = v[:15]
        elif r < 0.3:
            v = v.replace("1", "１")
        elif r < 0.35:
            v = rng.choice([None, 1.5, 360102199001011230, True, "", "  ", "abc", "é" * 18])
        out.append(v)
    return out


def test_array_checks_agree_with_the_scalar_checks():
    rng = random.Random(11)
    ids = _messy_ids(rng)
    for i, (value, valid, old, changed) in enumerate(zip(*codes.check_idno_array(ids), strict=True)):
        res = codes.check_idno(ids[i])
        assert (value, valid, old, changed) == (res.value, res.valid, res.old_form, res.normalised), ids[i]
    usccs = []
    for _ in range(3000):
        v = codes.make_uscc("".join(rng.choice(USCC_CHARS) for _ in range(17)))
        r = rng.random()
        v = (v[:-1] + rng.choice(USCC_CHARS + "IOZ") if r < 0.1 else v.lower() if r < 0.15
             else v + " " if r < 0.2 else v[:12] if r < 0.25 else rng.choice([None, 7, "", "９１" + v[2:]])
             if r < 0.3 else v)
        usccs.append(v)
    for i, (value, valid, old, changed) in enumerate(zip(*codes.check_uscc_array(usccs), strict=True)):
        res = codes.check_uscc(usccs[i])
        assert (value, valid, old, changed) == (res.value, res.valid, res.old_form, res.normalised), usccs[i]
    firsts = ["".join(rng.choice("0123456789") for _ in range(17)) for _ in range(200)]
    assert codes.make_idno_array(firsts) == [codes.make_idno(p) for p in firsts]


def _records_frame(rows, header_idx, cols, file, sheet, mtime) -> pd.DataFrame:
    """What ``ingest._data_frame`` means, row by row (the definition the fast version keeps)."""
    markers = {normalise_header(m) for m in ("合计", "总计", "小计")}

    def blank(v):
        return v is None or (isinstance(v, str) and not v.strip()) or (isinstance(v, float) and v != v)

    records = []
    for i in range(max(header_idx) + 1, len(rows)):
        row = rows[i]
        values = {name: (row[j] if j < len(row) else None) for j, name in cols.items()}
        if all(blank(v) for v in values.values()):
            continue
        total = any(isinstance(v, str) and normalise_header(v) in markers for v in row)
        values.update(_file=file, _sheet=sheet, _row=i + 1, _mtime=mtime, _total=total)
        records.append(values)
    return pd.DataFrame.from_records(records, columns=list(cols.values()) + ingest.META_COLUMNS)


@pytest.mark.parametrize("prefilter", [False, True])
@pytest.mark.parametrize("text_only", [False, True])
def test_column_wise_frame_equals_the_records_frame(text_only, prefilter, monkeypatch):
    monkeypatch.setattr(ingest, "PREFILTER_ROWS", 0 if prefilter else 10**9)
    rng = random.Random(3 + text_only)
    mixed = [None, "", "  ", "\u3000", float("nan"), 0, 1, 2.5, True, "合计", "合 计", "⼩计", "总计（人）", "x", "甲",
             dt.date(2020, 1, 1), dt.datetime(2020, 1, 1, 5), "*合计*", "合计abc"]
    texts = ["", " ", "合计", "合 计", "x", "甲", "⼩计", "nan", "1", "2020-01-01"]
    pool = texts if text_only else mixed
    header = ["统一社会信用代码", "企业名称", "县区", "企业类别"]
    for _ in range(150):
        rows = [["标题"], header]
        for _ in range(rng.randint(0, 25)):
            width = 4 if text_only and rng.random() < 0.8 else rng.randint(0, 6)
            rows.append([rng.choice(pool) for _ in range(width)])
        cols = dict(enumerate(header)) if rng.random() < 0.7 else {1: "企业名称", 5: "县区"}
        args = (rows, (1,), cols, "f.xlsx", "S", dt.datetime(2020, 2, 24, 9, 30))
        pd.testing.assert_frame_equal(ingest._data_frame(*args), _records_frame(*args))
