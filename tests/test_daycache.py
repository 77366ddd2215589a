"""The day cache (yonggong.daycache): the same products with and without it, and an entry is used
only while the folder, code and params it was made from are unchanged."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from builders import A_HEADER, B_HEADER, D_HEADER, ledger_rows, list_rows, uscc, write_day_csv

from yonggong import daycache, match, paths, pipeline, products
from yonggong.memo import Memo
from yonggong.reference import resolve_city

CITY = "南昌"
WEEK = [dt.date(2020, 2, 23) + dt.timedelta(days=i) for i in range(8)]


def _products(cd, out: Path) -> dict[str, bytes]:
    products.write_all(cd, out, acts=match.city_day(cd))
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*"))
            if p.is_file() and daycache.CACHE not in p.relative_to(out).parts}


def test_products_of_the_sample_week_are_identical_with_and_without_the_cache(tmp_path):
    """Each day of the week as an analyst runs it, one after another, each reading the entries
    the earlier days wrote (a fresh process each: the in-process memo is cleared), against every
    folder cleaned again; every product compared byte for byte."""
    cache = tmp_path / "cache-root"
    for day in WEEK:
        pipeline.clear_memo()
        with_cache = pipeline.load(paths.SAMPLE_INBOX, CITY, day, cache=cache)
        pipeline.clear_memo()
        without = pipeline.load(paths.SAMPLE_INBOX, CITY, day)
        a = _products(with_cache, tmp_path / "with" / day.isoformat())
        b = _products(without, tmp_path / "without" / day.isoformat())
        assert sorted(a) == sorted(b)
        different = [name for name in a if a[name] != b[name]]
        assert not different, f"{day}: {different}"
    public, restricted = daycache.cache_dirs(cache, resolve_city(CITY))
    entries = sorted(p.name.split(".")[0] for p in public.glob("*.json"))
    assert entries == [d.isoformat() for d in WEEK]  # every folder of the week has its entry
    # tables with personal data (F, M) only under restricted/
    assert {p.name.split(".")[2] for p in restricted.glob("*.parquet")} <= {"F", "M"}
    assert {p.name.split(".")[2] for p in restricted.glob("*.parquet")}
    assert not {p.name.split(".")[2] for p in public.glob("*.parquet")} & {"F", "M"}


# ---------------------------------------------------------------- a small inbox built here


def _inbox(root: Path) -> tuple[str, str]:
    a, b = uscc(1), uscc(2)  # enterprises 1 and 2 of list_rows
    lst = [A_HEADER, *list_rows(2)]
    write_day_csv(root, CITY, "2020-02-23", {"A": lst, "B": [B_HEADER, *ledger_rows(2, "2020-02-23", shortage=5)],
                                             "D": [D_HEADER, ["2020-02-23", a, "本地招聘", 3]]})
    write_day_csv(root, CITY, "2020-02-24", {"B": [B_HEADER, *ledger_rows(2, "2020-02-24", shortage=4)],
                                             "D": [D_HEADER, ["2020-02-24", b, "本地招聘", 2]]})
    return a, b


def _entry_files(cache: Path, day: str, kind: str = "") -> list[Path]:
    public, restricted = daycache.cache_dirs(cache, resolve_city(CITY), kind)
    return sorted([*public.glob(f"{day}.*"), *restricted.glob(f"{day}.*")])


def _cumulative(cd) -> float:
    return float(cd.figures.loc["合计", "累计解决用工"])


def test_an_edited_earlier_file_invalidates_its_entry(tmp_path):
    inbox, cache = tmp_path / "inbox", tmp_path / "out"
    _inbox(inbox)
    pipeline.clear_memo()
    assert _cumulative(pipeline.load(inbox, CITY, "2020-02-24", cache=cache)) == 5  # 3 + 2
    old = _entry_files(cache, "2020-02-23")
    assert old
    # the analyst corrects 02-23's table D (3 → 7), same file name
    d_file = inbox / CITY / "2020-02-23" / "D.csv"
    text = d_file.read_text(encoding="utf-8")
    assert "本地招聘,3" in text
    d_file.write_text(text.replace("本地招聘,3", "本地招聘,7"), encoding="utf-8")
    pipeline.clear_memo()
    assert _cumulative(pipeline.load(inbox, CITY, "2020-02-24", cache=cache)) == 9  # 7 + 2
    new = _entry_files(cache, "2020-02-23")
    assert new and not set(new) & set(old)  # the stale entry is gone, a new one written


def test_without_a_cache_the_trend_follows_an_edited_earlier_folder_in_the_same_process(tmp_path):
    """The figures of earlier days kept in the process for the 近7日趋势 are those of the folders
    as they are now: an edit of 02-23 shows in 02-24's trend without a new process."""
    inbox = tmp_path / "inbox"
    _inbox(inbox)
    pipeline.clear_memo()
    d23 = dt.date(2020, 2, 23)
    assert pipeline.load(inbox, CITY, "2020-02-24").trend.loc[d23, "累计解决用工"] == 3
    d_file = inbox / CITY / "2020-02-23" / "D.csv"
    d_file.write_text(d_file.read_text(encoding="utf-8").replace("本地招聘,3", "本地招聘,7"), encoding="utf-8")
    os.utime(d_file, ns=(d_file.stat().st_atime_ns, d_file.stat().st_mtime_ns + 1_000_000_000))
    again = pipeline.load(inbox, CITY, "2020-02-24")
    assert again.trend.loc[d23, "累计解决用工"] == 7  # by hand: 7 on 02-23
    assert _cumulative(again) == 9  # 7 + 2


