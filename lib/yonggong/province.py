"""The province's day: intake of the cities' 汇总表, checks, completeness and timeliness,
the 催报 list, the roll-up and the day-over-day comparison (``invoke province`` / ``invoke all``).

What the province notebook calls:

    pday = province.load("2020-02-26", inbox)      # intake + checks + statuses + roll-up
    pday.completeness   # 报送情况: one row per city (按时 / 迟报 / 未报送 / 退回)
    pday.problems       # 审核问题: every failed check
    pday.chase          # 催报名单: missing, late and returned cities with their liaisons
    pday.comparison     # 逐日对比: D against D-1 per city and figure, jumps flagged
    pday.figures        # the roll-up: one row per city, then 全省合计
    province.write_all(pday, out_dir)                # xlsx, html, and parquet for yonggong.history

Intake (``source``):

* ``inbox``: every file in ``<inbox>/province/<D>/``, whatever its name. A file is a 汇总表
  when ``forms.read_huizongbiao`` recognises it with the layout spec that also writes it; the
  city is the one named in its 填报单位, never the file name. A file for another day, of an
  unknown layout or from an unknown sender is refused (退回) with the reason. Receipt times
  come from ``收件登记.csv`` when it lists the file, else from the file's modification time.
* ``outputs``: the city 汇总表 this machine produced, ``<outputs>/<D>/<市>/``, timed by the
  finished time in the city's manifest.json; a city whose run failed (``failures``) is
  未报送 with the reason.
* ``auto``: ``inbox`` when ``<inbox>/province/<D>/`` exists, else ``outputs``.

The cities' 经验做法 / 先进典型 (table K) for the brief come from the K files of the province day
folder (``inbox``), or from each accepted city's own day folder ``<inbox>/<市>/<D>/`` (``outputs``).

Every figure, label, rate and total follows the indicator catalogue (``yonggong.indicators``):
全省合计 is ``indicators.total`` of the accepted cities; the rate checks take numerator and
denominator from there. After writing, ``yonggong.province_check`` reads the products back
(:func:`self_check`). Times are local (``indicators.LOCAL``), kept as naive datetimes.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from openpyxl.styles import Alignment, Font, PatternFill

from . import forms, indicators, outbound, paths, products, tidy
from .allcities import short_text
from .days import parse_day
from .errors import UserError, YonggongError
from .indicators import deadline, local_time
from .ingest import day_files, read_sheets, recognise
from .parse import normalise_header, parse_date, parse_datetime, parse_phone, read_csv_rows
from .reference import City, cities, city_counties, load_yaml, resolve_city, resolve_county, settings

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


def names(day: dt.date) -> dict[str, str]:
    """Output file names of the province day (named like a city day's, with 江西省)."""
    n = products.names(config()["name"], day)
    stamp = day.strftime("%Y%m%d")
    return {"huizongbiao": n["huizongbiao"], "working": n["working"], "bulletin": n["bulletin"],
            "brief": f"工作简报_{config()['name']}_{stamp}.html",
            **{f"{kind}_parquet": f"{stem}_{config()['name']}_{stamp}.parquet" for kind, stem in TIDY_STEMS.items()}}


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


def _nfkc(text) -> str:
    return unicodedata.normalize("NFKC", str(text or "")).strip()


def _file_key(name) -> str:
    return _nfkc(name).casefold()


def _number_text(v) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "—"
    v = float(v)
    if v.is_integer():
        return str(int(v))
    return f"{v:.1f}" if round(v, 1) == v else f"{v:g}"


def city_named_in(text, *, short_names: bool = False) -> City | None:
    """The one city whose full name (or bureau) appears in ``text``; None if none or several."""
    text = _nfkc(text)
    found = {c for c in cities() if c.full_name in text or c.bureau in text}
    if not found and short_names:
        found = {c for c in cities() if re.match(rf"{re.escape(c.name)}(市|人社|人力)", text)}
    return found.pop() if len(found) == 1 else None


def city_of_text(value) -> City | None:
    """A city from a cell such as 南昌 / 南昌市 / 360100 / 南昌市人力资源和社会保障局."""
    text = _nfkc(value)
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


# --------------------------------------------------------------------------- receipts


@dataclass
class Receipt:
    line: int
    city_text: str
    city: City | None
    received: dt.datetime | None
    file: str


def read_receipts(path: Path, day: dt.date) -> tuple[list[Receipt], str, list[Problem]]:
    """Lines of 收件登记.csv: (receipts, encoding, problems). Unreadable lines are problems.

    The log is optional: a file that cannot be read at all (damaged, an unknown encoding, no
    permission) gives no receipts, one problem saying why, and encoding "" — every file is then
    timed by its modification time."""
    cfg = config()["receipts"]
    try:
        rows, encoding = read_csv_rows(path)
    except Exception as exc:  # noqa: BLE001 - an optional log: whatever is wrong with it, fall back
        return [], "", [Problem("（全部）", path.name, "收件登记", "文件", "", "UTF-8 或 GB18030 编码的 CSV",
                                f"收件登记无法读取（{_read_error(exc)}），全部文件按文件修改时间计", REMIND)]
    wanted = {k: {normalise_header(a) for a in [k, *v]} for k, v in cfg["columns"].items()}
    header_at, cols = None, {}
    for i, row in enumerate(rows[:10]):
        found = {}
        for j, cell in enumerate(row):
            h = normalise_header(cell)
            for name, aliases in wanted.items():
                if h in aliases and name not in found:
                    found[name] = j
        if "收到时间" in found and "文件名" in found:
            header_at, cols = i, found
            break
    name = path.name
    if header_at is None:
        return [], encoding, [Problem("（全部）", name, "收件登记", "表头", "", "设区市、收到时间、文件名",
                                      "收件登记没有“收到时间”“文件名”列，全部文件按文件修改时间计", REMIND)]
    out, problems = [], []
    for i, row in enumerate(rows[header_at + 1:], header_at + 2):
        cell = {k: (row[j] if j < len(row) else "") for k, j in cols.items()}
        if not any(_nfkc(v) for v in cell.values()):
            continue
        city_text = _nfkc(cell.get("设区市", ""))
        received = _receipt_time(cell.get("收到时间"), day)
        if received is None:
            problems.append(Problem(city_text or "（未识别）", name, "收件登记", f"第{i}行", _nfkc(cell.get("收到时间")),
                                    "日期时间，如 2020-02-24 14:30", "收到时间无法识别，该文件按文件修改时间计", REMIND))
        out.append(Receipt(i, city_text, city_of_text(city_text), received, _nfkc(cell.get("文件名"))))
    return out, encoding, problems


def _read_error(exc: BaseException) -> str:
    """Why a file could not be read, for people."""
    if isinstance(exc, PermissionError):
        return "没有读取权限"
    if isinstance(exc, UnicodeError):
        return "编码无法识别"
    if isinstance(exc, OSError):
        return exc.strerror or type(exc).__name__
    text = str(exc).strip()
    return text if re.search(r"[\u4e00-\u9fff]", text) else f"文件已损坏或格式不对：{text or type(exc).__name__}"


def _receipt_time(raw, day: dt.date) -> dt.datetime | None:
    text = _nfkc(raw)
    if not text:
        return None
    m = re.fullmatch(r"(\d{1,2})[:：时](\d{1,2})(?:[:：分](\d{1,2})秒?)?分?", text)
    if m:
        return dt.datetime.combine(day, dt.time(int(m[1]), int(m[2]), int(m[3] or 0)))
    parsed = parse_datetime(raw, day.year)
    value = parsed.value
    if parsed.ok and isinstance(value, dt.datetime):
        return value.replace(tzinfo=None) if value.tzinfo is None else \
            value.astimezone(indicators.LOCAL).replace(tzinfo=None)
    return None


# --------------------------------------------------------------------------- reading files


def _sheet_city(rows: list[list]) -> City | None:
    """The city named in a 填报单位 line (or a title) among the first rows of a sheet."""
    for row in rows[:4]:
        for cell in row:
            if isinstance(cell, str) and cell.strip():
                text = _nfkc(cell)
                if "填报单位" in text:
                    city = city_named_in(text.split("填报单位", 1)[1], short_names=True)
                    if city:
                        return city
    return None


def _city_rows(path: Path, code: str, city_field: str, default: City | None = None,
               sheets=None) -> list[tuple[dict, City | None]] | None:
    """Rows of table ``code`` in a file, each with its city (None when the file holds no such
    table). The city of a row comes from a 设区市 column (``city_columns``), else the sheet's title
    lines, else the text of ``city_field``, else ``default``."""
    city_cols = {normalise_header(c) for c in config()["city_columns"]}
    if sheets is None:
        try:
            sheets = read_sheets(path)
        except Exception:  # noqa: BLE001 (any unreadable file simply holds no such table)
            return None
    found = False
    out: list[tuple[dict, City | None]] = []
    for _sheet, rows in sheets:
        if not any(any(v not in (None, "") for v in r) for r in rows):
            continue
        got, idx, cols, _problem = recognise(rows)
        if got != code:
            continue
        found = True
        header = rows[max(idx)]
        city_col = next((j for j, v in enumerate(header) if normalise_header(v) in city_cols), None)
        title_city = None
        for row in rows[:min(idx)]:
            title_city = title_city or next((c for c in (city_named_in(v, short_names=True)
                                                         for v in row if isinstance(v, str)) if c), None)
        for row in rows[max(idx) + 1:]:
            values = {name: (row[j] if j < len(row) else None) for j, name in cols.items()}
            if not any(_nfkc(v) for v in values.values() if not isinstance(v, float) or v == v):
                continue
            city = None
            if city_col is not None and city_col < len(row):
                city = city_of_text(row[city_col])
            city = city or title_city or city_named_in(values.get(city_field), short_names=True) or default
            out.append((values, city))
    return out if found else None


def liaison_rows(path: Path, sheets=None) -> pd.DataFrame | None:
    """Table-L rows of a file with the city of each row (None when the file holds no table L).

    Columns: 设区市 (full name), 姓名, 单位及职务, 小组职务, 办公电话, 手机. The city comes from a
    设区市 column, else the sheet's title lines, else 单位及职务 (params/province.yaml).
    """
    rows = _city_rows(path, "L", "单位及职务", sheets=sheets)
    if rows is None:
        return None
    records = []
    for values, city in rows:
        if not _nfkc(values.get("姓名")) or city is None:
            continue
        records.append({"设区市": city.full_name, "姓名": _nfkc(values.get("姓名")),
                        "单位及职务": _nfkc(values.get("单位及职务")), "小组职务": _nfkc(values.get("小组职务")),
                        "办公电话": _phone(values.get("办公电话")), "手机": _phone(values.get("手机"))})
    return pd.DataFrame(records, columns=["设区市", "姓名", "单位及职务", "小组职务", "办公电话", "手机"])


def k_rows(path: Path, day: dt.date, shown: str = "", default: City | None = None,
           sheets=None) -> pd.DataFrame | None:
    """Table-K items (经验做法 / 先进典型) of a file dated on or before ``day`` (undated items
    too), with the city of each row; None when the file holds no table K.

    Columns ``K_COLUMNS``: 设区市 (full name), 日期, 类别, 标题, 内容, 单位或个人, 文件. The city comes
    from a 设区市 column, else the sheet's title lines, else 单位或个人, else ``default``; rows
    whose city cannot be told, of another category or without a title are left out.
    """
    rows = _city_rows(path, "K", "单位或个人", default=default, sheets=sheets)
    if rows is None:
        return None
    records = []
    for values, city in rows:
        kind, title = _nfkc(values.get("类别")), _nfkc(values.get("标题"))
        if city is None or kind not in K_KINDS or not title or title in settings()["total_row_markers"]:
            continue
        parsed = parse_date(values.get("日期"), day.year)
        when = parsed.value if parsed.ok and isinstance(parsed.value, dt.date) else None
        if isinstance(when, dt.datetime):
            when = when.date()
        if when is not None and when > day:
            continue
        records.append({"设区市": city.full_name, "日期": when, "类别": kind, "标题": title,
                        "内容": _nfkc(values.get("内容")), "单位或个人": _nfkc(values.get("单位或个人")),
                        "文件": shown or path.name})
    return pd.DataFrame(records, columns=K_COLUMNS)


def city_k_items(inbox: Path, city: City, day: dt.date) -> pd.DataFrame:
    """The table-K items of a city's own day folder ``<inbox>/<市>/<D>/`` (``k_rows`` of each file)."""
    folder = Path(inbox) / city.name / day.isoformat()
    frames = [k_rows(p, day, f"{city.name}/{day.isoformat()}/{p.name}", default=city) for p in day_files(folder)]
    return _k_frame(frames)


def _k_frame(frames) -> pd.DataFrame:
    """K items of several files in city order; one item per city, category and title (the last)."""
    frames = [f for f in frames if f is not None and not f.empty]
    if not frames:
        return pd.DataFrame(columns=K_COLUMNS)
    k = pd.concat(frames, ignore_index=True)
    k = k.drop_duplicates(["设区市", "类别", "标题"], keep="last")
    order = {c.full_name: i for i, c in enumerate(cities())}
    k = k.assign(_o=k["设区市"].map(order)).sort_values("_o", kind="stable").drop(columns="_o")
    return k.reset_index(drop=True)


def _phone(raw) -> str:
    p = parse_phone(raw)
    return str(p.value) if p.value is not None else ""


def _side_table(sub: Submission, day: dt.date) -> bool:
    """Whether a file that is not a 汇总表 is a table L (联络员名单) or a table K (经验做法) file;
    sets its outcome (and, for K, its items and city when they are all of one city)."""
    try:
        sheets = read_sheets(sub.path)
    except Exception:  # noqa: BLE001 (an unreadable file is neither)
        return False
    if liaison_rows(sub.path, sheets=sheets) is not None:
        sub.outcome = LIAISON_FILE
        return True
    items = k_rows(sub.path, day, sub.file, sheets=sheets)
    if items is None:
        return False
    sub.outcome, sub.k_items = K_FILE, items
    if items["设区市"].nunique() == 1:
        sub.city = resolve_city(items["设区市"].iloc[0])
    return True


def read_submission(path: Path, shown: str, day: dt.date, layout: dict) -> Submission:
    """Read one received file: recognise it as a 汇总表 and find its city and day (no checks)."""
    sub = Submission(file=shown, path=path)
    if path.suffix.lower() not in (".xlsx", ".xlsm"):
        if path.suffix.lower() in (".xls", ".csv") and _side_table(sub, day):
            return sub
        sub.reason = f"不是 xlsx 文件（{path.suffix or '无扩展名'}），无法按汇总表版式识别；请另存为 .xlsx 后重报"
        sub.check = "版式"
        return sub
    try:
        meta, figs = forms.read_huizongbiao(path, layout)
    except ValueError as exc:
        if _side_table(sub, day):
            return sub
        sub.reason, sub.check = str(exc), "版式"
        try:
            sheets = read_sheets(path)
            sub.city = next((c for c in (_sheet_city(rows) for _, rows in sheets) if c), None)
        except Exception:  # noqa: BLE001 (a damaged file: no city to be found)
            sheets, sub.city = None, None
        if sheets is not None and not looks_like_form(sheets):
            # a letter, a notice …: not a 汇总表 in another layout, so no 退回 of the city either
            sub.outcome = UNKNOWN
            sub.reason = (f"“{shown}”不是汇总表（没有汇总表的指标栏目），未作为报送处理；"
                          "如为情况说明等材料，请人工阅处")
        return sub
    sub.meta, sub.figures, sub.data_day = meta, _with_companions(sub, path, figs), meta.get("date")
    bureau = _nfkc(meta.get("bureau"))
    city = city_of_text(meta.get("city_full")) if meta.get("city_full") else None
    city = city or city_named_in(bureau, short_names=True)
    sub.city = city
    if city is None:
        sub.reason, sub.check = f"填报单位“{bureau}”不是江西省的设区市人社部门，无法确定报送单位", "填报单位"
    elif sub.data_day != day:
        sub.reason, sub.check = f"数据截至{date_text(sub.data_day)}，不是{date_text(day)}", "数据截至"
    return sub


CHANGES_SHOWN = 5  # cells named when a 更正 replaces a file (the rest counted)


def changed_cells(old: pd.DataFrame | None, new: pd.DataFrame | None) -> list[str]:
    """What a resent 汇总表 changed: “章贡区缺工人数249→224” per cell whose value differs (rows
    and figures of either file, in the new file's order; "—" for a value not given)."""
    if old is None or new is None:
        return []
    rows = list(new.index) + [r for r in old.index if r not in new.index]
    cols = list(new.columns) + [c for c in old.columns if c not in new.columns]
    out = []
    for r in rows:
        for c in cols:
            a = old.at[r, c] if r in old.index and c in old.columns else None
            b = new.at[r, c] if r in new.index and c in new.columns else None
            a_num, b_num = _as_number(a), _as_number(b)
            if a_num == b_num or (a_num is None and b_num is None):
                continue
            out.append(f"{r}{indicators.label(c)}{_number_text(a_num)}→{_number_text(b_num)}")
    return out


def _as_number(v) -> float | None:
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(f) else round(f, 6)


FORM_MIN_LABELS = 3  # indicator headers a sheet must show to be taken for a 汇总表 in another layout


def looks_like_form(sheets: list[tuple[str, list[list]]], rows: int = 30) -> bool:
    """Whether any sheet shows at least :data:`FORM_MIN_LABELS` of the 汇总表's indicator headers
    (the catalogue's labels and form captions, compared without spaces) in its first ``rows`` rows:
    a 汇总表 in another layout (退回 with the reason) rather than a letter or a notice (未识别)."""
    labels = {_squash_text(t) for ind in indicators.catalogue().values() for t in (ind.label, *ind.form)} - {""}
    for _, cells in sheets:
        seen = {_squash_text(v) for row in cells[:rows] for v in row if isinstance(v, str)}
        if len(seen & labels) >= FORM_MIN_LABELS:
            return True
    return False


def _squash_text(text) -> str:
    return "".join(_nfkc(text).split())


def _with_companions(sub: Submission, path: Path, figs: pd.DataFrame) -> pd.DataFrame:
    """The 汇总表 figures joined with those of the sheets filed beside it (劳务输出), row by row;
    a companion sheet that cannot be read leaves its figures "—" and a note (``companion_error``)."""
    for layout in outbound.COMPANIONS:
        try:
            found = forms.read_layout_sheet(path, layout)
        except ValueError as exc:
            sub.companion_error = str(exc)
            continue
        if found is None:
            continue
        extra = found[1]
        stray = [str(x) for x in extra.index if x not in figs.index]
        if stray:
            sub.companion_error = (f"工作表“{forms.load_layout(layout)['sheet']}”的行“{'、'.join(stray)}”"
                                   "不在汇总表中，该表数字未采用")
            continue
        figs = figs.join(extra[[c for c in extra.columns if c not in figs.columns]], how="left")
    return figs


# --------------------------------------------------------------------------- checks


def check_figures(sub: Submission) -> list[Problem]:
    """The checks of one readable submission (params/province.yaml ``checks``; rates from the
    indicator catalogue)."""
    cfg = config()
    actions = cfg["checks"]
    city = sub.city
    f = sub.figures
    total_label = settings()["total_row"]
    city_row = settings()["city_level_row"]
    out: list[Problem] = []

    def add(check, where, value, expected, message):
        out.append(Problem(city.full_name, sub.file, check, where, value, expected, message,
                           actions.get(check, RETURN)))

    labels = list(f.index)
    counts = [c for c in f.columns if not indicators.is_rate(c)]
    if sub.companion_error:
        add("劳务输出", "劳务输出表", "", "", sub.companion_error)

    # Rows: counties of the city (no repeats), 市本级, and a final 合计.
    own = {c.name for c in city_counties(city)}
    seen = set()
    for label in labels:
        if label in (total_label, city_row):
            continue
        if label in seen:
            add("县区", f"行“{label}”", label, "每个县区一行", f"县区“{label}”出现多次")
        seen.add(label)
        if label not in own:
            match = resolve_county(label, city)
            why = match.note if match.county is None else f"县区“{label}”应写规范名称“{match.county.name}”"
            add("县区", f"行“{label}”", label, f"{city.full_name}的县区", why)
    if labels[-1] != total_label:
        add("合计", "表末", labels[-1], total_label, "汇总表缺少“合计”行")
    else:
        body = f.iloc[:-1]
        total = f.iloc[-1]
        tol = float(cfg.get("total_tolerance", 0))
        for fid in counts:
            rows_sum = body[fid].sum(min_count=1)
            have = total[fid]
            if pd.isna(rows_sum) and pd.isna(have):
                continue
            if pd.isna(rows_sum) != pd.isna(have) or abs(float(have) - float(rows_sum)) > tol + 1e-9:
                name = indicators.label(fid)
                add("合计", f"行“合计”，列“{name}”", _number_text(have), _number_text(rows_sum),
                    f"合计行“{name}”为{_number_text(have)}，上方各行之和为{_number_text(rows_sum)}")

    # No negatives.
    for label, row in f.iterrows():
        for fid, v in row.items():
            if pd.notna(v) and float(v) < 0:
                name = indicators.label(fid)
                add("负数", f"行“{label}”，列“{name}”", _number_text(v), "≥0",
                    f"行“{label}”“{name}”为负数（{_number_text(v)}）")

    # Rates follow from their counts (the catalogue); without the count columns (an older
    # form) a rate is only checked to lie within 0–100.
    slack = 0.05 + float(cfg.get("rate_tolerance", 0.05)) + 1e-9
    for rid in indicators.rates():
        if rid not in f.columns:
            continue
        ind = indicators.get(rid)
        name = ind.label
        with_counts = set(ind.numerator + ind.denominator) <= set(f.columns)
        for label, row in f.iterrows():
            v = row[rid]
            where = f"行“{label}”，列“{name}”"
            if pd.notna(v) and not 0 <= float(v) <= 100:
                add("比率", where, _number_text(v), "0–100", f"{name}超出0–100")
                continue
            if not with_counts:
                continue
            num = _sum_of(row, ind.numerator)
            den = _sum_of(row, ind.denominator)
            if den is None or den <= 0:
                if pd.notna(v):
                    add("比率", where, _number_text(v), "—", f"{name}的分母为0或未报送，比率应为“—”")
                continue
            if num is None:
                continue
            want = indicators.ratio(num, den)
            if pd.isna(v):
                add("比率", where, "—", f"{want:.1f}", f"{name}应由计数算出（{want:.1f}），不应为空")
            elif abs(float(v) - want) > slack:
                add("比率", where, _number_text(v), f"{want:.1f}", f"{name}为{_number_text(v)}，由计数算得{want:.1f}")
    return out


def _sum_of(row: pd.Series, ids) -> float | None:
    """Sum of figures ``ids`` of a row; None when any is missing ("—") or absent."""
    vals = [row.get(i) for i in ids]
    if any(v is None or pd.isna(v) for v in vals):
        return None
    return float(sum(float(v) for v in vals))


# --------------------------------------------------------------------------- intake


def intake_inbox(folder: Path, day: dt.date, failures: dict | None = None, layout=None) -> Intake:
    """Intake of ``<inbox>/province/<D>/``: every file read, timed, checked; statuses decided."""
    layout = forms.load_layout() if layout is None else layout
    receipts_name = config()["receipts"]["file"]
    files = [p for p in sorted(folder.iterdir()) if p.is_file() and not p.name.startswith(("~$", ".", "._"))] \
        if folder.is_dir() else []
    receipts, problems, how = [], [], "收件箱中没有收件登记，全部按文件修改时间计"
    by_name: dict[str, Receipt] = {}
    subs: list[Submission] = []
    for p in files:
        if _file_key(p.name) == _file_key(receipts_name):
            receipts, encoding, problems = read_receipts(p, day)
            unreadable = [q.message for q in problems if q.where == "文件"]
            how = (f"{receipts_name}无法读取，全部按文件修改时间计" if unreadable else
                   f"按{receipts_name}（{encoding}）计；其中未登记的文件按文件修改时间计")
            subs.append(Submission(file=p.name, path=p, outcome=RECEIPTS_FILE,
                                   reason=unreadable[0] if unreadable else ""))
    for r in receipts:
        by_name.setdefault(_file_key(r.file), r)
    names_present = {_file_key(p.name) for p in files}
    for r in receipts:
        if r.file and _file_key(r.file) not in names_present:
            problems.append(Problem(r.city.full_name if r.city else (r.city_text or "（未识别）"), r.file, "收件登记",
                                    f"第{r.line}行", r.file, "收件箱中的文件", "收件登记列出的文件不在收件箱中", REMIND,
                                    code=RECEIPT_FILE_ABSENT))
    for p in files:
        if _file_key(p.name) == _file_key(receipts_name):
            continue
        sub = read_submission(p, p.name, day, layout)
        receipt = by_name.get(_file_key(p.name))
        if receipt is not None and receipt.received is not None:
            sub.received, sub.source = receipt.received, SRC_RECEIPTS
        else:
            sub.received, sub.source = local_time(p.stat().st_mtime), SRC_MTIME
        if sub.outcome in (LIAISON_FILE, K_FILE):
            subs.append(sub)
            continue
        if receipt is not None and receipt.city is not None:
            if sub.city is None:
                sub.city = receipt.city  # attribution of a refused file only
            elif sub.readable and receipt.city != sub.city:
                problems.append(Problem(sub.city.full_name, sub.file, "收件登记", f"第{receipt.line}行",
                                        receipt.city_text, sub.city.full_name,
                                        f"收件登记记为{receipt.city.full_name}，文件填报单位为{sub.city.full_name}（以文件为准）",
                                        REMIND))
        subs.append(sub)
    liaisons = _liaisons_of(subs)
    intake = _decide(day, "inbox", folder, subs, problems, failures or {}, liaisons, how)
    intake.k_items = _k_frame([s.k_items for s in subs if s.outcome == K_FILE])
    return intake


def intake_outputs(out_root: Path, day: dt.date, failures: dict | None = None, layout=None) -> Intake:
    """Intake of this machine's city outputs ``<outputs>/<D>/<市>/``, timed by their manifests."""
    layout = forms.load_layout() if layout is None else layout
    failures = failures or {}
    subs = []
    for city in cities():
        if city.name in failures:
            continue
        folder = Path(out_root) / day.isoformat() / city.name
        path = folder / products.names(city.name, day)["huizongbiao"]
        if not path.is_file():
            continue
        sub = read_submission(path, path.relative_to(out_root).as_posix(), day, layout)
        sub.received, sub.source = _finished(folder / "manifest.json", path), SRC_RUN
        subs.append(sub)
    how = "各市为本机生成的汇总表，收到时间取本机运行完成时间（manifest.json 中的 finished）"
    return _decide(day, "outputs", Path(out_root), subs, [], failures, None, how)


def city_inbox(out_root: Path, city: City, day: dt.date, default: Path) -> Path:
    """The inbox a city output of this machine was made from (its manifest's ``inbox``
    parameter), else ``default``."""
    try:
        manifest = json.loads((Path(out_root) / day.isoformat() / city.name / "manifest.json").read_text(encoding="utf-8"))
        inbox = Path(manifest["parameters"]["inbox"])
    except (OSError, ValueError, KeyError, TypeError):
        return Path(default)
    return inbox if (inbox / city.name).is_dir() else Path(default)


def _finished(manifest: Path, fallback: Path) -> dt.datetime:
    try:
        stamp = json.loads(manifest.read_text(encoding="utf-8"))["finished"]
        return dt.datetime.fromisoformat(stamp).astimezone(indicators.LOCAL).replace(tzinfo=None).replace(microsecond=0)
    except (OSError, ValueError, KeyError, TypeError):
        return local_time(fallback.stat().st_mtime)


def _liaisons_of(subs: list[Submission]) -> pd.DataFrame | None:
    frames = [liaison_rows(s.path) for s in subs if s.outcome == LIAISON_FILE]
    frames = [f for f in frames if f is not None]
    return pd.concat(frames, ignore_index=True) if frames else None


def _decide(day, source, where, subs, problems, failures, liaisons, how) -> Intake:
    """Choose one file per city (the newest readable one), run its checks, set statuses."""
    for sub in subs:
        if sub.outcome == UNKNOWN and sub.reason:  # not a 汇总表: read by a person, nobody returned
            problems.append(Problem(sub.city.full_name if sub.city else "（未识别）", sub.file, "版式", "", "", "",
                                    sub.reason, REMIND))
        if sub.outcome:
            continue
        if sub.reason:
            sub.outcome = REFUSED if sub.city is not None else UNKNOWN
            check = sub.check
            problems.append(Problem(sub.city.full_name if sub.city else "（未识别）", sub.file, check, "",
                                    date_text(sub.data_day) if check == "数据截至" else "",
                                    date_text(day) if check == "数据截至" else "", sub.reason, RETURN))
    statuses = []
    for city in cities():
        own = sorted((s for s in subs if s.city == city and s.outcome in ("", REFUSED)),
                     key=lambda s: (s.received or dt.datetime.min, s.file))
        st = CityStatus(city, day, files=own)
        failure = failures.get(city.name) or failures.get(city.full_name)
        if failure:
            problems.append(Problem(city.full_name, "", "本机运行", "", "", "", f"本机运行失败：{failure}",
                                    RETURN if source == "outputs" else REMIND))
            st.notes.append(f"本机运行失败：{failure}" + ("" if source == "outputs" else "（按收件箱中的报送文件处理）"))
        readable = [s for s in own if s.readable]
        if readable:
            chosen = readable[-1]
            chosen.outcome = USED
            chosen.problems = check_figures(chosen)
            for older in readable[:-1]:
                older.outcome = REPLACED
                older.reason = f"同日收到较新的文件“{chosen.file}”"
            if len(readable) > 1:
                changes = changed_cells(readable[-2].figures, chosen.figures)
                shown = "；".join(changes[:CHANGES_SHOWN]) + (f"等{len(changes)}处" if len(changes) > CHANGES_SHOWN else "")
                what = f"与“{readable[-2].file}”相比改动{len(changes)}处：{shown}" if changes else \
                    f"与“{readable[-2].file}”相比数字无改动"
                readable[-2].reason += f"（{what}）"
                st.notes.append(f"共收到{len(readable)}份汇总表，采用最新的“{chosen.file}”，"
                                + "、".join(f"“{s.file}”" for s in readable[:-1]) + f"已被替代；{what}")
            st.chosen = chosen
            returned = [p for p in chosen.problems if p.action == RETURN]
            if returned:
                chosen.outcome = REFUSED
                st.status = RETURNED
                st.notes.insert(0, "；".join(p.message for p in returned[:3])
                                + (f"等{len(returned)}处" if len(returned) > 3 else ""))
            else:
                st.status = LATE if st.late_by is not None else ON_TIME
        elif own:
            st.chosen = own[-1]
            st.status = RETURNED
            st.notes.insert(0, st.chosen.reason)
        elif not failure:
            listed = [p for p in problems if p.code == RECEIPT_FILE_ABSENT and p.city == city.full_name]
            if listed:
                st.notes.append(f"收件登记有记录（{listed[0].file}），但收件箱中没有该文件")
        for s in own:
            if s is not st.chosen and s.reason and s.outcome == REFUSED and st.chosen is not None \
                    and st.status in ACCEPTED:
                why = s.reason.removeprefix(f"“{s.file}”")
                st.notes.append(f"另有“{s.file}”未采用：{why}")
        statuses.append(st)
    for st in statuses:
        if st.chosen is not None:
            problems.extend(st.chosen.problems)
    return Intake(day, source, where, subs, statuses, problems, liaisons, how)


# --------------------------------------------------------------------------- the day


@dataclass
class ProvinceDay:
    """Everything computed for the province day."""

    day: dt.date
    intake: Intake
    previous: dict[str, pd.Series]  # city name → D-1 合计 (accepted submissions of D-1)
    previous_source: str
    figures: pd.DataFrame  # roll-up: cities (全称) then 全省合计; 退回 / 未报送 text for excluded cities
    totals: pd.Series  # 全省合计 (indicators.total of the accepted cities)
    previous_totals: pd.Series | None  # D-1 total over the cities accepted on both days
    comparison: pd.DataFrame
    completeness: pd.DataFrame
    problems: pd.DataFrame
    chase: pd.DataFrame
    files: pd.DataFrame
    rates: dict
    flags: list[Problem] = field(default_factory=list)
    compared: list[str] = field(default_factory=list)  # full names of the cities accepted on D and D-1
    compared_totals: pd.Series | None = None  # D total over the same cities (for 较上日)
    selfcheck: object | None = None  # province_check.CheckResult, once the products are written

    @property
    def statuses(self) -> list[CityStatus]:
        return self.intake.statuses

    @property
    def excluded(self) -> list[CityStatus]:
        return [s for s in self.statuses if s.status not in ACCEPTED]

    @property
    def accepted_frame(self) -> pd.DataFrame:
        """The accepted cities' rows of the roll-up (float; index 全称)."""
        names = [s.city.full_name for s in self.statuses if s.status in ACCEPTED]
        return self.figures.loc[names].astype("float64")

    @property
    def k_items(self) -> pd.DataFrame:
        """The cities' 经验做法 / 先进典型 of the day (K_COLUMNS)."""
        k = self.intake.k_items
        return k if k is not None else pd.DataFrame(columns=K_COLUMNS)

    def left_out(self) -> dict[str, list[str]]:
        """Per count column, the accepted cities with "—" there (left out of its 全省合计)."""
        return indicators.left_out(self.accepted_frame)

    def comparison_text(self) -> str:
        """Which cities the 较上日 change is computed over, for people."""
        if not self.compared:
            return "前一日没有可比的有效报送，不作较上日比较"
        text = f"较上日变化按两日均有效报送的{len(self.compared)}个设区市计算"
        others = [c.full_name for c in cities() if c.full_name not in self.compared]
        return text + (f"（不含{'、'.join(others)}）" if others else "")

    def note(self) -> list[str]:
        """The lines written under the roll-up table."""
        r = self.rates
        lines = [f"报送情况：应报{r['应报']}个，有效报送{r['有效报送']}个（按时{r['按时']}个、迟报{r['迟报']}个），"
                 f"退回{r['退回']}个，未报送{r['未报送']}个；报送率{r['报送率']:.1f}%，按时报送率{r['按时报送率']:.1f}%。"]
        if self.excluded:
            parts = [f"{s.city.full_name}（{s.status}" + (f"：{s.notes[0]}" if s.notes else "") + "）"
                     for s in self.excluded]
            lines.append("注：以下设区市不计入全省合计：" + "；".join(parts) + "。")
        gaps = left_out_text(self.left_out())
        if gaps:
            lines.append(gaps)
        return lines


def left_out_text(gaps: dict[str, list[str]]) -> str:
    """The note on columns whose 全省合计 leaves out cities that reported "—" there; columns with
    the same cities left out are named together."""
    if not gaps:
        return ""
    groups: dict[tuple[str, ...], list[str]] = {}
    for fid, names_ in gaps.items():
        groups.setdefault(tuple(names_), []).append(indicators.label(fid))
    parts = [f"{'、'.join(labels)}不含{'、'.join(names_)}" for names_, labels in groups.items()]
    return "注：全省合计为有效报送设区市之和，以下各列部分设区市报“—”（未报送相应报表），未计入：" + "；".join(parts) + "。"


def resolve_source(source: str, inbox: Path, day: dt.date) -> str:
    """``inbox`` / ``outputs`` from ``auto`` (inbox when <inbox>/province/<D>/ exists)."""
    if source not in ("auto", "inbox", "outputs"):
        raise UserError(f"来源“{source}”无效，应为 inbox、outputs 或 auto")
    if source == "auto":
        return "inbox" if (Path(inbox) / "province" / day.isoformat()).is_dir() else "outputs"
    return source


def province_days(inbox: Path) -> list[dt.date]:
    base = Path(inbox) / "province"
    out = []
    if base.is_dir():
        for p in base.iterdir():
            try:
                if p.is_dir():
                    out.append(dt.date.fromisoformat(p.name))
            except ValueError:
                continue
    return sorted(out)


def resolve_province_day(inbox: Path, value) -> dt.date:
    if value not in (None, ""):
        return parse_day(value)
    days = province_days(inbox)
    if not days:
        raise UserError(f"收件箱 {inbox} 中没有 province/YYYY-MM-DD/ 文件夹，请用 --date 指定日期")
    return days[-1]


def collect(day: dt.date, inbox: Path | None, source: str, outputs: Path | None,
            failures: dict | None = None, layout=None) -> Intake:
    """The intake of one day from the chosen source (no comparison)."""
    if source == "inbox":
        return intake_inbox(Path(inbox) / "province" / day.isoformat(), day, failures, layout)
    return intake_outputs(Path(outputs), day, failures, layout)


def load(day=None, inbox=None, source: str = "auto", outputs=None, failures: dict | None = None,
         layout=None, cache=None) -> ProvinceDay:
    """Intake, checks, statuses, roll-up and comparison of the province day D.

    ``inbox`` defaults to the bundled sample, ``outputs`` to outputs/. ``cache``: the outputs
    folder whose day cache (``daycache``, owner 省) keeps the table L of each province folder and
    each day's accepted 合计 rows, so that earlier days are not read again; None reads them.
    UserError when the source for D does not exist.
    """
    inbox = Path(inbox) if inbox else paths.SAMPLE_INBOX
    outputs = Path(outputs) if outputs else paths.OUTPUTS
    day = resolve_province_day(inbox, day)
    source = resolve_source(source, inbox, day)
    failures = dict(failures or {})
    if source == "inbox" and not (inbox / "province" / day.isoformat()).is_dir():
        raise UserError(f"收件箱中没有省级收件文件夹 {inbox / 'province' / day.isoformat()}")
    if source == "outputs" and not (outputs / day.isoformat()).is_dir() and not failures:
        raise UserError(f"既没有省级收件文件夹 {inbox / 'province' / day.isoformat()}，"
                        f"也没有本机的各市输出 {outputs / day.isoformat()}；请先运行各市日报或放入各市报送文件")
    cache = Path(cache).resolve() if cache and layout is None else None  # a layout of the caller's: no cache
    layout = forms.load_layout() if layout is None else layout
    intake = collect(day, inbox, source, outputs, failures, layout)
    if cache is not None and source == "inbox" and not failures:
        # what the next day's comparison would read again (the same intake: no local run failed)
        _accepted_cached(cache, inbox, day, lambda: intake.accepted)
    if intake.liaisons is None:  # table L from an earlier province folder (also in outputs mode)
        intake.liaisons = _earlier_liaisons(inbox, day, cache)
    if intake.k_items is None:  # outputs: table K from each accepted city's own day folder
        intake.k_items = _k_frame([city_k_items(city_inbox(outputs, s.city, day, inbox), s.city, day)
                                   for s in intake.statuses if s.status in ACCEPTED])
    previous, prev_source = _previous(day, inbox, source, outputs, layout, cache)
    return build(intake, previous, prev_source, inbox)


CACHE_OWNER = "省"  # the province's part of the day cache (daycache)
LIAISONS, ACCEPTED_TOTALS = "liaisons", "accepted"  # its kinds of entry


def _earlier_liaisons(inbox: Path, day: dt.date, cache: Path | None = None) -> pd.DataFrame | None:
    """Table L from the newest province day folder on or before D that has one."""
    for d in reversed(province_days(inbox)):
        if d > day:
            continue
        frame = _folder_liaisons(Path(inbox) / "province" / d.isoformat(), d, cache)
        if frame is not None:
            return frame
    return None


def _folder_liaisons(folder: Path, day: dt.date, cache: Path | None) -> pd.DataFrame | None:
    """Table L of one province day folder (None when it has none), kept in the day cache."""
    from . import daycache

    k = daycache.key(folder, CACHE_OWNER, day) if cache is not None else ""
    if cache is not None:
        hit = daycache.read(cache, CACHE_OWNER, day, k, kind=LIAISONS)
        if hit is not None:
            return hit.tables.get("L")
    frames = [f for f in (liaison_rows(p) for p in day_files(folder)) if f is not None]
    frame = pd.concat(frames, ignore_index=True) if frames else None
    if cache is not None:
        daycache.write(cache, CACHE_OWNER, day, k, daycache.Entry({} if frame is None else {"L": frame},
                                                                   pd.DataFrame()), kind=LIAISONS)
    return frame


def _accepted_cached(cache: Path, inbox: Path, day: dt.date,
                     compute: Callable[[], dict[str, pd.Series]]) -> dict[str, pd.Series]:
    """The accepted 合计 rows of the province folder of ``day`` (city → Series), from the day
    cache when it holds them for the folder as it is now, else ``compute()`` (then kept)."""
    from . import daycache

    folder = Path(inbox) / "province" / day.isoformat()
    k = daycache.key(folder, CACHE_OWNER, day)
    hit = daycache.read(cache, CACHE_OWNER, day, k, kind=ACCEPTED_TOTALS)
    if hit is not None:
        return {name: frame.iloc[:, 0] for name, frame in hit.tables.items()}
    accepted = compute()
    tables = {name: series.to_frame() for name, series in accepted.items()}
    daycache.write(cache, CACHE_OWNER, day, k, daycache.Entry(tables, pd.DataFrame()), kind=ACCEPTED_TOTALS)
    return accepted


def _previous(day, inbox, source, outputs, layout, cache: Path | None = None) -> tuple[dict[str, pd.Series], str]:
    """D-1 合计 rows per city: D-1 intake from the same source, else the D-1 province output."""
    prev = day - dt.timedelta(days=1)
    try:
        if source == "inbox" and (inbox / "province" / prev.isoformat()).is_dir():
            def compute() -> dict[str, pd.Series]:
                return collect(prev, inbox, "inbox", outputs, None, layout).accepted

            accepted = compute() if cache is None else _accepted_cached(cache, inbox, prev, compute)
            return accepted, f"省级收件箱 {prev.isoformat()} 中通过审核的报送"
        if source == "outputs" and any((outputs / prev.isoformat() / c.name).is_dir() for c in cities()):
            return collect(prev, inbox, "outputs", outputs, None, layout).accepted, \
                f"本机 {prev.isoformat()} 的各市输出"
    except OSError:
        pass
    folder = outputs / prev.isoformat() / config()["folder"]
    for path in (folder / names(prev)["working"], folder / names(prev)["huizongbiao"]):
        found = read_comparison_day(path) if path.is_file() else {}
        if found:
            return found, f"前一日省级汇总 {path.name}"
    return {}, "无前一日数据"


def read_comparison_day(path: Path) -> dict[str, pd.Series]:
    """The D values per city from a province output's comparison list (city name → Series): the
    working file's 逐日对比明细, or the 逐日对比 sheet of an older roll-up that held the list."""
    import openpyxl

    wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    sheet = next((s for s in (DETAIL_SHEET, SHEETS["comparison"]) if s in wb.sheetnames), None)
    if sheet is None:
        return {}
    rows = list(wb[sheet].iter_rows(min_row=2, values_only=True))
    header = list(rows[0]) if rows else []
    if not {"设区市", "指标", "当日"} <= set(header):
        return {}
    ci, fi, vi = header.index("设区市"), header.index("指标"), header.index("当日")
    by_full = {c.full_name: c for c in cities()}
    out: dict[str, dict] = {}
    for r in rows[1:]:
        city = by_full.get(r[ci])
        if city is None or not isinstance(r[vi], (int, float)):
            continue
        text = str(r[fi])
        key = indicators.key_of(text) or indicators.key_of(text.replace("·", "_"))  # older outputs: 空岗·普工
        if key is not None:
            out.setdefault(city.name, {})[key] = float(r[vi])
    return {k: pd.Series(v, dtype="float64") for k, v in out.items()}


def build(intake: Intake, previous: dict[str, pd.Series], previous_source: str,
          inbox: Path | None = None) -> ProvinceDay:
    """Roll-up, comparison, completeness, chase list and problems from an intake."""
    day = intake.day
    accepted = intake.accepted
    columns = _columns(intake)
    figures, totals = roll_up(intake.statuses, columns)
    # 较上日 over the cities accepted on both days: D-1 and D totals over the same cities
    both = [c for c in cities() if c.name in accepted and c.name in previous]
    prev_totals = same_totals = None
    if both:
        prev_totals = province_total(_frame({c.full_name: previous[c.name] for c in both}, columns))
        same_totals = province_total(_frame({c.full_name: accepted[c.name] for c in both}, columns))
    compared = [c.full_name for c in both]
    comparison, flags = compare(intake, previous, totals, prev_totals, same_totals, columns)
    rates = reporting_rates(intake.statuses)
    for st in intake.statuses:
        for p in flags:
            if p.city == st.city.full_name:
                st.notes.append(p.message)
    problems = intake.problems + flags
    pday = ProvinceDay(
        day=day, intake=intake, previous=previous, previous_source=previous_source, figures=figures,
        totals=totals, previous_totals=prev_totals, comparison=comparison,
        completeness=completeness_frame(intake.statuses),
        problems=pd.DataFrame([p.row() for p in problems], columns=PROBLEM_COLUMNS),
        chase=chase_frame(intake.statuses, intake.liaisons, inbox, day),
        files=files_frame(intake), rates=rates, flags=flags, compared=compared, compared_totals=same_totals,
    )
    if pday.compared:
        note = pday.comparison_text()
        at = pday.comparison["设区市"] == config()["total_label"]
        pday.comparison.loc[at, "说明"] = [f"{note}；{t}" if t else note for t in pday.comparison.loc[at, "说明"]]
    return pday


def _frame(rows: dict[str, pd.Series], columns: list[str]) -> pd.DataFrame:
    """City rows (name → Series) as a float frame with ``columns``."""
    return pd.DataFrame({k: v.reindex(columns) for k, v in rows.items()}, index=columns).T.astype("float64")


def _columns(intake: Intake) -> list[str]:
    cols = indicators.keys()
    for s in intake.submissions:
        if s.figures is not None:
            cols += [c for c in s.figures.columns if c not in cols]
    return cols


def province_total(frame: pd.DataFrame) -> pd.Series:
    """全省合计 of accepted city 合计 rows: ``indicators.total`` (counts summed with "—" as
    nothing, rates recomputed from the summed counts)."""
    return indicators.total(frame)


def roll_up(statuses: list[CityStatus], columns: list[str]) -> tuple[pd.DataFrame, pd.Series]:
    """The roll-up frame (object dtype; an excluded city shows its status — 退回 / 未报送 — in
    every cell) and 全省合计."""
    accepted = {s.city.full_name: s.chosen.total for s in statuses if s.status in ACCEPTED}
    frame = _frame(accepted, columns) if accepted else pd.DataFrame(columns=columns, dtype="float64")
    totals = province_total(frame).reindex(columns)
    rows = []
    for s in statuses:
        rows.append(frame.loc[s.city.full_name].astype(object) if s.city.full_name in accepted
                    else pd.Series([s.status] * len(columns), index=columns, dtype=object))
    rows.append(totals.astype(object))
    out = pd.DataFrame(rows, columns=columns, dtype=object)
    out.index = pd.Index([s.city.full_name for s in statuses] + [config()["total_label"]], name="设区市")
    return out, totals


def _threshold(fid: str) -> dict:
    rules = config()["day_over_day"]
    base = rules["rate"] if indicators.is_rate(fid) else rules["count"]
    return {**base, **((rules.get("figures") or {}).get(fid) or {})}


def _is_cumulative_count(fid: str) -> bool:
    ind = indicators.catalogue().get(fid)
    return ind is not None and ind.kind == "cumulative" and not ind.is_rate


def _value(row: pd.Series | None, fid: str) -> float:
    return float(row[fid]) if row is not None and fid in row.index and pd.notna(row[fid]) else math.nan


def compare(intake: Intake, previous: dict[str, pd.Series], totals: pd.Series,
            prev_totals: pd.Series | None, same_totals: pd.Series | None,
            columns: list[str]) -> tuple[pd.DataFrame, list[Problem]]:
    """逐日对比 rows (city × figure, then 全省合计) and the flags.

    A count or rate is flagged beyond its threshold (params/province.yaml ``day_over_day``); a
    cumulative count by its identity with the day's flows (:func:`_cumulative`). The 全省合计
    rows compare over the cities accepted on both days: 当日 and 前一日 are their totals
    (``same_totals``, ``prev_totals``); when that is not every city accepted today, 说明 gives
    the 全省合计 of the day as well.
    """
    action = config()["checks"].get("逐日变化", REMIND)
    rows, flags = [], []
    for st in intake.statuses:
        now = st.chosen.total if st.status in ACCEPTED else None
        before = previous.get(st.city.name)
        for fid in columns:
            a, b = _value(now, fid), _value(before, fid)
            change = a - b if not (math.isnan(a) or math.isnan(b)) else math.nan
            if _is_cumulative_count(fid):
                flagged, why = _cumulative(fid, now, a, b)
            else:
                flagged, why = _jump(fid, a, b)
            if now is None:
                why = f"当日{st.status}"
            elif before is None:
                why = "前一日无采用的报送"
            name = indicators.label(fid)
            rows.append({"设区市": st.city.full_name, "指标": name, "当日": a, "前一日": b,
                         "变化": round(change, 1) if not math.isnan(change) else math.nan,
                         "需跟进": "是" if flagged else "", "说明": why})
            if flagged:
                message = why if _is_cumulative_count(fid) else f"{name}较前一日{why}"
                flags.append(Problem(st.city.full_name, st.chosen.file, "逐日变化", f"合计行“{name}”",
                                     _number_text(a), f"前一日{_number_text(b)}", message, action))
    partial = same_totals is not None and any(s.status in ACCEPTED and s.city.name not in previous
                                              for s in intake.statuses)
    for fid in columns:
        whole = _value(totals, fid)
        a = _value(same_totals, fid) if same_totals is not None else whole
        b = _value(prev_totals, fid)
        change = a - b if not (math.isnan(a) or math.isnan(b)) else math.nan
        why = "前一日没有可比的有效报送，不作比较" if prev_totals is None else \
            (f"当日全省合计为{_number_text(whole)}" if partial else "")
        rows.append({"设区市": config()["total_label"], "指标": indicators.label(fid), "当日": a, "前一日": b,
                     "变化": round(change, 1) if not math.isnan(change) else math.nan, "需跟进": "", "说明": why})
    return pd.DataFrame(rows, columns=COMPARISON_COLUMNS), flags


def _cumulative(fid: str, now: pd.Series | None, a: float, b: float) -> tuple[bool, str]:
    """A cumulative count against the day's flows of the submission (the catalogue's
    ``accumulates``): 累计(D) − 累计(D−1) must be 当日解决用工(D) + 补报解决用工(D) ("—" counts as
    nothing); without a 补报 column, at least 当日解决用工(D). A cumulative count without such an
    identity must not fall. Returns (flagged, 说明)."""
    if now is None or math.isnan(a) or math.isnan(b):
        return False, ""
    name = indicators.label(fid)
    accumulates = indicators.get(fid).accumulates
    if not accumulates:  # no identity with the day's flows (劳务输出 registrations): it must only not fall
        if a < b - 1e-9:
            return True, f"{name}较前一日减少{_number_text(b - a)}（累计数不应减少），请核实"
        return False, ""
    flow_key, late_key = accumulates
    flow_name, late_name = indicators.label(flow_key), indicators.label(late_key)
    delta = a - b
    flow = _value(now, flow_key)
    flow = 0.0 if math.isnan(flow) else flow
    moved = f"{name}较前一日{'增加' if delta >= 0 else '减少'}{_number_text(abs(delta))}"
    if late_key not in now.index:
        if delta < flow - 1e-9:
            return True, (f"{moved}，少于{flow_name}{_number_text(flow)}（报表无“{late_name}”一列，"
                          f"{name}的增加至少应为{flow_name}），请核实")
        return False, f"{moved}，不少于{flow_name}{_number_text(flow)}（报表无“{late_name}”一列）"
    late = _value(now, late_key)
    late = 0.0 if math.isnan(late) else late
    want = flow + late
    if abs(delta - want) > 1e-9:
        diff = delta - want
        return True, (f"{moved}，应等于{flow_name}{_number_text(flow)}＋{late_name}{_number_text(late)}"
                      f"＝{_number_text(want)}，{'多' if diff > 0 else '少'}{_number_text(abs(diff))}，请核实")
    return False, f"{moved}，等于{flow_name}{_number_text(flow)}＋{late_name}{_number_text(late)}"


def _jump(fid: str, now: float, before: float) -> tuple[bool, str]:
    if math.isnan(now) or math.isnan(before):
        return False, ""
    rule = _threshold(fid)
    change = now - before
    if "points" in rule:
        if abs(change) > float(rule["points"]) + 1e-9:
            return True, f"{'上升' if change > 0 else '下降'}{abs(change):.1f}个百分点（阈值{rule['points']}个百分点）"
        return False, ""
    rel, absolute = float(rule.get("relative", 0)), float(rule.get("absolute", 0))
    if abs(change) > absolute and abs(change) > rel * abs(before):
        pct = f"{abs(change) / abs(before) * 100:.1f}%" if before else "—"
        return True, (f"{'增加' if change > 0 else '减少'}{_number_text(abs(change))}（{pct}；"
                      f"阈值：超过{rel * 100:g}%且超过{absolute:g}）")
    return False, ""


def reporting_rates(statuses: list[CityStatus]) -> dict:
    """DHIS2-style reporting and on-time rates over the expected cities."""
    expected = len(statuses)
    count = {k: sum(s.status == k for s in statuses) for k in (ON_TIME, LATE, RETURNED, MISSING)}
    valid = count[ON_TIME] + count[LATE]
    return {"应报": expected, "已收到": expected - count[MISSING], "有效报送": valid, "按时": count[ON_TIME],
            "迟报": count[LATE], "退回": count[RETURNED], "未报送": count[MISSING],
            "报送率": round(valid / expected * 100, 1) if expected else math.nan,
            "按时报送率": round(count[ON_TIME] / expected * 100, 1) if expected else math.nan}


def completeness_frame(statuses: list[CityStatus]) -> pd.DataFrame:
    rows = []
    for s in statuses:
        late = s.late_by
        rows.append({"设区市": s.city.full_name, "状态": s.status, "收到时间": time_text(s.received),
                     "时间来源": s.chosen.source if s.chosen is not None else "",
                     "迟报时长": late_text(late) if late is not None else "",
                     "文件": s.chosen.file if s.chosen is not None else "",
                     "问题": "；".join(dict.fromkeys(n for n in s.notes if n))})
    return pd.DataFrame(rows, columns=COMPLETENESS_COLUMNS)


def _reason(s: CityStatus) -> str:
    if s.status == MISSING:
        return "未报送" + (f"（{s.notes[0]}）" if s.notes else "")
    if s.status == LATE:
        return f"迟报{late_text(s.late_by)}"
    return f"退回：{s.notes[0]}，请更正后重报" if s.notes else "退回，请更正后重报"


def chase_frame(statuses: list[CityStatus], liaisons: pd.DataFrame | None, inbox: Path | None = None,
                day: dt.date | None = None) -> pd.DataFrame:
    """催报名单: each missing, late or returned city with its liaisons (one row per liaison)."""
    cfg = config()["liaisons"]
    rows = []
    for s in statuses:
        if s.status == ON_TIME:
            continue
        people = _city_liaisons(s.city, liaisons, cfg)
        if people is None and inbox is not None and day is not None:
            people = _city_own_liaisons(s.city, inbox, day, cfg)
        base = {"设区市": s.city.full_name, "状态": s.status, "事由": _reason(s)}
        if people is None or people.empty:
            rows.append({**base, "联络员": "（无联络员名单）", "单位及职务": "", "办公电话": "", "手机": ""})
            continue
        for _, p in people.iterrows():
            rows.append({**base, "联络员": p["姓名"], "单位及职务": p["单位及职务"], "办公电话": p["办公电话"],
                         "手机": p["手机"]})
    return pd.DataFrame(rows, columns=CHASE_COLUMNS)


def _pick_roles(df: pd.DataFrame, cfg: dict) -> pd.DataFrame:
    chosen = df[df["小组职务"].isin(cfg["roles"])]
    if chosen.empty:
        chosen = df[df["小组职务"] == cfg.get("fallback_role", "组长")]
    return chosen


def _city_liaisons(city: City, liaisons: pd.DataFrame | None, cfg: dict) -> pd.DataFrame | None:
    if liaisons is None:
        return None
    own = liaisons[liaisons["设区市"] == city.full_name]
    return _pick_roles(own, cfg) if not own.empty else None


def _city_own_liaisons(city: City, inbox: Path, day: dt.date, cfg: dict) -> pd.DataFrame | None:
    """The city's own newest table L (``<inbox>/<市>/``), when the province has none."""
    if not (Path(inbox) / city.name).is_dir():
        return None
    from .roster import newest_liaisons

    try:
        _sent, df = newest_liaisons(Path(inbox), city, day)
    except YonggongError:
        return None
    df = df.assign(设区市=city.full_name)
    for col in ("办公电话", "手机"):
        df[col] = df[col].map(lambda v: "" if v is None or (isinstance(v, float) and math.isnan(v)) else str(v))
    return _pick_roles(df, cfg)


def _file_reason(s: Submission) -> str:
    if s.reason:
        return s.reason
    returned = [p.message for p in s.problems if p.action == RETURN]
    if returned:
        return "审核未通过：" + "；".join(returned[:3]) + (f"等{len(returned)}处" if len(returned) > 3 else "")
    return ""


def files_frame(intake: Intake) -> pd.DataFrame:
    rows = []
    for s in intake.submissions:
        shown = s.city.full_name if s.city else ""
        if not shown and s.k_items is not None and not s.k_items.empty:
            shown = "、".join(dict.fromkeys(s.k_items["设区市"]))
        rows.append({"文件": s.file, "设区市": shown,
                     "数据截至": date_text(s.data_day), "收到时间": time_text(s.received), "时间来源": s.source,
                     "处理": s.outcome, "原因": _file_reason(s)})
    return pd.DataFrame(rows, columns=FILE_COLUMNS)


# --------------------------------------------------------------------------- notebook display


def rates_table(pday: ProvinceDay) -> pd.DataFrame:
    """报送率 and 按时报送率 with the counts behind them (one row)."""
    return pd.DataFrame([pday.rates])


def figures_table(pday: ProvinceDay) -> pd.DataFrame:
    """The roll-up as shown: one column per city, "—" for not reported, 退回 / 未报送 for excluded cities."""
    def show(v):
        if isinstance(v, str):
            return v
        return "—" if pd.isna(v) else _number_text(v)

    return pday.figures.T.map(show)


def comparison_matrix(comparison: pd.DataFrame, keys: Sequence[str] | None = None
                      ) -> tuple[pd.DataFrame, list[tuple[int, int]]]:
    """逐日对比 as a reviewer reads it: one row per city (then 全省合计), one column per key indicator
    (params ``comparison_matrix``) holding the day's value and its change (“1,749（−140）”, “—”
    without a value, the status of a city not rolled up), then 需跟进 (the labels of every flagged
    indicator of the city, key or not) and 说明 (their reasons). Returns the frame and the flagged
    (row, column) positions of key cells, 0-based in the frame's body."""
    keys = list(config()["comparison_matrix"] if keys is None else keys)
    labels = [indicators.label(k) for k in keys]
    rates = {indicators.label(k) for k in keys if indicators.catalogue()[k].is_rate}
    rows, flagged = [], []
    for i, (city, part) in enumerate(comparison.groupby("设区市", sort=False)):
        by = part.set_index("指标")
        row = {"设区市": city}
        for j, label in enumerate(labels):
            if label not in by.index:
                row[label] = "—"
                continue
            r = by.loc[label]
            now, change = r["当日"], r["变化"]
            if isinstance(now, float) and math.isnan(now):
                why = str(r["说明"] or "")
                row[label] = why.removeprefix("当日") if why.startswith("当日") else "—"
            else:
                shown = f"{now:.1f}" if label in rates else f"{now:,.0f}"
                if not (isinstance(change, float) and math.isnan(change)):
                    step = f"{abs(change):.1f}" if label in rates else f"{abs(change):,.0f}"
                    shown += "（持平）" if change == 0 else f"（{'+' if change > 0 else '−'}{step}）"
                row[label] = shown
            if r["需跟进"] == "是":
                flagged.append((i, j + 1))
        follow = part[part["需跟进"] == "是"]
        row["需跟进"] = "、".join(follow["指标"])
        row["说明"] = "；".join(f"{n}：{w}" for n, w in zip(follow["指标"], follow["说明"], strict=True) if w)
        rows.append(row)
    return pd.DataFrame(rows, columns=["设区市", *labels, "需跟进", "说明"]), flagged


def flagged_changes(pday: ProvinceDay) -> pd.DataFrame:
    """The 逐日对比 rows flagged for follow-up."""
    return pday.comparison[pday.comparison["需跟进"] == "是"].reset_index(drop=True)


def chase_public(pday: ProvinceDay) -> pd.DataFrame:
    """The 催报 list without phone numbers (the numbers are in the xlsx)."""
    return pday.chase[["设区市", "状态", "事由", "联络员"]]


# --------------------------------------------------------------------------- writing


def meta(day: dt.date) -> dict:
    cfg = config()
    return {"city_full": cfg["name"], "bureau": cfg["bureau"], "date": day, "filler": "", "reviewer": "",
            "phone": "", "submitted": ""}


def write_huizongbiao(pday: ProvinceDay, path: Path, layout=None) -> Path:
    """The roll-up workbook: 汇总表 (cities, 全省合计, notes under the table), 劳务输出 (by city and
    destination province, when any city filed one) + the detail sheets."""
    layout = forms.load_layout() if layout is None else layout
    matrix, flagged = comparison_matrix(pday.comparison)
    sheets = {SHEETS["completeness"]: pday.completeness, SHEETS["problems"]: pday.problems,
              SHEETS["comparison"]: matrix, SHEETS["chase"]: pday.chase, SHEETS["files"]: pday.files}
    wb = forms.build_huizongbiao(pday.figures, meta(pday.day), sheets, layout,
                                 companions=outbound.companion_layouts(pday.figures))
    ws = wb[layout["sheet"]]
    _note_below(ws, pday.note())
    _note_below(wb[SHEETS["completeness"]], pday.note()[:1], gap=1)
    fill = PatternFill(fill_type="solid", start_color=FLAG_FILL, end_color=FLAG_FILL)
    for i, j in flagged:  # body rows start at row 3 (title, header)
        wb[SHEETS["comparison"]].cell(row=3 + i, column=1 + j).fill = fill
    _note_below(wb[SHEETS["comparison"]], [f"括号内为较前一日变化；黄色为需跟进核实的指标。各市全部指标的逐项对比见"
                                           f"{names(pday.day)['working']}“{DETAIL_SHEET}”工作表。"], gap=1)
    from .xlsxio import save_workbook

    save_workbook(wb, path)
    return path


def _note_below(ws, lines: list[str], gap: int = 0) -> None:
    """Merged text lines under what is on ``ws`` (print area extended to them)."""
    ncols = ws.max_column
    row = ws.max_row + 1 + gap
    for text in lines:
        cell = ws.cell(row=row, column=1)
        cell.value = forms.safe_text(text)
        cell.data_type = "s"
        cell.font = Font(name="宋体", size=10)
        cell.alignment = Alignment(horizontal="left", vertical="center", wrap_text=True)
        if ncols > 1:
            ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=ncols)
        ws.row_dimensions[row].height = 18 * max(1, math.ceil(len(text) / max(20, ncols * 6)))
        row += 1
    if ws.print_area:
        from openpyxl.utils import get_column_letter

        ws.print_area = f"A1:{get_column_letter(ncols)}{row - 1}"


