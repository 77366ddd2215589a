"""Turning raw spreadsheet cells into typed values.

Bureau spreadsheets carry numbers as text in many forms (full-width digits ``１２０``, units
``120人``, thousands separators ``1,200``, Chinese numerals ``一百二十``, ``1.2万``), dates as
Excel dates, Excel serial numbers or Chinese text (``2020年2月24日``, ``2月24日``), yes/no as
``是/否``, ``√/×``, ``1/0``. Every parser here takes one raw cell and returns a :class:`Parsed`:
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

:func:`parse_series` applies a parser to a whole column, parsing every distinct value once.
:func:`read_csv_text` / :func:`read_csv_rows` read CSV files in UTF-8 (with or without BOM) or
GB18030/GBK.
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
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import cache
from pathlib import Path

import cn2an
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

EXCEL_EPOCH = dt.datetime(1899, 12, 30)
SERIAL_MIN, SERIAL_MAX = 20000, 80000  # 1954-10-03 … 2119-01-10

_VOCABULARY = load_yaml("parse.yaml")["parse"]  # the parser's words (params/parse.yaml), loaded once
_MULTIPLIERS = {str(k): int(v) for k, v in _VOCABULARY["multipliers"].items()}
_EXCEL_ERRORS = {"#N/A", "#REF!", "#DIV/0!", "#VALUE!", "#NAME?", "#NUM!", "#NULL!", "#SPILL!", "#CALC!"}
_APPROX_PREFIXES = tuple(_VOCABULARY["approx_prefixes"])
_APPROX_SUFFIXES_OUTER = tuple(_VOCABULARY["approx_suffixes_outer"])  # after the unit: 100人左右
_APPROX_SUFFIXES_INNER = tuple(_VOCABULARY["approx_suffixes_inner"])  # before the unit: 120余人
_CN_NUMERAL_CHARS = set("〇零○一二三四五六七八九十百千万亿两壹贰叁肆伍陆柒捌玖拾佰仟萬億廿卅点负")

_PLAIN_RE = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)")
_SCIENTIFIC_RE = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)[Ee][+-]?\d{1,3}")
_THOUSANDS_RE = re.compile(r"[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?")
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


def _error(note: str, form: str = "") -> Parsed:
    return Parsed(None, ok=False, level=ERROR, note=note, form=form)


def _nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


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


def _show(raw: object) -> str:
    """A raw value as it is quoted in notes (numbers as Excel shows them)."""
    if isinstance(raw, float | np.floating) and math.isfinite(raw):
        text = excel_display(float(raw))
    else:
        text = str(raw).strip()
    return text if len(text) <= 40 else text[:40] + "…"


def _forms(forms: list[str]) -> str:
    return "、".join(dict.fromkeys(f for f in forms if f))


# ---------------------------------------------------------------------------------------------
# Headers and missing values


@cache
def _header_units() -> frozenset[str]:
    return frozenset(_nfkc(str(u)) for u in settings().get("header_units", ()))


@cache
def _value_units() -> tuple[str, ...]:
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
    s = "".join(_nfkc(text).split()).strip("*※")  # required-column marks of templates
    m = _HEADER_UNIT_RE.fullmatch(s)
    if m:
        unit = next(g for g in (m["a"], m["b"], m["c"]) if g is not None)
        unit = re.sub(r"^单位[:]?", "", unit)
        if unit in _header_units():
            return m["name"]
    return s


@cache
def _missing_markers() -> frozenset[str]:
    return frozenset(_nfkc(str(m)).strip() for m in settings()["missing_markers"])


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
        return _nfkc(raw).strip() in _missing_markers()
    return False


def _excel_error(raw: object) -> Parsed | None:
    if isinstance(raw, str) and raw.strip().upper() in _EXCEL_ERRORS:
        return _error(f"单元格为Excel错误值“{raw.strip()}”，请检查公式或改填数值")
    return None


# ---------------------------------------------------------------------------------------------
# Numbers


def _tidy(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


def _decimal(value: object) -> Decimal | None:
    try:
        d = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    return d if d.is_finite() else None


def _cn2an(text: str) -> Decimal | None:
    for mode in ("normal", "smart"):
        try:
            result = cn2an.cn2an(text, mode)
        except Exception:  # cn2an raises ValueError, and sometimes others, on forms it rejects
            continue
        if isinstance(result, int | float) and not isinstance(result, bool):
            return _decimal(round(result, 10) if isinstance(result, float) else result)
    return None


def _cn_decimal(text: str) -> Decimal | None:
    t = "".join(_nfkc(text).split())
    if not t:
        return None
    if _PLAIN_RE.fullmatch(t):
        return _decimal(t)
    value = _cn2an(t)
    if value is None and len(t) > 1 and t[-1] in _MULTIPLIERS and not any(c in "万萬亿億" for c in t[:-1]):
        # "一点二万": cn2an rejects it, so read the mantissa and scale it here.
        mantissa = _cn_decimal(t[:-1])
        if mantissa is not None:
            value = mantissa * _MULTIPLIERS[t[-1]]
    return value


def cn_number(text: object) -> int | float | None:
    """Read a number written in Chinese or Arabic numerals; None when it is not one. Never raises.

    Wraps cn2an (whose return type varies and which raises on some forms): "一百二十" → 120,
    "壹佰贰拾" → 120, "两百" → 200, "十" → 10, "1.2万" → 12000, "一点二万" → 12000,
    "一点五" → 1.5. Whole results are ints, others floats.
    """
    if not isinstance(text, str):
        return None
    try:
        value = _cn_decimal(text)
    except Exception:
        return None
    return None if value is None else _tidy(value)


def _scalar(text: str) -> tuple[Decimal | None, list[str]]:
    """A number from cleaned text (NFKC, no whitespace, no unit) and the forms it used."""
    if _PLAIN_RE.fullmatch(text):
        return _decimal(text), []
    if _SCIENTIFIC_RE.fullmatch(text):  # "1.2E+03", "1E+20": as Excel writes numbers into CSV
        return _decimal(text), [SCIENTIFIC]
    if _THOUSANDS_RE.fullmatch(text):
        return _decimal(text.replace(",", "")), [THOUSANDS]
    if len(text) > 1 and text[-1] in _MULTIPLIERS:
        mantissa, forms = text[:-1], [text[-1]]
        if _PLAIN_RE.fullmatch(mantissa):
            return _decimal(mantissa) * _MULTIPLIERS[text[-1]], forms
        if _THOUSANDS_RE.fullmatch(mantissa):
            return _decimal(mantissa.replace(",", "")) * _MULTIPLIERS[text[-1]], [THOUSANDS, *forms]
    if any(c in _CN_NUMERAL_CHARS for c in text):
        try:
            value = _cn_decimal(text)
        except Exception:
            value = None
        if value is not None:
            return value, [CHINESE, text[-1]] if text[-1] in "万萬亿億" else [CHINESE]
    return None, []


def _number_core(raw: object, what: str, hint: str, shown: str | None = None) -> Parsed:
    """Parse any number form into a Decimal value (Parsed.value), or missing, or 错误.

    ``shown`` is how the cell is quoted in notes (defaults to the raw value).
    """
    shown = _show(raw) if shown is None else shown
    bad = f"无法识别为{what}：“{shown}”，{hint}"
    if isinstance(raw, bool | np.bool_):
        return _error(bad)
    if is_missing(raw):
        return Parsed(None)
    if isinstance(raw, numbers.Integral):
        return Parsed(Decimal(int(raw)))
    if isinstance(raw, float | np.floating):
        if not math.isfinite(raw):
            return _error(bad)
        return Parsed(_decimal(repr(float(raw))))
    if isinstance(raw, Decimal):
        return Parsed(raw) if raw.is_finite() else _error(bad)
    if not isinstance(raw, str):
        return _error(bad)
    if err := _excel_error(raw):
        return err
    forms: list[str] = []
    if any("\uff10" <= c <= "\uff19" for c in raw):
        forms.append(FULLWIDTH)
    t = "".join(_nfkc(raw).split()).replace("−", "-")
    approx = False
    for p in _APPROX_PREFIXES:
        if t.startswith(p) and len(t) > len(p):
            t, approx = t[len(p) :], True
            break
    for s in _APPROX_SUFFIXES_OUTER:
        if t.endswith(s) and len(t) > len(s):
            t, approx = t[: -len(s)], True
            break
    for u in _value_units():
        if t.endswith(u) and len(t) > len(u):
            t = t[: -len(u)]
            forms.append(UNIT)
            break
    for s in _APPROX_SUFFIXES_INNER:
        if t.endswith(s) and len(t) > len(s):
            t, approx = t[: -len(s)], True
            break
    value, more = _scalar(t)
    if value is None:
        return _error(bad, _forms(forms))
    forms.extend(more)
    if approx:
        forms.append(APPROX)
        note = f"“{shown}”是约数，已按{_tidy(value)}计，请填写确切数字"
        return Parsed(value, True, WARNING, note, _forms(forms))
    return Parsed(value, form=_forms(forms))


def _with_value(p: Parsed, value: object) -> Parsed:
    return Parsed(value, p.ok, p.level, p.note, p.form)


@cache
def max_count() -> int:
    """The largest plausible count (``max_plausible_count`` in params/settings.yaml)."""
    return int(settings().get("max_plausible_count", 100_000_000))


def parse_int(raw: object) -> Parsed:
    """An integer (a count): 120, 120.0, "１２０", "120人", "1,200", "一百二十", "两百", "3万人".

    A float must be whole ("120.5" is 错误). Missing → value None, ok. About-figures ("120余人",
    "约100人") are read with a 警告. A count above ``max_plausible_count`` (settings; 1E+20,
    "99999999999999999999") is 错误: no such count exists, and it would not fit the column.
    """
    p = _number_core(raw, "整数", "请填写阿拉伯数字（如 120）")
    if p.value is None:
        return p
    if abs(p.value) > max_count():
        return _error(f"数值“{_show(raw)}”{IMPLAUSIBLE}（人数、次数等不应超过{max_count()}），"
                      "可能多输入了数字或被改成了科学计数法，请核对", p.form)
    if p.value != p.value.to_integral_value():
        return _error(f"“{_show(raw)}”不是整数，请填写整数", p.form)
    return _with_value(p, int(p.value))


def parse_number(raw: object) -> Parsed:
    """A number (float) in any of the forms :func:`parse_int` reads; fractions allowed."""
    p = _number_core(raw, "数字", "请填写阿拉伯数字（如 12.5）")
    return p if p.value is None else _with_value(p, float(p.value))


def parse_money(raw: object) -> Parsed:
    """An amount in yuan (float): 3500, "3500元", "3,500", "3.5千", "3.5k", "1.2万元" (= 12000)."""
    p = _number_core(raw, "金额", "请填写以元为单位的数字（如 3500）")
    return p if p.value is None else _with_value(p, float(p.value))


def parse_rate(raw: object) -> Parsed:
    """A percentage 0–100 (float): 85, "85%", "85％", "八十五%", "百分之八十五", 0.85.

    Decision on fractions: a *numeric* cell (a float as Excel gives it for a percent-formatted
    cell) strictly between 0 and 1 is a fraction and is multiplied by 100 (form "小数比例");
    1 and 1.0 stay 1 (%). A *text* cell without "%" whose value is strictly between 0 and 1
    ("0.85") is kept as given (0.85 %) with a 警告, since it may mean 85 %. Above
    ``rate_warn_above`` (100) → 警告, kept; below 0 → 错误.
    """
    hint = "请填写 0–100 之间的数字（如 85 或 85%）"
    shown = _show(raw)
    forms: list[str] = []
    percent = per_mille = False
    if isinstance(raw, str) and not is_missing(raw) and not _excel_error(raw):
        t = "".join(_nfkc(raw).split())
        if t.startswith("百分之") and len(t) > 3:
            t, percent = t[3:], True
        if t.endswith("%") and len(t) > 1:
            t, percent = t[:-1], True
        elif t.endswith("‰") and len(t) > 1:
            t, per_mille = t[:-1], True
        p = _number_core(t, "百分比", hint, shown=shown)
    else:
        p = _number_core(raw, "百分比", hint)
    if p.value is None:
        return p
    value, warn = p.value, p.note
    forms = [p.form]
    if per_mille:
        value /= 10
    elif isinstance(raw, float | np.floating | Decimal) and 0 < value < 1:
        value *= 100
        forms.append(FRACTION)
    elif isinstance(raw, str) and not percent and 0 < value < 1:
        pct = _tidy(value * 100)
        warn = f"百分比“{shown}”按 {_tidy(value)}% 处理；如指 {pct}%，请填写“{pct}%”"
    limit = Decimal(str(settings().get("rate_warn_above", 100)))
    if value < 0:
        return _error(f"百分比“{shown}”为负数，不能小于0，请核对", _forms(forms))
    if value > limit:
        warn = f"百分比“{shown}”超过{_tidy(limit)}%，已保留，请核对"
    return Parsed(round(float(value), 6), True, WARNING if warn else "", warn, _forms(forms))


_NEGOTIABLE_WORDS = tuple(_VOCABULARY["negotiable_words"])
_SALARY_SEP_RE = re.compile(r"(?P<lo>.+?)(?:-|~|～|〜|至|到|—|–|―|－)+(?P<hi>.+)")
_SALARY_TRIM = tuple(_VOCABULARY["salary_trim"])
_SALARY_OPEN_HIGH = tuple(_VOCABULARY["salary_open_high"])
_SALARY_OPEN_LOW = tuple(_VOCABULARY["salary_open_low"])


def _salary_bound(text: str) -> Parsed:
    p = _number_core(text, "金额", "")
    if p.value is None:
        return p
    if p.value < 0:
        return _error("")
    return _with_value(p, float(p.value))


def parse_salary(raw: object) -> Parsed:
    """A monthly pay range as a tuple ``(low, high)`` in yuan (floats; None = open end).

    "3500-5000", "3500～5000", "3500~5000元", "3500至5000", "3500元-5000元/月" → (3500, 5000);
    "4千-6千", "3.5k-5k", "3-5千" → (3000, 5000); "5000以上" / "5000起" → (5000, None);
    "3000以下" → (None, 3000); "4000" → (4000, 4000); "面议" → (None, None), ok. Missing → value
    None. A low end above the high end → 警告 (kept as given).
    """
    bad = f"无法识别为月薪：“{_show(raw)}”，请按“3500-5000”的格式填写（元/月），或填“面议”"
    if is_missing(raw):
        return Parsed(None)
    if isinstance(raw, bool | np.bool_) or not isinstance(raw, str | numbers.Real | Decimal):
        return _error(bad)
    if not isinstance(raw, str):
        p = _salary_bound(raw)
        if p.value is None:
            return _error(bad)
        return _with_value(p, (p.value, p.value))
    if err := _excel_error(raw):
        return err
    t = "".join(_nfkc(raw).split())
    for prefix in ("月薪", "工资", "薪资", "底薪"):
        if t.startswith(prefix) and len(t) > len(prefix):
            t = t[len(prefix) :].lstrip(":")
    if any(w in t for w in _NEGOTIABLE_WORDS) and not any(c.isdigit() for c in t):
        return Parsed((None, None), form=NEGOTIABLE)
    changed = True
    while changed:
        changed = False
        for s in _SALARY_TRIM:
            if t.endswith(s) and len(t) > len(s):
                t, changed = t[: -len(s)], True
    low = high = None
    forms: list[str] = []
    for words, side in ((_SALARY_OPEN_HIGH, "以上"), (_SALARY_OPEN_LOW, "以下")):
        for w in words:
            if t.endswith(w) and len(t) > len(w):
                p = _salary_bound(t[: -len(w)])
                if p.value is None:
                    return _error(bad)
                low, high = (p.value, None) if side == "以上" else (None, p.value)
                return Parsed((low, high), form=_forms([*p.form.split("、"), side]))
    m = _SALARY_SEP_RE.fullmatch(t)
    if m:
        lo_text, hi_text = m["lo"], m["hi"]
        # "3-5千": the multiplier written once applies to both ends.
        if (
            hi_text[-1] in _MULTIPLIERS
            and _PLAIN_RE.fullmatch(lo_text)
            and _PLAIN_RE.fullmatch(hi_text[:-1])
            and Decimal(lo_text) <= Decimal(hi_text[:-1])
        ):
            lo_text += hi_text[-1]
        lo, hi = _salary_bound(lo_text), _salary_bound(hi_text)
        if lo.value is None or hi.value is None:
            return _error(bad)
        low, high = lo.value, hi.value
        forms = [*lo.form.split("、"), *hi.form.split("、")]
    else:
        p = _salary_bound(t)
        if p.value is None:
            return _error(bad)
        low = high = p.value
        forms = p.form.split("、")
    forms = [f for f in forms if f != APPROX]
    if low > high:
        note = f"月薪“{_show(raw)}”下限高于上限，已按原样保留，请核对"
        return Parsed((low, high), True, WARNING, note, _forms(forms))
    return Parsed((low, high), form=_forms(forms))


# ---------------------------------------------------------------------------------------------
# Dates and times

_YMD_RE = re.compile(r"(?P<y>\d{4})\s*[-/.]\s*(?P<m>\d{1,2})\s*[-/.]\s*(?P<d>\d{1,2})")
_YMD_CN_RE = re.compile(r"(?P<y>\d{4})\s*年\s*(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*[日号]?")
_COMPACT_RE = re.compile(r"(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})(?!\d)")
_MDY_RE = re.compile(r"(?P<m>\d{1,2})/(?P<d>\d{1,2})/(?P<y>\d{4})")
_CN_DIGIT = "〇零○一二三四五六七八九"
_CN_SMALL = "[一二三四五六七八九十两]{1,3}"
_YMD_HANZI_RE = re.compile(
    rf"(?P<y>[{_CN_DIGIT}]{{4}})\s*年\s*(?P<m>{_CN_SMALL})\s*月\s*(?P<d>{_CN_SMALL})\s*[日号]?"
)
_MD_CN_RE = re.compile(r"(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*[日号]?")
_MD_HANZI_RE = re.compile(rf"(?P<m>{_CN_SMALL})\s*月\s*(?P<d>{_CN_SMALL})\s*[日号]?")
_MD_SEP_RE = re.compile(r"(?P<m>\d{1,2})\s*[-/.]\s*(?P<d>\d{1,2})(?![\d/.-])")
_TIME_RE = re.compile(
    r"[\sT]*(?:(?P<ap>上午|下午|早上|晚上|中午|凌晨)\s*)?(?P<h>\d{1,2})\s*(?::|时|点)\s*"
    r"(?:(?P<half>半)|(?P<mi>\d{1,2})\s*分?)?\s*"
    r"(?::\s*(?P<s>\d{1,2})(?:\.\d+)?|(?P<s2>\d{1,2})\s*秒)?\s*"
)
_DATE_HINT = "请按“2020-02-24”的格式填写"


_HANZI_DIGITS = {c: str(i) for i, c in enumerate("〇一二三四五六七八九")} | {"零": "0", "○": "0"}


def _hanzi_year(text: str) -> int:
    return int("".join(_HANZI_DIGITS[c] for c in text))


def _time_of(rest: str) -> tuple[int, int, int] | None | bool:
    """(h, m, s) from the text after a date; None when there is none; False when unreadable."""
    if not rest.strip():
        return None
    m = _TIME_RE.fullmatch(rest)
    if not m:
        return False
    h = int(m["h"])
    if m["ap"] in ("下午", "晚上") and h < 12:
        h += 12
    if m["ap"] == "中午" and h < 11:
        h += 12
    minute = 30 if m["half"] else int(m["mi"] or 0)
    second = int(m["s"] or m["s2"] or 0)
    if h > 23 or minute > 59 or second > 59:
        return False
    return h, minute, second


def _from_serial(value: float, raw: object, with_time: bool, forms: list[str]) -> Parsed:
    if float(value).is_integer() and 19000101 <= value <= 21001231:
        text = str(int(value))
        return _assemble(int(text[:4]), int(text[4:6]), int(text[6:]), None, raw, [*forms, COMPACT_DATE])
    if not SERIAL_MIN <= value <= SERIAL_MAX:
        return _error(
            f"数字“{_show(raw)}”不是日期（Excel日期序列号应在{SERIAL_MIN}–{SERIAL_MAX}之间），{_DATE_HINT}"
        )
    if with_time:
        moment = EXCEL_EPOCH + dt.timedelta(seconds=round(float(value) * 86400))
    else:
        moment = EXCEL_EPOCH + dt.timedelta(days=math.floor(value))
    return Parsed(moment, form=_forms([*forms, SERIAL]))


def _assemble(
    year: int, month: int, day: int, clock: tuple[int, int, int] | None, raw: object, forms: list[str]
) -> Parsed:
    try:
        moment = dt.datetime(year, month, day, *(clock or (0, 0, 0)))
    except ValueError:
        return _error(f"日期不存在：“{_show(raw)}”，请核对年、月、日", _forms(forms))
    return Parsed(moment, form=_forms(forms))


def _when(raw: object, report_year: int, with_time: bool) -> Parsed:
    """Shared reader of dates and date-times; the value is a naive datetime."""
    bad = f"无法识别为日期：“{_show(raw)}”，{_DATE_HINT}"
    if is_missing(raw):
        return Parsed(None)
    if isinstance(raw, bool | np.bool_):
        return _error(bad)
    if isinstance(raw, np.datetime64):
        raw = pd.Timestamp(raw)
    if isinstance(raw, pd.Timestamp):
        raw = raw.to_pydatetime(warn=False)
    if isinstance(raw, dt.datetime):
        p = Parsed(raw.replace(tzinfo=None))
    elif isinstance(raw, dt.date):
        p = Parsed(dt.datetime(raw.year, raw.month, raw.day))
    elif isinstance(raw, numbers.Real | Decimal):
        if isinstance(raw, Decimal | float | np.floating) and not math.isfinite(raw):
            return _error(bad)
        p = _from_serial(float(raw), raw, with_time, [])
    elif isinstance(raw, str):
        if err := _excel_error(raw):
            return err
        p = _date_text(raw, report_year, with_time)
    else:  # datetime.time, anything else
        return _error(bad)
    if not p.ok or p.level:
        return p
    year = p.value.year
    if MONTH_DAY not in p.form and abs(year - report_year) > 1:
        note = f"日期“{_show(raw)}”的年份{year}与报告年度{report_year}相差较大，已保留，请核对"
        return Parsed(p.value, True, WARNING, note, p.form)
    return p


def _date_text(raw: str, report_year: int, with_time: bool) -> Parsed:
    bad = f"无法识别为日期：“{_show(raw)}”，{_DATE_HINT}"
    t = _nfkc(raw).strip()
    forms = [FULLWIDTH] if any("\uff10" <= c <= "\uff19" for c in raw) else []
    if re.fullmatch(r"\d+(?:\.\d+)?", t) and (float(t) >= SERIAL_MIN or len(t) == 8):
        return _from_serial(float(t), raw, with_time, forms)
    full = (
        (_YMD_RE, ""),
        (_YMD_CN_RE, ""),
        (_COMPACT_RE, COMPACT_DATE),
        (_MDY_RE, "月/日/年"),
        (_YMD_HANZI_RE, CHINESE_DATE),
        (_MD_CN_RE, MONTH_DAY),
        (_MD_HANZI_RE, CHINESE_DATE + "、" + MONTH_DAY),
        (_MD_SEP_RE, MONTH_DAY),
    )
    for pattern, form in full:
        m = pattern.match(t)
        if not m:
            continue
        clock = _time_of(t[m.end() :])
        if clock is False:
            return _error(bad)
        g = m.groupdict()
        if form.startswith(CHINESE_DATE):
            year = _hanzi_year(g["y"]) if "y" in g else report_year
            month, day = cn_number(g["m"]), cn_number(g["d"])
            if not isinstance(month, int) or not isinstance(day, int):
                return _error(bad)
        else:
            year = int(g["y"]) if "y" in g else report_year
            month, day = int(g["m"]), int(g["d"])
        warn = ""
        if pattern is _MDY_RE:
            if month > 12 >= day:  # 24/2/2020 is day/month/year
                month, day, form = day, month, "日/月/年"
            elif month != day and month <= 12 and day <= 12:
                warn = f"“{_show(raw)}”按“月/日/年”理解为{year}年{month}月{day}日，请核对"
        p = _assemble(year, month, day, clock if with_time else None, raw, [*forms, *form.split("、")])
        if warn and p.ok:
            return Parsed(p.value, True, WARNING, warn, p.form)
        return p
    return _error(bad)


def parse_date(raw: object, report_year: int) -> Parsed:
    """A calendar date (``datetime.date``).

    Reads date/datetime objects, pandas Timestamps, Excel serial numbers 20000–80000 (also as
    text, e.g. 43885 → 2020-02-24, form "Excel序列号"; a time fraction is dropped), 8-digit
    numbers 20200224, "2020-02-24", "2020/2/24", "2020.2.24", "2020年2月24日", "二〇二〇年二月
    二十四日", "2/24/2020", and month-day forms "2月24日", "2/24", "2.24" (``report_year`` is
    assumed, form "月日(补年份)"). A time part after the date is checked and ignored.
    Impossible dates ("2020-02-30") → 错误; a year more than one off ``report_year`` → 警告.
    """
    p = _when(raw, report_year, with_time=False)
    return p if p.value is None else _with_value(p, p.value.date())


def parse_datetime(raw: object, report_year: int) -> Parsed:
    """A naive ``datetime.datetime``: the forms of :func:`parse_date` plus a time of day.

    "2020-02-24 14:30", "2020/2/24 14:30:00", "2020-02-24T14:30", "2月24日14时30分",
    "2月24日下午2点半", Excel serials with a fraction (rounded to the second). A date without a
    time is midnight.
    """
    return _when(raw, report_year, with_time=True)


# ---------------------------------------------------------------------------------------------
# Yes/no, lists, text, phones


@cache
def _bool_forms() -> tuple[dict[str, bool], dict[str, bool]]:
    exact: dict[str, bool] = {}
    folded: dict[str, bool] = {}
    for key, flag in (("no_values", False), ("yes_values", True)):
        for v in settings()[key]:
            text = _nfkc(str(v)).strip()
            exact[text] = flag
            folded.setdefault(text.casefold(), flag)
    return exact, folded


def parse_bool(raw: object) -> Parsed:
    """Yes/no: the settings' ``yes_values``/``no_values`` (是/否, 有/无, Y/N, √/×, 1/0, TRUE/FALSE …).

    Checked before the missing markers, so "无" is False here. Python/numpy bools and the
    numbers 1/0 are accepted; blank cells are missing (None).
    """
    bad = f"无法识别为是/否：“{_show(raw)}”，请填写“是”或“否”"
    if isinstance(raw, bool | np.bool_):
        return Parsed(bool(raw))
    if _is_na(raw):
        return Parsed(None)
    if isinstance(raw, numbers.Real | Decimal):
        if raw == 1:
            return Parsed(True)
        if raw == 0:
            return Parsed(False)
        return _error(bad)
    if not isinstance(raw, str):
        return _error(bad)
    text = _nfkc(raw).strip()
    exact, folded = _bool_forms()
    if text in exact:
        return Parsed(exact[text])
    if text.casefold() in folded:
        return Parsed(folded[text.casefold()])
    if is_missing(raw):
        return Parsed(None)
    return _excel_error(raw) or _error(bad)


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
    if err := _excel_error(raw):
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
    if err := _excel_error(raw):
        return err
    text = _nfkc(raw if isinstance(raw, str) else _number_text(raw)).strip()
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
# Dispatch and whole columns

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
    if not len(rows):
        return parsed, pd.DataFrame({c: pd.Series(dtype=object) for c in PROBLEM_COLUMNS})
    picked = codes[rows]

    def column(items: list) -> pd.Series:
        return pd.Series(_object_array(items)[picked], dtype=object)

    problems = pd.DataFrame(
        {
            "index": pd.Series(series.index[rows], dtype=object),
            "level": column([r.level for r in results]),
            "note": column([r.note for r in results]),
            "raw": column(raws),  # the distinct value parsed (1 and 1.0 share one)
            "form": column([r.form for r in results]),
        },
        columns=PROBLEM_COLUMNS,
    )
    return parsed, problems


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
