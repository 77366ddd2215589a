"""Writing the province products (汇总表, 工作底稿, brief, 简讯) and the 自检."""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

import pandas as pd
from openpyxl.styles import Alignment, Font, PatternFill

from .. import forms, forms_write, outbound
from .common import (
    ACCEPTED,
    COMPLETENESS_COLUMNS,
    DETAIL_SHEET,
    FLAG_FILL,
    SHEETS,
    config,
    date_text,
    names,
    plain,
    time_text,
)
from .day import ProvinceDay
from .display import comparison_matrix
from .parquet import write_tidy

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
    wb = forms_write.build_huizongbiao(pday.figures, meta(pday.day), sheets, layout,
                                 companions=outbound.companion_layouts(pday.figures))
    ws = wb[layout["sheet"]]
    _note_below(ws, pday.note())
    _note_below(wb[SHEETS["completeness"]], pday.note()[:1], gap=1)
    fill = PatternFill(fill_type="solid", start_color=FLAG_FILL, end_color=FLAG_FILL)
    for i, j in flagged:  # body rows start at row 3 (title, header)
        wb[SHEETS["comparison"]].cell(row=3 + i, column=1 + j).fill = fill
    _note_below(wb[SHEETS["comparison"]], [f"括号内为较前一日变化；黄色为需跟进核实的指标。各市全部指标的逐项对比见"
                                           f"{names(pday.day)['working']}“{DETAIL_SHEET}”工作表。"], gap=1)
    from ..xlsxio import save_workbook

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


def brief_context(pday: ProvinceDay) -> dict:
    """The province brief's context (``brief.province_context``): statuses as in 报送情况, the
    city rows and 全省合计 from the roll-up, 较上日 over the cities accepted on both days, and
    the cities' table-K items."""
    from .. import brief

    rows = []
    for s in pday.statuses:
        row = {"设区市": s.city.full_name, "报送状态": s.status, "收到时间": time_text(s.received)}
        if s.status in ACCEPTED:
            row.update(plain(pday.figures.loc[s.city.full_name]))
        rows.append(row)
    notes = list(pday.note()[1:])
    if pday.flags:
        notes.append(f"与前一日相比变化较大或累计数与当日数不衔接、需跟进核实的指标{len(pday.flags)}项，"
                     "见汇总表“逐日对比”工作表。")
    items = [{k: ("" if v is None or (isinstance(v, float) and math.isnan(v)) else v) for k, v in r.items()}
             for r in pday.k_items.to_dict("records")]
    return brief.province_context(pday.day, rows, totals=plain(pday.totals),
                                  previous_totals=plain(pday.previous_totals),
                                  compared_totals=plain(pday.compared_totals),
                                  comparison=pday.comparison_text(), items=items, notes=notes)


def write_working(pday: ProvinceDay, path: Path) -> Path:
    """工作底稿_江西省_<YYYYMMDD>.xlsx: the full 逐日对比 (every city and indicator, with 需跟进 and 说明)."""
    from ..tablebook import write_tables

    return write_tables(path, [(DETAIL_SHEET, f"各设区市逐日对比（{date_text(pday.day)}，全部指标）", pday.comparison)])


def write_all(pday: ProvinceDay, out_dir) -> list[Path]:
    """Write the province products into ``out_dir``: the roll-up xlsx, the working file, the brief,
    the 简讯 (``bulletin``) and the tidy parquet files (:func:`write_tidy`).

    Parameters
    ----------
    pday : ProvinceDay
        The province day (``province.day.load``).
    out_dir : str or Path
        The folder to write into (created when missing).

    Returns
    -------
    list of Path
        The files written, in that order.
    """
    from .. import brief
    from ..xlsxio import write_bytes_atomic
    from . import bulletin as province_bulletin

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    n = names(pday.day)
    written = [write_huizongbiao(pday, out_dir / n["huizongbiao"]), write_working(pday, out_dir / n["working"])]
    path = out_dir / n["brief"]
    write_bytes_atomic(path, brief.render_province(brief_context(pday)).encode("utf-8"))
    written.append(path)
    written.append(province_bulletin.write(pday, out_dir))
    return written + write_tidy(pday, out_dir)


def self_check(pday: ProvinceDay, out_dir):
    """The province 自检 (``province.verify.check``) of the products written into ``out_dir``, kept
    on ``pday.selfcheck`` and published like the city's (``selfcheck.publish``: into the manifest
    under ``自检``; ``SelfCheckFailed`` fails the run when a check fails).

    Parameters
    ----------
    pday : ProvinceDay
        The province day whose products were written (its ``selfcheck`` is set).
    out_dir : str or Path
        The folder the products were written into (``write_all``); the outcome is recorded there.

    Returns
    -------
    selfcheck.Result
        The outcome when every check passed: passed, the number of checks, no failures
        (shown as one line).
    """
    from .. import selfcheck
    from . import verify

    result = verify.check(pday, out_dir)
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
