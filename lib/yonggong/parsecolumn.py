"""Parsing by column kind: ``PARSERS`` (the kind named in ``params/tables.yaml`` -> its
parser), :func:`parse_value` for one cell and :func:`parse_series` for a whole column, which
parses every distinct value once and returns the typed column with a frame of its problems
(``PROBLEM_COLUMNS``).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from .parse import Parsed, parse_bool, parse_list, parse_phone, parse_text
from .parsedate import parse_date, parse_datetime
from .parsenum import parse_int, parse_money, parse_number, parse_rate, parse_salary

PARSERS: dict[str, Callable[[object, int], Parsed]] = {
    "text": lambda raw, year: parse_text(raw),
    "int": lambda raw, year: parse_int(raw),
    "number": lambda raw, year: parse_number(raw),
    "money": lambda raw, year: parse_money(raw),
    "rate": lambda raw, year: parse_rate(raw),
    "salary": lambda raw, year: parse_salary(raw),
    "date": parse_date,
    "datetime": parse_datetime,
    "bool": lambda raw, year: parse_bool(raw),
    "list": lambda raw, year: parse_list(raw),
    "phone": lambda raw, year: parse_phone(raw),
}

_SERIES_DTYPES = {
    "int": "Int64",
    "number": "Float64",
    "money": "Float64",
    "rate": "Float64",
    "bool": "boolean",
}
PROBLEM_COLUMNS = ["index", "level", "note", "raw", "form"]


def parse_value(raw: object, kind: str, report_year: int) -> Parsed:
    """Parse one cell by column type name (a key of :data:`PARSERS`)."""
    try:
        parser = PARSERS[kind]
    except KeyError:
        raise ValueError(f"unknown value kind {kind!r}; expected one of {sorted(PARSERS)}") from None
    return parser(raw, report_year)


# True/False compare equal to 1/0, so factorising an object column would merge them; bools
# are keyed by these strings instead (no spreadsheet text starts with a NUL).
_BOOL_KEYS = {"\x00True": True, "\x00False": False}


def _object_array(items: list) -> np.ndarray:
    """A 1-d object array (np.array would turn a list of tuples into a 2-d array)."""
    out = np.empty(len(items), dtype=object)
    for i, item in enumerate(items):
        out[i] = item
    return out


def parse_series(series: pd.Series, kind: str, report_year: int) -> tuple[pd.Series, pd.DataFrame]:
    """Parse a whole column, each distinct value once, and list the rows worth reporting.

    Returns ``(values, problems)``. ``values`` is aligned to ``series.index`` with dtype Int64
    (int), Float64 (number, money, rate), boolean (bool) or object (date → ``datetime.date``,
    datetime, text, salary/list tuples, phone); missing and 错误 cells are NA/None.
    ``problems`` has columns ``index, level, note, raw, form``: one row for every cell whose
    Parsed has a level or a non-empty form (index = the input's index label), in input order.
    """
    parsed, labels, picked, results, raws = _parse(series, kind, report_year)

    def column(items: list) -> pd.Series:
        return pd.Series(_object_array(items)[picked], dtype=object)

    problems = pd.DataFrame(
        {
            "index": pd.Series(labels, dtype=object),
            "level": column([r.level for r in results]),
            "note": column([r.note for r in results]),
            "raw": column(raws),  # the distinct value parsed (1 and 1.0 share one)
            "form": column([r.form for r in results]),
        },
        columns=PROBLEM_COLUMNS,
    )
    return parsed, problems


def parse_faults(series: pd.Series, kind: str, report_year: int) -> tuple[pd.Series, list[tuple]]:
    """:func:`parse_series` with only the rows whose value has a level (警告 / 错误 …), as
    ``(index label, level, note)`` in input order: what the cleaning step reports, without a
    frame per column."""
    parsed, labels, picked, results, _raws = _parse(series, kind, report_year)
    return parsed, [(label, results[i].level, results[i].note) for label, i in zip(labels, picked, strict=True)
                    if results[i].level]


def _parse(series: pd.Series, kind: str, report_year: int) -> tuple:
    """The typed column, and the index labels of the rows with a level or form with the position
    of their distinct value in ``results`` (one Parsed per distinct raw value, ``raws``)."""
    if kind not in PARSERS:
        raise ValueError(f"unknown value kind {kind!r}; expected one of {sorted(PARSERS)}")
    parser = PARSERS[kind]
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    if uniques.dtype == object and any(isinstance(u, bool | np.bool_) for u in uniques):
        keyed = series.map(lambda v: f"\x00{bool(v)}" if isinstance(v, bool | np.bool_) else v)
        codes, uniques = pd.factorize(keyed, use_na_sentinel=True)
    raws = [_BOOL_KEYS.get(u, u) if isinstance(u, str) else u for u in uniques]
    results = [parser(raw, report_year) for raw in raws]

    # One slot per distinct value plus a trailing one for NA cells: code -1 picks it.
    dtype = _SERIES_DTYPES.get(kind)
    values = _object_array([r.value for r in results] + [None])
    if dtype:
        parsed = pd.Series(pd.array(values, dtype=dtype)[codes], index=series.index, name=series.name)
    else:
        parsed = pd.Series(values[codes], index=series.index, name=series.name, dtype=object)

    flagged = np.array([bool(r.level or r.form) for r in results] + [False], dtype=bool)
    rows = np.flatnonzero(flagged[codes])
    return parsed, series.index[rows].tolist(), codes[rows].tolist(), results, raws