def _plain(series: pd.Series | None) -> dict | None:
    if series is None:
        return None
    return {k: (None if pd.isna(v) else float(v)) for k, v in series.items()}


def brief_context(pday: ProvinceDay) -> dict:
    """The province brief's context (``brief.province_context``): statuses as in 报送情况, the
    city rows and 全省合计 from the roll-up, 较上日 over the cities accepted on both days, and
    the cities' table-K items."""
    from . import brief

    rows = []
    for s in pday.statuses:
        row = {"设区市": s.city.full_name, "报送状态": s.status, "收到时间": time_text(s.received)}
        if s.status in ACCEPTED:
            row.update(_plain(pday.figures.loc[s.city.full_name]))
        rows.append(row)
    notes = list(pday.note()[1:])
    if pday.flags:
        notes.append(f"与前一日相比变化较大或累计数与当日数不衔接、需跟进核实的指标{len(pday.flags)}项，"
                     "见汇总表“逐日对比”工作表。")
    items = [{k: ("" if v is None or (isinstance(v, float) and math.isnan(v)) else v) for k, v in r.items()}
             for r in pday.k_items.to_dict("records")]
    return brief.province_context(pday.day, rows, totals=_plain(pday.totals),
                                  previous_totals=_plain(pday.previous_totals),
                                  compared_totals=_plain(pday.compared_totals),
                                  comparison=pday.comparison_text(), items=items, notes=notes)


