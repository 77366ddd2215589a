"""Turning raw spreadsheet cells into typed values.

Bureau spreadsheets carry numbers as text in many forms (full-width digits ``１２０``, units
``120人``, thousands separators ``1,200``, Chinese numerals ``一百二十``, ``1.2万``), dates as
Excel dates, Excel serial numbers or Chinese text (``2020年2月24日``, ``2月24日``), yes/no as
``是/否``, ``√/×``, ``1/0``. Every parser takes one raw cell and returns a :class:`Parsed`:
the typed value, whether it is usable, a grade (``错误`` = the row is left out, ``警告`` = kept)
with a Chinese note saying what is wrong and what to do, and the input form that was recognised
(so the validation report can show how a value was read).

Conventions shared by all parsers:

* Missing cells (None, NaN, and the ``missing_markers`` of ``params/settings.yaml``: blank, "-",
  "—", "无", "/" …) give ``Parsed(None, ok=True)``: missing is never zero, and whether a column
  may be empty is decided by the caller. The one exception is :func:`parse_bool`, where "无"
  means *no*.
* A value that cannot be read gives ``ok=False``, level ``错误`` and ``value=None``.
* Range checks beyond the type (negative counts, say) are the caller's business, except for
  rates, salaries and dates, whose checks are stated on their parsers.

This module holds :class:`Parsed`, the form labels and helpers shared by all parsers, header
and missing-value handling, the parsers of yes/no, lists, text and phones, and the CSV readers
(:func:`read_csv_text` / :func:`read_csv_rows`: UTF-8 with or without BOM, or GB18030/GBK).
Numbers, money, rates and salaries are parsed by ``parsenum``, dates by ``parsedate``;
``parsecolumn.parse_series`` applies a parser to a whole column, parsing every distinct value
once.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import functools
import io
import math
import numbers
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd

from .reference import load_yaml, settings

ERROR = "错误"
WARNING = "警告"

# Recognised input forms (Parsed.form); several are joined with "、".
FULLWIDTH = "全角数字"
CHINESE = "中文数字"
UNIT = "带单位"
THOUSANDS = "千分位"
APPROX = "约数"
SERIAL = "Excel序列号"
MONTH_DAY = "月日(补年份)"
COMPACT_DATE = "8位数字日期"
CHINESE_DATE = "中文日期"
FRACTION = "小数比例"
NEGOTIABLE = "面议"
SCIENTIFIC = "科学计数法"
IMPLAUSIBLE = "超出合理范围"  # in the note of a count above max_plausible_count

VOCABULARY = load_yaml("parse.yaml")["parse"]  # the parser's words (params/parse.yaml), loaded once
_EXCEL_ERRORS = {"#N/A", "#REF!", "#DIV/0!", "#VALUE!", "#NAME?", "#NUM!", "#NULL!", "#SPILL!", "#CALC!"}
_WS_RE = re.compile(r"\s+")


@dataclass(frozen=True)
class Parsed:
    """Outcome of parsing one cell.

    ``value`` is the typed value (None when missing or unusable); ``ok`` is False only for
    ``错误``; ``level`` is "", "错误" or "警告"; ``note`` says in Chinese what is wrong and what
    to do; ``form`` names the input form recognised ("全角数字", "中文数字", "万", "带单位",
    "千分位", "Excel序列号", "月日(补年份)" …, joined with "、"), empty for a plain value.
    """

    value: object = None
    ok: bool = True
    level: str = ""
    note: str = ""
    form: str = ""


def unreadable(note: str, form: str = "") -> Parsed:
    return Parsed(None, ok=False, level=ERROR, note=note, form=form)


def nfkc(text: str) -> str:
    """``text`` in Unicode NFKC: full-width digits, letters and signs as ASCII, compatibility
    forms folded. The one folding of typed text; the variants below only add whitespace rules."""
    return unicodedata.normalize("NFKC", text)


def nfkc_compact(value: object) -> str:
    """``value`` as NFKC text without any whitespace (a county or a word typed with stray spaces)."""
    return "".join(nfkc(str(value)).split())


def nfkc_words(value: object) -> str:
    """``value`` as NFKC text, each run of whitespace one space, none at the ends."""
    return " ".join(nfkc(str(value)).split())


def excel_display(value: object) -> str:
    """A number as Excel shows it in a cell of the General format: whole numbers below 10^11 in
    full ("120"), larger or tiny ones in scientific notation with 6 significant digits ("1E+20",
    "3.60102E+17"), others with up to 10 significant digits. Anything else: ``str(value)``."""
    if isinstance(value, bool | np.bool_) or not isinstance(value, numbers.Real):
        return str(value)
    f = float(value)
    if not math.isfinite(f):
        return str(value)
    if f.is_integer() and abs(f) < 1e11:
        return str(int(f))
    if abs(f) >= 1e11 or (f != 0 and abs(f) < 1e-9):
        mantissa, exp = f"{f:.5E}".split("E")
        mantissa = mantissa.rstrip("0").rstrip(".")
        return f"{mantissa}E{exp[0]}{int(exp[1:]):02d}"
    return f"{f:.10G}"


def show_raw(raw: object) -> str:
    """A raw value as it is quoted in notes (numbers as Excel shows them)."""
    if isinstance(raw, float | np.floating) and math.isfinite(raw):
        text = excel_display(float(raw))
    else:
        text = str(raw).strip()
    return text if len(text) <= 40 else text[:40] + "…"


def join_forms(forms: list[str]) -> str:
    return "、".join(dict.fromkeys(f for f in forms if f))


# ---------------------------------------------------------------------------------------------
# Headers and missing values


@cache
def _header_units() -> frozenset[str]:
    return frozenset(nfkc(str(u)) for u in settings().get("header_units", ()))


@cache
def value_units() -> tuple[str, ...]:
    """Units stripped after a number in a cell, longest first (万/千/% ones are multipliers)."""
    units = [u for u in _header_units() if not any(ch in u for ch in "万千%‰")]
    return tuple(sorted(units, key=len, reverse=True))


_HEADER_UNIT_RE = re.compile(r"(?P<name>.+?)(?:\((?P<a>[^()]*)\)|\[(?P<b>[^\[\]]*)\]|【(?P<c>[^【】]*)】)")


def normalise_header(text: object) -> str:
    """Normalise a header cell: NFKC, no whitespace inside, one trailing bracketed unit dropped.

    "缺工人数（人）" → "缺工人数", "产能恢复率(%)" → "产能恢复率", "员 工\\n总 数" → "员工总数",
    "企业名称*" → "企业名称" (required marks of the fill-in templates);
    a bracket that is part of the name stays: "县（市、区）" → "县(市、区)". The units are
    ``header_units`` in ``params/settings.yaml`` (an optional "单位:" inside the bracket is
    allowed). None and NaN give ""; other non-strings are turned into text (2020.0 → "2020").
    """
    if text is None or (isinstance(text, float) and math.isnan(text)):
        return ""
    if isinstance(text, float) and text.is_integer():
        text = int(text)
    return _normalise_header_text(str(text))


@functools.lru_cache(maxsize=1 << 16)
def _normalise_header_text(text: str) -> str:
    """normalise_header for a text (cached: the same header cells recur in every file)."""
    s = "".join(nfkc(text).split()).strip("*※")  # required-column marks of templates
    m = _HEADER_UNIT_RE.fullmatch(s)
    if m:
        unit = next(g for g in (m["a"], m["b"], m["c"]) if g is not None)
        unit = re.sub(r"^单位[:]?", "", unit)
        if unit in _header_units():
            return m["name"]
    return s


@cache
def _missing_markers() -> frozenset[str]:
    return frozenset(nfkc(str(m)).strip() for m in settings()["missing_markers"])


def _is_na(raw: object) -> bool:
    if raw is None or raw is pd.NA or raw is pd.NaT:
        return True
    if isinstance(raw, float | np.floating):
        return bool(np.isnan(raw))
    if isinstance(raw, np.datetime64):
        return bool(np.isnat(raw))
    return False


def is_missing(raw: object) -> bool:
    """True for None, NaN/NA/NaT and the settings' ``missing_markers`` (after NFKC and strip).

    Zero is never missing: ``is_missing(0)`` and ``is_missing("0")`` are False.
    """
    if _is_na(raw):
        return True
    if isinstance(raw, str):
        return nfkc(raw).strip() in _missing_markers()
    return False


def excel_error(raw: object) -> Parsed | None:
    if isinstance(raw, str) and raw.strip().upper() in _EXCEL_ERRORS:
        return unreadable(f"单元格为Excel错误值“{raw.strip()}”，请检查公式或改填数值")
    return None


# ---------------------------------------------------------------------------------------------
# Yes/no, lists, text, phones


@cache
def _bool_forms() -> tuple[dict[str, bool], dict[str, bool]]:
    exact: dict[str, bool] = {}
    folded: dict[str, bool] = {}
    for key, flag in (("no_values", False), ("yes_values", True)):
        for v in settings()[key]:
            text = nfkc(str(v)).strip()
            exact[text] = flag
            folded.setdefault(text.casefold(), flag)
    return exact, folded


def parse_bool(raw: object) -> Parsed:
    """Yes/no: the settings' ``yes_values``/``no_values`` (是/否, 有/无, Y/N, √/×, 1/0, TRUE/FALSE …).

    Checked before the missing markers, so "无" is False here. Python/numpy bools and the
    numbers 1/0 are accepted; blank cells are missing (None).
    """
    bad = f"无法识别为是/否：“{show_raw(raw)}”，请填写“是”或“否”"
    if isinstance(raw, bool | np.bool_):
        return Parsed(bool(raw))
    if _is_na(raw):
        return Parsed(None)
    if isinstance(raw, numbers.Real | Decimal):
        if raw == 1:
            return Parsed(True)
        if raw == 0:
            return Parsed(False)
        return unreadable(bad)
    if not isinstance(raw, str):
        return unreadable(bad)
    text = nfkc(raw).strip()
    exact, folded = _bool_forms()
    if text in exact:
        return Parsed(exact[text])
    if text.casefold() in folded:
        return Parsed(folded[text.casefold()])
    if is_missing(raw):
        return Parsed(None)
    return excel_error(raw) or unreadable(bad)


_LIST_SPLIT_RE = re.compile(r"[、,，;；/／\s]+")


def parse_list(raw: object) -> Parsed:
    """A tuple of strings split on 、 , ， ; ； / and whitespace (items stripped, empties dropped).

    Missing (or nothing left after splitting) → None.
    """
    if is_missing(raw):
        return Parsed(None)
    text = parse_text(raw)
    if not text.ok or text.value is None:
        return text
    items = tuple(i for i in _LIST_SPLIT_RE.split(text.value) if i and not is_missing(i))
    return Parsed(items or None)


def _number_text(raw: object) -> str:
    if isinstance(raw, bool | np.bool_):
        return "是" if raw else "否"
    if isinstance(raw, numbers.Integral):
        return str(int(raw))
    if isinstance(raw, float | np.floating):
        f = float(raw)
        if f.is_integer() and abs(f) < 1e16:
            return str(int(f))
        return repr(f)
    if isinstance(raw, pd.Timestamp | dt.datetime):
        if (raw.hour, raw.minute, raw.second, raw.microsecond) == (0, 0, 0, 0):
            return raw.date().isoformat()
        return raw.isoformat(sep=" ")
    return str(raw)


def parse_text(raw: object) -> Parsed:
    """Free text as given (no NFKC): stripped, inner runs of whitespace (line breaks too) made
    one space. Missing markers → None. Numbers from Excel become their digits (12345.0 →
    "12345"); dates become "2020-02-24".
    """
    if is_missing(raw):
        return Parsed(None)
    if err := excel_error(raw):
        return err
    text = raw if isinstance(raw, str) else _number_text(raw)
    return Parsed(_WS_RE.sub(" ", text).strip())


_MOBILE_RE = re.compile(r"(?:\+?86)?(1[3-9]\d{9})")
_EXT_RE = re.compile(r"(.*?)(?:转|分机|ext\.?|EXT\.?|x)(\d{1,6})")


def parse_phone(raw: object) -> Parsed:
    """A phone number as text.

    Mobiles (11 digits starting 1, optional +86; spaces/hyphens allowed; Excel floats like
    13812345678.0) → "13812345678". Landlines with area code ("0791-86658291", "0791 86658291",
    "(0791)86658291", "079186658291"; 010 and 02x are three-digit codes, others four) →
    "0791-86658291" (an extension written "转801" becomes "0791-86658291-801"). Anything else
    (no area code, several numbers, too short) → 警告, kept as text.
    """
    if is_missing(raw):
        return Parsed(None)
    if err := excel_error(raw):
        return err
    text = nfkc(raw if isinstance(raw, str) else _number_text(raw)).strip()
    text = _WS_RE.sub(" ", text)
    ext = ""
    m = _EXT_RE.fullmatch(text)
    if m:
        text, ext = m[1].strip(), m[2]
    compact = re.sub(r"[\s()\-—–]", "", text)
    mobile = _MOBILE_RE.fullmatch(compact)
    if mobile and not ext:
        return Parsed(mobile[1])
    if re.fullmatch(r"0\d{9,11}", compact):
        area = compact[:3] if compact[1] in "12" else compact[:4]
        local = compact[len(area) :]
        if len(local) in (7, 8) and local[0] not in "01":
            return Parsed(f"{area}-{local}" + (f"-{ext}" if ext else ""))
    # the note never repeats the number itself (it may be a person's): 原值 shows it, masked
    # where the column is personal
    note = "电话号码不像手机号（11位，以1开头）或带区号的固定电话（如 0791-86658291），已按原文保留，请核对"
    kept = _WS_RE.sub(" ", raw if isinstance(raw, str) else _number_text(raw)).strip()
    return Parsed(kept, True, WARNING, note)


# ---------------------------------------------------------------------------------------------
# CSV files


def read_csv_text(path: str | Path) -> tuple[str, str]:
    """Read a CSV file's text, detecting the encoding: (text, encoding name).

    A UTF-8 BOM gives "utf-8-sig" (a UTF-16 BOM "utf-16"); otherwise strict UTF-8 is tried
    ("utf-8"), then GB18030 ("gb18030", a superset of GBK and GB2312). Bytes that fit none
    raise ValueError with a Chinese message.
    """
    data = Path(path).read_bytes()
    if data.startswith(codecs.BOM_UTF8):
        candidates = ["utf-8-sig"]
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        candidates = ["utf-16"]
    else:
        candidates = ["utf-8", "gb18030"]
    failure: UnicodeDecodeError | None = None
    for encoding in candidates:
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError as exc:
            failure = exc if failure is None or exc.start > failure.start else failure
    where = ""
    if failure is not None:
        line = data.count(b"\n", 0, failure.start) + 1
        where = f"第{line}行有既不是UTF-8也不是GB18030（GBK）编码的字节（{failure.object[failure.start:failure.start + 4].hex(' ')}），"
    raise ValueError(f"无法识别文件“{Path(path).name}”的编码：{where}请另存为 UTF-8 或 GB18030（GBK）编码的 CSV")


def read_csv_rows(path: str | Path) -> tuple[list[list[str]], str]:
    """Read a CSV file as rows of strings (via :func:`read_csv_text`): (rows, encoding name).

    The delimiter is a comma; a first line "sep=X" (written by some Excel versions) sets it and
    is dropped, and a tab is used when the first line has tabs but no commas.
    """
    text, encoding = read_csv_text(path)
    return split_csv_rows(text), encoding


def split_csv_rows(text: str) -> list[list[str]]:
    """The rows of a CSV text (see :func:`read_csv_rows` for the delimiter)."""
    end = text.find("\n")
    first = text if end < 0 else text[:end]
    delimiter, start = ",", 0
    m = re.fullmatch(r"sep=(.)\r?", first)
    if m:
        delimiter, start = m[1], len(first) + 1
    elif "\t" in first and "," not in first:
        delimiter = "\t"
    # each row is a new list; equal cells share one string: a CSV of a million rows repeats its
    # counties, enterprises, dates and 是/否 (0.5 GB less for table F at province scale)
    memo: dict[str, str] = {}
    shared = memo.setdefault
    return [list(map(shared, row, row)) for row in csv.reader(_lines(text, start), delimiter=delimiter)]


def _lines(text: str, start: int = 0, size: int = 1 << 20) -> Iterator[str]:
    """The lines of ``text`` from ``start`` as ``io.StringIO(text, newline="")`` gives them (a line
    ends at \\n, \\r\\n or \\r, kept), a block of about ``size`` characters at a time: a StringIO
    holds four bytes a character, 0.3 GB for a 130 MB CSV. Blocks are cut just after a \\n, where
    a line always ends."""
    n = len(text)
    while start < n:
        cut = text.find("\n", start + size)
        stop = n if cut < 0 else cut + 1
        yield from io.StringIO(text[start:stop], newline="")
        start = stop
