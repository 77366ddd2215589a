"""Tests for yonggong.parse: raw spreadsheet cells to typed values."""

from __future__ import annotations

import csv
import datetime as dt
import io
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import settings as settings_h
from hypothesis import strategies as st

from yonggong import parse, parsecolumn
from yonggong.parse import (
    Parsed,
    is_missing,
    normalise_header,
    parse_bool,
    parse_list,
    parse_phone,
    parse_text,
    read_csv_rows,
    read_csv_text,
    split_csv_rows,
)
from yonggong.parsecolumn import parse_faults, parse_series, parse_value
from yonggong.parsedate import parse_date, parse_datetime
from yonggong.parsenum import cn_number, parse_int, parse_money, parse_number, parse_rate, parse_salary
from yonggong.reference import settings

YEAR = 2020


def excel_serial(day: dt.date) -> int:
    """Excel's serial number of a date, computed here from its 1899-12-30 epoch."""
    return (day - dt.date(1899, 12, 30)).days


def assert_fine(p: Parsed, value: object, form: str = "") -> None:
    assert p.ok, p
    assert p.level == "", p
    assert p.note == "", p
    assert p.value == value, p
    assert type(p.value) is type(value), p
    assert p.form == form, p


def assert_error(p: Parsed) -> None:
    assert not p.ok, p
    assert p.level == "错误", p
    assert p.value is None, p
    assert p.note, p


# ---------------------------------------------------------------------------------------------
# Headers


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("缺工人数（人）", "缺工人数"),
        ("缺工人数(人)", "缺工人数"),
        ("产能恢复率(%)", "产能恢复率"),
        ("产能恢复率（％）", "产能恢复率"),
        ("企业数[家]", "企业数"),
        ("月薪下限（元/月）", "月薪下限"),
        ("推送人次（人次）", "推送人次"),
        ("人数（单位：人）", "人数"),
        ("县（市、区）", "县(市、区)"),
        ("县(市、区)", "县(市、区)"),
        ("县（市、区）（家）", "县(市、区)"),  # only the one trailing unit goes
        ("缺工人数（人）（人）", "缺工人数(人)"),
        ("员 工\n总 数", "员工总数"),
        ("  缺工\r\n人数　", "缺工人数"),  # ideographic space too
        ("ＡＰＰ推送", "APP推送"),
        ("统一社会信用代码", "统一社会信用代码"),
        ("备注（其他）", "备注(其他)"),  # not a unit: kept
        (None, ""),
        (float("nan"), ""),
        (2020, "2020"),
        (2020.0, "2020"),
    ],
)
def test_normalise_header(raw, expected):
    assert normalise_header(raw) == expected


def test_header_units_are_in_settings():
    units = settings()["header_units"]
    assert {"人", "家", "个", "%", "元", "元/月", "人次", "趟", "趟次", "件", "万元", "天"} <= set(units)


# ---------------------------------------------------------------------------------------------
# Missing values


@pytest.mark.parametrize(
    "raw", [None, float("nan"), np.nan, pd.NA, pd.NaT, "", "  ", "-", "—", "－", "无", "/", "／", "nan"]
)
def test_missing_markers(raw):
    assert is_missing(raw)
    for parser in (parse_int, parse_number, parse_money, parse_rate, parse_salary, parse_text, parse_phone):
        p = parser(raw)
        assert p == Parsed(None), (parser, raw, p)
    assert parse_date(raw, YEAR) == Parsed(None)
    assert parse_datetime(raw, YEAR) == Parsed(None)


@pytest.mark.parametrize("raw", [0, 0.0, "0", "０", "0人"])
def test_zero_is_not_missing(raw):
    assert not is_missing(raw)
    p = parse_int(raw)
    assert p.ok and p.value == 0 and type(p.value) is int


def test_every_settings_marker_is_missing():
    for marker in settings()["missing_markers"]:
        assert is_missing(marker), marker
        assert is_missing(f" {marker} "), marker


# ---------------------------------------------------------------------------------------------
# Chinese numerals


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("一百二十", 120),
        ("壹佰贰拾", 120),
        ("两百", 200),
        ("十", 10),
        ("二十五", 25),
        ("一点二万", 12000),
        ("1.2万", 12000),
        ("3万", 30000),
        ("一万二千", 12000),
        ("十万", 100000),
        ("一点五", 1.5),
        ("零", 0),
        ("120", 120),
    ],
)
def test_cn_number(text, expected):
    value = cn_number(text)
    assert value == expected
    assert type(value) is type(expected)


