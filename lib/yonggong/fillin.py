"""Empty fill-in workbooks, one per table of params/tables.yaml (``invoke templates``).

Each workbook has the canonical headers (required ones marked), drop-down data validation
for enumerations, categories, yes/no columns and — when a city is given — its counties, and a
填表说明 sheet with each column's type, accepted forms and aliases. Built from
``params/tables.yaml`` and ``params/templates.yaml``.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from . import catalogue
from .forms_write import write_table_sheet
from .reference import City, TableSpec, categories, city_counties, load_yaml, resolve_city, table_specs
from .xlsxio import save_workbook

ROWS_WITH_VALIDATION = 2000


def choices(col, city: City | None) -> list[str] | None:
    """Drop-down values of a column, or None."""
    if col.type == "enum":
        return list(col.values)
    if col.type == "category":
        return list(categories())
    if col.type == "bool":
        return ["是", "否"]
    if col.type == "county" and city is not None:
        return [c.name for c in city_counties(city)]
    return None


def guide(spec: TableSpec) -> pd.DataFrame:
    """The 填表说明 rows of a table: column, required, accepted forms, aliases."""
    cfg = load_yaml("templates.yaml")
    rows = []
    for col in spec.columns:
        allowed = "、".join(col.values) if col.type == "enum" else ""
        rows.append({"列名": col.name, "是否必填": "必填" if col.required else "选填",
                     "可填写形式": cfg["accepted_forms"].get(col.type, "文字") + (f"：{allowed}" if allowed else ""),
                     "可用别名": "、".join(col.aliases),
                     "个人信息": "是（仅限内部使用）" if col.personal else ""})
    return pd.DataFrame(rows)


def build(spec: TableSpec, city: City | None = None) -> Workbook:
    cfg = load_yaml("templates.yaml")
    wb = Workbook()
    ws = wb.active
    ws.title = spec.name
    mark = cfg["required_mark"]
    for j, col in enumerate(spec.columns, start=1):
        cell = ws.cell(row=1, column=j, value=col.name + (mark if col.required else ""))
        cell.font = Font(name="黑体", bold=True, color="C00000" if col.required else None)
        ws.column_dimensions[get_column_letter(j)].width = max(12, 2.2 * len(col.name) + 2)
        values = choices(col, city)
        if values:
            dv = DataValidation(type="list", formula1='"' + ",".join(values) + '"', allow_blank=True,
                                showErrorMessage=True, errorTitle="请从下拉列表选择",
                                error="该列只能填写下拉列表中的值")
            letter = get_column_letter(j)
            dv.add(f"{letter}2:{letter}{ROWS_WITH_VALIDATION}")
            ws.add_data_validation(dv)
    ws.freeze_panes = "A2"
    info = wb.create_sheet("填表说明")
    write_table_sheet(info, f"{spec.code} {spec.name} 填表说明。{cfg['intro']} {cfg['missing']}", guide(spec))
    return wb


FOLDER = "templates"  # outputs/templates/


def run_templates(out=None, city: str | None = None) -> list[Path]:
    """``invoke templates``: the fill-in templates into ``out`` (default ``outputs/templates``), with
    the county drop-down of ``city`` (a name or code) when given."""
    from . import paths

    c = resolve_city(city) if city else None
    return write_templates(Path(out) if out else paths.OUTPUTS / FOLDER, c)


def write_templates(out_dir: Path, city: City | None = None) -> list[Path]:
    """Write one template per table into ``out_dir``; returns the paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    prefix = f"{city.name}_" if city else ""
    for code, spec in table_specs().items():
        path = out_dir / catalogue.file_name("template", prefix=prefix, code=code, table=spec.name)
        save_workbook(build(spec, city), path)
        written.append(path)
    return written
