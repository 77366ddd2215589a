"""Turn recognised raw tables into typed tables, collecting every fault on the way.

For each column the type declared in ``params/tables.yaml`` decides the parser; each
distinct raw value is parsed once (``parsecolumn.parse_series``) so big tables stay fast. Total
rows (合计/总计/小计) are checked against the rows above them and dropped; exact duplicates
collapse; conflicting duplicates keep the row of the newest file. Faults have one of three
levels (``LEVELS``, in report order): a row with any 错误 is left out of the clean table; 警告
rows are kept (the analyst should check them); 提示 rows are kept and counted as they are (the
line only tells the analyst something, e.g. a row reported late). Every fault names file, sheet,
Excel row, column (as written in the file), the value (masked when personal) and what to do.

The fault log, its levels and how values are shown live in ``faults``; duplicates and key
conflicts are resolved by ``dedupe``.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from functools import cache

import numpy as np
import pandas as pd

from . import codes
from .bounded.common import EXCEL_CELL_LIMIT
from .dedupe import dedupe
from .faults import ERROR, WARNING, FaultLog
from .ingest import META_COLUMNS, gc_paused
from .parse import IMPLAUSIBLE, excel_display, nfkc_compact
from .parsecolumn import parse_faults, parse_series
from .reference import City, ColumnSpec, TableSpec, categories, resolve_county, settings, table_specs


def _split_totals(raw: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Separate 合计/总计/小计 rows (flagged by ingest from any cell of the row) from data rows."""
    if raw.empty:
        return raw, raw
    mask = raw["_total"].fillna(False).astype(bool)
    if not mask.any():  # the common case: no copy of the rows
        return raw, raw.iloc[:0]
    return raw[~mask], raw[mask]


def _check_totals(totals: pd.DataFrame, data: pd.DataFrame, spec: TableSpec, log: FaultLog, year: int):
    """A total row must equal the sum of the rows above it in the same sheet (else 警告); a total
    row with no rows above it (placed directly under the header) is checked against the rows
    below it, up to the next total row."""
    int_cols = [c.name for c in spec.columns if c.type == "int" and c.name in data.columns]
    for _, trow in totals.iterrows():
        sheet = data[(data["_file"] == trow["_file"]) & (data["_sheet"] == trow["_sheet"])]
        part = sheet[sheet["_row"] < trow["_row"]]
        where = "上方"
        if part.empty:
            later = totals[(totals["_file"] == trow["_file"]) & (totals["_sheet"] == trow["_sheet"])
                           & (totals["_row"] > trow["_row"])]["_row"]
            end = later.min() if len(later) else np.inf
            part = sheet[(sheet["_row"] > trow["_row"]) & (sheet["_row"] < end)]
            where = "下方"
        for name in int_cols:
            tval, _ = parse_series(pd.Series([trow[name]]), "int", year)
            if pd.isna(tval.iloc[0]):
                continue
            total = int(part[name].dropna().sum()) if name in part else 0
            if int(tval.iloc[0]) != total:
                log.add(WARNING, spec, trow, name,
                        f"合计行数值{int(tval.iloc[0])}与{where}各行之和{total}不符",
                        "合计行不参与计算，已按明细行重新汇总；请核对明细或合计", "total_row")


def _distinct(s: pd.Series) -> tuple[np.ndarray, list[str]]:
    """Each row's code (-1: None or NaN) and the distinct values as text, in first-seen order.

    Rows holding the same text share one code, so a check runs once per distinct value. Cells
    that are not text (numbers, dates) are keyed by ``str(value)`` as the row-by-row rules did.
    """
    codes_, uniques = pd.factorize(s, use_na_sentinel=True)
    uniq = np.asarray(uniques, dtype=object).tolist()
    textual = s.dtype == object or isinstance(s.dtype, pd.StringDtype)
    if textual and all(type(u) is str for u in uniq):
        na = codes_ < 0
        if not na.any() or s.dtype != object or \
                set(map(type, s.to_numpy(dtype=object)[na])) <= {type(None), float}:
            return codes_, uniq
    keys = [None if v is None or (isinstance(v, float) and v != v) else str(v) for v in s.to_numpy(dtype=object)]
    codes_, uniques = pd.factorize(pd.Series(keys, index=s.index, dtype=object), use_na_sentinel=True)
    return codes_, list(uniques)


def _per_row(codes_: np.ndarray, per_value: np.ndarray | list, na: object = None) -> np.ndarray:
    """Spread values computed per distinct value to the rows (``na`` for code -1)."""
    table = np.empty(len(per_value) + 1, dtype=object if not isinstance(per_value, np.ndarray)
                     else per_value.dtype)
    table[:-1] = per_value
    table[-1] = na
    return table[codes_]