def write_working(pday: ProvinceDay, path: Path) -> Path:
    """工作底稿_江西省_<YYYYMMDD>.xlsx: the full 逐日对比 (every city and indicator, with 需跟进 and 说明)."""
    from .tablebook import write_tables

    return write_tables(path, [(DETAIL_SHEET, f"各设区市逐日对比（{date_text(pday.day)}，全部指标）", pday.comparison)])


def write_all(pday: ProvinceDay, out_dir) -> list[Path]:
    """Write the province products into ``out_dir``: the roll-up xlsx, the working file, the brief,
    the 简讯 (``bulletin``) and the tidy parquet files (:func:`write_tidy`)."""
    from . import brief, bulletin
    from .xlsxio import write_bytes_atomic

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    n = names(pday.day)
    written = [write_huizongbiao(pday, out_dir / n["huizongbiao"]), write_working(pday, out_dir / n["working"])]
    path = out_dir / n["brief"]
    write_bytes_atomic(path, brief.render_province(brief_context(pday)).encode("utf-8"))
    written.append(path)
    written.append(bulletin.write_province(pday, out_dir))
    return written + write_tidy(pday, out_dir)


# --------------------------------------------------------------------------- tidy parquet (yonggong.history)

# The province day for code (``yonggong.history.submissions / checks / province``): file stems
# (names: ``<kind>_parquet``) and column types. 设区市 is the city's short name (as in every
# tidy file), blank cells are null.
TIDY_STEMS = {"submissions": SHEETS["completeness"], "checks": SHEETS["problems"],
              "figures": tidy.FILE_STEMS["figures"], "publicity": tidy.FILE_STEMS["publicity"]}
