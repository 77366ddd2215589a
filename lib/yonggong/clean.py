"""Turn recognised raw tables into typed tables, collecting every fault on the way.

For each column the type declared in ``params/tables.yaml`` decides the parser; each
distinct raw value is parsed once (``parse.parse_series``) so big tables stay fast. Total
rows (合计/总计/小计) are checked against the rows above them and dropped; exact duplicates
collapse; conflicting duplicates keep the row of the newest file. Faults have one of three
levels (``LEVELS``, in report order): a row with any 错误 is left out of the clean table; 警告
rows are kept (the analyst should check them); 提示 rows are kept and counted as they are (the
line only tells the analyst something, e.g. a row reported late). Every fault names file, sheet,
Excel row, column (as written in the file), the value (masked when personal) and what to do.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import asdict, dataclass
from functools import cache

import numpy as np
import pandas as pd

from . import codes
from .bounded import EXCEL_CELL_LIMIT, show_controls
from .ingest import META_COLUMNS, Inbox, gc_paused
from .parse import IMPLAUSIBLE, PROBLEM_COLUMNS, excel_display, parse_series
from .reference import City, ColumnSpec, TableSpec, categories, resolve_county, settings, table_specs

ERROR = "错误"  # the row is left out of the clean table
WARNING = "警告"  # the row is kept; the analyst should check it
NOTICE = "提示"  # the row is kept and counted; for the analyst's information only
LEVELS = (ERROR, WARNING, NOTICE)  # report order: 错误 first, 提示 last


def level_rank(level: object) -> int:
    """Position of ``level`` in ``LEVELS`` (an unknown level sorts after 提示)."""
    return LEVELS.index(level) if level in LEVELS else len(LEVELS)


@dataclass
class Fault:
    """One line of the 数据质量报告."""

    level: str  # 错误 / 警告 / 提示 (see LEVELS)
    table: str  # A … M
    file: str
    sheet: str
    row: int | None  # Excel row as the analyst sees it
    column: str  # header as written in the file
    value: str  # original value (masked if personal)
    problem: str
    advice: str
    rule: str  # short rule id, e.g. uscc_check

    def as_dict(self) -> dict:
        return asdict(self)


FAULT_COLUMNS = list(Fault.__dataclass_fields__)


def cell_text(value: object) -> str:
    """A raw cell as the clerk sees it in Excel: numbers in Excel's General format ("120",
    "1E+20", "3.60102E+17"), dates as 2020-02-24 (with the time when there is one), control
    characters made visible; "" when empty."""
    if value is None or value is pd.NA or value is pd.NaT or (isinstance(value, float) and value != value):
        return ""
    if isinstance(value, bool | np.bool_):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int | float | np.integer | np.floating):
        return excel_display(value)
    if isinstance(value, dt.datetime | dt.date):
        return _as_text(value)
    return show_invisible(show_controls(str(value)))


def _invisible() -> dict[str, str]:
    """params/settings.yaml ``invisible_characters``: character → its name as the report shows it."""
    return {chr(int(k, 16)): str(v) for k, v in settings()["invisible_characters"].items()}


def show_invisible(text: str) -> str:
    """``text`` with each invisible character (zero-width space, BOM …) written as ⟨its name⟩."""
    table = _invisible()
    if not any(ch in text for ch in table):
        return text
    return "".join(f"⟨{table[ch]}⟩" if ch in table else ch for ch in text)


def invisible_named(shown: str) -> list[str]:
    """The names of the invisible characters :func:`show_invisible` made visible in ``shown``."""
    return [name for name in dict.fromkeys(_invisible().values()) if f"⟨{name}⟩" in shown]


def show_value(value: object, col: ColumnSpec | None) -> str:
    """The original cell as text for the report (see ``cell_text``), masked when the column is
    personal."""
    text = cell_text(value)
    if not text:
        return ""
    if col is not None and col.personal:
        return mask_personal(text, col)
    return text[:200]


def mask_personal(text: str, col: ColumnSpec) -> str:
    if col.type == "idno":
        return codes.mask_idno(text)
    if col.type == "phone":
        return codes.mask_phone(text)
    return codes.mask_name(text)


_MOBILE_IN_TEXT = re.compile(r"(?<!\d)(?:\+?86)?1[3-9]\d{9}(?!\d)")
_IDNO_IN_TEXT = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])|(?<![0-9A-Za-z])\d{15}(?![0-9A-Za-z])")


def scrub(text: str) -> str:
    """``text`` with every mobile number and every ID number (18 digits with a valid check
    character, or 15 digits) masked: the last guard of the report's texts. Valid credit codes
    are left alone."""
    if not text or not any(ch.isdigit() for ch in text):
        return text
    text = _MOBILE_IN_TEXT.sub(lambda m: codes.mask_phone(m[0]), text)

    def id_mask(m: re.Match) -> str:
        v = m[0]
        if len(v) == 18 and (codes.check_uscc(v).valid or not codes.check_idno(v).valid):
            return v
        return codes.mask_idno(v)

    return _IDNO_IN_TEXT.sub(id_mask, text)


class FaultLog:
    """Collects faults for one city day; knows the header text of every sheet.

    Every text of a fault about a personal column, or about a table holding personal data (F,
    M), is masked: the value by its column's mask, and the problem and advice texts lose every
    occurrence of the raw value and every mobile or ID number (``scrub``)."""

    def __init__(self, inbox: Inbox):
        self.faults: list[Fault] = []
        self._headers = {(s.file, s.sheet): s.headers for s in inbox.sheets}
        self._hidden = {(s.file, s.sheet) for s in inbox.sheets if s.hidden}
        specs = table_specs()
        for issue in [*inbox.issues, *inbox.notes]:
            spec = specs.get(issue.table)
            col = None
            if spec is not None and issue.canonical:
                col = spec.column(issue.canonical)
            value = issue.value
            if value and col is not None and col.personal:
                value = mask_personal(value, col)
            elif value and spec is not None and spec.personal:  # a cell of a personal table, column unknown
                value = codes.mask_name(value)
            elif value:
                value = scrub(value)
            self.faults.append(Fault(issue.level, issue.table, issue.file, issue.sheet, issue.row,
                                     issue.column, value[:200], scrub(issue.problem), scrub(issue.advice),
                                     issue.rule))

    def header(self, file: str, sheet: str, column: str) -> str:
        return self._headers.get((file, sheet), {}).get(column, column)

    def hidden(self, file: str, sheet: str) -> bool:
        """Whether a sheet was hidden in its workbook (read because it alone held its table)."""
        return (file, sheet) in self._hidden

    def add(self, level, spec: TableSpec, row: pd.Series | dict, column: str, problem: str,
            advice: str, rule: str, value: object = None) -> None:
        col = None
        if column:
            try:
                col = spec.column(column)
            except KeyError:
                col = None
        raw = row.get(column) if value is None and column else value
        shown = show_value(raw, col)
        if (col is not None and col.personal) or spec.personal:
            problem, advice = _masked_text(problem, raw, shown), _masked_text(advice, raw, shown)
        self.faults.append(Fault(
            level, spec.code, row["_file"], row["_sheet"], int(row["_row"]),
            self.header(row["_file"], row["_sheet"], column) if column else "",
            shown, problem, advice, rule))

    def frame(self) -> pd.DataFrame:
        df = pd.DataFrame([f.as_dict() for f in self.faults], columns=FAULT_COLUMNS)
        df["_order"] = df["row"].fillna(0)
        df = df.sort_values(["file", "sheet", "_order", "column"], kind="stable").drop(columns="_order")
        return df.reset_index(drop=True)


def _masked_text(text: str, raw: object, shown: str) -> str:
    """A fault text about a personal value: every form of the raw value in it replaced by its
    masked form ``shown``, then every mobile or ID number masked."""
    if not text:
        return text
    if raw is not None and shown:
        forms = {cell_text(raw), str(raw).strip(), _nfkc_text(raw)}
        for form in sorted((f for f in forms if len(f) >= 3), key=len, reverse=True):
            text = text.replace(form, shown)
            if len(form) > 40:
                text = text.replace(form[:40] + "…", shown)
    return scrub(text)


def _nfkc_text(raw: object) -> str:
    return " ".join(unicodedata.normalize("NFKC", str(raw)).split())


def _nfkc(v: object) -> str:
    return "".join(unicodedata.normalize("NFKC", str(v)).split())


def _split_totals(raw: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Separate 合计/总计/小计 rows (flagged by ingest from any cell of the row) from data rows."""
    if raw.empty:
        return raw, raw
    mask = raw["_total"].fillna(False).astype(bool)
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
    texts = [_nfkc(u) for u in uniq]
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
    texts = [_nfkc(u) for u in uniq]
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