def test_without_a_cache_an_earlier_day_s_figures_are_computed_once_per_process(tmp_path, monkeypatch):
    inbox = tmp_path / "inbox"
    _inbox(inbox)
    pipeline.clear_memo()
    calls = []
    compute = pipeline.fig.compute
    monkeypatch.setattr(pipeline.fig, "compute", lambda tables: calls.append(tables.day) or compute(tables))
    first = pipeline.load(inbox, CITY, "2020-02-24")
    assert sorted(calls) == [dt.date(2020, 2, 23), dt.date(2020, 2, 24)]
    calls.clear()
    second = pipeline.load(inbox, CITY, "2020-02-24")
    assert calls == [dt.date(2020, 2, 24)]  # 02-23's figures kept from the first load
    pd.testing.assert_frame_equal(first.trend, second.trend)
    # day after day: a day's own figures are those of its trend row on the days after it
    pipeline.clear_memo()
    calls.clear()
    d23 = pipeline.load(inbox, CITY, "2020-02-23")
    d24 = pipeline.load(inbox, CITY, "2020-02-24")
    assert calls == [dt.date(2020, 2, 23), dt.date(2020, 2, 24)]
    pd.testing.assert_frame_equal(d24.trend, second.trend)
    assert d24.trend.loc[dt.date(2020, 2, 23), "累计解决用工"] == d23.figures.loc["合计", "累计解决用工"] == 3


def test_without_a_cache_each_folder_is_cleaned_once_per_process(tmp_path, monkeypatch):
    """Day after day in one process (a week in one kernel): an earlier folder is not cleaned
    again, and the history before a day is built once. The day's own folder is always cleaned:
    its faults are the day's report."""
    inbox = tmp_path / "inbox"
    _inbox(inbox)
    pipeline.clear_memo()
    cleaned = []
    clean_all = pipeline._clean_all
    monkeypatch.setattr(pipeline, "_clean_all", lambda box, city, day, log: cleaned.append(day) or clean_all(
        box, city, day, log))
    pipeline.load(inbox, CITY, "2020-02-23")
    first = pipeline.gather(inbox, CITY, "2020-02-24")
    again = pipeline.gather(inbox, CITY, "2020-02-24")
    assert cleaned == [dt.date(2020, 2, 23), dt.date(2020, 2, 24), dt.date(2020, 2, 24)]
    assert again.earlier is first.earlier


def test_without_a_cache_a_history_is_built_on_the_longest_one_kept(tmp_path, monkeypatch):
    """02-25 after 02-24 appends only 02-24 to the history of 02-23 kept by the run of 02-24; with
    room for one history, the one of 02-23 is gone and 02-24 again appends 02-23 from nothing."""
    inbox = tmp_path / "inbox"
    _inbox(inbox)
    write_day_csv(inbox, CITY, "2020-02-25", {"B": [B_HEADER, *ledger_rows(2, "2020-02-25", shortage=3)]})
    pipeline.clear_memo()
    monkeypatch.setattr(pipeline, "_EARLIER_HISTORY", Memo(1))
    appended = []
    append = pipeline.History.append
    monkeypatch.setattr(pipeline.History, "append", lambda h, day, t: appended.append(day) or append(h, day, t))
    pipeline.gather(inbox, CITY, "2020-02-24")
    assert appended == [dt.date(2020, 2, 23)]
    appended.clear()
    assert pipeline.gather(inbox, CITY, "2020-02-25").earlier.days == [dt.date(2020, 2, 23), dt.date(2020, 2, 24)]
    assert appended == [dt.date(2020, 2, 24)]
    appended.clear()
    pipeline.gather(inbox, CITY, "2020-02-24")
    assert appended == [dt.date(2020, 2, 23)]


