"""Writing the 汇总表 workbook and plain detail-table sheets.

``write_huizongbiao`` (and ``build_huizongbiao``) lays a city's (or the province's) figures out
by a layout spec from ``forms`` (title, info line, grouped header, rows, footer, page setup);
``write_table_sheet`` writes any DataFrame as a simple formatted detail sheet, with the cell
rules ``detail_value`` and ``display_width`` that ``tablebook`` shares. Text cells go through
``forms.safe_text``; workbooks are saved through ``xlsxio`` (same inputs, same bytes).
"""

from __future__ import annotations

import copy
import datetime as dt
import functools
import math
import numbers
import unicodedata
from pathlib import Path

import openpyxl
import pandas as pd
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.page import PageMargins

from . import xlsxio
from .forms import FIELD_RE, TEMPLATE_FIELDS, load_layout, plan_of, resolve_layout, safe_text, squash

__all__ = [
    "build_huizongbiao",
    "write_huizongbiao",
    "write_table_sheet",
]


def _put_text(cell, value) -> None:
    """Write ``value`` as a plain string cell (never a formula)."""
    cell.value = safe_text(value)
    cell.data_type = "s"


# --------------------------------------------------------------------------- styles


def _font(spec: dict | None, default_name: str = "宋体", **override) -> Font:
    spec = dict(spec or {})
    spec.update(override)
    return Font(name=spec.get("name", default_name), size=spec.get("size", 10), bold=bool(spec.get("bold", False)))


def _fill(color) -> PatternFill | None:
    if not color:
        return None
    color = str(color).lstrip("#").upper()
    return PatternFill(fill_type="solid", start_color=color, end_color=color)


def _border(style: str | None = "thin") -> Border:
    side = Side(style=style or "thin")
    return Border(left=side, right=side, top=side, bottom=side)


def _style_range(ws, r1, c1, r2, c2, *, font=None, align=None, border=None, fill=None, fmt=None):
    """Style every cell of a (possibly merged) range; 1-based inclusive coordinates."""
    for r in range(r1, r2 + 1):
        for c in range(c1, c2 + 1):
            cell = ws.cell(row=r, column=c)
            if font is not None:
                cell.font = font
            if align is not None:
                cell.alignment = align
            if border is not None:
                cell.border = border
            if fill is not None:
                cell.fill = fill
            if fmt is not None:
                cell.number_format = fmt


def _merge(ws, r1, c1, r2, c2) -> None:
    if (r1, c1) != (r2, c2):
        ws.merge_cells(start_row=r1, start_column=c1, end_row=r2, end_column=c2)


# --------------------------------------------------------------------------- templates


def _format_date(value, date_format: str) -> str:
    day = _as_date(value)
    return date_format.format(year=day.year, month=day.month, day=day.day)


def _as_date(value) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise ValueError(f"数据截至日期无效：{value!r}（应为日期，如 2020-02-24）")


def _render(template: str, values: dict[str, str]) -> str:
    return FIELD_RE.sub(lambda m: values.get(m.group(1), ""), template)


# --------------------------------------------------------------------------- writing


def _figure_value(value):
    """A figure as it goes into a cell: int, float, None (missing) or text."""
    if value is None or isinstance(value, str):
        return value
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        return str(value)
    try:
        number = float(value)
    except (TypeError, ValueError):
        return str(value)
    if math.isinf(number):
        return None
    return int(number) if number.is_integer() else number


def build_huizongbiao(figures: pd.DataFrame, meta: dict, detail_sheets=None, layout=None, companions=()):
    """Build the 汇总表 workbook (openpyxl) from ``figures`` and ``meta`` with ``layout``; each
    layout of ``companions`` (e.g. 劳务输出) adds a sheet of its own from the same figures and
    meta, after the first; then the ``detail_sheets``."""
    wb = openpyxl.Workbook()
    layout = resolve_layout(layout)
    _layout_sheet(wb.active, figures, meta, layout)
    for other in companions:
        other = resolve_layout(other)
        _layout_sheet(wb.create_sheet(other["sheet"]), figures, meta, other)
    for name, frame in (detail_sheets or {}).items():
        write_table_sheet(wb.create_sheet(str(name)), str(name), frame, style=layout.get("table_sheet"))
    return wb