def _flagged(codes_: np.ndarray, flags: np.ndarray) -> list[int]:
    """Row positions whose distinct value is flagged, in row order."""
    return np.flatnonzero(np.append(flags, False)[codes_]).tolist()


def _code_column(df: pd.DataFrame, s: pd.Series, col: ColumnSpec, spec: TableSpec, log: FaultLog,
                 bad: set) -> pd.Series:
    """Credit codes (uscc) or ID numbers (idno): checked once per distinct value, with numpy."""
    kind = col.type
    check, check_array = (codes.check_uscc, codes.check_uscc_array) if kind == "uscc" else \
        (codes.check_idno, codes.check_idno_array)
    name = "统一社会信用代码" if kind == "uscc" else "身份证号"
    source = "营业执照" if kind == "uscc" else "本人身份证"
    s = _numeric_codes(s)
    codes_, uniq = _distinct(s)
    blank = np.fromiter(map(len, map(str.strip, uniq)), dtype=np.int64, count=len(uniq)) == 0
    value, valid, old_form, changed = check_array(uniq)
    value[blank] = None
    valid |= blank
    old_form &= ~blank
    changed &= ~blank
    out = pd.Series(_per_row(codes_, value), index=s.index, dtype=object)
    for pos in _flagged(codes_, ~valid | old_form | changed):
        u, idx = codes_[pos], s.index[pos]
        if not valid[u]:
            bad.add(idx)
            if _SCIENTIFIC.fullmatch(uniq[u].strip()):
                log.add(ERROR, spec, df.loc[idx], col.name,
                        f"{name}被Excel当成数字，显示为科学计数法（{uniq[u].strip()}），后几位已经丢失，无法恢复",
                        f"请把该列设置为“文本”格式后重新录入完整的{name}（或在号码前加英文单引号'），"
                        f"以{source}为准", f"{kind}_scientific", value=uniq[u].strip())
                continue
            log.add(ERROR, spec, df.loc[idx], col.name, f"{name}无效：{check(uniq[u]).reason}",
                    f"请核对{name}，以{source}为准", f"{kind}_check")
        elif old_form[u]:
            log.add(WARNING, spec, df.loc[idx], col.name, "15位旧身份证号，无法校验",
                    "请尽量更新为18位身份证号", "idno_old")
        else:
            shown = value[u] if kind == "uscc" else codes.mask_idno(value[u])
            log.add(WARNING, spec, df.loc[idx], col.name, f"{name}含小写、全角字符或空格，已规范为{shown}",
                    "请在原表中改为大写半角", f"{kind}_normalised")
    return out


_SCIENTIFIC = re.compile(r"[+-]?\d+(?:\.\d+)?[Ee][+]?\d+")


def _numeric_codes(s: pd.Series) -> pd.Series:
    """A code column where Excel turned some codes into numbers: a whole number of up to 15
    digits is still exact (a 15-digit ID number) and becomes its digits; a larger one has lost
    its last digits and becomes the scientific notation Excel shows ("3.60102E+17"), which the
    check reports as such. Text cells are left as they are."""
    if isinstance(s.dtype, pd.StringDtype):
        return s  # text only
    values = s.to_numpy(dtype=object)
    numeric = np.fromiter((isinstance(v, int | float | np.integer | np.floating) and not isinstance(v, bool | np.bool_)
                           and v == v for v in values), dtype=bool, count=len(values))
    if not numeric.any():
        return s
    out = values.copy()
    for i in np.flatnonzero(numeric).tolist():
        f = float(values[i])
        out[i] = str(int(f)) if f.is_integer() and abs(f) < 1e15 else excel_display(f)
    return pd.Series(out, index=s.index, name=s.name, dtype=object)


def _county_column(df: pd.DataFrame, s: pd.Series, col: ColumnSpec, spec: TableSpec, city: City,
                   log: FaultLog, bad: set) -> pd.Series:
    """Counties: each distinct name resolved once (today's names, former names, padded forms)."""
    codes_, uniq = _distinct(s)
    matches = [None if not u.strip() else resolve_county(u, city) for u in uniq]
    names = [m.county.name if m is not None and m.county is not None else None for m in matches]
    out = pd.Series(_per_row(codes_, names), index=s.index, dtype=object)
    flags = np.array([m is not None and (m.county is None or bool(m.note)) for m in matches], dtype=bool)
    for pos in _flagged(codes_, flags):
        m, idx = matches[codes_[pos]], s.index[pos]
        if m.county is None:
            bad.add(idx)
            log.add(ERROR, spec, df.loc[idx], col.name, f"县区无法确定：{m.note}",
                    f"请填写{city.full_name}所辖县（市、区）的规范名称", "county")
        else:
            log.add(WARNING, spec, df.loc[idx], col.name, m.note, "请在原表中改为规范名称", "county_alias")
    return out