@pytest.mark.parametrize("text", ["abc", "万", "十五人", "", "点五", None, 12])
def test_cn_number_never_raises(text):
    assert cn_number(text) is None


# ---------------------------------------------------------------------------------------------
# Integers and numbers


@pytest.mark.parametrize(
    ("raw", "value", "form"),
    [
        (120, 120, ""),
        (np.int64(120), 120, ""),
        (120.0, 120, ""),
        ("120", 120, ""),
        ("120.0", 120, ""),
        (" 1 200 ", 1200, ""),
        ("１２０", 120, "全角数字"),
        ("120人", 120, "带单位"),
        ("35家", 35, "带单位"),
        ("12人次", 12, "带单位"),
        ("1,200", 1200, "千分位"),
        ("1，200", 1200, "千分位"),
        ("１，２００人", 1200, "全角数字、带单位、千分位"),
        ("一百二十", 120, "中文数字"),
        ("壹佰贰拾", 120, "中文数字"),
        ("两百", 200, "中文数字"),
        ("二十五人", 25, "带单位、中文数字"),
        ("1.2万", 12000, "万"),
        ("3万人", 30000, "带单位、万"),
        ("一点二万", 12000, "中文数字、万"),
    ],
)
def test_parse_int_forms(raw, value, form):
    assert_fine(parse_int(raw), value, form)


@pytest.mark.parametrize(
    "raw", ["abc", 120.5, "120.5", "1.00005万", True, "#REF!", "1,2", float("inf"), dt.date(2020, 2, 24)]
)
def test_parse_int_errors(raw):
    assert_error(parse_int(raw))


def test_parse_int_note_is_chinese_and_says_what_to_do():
    p = parse_int("abc")
    assert "abc" in p.note and "整数" in p.note and "请" in p.note


@pytest.mark.parametrize(
    ("raw", "value"), [("120余人", 120), ("约100人", 100), ("100人左右", 100), ("200多", 200)]
)
def test_parse_int_about_figures_warn(raw, value):
    p = parse_int(raw)
    assert p.ok and p.level == "警告" and p.value == value and "约数" in p.form


@pytest.mark.parametrize(
    ("raw", "value", "form"),
    [
        ("12.5", 12.5, ""),
        (12.5, 12.5, ""),
        (7, 7.0, ""),
        ("１２.５", 12.5, "全角数字"),
        ("3,500.5", 3500.5, "千分位"),
        ("1.2万", 12000.0, "万"),
        ("四十五点五", 45.5, "中文数字"),
    ],
)
def test_parse_number(raw, value, form):
    assert_fine(parse_number(raw), value, form)


@pytest.mark.parametrize(
    ("raw", "value", "form"),
    [
        (3500, 3500.0, ""),
        ("3500元", 3500.0, "带单位"),
        ("3,500", 3500.0, "千分位"),
        ("1.2万元", 12000.0, "带单位、万"),
        ("3.5千", 3500.0, "千"),
        ("3.5k", 3500.0, "k"),
    ],
)
def test_parse_money(raw, value, form):
    assert_fine(parse_money(raw), value, form)


# ---------------------------------------------------------------------------------------------
# Rates


@pytest.mark.parametrize(
    ("raw", "value", "form"),
    [
        ("85%", 85.0, ""),
        ("85％", 85.0, ""),
        ("85.5 %", 85.5, ""),
        (85, 85.0, ""),
        ("85", 85.0, ""),
        (0.85, 85.0, "小数比例"),  # a percent-formatted Excel cell
        (np.float64(0.855), 85.5, "小数比例"),
        (1.0, 1.0, ""),  # not strictly between 0 and 1: taken as 1 %
        (1, 1.0, ""),
        (0, 0.0, ""),
        ("0%", 0.0, ""),
        ("100%", 100.0, ""),
        ("八十五%", 85.0, "中文数字"),
        ("百分之八十五", 85.0, "中文数字"),
    ],
)
def test_parse_rate(raw, value, form):
    assert_fine(parse_rate(raw), value, form)


