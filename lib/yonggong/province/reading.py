"""Reading one received file: a 汇总表, a table K or L, and what changed between versions."""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

import pandas as pd

from .. import forms, forms_read, indicators, outbound
from ..ingest import day_files, read_sheets, recognise
from ..parse import normalise_header, parse_phone
from ..parsedate import parse_date
from ..reference import City, cities, resolve_city, settings
from .common import (
    K_COLUMNS,
    K_FILE,
    K_KINDS,
    LIAISON_FILE,
    UNKNOWN,
    Submission,
    city_named_in,
    city_of_text,
    config,
    date_text,
    nfkc,
    number_text,
)

# --------------------------------------------------------------------------- reading files


def _sheet_city(rows: list[list]) -> City | None:
    """The city named in a 填报单位 line (or a title) among the first rows of a sheet."""
    for row in rows[:4]:
        for cell in row:
            if isinstance(cell, str) and cell.strip():
                text = nfkc(cell)
                if "填报单位" in text:
                    city = city_named_in(text.split("填报单位", 1)[1], short_names=True)
                    if city:
                        return city
    return None


def _city_rows(path: Path, code: str, city_field: str, default: City | None = None,
               sheets=None) -> list[tuple[dict, City | None]] | None:
    """Rows of table ``code`` in a file, each with its city (None when the file holds no such
    table). The city of a row comes from a 设区市 column (``city_columns``), else the sheet's title
    lines, else the text of ``city_field``, else ``default``."""
    city_cols = {normalise_header(c) for c in config()["city_columns"]}
    if sheets is None:
        try:
            sheets = read_sheets(path)
        except Exception:  # noqa: BLE001 (any unreadable file simply holds no such table)
            return None
    found = False
    out: list[tuple[dict, City | None]] = []
    for _sheet, rows in sheets:
        if not any(any(v not in (None, "") for v in r) for r in rows):
            continue
        got, idx, cols, _problem = recognise(rows)
        if got != code:
            continue
        found = True
        header = rows[max(idx)]
        city_col = next((j for j, v in enumerate(header) if normalise_header(v) in city_cols), None)
        title_city = None
        for row in rows[:min(idx)]:
            title_city = title_city or next((c for c in (city_named_in(v, short_names=True)
                                                         for v in row if isinstance(v, str)) if c), None)
        for row in rows[max(idx) + 1:]:
            values = {name: (row[j] if j < len(row) else None) for j, name in cols.items()}
            if not any(nfkc(v) for v in values.values() if not isinstance(v, float) or v == v):
                continue
            city = None
            if city_col is not None and city_col < len(row):
                city = city_of_text(row[city_col])
            city = city or title_city or city_named_in(values.get(city_field), short_names=True) or default
            out.append((values, city))
    return out if found else None


def liaison_rows(path: Path, sheets=None) -> pd.DataFrame | None:
    """Table-L rows of a file with the city of each row (None when the file holds no table L).

    Columns: 设区市 (full name), 姓名, 单位及职务, 小组职务, 办公电话, 手机. The city comes from a
    设区市 column, else the sheet's title lines, else 单位及职务 (params/province.yaml).
    """
    rows = _city_rows(path, "L", "单位及职务", sheets=sheets)
    if rows is None:
        return None
    records = []
    for values, city in rows:
        if not nfkc(values.get("姓名")) or city is None:
            continue
        records.append({"设区市": city.full_name, "姓名": nfkc(values.get("姓名")),
                        "单位及职务": nfkc(values.get("单位及职务")), "小组职务": nfkc(values.get("小组职务")),
                        "办公电话": _phone(values.get("办公电话")), "手机": _phone(values.get("手机"))})
    return pd.DataFrame(records, columns=["设区市", "姓名", "单位及职务", "小组职务", "办公电话", "手机"])


