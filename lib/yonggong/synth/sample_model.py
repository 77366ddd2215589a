"""The sample generator's vocabulary: how each table is laid out in a city's files (columns,
sheet names, titles, header units), the planned mess (``MESS_PLAN``, ``FORMS``, ``kind_of``), the
data classes the generator passes around (``Job``, ``Firm``, ``Plant``, ``Sheet``, ``Book``,
``Style``) and the draw of a city's header texts (``draw_labels``, ``force_labels``). Used by
``sample``, ``sample_world``, ``sample_tables``, ``sample_mess``, ``sample_returns`` and
``sample_outbound``.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from .. import codes
from ..reference import County, table_specs

DEMO_CITY = "南昌"  # its newest day is the demo: kept readable

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


def numbered(rows: list[dict]) -> list[dict]:
    """Fill 序号 1..n."""
    for i, row in enumerate(rows, 1):
        row["序号"] = i
    return rows


def cn_date(day: date) -> str:
    return f"{day.month}月{day.day}日"



# The tables and columns the header draws were made for; later additions (issue 19's tables O and
# P, G's 方向 …) are written canonically so that every earlier file stays byte for byte the same.
DRAWN_TABLES = "ABCDEFGHIJKLM"
LATER_COLUMNS = {"G": ("方向", "出发县区", "输出目的地"), "L": ("微信号", "入群")}


def draw_labels(rng: random.Random, p_alias: float = 0.15, p_unit: float = 0.12) -> dict[str, dict[str, str]]:
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


def force_labels(labels: dict[str, dict[str, str]], city: str) -> dict[str, dict[str, str]]:
    for table, column, label in FORCED_LABELS.get(city, ()):
        labels[table][column] = label
    return labels

