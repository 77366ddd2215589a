"""Deterministic synthetic sample inbox for Jiangxi's 11 cities (``invoke sample``).

``generate(out_dir)`` writes ``out_dir/<city>/<YYYY-MM-DD>/*.xlsx|*.csv`` for every city and
every day of ``settings()["sample"]`` and ``out_dir/planted.json``: the deliberate "mess"
planted in the files, each with the file name, sheet name ("" for a CSV), the row number as
Excel shows it, the column header as written, the kind and the value as written. Kinds are
``form:<what>`` for valid but unusual forms a reader must parse (``1,200``, ``2020年2月24日``,
a 合计 row, a GB18030 CSV …) and ``fault:<rule>`` for genuine faults a validator must report.
``expected`` holds the clean value behind a form (or the true value behind a fault). File-level
entries (encoding, a table split across files) have ``excel_row`` and ``column`` null.

How it works: a small simulation per city keeps a state for each key enterprise (staff,
staff on duty, shortage, vacancies by job) and moves it day by day as placements (table D)
come in: shortage(D) = shortage(D-1) - placements(D) + occasional new demand. Each day's
tables A–M are built as rows of canonical columns (``params/tables.yaml``), laid out into
sheets and workbooks in the city's own style (title rows, header aliases, a two-row header,
CSV), then the planned mess of ``MESS_PLAN`` is applied and recorded. Every random choice
comes from ``random.Random`` seeded by (seed, city) or (seed, city, day), xlsx files go
through ``xlsxio.save_workbook`` and modification times are fixed, so the same seed gives
byte-identical files with identical times.

Table J (求助受理) is sent every day and follows the report period W(D) = (D-1 cut-off,
D cut-off] (settings ``period_cutoff``): folder D lists the requests received in W(D) with
their status at D's cut-off (已办结 with 办结时间, or 办理中 with 办结时间 blank), plus earlier
requests closed within W(D), sent again under the same 编号 (QZ<受理日期><seq>) as 已办结.
Merged by 编号 (newest folder wins) the folders give one row per request. Requests come from
a generator of their own per (seed, city, day). planted.json has one file-level entry per
city (``form:request_status_update``, on the first day's J workbook) with the week's counts
and the 编号 sent again (received folder, closed folder).

Word lists (enterprise names, people's names, jobs, origins, practice texts) live in
``params/sample_names.yaml``. Enterprises, people, ID numbers and phone numbers are made up.
"""

from __future__ import annotations

import csv
import json
import math
import os
import random
import shutil
import sys
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from .. import codes
from ..indicators import LOCAL
from ..reference import (
    City,
    County,
    categories,
    cities,
    city_counties,
    load_yaml,
    resolve_city,
    resolve_county,
    settings,
    table_specs,
)
from ..xlsxio import save_workbook
from . import sample_outbound, sample_returns

EXCEL_EPOCH = date(1899, 12, 30)
WORDS_FILE = "sample_names.yaml"
PLANTED_FILE = "planted.json"
DEMO_CITY = "南昌"  # its newest day is the demo: kept readable

ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)  # GB 11714 organisation code check
CODE_CHARS = codes.USCC_ALPHABET
CHANNELS = ("本地招聘", "跨区域招聘", "组织返岗", "余缺调剂", "学生实习", "志愿者")
PUSH_CHANNELS = ("网站", "微信", "短信", "APP", "招聘会", "其他")
OTHER_PROBLEMS = ("原材料", "资金", "防疫物资", "物流运输", "政策", "其他")
SKILLS = ("无", "初级工", "中级工", "高级工", "专业技术")
# Job category -> (share of vacancies, chance that an enterprise has jobs of that category).
JOB_SHARES = {"普工": (0.73, 1.0), "技工": (0.15, 0.8), "管理及专业技术": (0.08, 0.5), "其他": (0.04, 0.35)}
# 需求人数 fits both C and E, 到岗人数 both B and D: a sheet using them would be ambiguous.
EXCLUDED_ALIASES = ("需求人数", "到岗人数")
TOTAL_COLUMNS = ("员工总数", "在岗人数", "缺工人数", "已返岗人数", "富余人数")

# Columns as laid out in the files (canonical names; 序号, 企业名称, 诉求内容 … are extras).
COLUMNS = {
    "A": ("序号", "统一社会信用代码", "企业名称", "县区", "企业类别", "清单来源", "纳入日期", "状态",
          "调整原因", "人社服务专员", "专员手机"),
    "B": ("序号", "统一社会信用代码", "企业名称", "县区", "填报日期", "员工总数", "在岗人数", "缺工人数",
          "是否复工", "产能恢复率", "已返岗人数", "富余人数", "问题困难类型", "问题困难", "问题是否解决"),
    "C": ("序号", "统一社会信用代码", "企业名称", "岗位名称", "岗位类别", "职业编码", "技能要求", "缺工人数",
          "薪酬", "招聘范围", "填报日期"),
    "D": ("序号", "日期", "统一社会信用代码", "企业名称", "解决渠道", "人数", "调剂来源企业"),
    "E": ("序号", "统一社会信用代码", "企业名称", "岗位名称", "技能要求", "招工人数", "意向输出地", "登记日期"),
    "F": ("序号", "姓名", "身份证号", "手机号", "出发地", "返岗企业", "计划返岗日期", "需要专车", "已到岗",
          "到岗日期"),
    "G": ("序号", "日期", "方式", "出发地", "目的地县区", "班次", "趟次", "运送人数"),
    "H": ("日期", "推送渠道", "推送岗位数", "推送人次", "意向人数"),
    "I": ("序号", "日期", "工种", "培训类型", "报名人数", "结业人数", "是否急需紧缺"),
    "J": ("编号", "受理时间", "诉求方", "类型", "诉求内容", "办结时间", "状态"),
    "K": ("序号", "日期", "类别", "标题", "内容", "单位或个人"),
    "L": ("序号", "姓名", "单位及职务", "小组职务", "办公电话", "手机"),
    "M": ("序号", "姓名", "身份证号", "手机号", "县区", "意向岗位", "技能等级", "期望月薪", "登记日期", "已就业"),
}
SHEET_NAMES = {"A": "重点企业清单", "B": "台账", "C": "空岗", "D": "解决情况", "E": "跨区域招聘", "F": "返岗登记",
               "G": "点对点运输", "H": "岗位推送", "I": "培训", "J": "求助受理", "K": "经验做法",
               "L": "领导小组", "M": "求职登记"}
TITLES = {"A": "{city}疫情防控重点保障企业名单", "B": "{city}重点企业用工台账", "C": "{city}重点企业空岗明细表",
          "D": "{city}重点企业用工缺口解决情况", "E": "{city}重点企业跨区域招聘需求表",
          "F": "{city}重点企业返岗人员登记表（样例数据，均为虚构）", "G": "{city}“点对点”返岗运输情况",
          "H": "{city}岗位信息推送情况", "I": "{city}职业技能培训情况", "J": "{city}用工求助受理台账",
          "K": "{city}稳就业经验做法和先进典型", "L": "{city}重点企业用工保障工作领导小组及联络员名单",
          "M": "{city}求职人员登记表（样例数据，均为虚构）"}
UNIT_LABELS = {"员工总数": "（人）", "在岗人数": "（人）", "缺工人数": "（人）", "已返岗人数": "（人）",
               "富余人数": "（人）", "人数": "（人）", "招工人数": "（人）", "运送人数": "（人）", "报名人数": "（人）",
               "结业人数": "（人）", "产能恢复率": "（%）", "期望月薪": "（元）", "月薪下限": "（元）",
               "月薪上限": "（元）", "薪酬": "（元/月）", "推送岗位数": "（个）", "推送人次": "（人次）"}
