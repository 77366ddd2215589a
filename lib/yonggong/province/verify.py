"""The province 自检: the written province products read back and checked against the roll-up.

    result = province.verify.check(pday, out_dir)   # after province.write.write_all(pday, out_dir)
    result.passed, result.checks, result.failures  # failures: one Chinese line each

What is checked (``province.write.self_check`` runs it in the province notebook; ``selfcheck.publish``
records the outcome, which the run puts into the manifest under ``自检``, and fails the run when
anything differs — the same as the city 自检):

* 汇总表 and the sheets filed beside it (劳务输出, when any city filed one) (openpyxl,
  ``data_only``): the rows are the 11 cities then 全省合计; every figure cell
  of an accepted city and of 全省合计 equals the roll-up (``pday.figures``; "—" where it has
  none); every cell of a returned or missing city says its status (退回 / 未报送);
* 全省合计 as written is the sum of the accepted cities' cells as written, per count column
  ("—" counts as nothing; "—" when every city has "—"), and each rate is ``indicators.ratio``
  of the summed counts of its numerator and denominator (params/indicators.yaml);
* 报送情况 as written has the statuses of the day (``pday.completeness``), and the 汇总表 rows
  agree with them (figures for 按时 / 迟报, the status text otherwise);
* the province brief (HTML): one row per city whose status is that of 报送情况, and every
  figure marked 全省合计 (cards, 总体情况, the table's total row) — and every figure marked with
  a city — is the roll-up's, as the brief prints it;
* the 简讯 (``province.bulletin.check``): at most ``max_chars``, every line one of the templates of
  params/bulletin.yaml, 全省合计's figures and 较上日 as the roll-up gives them, the cities named
  late, returned or missing as in 报送情况;
* the tidy parquet files (``province.parquet.write_tidy``): 汇总数据 holds every figure of the roll-up
  (NaN where it has none or the city was not rolled up), 报送情况 the statuses of the day.
"""

from __future__ import annotations

import math
from html.parser import HTMLParser
from pathlib import Path

import openpyxl

from .. import brief, forms, indicators
from ..errors import SelfCheckFailed  # noqa: F401 (re-exported)
from ..selfcheck import Result as CheckResult
from ..selfcheck import Tally as _Tally
from . import bulletin as province_bulletin
from . import common
from .common import ACCEPTED, SHEETS, config

TOLERANCE = 1e-6


# --------------------------------------------------------------------------- values


def _number(v) -> float | None:
    """A cell value as a number (None when it is not one)."""
    if isinstance(v, bool) or v is None:
        return None
    if isinstance(v, (int, float)):
        return None if isinstance(v, float) and math.isnan(v) else float(v)
    return None


def _missing(v) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v))


def _shown(v) -> str:
    """A value for a failure line."""
    if _missing(v):
        return "“—”"
    if isinstance(v, str):
        return f"“{v}”"
    f = float(v)
    return str(int(f)) if f.is_integer() else f"{f:g}"


def _same(cell, want, dash: str) -> bool:
    """A written cell against a roll-up value (NaN: the cell says ``dash``)."""
    if _missing(want):
        return isinstance(cell, str) and cell.strip() == dash
    got = _number(cell)
    return got is not None and abs(got - float(want)) <= TOLERANCE


# --------------------------------------------------------------------------- 汇总表


def _sheet_rows(ws, first: int, n: int, columns: list[dict]) -> list[tuple[int, str, dict]]:
    """(Excel row, label, {figure: (cell value, coordinate)}) of ``n`` body rows from ``first``."""
    index_col = next(i for i, c in enumerate(columns) if c["index"] is not None) + 1
    out = []
    for r in range(first, first + n):
        label = ws.cell(row=r, column=index_col).value
        cells = {c["figure"]: (ws.cell(row=r, column=j).value, ws.cell(row=r, column=j).coordinate)
                 for j, c in enumerate(columns, 1) if c["figure"] is not None}
        out.append((r, "" if label is None else str(label).strip(), cells))
    return out


def check_huizongbiao(pday, path: Path, tally: _Tally, layout=None) -> dict[str, str]:
    """Check the written 汇总表, the sheets filed beside it (劳务输出) and 报送情况; returns
    报送情况 as written (city → status)."""
    from .. import outbound

    layout = forms.load_layout() if layout is None else layout
    companions = [forms.load_layout(name) for name in outbound.companion_layouts(pday.figures)]
    wb = openpyxl.load_workbook(path, data_only=True)
    try:
        written_status = _written_status(wb, tally)
        sheets = {}
        for lay in [layout, *companions]:
            if tally.expect(lay["sheet"] in wb.sheetnames, f"汇总表工作簿中没有“{lay['sheet']}”工作表"):
                sheets[lay["sheet"]] = _read_body(pday, wb[lay["sheet"]], lay)
    finally:
        wb.close()
    want_status = dict(zip(pday.completeness["设区市"], pday.completeness["状态"], strict=True))
    for name, status in want_status.items():
        tally.expect(written_status.get(name) == status,
                     f"报送情况 {name}：表中为{_shown(written_status.get(name))}，应为“{status}”")
    for lay in [layout, *companions]:
        if lay["sheet"] in sheets:
            _check_body(pday, lay, sheets[lay["sheet"]], want_status, tally)
    return written_status


