"""Names, statuses, columns and records of the province day (shared by its modules)."""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .. import catalogue, parse
from ..errors import UserError
from ..indicators import deadline
from ..reference import City, cities, load_yaml, resolve_city, settings

NOTEBOOK = "province_day.ipynb"

# Statuses of a city (报送情况 状态).
ON_TIME, LATE, MISSING, RETURNED = "按时", "迟报", "未报送", "退回"
ACCEPTED = (ON_TIME, LATE)
# Where a receipt time comes from (报送情况 时间来源).
SRC_RECEIPTS, SRC_MTIME, SRC_RUN = "收件登记", "文件修改时间", "本机运行完成时间"
# What happened to a file (收到文件 处理).
USED, REPLACED, REFUSED, UNKNOWN, LIAISON_FILE, K_FILE, RECEIPTS_FILE, SKIPPED = (
    "采用", "已被替代", "退回", "未识别", "联络员名单（表L）", "经验做法（表K）", "收件登记", "未处理")
# Actions of a failed check.
RETURN, REMIND = "退回", "提醒"

COMPLETENESS_COLUMNS = ["设区市", "状态", "收到时间", "时间来源", "迟报时长", "文件", "问题"]
PROBLEM_COLUMNS = ["设区市", "文件", "检查", "位置", "值", "应为", "说明", "处理"]
CHASE_COLUMNS = ["设区市", "状态", "事由", "联络员", "单位及职务", "办公电话", "手机"]
FILE_COLUMNS = ["文件", "设区市", "数据截至", "收到时间", "时间来源", "处理", "原因"]
COMPARISON_COLUMNS = ["设区市", "指标", "当日", "前一日", "变化", "需跟进", "说明"]
K_COLUMNS = ["设区市", "日期", "类别", "标题", "内容", "单位或个人", "文件"]
K_KINDS = ("经验做法", "先进典型")
SHEETS = {"completeness": "报送情况", "problems": "审核问题", "comparison": "逐日对比", "chase": "催报名单",
          "files": "收到文件"}


def config() -> dict:
    """The ``province`` section of params/province.yaml."""
    return load_yaml("province.yaml")["province"]


def plain(series: pd.Series | None) -> dict | None:
    """A figures row as plain floats (None for a gap), for templates and the 简讯's baseline."""
    if series is None:
        return None
    return {k: (None if pd.isna(v) else float(v)) for k, v in series.items()}


def names(day: dt.date) -> dict[str, str]:
    """Output file names of the province day (``catalogue`` group ``province``, with 江西省)."""
    return catalogue.names("province", config()["name"], day)


DETAIL_SHEET = "逐日对比明细"  # the working file's sheet: every city × indicator comparison
FLAG_FILL = "FFEB9C"  # a 逐日对比 cell to follow up (the 数据质量报告's 警告 yellow)


# --------------------------------------------------------------------------- small helpers


def late_minutes(delta: dt.timedelta) -> int:
    """How late in whole minutes, rounded up (at least 1): 迟报分钟, and what 迟报时长 says."""
    return max(1, math.ceil(delta.total_seconds() / 60))


def late_text(delta: dt.timedelta) -> str:
    """How late, for people: 1小时20分, 40分, 1天2小时 (minutes rounded up)."""
    minutes = late_minutes(delta)
    days, rest = divmod(minutes, 1440)
    hours, mins = divmod(rest, 60)
    return (f"{days}天" if days else "") + (f"{hours}小时" if hours else "") + (f"{mins}分" if mins else "")


