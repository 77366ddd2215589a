"""Small inbox builders for tests: xlsx and csv files written from plain rows."""

from __future__ import annotations

import csv
import os
from pathlib import Path

from openpyxl import Workbook

from yonggong.codes import make_uscc

A_HEADER = ["统一社会信用代码", "企业名称", "县区", "企业类别", "状态", "调整原因", "人社服务专员", "专员手机"]
B_HEADER = ["统一社会信用代码", "企业名称", "填报日期", "员工总数", "在岗人数", "缺工人数", "是否复工",
            "产能恢复率", "问题困难类型", "问题困难", "问题是否解决", "富余人数"]


def uscc(n: int, area: str = "360102") -> str:
    """A valid credit code number ``n`` registered in ``area``."""
    return make_uscc(f"91{area}MA{n:07d}"[:17])


def idno(n: int, area: str = "360102", born: str = "19900101") -> str:
    """The n-th valid 18-digit ID number (GB 11643 check character, worked out here)."""
    first17 = f"{area}{born}{n:03d}"
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    return first17 + "10X98765432"[sum(int(c) * w for c, w in zip(first17, weights, strict=True)) % 11]


def write_xlsx(path: Path, sheets: dict[str, list[list]], merges: dict[str, list[str]] | None = None,
               mtime: float | None = None) -> Path:
    """Write sheets of rows (first sheet replaces the default one)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    wb = Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for i, r in enumerate(rows, start=1):  # a new sheet: row i is the i-th appended
            ws.append(r)
            for j, value in enumerate(r, start=1):
                if isinstance(value, str) and value.startswith("="):
                    ws.cell(row=i, column=j).data_type = "s"  # text that looks like a formula, as typed
        for rng in (merges or {}).get(name, []):
            ws.merge_cells(rng)
    wb.save(path)
    if mtime is not None:
        os.utime(path, (mtime, mtime))
    return path


def write_csv(path: Path, rows: list[list], encoding: str = "utf-8") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding=encoding, newline="") as fh:
        csv.writer(fh).writerows(rows)
    return path


def list_rows(n: int, county: str = "东湖区") -> list[list]:
    """Table A rows for enterprises 1..n."""
    return [[uscc(i), f"测试企业{i}有限公司", county, "医用物资生产", "在册", None, "张专员", "13800000000"]
            for i in range(1, n + 1)]


def ledger_rows(n: int, day: str, shortage: int = 10) -> list[list]:
    """Table B rows for enterprises 1..n on ``day``."""
    return [[uscc(i), f"测试企业{i}有限公司", day, 100, 80, shortage, "是", 90, None, None, None, 0]
            for i in range(1, n + 1)]


# Headers (canonical column names of params/tables.yaml) of the daily tables, for small CSV inboxes.
C_HEADER = ["统一社会信用代码", "岗位名称", "缺工人数", "岗位类别", "技能要求"]
D_HEADER = ["日期", "统一社会信用代码", "解决渠道", "人数"]
E_HEADER = ["统一社会信用代码", "岗位名称", "招工人数"]
G_HEADER = ["日期", "方式", "出发地", "目的地县区", "班次", "趟次", "运送人数"]
H_HEADER = ["日期", "推送渠道", "推送岗位数", "推送人次"]
I_HEADER = ["日期", "工种", "培训类型", "报名人数", "结业人数"]
J_HEADER = ["编号", "受理时间", "诉求方", "办结时间", "状态"]
G_OUT_HEADER = [*G_HEADER, "方向", "出发县区", "输出目的地"]  # 劳务输出 (issue 19)
O_HEADER = ["姓名", "身份证号", "户籍县区", "意向输入地", "已出发", "出发日期"]


def write_day_csv(root: Path, city: str, day: str, tables: dict[str, list[list]]) -> Path:
    """One day folder ``<root>/<city>/<day>/`` with one UTF-8 CSV per table: ``tables`` maps a
    file stem (e.g. "A") to its rows, header first. Returns the folder."""
    folder = Path(root) / city / day
    folder.mkdir(parents=True, exist_ok=True)
    for stem, rows in tables.items():
        write_csv(folder / f"{stem}.csv", rows)
    return folder