TIDY_SCHEMAS: dict[str, dict[str, str]] = {
    "submissions": {"日期": tidy.DATE, **{c: tidy.DATE if c == "收到时间" else tidy.STR for c in COMPLETENESS_COLUMNS},
                    "迟报分钟": tidy.INT},
    "checks": {"日期": tidy.DATE, **dict.fromkeys(PROBLEM_COLUMNS, tidy.STR)},
    "figures": {"日期": tidy.DATE, "设区市": tidy.STR, "指标": tidy.STR, "数值": tidy.FLOAT},
    "publicity": tidy.SCHEMAS["publicity"],
}


def _short_name(label) -> str:
    """A city's short name for its full name; other labels (全省合计, （未识别）) as they are."""
    return {c.full_name: c.name for c in cities()}.get(label, label)


def _tidy(df: pd.DataFrame, day: dt.date, kind: str) -> pd.DataFrame:
    df = df.assign(设区市=df["设区市"].map(_short_name))
    df.insert(0, "日期", pd.Timestamp(day))
    text = [c for c, t in TIDY_SCHEMAS[kind].items() if t == tidy.STR and c in df.columns]
    df[text] = df[text].astype(object).replace("", None)
    return tidy.typed(df, kind, TIDY_SCHEMAS)


def submissions_frame(pday: ProvinceDay) -> pd.DataFrame:
    """报送情况 (``pday.completeness``, one row per city) with 收到时间 as a time (to the second;
    the sheet shows minutes) and 迟报分钟 = minutes after the deadline as in 迟报时长 (null when the
    counted file came in time or nothing came)."""
    df = pday.completeness.assign(
        收到时间=[s.received for s in pday.statuses],
        迟报分钟=[None if s.late_by is None else late_minutes(s.late_by) for s in pday.statuses])
    return _tidy(df, pday.day, "submissions")