def _parse_plain_first(s: pd.Series, parser: str, year: int) -> tuple[pd.Series, pd.DataFrame]:
    """``parse.parse_series`` for text and phone columns with most values already in final form.

    Distinct values that parse to themselves without a note (see ``_PLAIN``) are taken as they
    are; only the rows holding other values go through ``parse_series``. Same values and
    problems as ``parse_series(s, parser, year)``.
    """
    codes_, uniques = pd.factorize(s, use_na_sentinel=True)
    uniq = np.asarray(uniques, dtype=object).tolist()
    values = _per_row(codes_, uniq)
    rest = ~np.append(_PLAIN[parser](uniq), True)[codes_]  # None/NaN cells parse to None
    if not rest.any():
        return (pd.Series(values, index=s.index, name=s.name, dtype=object),
                pd.DataFrame({c: pd.Series(dtype=object) for c in PROBLEM_COLUMNS}))
    parsed, problems = parse_series(s[rest], parser, year)
    values[rest] = parsed.to_numpy(dtype=object)
    return pd.Series(values, index=s.index, name=s.name, dtype=object), problems


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
        values, problems = _parse_plain_first(s, parser, year)
    else:
        values, problems = parse_series(s, parser, year)
    problems = problems[problems["level"].astype(bool)]
    for idx, level, note in zip(problems["index"], problems["level"], problems["note"], strict=True):
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


