"""Faults and how values are shown in them: the three levels (错误 / 警告 / 提示), :class:`Fault`
and :class:`FaultLog` (one line per fault, naming file, sheet, Excel row, column as written, the
value and what to do), and the text of a value as the analyst reads it: a raw cell as Excel shows
it (:func:`cell_text`, invisible characters named), a typed value (:func:`as_text`), personal
values masked (:func:`show_value`, :func:`scrub`). Used by ``clean``, ``dedupe``, ``validate``
and the quality report.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd

from . import codes
from .bounded.csvfile import show_controls
from .ingest import Inbox
from .parse import excel_display, nfkc_words
from .reference import ColumnSpec, TableSpec, settings, table_specs

ERROR = "错误"  # the row is left out of the clean table
WARNING = "警告"  # the row is kept; the analyst should check it
NOTICE = "提示"  # the row is kept and counted; for the analyst's information only
LEVELS = (ERROR, WARNING, NOTICE)  # report order: 错误 first, 提示 last


def level_rank(level: object) -> int:
    """Position of ``level`` in ``LEVELS`` (an unknown level sorts after 提示)."""
    return LEVELS.index(level) if level in LEVELS else len(LEVELS)


@dataclass
class Fault:
    """One line of the 数据质量报告."""

    level: str  # 错误 / 警告 / 提示 (see LEVELS)
    table: str  # A … M
    file: str
    sheet: str
    row: int | None  # Excel row as the analyst sees it
    column: str  # header as written in the file
    value: str  # original value (masked if personal)
    problem: str
    advice: str
    rule: str  # short rule id, e.g. uscc_check

    def as_dict(self) -> dict:
        return asdict(self)


FAULT_COLUMNS = list(Fault.__dataclass_fields__)


def cell_text(value: object) -> str:
    """A raw cell as the clerk sees it in Excel: numbers in Excel's General format ("120",
    "1E+20", "3.60102E+17"), dates as 2020-02-24 (with the time when there is one), control
    characters made visible; "" when empty."""
    if value is None or value is pd.NA or value is pd.NaT or (isinstance(value, float) and value != value):
        return ""
    if isinstance(value, bool | np.bool_):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int | float | np.integer | np.floating):
        return excel_display(value)
    if isinstance(value, dt.datetime | dt.date):
        return as_text(value)
    return show_invisible(show_controls(str(value)))


def _invisible() -> dict[str, str]:
    """params/settings.yaml ``invisible_characters``: character → its name as the report shows it."""
    return {chr(int(k, 16)): str(v) for k, v in settings()["invisible_characters"].items()}


def show_invisible(text: str) -> str:
    """``text`` with each invisible character (zero-width space, BOM …) written as ⟨its name⟩."""
    table = _invisible()
    if not any(ch in text for ch in table):
        return text
    return "".join(f"⟨{table[ch]}⟩" if ch in table else ch for ch in text)


def invisible_named(shown: str) -> list[str]:
    """The names of the invisible characters :func:`show_invisible` made visible in ``shown``."""
    return [name for name in dict.fromkeys(_invisible().values()) if f"⟨{name}⟩" in shown]


def show_value(value: object, col: ColumnSpec | None) -> str:
    """The original cell as text for the report (see ``cell_text``), masked when the column is
    personal."""
    text = cell_text(value)
    if not text:
        return ""
    if col is not None and col.personal:
        return mask_personal(text, col)
    return text[:200]


def mask_personal(text: str, col: ColumnSpec) -> str:
    if col.type == "idno":
        return codes.mask_idno(text)
    if col.type == "phone":
        return codes.mask_phone(text)
    return codes.mask_name(text)


_MOBILE_IN_TEXT = re.compile(r"(?<!\d)(?:\+?86)?1[3-9]\d{9}(?!\d)")
_IDNO_IN_TEXT = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])|(?<![0-9A-Za-z])\d{15}(?![0-9A-Za-z])")


def scrub(text: str) -> str:
    """``text`` with every mobile number and every ID number (18 digits with a valid check
    character, or 15 digits) masked: the last guard of the report's texts. Valid credit codes
    are left alone."""
    if not text or not any(ch.isdigit() for ch in text):
        return text
    text = _MOBILE_IN_TEXT.sub(lambda m: codes.mask_phone(m[0]), text)

    def id_mask(m: re.Match) -> str:
        v = m[0]
        if len(v) == 18 and (codes.check_uscc(v).valid or not codes.check_idno(v).valid):
            return v
        return codes.mask_idno(v)

    return _IDNO_IN_TEXT.sub(id_mask, text)


class FaultLog:
    """Collects faults for one city day; knows the header text of every sheet.

    Every text of a fault about a personal column, or about a table holding personal data (F,
    M), is masked: the value by its column's mask, and the problem and advice texts lose every
    occurrence of the raw value and every mobile or ID number (``scrub``)."""

    def __init__(self, inbox: Inbox):
        self.faults: list[Fault] = []
        self._headers = {(s.file, s.sheet): s.headers for s in inbox.sheets}
        self._hidden = {(s.file, s.sheet) for s in inbox.sheets if s.hidden}
        specs = table_specs()
        for issue in [*inbox.issues, *inbox.notes]:
            spec = specs.get(issue.table)
            col = None
            if spec is not None and issue.canonical:
                col = spec.column(issue.canonical)
            value = issue.value
            if value and col is not None and col.personal:
                value = mask_personal(value, col)
            elif value and spec is not None and spec.personal:  # a cell of a personal table, column unknown
                value = codes.mask_name(value)
            elif value:
                value = scrub(value)
            self.faults.append(Fault(issue.level, issue.table, issue.file, issue.sheet, issue.row,
                                     issue.column, value[:200], scrub(issue.problem), scrub(issue.advice),
                                     issue.rule))

    def header(self, file: str, sheet: str, column: str) -> str:
        return self._headers.get((file, sheet), {}).get(column, column)

    def hidden(self, file: str, sheet: str) -> bool:
        """Whether a sheet was hidden in its workbook (read because it alone held its table)."""
        return (file, sheet) in self._hidden

    def add(self, level, spec: TableSpec, row: pd.Series | dict, column: str, problem: str,
            advice: str, rule: str, value: object = None) -> None:
        col = None
        if column:
            try:
                col = spec.column(column)
            except KeyError:
                col = None
        raw = row.get(column) if value is None and column else value
        shown = show_value(raw, col)
        if (col is not None and col.personal) or spec.personal:
            problem, advice = _masked_text(problem, raw, shown), _masked_text(advice, raw, shown)
        self.faults.append(Fault(
            level, spec.code, row["_file"], row["_sheet"], int(row["_row"]),
            self.header(row["_file"], row["_sheet"], column) if column else "",
            shown, problem, advice, rule))

    def frame(self) -> pd.DataFrame:
        df = pd.DataFrame([f.as_dict() for f in self.faults], columns=FAULT_COLUMNS)
        df["_order"] = df["row"].fillna(0)
        df = df.sort_values(["file", "sheet", "_order", "column"], kind="stable").drop(columns="_order")
        return df.reset_index(drop=True)


def _masked_text(text: str, raw: object, shown: str) -> str:
    """A fault text about a personal value: every form of the raw value in it replaced by its
    masked form ``shown``, then every mobile or ID number masked."""
    if not text:
        return text
    if raw is not None and shown:
        forms = {cell_text(raw), str(raw).strip(), nfkc_words(raw)}
        for form in sorted((f for f in forms if len(f) >= 3), key=len, reverse=True):
            text = text.replace(form, shown)
            if len(form) > 40:
                text = text.replace(form[:40] + "…", shown)
    return scrub(text)


def _is_blank(v: object) -> bool:
    if v is None or v is pd.NA or v is pd.NaT:
        return True
    if isinstance(v, float) and v != v:
        return True
    return isinstance(v, str) and not v.strip()


def as_text(v: object) -> str:
    """A cell or typed value as the analyst reads it: whole numbers without ".0", dates as
    YYYY-MM-DD (with HH:MM when there is a time), 是/否, ranges and lists joined; "" when blank."""
    if _is_blank(v):
        return ""
    if isinstance(v, bool | np.bool_):
        return "是" if v else "否"
    if isinstance(v, int | np.integer):
        return str(int(v))
    if isinstance(v, float | np.floating):
        f = float(v)
        return str(int(f)) if f.is_integer() and abs(f) < 1e15 else str(f)
    if isinstance(v, dt.datetime):  # includes pd.Timestamp
        if (v.hour, v.minute, v.second) == (0, 0, 0):
            return v.date().isoformat()
        return v.strftime("%Y-%m-%d %H:%M" if not v.second else "%Y-%m-%d %H:%M:%S")
    if isinstance(v, dt.date):
        return v.isoformat()
    if isinstance(v, tuple):  # salary range
        return "-".join(as_text(x) for x in v)
    if isinstance(v, list):
        return "、".join(as_text(x) for x in v)
    return str(v).strip()