def _choice_column(df: pd.DataFrame, s: pd.Series, col: ColumnSpec, spec: TableSpec, log: FaultLog,
                   bad: set) -> pd.Series:
    """Categories (name or code 1–8) and enumerations: each distinct value looked up once."""
    kind = col.type
    allowed = list(categories()) if kind == "category" else list(col.values)
    codes_map = {str(i + 1): n for i, n in enumerate(categories())} if kind == "category" else {}
    codes_, uniq = _distinct(s)
    texts = [nfkc_compact(u) for u in uniq]
    blank = [t in ("", "-", "—", "/") for t in texts]
    mapped = [codes_map.get(t.removesuffix(".0"), t) for t in texts]
    ok = [m in allowed for m in mapped]
    values = [col.default if b else (m if good else None) for b, m, good in zip(blank, mapped, ok, strict=True)]
    out = pd.Series(_per_row(codes_, values, na=col.default), index=s.index, dtype=object)
    level = ERROR if col.required else WARNING
    flags = np.array([not b and not good for b, good in zip(blank, ok, strict=True)], dtype=bool)
    for pos in _flagged(codes_, flags):
        idx = s.index[pos]
        if level == ERROR:
            bad.add(idx)
        log.add(level, spec, df.loc[idx], col.name, f"“{uniq[codes_[pos]]}”不在可选值中",
                "可选值：" + "、".join(allowed), kind)
    return out


def _region_column(df: pd.DataFrame, s: pd.Series, col: ColumnSpec, spec: TableSpec, log: FaultLog,
                   bad: set) -> pd.Series:
    """Destinations outside the province (劳务输出): each distinct text normalised once to
    广东省东莞市 / 广东省 (``outbound.canonical``). One that names no known province or city is a
    错误 where the column is required (the row cannot be placed), else a 警告 (left empty)."""
    from .outbound import canonical

    codes_, uniq = _distinct(s)
    texts = [nfkc_compact(u) for u in uniq]
    blank = [t in ("", "-", "—", "/") for t in texts]
    values = [None if b else canonical(t) for b, t in zip(blank, texts, strict=True)]
    out = pd.Series(_per_row(codes_, values), index=s.index, dtype=object)
    flags = np.array([not b and v is None for b, v in zip(blank, values, strict=True)], dtype=bool)
    level = ERROR if col.required else WARNING
    for pos in _flagged(codes_, flags):
        idx = s.index[pos]
        if level == ERROR:
            bad.add(idx)
        log.add(level, spec, df.loc[idx], col.name, f"“{uniq[codes_[pos]]}”未能识别为省份或城市",
                "请写省份和城市，如“广东省东莞市”“浙江义乌”，或只写省份，如“福建”", "region")
    return out


def _canonical_mobiles(uniq: list) -> np.ndarray:
    """Which distinct values are mobile numbers already written as 11 ASCII digits
    1[3-9]xxxxxxxxx, which ``parse.parse_phone`` returns unchanged and without a note."""
    texts = [u if type(u) is str else "" for u in uniq]
    pos, mat = codes.ascii_matrix(texts, 11)
    digits = mat - np.uint8(48)
    ok = (digits <= 9).all(axis=1) & (digits[:, 0] == 1) & (digits[:, 1] >= 3)
    flags = np.zeros(len(texts), dtype=bool)
    flags[pos[ok]] = True
    return flags


@cache
def _missing_markers() -> frozenset[str]:
    """The settings' missing markers as ``parse.is_missing`` compares them (NFKC, stripped)."""
    return frozenset(unicodedata.normalize("NFKC", str(m)).strip() for m in settings()["missing_markers"])


_NOT_PLAIN_RE = re.compile(r"[\s#]")


