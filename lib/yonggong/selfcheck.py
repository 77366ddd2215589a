"""自检: the city products read back from disk, every number a reader sees checked against the figures.

    res = selfcheck.check_city(cd, out_dir)   # Result(passed, checks, failures)
    selfcheck.city(cd, out_dir)               # the notebook's cell: check, record, raise when it fails

What is checked, each against ``cd.figures`` (the one computation):

* 汇总表 (the first sheet of the 汇总表 workbook, read back with ``forms_read.read_huizongbiao``) and
  the 劳务输出 sheet filed beside it (``forms_read.read_layout_sheet``, when the day has one): the
  数据截至 date, the row labels, and every figure cell — "—" where the figure is NaN, otherwise the
  number rounded as its column displays it;
* 工作简报: every figure the brief marks (``<span class="fig" data-fig=… data-row=… [data-day=…]>``,
  ``brief.mark``) — the headline cards, the by-county table (its headers are the catalogue's labels,
  its row names the figures' rows) and the figures quoted in the text (figures of other days are
  checked against ``cd.trend``);
* 附件3 (每日进展情况): the 今日工作进展 paragraph read back with the clause templates of
  params/progress.yaml as regexes (``progress.read_paragraph``): its date, every number in a slot,
  no clause missing, and no text (hence no number) outside the templates;
* 简讯 (``bulletin.check_city``): UTF-8 without BOM, at most ``max_chars`` (params/bulletin.yaml),
  every line one of its templates, every figure, unit and 较上日 change as the figures give them.

A failure is one Chinese line naming the file, the place, the value shown and the value expected.
``city`` writes the outcome next to the products (``run.SELFCHECK_RECORD``; ``run`` moves it into
manifest.json under ``自检``) and raises :class:`SelfCheckFailed` when anything differs, which fails
the run: the previous good outputs stay, the executed notebook goes to failed/.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from . import brief, bulletin, catalogue, forms, forms_read, indicators, progress
from .errors import SelfCheckFailed
from .reference import load_yaml, settings
from .run import SELFCHECK_RECORD


@dataclass(repr=False)
class Result:
    passed: bool
    checks: int
    failures: list[str] = field(default_factory=list)

    def line(self) -> str:
        if self.passed:
            return f"自检：通过（{self.checks}项）"
        return f"自检：未通过（{len(self.failures)}项不符，共{self.checks}项）"

    __repr__ = line  # the notebook cell shows this one line
    __str__ = line

    def record(self) -> dict:
        """The outcome as it goes into manifest.json (key ``自检``)."""
        return {"结果": "通过" if self.passed else "未通过", "检查项数": self.checks, "不符": list(self.failures)}

    def _repr_markdown_(self) -> str:
        if self.passed:
            return f"**{self.line()}**"
        return f"**{self.line()}**\n\n" + "\n".join(f"- {f}" for f in self.failures)


class Tally:
    """Counts the comparisons of a 自检 and collects the failed ones (one Chinese line each)."""

    def __init__(self):
        self.checks = 0
        self.failures: list[str] = []

    def check(self, ok: bool, failure: str) -> bool:
        self.checks += 1
        if not ok:
            self.failures.append(failure)
        return ok

    expect = check

    def fail(self, failure: str) -> None:
        self.check(False, failure)

    def result(self) -> Result:
        return Result(not self.failures, self.checks, list(self.failures))


_Tally = Tally


def publish(result: Result, out_dir: str | Path) -> Result:
    """Record the outcome next to the products (``run`` moves it into manifest.json under
    ``自检``) and raise :class:`SelfCheckFailed` when anything differs. City and province alike."""
    (Path(out_dir) / SELFCHECK_RECORD).write_text(json.dumps(result.record(), ensure_ascii=False, indent=2)
                                                  + "\n", encoding="utf-8")
    if not result.passed:
        shown = "；".join(result.failures[:5]) + (f"；等{len(result.failures)}项" if len(result.failures) > 5 else "")
        raise SelfCheckFailed(f"{result.line()}：{shown}")
    return result


def _nan(v) -> bool:
    return v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v))


def _label(key: str) -> str:
    return indicators.label(key)


# ---------------------------------------------------------------- 汇总表


def _decimals(number_format: str) -> int:
    return len(number_format.split(".", 1)[1]) if "." in number_format else 0


def _cell_text(v, decimals: int) -> str:
    """A figure cell as displayed: "—" for missing, else the number with the column's decimals."""
    if _nan(v):
        return "—"
    return f"{float(v):.{decimals}f}"


