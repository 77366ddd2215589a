"""The 汇总表 (daily submission) as an xlsx workbook, laid out by a declarative spec.

The layout — sheet title, title row, the 填报单位/数据截至/单位 line, the nested header
groups with their merges, which figure fills which column, number formats, widths, fonts,
footer and page setup — lives in ``params/layouts/<name>.yaml``; this module only
interprets it. ``write_huizongbiao`` writes a city's (or the province's) figures with it,
``read_huizongbiao`` reads a submission back and refuses a file whose layout does not match.

Every text cell whose content comes from data goes through ``safe_text``: it is written as a
string (never a formula) and never starts with ``= + - @``, tab or CR (formula injection).
Workbooks are saved through ``xlsxio`` so that the same inputs give the same bytes.
"""

from __future__ import annotations

import copy
import datetime as dt
import functools
import math
import numbers
import re
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import Path

import openpyxl
import pandas as pd
import yaml
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.page import PageMargins

from . import paths, reference, xlsxio

__all__ = [
    "build_huizongbiao",
    "load_layout",
    "read_huizongbiao",
    "safe_text",
    "write_huizongbiao",
    "write_table_sheet",
]

#: Leading characters that make a spreadsheet treat text as a formula (OWASP CSV injection).
FORMULA_LEADS = ("=", "+", "-", "@", "\t", "\r")
#: Invisible guard put in front of such text (ZERO WIDTH SPACE): the text is kept, but no
#: longer starts with a formula character, even after export to CSV.
GUARD = "\u200b"

TEMPLATE_FIELDS = ("bureau", "city_full", "date", "filler", "reviewer", "phone", "submitted")
_FIELD_RE = re.compile(r"\{(\w+)\}")
_DATE_PARTS = {"year": r"\d{4}", "month": r"\d{1,2}", "day": r"\d{1,2}"}
_ALIGNS = ("left", "center", "right")


# --------------------------------------------------------------------------- safe text


def safe_text(value) -> str:
    """Return ``value`` as text that is safe to put in a cell.

    Characters XML cannot hold are dropped and CR becomes LF; text starting with ``= + - @``
    or tab (also after leading whitespace) gets an invisible zero-width-space guard in front,
    unless it is a plain signed number ("-215").
    Pair it with ``data_type = "s"`` (see ``_put_text``) so openpyxl never stores a formula.
    """
    text = "" if value is None else str(value)
    # XML turns a bare CR into LF on reading anyway; do it here so what is written is what is read.
    text = ILLEGAL_CHARACTERS_RE.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
    if (text.startswith(FORMULA_LEADS) or text.lstrip().startswith(FORMULA_LEADS)) and not _PLAIN_NUMBER.match(text):
        text = GUARD + text
    return text


#: A signed number as text ("-215", "+3.5", "-12%"): no spreadsheet reads it as a formula, so it is
#: written as it is (a guard would put an invisible character in front of a value a clerk compares).
_PLAIN_NUMBER = re.compile(r"^[+-]?\d+(?:[.,]\d+)*%?$")


def _put_text(cell, value) -> None:
    """Write ``value`` as a plain string cell (never a formula)."""
    cell.value = safe_text(value)
    cell.data_type = "s"


# --------------------------------------------------------------------------- layout


def load_layout(name: str | Path = "huizongbiao") -> dict:
    """Read a layout spec: ``params/layouts/<name>.yaml``, or ``name`` itself when it is a path.

    The spec is validated (a ValueError in Chinese names the problem) and returned as a
    fresh dict the caller may change.
    """
    text = str(name)
    if isinstance(name, Path) or text.endswith((".yaml", ".yml")) or "/" in text or "\\" in text:
        path = Path(name)
    else:
        path = paths.PARAMS_DIR / "layouts" / f"{text}.yaml"
    if not path.is_file():
        raise ValueError(f"找不到版式文件：{path}")
    stat = path.stat()
    return copy.deepcopy(_read_layout(str(path.resolve()), stat.st_mtime_ns, stat.st_size))