def checks_frame(pday: ProvinceDay) -> pd.DataFrame:
    """审核问题: every failed check of the day (``pday.problems``)."""
    return _tidy(pday.problems, pday.day, "checks")


def figures_frame(pday: ProvinceDay) -> pd.DataFrame:
    """The roll-up as the 汇总表 files it, long: one row per city (GB/T 2260 order) then 全省合计, and
    indicator (its label); 数值 is NaN where the 汇总表 shows "—" or the city's status (退回 / 未报送)."""
    f = pday.figures[[c for c in pday.figures.columns if c in set(indicators.keys())]]
    values = f.apply(pd.to_numeric, errors="coerce").to_numpy(dtype="float64")
    long = pd.DataFrame({"设区市": np.repeat(np.asarray(f.index, dtype=object), len(f.columns)),
                         "指标": np.tile(np.asarray([indicators.label(k) for k in f.columns], dtype=object), len(f)),
                         "数值": values.reshape(-1)})
    return _tidy(long, pday.day, "figures")


def publicity_frame(pday: ProvinceDay) -> pd.DataFrame:
    """The cities' 经验做法 and 先进典型 of the day as the province brief shows them (``pday.k_items``,
    free text scrubbed like the brief's); read by the province 周报 (``yonggong.week``)."""
    from .brief import scrub

    k = pday.k_items if pday.k_items is not None else pd.DataFrame(columns=K_COLUMNS)
    df = pd.DataFrame({"设区市": k["设区市"].astype(object), "类别": k["类别"].astype(object),
                       **{c: k[c].map(scrub) for c in ("标题", "内容", "单位或个人")}})
    return _tidy(df, pday.day, "publicity")


