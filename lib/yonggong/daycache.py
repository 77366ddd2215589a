"""Clean tables of each day folder, kept on disk so that a day's run does not re-clean the past.

A city day needs every earlier folder of the campaign (the list in force, carried ledger rows,
cumulative placements, help requests merged by 编号). Reading and cleaning all of them again on
every run made day 90 cost many times day 8. Each folder's clean tables (and its masked faults)
are therefore written once, as parquet, and read back by later runs:

    <outputs>/cache/<city>/<day>.<key>.json            the entry: key, tables, file hashes
    <outputs>/cache/<city>/<day>.<key>.<T>.parquet      a table without personal data
    <outputs>/restricted/cache/<city>/<day>.<key>.<T>.parquet   a table with personal data (F, M)
    <outputs>/cache/<city>/figures/<day>.<chain key>.…         the figures of an earlier day
    <outputs>/cache/<city>/history/<day>.<chain key>.…         the history up to a day
    <outputs>/cache/省/…                                       the province's (``province``)

The figures of earlier days (the 近7日趋势 of each run) and the *history* up to each day (every
table's rows of all the folders up to it in one frame, ``pipeline.History``) are kept the same
way under the *chain key* of the day: the keys of every day folder up to it (:func:`chain_key`),
since they depend on all of them. A run of day D reads the history of the day before and its own
folder, so day 90 reads as many entries as day 8. The province keeps the table L of each of its
day folders and the accepted 合计 rows of each day the same way, under the owner 省.

The key is a sha256 of everything the clean tables depend on: every spreadsheet file of the
folder (name, size, modification time and content), the yonggong sources, every file under
params/ (aliases, vocabularies, settings), the pandas and pyarrow versions, the city and the day.
Any change to any of them gives another key, so a stale entry is never found.

An entry is never trusted blindly: it is used only when its JSON parses, names this key, and
every parquet file it lists is there with the sha256 it recorded; otherwise the folder is
cleaned again and the entry rewritten. An entry is written only after the tables read back from
it are identical to the cleaned ones (values, dtypes, None versus NaN, Python types of text and
date cells); a table that parquet cannot hold exactly is not cached (the folder is cleaned each
time instead). Files are written under temporary names and renamed, the JSON last, so a reader
never sees half an entry. The cache only saves time: a run without it (``cache_root=None``)
gives identical products (tests/test_daycache.py).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import operator
import os
import uuid
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

from . import paths
from .ingest import day_files
from .reference import City, params_files, table_specs

FORMAT = 1  # bump when the layout of an entry changes
CACHE = "cache"
RESTRICTED = paths.RESTRICTED


@dataclass
class Entry:
    """The clean tables of one day folder and the (masked) faults found while cleaning it."""

    tables: dict[str, pd.DataFrame]
    faults: pd.DataFrame


FIGURES = "figures"  # subfolder of a city's cache: earlier days' figures (the 近7日趋势)
STATE = "history"  # subfolder of a city's cache: the history of the folders up to each day


def _owner(city: City | str) -> str:
    """The name a cache is kept under: the city's short name, or a name given as text (省)."""
    return city if isinstance(city, str) else city.name


def cache_dirs(out_root: Path, city: City | str, kind: str = "") -> tuple[Path, Path]:
    """(folder of the entries and tables without personal data, folder of tables with); ``kind``
    a subfolder (FIGURES, STATE …) or "" for the day folders' clean tables."""
    out_root = Path(out_root)
    public, restricted = out_root / CACHE / _owner(city), out_root / RESTRICTED / CACHE / _owner(city)
    return (public / kind, restricted / kind) if kind else (public, restricted)


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@lru_cache(maxsize=1)
def _environment() -> str:
    """The code, params and library versions every entry depends on (once per process): the
    same code hash and params files as the up-to-date check of ``run``."""
    from .manifest import code_hash, sha256_file

    params = [(p.relative_to(paths.PARAMS_DIR).as_posix(), sha256_file(p)) for p in params_files()]
    text = f"format {FORMAT} pandas {pd.__version__} pyarrow {_pyarrow_version()}\n{code_hash()}\n{params}"
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _pyarrow_version() -> str:
    import pyarrow

    return pyarrow.__version__