@functools.lru_cache(maxsize=16)
def _read_layout(path: str, mtime_ns: int, size: int) -> dict:
    """Parse and validate a layout file once per version of it (the key holds its time and size)."""
    with open(path, encoding="utf-8") as fh:
        layout = yaml.load(fh, Loader=reference.YamlLoader)
    if not isinstance(layout, dict):
        raise ValueError(f"版式文件{path}的内容不是一个映射（YAML 字典）")
    layout["_source"] = path
    plan_of(layout)  # validates
    return layout


def _resolve_layout(layout) -> dict:
    if layout is None:
        return load_layout()
    if isinstance(layout, (str, Path)):
        return load_layout(layout)
    if isinstance(layout, dict):
        return layout
    raise TypeError(f"layout must be None, a name, a path or a dict, not {type(layout).__name__}")


class Plan:
    """The layout resolved to cells: columns left to right and header cell ranges."""

    def __init__(self, columns, header_cells, header_rows, index_col, info_spans, footer_spans):
        self.columns = columns  # list of dict(label, figure, index, format, width)
        self.header_cells = header_cells  # list of (row0, col0, row1, col1, text), 0-based
        self.header_rows = header_rows
        self.index_col = index_col  # 0-based
        self.info_spans = info_spans  # list of (col0, col1)
        self.footer_spans = footer_spans

    @property
    def ncols(self) -> int:
        return len(self.columns)

    @property
    def figures(self) -> list[str]:
        return [c["figure"] for c in self.columns if c["figure"] is not None]


def _bad(layout: dict, message: str) -> ValueError:
    return ValueError(f"版式“{layout.get('_source', '（未保存的版式）')}”有误：{message}")


def _is_group(node) -> bool:
    return isinstance(node, dict) and "columns" in node