def test_parse_rate_text_fraction_warns():
    p = parse_rate("0.85")
    assert p.ok and p.level == "警告" and p.value == 0.85 and "85%" in p.note


@pytest.mark.parametrize("raw", ["120%", 120, 1.2e2, "101"])
def test_parse_rate_above_limit_warns(raw):
    assert settings()["rate_warn_above"] == 100
    p = parse_rate(raw)
    assert p.ok and p.level == "警告" and p.value > 100 and p.note


@pytest.mark.parametrize("raw", ["-5%", -5, -0.1, "abc", "%%"])
def test_parse_rate_errors(raw):
    assert_error(parse_rate(raw))


# ---------------------------------------------------------------------------------------------
# Salaries


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        ("3500-5000", (3500.0, 5000.0)),
        ("3500～5000", (3500.0, 5000.0)),
        ("3500~5000元", (3500.0, 5000.0)),
        ("3500至5000", (3500.0, 5000.0)),
        ("3500—5000", (3500.0, 5000.0)),
        ("3500元-5000元/月", (3500.0, 5000.0)),
        (" 3500 - 5000 ", (3500.0, 5000.0)),
        ("5000以上", (5000.0, None)),
        ("5000元以上", (5000.0, None)),
        ("5000起", (5000.0, None)),
        ("3000以下", (None, 3000.0)),
        ("面议", (None, None)),
        ("薪资面议", (None, None)),
        ("4000", (4000.0, 4000.0)),
        (4000, (4000.0, 4000.0)),
        (4000.0, (4000.0, 4000.0)),
        ("3.5k-5k", (3500.0, 5000.0)),
        ("4千-6千", (4000.0, 6000.0)),
        ("3-5千", (3000.0, 5000.0)),
        ("0.8-1万", (8000.0, 10000.0)),
    ],
)
def test_parse_salary(raw, value):
    p = parse_salary(raw)
    assert p.ok and p.level == "" and p.value == value, p


def test_parse_salary_forms():
    assert parse_salary("面议").form == "面议"
    assert parse_salary("5000以上").form == "以上"
    assert parse_salary("3500-5000").form == ""


def test_parse_salary_reversed_range_warns():
    p = parse_salary("5000-3500")
    assert p.ok and p.level == "警告" and p.value == (5000.0, 3500.0)


@pytest.mark.parametrize("raw", ["abc", "3500-abc", "-3500", True])
def test_parse_salary_errors(raw):
    assert_error(parse_salary(raw))


# ---------------------------------------------------------------------------------------------
# Dates and times

D = dt.date(2020, 2, 24)


@pytest.mark.parametrize(
    ("raw", "form"),
    [
        (D, ""),
        (dt.datetime(2020, 2, 24, 9, 30), ""),
        (pd.Timestamp("2020-02-24 09:30"), ""),
        (np.datetime64("2020-02-24"), ""),
        (excel_serial(D), "Excel序列号"),
        (float(excel_serial(D)), "Excel序列号"),
        (excel_serial(D) + 0.75, "Excel序列号"),  # time part dropped
        (np.int64(excel_serial(D)), "Excel序列号"),
        (str(excel_serial(D)), "Excel序列号"),
        (f"{excel_serial(D)}.0", "Excel序列号"),
        ("2020-02-24", ""),
        ("2020/2/24", ""),
        ("2020.2.24", ""),
        ("2020年2月24日", ""),
        ("2020 年 2 月 24 日", ""),
        ("2月24日", "月日(补年份)"),
        ("2月24号", "月日(补年份)"),
        ("2/24", "月日(补年份)"),
        ("20200224", "8位数字日期"),
        (20200224, "8位数字日期"),
        ("2020-02-24 14:30", ""),
        ("2020/2/24 14:30:00", ""),
        ("2020-02-24T14:30:00", ""),
        ("2020年2月24日14时30分", ""),
        ("２０２０－０２－２４", "全角数字"),
        ("二〇二〇年二月二十四日", "中文日期"),
        ("2/24/2020", "月/日/年"),
        ("24/2/2020", "日/月/年"),
    ],
)
def test_parse_date_forms(raw, form):
    assert_fine(parse_date(raw, YEAR), D, form)