def _read_body(pday, ws, layout: dict) -> list[tuple[int, str, dict]]:
    """The rows of a roll-up sheet laid out by ``layout``: the cities then 全省合计."""
    plan = forms.plan_of(layout)  # the layout resolved to columns (the writer's own reading of it)
    names = [s.city.full_name for s in pday.statuses] + [config()["total_label"]]
    return _sheet_rows(ws, 3 + plan.header_rows, len(names), plan.columns)


def _check_body(pday, layout: dict, rows, want_status: dict[str, str], tally: _Tally) -> None:
    """Every cell of a roll-up sheet against the roll-up; 全省合计 against the cities as written."""
    sheet = layout["sheet"]
    dash = str((layout.get("body") or {}).get("missing_text", "—"))
    total_label = config()["total_label"]
    names = [s.city.full_name for s in pday.statuses] + [total_label]
    accepted_rows = []
    for (r, label, cells), name in zip(rows, names, strict=True):
        if not tally.expect(label == name, f"{sheet} 第{r}行：行名为{_shown(label)}，应为“{name}”"):
            continue
        status = want_status.get(name)
        if name != total_label and status not in ACCEPTED:
            for fid, (v, where) in cells.items():
                tally.expect(isinstance(v, str) and v.strip() == status,
                             f"{sheet} {name}（{status}）“{indicators.label(fid)}”（{where}）：表中为{_shown(v)}，"
                             f"应为“{status}”")
            continue
        want = pday.totals if name == total_label else pday.figures.loc[name]
        for fid, (v, where) in cells.items():
            w = want.get(fid)
            tally.expect(_same(v, w, dash), f"{sheet} {name}“{indicators.label(fid)}”（{where}）：表中为{_shown(v)}，"
                                            f"汇总数据为{_shown(w)}")
        if name != total_label:
            accepted_rows.append(cells)
    total_cells = rows[-1][2] if rows and rows[-1][1] == total_label else None
    if total_cells is not None:
        _check_total_row(accepted_rows, total_cells, tally, dash, sheet)


def _written_status(wb, tally: _Tally) -> dict[str, str]:
    sheet = SHEETS["completeness"]
    if not tally.expect(sheet in wb.sheetnames, f"汇总表工作簿缺少“{sheet}”工作表"):
        return {}
    rows = list(wb[sheet].iter_rows(min_row=2, values_only=True))
    header = [str(h) if h is not None else "" for h in (rows[0] if rows else ())]
    if not tally.expect({"设区市", "状态"} <= set(header), f"“{sheet}”工作表缺少“设区市”“状态”列"):
        return {}
    ci, si = header.index("设区市"), header.index("状态")
    out = {}
    for r in rows[1:]:
        if not r or r[ci] in (None, ""):
            break
        out[str(r[ci])] = "" if r[si] is None else str(r[si])
    return out


def _check_total_row(accepted: list[dict], total: dict, tally: _Tally, dash: str, sheet: str = "汇总表") -> None:
    """全省合计 as written = the sum of the accepted cities' cells as written (counts), and
    ``indicators.ratio`` of the summed counts (rates)."""
    sums: dict[str, float] = {}
    for fid, (v, where) in total.items():
        if indicators.is_rate(fid):
            continue
        values = [_number(cells[fid][0]) for cells in accepted]
        present = [x for x in values if x is not None]
        want = sum(present) if present else math.nan
        sums[fid] = want
        tally.expect(_same(v, want, dash), f"{sheet} 全省合计“{indicators.label(fid)}”（{where}）：表中为{_shown(v)}，"
                                           f"有效报送设区市之和为{_shown(want)}")
    for fid, (v, where) in total.items():
        if not indicators.is_rate(fid):
            continue
        ind = indicators.get(fid)
        parts = [_number(total[p][0]) if p in total else None for p in ind.numerator + ind.denominator]
        if any(p is None for p in parts):
            want = math.nan
        else:
            k = len(ind.numerator)
            want = indicators.ratio(sum(parts[:k]), sum(parts[k:]))
        tally.expect(_same(v, want, dash), f"{sheet} 全省合计“{ind.label}”（{where}）：表中为{_shown(v)}，"
                                           f"由合计数算得{_shown(want)}")


# --------------------------------------------------------------------------- the brief