def k_rows(path: Path, day: dt.date, shown: str = "", default: City | None = None,
           sheets=None) -> pd.DataFrame | None:
    """Table-K items (经验做法 / 先进典型) of a file dated on or before ``day`` (undated items
    too), with the city of each row; None when the file holds no table K.

    Columns ``K_COLUMNS``: 设区市 (full name), 日期, 类别, 标题, 内容, 单位或个人, 文件. The city comes
    from a 设区市 column, else the sheet's title lines, else 单位或个人, else ``default``; rows
    whose city cannot be told, of another category or without a title are left out.
    """
    rows = _city_rows(path, "K", "单位或个人", default=default, sheets=sheets)
    if rows is None:
        return None
    records = []
    for values, city in rows:
        kind, title = nfkc(values.get("类别")), nfkc(values.get("标题"))
        if city is None or kind not in K_KINDS or not title or title in settings()["total_row_markers"]:
            continue
        parsed = parse_date(values.get("日期"), day.year)
        when = parsed.value if parsed.ok and isinstance(parsed.value, dt.date) else None
        if isinstance(when, dt.datetime):
            when = when.date()
        if when is not None and when > day:
            continue
        records.append({"设区市": city.full_name, "日期": when, "类别": kind, "标题": title,
                        "内容": nfkc(values.get("内容")), "单位或个人": nfkc(values.get("单位或个人")),
                        "文件": shown or path.name})
    return pd.DataFrame(records, columns=K_COLUMNS)


def city_k_items(inbox: Path, city: City, day: dt.date) -> pd.DataFrame:
    """The table-K items of a city's own day folder ``<inbox>/<市>/<D>/`` (``k_rows`` of each file)."""
    folder = Path(inbox) / city.name / day.isoformat()
    frames = [k_rows(p, day, f"{city.name}/{day.isoformat()}/{p.name}", default=city) for p in day_files(folder)]
    return k_frame(frames)


def k_frame(frames) -> pd.DataFrame:
    """K items of several files in city order; one item per city, category and title (the last)."""
    frames = [f for f in frames if f is not None and not f.empty]
    if not frames:
        return pd.DataFrame(columns=K_COLUMNS)
    k = pd.concat(frames, ignore_index=True)
    k = k.drop_duplicates(["设区市", "类别", "标题"], keep="last")
    order = {c.full_name: i for i, c in enumerate(cities())}
    k = k.assign(_o=k["设区市"].map(order)).sort_values("_o", kind="stable").drop(columns="_o")
    return k.reset_index(drop=True)


def _phone(raw) -> str:
    p = parse_phone(raw)
    return str(p.value) if p.value is not None else ""


def _side_table(sub: Submission, day: dt.date) -> bool:
    """Whether a file that is not a 汇总表 is a table L (联络员名单) or a table K (经验做法) file;
    sets its outcome (and, for K, its items and city when they are all of one city)."""
    try:
        sheets = read_sheets(sub.path)
    except Exception:  # noqa: BLE001 (an unreadable file is neither)
        return False
    if liaison_rows(sub.path, sheets=sheets) is not None:
        sub.outcome = LIAISON_FILE
        return True
    items = k_rows(sub.path, day, sub.file, sheets=sheets)
    if items is None:
        return False
    sub.outcome, sub.k_items = K_FILE, items
    if items["设区市"].nunique() == 1:
        sub.city = resolve_city(items["设区市"].iloc[0])
    return True