def test_excel_serial_is_counted_from_1899_12_30():
    for day in (dt.date(2020, 1, 1), dt.date(2020, 3, 1), dt.date(2021, 12, 31)):
        serial = excel_serial(day)
        assert parse_date(serial, day.year).value == day
        assert parse_date(str(serial), day.year).value == day
    assert excel_serial(D) == 43885
    assert parse_date(43885, YEAR).value == D


def test_month_day_takes_the_report_year():
    assert parse_date("2月24日", 2021).value == dt.date(2021, 2, 24)
    assert parse_date("12月31日", 2019).value == dt.date(2019, 12, 31)


@pytest.mark.parametrize(
    "raw",
    [
        "2020-02-30",
        "2020年2月30日",
        "2月30日",
        "20200230",
        "2020-13-01",
        "12345",
        10,
        99999,
        "abc",
        "2020-02-24 abc",
        "2020-02-24至2020-02-26",
        dt.time(10, 0),
        True,
        "#N/A",
    ],
)
def test_parse_date_errors(raw):
    assert_error(parse_date(raw, YEAR))


def test_parse_date_impossible_note():
    assert "日期不存在" in parse_date("2020-02-30", YEAR).note


def test_parse_date_far_year_warns():
    p = parse_date("2002-02-24", YEAR)
    assert p.ok and p.level == "警告" and p.value == dt.date(2002, 2, 24)
    assert parse_date("2019-12-31", YEAR).level == ""


@pytest.mark.parametrize(
    ("raw", "expected", "form"),
    [
        ("2020-02-24 14:30", dt.datetime(2020, 2, 24, 14, 30), ""),
        ("2020/2/24 14:30:00", dt.datetime(2020, 2, 24, 14, 30), ""),
        ("2020-02-24T14:30:15", dt.datetime(2020, 2, 24, 14, 30, 15), ""),
        ("2020-02-24 14:30:15.123", dt.datetime(2020, 2, 24, 14, 30, 15), ""),
        ("2020年2月24日 14:30", dt.datetime(2020, 2, 24, 14, 30), ""),
        ("2月24日14时30分", dt.datetime(2020, 2, 24, 14, 30), "月日(补年份)"),
        ("2月24日14时", dt.datetime(2020, 2, 24, 14, 0), "月日(补年份)"),
        ("2月24日下午2点半", dt.datetime(2020, 2, 24, 14, 30), "月日(补年份)"),
        ("2020-02-24", dt.datetime(2020, 2, 24), ""),
        (D, dt.datetime(2020, 2, 24), ""),
        (dt.datetime(2020, 2, 24, 14, 30), dt.datetime(2020, 2, 24, 14, 30), ""),
        (pd.Timestamp("2020-02-24 14:30"), dt.datetime(2020, 2, 24, 14, 30), ""),
        (excel_serial(D) + 14.5 / 24, dt.datetime(2020, 2, 24, 14, 30), "Excel序列号"),
        (str(excel_serial(D) + 0.25), dt.datetime(2020, 2, 24, 6, 0), "Excel序列号"),
    ],
)
def test_parse_datetime(raw, expected, form):
    assert_fine(parse_datetime(raw, YEAR), expected, form)


@pytest.mark.parametrize("raw", ["2020-02-24 25:00", "2020-02-24 14:61", "2020-02-30 10:00", "14:30"])
def test_parse_datetime_errors(raw):
    assert_error(parse_datetime(raw, YEAR))


def test_parse_date_ignores_a_time_but_checks_it():
    assert parse_date("2020-02-24 14:30", YEAR).value == D
    assert_error(parse_date("2020-02-24 25:99", YEAR))


# ---------------------------------------------------------------------------------------------
# Yes/no


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        ("是", True),
        ("否", False),
        ("有", True),
        ("无", False),
        ("Y", True),
        ("N", False),
        ("y", True),
        ("√", True),
        ("×", False),
        ("1", True),
        ("0", False),
        (1, True),
        (0, False),
        (1.0, True),
        (0.0, False),
        ("TRUE", True),
        ("FALSE", False),
        ("true", True),
        ("False", False),
        (True, True),
        (False, False),
        (np.bool_(True), True),
        (" 是 ", True),
        ("Ｙ", True),
        ("ＹＥＳ", True),
    ],
)
def test_parse_bool(raw, value):
    assert_fine(parse_bool(raw), value)