TIDY_FRAMES = {"submissions": submissions_frame, "checks": checks_frame, "figures": figures_frame,
               "publicity": publicity_frame}


def write_tidy(pday: ProvinceDay, out_dir) -> list[Path]:
    """Write the province day's parquet files (``names``: ``<kind>_parquet``) into ``out_dir``."""
    from .xlsxio import save_parquet

    n = names(pday.day)
    written = []
    for kind, frame in TIDY_FRAMES.items():
        save_parquet(frame(pday), Path(out_dir) / n[f"{kind}_parquet"])
        written.append(Path(out_dir) / n[f"{kind}_parquet"])
    return written


def self_check(pday: ProvinceDay, out_dir):
    """The province 自检 (``province_check.check``) of the products written into ``out_dir``, kept
    on ``pday.selfcheck`` and published like the city's (``selfcheck.publish``: into the manifest
    under ``自检``; ``SelfCheckFailed`` fails the run when a check fails)."""
    from . import province_check, selfcheck

    result = province_check.check(pday, out_dir)
    pday.selfcheck = result
    return selfcheck.publish(result, out_dir)


def read_completeness(path: Path) -> pd.DataFrame:
    """The 报送情况 table of a written province workbook (rows up to the first blank 设区市)."""
    import openpyxl

    wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    rows = list(wb[SHEETS["completeness"]].iter_rows(min_row=2, values_only=True))
    header = [str(h) for h in rows[0][:len(COMPLETENESS_COLUMNS)]]
    body = []
    for r in rows[1:]:
        if not r or r[0] in (None, ""):
            break
        body.append(["" if v is None else v for v in r[:len(header)]])
    return pd.DataFrame(body, columns=header)