def plan_of(layout: dict) -> Plan:
    """Validate ``layout`` and resolve it to columns and header cells."""
    for key in ("sheet", "title", "groups"):
        if key not in layout:
            raise _bad(layout, f"缺少“{key}”")
    if not isinstance(layout["sheet"], str) or not layout["sheet"].strip():
        raise _bad(layout, "“sheet”（工作表名）必须是非空文字")
    if not isinstance(layout["title"], dict) or not str(layout["title"].get("text") or "").strip():
        raise _bad(layout, "“title.text”（表名）必须是非空文字")
    groups = layout["groups"]
    if not isinstance(groups, list) or not groups:
        raise _bad(layout, "“groups”必须是非空列表")
    defaults = layout.get("defaults") or {}

    def collapsed(node) -> bool:
        return _is_group(node) and len(node["columns"]) == 1 and not _is_group(node["columns"][0])

    def check(node, where: str) -> None:
        if not isinstance(node, dict):
            raise _bad(layout, f"{where}不是映射")
        if _is_group(node):
            if not str(node.get("heading") or "").strip():
                raise _bad(layout, f"{where}缺少“heading”")
            if not isinstance(node["columns"], list) or not node["columns"]:
                raise _bad(layout, f"分组“{node['heading']}”的“columns”必须是非空列表")
            for i, child in enumerate(node["columns"], 1):
                check(child, f"分组“{node['heading']}”的第{i}项")
            return
        if ("figure" in node) == ("index" in node):
            raise _bad(layout, f"{where}必须恰好有“figure”或“index”之一")

    def depth(node) -> int:
        if not _is_group(node) or collapsed(node):
            return 1
        return 1 + max(depth(c) for c in node["columns"])

    for i, node in enumerate(groups, 1):
        check(node, f"groups 第{i}项")
    header_rows = max(depth(g) for g in groups)
    columns: list[dict] = []
    cells: list[tuple[int, int, int, int, str]] = []

    def column(leaf, text: str) -> dict:
        fmt = leaf.get("format", defaults.get("format", "General"))
        width = leaf.get("width", defaults.get("width", 8))
        if not isinstance(fmt, str) or not fmt:
            raise _bad(layout, f"列“{text}”的“format”必须是文字")
        if not isinstance(width, (int, float)) or isinstance(width, bool) or width <= 0:
            raise _bad(layout, f"列“{text}”的“width”必须是正数")
        figure = leaf.get("figure")
        index = leaf.get("index")
        return {
            "label": text,
            "figure": None if figure is None else str(figure),
            "index": None if index is None else str(index),
            "format": fmt,
            "width": float(width),
        }

    def place(node, level: int) -> None:
        col = len(columns)
        if not _is_group(node):
            text = str(node.get("label") or "").strip()
            if not text:
                raise _bad(layout, f"第{col + 1}列缺少“label”（表头文字）")
            cells.append((level, col, header_rows - 1, col, text))
            columns.append(column(node, text))
        elif collapsed(node):
            leaf = node["columns"][0]
            text = str(node["heading"]).strip()
            if str(leaf.get("label") or "").strip():
                text += "\n" + str(leaf["label"]).strip()
            cells.append((level, col, header_rows - 1, col, text))
            columns.append(column(leaf, text))
        else:
            width = _leaf_count(node)
            cells.append((level, col, level, col + width - 1, str(node["heading"]).strip()))
            for child in node["columns"]:
                place(child, level + 1)

    for node in groups:
        place(node, 0)

    figures = [c["figure"] for c in columns if c["figure"] is not None]
    dupes = sorted({f for f in figures if figures.count(f) > 1})
    if dupes:
        raise _bad(layout, f"指标重复出现：{'、'.join(dupes)}")
    index_cols = [i for i, c in enumerate(columns) if c["index"] is not None]
    if len(index_cols) != 1:
        raise _bad(layout, "必须恰好有一列“index”（显示县区等行名）")

    info = layout.get("info_line") or {}
    footer = layout.get("footer") or {}
    info_spans = _segment_spans(layout, info, len(columns), "info_line")
    footer_spans = _segment_spans(layout, footer, len(columns), "footer")
    present = {f for seg in info.get("segments") or [] for f in _FIELD_RE.findall(seg["template"])}
    for field in info.get("required") or []:
        if field not in present:
            raise _bad(layout, f"info_line.required 中的“{field}”不在任何模板中")
    date_format = str(layout.get("date_format", "{year}年{month}月{day}日"))
    if sorted(_FIELD_RE.findall(date_format)) != ["day", "month", "year"]:
        raise _bad(layout, "“date_format”必须各含一次 {year}、{month}、{day}")
    return Plan(columns, cells, header_rows, index_cols[0], info_spans, footer_spans)


def _leaf_count(node) -> int:
    if not _is_group(node):
        return 1
    return sum(_leaf_count(c) for c in node["columns"])