def test_parse_bool_every_settings_form():
    for v in settings()["yes_values"]:
        assert parse_bool(v).value is True, v
    for v in settings()["no_values"]:
        assert parse_bool(v).value is False, v


def test_parse_bool_wu_is_no_not_missing():
    assert is_missing("无")
    assert parse_bool("无") == Parsed(False)
    assert parse_int("无") == Parsed(None)


@pytest.mark.parametrize("raw", [None, "", "-", "/", float("nan")])
def test_parse_bool_missing(raw):
    assert parse_bool(raw) == Parsed(None)


@pytest.mark.parametrize("raw", ["maybe", "是否", 2, 0.5, "#REF!"])
def test_parse_bool_errors(raw):
    assert_error(parse_bool(raw))


# ---------------------------------------------------------------------------------------------
# Lists, text, phones


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        (
            "南昌、九江,赣州，吉安;抚州；上饶/宜春 新余",
            ("南昌", "九江", "赣州", "吉安", "抚州", "上饶", "宜春", "新余"),
        ),
        (" 湖南 、、 湖北 ", ("湖南", "湖北")),
        ("湖南", ("湖南",)),
        ("-", None),
        (None, None),
    ],
)
def test_parse_list(raw, value):
    assert_fine(parse_list(raw), value)


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        ("  江西某某  有限公司\n", "江西某某 有限公司"),
        ("第一段\r\n\r\n第二段", "第一段 第二段"),
        ("ＡＢＣ（全角）", "ＡＢＣ（全角）"),  # no NFKC on text
        (12345.0, "12345"),
        (12345, "12345"),
        (12.5, "12.5"),
        ("无", None),
        ("—", None),
    ],
)
def test_parse_text(raw, value):
    assert_fine(parse_text(raw), value)


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        ("13812345678", "13812345678"),
        (13812345678, "13812345678"),
        (13812345678.0, "13812345678"),
        ("138 1234 5678", "13812345678"),
        ("138-1234-5678", "13812345678"),
        ("+86 13812345678", "13812345678"),
        ("１３８１２３４５６７８", "13812345678"),
        ("0791-86658291", "0791-86658291"),
        ("0791 86658291", "0791-86658291"),
        ("(0791)86658291", "0791-86658291"),
        ("（0791）86658291", "0791-86658291"),
        ("079186658291", "0791-86658291"),
        ("010-62345678", "010-62345678"),
        ("0791-86658291转801", "0791-86658291-801"),
    ],
)
def test_parse_phone(raw, value):
    assert_fine(parse_phone(raw), value)


@pytest.mark.parametrize(
    ("raw", "kept"),
    [
        ("86658291", "86658291"),
        (86658291.0, "86658291"),
        ("1381234567", "1381234567"),
        ("13812345678/13912345678", "13812345678/13912345678"),
        ("找王主任", "找王主任"),
        ("23812345678", "23812345678"),
    ],
)
def test_parse_phone_odd_values_warn_and_are_kept(raw, kept):
    p = parse_phone(raw)
    assert p.ok and p.level == "警告" and p.value == kept and p.note


# ---------------------------------------------------------------------------------------------
# Whole columns


def test_parse_series_mixed_int_column():
    raw = pd.Series(
        ["120", "１２０", "120人", None, "abc", 5, 7.0, True, 1, "-", 1.5, "1,200", "0", "一百二十"],
        index=[f"r{i}" for i in range(14)],
        dtype=object,
    )
    values, problems = parse_series(raw, "int", YEAR)
    assert str(values.dtype) == "Int64"
    assert values.index.equals(raw.index)
    expected = [120, 120, 120, None, None, 5, 7, None, 1, None, None, 1200, 0, 120]
    assert [None if v is pd.NA else v for v in values.tolist()] == expected
    assert list(problems.columns) == ["index", "level", "note", "raw", "form"]
    assert problems["index"].tolist() == ["r1", "r2", "r4", "r7", "r10", "r11", "r13"]
    errors = problems[problems["level"] == "错误"]
    assert errors["index"].tolist() == ["r4", "r7", "r10"]  # abc, True (not 1), 1.5
    assert errors["raw"].tolist() == ["abc", True, 1.5]
    forms = dict(zip(problems["index"], problems["form"], strict=True))
    assert forms["r1"] == "全角数字" and forms["r2"] == "带单位" and forms["r11"] == "千分位"
    assert forms["r13"] == "中文数字"


