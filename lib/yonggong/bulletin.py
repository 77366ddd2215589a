"""简讯: the day's key figures in a few lines, ready to paste into the 工作群 or an SMS.

    bulletin.city_text(cd)                  # 简讯_<市>_<YYYYMMDD>.txt as text
    bulletin.write_city(cd, out_dir)        # written (products.write_all does it)
    province.bulletin.text(pday) / .write(pday, out_dir)   # the province's (its facts are stated there)

Wording, the figures shown and the length limit live in params/bulletin.yaml. Every number comes
from the figures the other products are written from: a city's from the 合计 row of ``cd.figures``
(the 汇总表's) with 较上日 against the previous day of ``cd.trend``, worded as 附件3 words it
(``progress.change_shown``); the province's from 全省合计 (``pday.totals``) with 较上日 over the
cities accepted on both days (``brief.province_baseline``, as in the province brief; ``province.bulletin``), and its
reporting from 报送情况 (``pday.completeness``). A text longer than ``max_chars`` drops optional
parts in the order of ``drop``; a figure is never cut.

The 自检 (``selfcheck.check_city``, ``province.verify.check``) reads the written file back with
:func:`check_city` / :func:`check` (``province.bulletin.check``): its length, its encoding, and every line against the
templates of params/bulletin.yaml, each number against the figures.
"""

from __future__ import annotations

import datetime as dt
import re
import string
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from . import catalogue, indicators, progress
from .errors import YonggongError
from .reference import load_yaml, settings
from .wording import change_lead, given, kind_of, month_day, previous, show
from .xlsxio import write_bytes_atomic

NEWLINE = "\n"
ENCODING = "utf-8"  # no BOM
# The parts of a text besides the figure lines (a figure line's part is its key).
TITLE, NO_PREVIOUS, STATUS, PROVINCE_TOTAL, COMPARED, FOOTER = (
    "title", "no_previous", "status", "province_total", "compared", "footer")
LATE = "late"  # how late each late city was, within the status line (droppable on its own)
DROPPABLE = (FOOTER, LATE, PROVINCE_TOTAL, COMPARED)  # besides figure keys


def config() -> dict:
    """The ``bulletin`` section of params/bulletin.yaml (checked: ``drop`` names known parts)."""
    cfg = load_yaml("bulletin.yaml")["bulletin"]
    unknown = [p for p in cfg["drop"] if p not in DROPPABLE and p not in cfg["figures"]]
    if unknown:
        raise YonggongError(f"params/bulletin.yaml：drop 中的“{'、'.join(map(str, unknown))}”不是可省略的部分"
                            f"（{'、'.join(DROPPABLE)} 或 figures 中的指标）")
    return cfg


def max_chars() -> int:
    return int(config()["max_chars"])


@dataclass(frozen=True)
class Line:
    part: str  # TITLE, NO_PREVIOUS, … or a figure key
    text: str


def compose(lines: list[Line]) -> str:
    """The text of the lines: joined by a newline, a newline after the last."""
    return "".join(line.text + NEWLINE for line in lines)


# ---------------------------------------------------------------- what a text says


@dataclass
class Facts:
    """What a 简讯 states, from the figures (city or province alike)."""

    name: str  # 南昌市 / 江西省
    day: dt.date
    values: pd.Series  # the 合计 (全省合计) row
    prev: pd.Series | None  # what 较上日 compares with (None: nothing to compare)
    lead: str  # 较上日 / 较2月24日 / ""
    statuses: list[tuple[str, str, str]] | None = None  # province: (city, status, how late) as in 报送情况
    valid: int | None = None  # province: cities in 全省合计
    compared: int | None = None  # province: cities accepted on both days
    order: tuple[str, ...] = ()  # province: the statuses in the order the status line names them

    def figure(self, key: str) -> tuple[str, str, str]:
        """(value, unit, change) of a figure line, as shown."""
        v = self.values.get(key)
        unit = indicators.get(key).unit if given(v) else ""
        return show(v, kind_of(key)), unit, progress.change_shown(key, self.values, self.prev, self.lead)


def city_facts(cd) -> Facts:
    """A city day's 简讯: the 合计 row of ``cd.figures``, 较上日 against the previous trend day."""
    prev_day, prev = previous(cd.trend, cd.day)
    return Facts(cd.city.full_name, cd.day, cd.figures.loc[settings()["total_row"]], prev,
                 change_lead(prev_day, cd.day))