class _BriefReader(HTMLParser):
    """Marked figures (span.fig: data-fig, data-row → text) and the status of each city row
    (tr[data-city] → the text of its td.status) of a brief page."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.figures: list[tuple[str, str, str]] = []
        self.statuses: dict[str, list[str]] = {}
        self._city: str | None = None
        self._capture: tuple[str, ...] | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        classes = (a.get("class") or "").split()
        if tag == "tr":
            self._city = a.get("data-city")
        elif tag == "td" and self._city is not None and "status" in classes:
            self._capture, self._text = ("status", self._city), []
        elif tag == "span" and "fig" in classes and "data-fig" in a:
            self._capture, self._text = ("fig", a["data-fig"], a.get("data-row") or ""), []

    def handle_endtag(self, tag):
        if self._capture is None:
            if tag == "tr":
                self._city = None
            return
        kind = self._capture[0]
        if (kind == "status" and tag == "td") or (kind == "fig" and tag == "span"):
            text = "".join(self._text).strip()
            if kind == "status":
                self.statuses.setdefault(self._capture[1], []).append(text)
            else:
                self.figures.append((self._capture[1], self._capture[2], text))
            self._capture = None

    def handle_data(self, data):
        if self._capture is not None:
            self._text.append(data)


def check_brief(pday, path: Path, status: dict[str, str], tally: _Tally) -> None:
    """The brief's city statuses against 报送情况 as written (``status``), and its marked figures
    against the roll-up (as the brief prints them)."""
    reader = _BriefReader()
    reader.feed(path.read_text(encoding="utf-8"))
    total_label = config()["total_label"]
    for name, want in status.items():
        got = reader.statuses.get(name, [])
        tally.expect(got == [want], f"工作简报 {name}的报送状态：简报为{_shown('、'.join(got) or None)}，"
                                    f"报送情况为“{want}”")
    extra = sorted(set(reader.statuses) - set(status))
    tally.expect(not extra, f"工作简报列出了报送情况中没有的设区市：{'、'.join(extra)}")
    totals = 0
    for fid, row, text in reader.figures:
        if row == total_label:
            totals += 1
            want = pday.totals.get(fid)
        elif row in pday.figures.index and status.get(row) in ACCEPTED:
            want = pday.figures.loc[row].get(fid)
        elif row in status:  # a returned or missing city: "—" in the brief
            want = math.nan
        else:
            tally.expect(False, f"工作简报 “{indicators.label(fid)}”标为“{row}”，不是全省合计或有效报送的设区市")
            continue
        shown = brief.show(want, brief.kind_of(fid))
        tally.expect(text == shown, f"工作简报 {row}“{indicators.label(fid)}”：简报为“{text}”，汇总数据为“{shown}”")
    tally.expect(totals > 0, "工作简报中没有标明全省合计的数字")


# --------------------------------------------------------------------------- entry point


def check(pday, out_dir, layout=None) -> CheckResult:
    """Read the province products in ``out_dir`` back and check them against ``pday``."""
    out_dir = Path(out_dir)
    names = common.names(pday.day)
    tally = _Tally()
    book = out_dir / names["huizongbiao"]
    status: dict[str, str] = {}
    if tally.expect(book.is_file(), f"没有写出汇总表：{book.name}"):
        try:
            status = check_huizongbiao(pday, book, tally, layout)
        except Exception as exc:  # noqa: BLE001 (an unreadable product is a failed check, not a crash)
            tally.expect(False, f"汇总表无法读回（{type(exc).__name__}：{exc}）")
    page = out_dir / names["brief"]
    if tally.expect(page.is_file(), f"没有写出工作简报：{page.name}"):
        try:
            check_brief(pday, page, status or dict(zip(pday.completeness["设区市"], pday.completeness["状态"],
                                                       strict=True)), tally)
        except Exception as exc:  # noqa: BLE001
            tally.expect(False, f"工作简报无法读回（{type(exc).__name__}：{exc}）")
    text = out_dir / names["bulletin"]
    if tally.expect(text.is_file(), f"没有写出简讯：{text.name}"):
        try:
            province_bulletin.check(text, pday, tally)
        except Exception as exc:  # noqa: BLE001
            tally.expect(False, f"简讯无法读回（{type(exc).__name__}：{exc}）")
    try:
        check_parquet(pday, out_dir, tally)
    except Exception as exc:  # noqa: BLE001
        tally.expect(False, f"整齐数据（parquet）无法读回（{type(exc).__name__}：{exc}）")
    return tally.result()


def check_parquet(pday, out_dir: Path, tally: _Tally) -> None:
    """The province's tidy parquet files against the roll-up and the statuses."""
    import pandas as pd

    names = common.names(pday.day)
    figs = pd.read_parquet(out_dir / names["figures_parquet"])
    got = dict(zip(zip(figs["设区市"], figs["指标"], strict=True), figs["数值"], strict=True))
    labels = [s.city.name for s in pday.statuses] + [config()["total_label"]]
    known = set(indicators.keys())
    for label, (name, row) in zip(labels, pday.figures.iterrows(), strict=True):
        for fid in (f for f in row.index if f in known):
            want = row[fid] if _number(row[fid]) is not None else math.nan
            v = got.get((label, indicators.label(fid)))
            tally.expect(v is not None and ((math.isnan(v) and math.isnan(want)) or abs(v - want) <= TOLERANCE),
                         f"{names['figures_parquet']} {name}“{indicators.label(fid)}”：为{_shown(v)}，"
                         f"汇总数据为{_shown(want)}")
    sub = pd.read_parquet(out_dir / names["submissions_parquet"])
    tally.expect(list(zip(sub["设区市"], sub["状态"], strict=True)) == [(s.city.name, s.status) for s in pday.statuses],
                 f"{names['submissions_parquet']} 的报送状态与报送情况不一致")