def _key_of(v: object) -> str:
    """A typed value as compared by ``_signature`` (every missing form is None)."""
    return repr(None if v is None or v is pd.NA or (isinstance(v, float) and v != v) else v)


def _signature(row: pd.Series) -> str:
    return "\x1f".join(map(_key_of, row))


def _is_blank(v: object) -> bool:
    if v is None or v is pd.NA or v is pd.NaT:
        return True
    if isinstance(v, float) and v != v:
        return True
    return isinstance(v, str) and not v.strip()


def _as_text(v: object) -> str:
    """A cell or typed value as the analyst reads it: whole numbers without ".0", dates as
    YYYY-MM-DD (with HH:MM when there is a time), 是/否, ranges and lists joined; "" when blank."""
    if _is_blank(v):
        return ""
    if isinstance(v, bool | np.bool_):
        return "是" if v else "否"
    if isinstance(v, int | np.integer):
        return str(int(v))
    if isinstance(v, float | np.floating):
        f = float(v)
        return str(int(f)) if f.is_integer() and abs(f) < 1e15 else str(f)
    if isinstance(v, dt.datetime):  # includes pd.Timestamp
        if (v.hour, v.minute, v.second) == (0, 0, 0):
            return v.date().isoformat()
        return v.strftime("%Y-%m-%d %H:%M" if not v.second else "%Y-%m-%d %H:%M:%S")
    if isinstance(v, dt.date):
        return v.isoformat()
    if isinstance(v, tuple):  # salary range
        return "-".join(_as_text(x) for x in v)
    if isinstance(v, list):
        return "、".join(_as_text(x) for x in v)
    return str(v).strip()