def key(folder: Path, city: City | str, day: dt.date) -> str:
    """The cache key of a day folder (see the module docstring)."""
    from .manifest import sha256_file

    h = hashlib.sha256()
    h.update(f"{_environment()}\n{_owner(city)}\n{day.isoformat()}\n".encode())
    for p in day_files(folder):
        st = p.stat()
        h.update(f"{p.name}\0{st.st_size}\0{st.st_mtime_ns}\0".encode())
        h.update(sha256_file(p).encode())
    return h.hexdigest()[:32]


def chain_key(keys: dict[dt.date, str], day: dt.date) -> str:
    """The key of everything up to ``day``: the keys of every day folder on or before it."""
    text = "\n".join(f"{d.isoformat()} {k}" for d, k in sorted(keys.items()) if d <= day)
    return hashlib.sha256(text.encode()).hexdigest()[:32]


# ---------------------------------------------------------------------------------------------
# exact round trip of a frame through parquet


_NULLS = ("None", "nan", "NaT", "NA")
_MISSING = {"None": None, "nan": float("nan"), "NaT": pd.NaT, "NA": pd.NA}


_SINGLETONS = {type(None): "None", type(pd.NaT): "NaT", type(pd.NA): "NA"}


def _kinds(values: np.ndarray) -> set[str]:
    """The kinds of the cells of ``values`` (an object array): "None", "nan", "NaT", "NA" for the
    missing ones, else the type's name ("str", "date", "tuple" …). Computed by type rather than
    by a Python call per cell (a province-scale table has millions of cells): a cell's kind
    follows from its type, except that a float may be NaN."""
    types = list(map(type, values))
    kinds = set()
    for t in set(types):
        if issubclass(t, float):
            of_t = np.fromiter((u is t for u in types), dtype=bool, count=len(types))
            nan = np.isnan(values[of_t].astype(float))
            if nan.any():
                kinds.add("nan")
            if not nan.all():
                kinds.add(t.__name__)
        else:
            kinds.add(_SINGLETONS.get(t, t.__name__))
    return kinds


def _object_columns(df: pd.DataFrame) -> dict[str, dict[str, str]]:
    """For each object column: the kind of its missing cells (None, nan …; "" if none) and of
    its other cells when they are all of one kind (tuple, datetime …; "" otherwise)."""
    out = {}
    for c in df.columns:
        if df[c].dtype == object:
            kinds = _kinds(df[c].to_numpy())
            nulls = kinds.intersection(_NULLS)
            if len(nulls) > 1:
                raise ValueError(f"mixed missing values in {c}")
            values = kinds - nulls
            out[c] = {"null": nulls.pop() if nulls else "", "kind": values.pop() if len(values) == 1 else ""}
    return out


def _restore(df: pd.DataFrame, objects: dict[str, dict[str, str]]) -> pd.DataFrame:
    """Object columns back as object, with their cells of the kind they were."""
    for c, info in objects.items():
        null, kind = info["null"], info["kind"]
        if kind == "tuple":
            cells = [None if v is None else tuple(v.tolist()) for v in df[c]]
            df[c] = pd.Series(cells, index=df.index, dtype=object)
            continue
        values = df[c].to_numpy(dtype=object, na_value=None, copy=True) if kind != "datetime" else \
            pd.Series(df[c].dt.to_pydatetime(), index=df.index, dtype=object).to_numpy(copy=True)
        missing = pd.isna(values)
        if missing.any():
            values[missing] = _MISSING[null] if null else None
        df[c] = pd.Series(values, index=df.index, dtype=object)
    return df


def identical(a: pd.DataFrame, b: pd.DataFrame) -> bool:
    """Same columns, index, dtypes and cells (None ≠ NaN; the Python type of each object cell)."""
    if list(a.columns) != list(b.columns) or not a.index.equals(b.index) or type(a.index) is not type(b.index):
        return False
    for c in a.columns:
        x, y = a[c], b[c]
        if x.dtype != y.dtype:
            return False
        if x.dtype == object:
            if not _same_cells(x.to_numpy(), y.to_numpy()):
                return False
        elif not x.equals(y):
            return False
    return True