def test_parse_series_dates_and_dtypes():
    serial = excel_serial(D)
    raw = pd.Series([serial, "2020-02-24", "2月25日", "2020-02-30", None, D], index=[10, 20, 30, 40, 50, 60])
    values, problems = parse_series(raw, "date", YEAR)
    assert values.dtype == object
    assert values.tolist() == [D, D, dt.date(2020, 2, 25), None, None, D]
    assert problems["index"].tolist() == [10, 30, 40]
    assert problems["level"].tolist() == ["", "", "错误"]
    assert problems["form"].tolist() == ["Excel序列号", "月日(补年份)", ""]


def test_parse_series_datetime64_column():
    raw = pd.Series(pd.to_datetime(["2020-02-24", None, "2020-02-25"]))
    values, problems = parse_series(raw, "date", YEAR)
    assert values.tolist() == [D, None, dt.date(2020, 2, 25)]
    assert problems.empty


@pytest.mark.parametrize(
    ("kind", "raw", "dtype", "expected"),
    [
        ("number", ["12.5", "1.2万", None], "Float64", [12.5, 12000.0, None]),
        ("money", ["3500元", 4000, "-"], "Float64", [3500.0, 4000.0, None]),
        ("rate", ["85%", 0.5, None], "Float64", [85.0, 50.0, None]),
        ("bool", ["是", "无", None, 1], "boolean", [True, False, None, True]),
        ("salary", ["3500-5000", "面议", None], "object", [(3500.0, 5000.0), (None, None), None]),
        ("list", ["湖南、湖北", None], "object", [("湖南", "湖北"), None]),
        ("text", [" a  b ", 12345.0, None], "object", ["a b", "12345", None]),
        ("phone", [13812345678.0, "0791 86658291"], "object", ["13812345678", "0791-86658291"]),
        ("datetime", ["2020-02-24 14:30", None], "object", [dt.datetime(2020, 2, 24, 14, 30), None]),
    ],
)
def test_parse_series_kinds(kind, raw, dtype, expected):
    values, _ = parse_series(pd.Series(raw, dtype=object), kind, YEAR)
    assert str(values.dtype) == dtype
    assert [None if v is pd.NA else v for v in values.tolist()] == expected


def test_parse_series_parses_each_distinct_value_once(monkeypatch):
    calls = []
    real = parsecolumn.PARSERS["int"]

    def counting(raw, year):
        calls.append(raw)
        return real(raw, year)

    monkeypatch.setitem(parsecolumn.PARSERS, "int", counting)
    raw = pd.Series(["120人", "abc", "7", None] * 50_000)
    values, problems = parse_series(raw, "int", YEAR)
    assert sorted(calls) == ["120人", "7", "abc"]  # NA cells never reach the parser
    assert len(values) == 200_000 and values.iloc[-2] == 7 and values.isna().sum() == 100_000
    assert len(problems) == 100_000  # every 带单位 and every bad row is listed
    assert problems["index"].tolist()[:4] == [0, 1, 4, 5]


def test_parse_series_no_problems_gives_empty_frame():
    values, problems = parse_series(pd.Series(["1", "2"]), "int", YEAR)
    assert values.tolist() == [1, 2]
    assert problems.empty and list(problems.columns) == ["index", "level", "note", "raw", "form"]


def test_parse_series_unknown_kind():
    with pytest.raises(ValueError):
        parse_series(pd.Series(["1"]), "uscc", YEAR)
    with pytest.raises(ValueError):
        parse_value("1", "nonsense", YEAR)
    assert parse_value("2月24日", "date", YEAR).value == D


# ---------------------------------------------------------------------------------------------
# CSV files

CSV_TEXT = (
    '县区,企业名称,缺工人数（人）\r\n南昌县,江西赣鄱电子有限公司,１２０\r\n赣县区,"某某,有限公司",—\r\n'
)
CSV_ROWS = [
    ["县区", "企业名称", "缺工人数（人）"],
    ["南昌县", "江西赣鄱电子有限公司", "１２０"],
    ["赣县区", "某某,有限公司", "—"],
]