LEDGER_GROUPS = (("员工情况", ("员工总数", "在岗人数")), ("复工复产", ("是否复工", "产能恢复率")))
WIDTHS = {"统一社会信用代码": 22, "身份证号": 22, "企业名称": 30, "返岗企业": 24, "问题困难": 30, "内容": 60,
          "标题": 30, "单位及职务": 36, "出发地": 20, "调整原因": 24, "调剂来源企业": 28, "诉求内容": 30,
          "受理时间": 17, "办结时间": 17, "意向岗位": 20, "单位或个人": 24, "意向输出地": 18}
TWO_ROW_CITIES = ("九江", "宜春")
FORCED_LABELS = {
    "萍乡": (("A", "统一社会信用代码", "信用代码"), ("B", "统一社会信用代码", "信用代码"),
             ("C", "统一社会信用代码", "信用代码"), ("D", "统一社会信用代码", "信用代码")),
    "九江": (("B", "员工总数", "职工总数"),),
    "南昌": (("B", "缺工人数", "缺工人数（人）"), ("C", "缺工人数", "缺工人数（人）")),
}

# The planned mess: (city, day index, mess, table, canonical column, argument).
MESS_PLAN = (
    ("南昌", 0, "county_former_name", "A", "县区", "新建县"),
    ("南昌", 1, "number_unit", "B", "员工总数", "人"),
    ("南昌", 1, "thousands_sep", "B", "员工总数", None),
    ("南昌", 2, "total_row", "B", "序号", None),
    ("南昌", 7, "date_slash", "D", "日期", None),
    ("南昌", 7, "bool_check", "B", "是否复工", None),
    ("景德镇", 2, "not_on_list", "B", "统一社会信用代码", None),
    ("景德镇", 4, "date_month_day", "C", "填报日期", None),
    ("景德镇", 4, "date_serial", "D", "日期", None),
    ("萍乡", 3, "bool_youwu", "F", "需要专车", None),
    ("萍乡", 4, "on_duty_exceeds_total", "B", "在岗人数", None),
    ("萍乡", 5, "bool_10", "I", "是否急需紧缺", None),
    ("九江", 3, "total_mismatch", "B", "缺工人数", None),
    ("九江", 3, "missing_adjust_reason", "A", "调整原因", None),
    ("九江", 4, "duplicate_row", "B", "统一社会信用代码", None),
    ("新余", 3, "csv_utf8_bom", "B", None, "utf-8-sig"),
    ("新余", 5, "number_unit", "D", "人数", "人"),
    ("鹰潭", 2, "missing_marker", "B", "产能恢复率", "-"),
    ("鹰潭", 2, "missing_marker", "B", "已返岗人数", "—"),
    ("鹰潭", 2, "missing_marker", "B", "富余人数", "/"),
    ("赣州", 0, "county_former_name", "A", "县区", "南康市"),
    ("赣州", 0, "county_padded", "A", "县区", "赣　县"),
    ("赣州", 2, "idno_check", "F", "身份证号", None),
    ("赣州", 2, "idno_15digit", "F", "身份证号", None),
    ("赣州", 3, "split_by_county", "B", None, None),
    ("赣州", 5, "vacancy_sum_mismatch", "C", "缺工人数", None),
    ("吉安", 2, "uscc_check", "B", "统一社会信用代码", None),
    ("吉安", 4, "conflict", "B", "在岗人数", None),
    ("宜春", 2, "fullwidth_digits", "B", "在岗人数", None),
    ("宜春", 2, "chinese_numeral", "B", "缺工人数", None),
    ("宜春", 3, "negative_shortage", "B", "缺工人数", None),
    ("宜春", 5, "wan", "H", "推送人次", None),
    ("抚州", 0, "uscc_lowercase", "A", "统一社会信用代码", None),
    ("抚州", 3, "date_cjk", "F", "计划返岗日期", None),
    ("抚州", 3, "bool_yn", "F", "已到岗", None),
    ("抚州", 5, "percent_unit", "B", "产能恢复率", None),
    ("上饶", 1, "date_dot", "D", "日期", None),
    ("上饶", 3, "rate_above_100", "B", "产能恢复率", None),
    ("上饶", 5, "csv_gb18030", "M", None, "gb18030"),
)
# Mess that is a valid form (the reader must accept it); everything else is a fault.
FORMS = ("number_unit", "thousands_sep", "fullwidth_digits", "chinese_numeral", "wan", "percent_unit",
         "date_slash", "date_dot", "date_cjk", "date_month_day", "date_serial", "bool_check", "bool_yn",
         "bool_youwu", "bool_10", "missing_marker", "county_former_name", "county_padded", "total_row",
         "csv_utf8_bom", "csv_gb18030", "split_by_county", "request_status_update")

TITLE_FONT = Font(bold=True, size=14)
HEADER_FONT = Font(bold=True)
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)


def kind_of(mess: str) -> str:
    """The planted.json kind of a mess name: ``form:…`` or ``fault:…``."""
    return ("form:" if mess in FORMS else "fault:") + mess


# --------------------------------------------------------------------------- data classes


@dataclass(frozen=True)
class Job:
    """A job an enterprise recruits for (one row of table C when it has vacancies)."""

    name: str
    category: str
    code: str | None
    skill: str
    low: int
    high: int
    scope: str
    weight: float


@dataclass
class Firm:
    """A key enterprise and its state, moved day by day."""

    uscc: str
    name: str
    county: County
    category: str
    source: str
    included: date
    commissioner: tuple[str, str]
    jobs: list[Job]
    employees: int
    on_duty: int
    shortage: int
    returned: int
    resumed: bool
    capacity: int
    surplus: int
    lender: bool
    shortage_text: str
    problem: tuple[str, str] | None
    problem_solved: bool = False
    listed_from: int | None = 0
    removed_on: int | None = None
    reason: str = ""
    placed: Counter = field(default_factory=Counter)
    lent_by: str = ""


@dataclass
class Plant:
    """One planted variation or fault: a cell of a sheet (row index into ``Sheet.rows``)."""

    row: int
    column: str
    kind: str
    expected: object = None


@dataclass
class Sheet:
    """One sheet (or CSV) of one table: canonical rows plus how its header is written."""

    table: str
    name: str
    columns: list[str]
    rows: list[dict]
    labels: dict[str, str] = field(default_factory=dict)
    titles: list[str] = field(default_factory=list)
    groups: tuple = ()
    plants: list[Plant] = field(default_factory=list)

    def label(self, column: str) -> str:
        """The header text written for a canonical column."""
        return self.labels.get(column, column)


@dataclass
class Book:
    """One file: an xlsx workbook, or a CSV when ``encoding`` is set."""

    file: str
    sheets: list[Sheet]
    encoding: str | None = None
    clock: tuple[int, int] | None = None  # explicit modification time (hour, minute)
    notes: list[tuple[str, object]] = field(default_factory=list)  # file-level (kind, value)


@dataclass
class Style:
    """How one city lays out its files."""

    titles: bool
    two_row: bool
    county_in_ledger: bool
    salary_split: bool
    separate_d: bool
    csv_people: bool
    ledger_file: str
    labels: dict[str, dict[str, str]]


# --------------------------------------------------------------------------- small helpers


def _org_check(body: str) -> str:
    """GB 11714 check character for an 8-character organisation code body."""
    total = sum((int(c) if c.isdigit() else ord(c) - 55) * w for c, w in zip(body, ORG_WEIGHTS, strict=True))
    value = 11 - total % 11
    return "X" if value == 10 else "0" if value == 11 else str(value)