def _same_cells(xs: np.ndarray, ys: np.ndarray) -> bool:
    """Cell by cell: the same Python type, missing in the same places, equal where not missing
    (NaN and None are of different types, so never the same)."""
    if len(xs) != len(ys) or list(map(type, xs)) != list(map(type, ys)):
        return False
    missing = pd.isna(xs)
    if not np.array_equal(missing, pd.isna(ys)):
        return False
    return all(map(operator.eq, xs[~missing], ys[~missing]))


def _to_parquet(df: pd.DataFrame) -> bytes:
    buf = io.BytesIO()
    df.to_parquet(buf, engine="pyarrow", compression="zstd")
    return buf.getvalue()


def _from_parquet(data: bytes, objects: dict[str, dict[str, str]]) -> pd.DataFrame:
    return _restore(pd.read_parquet(io.BytesIO(data), engine="pyarrow"), objects)


_WHOLE_ROWS = 20_000


def _reads_back(data: bytes, objects: dict[str, dict[str, str]], df: pd.DataFrame) -> bool:
    """Whether ``data`` reads back (:func:`_from_parquet`) :func:`identical` to ``df``, one
    column restored at a time: a million rows of Python strings cost 0.2 GB a column."""
    back = pd.read_parquet(io.BytesIO(data), engine="pyarrow")
    if list(back.columns) != list(df.columns) or not identical(back[[]], df[[]]):  # the index
        return False
    if len(df) <= _WHOLE_ROWS:  # a city's table: one restore, without a frame per column
        return identical(_restore(back, objects), df)
    return all(_same_text(back[c], df[c]) if objects.get(c, {}).get("kind") == "str" else
               identical(_restore(back[[c]], {c: objects[c]} if c in objects else {}), df[[c]]) for c in df.columns)


def _same_text(back: pd.Series, column: pd.Series) -> bool:
    """A column of text cells (kind "str": every cell a str or missing, missing all of one kind,
    which :func:`_restore` puts back) compared in Arrow: the same strings, missing in the same
    places. A million names cost 0.05 s here against 0.3 s restored and compared cell by cell."""
    ours = pa.array(column.to_numpy(dtype=object), type=pa.large_string(), from_pandas=True)
    theirs = pa.array(back.array if hasattr(back.array, "__arrow_array__") else back.to_numpy(dtype=object),
                      from_pandas=True)
    return theirs.cast(pa.large_string()).equals(ours)


# ---------------------------------------------------------------------------------------------
# entries


