"""The shared part of bounded reading: the limits (``Limits``, from ``params/settings.yaml``),
what a read gives (``Book``, ``Sheet``, ``Note``) or raises (``Unreadable``), cell references,
the data area of a sheet and its stray cells (``data_area``, ``stray_notes``), and loading the
planned sheets with the reader (``load_sheets``, ``SheetPlan``).
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..reference import settings

WARNING = "警告"
ERROR = "错误"
NOTICE = "提示"

MB = 1_000_000
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
EXCEL_CELL_LIMIT = 32767  # characters in one cell (Excel's limit)


class Unreadable(Exception):
    """A file that cannot or must not be read; ``problem`` and ``advice`` are Chinese."""

    def __init__(self, problem: str, advice: str, rule: str = "file_unreadable"):
        super().__init__(problem)
        self.problem = problem
        self.advice = advice
        self.rule = rule


@dataclass
class Note:
    """Something found while reading a sheet (a stray cell, a removed control character …)."""

    problem: str
    advice: str
    level: str = WARNING
    row: int | None = None  # Excel row, 1-based
    col: int | None = None  # column index, 0-based
    value: str = ""  # the cell as the clerk sees it
    rule: str = "reading"


@dataclass
class Sheet:
    name: str
    rows: list[list]
    hidden: bool = False
    notes: list[Note] = field(default_factory=list)
    unread: Note | None = None  # set when the sheet was not read at all (rows is then [])


@dataclass
class Book:
    kind: str  # xlsx, xls, ods, csv
    sheets: list[Sheet] = field(default_factory=list)
    encoding: str = ""  # CSV only


@dataclass(frozen=True)
class Limits:
    max_file_bytes: int
    max_unzipped_bytes: int
    max_sheet_cells: int
    gap_rows: int
    gap_columns: int

    @classmethod
    def from_settings(cls) -> Limits:
        r = settings()["reading"]
        return cls(int(r["max_file_mb"] * MB), int(r["max_unzipped_mb"] * MB), int(r["max_sheet_cells"]),
                   int(r["stray_gap_rows"]), int(r["stray_gap_columns"]))


# ---------------------------------------------------------------------------------------------
# Cell references


def column_letter(col: int) -> str:
    """0 → A, 25 → Z, 26 → AA, 16383 → XFD."""
    out = ""
    col += 1
    while col:
        col, rem = divmod(col - 1, 26)
        out = chr(65 + rem) + out
    return out


def cell_ref(row: int, col: int) -> str:
    """0-based (row, col) → "A1"."""
    return f"{column_letter(col)}{row + 1}"



# ---------------------------------------------------------------------------------------------
# The data area of a sheet and its stray cells


@dataclass
class Area:
    """Which candidate cells belong to the table (``keep``) and its bounding box (0-based)."""

    keep: np.ndarray
    top: int = 0
    left: int = 0
    bottom: int = -1  # inclusive; -1: no cell
    right: int = -1

    @property
    def cells(self) -> int:
        """Cells of the grid a reader builds (from A1, as rows are kept with their Excel numbers)."""
        return (self.bottom + 1) * (self.right + 1)

    def a1(self) -> str:
        return f"{cell_ref(self.top, self.left)}:{cell_ref(self.bottom, self.right)}" if self.bottom >= 0 else ""


def _main_cluster(values: np.ndarray, gap: int) -> np.ndarray:
    """Mask of ``values`` in the cluster holding most of them, clusters being separated by more
    than ``gap`` unused positions (ties: the first cluster)."""
    uniq, inverse, counts = np.unique(values, return_inverse=True, return_counts=True)
    cluster = np.concatenate([[0], np.cumsum(np.diff(uniq) - 1 > gap)])
    sizes = np.bincount(cluster, weights=counts)
    return cluster[inverse] == int(np.argmax(sizes))


def data_area(rows: np.ndarray, cols: np.ndarray, limits: Limits) -> Area:
    """The table among the occupied cells (0-based ``rows``, ``cols``): the cluster of rows
    holding most cells (rows more than ``gap_rows`` apart are separate clusters), then within it
    the cluster of columns holding most cells. Everything else is stray."""
    n = len(rows)
    if not n:
        return Area(np.zeros(0, bool))
    keep = _main_cluster(rows, limits.gap_rows)
    keep[keep] = _main_cluster(cols[keep], limits.gap_columns)
    kr, kc = rows[keep], cols[keep]
    return Area(keep, int(kr.min()), int(kc.min()), int(kr.max()), int(kc.max()))


def too_big(area: Area, limits: Limits) -> Note:
    return Note(f"工作表的数据区域（{area.a1()}）有{area.bottom + 1}行×{area.right + 1}列，"
                f"超过读取上限{limits.max_sheet_cells}个单元格，该工作表未读取",
                "请删除表格以外多余的行和列，或把数据拆分到几个文件中", ERROR, rule="sheet_too_big")


def stray_notes(strays: list[tuple[int, int, str]], area: Area) -> list[Note]:
    """One 警告 per stray cell with a value (0-based row, col, value as shown)."""
    notes = []
    for row, col, value in sorted(strays):
        notes.append(Note(f"单元格{cell_ref(row, col)}远离表格的数据区域（{area.a1()}），未读取",
                          "如是误录入，请删除该单元格的内容；如确为报送数据，请移到表格内", WARNING,
                          row + 1, col, value, "stray_cell"))
    return notes


_KIND_SUFFIXES = {"xlsx": (".xlsx", ".xlsm"), "ods": (".ods",), "xls": (".xls",)}


def _calamine(source, kind: str):
    from python_calamine import CalamineWorkbook

    if isinstance(source, str | Path):
        if Path(source).suffix.lower() in _KIND_SUFFIXES.get(kind, ()):
            return CalamineWorkbook.from_path(str(source))
        with open(source, "rb") as fh:  # named otherwise (an xlsx saved as .ods): by content
            return CalamineWorkbook.from_filelike(io.BytesIO(fh.read()))
    return CalamineWorkbook.from_filelike(source)


def _visible(meta) -> bool:
    return str(getattr(meta, "visible", "")).endswith("Visible")


def _is_worksheet(meta) -> bool:
    typ = str(getattr(meta, "typ", "WorkSheet"))
    return typ.endswith("WorkSheet")


def load_sheets(source, plans: dict[str, SheetPlan], kind: str) -> Book:
    """Rows of every worksheet with the reader; sheets planned as too big are not loaded."""
    wb = _calamine(source, kind)
    book = Book(kind)
    try:
        for meta in wb.sheets_metadata:
            if not _is_worksheet(meta):
                continue
            plan = plans.get(meta.name, SheetPlan())
            sheet = Sheet(meta.name, [], hidden=not _visible(meta), notes=list(plan.notes))
            if plan.unread is not None:
                sheet.unread = plan.unread
                book.sheets.append(sheet)
                continue
            rows = wb.get_sheet_by_name(meta.name).to_python(skip_empty_area=False)
            if not (type(rows) is list and all(type(r) is list for r in rows)):
                rows = [list(r) for r in rows]
            for (r, c), text in plan.errors.items():  # the reader gives "" for an error value
                if r < len(rows) and c < len(rows[r]) and rows[r][c] in ("", None):
                    rows[r][c] = text
            sheet.rows = rows
            book.sheets.append(sheet)
    finally:
        wb.close()
    return book


@dataclass
class SheetPlan:
    """What the scan of one sheet decided: notes, error cells to put back, or not to read it."""

    notes: list[Note] = field(default_factory=list)
    errors: dict[tuple[int, int], str] = field(default_factory=dict)  # 0-based (row, col) -> "#DIV/0!"
    unread: Note | None = None

