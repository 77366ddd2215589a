"""Turn recognised raw tables into typed tables, collecting every fault on the way.

For each column the type declared in ``params/tables.yaml`` decides the parser; each
distinct raw value is parsed once (``parse.parse_series``) so big tables stay fast. Total
rows (合计/总计/小计) are checked against the rows above them and dropped; exact duplicates
collapse; conflicting duplicates keep the row of the newest file. A row with any 错误 is
left out of the clean table; 警告 rows are kept. Every fault names file, sheet, Excel row,
column (as written in the file), the value (masked when personal) and what to do.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import asdict, dataclass

import pandas as pd

from . import codes
from .ingest import META_COLUMNS, Inbox
from .parse import parse_series
from .reference import City, ColumnSpec, TableSpec, categories, resolve_county, table_specs

ERROR = "错误"
WARNING = "警告"


@dataclass
class Fault:
    """One line of the 数据质量报告."""

    level: str  # 错误 / 警告
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


def show_value(value: object, col: ColumnSpec | None) -> str:
    """The original cell as text for the report, masked when the column is personal."""
    if value is None or (isinstance(value, float) and value != value):
        return ""
    text = str(value)
    if col is not None and col.personal:
        if col.type == "idno":
            return codes.mask_idno(text)
        if col.type == "phone":
            return codes.mask_phone(text)
        return codes.mask_name(text)
    return text[:200]


class FaultLog:
    """Collects faults for one city day; knows the header text of every sheet."""

    def __init__(self, inbox: Inbox):
        self.faults: list[Fault] = []
        self._headers = {(s.file, s.sheet): s.headers for s in inbox.sheets}
        for issue in inbox.issues:
            self.faults.append(Fault(issue.level, "", issue.file, issue.sheet, None, "", "",
                                     issue.problem, issue.advice, "sheet"))

    def header(self, file: str, sheet: str, column: str) -> str:
        return self._headers.get((file, sheet), {}).get(column, column)

    def add(self, level, spec: TableSpec, row: pd.Series | dict, column: str, problem: str,
            advice: str, rule: str, value: object = None) -> None:
        col = None
        if column:
            try:
                col = spec.column(column)
            except KeyError:
                col = None
        raw = row.get(column) if value is None and column else value
        self.faults.append(Fault(
            level, spec.code, row["_file"], row["_sheet"], int(row["_row"]),
            self.header(row["_file"], row["_sheet"], column) if column else "",
            show_value(raw, col), problem, advice, rule))

    def frame(self) -> pd.DataFrame:
        df = pd.DataFrame([f.as_dict() for f in self.faults], columns=FAULT_COLUMNS)
        df["_order"] = df["row"].fillna(0)
        df = df.sort_values(["file", "sheet", "_order", "column"], kind="stable").drop(columns="_order")
        return df.reset_index(drop=True)


def _nfkc(v: object) -> str:
    return "".join(unicodedata.normalize("NFKC", str(v)).split())


def _split_totals(raw: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Separate 合计/总计/小计 rows (flagged by ingest from any cell of the row) from data rows."""
    if raw.empty:
        return raw, raw
    mask = raw["_total"].fillna(False).astype(bool)
    return raw[~mask], raw[mask]


def _check_totals(totals: pd.DataFrame, data: pd.DataFrame, spec: TableSpec, log: FaultLog, year: int):
    """A total row must equal the sum of the rows above it in the same sheet (else 警告)."""
    int_cols = [c.name for c in spec.columns if c.type == "int" and c.name in data.columns]
    for _, trow in totals.iterrows():
        above = data[(data["_file"] == trow["_file"]) & (data["_sheet"] == trow["_sheet"])
                     & (data["_row"] < trow["_row"])]
        for name in int_cols:
            tval, _ = parse_series(pd.Series([trow[name]]), "int", year)
            if pd.isna(tval.iloc[0]):
                continue
            total = int(above[name].dropna().sum()) if name in above else 0
            if int(tval.iloc[0]) != total:
                log.add(WARNING, spec, trow, name,
                        f"合计行数值{int(tval.iloc[0])}与上方各行之和{total}不符",
                        "合计行不参与计算，已按明细行重新汇总；请核对明细或合计", "total_row")