def _shown(v: object, col: ColumnSpec | None) -> str:
    """``_as_text``, masked as ``show_value`` masks personal columns; （空） when blank."""
    text = _as_text(v)
    return show_value(text, col) if text else "（空）"


def _record(spec: TableSpec, r: pd.Series, log: FaultLog) -> str:
    """Which record a conflict is about, from the row's (typed) key values, followed by a space
    unless it ends with a bracket.

    Tables keyed by 统一社会信用代码: "企业 <code> <企业名称>" (the name when the table has one),
    other key columns in brackets, e.g. "企业 91360102MA0000001Q 测试企业1有限公司（填报日期
    2020-02-24）". Other tables: the key columns and values, e.g. "编号 QZ20200224001";
    personal key columns are masked ("身份证号 3601**********1230")."""
    def part(name: str) -> str:
        return f"{log.header(r['_file'], r['_sheet'], name)} {_shown(r.get(name), spec.column(name))}"

    key = list(spec.key)
    if "统一社会信用代码" in key:
        text = f"企业 {_shown(r.get('统一社会信用代码'), spec.column('统一社会信用代码'))}"
        if any(c.name == "企业名称" for c in spec.columns) and _as_text(r.get("企业名称")):
            text += f" {_shown(r.get('企业名称'), spec.column('企业名称'))}"
        rest = [part(k) for k in key if k != "统一社会信用代码"]
        return text + (f"（{'，'.join(rest)}）" if rest else " ")
    return "，".join(part(k) for k in key) + " "


def _where(df: pd.DataFrame, other: object, mine: object) -> str:
    """How a conflict line names the other row: "new.xlsx 第3行"; with the sheet when the rows
    are in two sheets of one file ("a.xlsx 工作表“台账(2)” 第3行"), so a line never names one file
    and row for two different rows."""
    text = str(df.at[other, "_file"])
    if df.at[other, "_file"] == df.at[mine, "_file"] and df.at[other, "_sheet"] != df.at[mine, "_sheet"]:
        text += f" 工作表“{df.at[other, '_sheet']}”"
    return f"{text} 第{int(df.at[other, '_row'])}行"


def _outcome(df: pd.DataFrame, winner: object, loser: object, log: FaultLog) -> tuple[str, str]:
    """Why the winner of a conflict won: (for the losing row's line, for the winner's line)."""
    if df.at[winner, "_file"] != df.at[loser, "_file"]:
        if df.at[winner, "_mtime"] != df.at[loser, "_mtime"]:
            return "已采用较新文件的行", "采用本行（文件较新）"
        return "已采用文件名排序靠后的文件的行（两个文件修改时间相同）", "采用本行（两个文件修改时间相同，按文件名排序靠后）"
    hidden_w = log.hidden(df.at[winner, "_file"], df.at[winner, "_sheet"])
    hidden_l = log.hidden(df.at[loser, "_file"], df.at[loser, "_sheet"])
    if hidden_l and not hidden_w:
        return "已采用未隐藏工作表的行", "采用本行（未隐藏的工作表）"
    return "已采用同一文件中位置靠后的行", "采用本行（同一文件中位置靠后）"


def _differences(spec: TableSpec, value_cols: list[str], df: pd.DataFrame, mine: object, other: object,
                 raw: pd.DataFrame | None, log: FaultLog) -> str:
    """Every column whose typed values differ, with both values:
    "缺工人数：本行 10，new.xlsx 第3行 99；在岗人数：本行 80，new.xlsx 第3行 82".

    Values are shown as written in the files (the raw cells) and fall back to the typed values
    when there is no raw row or both raw cells read the same (e.g. 月薪下限 filled from 薪酬).
    Column names are the headers as written in ``mine``'s sheet; personal columns are masked.
    ``mine`` and ``other`` are index labels of ``df`` (and of ``raw``)."""
    where = _where(df, other, mine)
    has_raw = raw is not None and mine in raw.index and other in raw.index
    parts = []
    for name in value_cols:
        a, b = df.at[mine, name], df.at[other, name]  # same column, same access: same types
        if _key_of(a) == _key_of(b):
            continue
        col = spec.column(name)
        shown_a, shown_b = _shown(a, col), _shown(b, col)
        if has_raw and name in raw.columns:
            raw_a, raw_b = _shown(raw.at[mine, name], col), _shown(raw.at[other, name], col)
            if raw_a != raw_b:
                shown_a, shown_b = raw_a, raw_b
        header = log.header(df.at[mine, "_file"], df.at[mine, "_sheet"], name)
        parts.append(f"{header}：本行 {shown_a}，{where} {shown_b}")
    return "；".join(parts)