def _status_groups(statuses: list[tuple[str, str, str]],
                   order: tuple[str, ...]) -> list[tuple[str, list[tuple[str, str]]]]:
    """(status, [(city, how late)]) in ``order``, then any other status as met; empty ones left out."""
    order = list(order)
    order += [s for s in dict.fromkeys(s for _, s, _ in statuses) if s not in order]
    return [(s, [(c, late) for c, st, late in statuses if st == s]) for s in order
            if any(st == s for _, st, _ in statuses)]


def status_text(statuses: list[tuple[str, str, str]], order: tuple[str, ...], with_late: bool = True) -> str:
    """报送情况：应报11个，按时8个；迟报1个：九江市（1小时20分）；退回1个：萍乡市；未报送1个：吉安市。
    ``order``: the statuses in the order named, the first (按时) counted without names."""
    cfg = config()["status"]
    on_time = order[0]
    parts = []
    for status, members in _status_groups(statuses, order):
        if status == on_time:
            parts.append(cfg["count"].format(status=status, n=len(members)))
            continue
        names = [cfg["late"].format(city=c, late=late) if with_late and late else c for c, late in members]
        parts.append(cfg["named"].format(status=status, n=len(members), cities=cfg["city_sep"].join(names)))
    return cfg["line"].format(expected=len(statuses), parts=cfg["sep"].join(parts))


def lines(facts: Facts, dropped: frozenset[str] = frozenset()) -> list[Line]:
    """The lines of a 简讯, leaving out the ``dropped`` parts."""
    cfg = config()
    out = [Line(TITLE, cfg["title"].format(name=facts.name, date=month_day(facts.day)))]
    if facts.prev is None:
        out.append(Line(NO_PREVIOUS, cfg["no_previous"]))
    for key in cfg["figures"]:
        if key not in dropped:
            ind = indicators.get(key)
            value, unit, change = facts.figure(key)
            out.append(Line(key, cfg["figure"].format(label=ind.label, value=value, unit=unit, change=change)))
    if facts.statuses is not None:
        out.append(Line(STATUS, status_text(facts.statuses, facts.order, with_late=LATE not in dropped)))
        if PROVINCE_TOTAL not in dropped and facts.valid < len(facts.statuses):
            out.append(Line(PROVINCE_TOTAL, cfg["province_total"].format(n=facts.valid)))
        if COMPARED not in dropped and facts.compared is not None and facts.compared < facts.valid:
            out.append(Line(COMPARED, cfg["compared"].format(n=facts.compared)))
    if FOOTER not in dropped:
        out.append(Line(FOOTER, cfg["footer"]))
    return out


def fit(build: Callable[[frozenset[str]], list[Line]]) -> list[Line]:
    """``build(dropped)`` with the fewest optional parts dropped (in the order of params ``drop``)
    for the text to be at most ``max_chars``; YonggongError when even the required parts are longer."""
    return _fit(build)[0]


def _fit(build: Callable[[frozenset[str]], list[Line]]) -> tuple[list[Line], frozenset[str]]:
    cfg = config()
    limit = int(cfg["max_chars"])
    dropped: frozenset[str] = frozenset()
    out = build(dropped)
    for part in cfg["drop"]:
        if len(compose(out)) <= limit:
            return out, dropped
        dropped |= {part}
        out = build(dropped)
    if len(compose(out)) > limit:
        raise YonggongError(f"简讯超过{limit}字（{len(compose(out))}字），省略全部可省略部分后仍超出，"
                            "请调整 params/bulletin.yaml")
    return out, dropped


def text_of(facts: Facts) -> str:
    return compose(fit(lambda dropped: lines(facts, dropped)))


def city_text(cd) -> str:
    """The city day's 简讯 (the whole file's text)."""
    return text_of(city_facts(cd))


def write_text(text: str, path: Path) -> Path:
    """Write a 简讯's text to ``path`` (atomically, in the encoding of params/bulletin.yaml)."""
    write_bytes_atomic(path, text.encode(ENCODING))
    return path


def write_city(cd, out_dir: str | Path) -> Path:
    """Write 简讯_<市>_<YYYYMMDD>.txt (``catalogue`` product ``bulletin``) into ``out_dir``."""
    return write_text(city_text(cd), Path(out_dir) / catalogue.file_name("bulletin", cd.city.name, cd.day))


# ---------------------------------------------------------------- reading a text back

_NUMBER = r"—|-?\d[\d,]*(?:\.\d+)?"
_BRACKET = r"(?:（[^（）]*）)?"