@pytest.mark.parametrize("kind", ["", daycache.STATE])
def test_a_corrupt_or_foreign_entry_is_ignored_and_rebuilt(tmp_path, kind):
    """A damaged entry of 02-23 (its folder's clean tables, or the history up to it) is not used:
    02-24 gives the figures of a run without the cache, and the entry is written again. (The
    folder's entry is read only when the history up to 02-23 is not in the cache.)"""
    inbox, cache = tmp_path / "inbox", tmp_path / "out"
    _inbox(inbox)
    city, d23 = resolve_city(CITY), dt.date(2020, 2, 23)
    pipeline.clear_memo()
    ref = pipeline.load(inbox, CITY, "2020-02-24")
    for damage in ("truncate", "json", "swap"):
        pipeline.clear_memo()
        pipeline.load(inbox, CITY, "2020-02-24", cache=cache)
        k = daycache.key(inbox / CITY / "2020-02-23", city, d23)
        # the other entry of 02-23 gone, so that 02-24 needs the damaged one
        for p in _entry_files(cache, "2020-02-23", daycache.STATE if not kind else ""):
            p.unlink()
        if kind:
            k = daycache.chain_key({d23: k}, d23)
        files = _entry_files(cache, "2020-02-23", kind)
        parquet = [p for p in files if p.suffix == ".parquet"]
        meta = next(p for p in files if p.suffix == ".json")
        if damage == "truncate":
            parquet[0].write_bytes(parquet[0].read_bytes()[:40])
        elif damage == "json":
            meta.write_text("{not json", encoding="utf-8")
        else:  # a valid parquet file of another table in place of this one: the hash tells
            assert len(parquet) > 1
            parquet[0].write_bytes(parquet[-1].read_bytes())
        assert daycache.read(cache, city, d23, k, kind=kind) is None, damage
        pipeline.clear_memo()
        got = pipeline.load(inbox, CITY, "2020-02-24", cache=cache)
        pd.testing.assert_frame_equal(got.figures, ref.figures)
        assert daycache.read(cache, city, d23, k, kind=kind) is not None, damage  # rebuilt


def test_a_day_reads_the_history_of_the_day_before_not_every_folder(tmp_path, monkeypatch):
    """With the history up to 02-23 in the cache, 02-24 reads no earlier folder (neither its
    files nor its entry); its own history is written for 02-25."""
    inbox, cache = tmp_path / "inbox", tmp_path / "out"
    _inbox(inbox)
    pipeline.clear_memo()
    pipeline.load(inbox, CITY, "2020-02-23", cache=cache)
    assert _entry_files(cache, "2020-02-23", daycache.STATE)
    pipeline.clear_memo()

    def not_called(*args, **kwargs):
        raise AssertionError("an earlier folder was read again")

    monkeypatch.setattr(pipeline, "_clean_earlier", not_called)
    assert _cumulative(pipeline.load(inbox, CITY, "2020-02-24", cache=cache)) == 5
    state = daycache.read(cache, resolve_city(CITY), dt.date(2020, 2, 24),
                          daycache.chain_key({dt.date(2020, 2, 23): daycache.key(inbox / CITY / "2020-02-23",
                                                                                   resolve_city(CITY),
                                                                                   dt.date(2020, 2, 23)),
                                              dt.date(2020, 2, 24): daycache.key(inbox / CITY / "2020-02-24",
                                                                                   resolve_city(CITY),
                                                                                   dt.date(2020, 2, 24))},
                                             dt.date(2020, 2, 24)), kind=daycache.STATE)
    assert state is not None
    h = pipeline.History.from_state(state.tables)
    assert h.days == [dt.date(2020, 2, 23), dt.date(2020, 2, 24)]
    assert list(h.rows("D")["人数"]) == [3, 2]  # by hand: 3 on 02-23, 2 on 02-24
    assert set(h.lists) == {dt.date(2020, 2, 23)}