def _allocate(total: int, weights: list[float]) -> list[int]:
    """Split ``total`` over ``weights`` in whole numbers (largest remainder)."""
    scale = sum(weights)
    raw = [total * w / scale for w in weights]
    base = [int(x) for x in raw]
    order = sorted(range(len(raw)), key=lambda i: (base[i] - raw[i], i))
    for i in order[: total - sum(base)]:
        base[i] += 1
    return base


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


def _numbered(rows: list[dict]) -> list[dict]:
    """Fill 序号 1..n."""
    for i, row in enumerate(rows, 1):
        row["序号"] = i
    return rows


def _cn_date(day: date) -> str:
    return f"{day.month}月{day.day}日"


def _json_value(value: object) -> object:
    """A cell value as JSON: dates as ISO text, everything else as is."""
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    return value


# The tables and columns the header draws were made for; later additions (issue 19's tables O and
# P, G's 方向 …) are written canonically so that every earlier file stays byte for byte the same.
DRAWN_TABLES = "ABCDEFGHIJKLM"
LATER_COLUMNS = {"G": ("方向", "出发县区", "输出目的地"), "L": ("微信号", "入群")}


def _draw_labels(rng: random.Random, p_alias: float = 0.15, p_unit: float = 0.12) -> dict[str, dict[str, str]]:
    """Header text per table and canonical column: mostly canonical, some aliases and units.

    One draw per column name, so a city writes the same column the same way in every table.
    """
    rolls: dict[str, tuple[float, float, float]] = {}
    out = {}
    for code, spec in table_specs().items():
        labels = {}
        for col in spec.columns:
            if code not in DRAWN_TABLES or col.name in LATER_COLUMNS.get(code, ()):
                labels[col.name] = col.name  # tables and columns added later: no draw (the rest stays as it was)
                continue
            alias, pick, unit = rolls.setdefault(col.name, (rng.random(), rng.random(), rng.random()))
            options = [a for a in col.aliases if a not in EXCLUDED_ALIASES]
            label = options[int(pick * len(options))] if options and alias < p_alias else col.name
            labels[col.name] = label + UNIT_LABELS[col.name] if col.name in UNIT_LABELS and unit < p_unit else label
        out[code] = labels
    return out


def _force_labels(labels: dict[str, dict[str, str]], city: str) -> dict[str, dict[str, str]]:
    for table, column, label in FORCED_LABELS.get(city, ()):
        labels[table][column] = label
    return labels


# --------------------------------------------------------------------------- one city