def _pattern(template: str, fields: Mapping[str, str]) -> re.Pattern:
    """A template as a whole-line regex: its literal text escaped, each field the regex given."""
    return re.compile("".join(re.escape(lit) + ("" if f is None else fields[f])
                              for lit, f, _, _ in string.Formatter().parse(template)) + r"\Z")


@dataclass
class Reading:
    """A 简讯 read back: the parts found (part → the fields read) and the lines that match no template."""

    found: dict[str, dict[str, str]] = field(default_factory=dict)
    repeated: list[str] = field(default_factory=list)
    unmatched: list[tuple[int, str]] = field(default_factory=list)  # (line number, text)


def _templates() -> list[tuple[str, re.Pattern]]:
    cfg = config()
    out = [(TITLE, _pattern(cfg["title"], {"name": r"(?P<name>.+?)", "date": r"(?P<date>\d{1,2}月\d{1,2}日)"})),
           (NO_PREVIOUS, _pattern(cfg["no_previous"], {})),
           (STATUS, _pattern(cfg["status"]["line"], {"expected": r"(?P<expected>\d+)", "parts": r"(?P<parts>.+)"})),
           (PROVINCE_TOTAL, _pattern(cfg["province_total"], {"n": r"(?P<n>\d+)"})),
           (COMPARED, _pattern(cfg["compared"], {"n": r"(?P<n>\d+)"})),
           (FOOTER, _pattern(cfg["footer"], {}))]
    for key in cfg["figures"]:
        ind = indicators.get(key)
        out.append((key, _pattern(cfg["figure"], {"label": re.escape(ind.label), "value": f"(?P<value>{_NUMBER})",
                                                  "unit": f"(?P<unit>(?:{re.escape(ind.unit)})?)",
                                                  "change": f"(?P<change>{_BRACKET})"})))
    return out


def read(text: str) -> Reading:
    """Each line of ``text`` matched against the templates of params/bulletin.yaml."""
    templates = _templates()
    reading = Reading()
    rows = text.split(NEWLINE)
    for i, line in enumerate(rows, 1):
        if not line and i == len(rows):
            continue  # after the last newline
        for part, rx in templates:
            m = rx.match(line)
            if m:
                if part in reading.found:
                    reading.repeated.append(part)
                reading.found[part] = m.groupdict()
                break
        else:
            reading.unmatched.append((i, line))
    return reading


def read_status(parts: str) -> list[tuple[str, int, list[tuple[str, str]]]] | None:
    """The ``parts`` of a status line as (status, count, [(city, how late)]); None when unreadable."""
    cfg = config()["status"]
    count = _pattern(cfg["count"], {"status": r"(?P<status>[^\d：；、（）]+?)", "n": r"(?P<n>\d+)"})
    named = _pattern(cfg["named"], {"status": r"(?P<status>[^\d：；、（）]+?)", "n": r"(?P<n>\d+)",
                                    "cities": r"(?P<cities>.+)"})
    late = _pattern(cfg["late"], {"city": r"(?P<city>[^（）]+?)", "late": r"(?P<late>[^（）]+)"})
    out = []
    for part in parts.split(cfg["sep"]):
        m = named.match(part)
        if m:
            members = []
            for item in m["cities"].split(cfg["city_sep"]):
                lm = late.match(item)
                members.append((lm["city"], lm["late"]) if lm else (item, ""))
            out.append((m["status"], int(m["n"]), members))
            continue
        m = count.match(part)
        if not m:
            return None
        out.append((m["status"], int(m["n"]), []))
    return out


# ---------------------------------------------------------------- the 自检


def check_city(path: Path, cd, tally) -> None:
    """自检 of a city's written 简讯 against ``cd`` (``tally``: ``selfcheck.Tally``)."""
    check(path, city_facts(cd), tally)