def check_huizongbiao(path: Path, figures: pd.DataFrame, day: dt.date, tally: _Tally) -> None:
    from . import outbound

    name = path.name
    layout = forms.load_layout()
    try:
        meta, frame = forms_read.read_huizongbiao(path)
    except (OSError, ValueError) as exc:
        tally.fail(f"{name}：无法读回汇总表（{exc}）")
        return
    sheet_first = _first_sheet(path)
    tally.check(sheet_first == layout["sheet"], f"{name}：第一个工作表为“{sheet_first}”，应为“{layout['sheet']}”")
    _check_sheet(name, layout, meta, frame, figures, day, tally)
    for companion in outbound.companion_layouts(figures):
        lay = forms.load_layout(companion)
        try:
            found = forms_read.read_layout_sheet(path, lay)
        except (OSError, ValueError) as exc:
            tally.fail(f"{name}：无法读回“{lay['sheet']}”工作表（{exc}）")
            continue
        if tally.check(found is not None, f"{name}：没有“{lay['sheet']}”工作表"):
            _check_sheet(name, lay, *found, figures, day, tally)


def _check_sheet(name: str, layout: dict, meta: dict, frame: pd.DataFrame, figures: pd.DataFrame, day: dt.date,
                 tally: _Tally) -> None:
    """One sheet laid out by ``layout``, as read back: its date, its rows and every figure cell."""
    sheet = layout["sheet"]
    tally.check(meta.get("date") == day, f"{name}：工作表“{sheet}”数据截至日期显示“{meta.get('date')}”，应为“{day}”")
    tally.check(list(frame.index) == list(figures.index),
                f"{name}：工作表“{sheet}”行显示“{'、'.join(frame.index)}”，应为“{'、'.join(figures.index)}”")
    plan = forms.plan_of(layout)  # the columns and header rows of the layout (the reader uses the same plan)
    first_row = 3 + plan.header_rows
    columns = [(i + 1, c) for i, c in enumerate(plan.columns) if c["figure"] is not None]
    for r, label in enumerate(frame.index):
        if label not in figures.index:
            continue
        for c, col in columns:
            key = col["figure"]
            decimals = _decimals(col["format"])
            shown = _cell_text(frame.loc[label, key], decimals)
            want = _cell_text(figures.loc[label, key], decimals) if key in figures.columns else "（无此指标）"
            where = f"{get_column_letter(c)}{first_row + r}"
            tally.check(shown == want, f"{name}：工作表“{sheet}”{where}（{label}，{_label(key)}）"
                                       f"显示“{shown}”，应为“{want}”")


def _first_sheet(path: Path) -> str:
    wb = load_workbook(path, read_only=True)
    try:
        return wb.sheetnames[0]
    finally:
        wb.close()


# ---------------------------------------------------------------- 工作简报


@dataclass
class _Span:
    key: str
    row: str
    day: str | None
    text: str
    section: str
    card: str | None  # data-figure of the headline card it is in
    table_col: int | None  # column of the by-county table (0 = the row name)
    table_row: str | None  # that table row's name