def _layout_sheet(ws, figures: pd.DataFrame, meta: dict, layout: dict) -> None:
    """Write one sheet laid out by ``layout`` (title, info line, grouped header, rows, footer)."""
    plan = plan_of(layout)
    missing = [f for f in plan.figures if f not in figures.columns]
    if missing:
        raise ValueError(f"汇总数据缺少版式所需的指标：{'、'.join(missing)}")

    ws.title = layout["sheet"]
    ncols = plan.ncols
    date_format = str(layout.get("date_format", "{year}年{month}月{day}日"))
    values = {f: str(meta.get(f) or "") for f in TEMPLATE_FIELDS if f != "date"}
    values["date"] = _format_date(meta.get("date"), date_format)

    # Title row.
    title = layout["title"]
    cell = ws.cell(row=1, column=1)
    _put_text(cell, title["text"])
    _merge(ws, 1, 1, 1, ncols)
    _style_range(ws, 1, 1, 1, ncols, font=_font(title.get("font"), "黑体"),
                 align=Alignment(horizontal="center", vertical="center"))
    ws.row_dimensions[1].height = title.get("height", 30)

    # 填报单位 / 数据截至 / 单位 line.
    info = layout.get("info_line") or {}
    _write_segments(ws, 2, info, plan.info_spans, values)
    ws.row_dimensions[2].height = info.get("height", 20)

    # Header rows.
    header = layout.get("header") or {}
    top = 3
    head_font = _font(header.get("font"), "黑体")
    head_fill = _fill(header.get("fill"))
    body = layout.get("body") or {}
    border = _border(body.get("border", "thin"))
    centered = Alignment(horizontal="center", vertical="center", wrap_text=True)
    for r0, c0, r1, c1, text in plan.header_cells:
        _put_text(ws.cell(row=top + r0, column=c0 + 1), text)
        _merge(ws, top + r0, c0 + 1, top + r1, c1 + 1)
        _style_range(ws, top + r0, c0 + 1, top + r1, c1 + 1, font=head_font, align=centered,
                     border=border, fill=head_fill)
    for i, height in enumerate(header.get("row_heights") or []):
        if i < plan.header_rows:
            ws.row_dimensions[top + i].height = height

    # Body.
    first = top + plan.header_rows
    body_font = _font(body.get("font"))
    bold_font = _font(body.get("font"), bold=True)
    totals = {squash(t) for t in body.get("total_labels") or ["合计"]}
    missing_text = str(body.get("missing_text", "—"))
    row = first
    for label, series in figures.iterrows():
        font = bold_font if squash(label) in totals else body_font
        for c, col in enumerate(plan.columns, 1):
            cell = ws.cell(row=row, column=c)
            if col["index"] is not None:
                _put_text(cell, label)
            else:
                value = _figure_value(series[col["figure"]])
                if value is None:
                    _put_text(cell, missing_text)
                elif isinstance(value, str):
                    _put_text(cell, value)
                else:
                    cell.value = value
                    cell.number_format = col["format"]
            cell.font = font
            cell.alignment = centered
            cell.border = border
        if body.get("height"):
            ws.row_dimensions[row].height = body["height"]
        row += 1
    last_body = row - 1

    # Footer.
    footer = layout.get("footer") or {}
    footer_row = row + int(footer.get("gap", 0) or 0)
    last_row = last_body
    if plan.footer_spans:
        _write_segments(ws, footer_row, footer, plan.footer_spans, values)
        ws.row_dimensions[footer_row].height = footer.get("height", 20)
        last_row = footer_row

    # Columns, panes, print setup.
    for c, col in enumerate(plan.columns, 1):
        ws.column_dimensions[get_column_letter(c)].width = col["width"]
    ws.freeze_panes = ws.cell(row=first, column=plan.index_col + 2).coordinate
    _page_setup(ws, layout.get("page") or {})
    ws.print_title_rows = f"{top}:{first - 1}"
    ws.print_area = f"A1:{get_column_letter(ncols)}{last_row}"


def _write_segments(ws, row: int, section: dict, spans, values: dict[str, str]) -> None:
    font = _font(section.get("font"))
    for seg, (c0, c1) in zip(section.get("segments") or [], spans, strict=True):
        _put_text(ws.cell(row=row, column=c0 + 1), _render(seg["template"], values))
        _merge(ws, row, c0 + 1, row, c1 + 1)
        _style_range(ws, row, c0 + 1, row, c1 + 1, font=font,
                     align=Alignment(horizontal=seg.get("align", "left"), vertical="center"))


