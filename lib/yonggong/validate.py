"""Row rules of one clean table and cross-table rules, each failure a `faults.Fault`.

Rules that concern one table (counts are non-negative, 在岗人数 ≤ 员工总数, …) are evaluated
column-wise on the whole table: every failing row of every rule is collected, as a lazy pandera
schema would (tests/test_validate.py builds that schema and holds the two to the same
failures). Rules that need two tables (a ledger row whose enterprise is not on the list in force,
C's rows against B's 缺工人数) are plain functions. Rows with a 错误 are dropped.
"""

from __future__ import annotations

import pandas as pd

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


NUMERIC = ("int", "money", "number")  # column types whose values must not be negative


def failures(spec: TableSpec, df: pd.DataFrame) -> list[tuple]:
    """Every failing row of the table's rules, as (index, rule, level, column, problem, advice):
    the row rules in their order, then "counts are non-negative" column by column, each in row
    order. A rule passes on a row whose cells are all blank, a count check ignores blank cells,
    and a rule that cannot be evaluated on the table (a column of another type) reports nothing."""
    out = []
    for rule, level, cols, fn, problem, advice in ROW_RULES.get(spec.code, []):
        try:
            ok = (fn(df) | df.isna().all(axis="columns")).astype(bool)
        except Exception:  # noqa: BLE001 (not evaluable here: no row fails it)
            continue
        out += [(idx, rule, level, cols[0], problem, advice) for idx in df.index[~ok.to_numpy()]]
    for col in spec.columns:
        if col.type not in NUMERIC or col.name not in df.columns:
            continue
        s = df[col.name].dropna()
        try:
            ok = (s >= 0).astype(bool)
        except Exception:  # noqa: BLE001
            continue
        out += [(idx, "non_negative", ERROR, col.name, f"{col.name}不能为负数", f"请核对{col.name}")
                for idx in s.index[~ok.to_numpy()]]
    return out


def check_rows(code: str, df: pd.DataFrame, log: FaultLog) -> pd.DataFrame:
    """Report every failure of the table's rules (:func:`failures`); drop rows with a 错误."""
    if df.empty:
        return df
    spec = table_specs()[code]
    dropped = set()
    for idx, rule, level, column, problem, advice in failures(spec, df):
        log.add(level, spec, df.loc[idx], column, problem, advice, rule)
        if level == ERROR:
            dropped.add(idx)
    return df[~df.index.isin(list(dropped))] if dropped else df


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
