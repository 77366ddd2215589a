"""The planned mess of the sample: ``day_books`` lays out one city-day's files and plants the
variations and faults of ``MESS_PLAN`` into them (``Mess``, one mutator per kind of mess), each
recorded as a ``Plant`` for planted.json.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from .. import codes
from ..reference import resolve_county
from .sample_model import CODE_CHARS, TOTAL_COLUMNS, Book, Plant, Sheet, kind_of
from .sample_world import CityWorld

EXCEL_EPOCH = date(1899, 12, 30)


def day_books(world: CityWorld, d: int) -> list[Book]:
    """The files of day ``d`` of ``world``, with the planned mess applied."""
    rows = {t: world.rows(t, d) for t in world.schedule[d]}
    rng = random.Random(f"{world.seed}/{world.city.code}/{world.days[d].isoformat()}")
    books = world.layout(d, rows, rng)
    mess = Mess(world, d, books, rng)
    for _, day, name, table, column, arg in world.plan:
        if day == d and name in MUTATORS:
            MUTATORS[name](mess, name, table, column, arg)
    return books


def _cn_numeral(n: int) -> str:
    """Write 1–9999 in Chinese numerals: 120 → 一百二十, 105 → 一百零五, 12 → 十二."""
    digits = "零一二三四五六七八九"
    out, zero = "", False
    for value, unit in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        q, n = divmod(n, value)
        if q:
            out += ("零" if zero else "") + digits[q] + unit
            zero = False
        elif out:
            zero = True
    return out[1:] if out.startswith("一十") else out


def _fullwidth(text: str) -> str:
    """Full-width digits: 120 → １２０."""
    return "".join(chr(0xFF10 + int(c)) if c.isdigit() else c for c in text)


@dataclass
class Mess:
    """Plants variations and faults into one city-day's sheets and records where."""

    world: CityWorld
    d: int
    books: list[Book]
    rng: random.Random

    @property
    def day(self) -> date:
        return self.world.days[self.d]

    def sheet(self, table: str) -> Sheet:
        """The first sheet of ``table`` in the day's files."""
        for book in self.books:
            for sheet in book.sheets:
                if sheet.table == table:
                    return sheet
        raise LookupError(f"{self.world.city.name} day {self.d}: no table {table} to plant into")

    def pick(self, sheet: Sheet, column: str, ok: Callable[[object], bool], n: int = 1) -> list[int]:
        """``n`` random rows, not yet planted, whose ``column`` value passes ``ok``."""
        taken = {p.row for p in sheet.plants}
        found = [i for i, r in enumerate(sheet.rows) if i not in taken and ok(r.get(column))]
        if len(found) < n:
            raise LookupError(f"{self.world.city.name} day {self.d}: no row of {sheet.table} fits {column}")
        return sorted(self.rng.sample(found, n))

    def plant(self, sheet: Sheet, row: int, column: str, value: object, mess: str, expected: object = ...) -> None:
        """Write ``value`` into a cell and record it (``expected`` defaults to the old value)."""
        old = sheet.rows[row].get(column)
        sheet.rows[row][column] = value
        sheet.plants.append(Plant(row, column, kind_of(mess), old if expected is ... else expected))


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


NUMBER_FORMS: dict[str, tuple[Callable[[int], bool], Callable[[int, object], object]]] = {
    "number_unit": (lambda v: v >= 1, lambda v, arg: f"{v}{arg}"),
    "fullwidth_digits": (lambda v: v >= 10, lambda v, arg: _fullwidth(str(v))),
    "thousands_sep": (lambda v: v >= 1000, lambda v, arg: f"{v:,}"),
    "chinese_numeral": (lambda v: 11 <= v <= 9999, lambda v, arg: _cn_numeral(v)),
    "wan": (lambda v: v >= 10000 and v % 1000 == 0, lambda v, arg: f"{v / 10000:g}万"),
    "percent_unit": (lambda v: v >= 1, lambda v, arg: f"{v}%"),
}
DATE_FORMS: dict[str, Callable[[date], object]] = {
    "date_slash": lambda v: f"{v.year}/{v.month}/{v.day}",
    "date_dot": lambda v: f"{v.year}.{v.month}.{v.day}",
    "date_cjk": lambda v: f"{v.year}年{v.month}月{v.day}日",
    "date_month_day": lambda v: f"{v.month}月{v.day}日",
    "date_serial": lambda v: (v - EXCEL_EPOCH).days,
}
BOOL_FORMS = {"bool_check": ("√", "×"), "bool_yn": ("Y", "N"), "bool_youwu": ("有", "无"), "bool_10": (1, 0)}


def _m_number(m: Mess, name: str, table: str, column: str, arg: object) -> None:
    ok, write = NUMBER_FORMS[name]
    sheet = m.sheet(table)
    for i in m.pick(sheet, column, lambda v: _is_int(v) and ok(v), n=2 if name != "wan" else 1):
        m.plant(sheet, i, column, write(sheet.rows[i][column], arg), name)


def _m_date(m: Mess, name: str, table: str, column: str, arg: object) -> None:
    sheet = m.sheet(table)
    for i in m.pick(sheet, column, lambda v: isinstance(v, date) and not isinstance(v, datetime), n=2):
        m.plant(sheet, i, column, DATE_FORMS[name](sheet.rows[i][column]), name)


def _m_bool(m: Mess, name: str, table: str, column: str, arg: object) -> None:
    yes, no = BOOL_FORMS[name]
    sheet = m.sheet(table)
    for i in m.pick(sheet, column, lambda v: v in ("是", "否"), n=2):
        m.plant(sheet, i, column, yes if sheet.rows[i][column] == "是" else no, name,
                expected=sheet.rows[i][column] == "是")