# --------------------------------------------------------------------------- runs


def province_out_dir(out_root: Path, day: dt.date) -> Path:
    root = Path(out_root).resolve()
    target = (root / day.isoformat() / config()["folder"]).resolve()
    if root not in target.parents:
        raise UserError(f"输出路径越出输出目录：{target}")
    return target


def _entries(files: list[Path], base: Path, root: str) -> list[dict]:
    from .run import file_entry

    return [dict(file_entry(p, base), root=root) for p in files]


def province_job(day=None, inbox=None, out=None, source: str = "auto", failures: dict | None = None):
    """Resolve the province day into a ``run.Job`` (UserError when there is nothing to read)."""
    from .run import Job

    inbox = Path(inbox) if inbox else paths.SAMPLE_INBOX
    out_root = Path(out) if out else paths.OUTPUTS
    if not inbox.is_dir():
        raise UserError(f"收件箱目录不存在：{inbox}")
    day = resolve_province_day(inbox, day)
    source = resolve_source(source, inbox, day)
    failures = {str(k): str(v) for k, v in (failures or {}).items()}
    folder = inbox / "province" / day.isoformat()
    if source == "inbox" and not folder.is_dir():
        raise UserError(f"收件箱中没有省级收件文件夹 {folder}（各市报送的汇总表放在 province/{day.isoformat()}/ 下）")
    if source == "outputs" and not (out_root / day.isoformat()).is_dir() and not failures:
        raise UserError(f"既没有省级收件文件夹 {folder}，也没有本机的各市输出 {out_root / day.isoformat()}；"
                        "请先运行各市日报（invoke all）或放入各市报送的汇总表")
    prev = day - dt.timedelta(days=1)
    inputs = []
    base = inbox / "province"
    if base.is_dir():  # province folders up to D (table L may sit in an earlier one)
        files = [p for d in province_days(inbox) if d <= day
                 for p in sorted((base / d.isoformat()).iterdir()) if p.is_file()]
        inputs += _entries(files, inbox, "inbox")
    outs = []
    if source == "outputs":  # the city outputs of D and D-1 (manifests give the times)
        for d in (prev, day):
            for city in cities():
                folder_c = out_root / d.isoformat() / city.name
                outs += [p for p in (folder_c / products.names(city.name, d)["huizongbiao"],
                                     folder_c / "manifest.json") if p.is_file()]
        # the cities' own day folders (in the inbox each was run from): their table K goes into the brief
        for city in cities():
            own = city_inbox(out_root, city, day, inbox)
            inputs += _entries(day_files(own / city.name / day.isoformat()), own, "inbox")
    prov = out_root / prev.isoformat() / config()["folder"] / names(prev)["huizongbiao"]
    if prov.is_file():  # the D-1 comparison falls back to it
        outs.append(prov)
    inputs += _entries(outs, out_root, "outputs")
    return Job(
        name=config()["folder"], label=config()["name"], day=day, final=province_out_dir(out_root, day),
        notebook=paths.NOTEBOOKS / NOTEBOOK,
        parameters={"date": day.isoformat(), "inbox": str(inbox.resolve()), "source": source,
                    "outputs": str(out_root.resolve()), "failures": failures, "cache": str(out_root.resolve())},
        inputs=inputs, extra={"scope": "province", "source": source},
    )


