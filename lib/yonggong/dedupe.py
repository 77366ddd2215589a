"""Duplicate rows of a typed table: exact duplicates collapse into one (a 警告 on the dropped
row), rows with the same key but different contents are resolved in favour of the newest file
(a 警告 on both rows naming the record, the other row, the outcome and every differing column
with both values). :func:`dedupe` is called by ``clean.clean_table``.
"""

from __future__ import annotations

import pandas as pd

from .faults import WARNING, FaultLog, as_text, show_value
from .reference import ColumnSpec, TableSpec


def _key_of(v: object) -> str:
    """A typed value as compared by ``_signature`` (every missing form is None)."""
    return repr(None if v is None or v is pd.NA or (isinstance(v, float) and v != v) else v)


def _signature(row: pd.Series) -> str:
    return "\x1f".join(map(_key_of, row))


def _shown(v: object, col: ColumnSpec | None) -> str:
    """``as_text``, masked as ``show_value`` masks personal columns; （空） when blank."""
    text = as_text(v)
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
        if any(c.name == "企业名称" for c in spec.columns) and as_text(r.get("企业名称")):
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


def dedupe(df: pd.DataFrame, spec: TableSpec, log: FaultLog, raw: pd.DataFrame | None = None) -> pd.DataFrame:
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