def _dedupe(df: pd.DataFrame, spec: TableSpec, log: FaultLog, raw: pd.DataFrame | None = None) -> pd.DataFrame:
    """Collapse exact duplicates; resolve key conflicts by the newest file (both reported).

    ``raw`` is the frame of raw cells ``df`` was typed from (same index), used to show values
    as the analyst typed them. A conflict gives one 警告 (rule ``conflict``) on each of the
    two rows; its problem names the record (see ``_record``), the other row, the outcome and
    every differing column with both values (see ``_differences``), e.g. "企业
    91360102MA0000001Q 测试企业1有限公司（填报日期 2020-02-24）与 new.xlsx 第3行主键相同但内容
    不同，已采用较新文件的行。缺工人数：本行 10，new.xlsx 第3行 99". The fault's ``column`` (and
    so its value) is left empty: the line is about the whole row and may name several columns.
    """
    if df.empty or not spec.key:
        return df
    key = list(spec.key)
    dup = df.duplicated(key, keep=False)
    if not dup.any():
        return df
    value_cols = [c.name for c in spec.columns if c.name in df.columns]
    work = df[dup].copy()
    work["_sig"] = work[value_cols].apply(_signature, axis=1)
    drop = []
    advice = "请核实哪一行正确，并删除另一行"
    # newest file last; within a file a hidden sheet before a visible one, then by row
    work["_visible"] = [not log.hidden(f, sh) for f, sh in zip(work["_file"], work["_sheet"], strict=True)]
    for _, grp in work.groupby(key, sort=False, dropna=False):
        grp = grp.sort_values(["_mtime", "_file", "_visible", "_row"], kind="stable")
        first_seen: dict[str, pd.Series] = {}
        for idx, r in grp.iterrows():  # exact duplicates: keep the first, report the others
            if r["_sig"] in first_seen:
                orig = first_seen[r["_sig"]]
                drop.append(idx)
                log.add(WARNING, spec, r, "", f"重复行：与 {_where(df, orig.name, idx)}完全相同，已合并",
                        "删除重复行即可", "duplicate")
            else:
                first_seen[r["_sig"]] = r
        distinct = grp[~grp.index.isin(drop)]
        winner = distinct.iloc[-1]  # conflicts: the row of the newest file wins
        for idx, r in distinct.iloc[:-1].iterrows():
            drop.append(idx)
            lost, won = _outcome(df, winner.name, idx, log)
            log.add(WARNING, spec, r, "",
                    f"{_record(spec, r, log)}与 {_where(df, winner.name, idx)}主键相同但内容不同，"
                    f"{lost}。{_differences(spec, value_cols, df, idx, winner.name, raw, log)}",
                    advice, "conflict")
            log.add(WARNING, spec, winner, "",
                    f"{_record(spec, winner, log)}与 {_where(df, idx, winner.name)}主键相同但内容不同，"
                    f"{won}。{_differences(spec, value_cols, df, winner.name, idx, raw, log)}",
                    advice, "conflict")
    return df.drop(index=drop)


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
    typed = pd.DataFrame(index=data.index)
    for col in spec.columns:
        typed[col.name] = _parse_column(data, col, spec, city, year, log, bad)
    for name in META_COLUMNS:
        typed[name] = data[name]
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
    good = typed[~typed.index.isin(list(bad))]
    return _dedupe(good, spec, log, raw=data).reset_index(drop=True)


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
