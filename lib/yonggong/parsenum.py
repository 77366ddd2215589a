"""Parsers of numbers: counts, numbers, money, rates and salary ranges.

Full-width digits, units (``120人``), thousands separators, Chinese numerals (``一百二十``,
``1.2万``), approximate values (``约100人``), scientific notation, fractions for rates and
salary ranges (``3500-5000``, ``面议``). The conventions are those of ``parse`` (missing is never
zero, an unreadable value gives ``错误``); the shared helpers and form labels live there.
"""

from __future__ import annotations

import math
import numbers
import re
from decimal import Decimal, InvalidOperation
from functools import cache

import cn2an
import numpy as np

from .parse import (
    APPROX,
    CHINESE,
    FRACTION,
    FULLWIDTH,
    IMPLAUSIBLE,
    NEGOTIABLE,
    SCIENTIFIC,
    THOUSANDS,
    UNIT,
    VOCABULARY,
    WARNING,
    Parsed,
    excel_error,
    is_missing,
    join_forms,
    nfkc,
    show_raw,
    unreadable,
    value_units,
)
from .reference import settings

_MULTIPLIERS = {str(k): int(v) for k, v in VOCABULARY["multipliers"].items()}
_APPROX_PREFIXES = tuple(VOCABULARY["approx_prefixes"])
_APPROX_SUFFIXES_OUTER = tuple(VOCABULARY["approx_suffixes_outer"])  # after the unit: 100人左右
_APPROX_SUFFIXES_INNER = tuple(VOCABULARY["approx_suffixes_inner"])  # before the unit: 120余人
_CN_NUMERAL_CHARS = set("〇零○一二三四五六七八九十百千万亿两壹贰叁肆伍陆柒捌玖拾佰仟萬億廿卅点负")
_PLAIN_RE = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)")

_SCIENTIFIC_RE = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)[Ee][+-]?\d{1,3}")
_THOUSANDS_RE = re.compile(r"[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?")



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
    t = "".join(nfkc(text).split())
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
    shown = show_raw(raw) if shown is None else shown
    bad = f"无法识别为{what}：“{shown}”，{hint}"
    if isinstance(raw, bool | np.bool_):
        return unreadable(bad)
    if is_missing(raw):
        return Parsed(None)
    if isinstance(raw, numbers.Integral):
        return Parsed(Decimal(int(raw)))
    if isinstance(raw, float | np.floating):
        if not math.isfinite(raw):
            return unreadable(bad)
        return Parsed(_decimal(repr(float(raw))))
    if isinstance(raw, Decimal):
        return Parsed(raw) if raw.is_finite() else unreadable(bad)
    if not isinstance(raw, str):
        return unreadable(bad)
    if err := excel_error(raw):
        return err
    forms: list[str] = []
    if any("\uff10" <= c <= "\uff19" for c in raw):
        forms.append(FULLWIDTH)
    t = "".join(nfkc(raw).split()).replace("−", "-")
    approx = False
    for p in _APPROX_PREFIXES:
        if t.startswith(p) and len(t) > len(p):
            t, approx = t[len(p) :], True
            break
    for s in _APPROX_SUFFIXES_OUTER:
        if t.endswith(s) and len(t) > len(s):
            t, approx = t[: -len(s)], True
            break
    for u in value_units():
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
        return unreadable(bad, join_forms(forms))
    forms.extend(more)
    if approx:
        forms.append(APPROX)
        note = f"“{shown}”是约数，已按{_tidy(value)}计，请填写确切数字"
        return Parsed(value, True, WARNING, note, join_forms(forms))
    return Parsed(value, form=join_forms(forms))


def with_value(p: Parsed, value: object) -> Parsed:
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
        return unreadable(f"数值“{show_raw(raw)}”{IMPLAUSIBLE}（人数、次数等不应超过{max_count()}），"
                      "可能多输入了数字或被改成了科学计数法，请核对", p.form)
    if p.value != p.value.to_integral_value():
        return unreadable(f"“{show_raw(raw)}”不是整数，请填写整数", p.form)
    return with_value(p, int(p.value))


def parse_number(raw: object) -> Parsed:
    """A number (float) in any of the forms :func:`parse_int` reads; fractions allowed."""
    p = _number_core(raw, "数字", "请填写阿拉伯数字（如 12.5）")
    return p if p.value is None else with_value(p, float(p.value))