class _BriefReader(HTMLParser):
    """The marked figures of a brief, with where they stand; the by-county table's headers."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.spans: list[_Span] = []
        self.headers: list[str] = []
        self.table_rows: list[str] = []
        self.cards: list[str] = []
        self._section = ""
        self._card: str | None = None
        self._card_depth = 0
        self._div_depth = 0
        self._in_table = False
        self._cell: int | None = None
        self._cells = -1
        self._row_name: str | None = None
        self._th: list[str] | None = None
        self._td_text: list[str] | None = None
        self._span: dict | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        classes = (a.get("class") or "").split()
        if tag == "section":
            self._section = a.get("id") or ""
        elif tag == "div":
            self._div_depth += 1
            if "card" in classes:
                self._card, self._card_depth = a.get("data-figure"), self._div_depth
                self.cards.append(self._card or "")
        elif tag == "table" and "county-table" in classes:
            self._in_table = True
        elif self._in_table and tag == "tr":
            self._cells, self._row_name = -1, None
        elif self._in_table and tag == "th":
            self._th = []
        elif self._in_table and tag == "td":
            self._cells += 1
            self._cell = self._cells
            self._td_text = [] if self._cells == 0 else None
        elif tag == "span" and "fig" in classes:
            self._span = {"key": a.get("data-fig") or "", "row": a.get("data-row") or "", "day": a.get("data-day"),
                          "text": []}

    def handle_endtag(self, tag):
        if tag == "div":
            if self._card is not None and self._div_depth == self._card_depth:
                self._card = None
            self._div_depth -= 1
        elif tag == "table" and self._in_table:
            self._in_table = False
        elif tag == "th" and self._th is not None:
            self.headers.append("".join(self._th).strip())
            self._th = None
        elif tag == "td" and self._in_table:
            if self._td_text is not None:
                self._row_name = "".join(self._td_text).strip()
                self.table_rows.append(self._row_name)
                self._td_text = None
            self._cell = None
        elif tag == "span" and self._span is not None:
            sp = self._span
            self._span = None
            in_table = self._in_table and self._cell is not None
            self.spans.append(_Span(sp["key"], sp["row"], sp["day"], "".join(sp["text"]).strip(), self._section,
                                    self._card, self._cell if in_table else None,
                                    self._row_name if in_table else None))

    def handle_data(self, data):
        if self._span is not None:
            self._span["text"].append(data)
        if self._th is not None:
            self._th.append(data)
        if self._td_text is not None:
            self._td_text.append(data)


def _figure(cd, key: str, row: str, day: str | None):
    """The figure a marked span stands for; raises KeyError naming what is unknown."""
    if key not in cd.figures.columns:
        raise KeyError(f"未知指标“{key}”")
    if day:
        d = dt.date.fromisoformat(day)
        if cd.trend is None or d not in cd.trend.index:
            raise KeyError(f"无{day}的数据")
        if key not in cd.trend.columns:
            raise KeyError(f"{day}无指标“{key}”")
        return cd.trend.loc[d, key]
    if row not in cd.figures.index:
        raise KeyError(f"未知的行“{row}”")
    return cd.figures.loc[row, key]


def check_brief(path: Path, cd, tally: _Tally) -> None:
    name = path.name
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        tally.fail(f"{name}：无法读取（{exc}）")
        return
    reader = _BriefReader()
    reader.feed(text)
    reader.close()
    sections = brief.config()["sections"]
    total_row = settings()["total_row"]

    # headline cards: one per configured figure, each showing its figure
    want_cards = brief.figure_keys(brief.config()["headline"])
    tally.check(reader.cards == want_cards, f"{name}：标题卡片为“{'、'.join(reader.cards)}”，应为“{'、'.join(want_cards)}”")
    card_spans = [s for s in reader.spans if s.card is not None]
    tally.check([s.key for s in card_spans] == [s.card for s in card_spans] and len(card_spans) == len(want_cards),
                f"{name}：标题卡片中标注的数字与卡片不符（{'、'.join(s.key for s in card_spans)}）")

    # by-county table: headers from the catalogue, rows and columns where the figures say
    table = brief.county_table(cd.figures)
    want_headers = ["县（市、区）", *table["headers"]]
    tally.check(reader.headers == want_headers,
                f"{name}：分县情况表表头显示“{'、'.join(reader.headers)}”，应为“{'、'.join(want_headers)}”")
    want_rows = [r["name"] for r in table["rows"]]
    tally.check(reader.table_rows == want_rows,
                f"{name}：分县情况表的行显示“{'、'.join(reader.table_rows)}”，应为“{'、'.join(want_rows)}”")
    for s in reader.spans:
        if s.table_col is None:
            continue
        col = s.table_col - 1
        want_key = table["keys"][col] if 0 <= col < len(table["keys"]) else None
        tally.check(s.key == want_key and s.row == s.table_row,
                    f"{name}：分县情况表第{s.table_col + 1}列（{s.table_row}）标注为“{_label(s.key)}（{s.row}）”，"
                    f"应为“{_label(want_key) if want_key else '（无此列）'}（{s.table_row}）”")

    # every marked value
    tally.check(bool(reader.spans), f"{name}：未找到标注的数字（<span class=\"fig\">）")
    for s in reader.spans:
        if s.card is not None:
            place = "标题卡片"
        elif s.table_col is not None:
            place = "分县情况表"
        else:
            place = sections.get(s.section, s.section or "正文")
        what = f"{_label(s.key)}（{s.day or s.row or total_row}）"
        try:
            value = _figure(cd, s.key, s.row or total_row, s.day)
        except KeyError as exc:
            tally.fail(f"{name}：{place}“{s.text}”标注的{what}无法核对：{exc.args[0]}")
            continue
        want = brief.show(value, brief.kind_of(s.key))
        tally.check(s.text == want, f"{name}：{place}{what}显示“{s.text}”，应为“{want}”")


# ---------------------------------------------------------------- 附件3


def check_progress(path: Path, cd, tally: _Tally) -> None:
    name = path.name
    cfg = load_yaml("progress.yaml")
    heading = cfg["blocks"][0]
    try:
        wb = load_workbook(path, read_only=True)
    except Exception as exc:  # openpyxl raises several types for a damaged file
        tally.fail(f"{name}：无法打开（{exc}）")
        return
    try:
        ws = wb[cfg["sheet"]] if cfg["sheet"] in wb.sheetnames else wb.worksheets[0]
        found = [(r, row[1]) for r, row in enumerate(ws.iter_rows(min_col=1, max_col=2, values_only=True), 1)
                 if len(row) > 1 and row[0] == heading]
    finally:
        wb.close()
    if not found:
        tally.fail(f"{name}：未找到“{heading}”")
        return
    r, text = found[0]
    where = f"{name}：“{heading}”（B{r}）"
    reading = progress.read_paragraph(str(text or ""))
    want_date = progress.month_day(cd.day)
    tally.check(reading.date == want_date, f"{where}日期显示“{reading.date or '（无）'}”，应为“{want_date}”")
    for part in reading.unmatched:
        tally.fail(f"{where}“{part}”不符合 params/progress.yaml 的任何句式，其中的数字无法核对")
    total = cd.figures.loc[settings()["total_row"]]
    expected = {c.index: c for c in progress.draft_clauses(cd.figures, cd.trend, cd.day)}
    read = {c.index: c for c in reading.clauses}
    for i, clause in expected.items():
        if i not in read:
            tally.fail(f"{where}缺少“{clause.text}”")
    for i, clause in read.items():
        changes = {k: v for k, v, _ in expected[i].slots if k.startswith(progress.CHANGE)} if i in expected else {}
        for key, shown, rate in clause.slots:
            if key.startswith(progress.CHANGE):  # 较上日: as the previous day of the trend gives it
                want = changes.get(key, "")
                label = f"{_label(key[len(progress.CHANGE):])}的较上日变化"
                tally.check(shown == want, f"{where}{label}显示“{shown or '（无）'}”，应为“{want or '（无）'}”")
                continue
            value = total.get(key)
            want = "—（不应出现）" if _nan(value) else progress.figure_text(value, rate)
            tally.check(shown == want, f"{where}{_label(key)}显示“{shown}”，应为“{want}”")
        if i in expected:
            missing = [k for k, _, _ in expected[i].slots if k not in {k2 for k2, _, _ in clause.slots}]
            for key in missing:
                tally.fail(f"{where}“{clause.text}”缺少{_label(key)}（应为“{progress.figure_text(total[key], False)}”）")


# ---------------------------------------------------------------- the city day


def check_city(cd, out_dir: str | Path) -> Result:
    """Read the written products of a city day back from ``out_dir`` and check them."""
    out_dir = Path(out_dir)
    names = catalogue.names("city", cd.city.name, cd.day)
    tally = _Tally()
    check_huizongbiao(out_dir / names["huizongbiao"], cd.figures, cd.day, tally)
    check_brief(out_dir / names["brief"], cd, tally)
    check_progress(out_dir / names["progress"], cd, tally)
    bulletin.check_city(out_dir / names["bulletin"], cd, tally)
    return Result(not tally.failures, tally.checks, tally.failures)


def city(cd, out_dir: str | Path) -> Result:
    """The city notebook's 自检 cell: check, record the outcome next to the products (moved into
    manifest.json by ``run``), and raise :class:`SelfCheckFailed` when anything differs.

    Parameters
    ----------
    cd : pipeline.CityDay
        The city day whose products were written.
    out_dir : str or Path
        The folder the products were written into (``products.write_all``); the outcome is
        recorded there.

    Returns
    -------
    Result
        The outcome when every check passed: passed, the number of checks, no failures
        (shown as one line).
    """
    return publish(check_city(cd, out_dir), out_dir)