def test_the_key_follows_the_files_code_and_params(tmp_path, monkeypatch):
    inbox = tmp_path / "inbox"
    _inbox(inbox)
    city, day = resolve_city(CITY), dt.date(2020, 2, 23)
    folder = inbox / CITY / "2020-02-23"
    k = daycache.key(folder, city, day)
    assert daycache.key(folder, city, day) == k
    assert daycache.key(folder, city, dt.date(2020, 2, 24)) != k
    f = sorted(folder.iterdir())[0]
    st = f.stat()
    os.utime(f, ns=(st.st_atime_ns, st.st_mtime_ns + 10**9))  # touched: the newest file wins conflicts
    k2 = daycache.key(folder, city, day)
    assert k2 != k
    data = f.read_bytes()
    f.write_bytes(data.replace(b"3", b"4", 1))
    os.utime(f, ns=(st.st_atime_ns, st.st_mtime_ns + 10**9))  # same size and time, other content
    assert daycache.key(folder, city, day) != k2
    monkeypatch.setattr(daycache, "_environment", lambda: "another code or params")
    assert daycache.key(folder, city, day) not in (k, k2)


def test_a_table_parquet_cannot_hold_exactly_is_not_cached(tmp_path):
    city, day = resolve_city(CITY), dt.date(2020, 2, 23)
    odd = pd.DataFrame({"x": pd.Series([1, "a", None], dtype=object)})  # int and text in one column
    faults = pd.DataFrame({"problem": ["p"]})
    assert not daycache.write(tmp_path, city, day, "k" * 32, daycache.Entry({"B": odd}, faults))
    assert not list(tmp_path.rglob("*.json"))
    good = pd.DataFrame({"x": pd.Series(["a", None, "b"], dtype=object),
                         "d": pd.Series([dt.date(2020, 2, 1), None, dt.date(2020, 2, 3)], dtype=object),
                         "t": pd.Series([("甲", "乙"), None, ("丙",)], dtype=object),
                         "n": pd.array([1, None, 3], dtype="Int64")})
    assert daycache.write(tmp_path, city, day, "k" * 32, daycache.Entry({"B": good}, faults))
    back = daycache.read(tmp_path, city, day, "k" * 32)
    assert back is not None and daycache.identical(back.tables["B"], good)
    assert back.tables["B"]["x"].tolist()[1] is None and back.tables["B"]["t"].tolist()[2] == ("丙",)


@pytest.mark.parametrize("a, b, same", [
    (pd.DataFrame({"x": ["a", None]}, dtype=object), pd.DataFrame({"x": ["a", float("nan")]}, dtype=object), False),
    (pd.DataFrame({"x": [(1,)]}, dtype=object), pd.DataFrame({"x": [[1]]}, dtype=object), False),
    (pd.DataFrame({"x": [1, 2]}), pd.DataFrame({"x": [1.0, 2.0]}), False),
    (pd.DataFrame({"x": [1, 2]}), pd.DataFrame({"x": [1, 2]}, index=[1, 2]), False),
    (pd.DataFrame({"x": [1, 2]}), pd.DataFrame({"y": [1, 2]}), False),
    (pd.DataFrame({"x": ["a", None]}, dtype=object), pd.DataFrame({"x": ["a", None]}, dtype=object), True),
])
def test_identical_is_strict(a, b, same):
    assert daycache.identical(a, b) is same


@pytest.mark.parametrize("cells, null, kind", [
    (["a", "b"], "", "str"),
    (["a", None], "None", "str"),
    ([1.5, float("nan")], "nan", "float"),
    ([np.float64(2.5), np.float64("nan")], "nan", "float64"),
    ([pd.NaT, dt.date(2020, 1, 1)], "NaT", "date"),
    ([pd.NA, 3], "NA", "int"),
    ([("甲",), None, ("乙", "丙")], "None", "tuple"),
    (["a", 1], "", ""),
    ([float("nan"), float("nan")], "nan", ""),
])
def test_object_columns_name_the_kind_of_missing_and_other_cells(cells, null, kind):
    df = pd.DataFrame({"x": pd.Series(cells, dtype=object)})
    assert daycache._object_columns(df) == {"x": {"null": null, "kind": kind}}


@pytest.mark.parametrize("cells", [[None, float("nan")], ["a", pd.NaT, None], [np.float64("nan"), pd.NA]])
def test_two_kinds_of_missing_in_one_column_are_refused(cells):
    with pytest.raises(ValueError, match="mixed missing"):
        daycache._object_columns(pd.DataFrame({"x": pd.Series(cells, dtype=object)}))


