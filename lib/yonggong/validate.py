"""Schemas (pandera, lazy: every failure collected) and cross-table rules for clean tables.

Row rules that concern one table live in pandera schemas built from ``params/tables.yaml``
(counts are non-negative, 在岗人数 ≤ 员工总数, …); rules that need two tables (a ledger row
whose enterprise is not on the list in force, C's rows against B's 缺工人数) are plain
functions. Each failure becomes a `faults.Fault`; rows with a 错误 are dropped by the caller.
"""

from __future__ import annotations

import functools

import pandas as pd
import pandera.pandas as pa

from .faults import ERROR, WARNING, FaultLog
from .reference import TableSpec, table_specs

# Row rules beyond "counts are non-negative": (table, rule id, level, columns, check, problem, advice)
ROW_RULES = {
    "B": [
        ("on_post_le_total", ERROR, ["在岗人数", "员工总数"],
         lambda df: df["在岗人数"].isna() | df["员工总数"].isna() | (df["在岗人数"] <= df["员工总数"]),
         "在岗人数大于员工总数", "请核对在岗人数与员工总数"),
        ("returned_le_total", WARNING, ["已返岗人数", "员工总数"],
         lambda df: df["已返岗人数"].isna() | df["员工总数"].isna() | (df["已返岗人数"] <= df["员工总数"]),
         "已返岗人数大于员工总数", "请核对已返岗人数"),
    ],
    "A": [
        ("removal_reason", WARNING, ["调整原因"],
         lambda df: (df["状态"] != "调出") | df["调整原因"].notna(),
         "状态为“调出”但未填写调整原因", "请补填调出原因"),
    ],
    "J": [
        ("closed_after_received", ERROR, ["办结时间"],
         lambda df: df["办结时间"].isna() | df["受理时间"].isna() | (df["办结时间"] >= df["受理时间"]),
         "办结时间早于受理时间", "请核对办结时间"),
    ],
}


def warm_up() -> None:
    """Build every table's schema and let pandera load its checks (about 0.1 s, once per
    process): the warm kernels of ``invoke all`` do it before their first city."""
    for spec in table_specs().values():
        schema_for(spec)
    pa.DataFrameSchema({"x": pa.Column("Int64", pa.Check(lambda s: s >= 0))}).validate(
        pd.DataFrame({"x": pd.array([1], dtype="Int64")}))


NUMERIC = ("int", "money", "number")  # column types whose values must not be negative


def _non_negative(s: pd.Series) -> pd.Series:
    return s.isna() | (s >= 0)


def _dtype_of(col) -> str:
    """The dtype a clean column has (the schema's, checked without coercion)."""
    return "Int64" if col.type == "int" else "object"


@functools.cache
def schema_for(spec: TableSpec) -> pa.DataFrameSchema:
    """A pandera schema for a clean table: counts ≥ 0 and the table's row rules (made once per
    table and process)."""
    columns = {}
    for col in spec.columns:
        checks = []
        if col.type in NUMERIC:
            checks.append(pa.Check(_non_negative, element_wise=False,
                                   error=f"{col.name}不能为负数", name="non_negative"))
        columns[col.name] = pa.Column(_dtype_of(col), checks=checks, nullable=True, required=False, coerce=False)
    checks = [
        pa.Check(fn, name=rule, error=problem)
        for rule, _level, _cols, fn, problem, _advice in ROW_RULES.get(spec.code, [])
    ]
    return pa.DataFrameSchema(columns, checks=checks, strict=False, coerce=False)


def passes(spec: TableSpec, df: pd.DataFrame) -> bool:
    """Whether every check of the table's schema (:func:`schema_for`) holds on every row: each
    column of the schema present has the schema's dtype, its counts are not negative, and every
    row rule holds. The same predicates as the schema, evaluated directly; anything unexpected
    answers False (the schema then runs and reports)."""
    try:
        for col in spec.columns:
            if col.name not in df.columns:
                continue
            s = df[col.name]
            if str(s.dtype) != _dtype_of(col):
                return False
            if col.type in NUMERIC and not bool(_non_negative(s).all()):
                return False
        return all(bool(fn(df).all()) for _rule, _level, _cols, fn, _p, _a in ROW_RULES.get(spec.code, []))
    except Exception:  # noqa: BLE001 (a check that cannot run here is pandera's to report)
        return False