def _plain_texts(uniq: list) -> np.ndarray:
    """Which distinct values ``parse.parse_text`` returns unchanged and without a note: text
    in NFKC form without any whitespace, not a missing marker and not an Excel error (#…)."""
    flags = np.fromiter((type(u) is str for u in uniq), dtype=bool, count=len(uniq))
    pos = np.flatnonzero(flags)
    if not len(pos):
        return flags
    texts = [uniq[i] for i in pos.tolist()]
    joined = "\x00".join(texts)  # one scan over all values; the NUL separator changes nothing
    offsets = [m.start() for m in _NOT_PLAIN_RE.finditer(joined)]
    if offsets:
        starts = np.cumsum(np.fromiter(map(len, texts), dtype=np.int64, count=len(texts)) + 1)
        flags[pos[np.unique(np.searchsorted(starts, offsets, side="right"))]] = False
    if not unicodedata.is_normalized("NFKC", joined):
        normal = np.fromiter((unicodedata.is_normalized("NFKC", t) for t in texts), dtype=bool, count=len(texts))
        flags[pos[~normal]] = False
    missing = np.fromiter(map(_missing_markers().__contains__, texts), dtype=bool, count=len(texts))
    flags[pos[missing]] = False
    return flags


_PLAIN = {"text": _plain_texts, "phone": _canonical_mobiles}


def _parse_plain_first(s: pd.Series, parser: str, year: int) -> tuple[pd.Series, list[tuple]]:
    """``parsecolumn.parse_faults`` for text and phone columns with most values already in final form.

    Distinct values that parse to themselves without a note (see ``_PLAIN``) are taken as they
    are; only the rows holding other values go through ``parse_faults``. Same values and
    faults as ``parse_faults(s, parser, year)``.
    """
    codes_, uniques = pd.factorize(s, use_na_sentinel=True)
    uniq = np.asarray(uniques, dtype=object).tolist()
    values = _per_row(codes_, uniq)
    rest = ~np.append(_PLAIN[parser](uniq), True)[codes_]  # None/NaN cells parse to None
    if not rest.any():
        return pd.Series(values, index=s.index, name=s.name, dtype=object), []
    parsed, faults = parse_faults(s[rest], parser, year)
    values[rest] = parsed.to_numpy(dtype=object)
    return pd.Series(values, index=s.index, name=s.name, dtype=object), faults


def _parse_column(df: pd.DataFrame, col: ColumnSpec, spec: TableSpec, city: City, year: int,
                  log: FaultLog, bad: set) -> pd.Series:
    """Parse one column; add faults; mark rows with 错误 in ``bad``.

    Every rule works on the distinct values of the column and spreads the outcome to the rows
    (a table of a million rows costs one check per distinct value, not per row); faults are
    created only for the rows that have one.
    """
    s = df[col.name]
    kind = col.type
    if kind in ("uscc", "idno"):
        return _code_column(df, s, col, spec, log, bad)
    if kind == "county":
        return _county_column(df, s, col, spec, city, log, bad)
    if kind in ("category", "enum"):
        return _choice_column(df, s, col, spec, log, bad)
    if kind == "region":
        return _region_column(df, s, col, spec, log, bad)
    parser = {"text": "text", "int": "int", "number": "number", "money": "money", "rate": "rate",
              "salary": "salary", "date": "date", "datetime": "datetime", "bool": "bool",
              "list": "list", "phone": "phone"}[kind]
    if parser in _PLAIN:
        values, faults = _parse_plain_first(s, parser, year)
    else:
        values, faults = parse_faults(s, parser, year)
    for idx, level, note in faults:
        if level == ERROR:
            bad.add(idx)
        if kind == "int" and IMPLAUSIBLE in note:
            log.add(level, spec, df.loc[idx], col.name, note,
                    "请填写实际的数值（检查是否多输入了数字，或单元格被设成了科学计数法）", "count_implausible")
            continue
        log.add(level, spec, df.loc[idx], col.name, note, _advice(kind), f"parse_{kind}")
    if kind == "text" and _longest(s) > EXCEL_CELL_LIMIT:
        values = _cut_long_texts(df, values, col, spec, log)
    return values


def _longest(s: pd.Series) -> int:
    """Length of the longest text cell of a raw column (vectorised for text columns)."""
    if not len(s):
        return 0
    try:
        longest = s.str.len().max()
    except AttributeError:  # not a text column (numbers, dates)
        return 0
    return 0 if pd.isna(longest) else int(longest)