def _segment_spans(layout: dict, section: dict, ncols: int, name: str) -> list[tuple[int, int]]:
    """Column ranges (0-based, inclusive) of a line's segments."""
    segments = section.get("segments") or []
    if not isinstance(segments, list):
        raise _bad(layout, f"“{name}.segments”必须是列表")
    for seg in segments:
        if not isinstance(seg, dict) or not isinstance(seg.get("template"), str):
            raise _bad(layout, f"“{name}”的每一段都要有文字“template”")
        fields = _FIELD_RE.findall(seg["template"])
        unknown = [f for f in fields if f not in TEMPLATE_FIELDS]
        if unknown:
            raise _bad(layout, f"模板“{seg['template']}”含未知字段：{'、'.join(unknown)}")
        if len(set(fields)) != len(fields):
            raise _bad(layout, f"模板“{seg['template']}”中同一字段出现多次")
        if seg.get("align", "left") not in _ALIGNS:
            raise _bad(layout, f"模板“{seg['template']}”的 align 只能是 left、center、right")
        span = seg.get("span")
        if span is not None and (not isinstance(span, int) or isinstance(span, bool) or span < 1):
            raise _bad(layout, f"模板“{seg['template']}”的 span 必须是正整数")
    if not segments:
        return []
    if len(segments) > ncols:
        raise _bad(layout, f"“{name}”的段数（{len(segments)}）多于表格列数（{ncols}）")
    fixed = sum(s["span"] for s in segments if s.get("span"))
    free = [i for i, s in enumerate(segments) if not s.get("span")]
    if fixed + len(free) > ncols:  # the table got narrower than the spans: share equally
        widths = [ncols // len(segments)] * len(segments)
        for i in range(ncols % len(segments)):
            widths[i] += 1
    else:
        widths = [s.get("span") or 0 for s in segments]
        rest = ncols - fixed
        if free:
            for k, i in enumerate(free):
                widths[i] = rest // len(free) + (1 if k < rest % len(free) else 0)
        else:
            widths[-1] += rest
    spans, col = [], 0
    for w in widths:
        spans.append((col, col + w - 1))
        col += w
    return spans


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
    return _FIELD_RE.sub(lambda m: values.get(m.group(1), ""), template)


def _norm(text) -> str:
    """NFKC, guard removed, outer whitespace trimmed."""
    return unicodedata.normalize("NFKC", str(text or "")).replace(GUARD, "").strip()


def _squash(text) -> str:
    """``_norm`` with all whitespace removed (for comparing labels)."""
    return "".join(_norm(text).split())


def _literal_regex(text: str) -> str:
    chars = [re.escape(ch) for ch in _norm(text) if not ch.isspace()]
    return r"\s*" + r"\s*".join(chars) + r"\s*" if chars else r"\s*"


def _template_regex(template: str, date_format: str) -> re.Pattern:
    """A regex reading a rendered template back (tolerant of spaces and full-width forms)."""
    parts, pos = [], 0
    for m in _FIELD_RE.finditer(template):
        parts.append(_literal_regex(template[pos : m.start()]))
        name = m.group(1)
        if name == "date":
            sub, dpos = [], 0
            for d in _FIELD_RE.finditer(date_format):
                sub.append(_literal_regex(date_format[dpos : d.start()]))
                sub.append(f"(?P<{d.group(1)}>{_DATE_PARTS[d.group(1)]})")
                dpos = d.end()
            sub.append(_literal_regex(date_format[dpos:]))
            parts.append("".join(sub))
        else:
            parts.append(f"(?P<{name}>.*?)")
        pos = m.end()
    parts.append(_literal_regex(template[pos:]))
    return re.compile("^" + "".join(parts) + "$", re.S)


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
    layout = _resolve_layout(layout)
    _layout_sheet(wb.active, figures, meta, layout)
    for other in companions:
        other = _resolve_layout(other)
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
    totals = {_squash(t) for t in body.get("total_labels") or ["合计"]}
    missing_text = str(body.get("missing_text", "—"))
    row = first
    for label, series in figures.iterrows():
        font = bold_font if _squash(label) in totals else body_font
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


# --------------------------------------------------------------------------- reading


class _Mismatch(ValueError):
    """The sheet is not laid out as the layout says."""


def _missing_markers(layout: dict) -> set[str]:
    markers = {_squash((layout.get("body") or {}).get("missing_text", "—")), ""}
    try:
        from . import reference

        markers |= {_squash(m) for m in reference.settings().get("missing_markers") or []}
    except (OSError, KeyError, AttributeError, TypeError):
        pass
    return markers


def _open_values(path):
    """A workbook opened for its values (read-only); a file that is not one is a ValueError."""
    try:
        return openpyxl.load_workbook(Path(path), data_only=True, read_only=True)
    except Exception as exc:  # openpyxl raises several types for a damaged or foreign file
        raise ValueError(f"无法作为 xlsx 文件打开“{Path(path).name}”：{exc}") from exc


def read_huizongbiao(path, layout=None) -> tuple[dict, pd.DataFrame]:
    """Read a 汇总表 back: ``(meta, figures)``.

    The file is recognised by its layout (title text and header labels in the expected
    cells); the layout's sheet is tried first, then the other sheets. ``meta`` has bureau,
    date (datetime.date), city_full (from the 填报单位 when it names a known city, else ""),
    filler, reviewer, phone, submitted. ``figures`` has the row labels as index and the
    layout's figure ids as columns (float; "—" and empty cells are NaN). A file that does not
    match, or a figure cell that is not a number, raises ValueError with a Chinese message.
    """
    layout = _resolve_layout(layout)
    plan = plan_of(layout)
    wb = _open_values(path)
    problems = []
    try:
        for ws in sorted(wb.worksheets, key=lambda s: s.title != layout["sheet"]):
            try:
                return _read_sheet(_SheetValues(ws), layout, plan)
            except _Mismatch as exc:
                problems.append(f"工作表“{ws.title}”{exc}")
            except (KeyError, OSError, SyntaxError, zipfile.BadZipFile) as exc:  # read lazily: damage shows here
                raise ValueError(f"无法读取“{Path(path).name}”的工作表“{ws.title}”：{exc}") from exc
    finally:
        wb.close()
    raise ValueError(
        f"“{Path(path).name}”不是{layout['title']['text']}（版式不符）：" + "；".join(problems[:3])
    )


def read_layout_sheet(path, layout) -> tuple[dict, pd.DataFrame] | None:
    """Read the one sheet a companion layout names (e.g. 劳务输出) back like
    :func:`read_huizongbiao`; None when the workbook has no sheet of that name (a city that has
    nothing to show there), ValueError when it has one that does not follow the layout."""
    layout = _resolve_layout(layout)
    plan = plan_of(layout)
    wb = _open_values(path)
    try:
        if layout["sheet"] not in wb.sheetnames:
            return None
        try:
            return _read_sheet(_SheetValues(wb[layout["sheet"]]), layout, plan)
        except _Mismatch as exc:
            raise ValueError(f"“{Path(path).name}”的工作表“{layout['sheet']}”不是{layout['title']['text']}"
                             f"（版式不符）：{exc}") from exc
        except (KeyError, OSError, SyntaxError, zipfile.BadZipFile) as exc:
            raise ValueError(f"无法读取“{Path(path).name}”的工作表“{layout['sheet']}”：{exc}") from exc
    finally:
        wb.close()


@dataclass(frozen=True)
class _CellValue:
    value: object
    coordinate: str


class _SheetValues:
    """A sheet's values read in one pass (openpyxl read-only mode: the detail sheets of a
    汇总表 are never parsed), with the access ``_read_sheet`` needs: ``cell``, rows, ``max_row``."""

    def __init__(self, ws):
        self.title = ws.title
        self.rows = [tuple(r) for r in ws.iter_rows(values_only=True)]
        self.max_row = len(self.rows)

    def cell(self, row: int, column: int) -> _CellValue:
        values = self.rows[row - 1] if 1 <= row <= self.max_row else ()
        return _CellValue(values[column - 1] if column <= len(values) else None,
                          f"{get_column_letter(column)}{row}")

    def __getitem__(self, row: int) -> list[_CellValue]:
        width = len(self.rows[row - 1]) if 1 <= row <= self.max_row else 0
        return [self.cell(row, c) for c in range(1, width + 1)]


def _read_sheet(ws, layout: dict, plan: Plan) -> tuple[dict, pd.DataFrame]:
    expected_title = layout["title"]["text"]
    if _squash(ws.cell(row=1, column=1).value) != _squash(expected_title):
        raise _Mismatch(f"A1 应为“{expected_title}”")
    top = 3
    wrong = []
    for r0, c0, _r1, _c1, text in plan.header_cells:
        cell = ws.cell(row=top + r0, column=c0 + 1)
        if _squash(cell.value) != _squash(text):
            got = _norm(cell.value).replace("\n", "")
            wrong.append(f"{cell.coordinate} 应为“{text.replace(chr(10), '')}”，实为“{got}”")
    if wrong:
        more = f"等{len(wrong)}处" if len(wrong) > 3 else ""
        raise _Mismatch("表头不符：" + "；".join(wrong[:3]) + more)

    date_format = str(layout.get("date_format", "{year}年{month}月{day}日"))
    info = layout.get("info_line") or {}
    meta = _read_segments(ws, [2], info, date_format)
    for field in info.get("required") or []:
        if field not in meta:
            template = next(s["template"] for s in info["segments"] if "{" + field + "}" in s["template"])
            raise ValueError(f"工作表“{ws.title}”第2行未找到“{template}”")

    body = layout.get("body") or {}
    totals = {_squash(t) for t in body.get("total_labels") or ["合计"]}
    footer = layout.get("footer") or {}
    footer_res = [_template_regex(s["template"], date_format) for s in footer.get("segments") or []]
    markers = _missing_markers(layout)
    first = top + plan.header_rows
    labels, rows = [], []
    row = first
    while row <= ws.max_row:
        raw = ws.cell(row=row, column=plan.index_col + 1).value
        label = _norm(raw)
        if not label or any(rx.match(label) for rx in footer_res):
            break
        values = []
        for c, col in enumerate(plan.columns, 1):
            if col["figure"] is not None:
                values.append(_read_number(ws.cell(row=row, column=c), col, markers, ws.title))
        labels.append(label)
        rows.append(values)
        row += 1
        if _squash(label) in totals:
            break
    if not labels:
        raise ValueError(f"工作表“{ws.title}”第{first}行起没有数据行")

    meta.update(_read_segments(ws, range(row, min(ws.max_row, row + 5) + 1), footer, date_format))
    result = {f: meta.get(f, "") for f in TEMPLATE_FIELDS}
    result["date"] = meta["date"] if "date" in meta else None
    if not result["city_full"]:
        result["city_full"] = _city_of(result["bureau"])
    index = pd.Index(labels, name=plan.columns[plan.index_col]["index"])
    frame = pd.DataFrame(rows, index=index, columns=plan.figures, dtype=float)
    return result, frame


def _read_number(cell, col: dict, markers: set[str], sheet: str) -> float:
    value = cell.value
    if value is None:
        return math.nan
    if isinstance(value, bool):
        raise ValueError(f"工作表“{sheet}”{cell.coordinate}（{col['label']}）的值“{value}”不是数字")
    if isinstance(value, numbers.Number):
        return float(value)
    text = _squash(value)
    if text in markers:
        return math.nan
    try:
        return float(text.replace(",", "").rstrip("%"))
    except ValueError:
        raise ValueError(
            f"工作表“{sheet}”{cell.coordinate}（{col['label'].replace(chr(10), '')}）的值“{_norm(value)}”不是数字"
        ) from None


def _read_segments(ws, rows, section: dict, date_format: str) -> dict:
    """Fields of a line's templates found in any non-empty cell of ``rows``."""
    texts = [
        _norm(cell.value)
        for r in rows
        for cell in ws[r]
        if cell.value is not None and isinstance(cell.value, str)
    ]
    found: dict = {}
    for seg in section.get("segments") or []:
        if not _FIELD_RE.search(seg["template"]):
            continue
        rx = _template_regex(seg["template"], date_format)
        for text in texts:
            m = rx.match(text)
            if not m:
                continue
            groups = {k: (v or "").strip() for k, v in m.groupdict().items()}
            if "year" in groups:
                try:
                    found["date"] = dt.date(int(groups.pop("year")), int(groups.pop("month")),
                                            int(groups.pop("day")))
                except ValueError:
                    raise ValueError(f"工作表“{ws.title}”的日期无效：“{text}”") from None
            found.update(groups)
            break
    return found


def _city_of(bureau: str) -> str:
    if not bureau:
        return ""
    try:
        from . import reference

        for city in reference.cities():
            if bureau == city.bureau or bureau.startswith(city.full_name):
                return city.full_name
    except OSError:
        pass
    return ""