@dataclass
class ProvinceResult:
    day: dt.date
    out_dir: Path
    manifest: dict
    status: str
    source: str

    @property
    def workbook(self) -> Path:
        return self.out_dir / names(self.day)["huizongbiao"]


def run_province(day=None, inbox=None, out=None, source: str = "auto", failures: dict | None = None,
                 force: bool = False) -> ProvinceResult:
    """Execute the province notebook for day D (papermill, lock, atomic publish, manifest)."""
    from .run import run_job

    job = province_job(day, inbox, out, source, failures)
    manifest, status = run_job(job, force=force)
    return ProvinceResult(job.day, job.final, manifest, status, job.parameters["source"])


# --------------------------------------------------------------------------- all cities, then the province


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * max(0, width - _width(text))


def summary_lines(result) -> list[str]:
    """The final table of ``invoke all``: city run, province status, reason."""
    status = {r["设区市"]: r for _, r in result.completeness.iterrows()}
    head = ["设区市", "本机运行", "用时", "省级状态", "收到时间", "说明"]
    body = []
    for r in result.runs:
        full = r.full_name
        st = status.get(full, {})
        note = r.reason if r.status == "失败" else ""
        if st.get("问题"):
            note = f"{note}；{st['问题']}" if note and st["问题"] not in note else (note or st["问题"])
        shown = str(st.get("状态", "")) + (f"（{st['迟报时长']}）" if st.get("迟报时长") else "")
        body.append([full, r.status, f"{r.seconds:.1f}s", shown, str(st.get("收到时间", "")), short_text(note, 70)])
    widths = [max(_width(row[i]) for row in [head, *body]) for i in range(len(head) - 1)]
    lines = ["  ".join(_pad(c, w) for c, w in zip(row[:-1], widths, strict=True)) + "  " + row[-1]
             for row in [head, *body]]
    lines.insert(1, "-" * (sum(widths) + 2 * len(widths) + 4))
    counts = result.completeness["状态"].value_counts()
    expected = len(result.completeness)
    valid = int(counts.get(ON_TIME, 0) + counts.get(LATE, 0))
    lines.append("")
    lines.append(f"省级汇总（{config()['name']}）：{result.province.status}，来源："
                 f"{'省级收件箱' if result.province.source == 'inbox' else '本机各市输出'}，输出目录 {result.province.out_dir}")
    lines.append(f"应报{expected}个，有效报送{valid}个（按时{int(counts.get(ON_TIME, 0))}个、迟报{int(counts.get(LATE, 0))}个），"
                 f"退回{int(counts.get(RETURNED, 0))}个，未报送{int(counts.get(MISSING, 0))}个；"
                 f"报送率{valid / expected * 100:.1f}%，按时报送率{int(counts.get(ON_TIME, 0)) / expected * 100:.1f}%")
    if result.failed:
        how = "已在省级汇总中列为未报送" if result.province.source == "outputs" else "省级汇总按收件箱中的报送文件处理"
        lines.append(f"注意：{len(result.failed)}个设区市本机运行失败（{'、'.join(r.full_name for r in result.failed)}），"
                     f"{how}；其余设区市不受影响")
    return lines