def _cut_long_texts(df: pd.DataFrame, values: pd.Series, col: ColumnSpec, spec: TableSpec,
                    log: FaultLog) -> pd.Series:
    """Texts longer than an Excel cell holds (32,767 characters) are cut to that length with a
    警告, rather than silently when the outputs are written."""
    codes_, uniq = _distinct(values)
    if not uniq:
        return values
    lengths = np.fromiter((len(u) if type(u) is str else 0 for u in uniq), dtype=np.int64, count=len(uniq))
    if lengths.max() <= EXCEL_CELL_LIMIT:
        return values
    values = values.copy()
    for pos in _flagged(codes_, lengths > EXCEL_CELL_LIMIT):
        idx = values.index[pos]
        text = values.iloc[pos]
        if not isinstance(text, str):
            continue
        values.iloc[pos] = text[:EXCEL_CELL_LIMIT]
        log.add(WARNING, spec, df.loc[idx], col.name,
                f"单元格内容有{len(text)}个字符，超过Excel单元格上限{EXCEL_CELL_LIMIT}个字符，已截取前{EXCEL_CELL_LIMIT}个字符",
                "请精简该单元格的内容（详细材料可另附文件）", "text_too_long", value=text[:60] + "…")
    return values


def _advice(kind: str) -> str:
    return {
        "int": "请填写整数，如 120",
        "number": "请填写数字",
        "money": "请填写金额（元），如 4500",
        "rate": "请填写0–100之间的百分数，如 85%",
        "date": "请填写日期，如 2020-02-24",
        "datetime": "请填写日期时间，如 2020-02-24 14:30",
        "bool": "请填写“是”或“否”",
        "phone": "请填写11位手机号或带区号的固定电话",
        "salary": "请填写月薪范围，如 3500-5000",
    }.get(kind, "请核对该值")


def _fill_salary_bounds(typed: pd.DataFrame) -> None:
    """A 薪酬 range fills 月薪下限/月薪上限 where those are empty (only the rows with a range)."""
    ranges = typed["薪酬"]
    has = np.fromiter((isinstance(v, tuple) for v in ranges), dtype=bool, count=len(ranges))
    if not has.any():
        return
    pairs = ranges[has]
    for name, side in (("月薪下限", 0), ("月薪上限", 1)):
        bound = pd.Series(pd.array([v[side] for v in pairs], dtype=typed[name].dtype), index=pairs.index)
        fill = typed.loc[pairs.index, name].isna() & bound.notna()
        if fill.any():
            typed.loc[fill.index[fill], name] = bound[fill]


def clean_table(code: str, raw: pd.DataFrame, city: City, report_date: dt.date,
                log: FaultLog) -> pd.DataFrame:
    """Typed rows of table ``code`` without total rows, duplicates and 错误 rows."""
    with gc_paused():
        return _clean_table(code, raw, city, report_date, log)


def _clean_table(code: str, raw: pd.DataFrame, city: City, report_date: dt.date,
                 log: FaultLog) -> pd.DataFrame:
    spec = table_specs()[code]
    year = report_date.year
    for col in spec.columns:
        if col.name not in raw.columns:
            raw[col.name] = None
    data, totals = _split_totals(raw.reset_index(drop=True))
    bad: set = set()
    columns = {col.name: _parse_column(data, col, spec, city, year, log, bad) for col in spec.columns}
    typed = pd.DataFrame({**columns, **{name: data[name] for name in META_COLUMNS}}, index=data.index)
    for col in spec.columns:
        if not col.required:
            continue
        missing = typed[col.name].isna() & ~typed.index.isin(list(bad))
        for idx in typed.index[missing]:
            bad.add(idx)
            log.add(ERROR, spec, data.loc[idx], col.name, "必填项为空", f"请填写“{col.name}”", "required")
    if "薪酬" in typed.columns and "月薪下限" in typed.columns:
        _fill_salary_bounds(typed)
    if not totals.empty:
        _check_totals(totals, typed, spec, log, year)
    if code in DATED_ON_THE_DAY:
        _check_not_after(typed, data, spec, DATED_ON_THE_DAY[code], report_date, log, bad)
    good = typed[~typed.index.isin(list(bad))] if bad else typed
    return dedupe(good, spec, log, raw=data).reset_index(drop=True)


# Tables whose rows count on their date (点对点运输, 岗位推送, 培训): a row of the day's folder
# dated after the day is 错误 and not counted, as for 用工解决 (pipeline._check_placements).
DATED_ON_THE_DAY = {"G": "日期", "H": "日期", "I": "日期"}


def _check_not_after(typed: pd.DataFrame, data: pd.DataFrame, spec: TableSpec, column: str, day: dt.date,
                     log: FaultLog, bad: set) -> None:
    later = np.fromiter((isinstance(d, dt.date) and d > day for d in typed[column]), dtype=bool, count=len(typed))
    for idx in typed.index[later]:
        if idx in bad:
            continue
        bad.add(idx)
        log.add(ERROR, spec, data.loc[idx], column, f"日期晚于报送日期{day}，不计入",
                f"请核对日期：当日文件夹只报送当日及以前的{spec.name}情况", "date_after_day")