def parse_money(raw: object) -> Parsed:
    """An amount in yuan (float): 3500, "3500元", "3,500", "3.5千", "3.5k", "1.2万元" (= 12000)."""
    p = _number_core(raw, "金额", "请填写以元为单位的数字（如 3500）")
    return p if p.value is None else with_value(p, float(p.value))


def parse_rate(raw: object) -> Parsed:
    """A percentage 0–100 (float): 85, "85%", "85％", "八十五%", "百分之八十五", 0.85.

    Decision on fractions: a *numeric* cell (a float as Excel gives it for a percent-formatted
    cell) strictly between 0 and 1 is a fraction and is multiplied by 100 (form "小数比例");
    1 and 1.0 stay 1 (%). A *text* cell without "%" whose value is strictly between 0 and 1
    ("0.85") is kept as given (0.85 %) with a 警告, since it may mean 85 %. Above
    ``rate_warn_above`` (100) → 警告, kept; below 0 → 错误.
    """
    hint = "请填写 0–100 之间的数字（如 85 或 85%）"
    shown = show_raw(raw)
    forms: list[str] = []
    percent = per_mille = False
    if isinstance(raw, str) and not is_missing(raw) and not excel_error(raw):
        t = "".join(nfkc(raw).split())
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
        return unreadable(f"百分比“{shown}”为负数，不能小于0，请核对", join_forms(forms))
    if value > limit:
        warn = f"百分比“{shown}”超过{_tidy(limit)}%，已保留，请核对"
    return Parsed(round(float(value), 6), True, WARNING if warn else "", warn, join_forms(forms))


_NEGOTIABLE_WORDS = tuple(VOCABULARY["negotiable_words"])
_SALARY_SEP_RE = re.compile(r"(?P<lo>.+?)(?:-|~|～|〜|至|到|—|–|―|－)+(?P<hi>.+)")
_SALARY_TRIM = tuple(VOCABULARY["salary_trim"])
_SALARY_OPEN_HIGH = tuple(VOCABULARY["salary_open_high"])
_SALARY_OPEN_LOW = tuple(VOCABULARY["salary_open_low"])


def _salary_bound(text: str) -> Parsed:
    p = _number_core(text, "金额", "")
    if p.value is None:
        return p
    if p.value < 0:
        return unreadable("")
    return with_value(p, float(p.value))


def parse_salary(raw: object) -> Parsed:
    """A monthly pay range as a tuple ``(low, high)`` in yuan (floats; None = open end).

    "3500-5000", "3500～5000", "3500~5000元", "3500至5000", "3500元-5000元/月" → (3500, 5000);
    "4千-6千", "3.5k-5k", "3-5千" → (3000, 5000); "5000以上" / "5000起" → (5000, None);
    "3000以下" → (None, 3000); "4000" → (4000, 4000); "面议" → (None, None), ok. Missing → value
    None. A low end above the high end → 警告 (kept as given).
    """
    bad = f"无法识别为月薪：“{show_raw(raw)}”，请按“3500-5000”的格式填写（元/月），或填“面议”"
    if is_missing(raw):
        return Parsed(None)
    if isinstance(raw, bool | np.bool_) or not isinstance(raw, str | numbers.Real | Decimal):
        return unreadable(bad)
    if not isinstance(raw, str):
        p = _salary_bound(raw)
        if p.value is None:
            return unreadable(bad)
        return with_value(p, (p.value, p.value))
    if err := excel_error(raw):
        return err
    t = "".join(nfkc(raw).split())
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
                    return unreadable(bad)
                low, high = (p.value, None) if side == "以上" else (None, p.value)
                return Parsed((low, high), form=join_forms([*p.form.split("、"), side]))
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
            return unreadable(bad)
        low, high = lo.value, hi.value
        forms = [*lo.form.split("、"), *hi.form.split("、")]
    else:
        p = _salary_bound(t)
        if p.value is None:
            return unreadable(bad)
        low = high = p.value
        forms = p.form.split("、")
    forms = [f for f in forms if f != APPROX]
    if low > high:
        note = f"月薪“{show_raw(raw)}”下限高于上限，已按原样保留，请核对"
        return Parsed((low, high), True, WARNING, note, join_forms(forms))
    return Parsed((low, high), form=join_forms(forms))