def check_rows(code: str, df: pd.DataFrame, log: FaultLog) -> pd.DataFrame:
    """Run the table's schema lazily; report every failure; drop rows with a 错误. A table on
    which every check holds (:func:`passes`, the common case) is returned without running the
    schema: pandera's machinery costs more than the rows on a city's tables."""
    if df.empty:
        return df
    spec = table_specs()[code]
    if passes(spec, df):
        return df
    schema = schema_for(spec)
    rules = {}
    for rule, level, cols, _fn, problem, advice in ROW_RULES.get(code, []):
        rules[rule] = rules[problem] = (rule, level, cols[0], problem, advice)
    try:
        schema.validate(df, lazy=True)
        return df
    except pa.errors.SchemaErrors as err:
        cases = err.failure_cases
    seen: set = set()
    dropped: set = set()
    for _, case in cases.iterrows():
        idx = case["index"]
        if idx is None or (isinstance(idx, float) and idx != idx) or idx not in df.index:
            continue
        check = str(case["check"])
        if check in rules:  # a row rule (pandera reports one case per column: keep one)
            rule, level, column, problem, advice = rules[check]
        else:  # a column check: counts must not be negative
            column = str(case["column"])
            rule, level, problem, advice = "non_negative", ERROR, f"{column}不能为负数", f"请核对{column}"
        if (idx, rule, column) in seen:
            continue
        seen.add((idx, rule, column))
        log.add(level, spec, df.loc[idx], column, problem, advice, rule)
        if level == ERROR:
            dropped.add(idx)
    return df[~df.index.isin(list(dropped))]


def check_ledger_against_list(b: pd.DataFrame, in_force: pd.DataFrame, log: FaultLog) -> pd.DataFrame:
    """Ledger rows must name an enterprise on the list in force (else 错误, dropped);
    a name differing from the list is a 警告."""
    if b.empty:
        return b
    spec = table_specs()["B"]
    names = dict(zip(in_force["统一社会信用代码"], in_force["企业名称"], strict=False))
    keep = []
    for idx, row in b.iterrows():
        code = row["统一社会信用代码"]
        if code not in names:
            log.add(ERROR, spec, row, "统一社会信用代码", "该企业不在当日重点企业清单内",
                    "如需纳入，请先在重点企业清单（表A）中增加该企业", "not_on_list")
            continue
        if row["企业名称"] and row["企业名称"] != names[code]:
            log.add(WARNING, spec, row, "企业名称", f"企业名称与清单不一致（清单为“{names[code]}”）",
                    "请统一企业名称", "name_differs")
        keep.append(idx)
    return b.loc[keep]


def check_vacancies_against_ledger(c: pd.DataFrame, ledger: pd.DataFrame, log: FaultLog) -> None:
    """The vacancy rows of an enterprise should add up to its 缺工人数 in B (警告 if not)."""
    if c.empty or ledger.empty:
        return
    spec = table_specs()["C"]
    shortage = ledger.set_index("统一社会信用代码")["缺工人数"]
    sums = c.groupby("统一社会信用代码")["缺工人数"].sum()
    for code, total in sums.items():
        if code not in shortage.index or pd.isna(shortage[code]):
            continue
        if int(total) != int(shortage[code]):
            first = c[c["统一社会信用代码"] == code].iloc[0]
            log.add(WARNING, spec, first, "缺工人数",
                    f"该企业空岗明细合计{int(total)}人，与台账缺工人数{int(shortage[code])}人不一致",
                    "请核对空岗明细或台账缺工人数", "vacancy_sum")