def _parse_column(df: pd.DataFrame, col: ColumnSpec, spec: TableSpec, city: City, year: int,
                  log: FaultLog, bad: set) -> pd.Series:
    """Parse one column; add faults; mark rows with 错误 in ``bad``."""
    s = df[col.name]
    kind = col.type
    if kind in ("uscc", "idno"):
        check = codes.check_uscc if kind == "uscc" else codes.check_idno
        cache = {}
        out = []
        for idx, v in s.items():
            if v is None or (isinstance(v, float) and v != v) or str(v).strip() == "":
                out.append(None)
                continue
            key = str(v)
            if key not in cache:
                cache[key] = check(key)
            res = cache[key]
            out.append(res.value)
            name = "统一社会信用代码" if kind == "uscc" else "身份证号"
            if not res.valid:
                bad.add(idx)
                log.add(ERROR, spec, df.loc[idx], col.name, f"{name}无效：{res.reason}",
                        f"请核对{name}，以营业执照/身份证为准", f"{kind}_check")
            elif res.old_form:
                log.add(WARNING, spec, df.loc[idx], col.name, "15位旧身份证号，无法校验",
                        "请尽量更新为18位身份证号", "idno_old")
            elif res.normalised:
                log.add(WARNING, spec, df.loc[idx], col.name,
                        f"{name}含小写、全角字符或空格，已规范为{res.value if kind == 'uscc' else codes.mask_idno(res.value)}",
                        "请在原表中改为大写半角", f"{kind}_normalised")
        return pd.Series(out, index=s.index, dtype=object)
    if kind == "county":
        out = []
        cache = {}
        for idx, v in s.items():
            if v is None or (isinstance(v, float) and v != v) or str(v).strip() == "":
                out.append(None)
                continue
            key = str(v)
            if key not in cache:
                cache[key] = resolve_county(key, city)
            m = cache[key]
            if m.county is None:
                out.append(None)
                bad.add(idx)
                log.add(ERROR, spec, df.loc[idx], col.name, f"县区无法确定：{m.note}",
                        f"请填写{city.full_name}所辖县（市、区）的规范名称", "county")
            else:
                out.append(m.county.name)
                if m.note:
                    log.add(WARNING, spec, df.loc[idx], col.name, m.note, "请在原表中改为规范名称",
                            "county_alias")
        return pd.Series(out, index=s.index, dtype=object)
    if kind in ("category", "enum"):
        allowed = list(categories()) if kind == "category" else list(col.values)
        codes_map = {str(i + 1): n for i, n in enumerate(categories())} if kind == "category" else {}
        out = []
        for idx, v in s.items():
            if v is None or (isinstance(v, float) and v != v) or _nfkc(v) in ("", "-", "—", "/"):
                out.append(col.default)
                continue
            text = _nfkc(v)
            text = codes_map.get(text.removesuffix(".0"), text)
            if text in allowed:
                out.append(text)
            else:
                out.append(None)
                level = ERROR if col.required else WARNING
                if level == ERROR:
                    bad.add(idx)
                log.add(level, spec, df.loc[idx], col.name, f"“{v}”不在可选值中",
                        "可选值：" + "、".join(allowed), kind)
        return pd.Series(out, index=s.index, dtype=object)
    parser = {"text": "text", "int": "int", "number": "number", "money": "money", "rate": "rate",
              "salary": "salary", "date": "date", "datetime": "datetime", "bool": "bool",
              "list": "list", "phone": "phone"}[kind]
    values, problems = parse_series(s, parser, year)
    for _, p in problems.iterrows():
        if not p["level"]:
            continue
        idx = p["index"]
        if p["level"] == ERROR:
            bad.add(idx)
        log.add(p["level"], spec, df.loc[idx], col.name, p["note"], _advice(kind), f"parse_{kind}")
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


def _signature(row: pd.Series) -> str:
    return "\x1f".join(repr(None if v is None or v is pd.NA or (isinstance(v, float) and v != v) else v)
                        for v in row)


def _dedupe(df: pd.DataFrame, spec: TableSpec, log: FaultLog) -> pd.DataFrame:
    """Collapse exact duplicates; resolve key conflicts by the newest file (both reported)."""
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
    for _, grp in work.groupby(key, sort=False, dropna=False):
        grp = grp.sort_values(["_mtime", "_file", "_row"], kind="stable")
        first_seen: dict[str, pd.Series] = {}
        for idx, r in grp.iterrows():  # exact duplicates: keep the first, report the others
            if r["_sig"] in first_seen:
                orig = first_seen[r["_sig"]]
                drop.append(idx)
                log.add(WARNING, spec, r, "", f"重复行：与 {orig['_file']} 第{int(orig['_row'])}行完全相同，已合并",
                        "删除重复行即可", "duplicate")
            else:
                first_seen[r["_sig"]] = r
        distinct = grp[~grp.index.isin(drop)]
        winner = distinct.iloc[-1]  # conflicts: the row of the newest file wins
        for idx, r in distinct.iloc[:-1].iterrows():
            drop.append(idx)
            log.add(WARNING, spec, r, "",
                    f"与 {winner['_file']} 第{int(winner['_row'])}行主键相同但内容不同，已采用较新文件的行",
                    "请核实哪一行正确，并删除另一行", "conflict")
            log.add(WARNING, spec, winner, "",
                    f"与 {r['_file']} 第{int(r['_row'])}行主键相同但内容不同，采用本行（文件较新）",
                    "请核实哪一行正确，并删除另一行", "conflict")
    return df.drop(index=drop)


def clean_table(code: str, raw: pd.DataFrame, city: City, report_date: dt.date,
                log: FaultLog) -> pd.DataFrame:
    """Typed rows of table ``code`` without total rows, duplicates and 错误 rows."""
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
        rng = typed["薪酬"]
        for idx, v in rng.items():
            if isinstance(v, tuple):
                if pd.isna(typed.at[idx, "月薪下限"]) and v[0] is not None:
                    typed.at[idx, "月薪下限"] = v[0]
                if pd.isna(typed.at[idx, "月薪上限"]) and v[1] is not None:
                    typed.at[idx, "月薪上限"] = v[1]
    if not totals.empty:
        _check_totals(totals, typed, spec, log, year)
    good = typed[~typed.index.isin(list(bad))]
    return _dedupe(good, spec, log).reset_index(drop=True)
