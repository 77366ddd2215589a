"""The 汇总表 (daily submission) layout spec: loading, validating and resolving it to cells.

The layout — sheet title, title row, the 填报单位/数据截至/单位 line, the nested header
groups with their merges, which figure fills which column, number formats, widths, fonts,
footer and page setup — lives in ``params/layouts/<name>.yaml``; this module reads and
validates it (``load_layout``) and resolves it to columns and header cells (``plan_of``).
``forms_write`` writes a city's (or the province's) figures with it, ``forms_read`` reads a
submission back and refuses a file whose layout does not match.

Every text cell whose content comes from data goes through ``safe_text``: it is written as a
string (never a formula) and never starts with ``= + - @``, tab or CR (formula injection).
Workbooks are saved through ``xlsxio`` so that the same inputs give the same bytes.
"""

from __future__ import annotations

import copy
import functools
import re
import unicodedata
from pathlib import Path

import yaml
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from . import paths, reference

__all__ = [
    "load_layout",
    "plan_of",
    "safe_text",
]

#: Leading characters that make a spreadsheet treat text as a formula (OWASP CSV injection).
FORMULA_LEADS = ("=", "+", "-", "@", "\t", "\r")
#: Invisible guard put in front of such text (ZERO WIDTH SPACE): the text is kept, but no
#: longer starts with a formula character, even after export to CSV.
GUARD = "\u200b"

TEMPLATE_FIELDS = ("bureau", "city_full", "date", "filler", "reviewer", "phone", "submitted")
FIELD_RE = re.compile(r"\{(\w+)\}")
_ALIGNS = ("left", "center", "right")


# --------------------------------------------------------------------------- safe text


def safe_text(value) -> str:
    """Return ``value`` as text that is safe to put in a cell.

    Characters XML cannot hold are dropped and CR becomes LF; text starting with ``= + - @``
    or tab (also after leading whitespace) gets an invisible zero-width-space guard in front,
    unless it is a plain signed number ("-215").
    Pair it with ``data_type = "s"`` (as ``forms_write`` does) so openpyxl never stores a formula.
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


def resolve_layout(layout) -> dict:
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
    present = {f for seg in info.get("segments") or [] for f in FIELD_RE.findall(seg["template"])}
    for field in info.get("required") or []:
        if field not in present:
            raise _bad(layout, f"info_line.required 中的“{field}”不在任何模板中")
    date_format = str(layout.get("date_format", "{year}年{month}月{day}日"))
    if sorted(FIELD_RE.findall(date_format)) != ["day", "month", "year"]:
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
        fields = FIELD_RE.findall(seg["template"])
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


# --------------------------------------------------------------------------- text comparison


def norm(text) -> str:
    """NFKC, guard removed, outer whitespace trimmed."""
    return unicodedata.normalize("NFKC", str(text or "")).replace(GUARD, "").strip()


def squash(text) -> str:
    """``norm`` with all whitespace removed (for comparing labels)."""
    return "".join(norm(text).split())