def check(path: Path, facts: Facts, tally) -> None:
    """Read the written 简讯 back: UTF-8 without BOM, "\\n" newlines, at most ``max_chars``; every
    line one of the templates; the parts there that fit (:func:`fit`: none missing, none extra); the
    title's name and date; every figure's value, unit and 较上日 as the figures give them; the
    province's statuses, cities and how late as in 报送情况."""
    cfg = config()
    name = path.name
    try:
        raw = path.read_bytes()
    except OSError as exc:
        tally.fail(f"{name}：无法读取（{exc}）")
        return
    try:
        text = raw.decode(ENCODING)
    except UnicodeDecodeError as exc:
        tally.fail(f"{name}：不是 UTF-8 文本（{exc}）")
        return
    tally.check(not text.startswith("\ufeff"), f"{name}：文件以 BOM 开头，应为不带 BOM 的 UTF-8")
    tally.check("\r" not in text, f"{name}：含回车符，换行应为“\\n”")
    limit = int(cfg["max_chars"])
    tally.check(len(text) <= limit, f"{name}：共{len(text)}字，超过{limit}字")
    reading = read(text.lstrip("\ufeff").replace("\r", ""))
    for i, line in reading.unmatched:
        tally.fail(f"{name}：第{i}行“{line}”不符合 params/bulletin.yaml 的任何句式，其中的数字无法核对")
    for part in reading.repeated:
        tally.fail(f"{name}：“{_part_label(part)}”出现不止一次")
    found = reading.found

    kept, dropped = _fit(lambda d: lines(facts, d))
    expected = [line.part for line in kept]
    for part in expected:
        tally.check(part in found, f"{name}：缺少“{_part_label(part)}”")
    for part in found:
        tally.check(part in expected, f"{name}：不应有“{_part_label(part)}”")
    if TITLE in found:
        t = found[TITLE]
        tally.check(t["name"] == facts.name, f"{name}：标题单位显示“{t['name']}”，应为“{facts.name}”")
        want = month_day(facts.day)
        tally.check(t["date"] == want, f"{name}：标题日期显示“{t['date']}”，应为“{want}”")
    for key in cfg["figures"]:
        if key not in found:
            continue
        value, unit, change = facts.figure(key)
        got = found[key]
        label = indicators.label(key)
        tally.check(got["value"] == value, f"{name}：{label}显示“{got['value']}”，应为“{value}”")
        tally.check(got["unit"] == unit, f"{name}：{label}的单位显示“{got['unit'] or '（无）'}”，应为“{unit or '（无）'}”")
        tally.check(got["change"] == change,
                    f"{name}：{label}的较上日变化显示“{got['change'] or '（无）'}”，应为“{change or '（无）'}”")
    if facts.statuses is not None:
        _check_province_parts(name, facts, found, LATE not in dropped, tally)


def _check_province_parts(name: str, facts: Facts, found: dict[str, dict[str, str]], with_late: bool,
                          tally) -> None:
    """The province's lines: the counts of cities (whether a line belongs there is checked with the
    parts, :func:`check`) and the status line against 报送情况 (``with_late``: how late is shown)."""
    for part, want in ((PROVINCE_TOTAL, facts.valid), (COMPARED, facts.compared)):
        if part in found:
            got = int(found[part]["n"])
            tally.check(got == want, f"{name}：{_part_label(part)}显示{got}个，应为{want}个")
    if STATUS not in found:
        return
    s = found[STATUS]
    tally.check(int(s["expected"]) == len(facts.statuses),
                f"{name}：应报设区市显示{s['expected']}个，应为{len(facts.statuses)}个")
    groups = read_status(s["parts"])
    if groups is None:
        tally.fail(f"{name}：报送情况“{s['parts']}”无法读回")
        return
    want = {status: members for status, members in _status_groups(facts.statuses, facts.order)}
    on_time = facts.order[0]
    seen = set()
    for status, n, members in groups:
        seen.add(status)
        if not tally.check(status in want, f"{name}：报送情况列出“{status}{n}个”，当日没有{status}的设区市"):
            continue
        w = want[status]
        tally.check(n == len(w), f"{name}：{status}显示{n}个，应为{len(w)}个")
        if status == on_time:
            continue
        got_cities = [c for c, _ in members]
        want_cities = [c for c, _ in w]
        tally.check(got_cities == want_cities,
                    f"{name}：{status}的设区市显示“{'、'.join(got_cities)}”，应为“{'、'.join(want_cities)}”")
        if got_cities == want_cities:
            for (c, late), (_, want_late) in zip(members, w, strict=True):
                want_late = want_late if with_late else ""
                tally.check(late == want_late, f"{name}：{c}迟报时长显示“{late or '（无）'}”，应为“{want_late or '（无）'}”")
    for status in want:
        tally.check(status in seen, f"{name}：报送情况缺少“{status}”（{len(want[status])}个）")


def _part_label(part: str) -> str:
    return {TITLE: "标题", NO_PREVIOUS: "无上日数据的说明", STATUS: "报送情况", PROVINCE_TOTAL: "全省合计所含设区市",
            COMPARED: "较上日所按设区市", FOOTER: "结尾"}.get(part, indicators.label(part))