def _m_missing(m: Mess, name: str, table: str, column: str, arg: object) -> None:
    sheet = m.sheet(table)
    m.plant(sheet, m.pick(sheet, column, _is_int)[0], column, arg, name, expected=None)


def _m_county(m: Mess, name: str, table: str, column: str, arg: object) -> None:
    county = resolve_county(arg, m.world.city).county
    sheet = m.sheet(table)
    m.plant(sheet, m.pick(sheet, column, lambda v: v == county.name)[0], column, arg, name)


def _m_total(m: Mess, name: str, table: str, column: str, arg: object) -> None:
    sheet = m.sheet(table)
    total = {c: sum(r[c] for r in sheet.rows) for c in TOTAL_COLUMNS if c in sheet.columns}
    total[sheet.columns[0]] = "合计"
    sheet.rows.append(total)
    row = len(sheet.rows) - 1
    if name == "total_mismatch":
        m.plant(sheet, row, column, total[column] + m.rng.randint(12, 60), name)
    else:
        sheet.plants.append(Plant(row, column, kind_of(name), None))


def _m_append(m: Mess, name: str, table: str, column: str, arg: object) -> None:
    """An exact duplicate row, or a row of an enterprise that is not on the list."""
    sheet = m.sheet(table)
    if name == "duplicate_row":
        row = dict(sheet.rows[m.pick(sheet, column, bool)[0]])
    else:
        row = m.world.ledger_row(m.world.outsider, m.day)
        row["序号"] = len(sheet.rows) + 1
    sheet.rows.append(row)
    sheet.plants.append(Plant(len(sheet.rows) - 1, column, kind_of(name), None))


def _m_ledger_value(m: Mess, name: str, table: str, column: str, arg: object) -> None:
    """Impossible values in the ledger: 在岗 > 员工总数, negative shortage, rate 120."""
    sheet = m.sheet(table)
    i = m.pick(sheet, column, lambda v: _is_int(v) and v > 0)[0]
    row = sheet.rows[i]
    if name == "on_duty_exceeds_total":
        value = row["员工总数"] + m.rng.randint(5, 40)
    elif name == "negative_shortage":
        value = -row[column]
    elif name == "rate_above_100":
        value = 120
    else:  # vacancy_sum_mismatch
        value = row[column] + m.rng.randint(3, 9)
    m.plant(sheet, i, column, value, name)


def _m_code(m: Mess, name: str, table: str, column: str, arg: object) -> None:
    """A credit code or ID number typed wrong: check character, lower case, 15-digit ID."""
    sheet = m.sheet(table)
    ok = (lambda v: any(c.isalpha() for c in v)) if name == "uscc_lowercase" else bool
    i = m.pick(sheet, column, ok)[0]
    value = sheet.rows[i][column]
    if name == "uscc_check":
        wrong = CODE_CHARS[(CODE_CHARS.index(value[17]) + m.rng.randint(1, 30)) % 31]
    elif name == "idno_check":
        wrong = codes.ID_CHECK[(codes.ID_CHECK.index(value[17]) + m.rng.randint(1, 10)) % 11]
    new = {"uscc_check": lambda: value[:17] + wrong, "uscc_lowercase": value.lower,
           "idno_check": lambda: value[:17] + wrong, "idno_15digit": lambda: value[:6] + value[8:17]}[name]()
    m.plant(sheet, i, column, new, name)


def _m_adjust_reason(m: Mess, name: str, table: str, column: str, arg: object) -> None:
    sheet = m.sheet(table)
    m.plant(sheet, m.pick(sheet, "状态", lambda v: v == "调出")[0], column, None, name)


def _m_conflict(m: Mess, name: str, table: str, column: str, arg: object) -> None:
    """The ledger row of one enterprise sent again in a later correction file with other values."""
    sheet = m.sheet(table)
    i = m.pick(sheet, column, lambda v: _is_int(v) and v >= 30)[0]
    fixed = dict(sheet.rows[i], 序号=1)
    true = fixed[column]
    m.plant(sheet, i, column, true - m.rng.randint(5, 25), "conflict_superseded", expected=true)
    titles = [f"{m.world.city.full_name}重点企业用工台账（更正）"] if sheet.titles else []
    fix = Sheet(table, "更正", sheet.columns, [fixed], sheet.labels, titles, sheet.groups)
    fix.plants.append(Plant(0, column, kind_of("conflict_winner"), true))
    m.books.append(Book(f"{m.world.city.name}台账更正_{m.day.month:02d}{m.day.day:02d}.xlsx", [fix],
                        clock=(16, 30)))


MUTATORS: dict[str, Callable[[Mess, str, str, str, object], None]] = {
    **{k: _m_number for k in NUMBER_FORMS}, **{k: _m_date for k in DATE_FORMS},
    **{k: _m_bool for k in BOOL_FORMS}, "missing_marker": _m_missing,
    "county_former_name": _m_county, "county_padded": _m_county,
    "total_row": _m_total, "total_mismatch": _m_total,
    "duplicate_row": _m_append, "not_on_list": _m_append,
    "on_duty_exceeds_total": _m_ledger_value, "negative_shortage": _m_ledger_value,
    "rate_above_100": _m_ledger_value, "vacancy_sum_mismatch": _m_ledger_value,
    "uscc_check": _m_code, "uscc_lowercase": _m_code, "idno_check": _m_code, "idno_15digit": _m_code,
    "missing_adjust_reason": _m_adjust_reason, "conflict": _m_conflict,
}

