"""Reading a 汇总表 (or a companion layout sheet such as 劳务输出) back from an xlsx file.

``read_huizongbiao`` recognises the file by the layout spec of ``forms`` (title text and
header labels in the expected cells), reads the info line and footer fields back through
regexes built from the layout's templates, and returns the figures as a frame; a file that
does not match the layout is refused with a Chinese message.
"""

from __future__ import annotations

import datetime as dt
import math
import numbers
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

import openpyxl
import pandas as pd
from openpyxl.utils import get_column_letter

from .forms import FIELD_RE, TEMPLATE_FIELDS, Plan, norm, plan_of, resolve_layout, squash

__all__ = [
    "read_huizongbiao",
    "read_layout_sheet",
]

_DATE_PARTS = {"year": r"\d{4}", "month": r"\d{1,2}", "day": r"\d{1,2}"}


def _literal_regex(text: str) -> str:
    chars = [re.escape(ch) for ch in norm(text) if not ch.isspace()]
    return r"\s*" + r"\s*".join(chars) + r"\s*" if chars else r"\s*"


def _template_regex(template: str, date_format: str) -> re.Pattern:
    """A regex reading a rendered template back (tolerant of spaces and full-width forms)."""
    parts, pos = [], 0
    for m in FIELD_RE.finditer(template):
        parts.append(_literal_regex(template[pos : m.start()]))
        name = m.group(1)
        if name == "date":
            sub, dpos = [], 0
            for d in FIELD_RE.finditer(date_format):
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


# --------------------------------------------------------------------------- reading


class _Mismatch(ValueError):
    """The sheet is not laid out as the layout says."""


def _missing_markers(layout: dict) -> set[str]:
    markers = {squash((layout.get("body") or {}).get("missing_text", "—")), ""}
    try:
        from . import reference

        markers |= {squash(m) for m in reference.settings().get("missing_markers") or []}
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
    layout = resolve_layout(layout)
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
    layout = resolve_layout(layout)
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
    if squash(ws.cell(row=1, column=1).value) != squash(expected_title):
        raise _Mismatch(f"A1 应为“{expected_title}”")
    top = 3
    wrong = []
    for r0, c0, _r1, _c1, text in plan.header_cells:
        cell = ws.cell(row=top + r0, column=c0 + 1)
        if squash(cell.value) != squash(text):
            got = norm(cell.value).replace("\n", "")
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
    totals = {squash(t) for t in body.get("total_labels") or ["合计"]}
    footer = layout.get("footer") or {}
    footer_res = [_template_regex(s["template"], date_format) for s in footer.get("segments") or []]
    markers = _missing_markers(layout)
    first = top + plan.header_rows
    labels, rows = [], []
    row = first
    while row <= ws.max_row:
        raw = ws.cell(row=row, column=plan.index_col + 1).value
        label = norm(raw)
        if not label or any(rx.match(label) for rx in footer_res):
            break
        values = []
        for c, col in enumerate(plan.columns, 1):
            if col["figure"] is not None:
                values.append(_read_number(ws.cell(row=row, column=c), col, markers, ws.title))
        labels.append(label)
        rows.append(values)
        row += 1
        if squash(label) in totals:
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
    text = squash(value)
    if text in markers:
        return math.nan
    try:
        return float(text.replace(",", "").rstrip("%"))
    except ValueError:
        raise ValueError(
            f"工作表“{sheet}”{cell.coordinate}（{col['label'].replace(chr(10), '')}）的值“{norm(value)}”不是数字"
        ) from None


def _read_segments(ws, rows, section: dict, date_format: str) -> dict:
    """Fields of a line's templates found in any non-empty cell of ``rows``."""
    texts = [
        norm(cell.value)
        for r in rows
        for cell in ws[r]
        if cell.value is not None and isinstance(cell.value, str)
    ]
    found: dict = {}
    for seg in section.get("segments") or []:
        if not FIELD_RE.search(seg["template"]):
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