@pytest.mark.parametrize("cells", [[1, None], [1.5, 2]])
def test_a_column_that_reads_back_changed_is_not_cached(cells):
    # whole numbers with a gap come back as floats, and an int among floats as a float: the
    # entry would not be what was cleaned, so it is not written
    faults = pd.DataFrame({"problem": ["p"]})
    entry = daycache.Entry({"B": pd.DataFrame({"n": ["a", "b"], "x": pd.Series(cells, dtype=object)})}, faults)
    assert daycache.encode(dt.date(2020, 2, 23), "k" * 32, entry) is None
    same = daycache.Entry({"B": pd.DataFrame({"n": ["a", "b"], "x": pd.Series(["1", None], dtype=object)})}, faults)
    assert daycache.encode(dt.date(2020, 2, 23), "k" * 32, same) is not None


@pytest.mark.parametrize("whole_rows", [10**6, 0])  # one restore of the frame / column by column (text in Arrow)
def test_the_read_back_check_sees_a_changed_text_cell(whole_rows, monkeypatch):
    monkeypatch.setattr(daycache, "_WHOLE_ROWS", whole_rows)
    df = pd.DataFrame({"姓名": pd.Series(["张三", None, "李四", ""], dtype=object),
                       "备注": pd.Series(["a", "b", float("nan"), "d"], dtype=object), "n": [1, 2, 3, 4]})
    objects = daycache._object_columns(df)
    data = daycache._to_parquet(df)
    assert daycache._reads_back(data, objects, df)
    for column, row, value in [("姓名", 0, "张四"), ("姓名", 1, "王五"), ("姓名", 3, None), ("备注", 2, "c"),
                               ("n", 0, 5)]:
        changed = df.copy()
        changed.loc[row, column] = value
        assert not daycache._reads_back(data, objects, changed), (column, row, value)


def test_a_table_of_a_signature_already_read_back_is_not_read_back_again(monkeypatch):
    """The read-back check runs once per signature (index, columns, dtypes, kinds of object cells)
    in a process; a table with mixed object cells, or of another signature, is checked each time."""
    monkeypatch.setattr(daycache, "_READ_BACK", set())
    checked = []
    reads_back = daycache._reads_back
    monkeypatch.setattr(daycache, "_reads_back", lambda data, objects, df: checked.append(list(df.columns)) or
                        reads_back(data, objects, df))
    faults = pd.DataFrame({"problem": ["p"]})

    def entry(names, counts):
        return daycache.Entry({"B": pd.DataFrame({"n": pd.Series(names, dtype=object), "x": counts})}, faults)

    day = dt.date(2020, 2, 23)
    assert daycache.encode(day, "k" * 32, entry(["a", "b"], [1, 2])) is not None
    assert checked == [["n", "x"], ["problem"]]
    checked.clear()
    enc = daycache.encode(day, "k" * 32, entry(["丙", "丁", "戊"], [3, 4, 5]))  # same signature
    assert checked == []
    back = daycache._from_parquet(enc.blobs["B"], enc.files["B"]["objects"])
    assert daycache.identical(back, entry(["丙", "丁", "戊"], [3, 4, 5]).tables["B"])
    assert daycache.encode(day, "k" * 32, entry(["丙", None], [3, 4])) is not None  # blanks: another kind
    assert checked == [["n", "x"]]
    checked.clear()
    for _ in range(2):  # mixed cells: the values decide, checked every time
        assert daycache.encode(day, "k" * 32, entry([1.5, 2], [3, 4])) is None  # the int comes back a float
    assert checked == [["n", "x"], ["n", "x"]]


def test_the_signature_is_the_types_and_none_where_values_decide():
    def sig(**columns):
        df = pd.DataFrame(columns)
        return daycache._signature(df, daycache._object_columns(df))

    text = pd.Series(["a", "b"], dtype=object)
    assert sig(n=text, x=[1, 2]) == sig(n=pd.Series(["丙", "丁"], dtype=object), x=[7, 8])  # values apart
    assert sig(n=text, x=[1, 2]) != sig(n=text, x=[1.0, 2.0])  # dtype
    assert sig(n=text, x=[1, 2]) != sig(n=pd.Series(["a", None], dtype=object), x=[1, 2])  # kind of blank
    assert sig(c=pd.Categorical(["a"])) != sig(c=pd.Categorical([1]))  # the categories' dtype
    assert sig(n=pd.Series(["a", 1.5], dtype=object)) is None  # mixed cells
    assert sig(t=pd.Series([dt.datetime(2020, 2, 23, 9)], dtype=object)) is None  # a time zone per cell