def _page_setup(ws, page: dict) -> None:
    ws.page_setup.paperSize = int(page.get("paper", 9))
    ws.page_setup.orientation = page.get("orientation", "landscape")
    if page.get("fit_to_width", True):
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
    margins = page.get("margins") or {}
    if margins:
        ws.page_margins = PageMargins(**{k: float(v) for k, v in margins.items()})
    ws.print_options.horizontalCentered = bool(page.get("center_horizontally", True))


def write_huizongbiao(path, figures: pd.DataFrame, meta: dict, detail_sheets=None, layout=None,
                      companions=()) -> None:
    """Write the 汇总表 workbook to ``path`` deterministically (same inputs, same bytes).

    ``figures``: index = row labels (counties then 合计), columns = figure ids, NaN = "—".
    ``meta``: bureau, city_full, date, filler, reviewer, phone, submitted.
    ``detail_sheets``: sheet title → DataFrame, each written by ``write_table_sheet``.
    ``layout``: a dict from ``load_layout``, a layout name or path; default ``huizongbiao``.
    ``companions``: further layouts, each a sheet after the 汇总表 (e.g. 劳务输出).
    """
    xlsxio.save_workbook(build_huizongbiao(figures, meta, detail_sheets, layout, companions), Path(path))


# --------------------------------------------------------------------------- detail sheets


@functools.lru_cache(maxsize=1 << 16)  # a detail sheet repeats its counties, posts and enterprises
def display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


def detail_value(value):
    """A detail-table value as it goes into a cell: (value, kind) with kind text/number/date/none."""
    if value is None:
        return None, "none"
    if isinstance(value, str):
        return safe_text(value), "text"
    if isinstance(value, (list, tuple, set, frozenset)):
        return safe_text("、".join(str(v) for v in value)), "text"
    try:
        if pd.isna(value):
            return None, "none"
    except (TypeError, ValueError):
        return safe_text(value), "text"
    if isinstance(value, (bool,)) or type(value).__name__ == "bool_":
        return ("是" if value else "否"), "text"
    if hasattr(value, "dtype") and str(getattr(value, "dtype", "")).startswith("datetime64"):
        value = pd.Timestamp(value)
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            from .indicators import LOCAL

            value = value.astimezone(LOCAL).replace(tzinfo=None)
        if isinstance(value, pd.Timestamp):
            value = value.to_pydatetime()
        if value.time() == dt.time(0, 0):
            return value.date(), "date"
        return value, "datetime"
    if isinstance(value, dt.date):
        return value, "date"
    if isinstance(value, numbers.Integral):
        return int(value), "number"
    if isinstance(value, numbers.Number):
        try:
            return float(value), "number"
        except (TypeError, ValueError):
            pass
    return safe_text(value), "text"


