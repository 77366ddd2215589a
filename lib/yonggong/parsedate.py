"""Parsers of dates and date-times: Excel dates, Excel serial numbers, ISO and Chinese text
(``2020年2月24日``, ``二〇二〇年二月二十四日``), 8-digit dates and month-day forms completed with
the report year (``2月24日``). The conventions are those of ``parse``; the checks on a date's
range are stated on :func:`parse_date`.
"""

from __future__ import annotations

import datetime as dt
import math
import numbers
import re
from decimal import Decimal

import numpy as np
import pandas as pd

from .parse import (
    CHINESE_DATE,
    COMPACT_DATE,
    FULLWIDTH,
    MONTH_DAY,
    SERIAL,
    WARNING,
    Parsed,
    excel_error,
    is_missing,
    join_forms,
    nfkc,
    show_raw,
    unreadable,
)
from .parsenum import cn_number, with_value

EXCEL_EPOCH = dt.datetime(1899, 12, 30)
SERIAL_MIN, SERIAL_MAX = 20000, 80000  # 1954-10-03 … 2119-01-10

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
        return unreadable(
            f"数字“{show_raw(raw)}”不是日期（Excel日期序列号应在{SERIAL_MIN}–{SERIAL_MAX}之间），{_DATE_HINT}"
        )
    if with_time:
        moment = EXCEL_EPOCH + dt.timedelta(seconds=round(float(value) * 86400))
    else:
        moment = EXCEL_EPOCH + dt.timedelta(days=math.floor(value))
    return Parsed(moment, form=join_forms([*forms, SERIAL]))


def _assemble(
    year: int, month: int, day: int, clock: tuple[int, int, int] | None, raw: object, forms: list[str]
) -> Parsed:
    try:
        moment = dt.datetime(year, month, day, *(clock or (0, 0, 0)))
    except ValueError:
        return unreadable(f"日期不存在：“{show_raw(raw)}”，请核对年、月、日", join_forms(forms))
    return Parsed(moment, form=join_forms(forms))


def _when(raw: object, report_year: int, with_time: bool) -> Parsed:
    """Shared reader of dates and date-times; the value is a naive datetime."""
    bad = f"无法识别为日期：“{show_raw(raw)}”，{_DATE_HINT}"
    if is_missing(raw):
        return Parsed(None)
    if isinstance(raw, bool | np.bool_):
        return unreadable(bad)
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
            return unreadable(bad)
        p = _from_serial(float(raw), raw, with_time, [])
    elif isinstance(raw, str):
        if err := excel_error(raw):
            return err
        p = _date_text(raw, report_year, with_time)
    else:  # datetime.time, anything else
        return unreadable(bad)
    if not p.ok or p.level:
        return p
    year = p.value.year
    if MONTH_DAY not in p.form and abs(year - report_year) > 1:
        note = f"日期“{show_raw(raw)}”的年份{year}与报告年度{report_year}相差较大，已保留，请核对"
        return Parsed(p.value, True, WARNING, note, p.form)
    return p


def _date_text(raw: str, report_year: int, with_time: bool) -> Parsed:
    bad = f"无法识别为日期：“{show_raw(raw)}”，{_DATE_HINT}"
    t = nfkc(raw).strip()
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
            return unreadable(bad)
        g = m.groupdict()
        if form.startswith(CHINESE_DATE):
            year = _hanzi_year(g["y"]) if "y" in g else report_year
            month, day = cn_number(g["m"]), cn_number(g["d"])
            if not isinstance(month, int) or not isinstance(day, int):
                return unreadable(bad)
        else:
            year = int(g["y"]) if "y" in g else report_year
            month, day = int(g["m"]), int(g["d"])
        warn = ""
        if pattern is _MDY_RE:
            if month > 12 >= day:  # 24/2/2020 is day/month/year
                month, day, form = day, month, "日/月/年"
            elif month != day and month <= 12 and day <= 12:
                warn = f"“{show_raw(raw)}”按“月/日/年”理解为{year}年{month}月{day}日，请核对"
        p = _assemble(year, month, day, clock if with_time else None, raw, [*forms, *form.split("、")])
        if warn and p.ok:
            return Parsed(p.value, True, WARNING, warn, p.form)
        return p
    return unreadable(bad)


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
    return p if p.value is None else with_value(p, p.value.date())


def parse_datetime(raw: object, report_year: int) -> Parsed:
    """A naive ``datetime.datetime``: the forms of :func:`parse_date` plus a time of day.

    "2020-02-24 14:30", "2020/2/24 14:30:00", "2020-02-24T14:30", "2月24日14时30分",
    "2月24日下午2点半", Excel serials with a fraction (rounded to the second). A date without a
    time is midnight.
    """
    return _when(raw, report_year, with_time=True)