def read_submission(path: Path, shown: str, day: dt.date, layout: dict) -> Submission:
    """Read one received file: recognise it as a 汇总表 and find its city and day (no checks)."""
    sub = Submission(file=shown, path=path)
    if path.suffix.lower() not in (".xlsx", ".xlsm"):
        if path.suffix.lower() in (".xls", ".csv") and _side_table(sub, day):
            return sub
        sub.reason = f"不是 xlsx 文件（{path.suffix or '无扩展名'}），无法按汇总表版式识别；请另存为 .xlsx 后重报"
        sub.check = "版式"
        return sub
    try:
        meta, figs = forms_read.read_huizongbiao(path, layout)
    except ValueError as exc:
        if _side_table(sub, day):
            return sub
        sub.reason, sub.check = str(exc), "版式"
        try:
            sheets = read_sheets(path)
            sub.city = next((c for c in (_sheet_city(rows) for _, rows in sheets) if c), None)
        except Exception:  # noqa: BLE001 (a damaged file: no city to be found)
            sheets, sub.city = None, None
        if sheets is not None and not looks_like_form(sheets):
            # a letter, a notice …: not a 汇总表 in another layout, so no 退回 of the city either
            sub.outcome = UNKNOWN
            sub.reason = (f"“{shown}”不是汇总表（没有汇总表的指标栏目），未作为报送处理；"
                          "如为情况说明等材料，请人工阅处")
        return sub
    sub.meta, sub.figures, sub.data_day = meta, _with_companions(sub, path, figs), meta.get("date")
    bureau = nfkc(meta.get("bureau"))
    city = city_of_text(meta.get("city_full")) if meta.get("city_full") else None
    city = city or city_named_in(bureau, short_names=True)
    sub.city = city
    if city is None:
        sub.reason, sub.check = f"填报单位“{bureau}”不是江西省的设区市人社部门，无法确定报送单位", "填报单位"
    elif sub.data_day != day:
        sub.reason, sub.check = f"数据截至{date_text(sub.data_day)}，不是{date_text(day)}", "数据截至"
    return sub


CHANGES_SHOWN = 5  # cells named when a 更正 replaces a file (the rest counted)


def changed_cells(old: pd.DataFrame | None, new: pd.DataFrame | None) -> list[str]:
    """What a resent 汇总表 changed: “章贡区缺工人数249→224” per cell whose value differs (rows
    and figures of either file, in the new file's order; "—" for a value not given)."""
    if old is None or new is None:
        return []
    rows = list(new.index) + [r for r in old.index if r not in new.index]
    cols = list(new.columns) + [c for c in old.columns if c not in new.columns]
    out = []
    for r in rows:
        for c in cols:
            a = old.at[r, c] if r in old.index and c in old.columns else None
            b = new.at[r, c] if r in new.index and c in new.columns else None
            a_num, b_num = _as_number(a), _as_number(b)
            if a_num == b_num or (a_num is None and b_num is None):
                continue
            out.append(f"{r}{indicators.label(c)}{number_text(a_num)}→{number_text(b_num)}")
    return out


def _as_number(v) -> float | None:
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(f) else round(f, 6)


FORM_MIN_LABELS = 3  # indicator headers a sheet must show to be taken for a 汇总表 in another layout


def looks_like_form(sheets: list[tuple[str, list[list]]], rows: int = 30) -> bool:
    """Whether any sheet shows at least :data:`FORM_MIN_LABELS` of the 汇总表's indicator headers
    (the catalogue's labels and form captions, compared without spaces) in its first ``rows`` rows:
    a 汇总表 in another layout (退回 with the reason) rather than a letter or a notice (未识别)."""
    labels = {_squash_text(t) for ind in indicators.catalogue().values() for t in (ind.label, *ind.form)} - {""}
    for _, cells in sheets:
        seen = {_squash_text(v) for row in cells[:rows] for v in row if isinstance(v, str)}
        if len(seen & labels) >= FORM_MIN_LABELS:
            return True
    return False


def _squash_text(text) -> str:
    return "".join(nfkc(text).split())


def _with_companions(sub: Submission, path: Path, figs: pd.DataFrame) -> pd.DataFrame:
    """The 汇总表 figures joined with those of the sheets filed beside it (劳务输出), row by row;
    a companion sheet that cannot be read leaves its figures "—" and a note (``companion_error``)."""
    for layout in outbound.COMPANIONS:
        try:
            found = forms_read.read_layout_sheet(path, layout)
        except ValueError as exc:
            sub.companion_error = str(exc)
            continue
        if found is None:
            continue
        extra = found[1]
        stray = [str(x) for x in extra.index if x not in figs.index]
        if stray:
            sub.companion_error = (f"工作表“{forms.load_layout(layout)['sheet']}”的行“{'、'.join(stray)}”"
                                   "不在汇总表中，该表数字未采用")
            continue
        figs = figs.join(extra[[c for c in extra.columns if c not in figs.columns]], how="left")
    return figs