def time_text(value: dt.datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M") if value is not None else ""


def date_text(day: dt.date | None) -> str:
    return f"{day.year}年{day.month}月{day.day}日" if day is not None else ""


def nfkc(text) -> str:
    """``text`` (None as empty) folded by :func:`yonggong.parse.nfkc`, without outer whitespace."""
    return parse.nfkc(str(text or "")).strip()


def file_key(name) -> str:
    return nfkc(name).casefold()


def number_text(v) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "—"
    v = float(v)
    if v.is_integer():
        return str(int(v))
    return f"{v:.1f}" if round(v, 1) == v else f"{v:g}"


def city_named_in(text, *, short_names: bool = False) -> City | None:
    """The one city whose full name (or bureau) appears in ``text``; None if none or several."""
    text = nfkc(text)
    found = {c for c in cities() if c.full_name in text or c.bureau in text}
    if not found and short_names:
        found = {c for c in cities() if re.match(rf"{re.escape(c.name)}(市|人社|人力)", text)}
    return found.pop() if len(found) == 1 else None


def city_of_text(value) -> City | None:
    """A city from a cell such as 南昌 / 南昌市 / 360100 / 南昌市人力资源和社会保障局."""
    text = nfkc(value)
    if not text:
        return None
    try:
        return resolve_city(text)
    except UserError:
        return city_named_in(text, short_names=True)


# --------------------------------------------------------------------------- records


RECEIPT_FILE_ABSENT = "receipt_file_absent"  # Problem.code: a 收件登记 line names a file not in the inbox


@dataclass
class Problem:
    """One failed check (a row of 审核问题)."""

    city: str  # 南昌市, or （未识别）
    file: str
    check: str  # 版式 / 数据截至 / 填报单位 / 合计 / 比率 / 负数 / 县区 / 逐日变化 / 收件登记 / 本机运行
    where: str
    value: str
    expected: str
    message: str
    action: str  # 退回 / 提醒
    code: str = ""  # what code matches on (the message is for people), e.g. RECEIPT_FILE_ABSENT

    def row(self) -> dict:
        return dict(zip(PROBLEM_COLUMNS, (self.city, self.file, self.check, self.where, self.value,
                                          self.expected, self.message, self.action), strict=True))


@dataclass
class Submission:
    """One file received (or one city output taken from this machine)."""

    file: str  # as shown: the name in the day folder, or the path under outputs/
    path: Path
    received: dt.datetime | None = None
    source: str = ""
    city: City | None = None  # the sender (from inside the file; for refused files maybe from 收件登记)
    data_day: dt.date | None = None  # 数据截至
    meta: dict = field(default_factory=dict)
    figures: pd.DataFrame | None = None  # as read (rows: counties, 市本级, 合计)
    outcome: str = ""  # 采用 / 已被替代 / 退回 / 未识别 / 联络员名单 / 收件登记 / 未处理
    reason: str = ""  # why refused (intake), Chinese
    check: str = ""  # the intake check that refused it: 版式 / 填报单位 / 数据截至
    problems: list[Problem] = field(default_factory=list)
    k_items: pd.DataFrame | None = None  # a table-K file: its items (K_COLUMNS)
    companion_error: str = ""  # why a 劳务输出 sheet beside the 汇总表 could not be read (Chinese)

    @property
    def readable(self) -> bool:
        """Passed intake: the right form, a known city, the right day."""
        return self.figures is not None and self.city is not None and not self.reason

    @property
    def returned(self) -> bool:
        return bool(self.reason) or any(p.action == RETURN for p in self.problems)

    @property
    def total(self) -> pd.Series:
        """The submission's 合计 row."""
        return self.figures.loc[settings()["total_row"]]


@dataclass
class CityStatus:
    """A city's line of 报送情况."""

    city: City
    day: dt.date
    status: str = MISSING
    chosen: Submission | None = None
    files: list[Submission] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def received(self) -> dt.datetime | None:
        return self.chosen.received if self.chosen is not None else None

    @property
    def late_by(self) -> dt.timedelta | None:
        """How long after the deadline the counted file came (None: on time or nothing came)."""
        if self.received is None:
            return None
        over = self.received - deadline(self.day)
        return over if over > dt.timedelta(0) else None


@dataclass
class Intake:
    """What one day's intake yields."""

    day: dt.date
    source: str  # inbox / outputs
    where: Path | None  # the day folder, or the outputs root
    submissions: list[Submission]
    statuses: list[CityStatus]
    problems: list[Problem]  # file-level and receipt problems not tied to a chosen submission
    liaisons: pd.DataFrame | None
    receipts: str  # how files were timed, for people
    k_items: pd.DataFrame | None = None  # the cities' table-K items of the day (K_COLUMNS)

    @property
    def accepted(self) -> dict[str, pd.Series]:
        """City name → the 合计 row of each accepted submission."""
        return {s.city.name: s.chosen.total for s in self.statuses if s.status in ACCEPTED}