def write_table_sheet(ws, title: str, df: pd.DataFrame, style: dict | None = None,
                      subtitle: tuple[str, str] | None = None) -> None:
    """Write ``df`` on ``ws`` as a simple formatted table: title row, header row, body rows.

    Columns are written as given (named index levels first). Header bold with a fill,
    thin borders, widths from the content, header frozen, 宋体. An empty frame still gets its
    header and a row "（当日无）". ``style`` defaults to the ``table_sheet`` section of the
    default layout. ``subtitle`` (left, right), e.g. (填报单位：…, 填报日期：…), is a line between
    the title and the header (the table then starts one row lower).
    """
    if style is None:
        style = load_layout().get("table_sheet") or {}
    frame = df
    if any(n is not None for n in df.index.names) and not isinstance(df.index, pd.RangeIndex):
        frame = df.reset_index()
    headers = [safe_text(c) for c in frame.columns]
    ncols = max(1, len(headers))
    border = _border("thin")
    min_w, max_w = float(style.get("min_width", 6)), float(style.get("max_width", 50))
    wide = {str(k): float(v) for k, v in (style.get("wide_columns") or {}).items()}
    caps = [wide.get(h, max_w) for h in headers] or [max_w]  # each column's widest
    widths = [display_width(h) for h in headers] or [0]

    _put_text(ws.cell(row=1, column=1), title)
    _merge(ws, 1, 1, 1, ncols)
    _style_range(ws, 1, 1, 1, ncols, font=_font(style.get("title_font"), "黑体"),
                 align=Alignment(horizontal="center", vertical="center"))
    ws.row_dimensions[1].height = 24
    head = 2
    if subtitle is not None:
        head = 3
        split = max(1, ncols - (3 if ncols >= 6 else 1))  # the right text over the last columns
        _put_text(ws.cell(row=2, column=1), subtitle[0])
        _put_text(ws.cell(row=2, column=split + 1 if ncols > 1 else 1), subtitle[1])
        if ncols > 1:
            _merge(ws, 2, 1, 2, split)
            _merge(ws, 2, split + 1, 2, ncols)
        ws.cell(row=2, column=1).font = _font(style.get("body_font"))
        ws.cell(row=2, column=split + 1).font = _font(style.get("body_font"))
        ws.cell(row=2, column=split + 1).alignment = Alignment(horizontal="right", vertical="center")
        ws.row_dimensions[2].height = 20

    head_font = _font(style.get("header_font"), bold=True)
    head_fill = _fill(style.get("header_fill", "D9D9D9"))
    head_align = Alignment(horizontal="center", vertical="center", wrap_text=True)
    for c in range(1, ncols + 1):
        cell = ws.cell(row=head, column=c)
        if c <= len(headers):
            _put_text(cell, headers[c - 1])
        cell.font, cell.fill, cell.alignment, cell.border = head_font, head_fill, head_align, border

    body_font = _font(style.get("body_font"))
    formats = {"date": style.get("date_format", "yyyy-mm-dd"),
               "datetime": style.get("datetime_format", "yyyy-mm-dd hh:mm")}
    # one registered style per (kind, wrap), shared by copy: assigning font/border/alignment
    # cell by cell costs a style lookup each, which dominated big sheets
    styles: dict[tuple[str, bool], object] = {}

    def style_of(kind: str, wrap: bool):
        key = (kind if kind in formats else "plain", wrap)
        if key not in styles:
            probe = Cell(ws)
            probe.font, probe.border = body_font, border
            probe.alignment = Alignment(vertical="center", wrap_text=wrap)
            if kind in formats:
                probe.number_format = formats[kind]
            styles[key] = probe._style
        return copy.copy(styles[key])

    shown_width = {"date": 10, "datetime": 16}
    cells = ws._cells
    line_pt = float(style.get("line_height", 14))
    row = head + 1
    for record in frame.itertuples(index=False, name=None):
        lines = 1
        for c, raw in enumerate(record, 1):
            value, kind = detail_value(raw)
            if kind == "text":
                width = display_width(value)
            elif kind == "none":
                width = 0
            else:
                width = shown_width.get(kind) or len(str(value))
            if width > widths[c - 1]:
                widths[c - 1] = width
            wrap = kind == "text" and (width + 2 > caps[c - 1] or "\n" in value)
            if wrap:  # a wrapped cell's column is as wide as the column may be
                lines = max(lines, wrapped_lines(value, caps[c - 1]))
            cell = Cell(ws, row=row, column=c, style_array=style_of(kind, wrap))
            if kind == "text":
                cell._value, cell.data_type = value, "s"
            elif kind != "none":
                cell.value = value
            cells[(row, c)] = cell
        if lines > 1:  # rows fit their wrapped text when printed (Excel and LibreOffice), within 409 pt
            ws.row_dimensions[row].height = min(409.0, line_pt * lines + 3)
        row += 1
    if row == head + 1:
        _put_text(ws.cell(row=row, column=1), style.get("empty_text", "（当日无）"))
        _merge(ws, row, 1, row, ncols)
        _style_range(ws, row, 1, row, ncols, font=body_font, border=border,
                     align=Alignment(horizontal="center", vertical="center"))
        row += 1

    for c in range(1, ncols + 1):
        ws.column_dimensions[get_column_letter(c)].width = min(caps[c - 1] if c <= len(caps) else max_w,
                                                               max(min_w, widths[c - 1] + 2))
    ws.freeze_panes = f"A{head + 1}"
    _page_setup(ws, {"paper": 9, "orientation": "landscape", "fit_to_width": True})
    ws.print_title_rows = f"{head}:{head}"


def wrapped_lines(text: str, width: float) -> int:
    """Lines ``text`` takes in a wrapped cell ``width`` display units wide (each line break
    starts a new line; CJK characters count two units, as ``display_width`` does)."""
    return sum(max(1, math.ceil(display_width(part) / max(width, 1.0))) for part in str(text).split("\n"))