@pytest.mark.parametrize(
    ("encoding", "expected"),
    [("utf-8", "utf-8"), ("utf-8-sig", "utf-8-sig"), ("gb18030", "gb18030"), ("gbk", "gb18030")],
)
def test_read_csv_encodings(tmp_path, encoding, expected):
    path = tmp_path / f"t-{encoding}.csv"
    path.write_bytes(CSV_TEXT.encode(encoding))
    text, found = read_csv_text(path)
    assert found == expected
    assert text == CSV_TEXT
    rows, found = read_csv_rows(path)
    assert found == expected
    assert rows == CSV_ROWS


def test_gb18030_bytes_are_not_valid_utf8():
    # Guards the test above: a GB file must really exercise the fallback.
    with pytest.raises(UnicodeDecodeError):
        CSV_TEXT.encode("gb18030").decode("utf-8")


def test_read_csv_rows_sep_line_and_tabs(tmp_path):
    semi = tmp_path / "semi.csv"
    semi.write_text("sep=;\n县区;人数\n南昌县;5\n", encoding="utf-8")
    assert read_csv_rows(semi)[0] == [["县区", "人数"], ["南昌县", "5"]]
    tabs = tmp_path / "tabs.csv"
    tabs.write_text("县区\t人数\n南昌县\t5\n", encoding="utf-8")
    assert read_csv_rows(tabs)[0] == [["县区", "人数"], ["南昌县", "5"]]


def test_read_csv_undecodable(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_bytes(b"\x80\xff\xfe\x00abc")
    with pytest.raises(ValueError, match="编码"):
        read_csv_text(path)


def test_parsed_is_frozen():
    p = Parsed(1)
    with pytest.raises(AttributeError):
        p.value = 2  # type: ignore[misc]
    assert math.isclose(parse_number("1.2万").value, 12000.0)


def test_csv_rows_are_separate_lists_whose_equal_cells_share_one_string():
    rows = split_csv_rows("县区,人数\n南昌县,5\n南昌县,5\n\n进贤县,\n")
    assert rows == [["县区", "人数"], ["南昌县", "5"], ["南昌县", "5"], [], ["进贤县", ""]]
    assert rows[1][0] is rows[2][0]  # a million rows repeat their counties: one string each
    rows[1][0] = "新建区"
    assert rows[2] == ["南昌县", "5"]


@settings_h(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["a", "县", ",", '"', "\r", "\n", "\r\n", "\t", "\u2028", "\x85", ""]), max_size=40),
       st.integers(min_value=1, max_value=8))
def test_csv_lines_in_blocks_are_the_lines_of_one_stringio(parts, size):
    # the reference: what csv.reader was given before, one StringIO over the whole text
    text = "".join(parts)
    assert list(parse._lines(text, 0, size)) == list(io.StringIO(text, newline=""))
    commas = text.replace("\t", " ")  # (a tab in the first line would make it a tab-separated file)
    assert split_csv_rows(commas) == list(csv.reader(io.StringIO(commas, newline="")))


def test_sep_line_and_a_quoted_line_break_across_blocks(monkeypatch):
    text = 'sep=;\r\n县区;说明\r\n南昌县;"第一行\r\n第二行"\r\n进贤县;x\r'
    expected = [["县区", "说明"], ["南昌县", "第一行\r\n第二行"], ["进贤县", "x"]]
    assert split_csv_rows(text) == expected
    real = parse._lines
    monkeypatch.setattr(parse, "_lines", lambda t, start=0: real(t, start, size=1))
    assert split_csv_rows(text) == expected


def test_parse_faults_lists_the_rows_with_a_level_in_input_order_and_not_the_forms():
    s = pd.Series(["12", "abc", None, "1,200人", "abc", "-5", 12.5], index=[5, 6, 7, 8, 9, 10, 11])
    values, faults = parse_faults(s, "int", 2020)
    assert values.tolist() == [12, pd.NA, pd.NA, 1200, pd.NA, -5, pd.NA]
    assert [(idx, level) for idx, level, _note in faults] == [(6, "错误"), (9, "错误"), (11, "错误")]
    assert "abc" in faults[0][2] and "12.5" in faults[2][2]  # 1,200人 has a form (units), no level
    _, problems = parse_series(s, "int", 2020)
    assert problems["index"].tolist() == [6, 8, 9, 11]