class CityWorld:
    """One city's key enterprises, their state over the week and the files of each day."""

    def __init__(self, city: City, seed: int, days: list[date], words: dict):
        self.city, self.days, self.words, self.seed = city, days, words, seed
        self.rng = random.Random(f"{seed}/{city.code}")
        self.counties = city_counties(city)
        self.plan = [p for p in MESS_PLAN if p[0] == city.name]
        self.used: set[str] = set()  # names, codes and ID numbers already given out
        self.used_k: list[int] = []
        self.style = self._draw_style()
        self.origins, self.origin_weights = self._origins()
        self.commissioners = [(self._name(self.rng.random() < 0.6), self._mobile()) for _ in range(12)]
        self.firms = self._make_firms()
        self.outsider = self._new_firm(self.rng.choice(self.counties), lender=False)
        self.outsider.listed_from = None
        self.schedule = self._make_schedule()
        self._requests: list[dict] | None = None

    # ---- setup

    def _draw_style(self) -> Style:
        rng, name = self.rng, self.city.name
        return Style(
            titles=name == DEMO_CITY or rng.random() < 0.6,
            two_row=name in TWO_ROW_CITIES,
            county_in_ledger=rng.random() < 0.5,
            salary_split=rng.random() < 0.4,
            separate_d=rng.random() < 0.3,
            csv_people=rng.random() < 0.25,
            ledger_file=rng.choice(("当日报表_{city}_{tag}.xlsx", "{city}市重点企业用工台账_{tag}.xlsx",
                                    "{city}重点企业五清台账{tag}.xlsx")),
            labels=_force_labels(_draw_labels(rng), name),
        )

    def _origins(self) -> tuple[list[dict], list[float]]:
        """Places workers come from: the word list plus every county of Jiangxi."""
        listed = list(self.words["origins"])
        others = sum(o["weight"] for o in listed)
        share = self.words["jiangxi_weight"]
        jiangxi = [{"place": f"江西省{c.full_name}", "county": k.name, "code": k.code}
                   for c in cities() for k in city_counties(c)]
        each = others * share / (1 - share) / len(jiangxi)
        return listed + jiangxi, [o["weight"] for o in listed] + [each] * len(jiangxi)

    def _make_firms(self) -> list[Firm]:
        rng = self.rng
        low, high = self.words["enterprises_per_city"][self.city.name]
        self.n_first = rng.randint(low, high)
        extra = rng.randint(1, 3)
        weights = [rng.uniform(0.5, 2.0) * (1.0 if c.name.endswith("县") else 1.5) for c in self.counties]
        firms = []
        for i in range(self.n_first + extra):
            county = self.counties[i] if i < len(self.counties) else rng.choices(self.counties, weights)[0]
            firms.append(self._new_firm(county, lender=i % 8 == 3))
        return firms

    def _new_firm(self, county: County, lender: bool) -> Firm:
        rng, words = self.rng, self.words
        cats = list(categories())
        category = rng.choices(cats, [words["category_weights"][c] for c in cats])[0]
        employees = round(math.exp(rng.uniform(math.log(50), math.log(3000))))
        resumed = rng.random() < 0.55
        on_duty = round(employees * (rng.uniform(0.35, 0.7) if resumed else rng.uniform(0.05, 0.25)))
        stayed = round(employees * rng.uniform(0.03, 0.12))
        sources = words["list_sources"][category]
        other = rng.choice(OTHER_PROBLEMS) if rng.random() < 0.25 else None
        return Firm(
            uscc=self._uscc(county),
            name=self._firm_name(county, category),
            county=county,
            category=category,
            source=sources[0] if rng.random() < 0.7 else rng.choice(sources),
            included=self.days[0] - timedelta(days=rng.randint(1, 14)),
            commissioner=rng.choice(self.commissioners),
            jobs=self._jobs(category),
            employees=employees,
            on_duty=on_duty,
            shortage=0 if lender else max(3, round(employees * rng.uniform(0.04, 0.16))),
            returned=max(0, on_duty - stayed),
            resumed=resumed,
            capacity=min(100, round(100 * on_duty / employees * rng.uniform(0.85, 1.05))) if resumed else 0,
            surplus=max(10, round(employees * rng.uniform(0.04, 0.1))) if lender else 0,
            lender=lender,
            shortage_text=rng.choice(words["problems"]["缺工"]),
            problem=(other, rng.choice(words["problems"][other])) if other else None,
        )

    def _firm_name(self, county: County, category: str) -> str:
        rng, words = self.rng, self.words
        while True:
            roll = rng.random()
            if roll < 0.3:
                prefix = "江西"
            elif roll < 0.7 or county.name.endswith("区"):
                prefix = self.city.name
            else:
                prefix = county.name[:-1]
            first, second = rng.choice(words["trade_first"]), rng.choice(words["trade_second"])
            name = prefix + first + second + rng.choice(words["industries"][category])
            if first != second and name not in self.used:
                self.used.add(name)
                return name

    def _uscc(self, county: County) -> str:
        """A valid credit code of an enterprise (91) registered in ``county``."""
        rng = self.rng
        while True:
            if rng.random() < 0.45:
                body = "MA3" + rng.choice("5678") + "".join(rng.choice(CODE_CHARS) for _ in range(4))
            else:
                body = str(rng.randint(1, 7)) + "".join(rng.choice("0123456789") for _ in range(7))
            code = codes.make_uscc("91" + county.code + body + _org_check(body))
            if code not in self.used:
                self.used.add(code)
                return code

    def _jobs(self, category: str) -> list[Job]:
        """The jobs an enterprise recruits for, weighted to the 73/15/8/4 category mix."""
        rng, words = self.rng, self.words
        factor = words["salary_factor"].get(self.city.name, words["salary_factor"]["default"])
        pool = [j for j in words["jobs"] if category in j.get("only", [category])]
        jobs = []
        for cat, (share, chance) in JOB_SHARES.items():
            options = [j for j in pool if j["category"] == cat]
            if not options or rng.random() >= chance:
                continue
            picked = rng.sample(options, min(len(options), rng.randint(1, 2)))
            for spec in picked:
                low, high = (round(s * factor / 100) * 100 for s in spec["salary"])
                wide = cat == "普工" and rng.random() < 0.4 or cat == "技工" and rng.random() < 0.2
                weight = share / chance / len(picked) * rng.uniform(0.7, 1.3)
                jobs.append(Job(spec["name"], cat, spec.get("code"), spec["skill"], low, high,
                                "跨区域" if wide else "本地", weight))
        return jobs

    def _name(self, male: bool) -> str:
        rng, words = self.rng, self.words
        given = words["given_male" if male else "given_female"]
        name = rng.choice(words["surnames"]) + rng.choice(given)
        return name + rng.choice(given) if rng.random() < 0.65 else name

    def _mobile(self) -> str:
        return self.rng.choice(self.words["mobile_prefixes"]) + f"{self.rng.randrange(10**8):08d}"

    def _idno(self, area: str, male: bool) -> str:
        """A valid synthetic ID number: area code, a birth date 1966–2000, sex in the sequence."""
        rng = self.rng
        while True:
            birth = date(1966, 1, 1) + timedelta(days=rng.randint(0, 12700))
            seq = rng.randrange(500) * 2 + (1 if male else 0)
            idno = codes.make_idno(f"{area}{birth:%Y%m%d}{seq:03d}")
            if idno not in self.used:
                self.used.add(idno)
                return idno

    def _list_changes(self) -> list[int]:
        """Days the list is re-sent: new enterprises join on the first, one leaves on the last."""
        rng, n = self.rng, len(self.days)
        removal = [p[1] for p in self.plan if p[2] == "missing_adjust_reason"]
        resend = sorted(rng.sample(range(2, n - 1), rng.randint(1, 2)))
        if removal and removal[0] not in resend:
            resend = sorted([resend[0], removal[0]])
        for firm in self.firms[self.n_first:]:
            firm.listed_from, firm.included = resend[0], self.days[resend[0]]
        victim = rng.choice([f for f in self.firms[: self.n_first] if not f.lender])
        victim.removed_on = removal[0] if removal else resend[-1]
        victim.reason = rng.choice(self.words["removal_reasons"])
        return resend

    def _make_schedule(self) -> dict[int, list[str]]:
        """Which tables the city sends on which day."""
        rng, n = self.rng, len(self.days)
        resend = self._list_changes()
        chosen: dict[int, set[str]] = {d: {"B", "D"} for d in range(n)}
        chosen[0] |= {"A", "L"}
        for d in resend:
            chosen[d].add("A")
        for d in range(n):
            if not (0 < d < n - 1 and rng.random() < 0.15):
                chosen[d].add("C")
        for table in "EGHIJ":
            days = [d for d in range(n) if rng.random() < 0.75] or [rng.randrange(n)]
            for d in days:
                chosen[d].add(table)
        # Table J (求助受理) is a running ledger sent every day; the days drawn above are kept only
        # so that its old draws from self.rng are still taken (see _rows_j).
        self.j_drawn = {d for d in range(n) if "J" in chosen[d]}
        for d in range(n):
            chosen[d].add("J")
        for table, low, high in (("K", 2, 3), ("F", 2, 3), ("M", 1, 3)):
            for d in rng.sample(range(1, n), rng.randint(low, high)):
                chosen[d].add(table)
        for _, d, _, table, _, _ in self.plan:
            chosen[d].add(table)
        if self.city.name == DEMO_CITY:
            chosen[n - 1] |= set("CEGHIJ")
        return {d: [t for t in "ABCDEFGHIJKLM" if t in chosen[d]] for d in range(n)}

    # ---- the simulation

    def step(self, d: int) -> None:
        """Move every enterprise through day ``d``: placements, new demand, returns."""
        for firm in [*self.firms, self.outsider]:
            self._step_firm(firm)

    def _step_firm(self, f: Firm) -> None:
        rng = self.rng
        f.placed, f.lent_by = Counter(), ""
        if f.shortage > 0 and rng.random() < 0.85:
            count = min(f.shortage, max(1, round(f.shortage * rng.uniform(0.06, 0.16))))
            weights = [self.words["channels"][c] for c in CHANNELS]
            f.placed = Counter(rng.choices(CHANNELS, weights, k=count))
            self._borrow(f)
        new = rng.randint(3, max(4, f.employees // 40)) if not f.lender and rng.random() < 0.06 else 0
        total = sum(f.placed.values())
        f.shortage = f.shortage - total + new
        f.employees += total - f.placed["组织返岗"]
        natural = round((f.employees - f.on_duty) * rng.uniform(0.04, 0.12))
        f.on_duty = min(f.employees, f.on_duty + total + natural)
        f.returned += f.placed["组织返岗"] + natural
        f.resumed = f.resumed or rng.random() < 0.25
        if f.resumed:
            rate = round(100 * f.on_duty / f.employees * rng.uniform(0.9, 1.05))
            f.capacity = max(f.capacity, min(100, rate))
        f.problem_solved = f.problem_solved or rng.random() < 0.2

    def _borrow(self, f: Firm) -> None:
        """Staff lent by the enterprise with the largest surplus (余缺调剂); the rest is hired."""
        wanted = f.placed["余缺调剂"]
        if not wanted:
            return
        lenders = [x for x in self.firms if x.lender and x.surplus > 0 and x is not f]
        lent = 0
        if lenders:
            source = max(lenders, key=lambda x: x.surplus)
            lent = min(wanted, source.surplus)
            source.surplus -= lent
            f.lent_by = source.name
        f.placed["余缺调剂"] = lent
        f.placed["本地招聘"] += wanted - lent
        if not lent:
            del f.placed["余缺调剂"]

    def active(self, d: int) -> list[Firm]:
        """Enterprises on the list in force on day ``d``."""
        return [f for f in self.firms if f.listed_from is not None and f.listed_from <= d
                and (f.removed_on is None or f.removed_on > d)]

    def vacancies(self, f: Firm) -> list[tuple[Job, int]]:
        """The enterprise's shortage split over its jobs (adds up to the shortage)."""
        if f.shortage <= 0 or not f.jobs:
            return []
        counts = _allocate(f.shortage, [j.weight for j in f.jobs])
        return [(j, n) for j, n in zip(f.jobs, counts, strict=True) if n > 0]

    # ---- table rows (canonical column names)

    def rows(self, table: str, d: int) -> list[dict]:
        """The rows of ``table`` for day ``d``."""
        return getattr(self, f"_rows_{table.lower()}")(d, self.days[d])

    def _rows_a(self, d: int, day: date) -> list[dict]:
        rows = []
        for f in self.firms:
            if f.listed_from is None or f.listed_from > d:
                continue
            out = f.removed_on is not None and f.removed_on <= d
            rows.append({"统一社会信用代码": f.uscc, "企业名称": f.name, "县区": f.county.name,
                         "企业类别": f.category, "清单来源": f.source, "纳入日期": f.included,
                         "状态": "调出" if out else "在册", "调整原因": f.reason if out else None,
                         "人社服务专员": f.commissioner[0], "专员手机": f.commissioner[1]})
        return _numbered(rows)

    def ledger_row(self, f: Firm, day: date) -> dict:
        """One enterprise's row of table B (the five clears) for ``day``."""
        if f.shortage > 0:
            kind, text, solved = "缺工", f.shortage_text.format(n=f.shortage), "否"
        elif f.problem:
            kind, text, solved = f.problem[0], f.problem[1], "是" if f.problem_solved else "否"
        else:
            kind, text, solved = None, "无", None
        return {"统一社会信用代码": f.uscc, "企业名称": f.name, "县区": f.county.name, "填报日期": day,
                "员工总数": f.employees, "在岗人数": f.on_duty, "缺工人数": f.shortage,
                "是否复工": "是" if f.resumed else "否", "产能恢复率": f.capacity, "已返岗人数": f.returned,
                "富余人数": f.surplus, "问题困难类型": kind, "问题困难": text, "问题是否解决": solved}

    def _rows_b(self, d: int, day: date) -> list[dict]:
        return _numbered([self.ledger_row(f, day) for f in self.active(d)])

    def _rows_c(self, d: int, day: date) -> list[dict]:
        rows = []
        for f in self.active(d):
            for job, n in self.vacancies(f):
                rows.append({"统一社会信用代码": f.uscc, "企业名称": f.name, "岗位名称": job.name,
                             "岗位类别": job.category, "职业编码": job.code, "技能要求": job.skill,
                             "缺工人数": n, "薪酬": f"{job.low}-{job.high}", "月薪下限": job.low,
                             "月薪上限": job.high, "招聘范围": job.scope, "填报日期": day})
        return _numbered(rows)

    def _rows_d(self, d: int, day: date) -> list[dict]:
        rows = []
        for f in self.active(d):
            for channel in CHANNELS:
                if f.placed.get(channel):
                    rows.append({"日期": day, "统一社会信用代码": f.uscc, "企业名称": f.name, "解决渠道": channel,
                                 "人数": f.placed[channel],
                                 "调剂来源企业": f.lent_by if channel == "余缺调剂" else None})
        return _numbered(rows)

    def _rows_e(self, d: int, day: date) -> list[dict]:
        rng = self.rng
        places = list(dict.fromkeys(o["place"].split("省")[0] for o in self.words["origins"]))
        places += [c.full_name for c in cities() if c.code != self.city.code][:6]
        wanted = [(f, j, n) for f in self.active(d) for j, n in self.vacancies(f) if j.scope == "跨区域"]
        picked = [w for w in wanted if rng.random() < 0.6] or wanted[:1]
        rows = [{"统一社会信用代码": f.uscc, "企业名称": f.name, "岗位名称": j.name, "技能要求": j.skill,
                 "招工人数": n, "意向输出地": "、".join(rng.sample(places, rng.randint(1, 3))),
                 "登记日期": day - timedelta(days=rng.randint(0, 2))} for f, j, n in picked]
        return _numbered(rows)

    def _rows_f(self, d: int, day: date) -> list[dict]:
        rng, active = self.rng, self.active(d)
        by_code = rng.choice(("code", "name", "mixed"))
        weights = [f.shortage + 5 for f in active]
        rows = []
        for _ in range(min(200, max(20, round(len(active) * rng.uniform(1.0, 3.5))))):
            origin = rng.choices(self.origins, self.origin_weights)[0]
            male = rng.random() < 0.62
            firm = rng.choices(active, weights)[0]
            planned = day + timedelta(days=rng.randint(-3, 5))
            arrived = planned <= day and rng.random() < 0.75
            code = by_code == "code" or by_code == "mixed" and rng.random() < 0.5
            rows.append({"姓名": self._name(male), "身份证号": self._idno(origin["code"], male),
                         "手机号": self._mobile(),
                         "出发地": origin["place"] + (origin["county"] if rng.random() < 0.5 else ""),
                         "返岗企业": firm.uscc if code else firm.name, "计划返岗日期": planned,
                         "需要专车": "是" if rng.random() < 0.4 else "否", "已到岗": "是" if arrived else "否",
                         "到岗日期": min(day, planned + timedelta(days=rng.randint(0, 1))) if arrived else None})
        return _numbered(rows)

    def _rows_g(self, d: int, day: date) -> list[dict]:
        rng, letter = self.rng, self.words["plate_letter"][self.city.name]
        modes = ("专车", "专列", "包机") if self.city.name == DEMO_CITY else ("专车", "专列")
        rows, used = [], set()
        for _ in range(rng.randint(1, 6)):
            mode = rng.choices(modes, (88, 10, 2)[: len(modes)])[0]
            trips = rng.choice((1, 1, 1, 2)) if mode == "专车" else 1
            if mode == "专车":
                number, people = f"赣{letter}{rng.randrange(10**5):05d}", trips * rng.randint(18, 40)
            elif mode == "专列":
                number, people = f"L{rng.randint(1000, 9999)}", rng.randint(300, 900)
            else:
                number, people = f"CZ{rng.randint(3000, 3999)}", rng.randint(120, 180)
            if number in used:
                continue
            used.add(number)
            origin = rng.choices(self.origins, self.origin_weights)[0]
            rows.append({"日期": day, "方式": mode, "出发地": origin["place"] + origin["county"],
                         "目的地县区": rng.choice(self.counties).name, "班次": number, "趟次": trips,
                         "运送人数": people})
        return _numbered(rows)

    def _rows_h(self, d: int, day: date) -> list[dict]:
        rng = self.rng
        others = [c for c in PUSH_CHANNELS if c not in ("微信", "短信")]
        chosen = {"微信", "短信", *rng.sample(others, rng.randint(1, 3))}
        shortage = sum(max(0, f.shortage) for f in self.active(d))
        reach = {"网站": (100, 20, 300), "微信": (100, 10, 200), "短信": (1000, 10, 80), "APP": (100, 5, 100),
                 "招聘会": (1, 50, 800), "其他": (1, 30, 500)}
        rows = []
        for channel in PUSH_CHANNELS:
            if channel not in chosen:
                continue
            unit, low, high = reach[channel]
            pushes = unit * rng.randint(low, high)
            rows.append({"日期": day, "推送渠道": channel,
                         "推送岗位数": max(20, round(shortage * rng.uniform(0.3, 1.0))), "推送人次": pushes,
                         "意向人数": max(1, round(pushes * rng.uniform(0.004, 0.02)))})
        return rows

    def _rows_i(self, d: int, day: date) -> list[dict]:
        rng, rows = self.rng, []
        for spec in rng.sample(self.words["trainings"], rng.randint(2, 5)):
            enrolled = rng.randint(20, 600)
            rows.append({"日期": day, "工种": spec["name"], "培训类型": rng.choice(self.words["training_types"]),
                         "报名人数": enrolled,
                         "结业人数": None if rng.random() < 0.3 else rng.randint(enrolled * 6 // 10, enrolled),
                         "是否急需紧缺": "是" if spec["urgent"] else "否"})
        return _numbered(rows)

    def _rows_j(self, d: int, day: date) -> list[dict]:
        """Help requests as the city reports them in folder ``d``: those received in the report
        period W(day), with their status at the period's end, and earlier ones closed within it
        (the same 编号 again, now 已办结)."""
        if d in self.j_drawn:
            self._skip_old_j_draws(day)
        rows = [dict(r, 办结时间=r["办结时间"] if r["closed_in"] <= d else None,
                     状态="已办结" if r["closed_in"] <= d else "办理中")
                for r in self.requests() if r["received_in"] == d]
        rows += [dict(r, 状态="已办结") for r in self.requests() if r["received_in"] < d == r["closed_in"]]
        rows.sort(key=lambda r: (r["受理时间"], r["编号"]))
        return [{c: r[c] for c in COLUMNS["J"]} for r in rows]

    def _skip_old_j_draws(self, day: date) -> None:
        """Take the draws the former table J took from ``self.rng`` (and drop them), so that every
        other table stays as it was; J itself now comes from ``requests``."""
        rng, requests = self.rng, self.words["requests"]
        kinds = list(requests)
        for _ in range(rng.randint(2, 8)):
            kind = rng.choices(kinds, [3, 3, 2, 2, 2, 1][: len(kinds)])[0]
            rng.randint(8, 17), rng.randint(0, 59)
            roll = rng.random()
            if roll < 0.7:
                rng.randint(30, 300)
            elif roll < 0.85:
                rng.randint(9, 17), rng.randint(0, 59)
            rng.choice(requests[kind]["texts"])

    def requests(self) -> list[dict]:
        """Every help request of the week (table J), in 受理时间 order, each with the day index
        of the report period it was received in (``received_in``) and closed in (``closed_in``,
        ``len(days)`` when not closed within the sample). Drawn from a generator of their own
        per period, so that the other tables do not depend on them.

        Received over the whole period W(D) = (D-1 cut-off, D cut-off], mostly in office hours;
        most are closed within hours, some the next working day (then often after more than 24
        hours), a few two days later, a few not at all."""
        if self._requests is not None:
            return self._requests
        cutoff = time.fromisoformat(str(settings()["period_cutoff"]))
        words, n = self.words["requests"], len(self.days)
        kinds = list(words)

        def period_of(moment: datetime) -> int:
            """Index of the day whose report period holds ``moment`` (may lie outside the week)."""
            end = moment.date() if moment.time() <= cutoff else moment.date() + timedelta(days=1)
            return (end - self.days[0]).days

        found = []
        for d, day in enumerate(self.days):
            rng = random.Random(f"{self.seed}/{self.city.code}/J/{day.isoformat()}")
            start = datetime.combine(day - timedelta(days=1), cutoff)
            shifts: list[list[datetime]] = [[], [], []]  # office hours, evening, night of the period
            for m in range(1, 24 * 60 + 1):
                moment = start + timedelta(minutes=m)
                shifts[0 if 8 <= moment.hour < 18 else 1 if 18 <= moment.hour < 22 else 2].append(moment)
            for i in range(rng.randint(2, 8)):
                kind = rng.choices(kinds, [3, 3, 2, 2, 2, 1][: len(kinds)])[0]
                received = rng.choice(rng.choices(shifts, (85, 12, 3))[0])
                roll = rng.random()
                if (d, i) in ((1, 0), (3, 0)):  # every city: one closed two days later, one never closed
                    roll = 0.95 if d == 1 else 0.99
                if roll < 0.78:  # within hours; what would end at night is done the next morning
                    done = received + timedelta(minutes=round(rng.triangular(15, 300, 40)))
                    if not 8 <= done.hour < 21:
                        morning = done.date() + timedelta(days=1 if done.hour >= 21 else 0)
                        done = datetime.combine(morning, time(8, 30)) + timedelta(minutes=rng.randint(0, 150))
                elif roll < 0.91:  # the next working day
                    done = datetime.combine(received.date() + timedelta(days=1),
                                            time(rng.randint(9, 17), rng.randint(0, 59)))
                elif roll < 0.96:  # two days later
                    done = datetime.combine(received.date() + timedelta(days=2),
                                            time(rng.randint(8, 11), rng.randint(0, 59)))
                else:
                    done = None
                closed_in = n if done is None else min(n, period_of(done))
                found.append({"受理时间": received, "诉求方": words[kind]["party"], "类型": kind,
                              "诉求内容": rng.choice(words[kind]["texts"]),
                              "办结时间": done if closed_in < n else None, "received_in": d, "closed_in": closed_in})
        found.sort(key=lambda r: r["受理时间"])  # stable: same minute keeps the order drawn
        seq: Counter = Counter()
        for r in found:
            stamp = f"{r['受理时间']:%Y%m%d}"
            seq[stamp] += 1
            r["编号"] = f"QZ{stamp}{seq[stamp]:03d}"
        self._requests = found
        return found

    def request_entry(self, day_books: list[Book]) -> dict:
        """planted.json entry (file level, first day) describing the week's table J: how many
        requests are sent again in a later folder with their new status, how many were closed
        after more than 24 hours and how many are still open at the end of the sample."""
        reqs, n = self.requests(), len(self.days)
        repeated = [r for r in reqs if r["received_in"] < r["closed_in"] < n]
        late = [r for r in reqs if r["办结时间"] is not None and r["办结时间"] - r["受理时间"] > timedelta(hours=24)]
        still = [r for r in reqs if r["closed_in"] >= n]
        book = next(b for b in day_books if any(s.table == "J" for s in b.sheets))
        text = (f"求助受理按编号合并：本周受理{len(reqs)}件，其中{len(repeated)}件在之后的文件中以新状态（已办结）"
                f"再次报送，{len(late)}件超过24小时办结，{len(still)}件至样例最后一天仍未办结")
        return {"city": self.city.name, "date": self.days[0].isoformat(), "file": book.file,
                "sheet": SHEET_NAMES["J"], "excel_row": None, "column": None,
                "kind": kind_of("request_status_update"), "value": text,
                "expected": {"received": len(reqs), "repeated": len(repeated), "closed_after_24h": len(late),
                             "open_at_end": len(still),
                             "repeated_ids": {r["编号"]: [self.days[r["received_in"]].isoformat(),
                                                          self.days[r["closed_in"]].isoformat()]
                                              for r in repeated}}}

    def _rows_k(self, d: int, day: date) -> list[dict]:
        rng, words = self.rng, self.words
        pool = [("经验做法", t) for t in words["practices"]] + [("先进典型", t) for t in words["typical_cases"]]
        free = [i for i in range(len(pool)) if i not in self.used_k]
        rows = []
        for i in rng.sample(free, min(len(free), rng.randint(1, 2))):
            self.used_k.append(i)
            kind, template = pool[i]
            rows.append(self._story(kind, template, day))
        return _numbered(rows)

    def _story(self, kind: str, template: dict, day: date) -> dict:
        """One good practice or typical case, filled in with this city's names and numbers."""
        rng = self.rng
        firm = rng.choice(self.firms[: self.n_first])
        county = rng.choice(self.counties).name
        mid = rng.randint(30, 300)
        values = {"city": self.city.name, "county": county, "enterprise": firm.name,
                  "person": self._name(rng.random() < 0.6), "date": _cn_date(day), "small": rng.randint(2, 30),
                  "mid": mid, "mid2": rng.randint(20, mid), "big": rng.randint(300, 3000)}
        holder = {"enterprise": firm.name, "person": values["person"], "county": f"{county}就业服务中心"}
        return {"日期": day, "类别": kind, "标题": template["title"].format(**values),
                "内容": template["content"].format(**values),
                "单位或个人": holder.get(template.get("holder"), self.city.bureau)}

    def _rows_l(self, d: int, day: date) -> list[dict]:
        rng, area = self.rng, self.words["area_code"][self.city.name]
        digits = 7 if self.city.name == DEMO_CITY else 6
        rows = [{"姓名": self._name(rng.random() < 0.7), "单位及职务": m["post"].format(city=self.city.name),
                 "小组职务": m["role"], "办公电话": f"{area}-8{rng.randrange(10**digits):0{digits}d}",
                 "手机": self._mobile()} for m in self.words["leading_group"]]
        return _numbered(rows)

    def _rows_m(self, d: int, day: date) -> list[dict]:
        rng = self.rng
        names = list(dict.fromkeys(j["name"] for j in self.words["jobs"] if j["category"] in ("普工", "技工")))
        rows = []
        for _ in range(rng.randint(20, 80)):
            county, male = rng.choice(self.counties), rng.random() < 0.55
            rows.append({"姓名": self._name(male), "身份证号": self._idno(county.code, male),
                         "手机号": self._mobile(), "县区": county.name,
                         "意向岗位": ("," if rng.random() < 0.1 else "、").join(rng.sample(names, rng.randint(1, 3))),
                         "技能等级": rng.choices(SKILLS, (50, 20, 15, 5, 10))[0],
                         "期望月薪": rng.randint(30, 80) * 100, "登记日期": day - timedelta(days=rng.randint(0, 2)),
                         "已就业": "是" if rng.random() < 0.1 else "否"})
        return _numbered(rows)

    # ---- files of one day

    def books(self, d: int) -> list[Book]:
        """The files of day ``d``, with the planned mess applied."""
        rows = {t: self.rows(t, d) for t in self.schedule[d]}
        rng = random.Random(f"{self.seed}/{self.city.code}/{self.days[d].isoformat()}")
        books = self._layout(d, rows, rng)
        mess = Mess(self, d, books, rng)
        for _, day, name, table, column, arg in self.plan:
            if day == d and name in MUTATORS:
                MUTATORS[name](mess, name, table, column, arg)
        return books

    def _plan_today(self, d: int) -> dict[str, tuple]:
        return {p[2]: p for p in self.plan if p[1] == d}

    def _day_labels(self, rng: random.Random) -> dict[str, dict[str, str]]:
        """The city's usual headers; on some days the ledger comes from another template."""
        labels = {t: dict(v) for t, v in self.style.labels.items()}
        if rng.random() < 0.2:
            fresh = _force_labels(_draw_labels(rng, p_alias=0.3, p_unit=0.2), self.city.name)
            labels.update({t: fresh[t] for t in "BCD"})
        return labels

    def _sheet(self, table: str, rows: list[dict], labels: dict, day: date, flat: bool = False) -> Sheet:
        """Lay out one table: columns in the city's style, titles, headers."""
        style = self.style
        columns = list(COLUMNS[table])
        if table == "B" and not style.county_in_ledger:
            columns.remove("县区")
        if table == "C" and style.salary_split:
            at = columns.index("薪酬")
            columns[at: at + 1] = ["月薪下限", "月薪上限"]
        titles = []
        if table in "FM" or style.titles and not flat:
            titles = [TITLES[table].format(city=self.city.full_name)]
            if table == "L":
                titles.insert(0, "附件1")
            elif table not in "FM":
                titles.append(f"填报单位：{self.city.bureau}　　　　填报日期：{day.year}年{_cn_date(day)}")
        groups = LEDGER_GROUPS if table == "B" and style.two_row and not flat else ()
        return Sheet(table, SHEET_NAMES[table], columns, rows, labels[table], titles, groups)

    def _layout(self, d: int, rows: dict[str, list[dict]], rng: random.Random) -> list[Book]:
        day, city = self.days[d], self.city.name
        tag = f"{day.month:02d}{day.day:02d}"
        labels = self._day_labels(rng)
        plan = self._plan_today(d)

        def sheet(t: str, flat: bool = False) -> Sheet:
            return self._sheet(t, rows[t], labels, day, flat)

        books = []
        if "A" in rows:
            name = f"{city}市重点企业清单.xlsx" if d == 0 else f"{city}市重点企业清单（{_cn_date(day)}更新）.xlsx"
            books.append(Book(name, [sheet("A")]))
        books += self._ledger_books(rows, sheet, tag, plan)
        if "L" in rows:
            books.append(Book(f"附件1_{city}市领导小组及联络员名单.xlsx", [sheet("L")]))
        work = [sheet(t) for t in "EGHIJ" if t in rows]
        if work:
            books.append(Book(f"{city}市稳就业工作开展情况_{tag}.xlsx", work))
        if "K" in rows:
            books.append(Book(f"{city}市经验做法和典型案例_{tag}.xlsx", [sheet("K")]))
        for table, stem in (("F", "返岗人员登记"), ("M", "求职人员登记")):
            if table in rows:
                books.append(self._people_book(sheet, table, f"{stem}_{city}_{tag}", plan))
        return books

    def _ledger_books(self, rows: dict, sheet: Callable, tag: str, plan: dict) -> list[Book]:
        """Tables B, C, D: one workbook, or B on its own (CSV, split by county), D apart."""
        city = self.city.name
        rest = [sheet(t) for t in "CD" if t in rows]
        main = self.style.ledger_file.format(city=city, tag=tag)
        if "csv_utf8_bom" in plan:
            encoding = plan["csv_utf8_bom"][5]
            ledger = Book(f"{city}市重点企业用工台账_{tag}.csv", [sheet("B", flat=True)], encoding,
                          notes=[(kind_of("csv_utf8_bom"), encoding)])
            return [ledger, Book(f"{city}市空岗及解决情况_{tag}.xlsx", rest)]
        if "split_by_county" in plan:
            return [*self._split_ledger(sheet("B"), tag), Book(f"{city}市空岗及解决情况_{tag}.xlsx", rest)]
        if self.style.separate_d and "D" in rows:
            head = [sheet("B")] + [s for s in rest if s.table == "C"]
            return [Book(main, head), Book(f"{city}市用工缺口解决情况_{tag}.xlsx", [sheet("D")])]
        return [Book(main, [sheet("B"), *rest])]

    def _split_ledger(self, ledger: Sheet, tag: str) -> list[Book]:
        """Table B sent as two files: the city's districts and its counties."""
        books = []
        for part, keep in (("市辖区", True), ("各县市", False)):
            rows = _numbered([r for r in ledger.rows if r["县区"].endswith("区") == keep])
            part_sheet = Sheet("B", ledger.name, ledger.columns, rows, ledger.labels,
                               [f"{t}（{part}）" if i == 0 else t for i, t in enumerate(ledger.titles)],
                               ledger.groups)
            names = "、".join(dict.fromkeys(r["县区"] for r in rows))
            books.append(Book(f"{self.city.name}市重点企业用工台账（{part}）_{tag}.xlsx", [part_sheet],
                              notes=[(kind_of("split_by_county"), names)]))
        return books

    def _people_book(self, sheet: Callable, table: str, stem: str, plan: dict) -> Book:
        """Table F or M: xlsx, or CSV (UTF-8, or GB18030 where planted)."""
        if "csv_gb18030" in plan and plan["csv_gb18030"][3] == table:
            encoding = plan["csv_gb18030"][5]
            return Book(f"{stem}.csv", [sheet(table, flat=True)], encoding,
                        notes=[(kind_of("csv_gb18030"), encoding)])
        if self.style.csv_people:
            return Book(f"{stem}.csv", [sheet(table, flat=True)], "utf-8")
        return Book(f"{stem}.xlsx", [sheet(table)])


# --------------------------------------------------------------------------- the planned mess


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


# --------------------------------------------------------------------------- writing files


def _grid(sheet: Sheet) -> tuple[list[list], list[tuple[int, int, int, int]], int]:
    """The cells of a sheet (titles, header, data), its merged ranges and its first data row."""
    width = len(sheet.columns)
    grid: list[list] = []
    merges = []
    for title in sheet.titles:
        grid.append([title] + [None] * (width - 1))
        merges.append((len(grid), 1, len(grid), width))
    if sheet.groups:
        grid += _two_row_header(sheet, len(grid) + 1, merges)
    else:
        grid.append([sheet.label(c) for c in sheet.columns])
    first = len(grid) + 1
    grid += [[row.get(c) for c in sheet.columns] for row in sheet.rows]
    return grid, merges, first


def _two_row_header(sheet: Sheet, top: int, merges: list) -> list[list]:
    """A merged two-row header: group headings over their sub-columns, others merged down."""
    upper, lower = [], []
    group_of = {c: (label, cols) for label, cols in sheet.groups for c in cols}
    for i, col in enumerate(sheet.columns, 1):
        if col not in group_of:
            upper.append(sheet.label(col))
            lower.append(None)
            merges.append((top, i, top + 1, i))
            continue
        label, cols = group_of[col]
        first = col == cols[0]
        upper.append(label if first else None)
        lower.append(sheet.label(col))
        if first:
            merges.append((top, i, top, i + len(cols) - 1))
    return [upper, lower]


def _write_xlsx(book: Book, path: Path) -> list[int]:
    """Write a workbook; returns the first data row of each sheet."""
    wb = Workbook()
    wb.remove(wb.active)
    wb.properties.creator = "yonggong 样例数据（虚构）"
    starts = []
    for sheet in book.sheets:
        ws = wb.create_sheet(sheet.name)
        grid, merges, first = _grid(sheet)
        for r, values in enumerate(grid, 1):
            for c, value in enumerate(values, 1):
                if value is not None:
                    _put(ws.cell(r, c, value), value, r, first, len(sheet.titles))
        for r1, c1, r2, c2 in merges:
            ws.merge_cells(start_row=r1, start_column=c1, end_row=r2, end_column=c2)
        for i, col in enumerate(sheet.columns, 1):
            ws.column_dimensions[get_column_letter(i)].width = WIDTHS.get(col, 11)
        starts.append(first)
    save_workbook(wb, path)
    return starts


def _put(cell, value: object, row: int, first: int, titles: int) -> None:
    """Format one cell: titles big, header bold, dates as dates."""
    if row <= titles:
        cell.font = TITLE_FONT if row == 1 else HEADER_FONT
    elif row < first:
        cell.font, cell.alignment = HEADER_FONT, CENTER
    elif isinstance(value, datetime):
        cell.number_format = "yyyy-mm-dd hh:mm"
    elif isinstance(value, date):
        cell.number_format = "yyyy-mm-dd"


def _csv_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _write_csv(book: Book, path: Path) -> list[int]:
    """Write a CSV in the book's encoding; returns the first data row."""
    grid, _, first = _grid(book.sheets[0])
    with path.open("w", encoding=book.encoding, newline="") as fh:
        writer = csv.writer(fh)
        for values in grid:
            writer.writerow([_csv_text(v) for v in values])
    return [first]


def _records(city: City, day: date, book: Book, starts: list[int]) -> list[dict]:
    """planted.json entries of one written file."""
    base = {"city": city.name, "date": day.isoformat(), "file": book.file}
    out = []
    for sheet, first in zip(book.sheets, starts, strict=True):
        name = "" if book.encoding else sheet.name
        for p in sheet.plants:
            out.append({**base, "sheet": name, "excel_row": first + p.row, "column": sheet.label(p.column),
                        "kind": p.kind, "value": _json_value(sheet.rows[p.row].get(p.column)),
                        "expected": _json_value(p.expected)})
    for kind, value in book.notes:
        name = "" if book.encoding else book.sheets[0].name
        out.append({**base, "sheet": name, "excel_row": None, "column": None, "kind": kind, "value": value,
                    "expected": None})
    return out


def _write_day(folder: Path, books: list[Book], city: City, day: date) -> list[dict]:
    """Write one city-day's files with fixed modification times; returns planted entries."""
    folder.mkdir(parents=True, exist_ok=True)
    records = []
    for k, book in enumerate(books):
        path = folder / book.file
        starts = _write_csv(book, path) if book.encoding else _write_xlsx(book, path)
        hour, minute = book.clock or (10, 0)
        offset = timedelta(minutes=0 if book.clock else 6 * k)
        stamp = (datetime.combine(day, time(hour, minute), LOCAL) + offset).timestamp()
        os.utime(path, (stamp, stamp))
        records += _records(city, day, book, starts)
    return records


def _clear(out_dir: Path) -> None:
    """Remove what an earlier run wrote (city folders, planted.json), nothing else."""
    out_dir.mkdir(parents=True, exist_ok=True)
    for city in cities():
        target = out_dir / city.name
        if target.is_symlink() or target.is_file():
            target.unlink()
        elif target.is_dir():
            shutil.rmtree(target)
    (out_dir / PLANTED_FILE).unlink(missing_ok=True)


def _as_date(value: object) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def generate(out_dir: Path, seed: int | None = None) -> dict:
    """Write the synthetic inbox for all 11 cities under ``out_dir``; return a summary.

    Layout: ``out_dir/<city short name>/<YYYY-MM-DD>/*.xlsx|*.csv`` for every day from
    ``settings()["sample"]["first_day"]`` to ``["last_day"]``, plus ``out_dir/planted.json``.
    City folders and planted.json from an earlier run are removed first; nothing is written
    outside ``out_dir``. The same seed (default ``settings()["sample"]["seed"]``) gives
    byte-identical files with identical modification times.
    """
    out_dir = Path(out_dir)
    cfg = settings()["sample"]
    seed = cfg["seed"] if seed is None else seed
    first, last = _as_date(cfg["first_day"]), _as_date(cfg["last_day"])
    days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
    words = load_yaml(WORDS_FILE)
    _clear(out_dir)
    planted, files, size = [], 0, 0
    rows, per_table = Counter(), Counter()
    outbound = sample_outbound.exporters(seed)  # 劳务输出 files of the exporting cities (new files)
    for city in cities():
        world = CityWorld(city, seed, days, words)
        for d, day in enumerate(days):
            world.step(d)
            books = world.books(d)
            if city.name in outbound:
                books = books + outbound[city.name].books(day, d, sys.modules[__name__])
            books = books + sample_returns.books(world, d, day, sys.modules[__name__])  # 组团返岗 (new file)
            folder = out_dir / city.name / day.isoformat()
            planted += _write_day(folder, books, city, day)
            if d == 0:
                planted.append(world.request_entry(books))
            for book in books:
                files += 1
                size += (folder / book.file).stat().st_size
                per_table.update(dict.fromkeys((s.table for s in book.sheets), 1))
                rows.update(_count_rows(book))
    with (out_dir / PLANTED_FILE).open("w", encoding="utf-8", newline="\n") as fh:
        json.dump(planted, fh, ensure_ascii=False, indent=1)
        fh.write("\n")
    stamp = datetime.combine(days[-1], time(18, 0), LOCAL).timestamp()
    os.utime(out_dir / PLANTED_FILE, (stamp, stamp))
    return {"cities": len(cities()), "days": len(days), "files": files, "bytes": size,
            "files_per_table": dict(sorted(per_table.items())), "rows_per_table": dict(sorted(rows.items())),
            "planted": len(planted), "faults": sum(p["kind"].startswith("fault:") for p in planted)}


def _count_rows(book: Book) -> Counter:
    """Data rows per table in one file."""
    count = Counter()
    for sheet in book.sheets:
        count[sheet.table] += len(sheet.rows)
    return count


def generate_campaign(out_dir: Path, city: str, days: int, seed: int | None = None) -> Path:
    """A longer campaign for one city with the same generator: ``days`` day folders from
    ``settings()["sample"]["first_day"]`` under ``out_dir/<city>/`` (``invoke bench`` S5). Nothing
    else is written (no planted.json); the same arguments give byte-identical files."""
    out_dir = Path(out_dir)
    cfg = settings()["sample"]
    first = _as_date(cfg["first_day"])
    dates = [first + timedelta(days=i) for i in range(days)]
    c = resolve_city(city)
    world = CityWorld(c, cfg["seed"] if seed is None else seed, dates, load_yaml(WORDS_FILE))
    for d, day in enumerate(dates):
        world.step(d)
        _write_day(out_dir / c.name / day.isoformat(), world.books(d), c, day)
    return out_dir