def _write_atomic(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def read(out_root: Path, city: City | str, day: dt.date, k: str, kind: str = "") -> Entry | None:
    """The cached entry of the day folder of ``day`` under key ``k`` (:func:`key`), or None when
    there is no usable one; ``kind`` as in :func:`cache_dirs`."""
    public, restricted = cache_dirs(out_root, city, kind)
    try:
        meta = json.loads((public / f"{day.isoformat()}.{k}.json").read_text(encoding="utf-8"))
        if meta.get("key") != k or meta.get("format") != FORMAT:
            return None
        frames = {}
        for name, info in meta["files"].items():
            where = restricted if info["restricted"] else public
            data = (where / info["file"]).read_bytes()
            if _sha256(data) != info["sha256"]:
                return None
            frames[name] = _from_parquet(data, info["objects"])
    except Exception:  # noqa: BLE001 — missing, truncated or foreign files of any kind: clean again
        return None
    faults = frames.pop("faults", None)
    if faults is None:
        return None
    return Entry(frames, faults)


def has(out_root: Path, city: City | str, day: dt.date, k: str, kind: str = "") -> bool:
    """Whether an entry of ``day`` under key ``k`` has been written (not whether it is sound)."""
    return (cache_dirs(out_root, city, kind)[0] / f"{day.isoformat()}.{k}.json").is_file()


@dataclass
class Encoded:
    """An entry turned into the bytes of its files (see :func:`encode`), ready to be written."""

    day: dt.date
    key: str
    kind: str
    files: dict  # table → {file, restricted, sha256, objects}
    blobs: dict  # table → parquet bytes


# Kinds of object cells whose round trip depends on the column's kind alone, not on the values
# (not "datetime": a time zone per cell; not "": mixed kinds).
_KINDS_BY_TYPE = {"str", "int", "float", "bool", "date", "tuple"}
# the signatures (:func:`_signature`) of tables that read back identical in this process
_READ_BACK: set = set()


def _signature(df: pd.DataFrame, objects: dict[str, dict[str, str]]) -> tuple | None:
    """What decides whether a table reads back identical: its index, column names and dtypes and
    the kinds of its object columns; None when values decide too (an object column of mixed or
    time-zoned cells)."""
    if any(info["kind"] not in _KINDS_BY_TYPE for info in objects.values()):
        return None

    def dtype(t) -> tuple:
        if isinstance(t, pd.CategoricalDtype):
            return "category", str(t.categories.dtype), t.ordered
        return (str(t),)

    return (type(df.index).__name__, str(df.index.dtype), df.index.name,
            tuple((c, *dtype(t)) for c, t in df.dtypes.items()), tuple(sorted(
                (c, i["null"], i["kind"]) for c, i in objects.items())))


def encode(day: dt.date, k: str, entry: Entry, kind: str = "") -> Encoded | None:
    """The entry as parquet bytes, each table checked to read back identical; None when one does
    not (then the entry is not cached). A table of the signature of one that read back identical
    in this process is not read back again: its round trip is decided by its types (the tables of
    a city's every folder share a few signatures, and the read-back check was half a cold run's
    cache cost)."""
    personal = {code for code, spec in table_specs().items() if spec.personal}
    stem = f"{day.isoformat()}.{k}"
    files, blobs = {}, {}
    try:
        for name, df in {**entry.tables, "faults": entry.faults}.items():
            objects = _object_columns(df)
            data = _to_parquet(df)
            sig = _signature(df, objects)
            if sig not in _READ_BACK:  # None (values decide) never is
                if not _reads_back(data, objects, df):
                    return None
                if sig is not None:
                    _READ_BACK.add(sig)
            files[name] = {"file": f"{stem}.{name}.parquet", "restricted": name in personal,
                           "sha256": _sha256(data), "objects": objects}
            blobs[name] = data
    except Exception:  # noqa: BLE001 — a table parquet cannot hold: not cached
        return None
    return Encoded(day, k, kind, files, blobs)


def write(out_root: Path, city: City | str, day: dt.date, k: str, entry: Entry | Encoded | None, force: bool = True,
          kind: str = "") -> bool:
    """Write the entry of the day folder of ``day`` under key ``k`` (an :class:`Entry`, or one
    already encoded); older entries of the day are removed. Without ``force`` an entry whose JSON
    is already there is left as it is. False (and nothing written) when a table does not survive
    the round trip exactly or the cache folder cannot be written: the cache only saves time, a
    failure to write it is not the run's."""
    public, restricted = cache_dirs(out_root, city, kind)
    stem = f"{day.isoformat()}.{k}"
    if not force and has(out_root, city, day, k, kind):
        return True
    enc = encode(day, k, entry, kind) if isinstance(entry, Entry) else entry
    if enc is None:
        return False
    try:
        for name, info in enc.files.items():
            _write_atomic((restricted if info["restricted"] else public) / info["file"], enc.blobs[name])
        meta = {"format": FORMAT, "key": k, "city": _owner(city), "day": day.isoformat(), "kind": kind,
                "files": enc.files}
        _write_atomic(public / f"{stem}.json", json.dumps(meta, ensure_ascii=False, indent=1).encode("utf-8"))
    except Exception:  # noqa: BLE001
        return False
    _remove_older(public, restricted, day, stem)
    return True


def _remove_older(public: Path, restricted: Path, day: dt.date, keep: str) -> None:
    """Entries of ``day`` under another key (stale: the folder, code or params changed)."""
    for where in (public, restricted):
        try:
            for p in where.glob(f"{day.isoformat()}.*"):
                if not p.name.startswith(keep + ".") and p.is_file():
                    p.unlink(missing_ok=True)
        except OSError:
            pass
