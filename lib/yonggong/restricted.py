"""Lists with personal data, written only under ``<city day>/restricted/``.

* 专车需求: returning workers (table F) who need transport and are not yet on post, grouped by
  出发地 and 计划返岗日期 — the basis for 专车专列 requests — with the names behind each group;
* 逾期未到岗: workers not on post whose planned return day has passed;

返岗企业 shows the enterprise's name (a credit code written there is looked up on the list,
``match.enterprise_columns``) with its 统一社会信用代码 beside it.
* 跨区域招聘意向 by 意向输出地 (table E), for 劳务协作对接.

Nothing here is shown in a notebook or a log; the notebook only shows counts.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd

from . import catalogue
from .match import enterprise_columns
from .tablebook import write_tables

F_COLUMNS = ["姓名", "身份证号", "手机号", "出发地", "返岗企业", "计划返岗日期", "需要专车", "已到岗", "到岗日期"]
LIST_COLUMNS = ["姓名", "身份证号", "手机号", "出发地", "返岗企业", "统一社会信用代码", "计划返岗日期"]


def named(f: pd.DataFrame, enterprises: pd.DataFrame | None) -> pd.DataFrame:
    """Table F rows with 返岗企业 as the enterprise's name and 统一社会信用代码 beside it."""
    firm, code = enterprise_columns(f["返岗企业"], enterprises)
    return f.assign(返岗企业=firm, 统一社会信用代码=code)


def _not_on_post(f: pd.DataFrame) -> pd.Series:
    return f["已到岗"].fillna(False).astype(bool) == False  # noqa: E712


def transport_groups(f: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(groups by 出发地 and 计划返岗日期 with head counts, the workers behind them)."""
    need = f[f["需要专车"].fillna(False).astype(bool) & _not_on_post(f)]
    cols = [c for c in LIST_COLUMNS if c in need.columns]
    people = need.sort_values(["出发地", "计划返岗日期", "身份证号"])[cols].reset_index(drop=True)
    groups = (need.groupby(["出发地", "计划返岗日期"], sort=True).size().reset_index(name="人数"))
    return groups, people


def overdue(f: pd.DataFrame, day: dt.date) -> pd.DataFrame:
    """Workers not on post whose 计划返岗日期 is before ``day``, with days overdue."""
    late = f[_not_on_post(f) & (f["计划返岗日期"] < day)].copy()
    late["逾期天数"] = (pd.Timestamp(day) - pd.to_datetime(late["计划返岗日期"])).dt.days.astype("int64")
    cols = [c for c in LIST_COLUMNS if c in late.columns]
    return late.sort_values(["逾期天数", "出发地"], ascending=[False, True])[[*cols, "逾期天数"]].reset_index(drop=True)


def recruitment_by_origin(e: pd.DataFrame, names: dict[str, str]) -> pd.DataFrame:
    """Cross-region recruitment intentions per 意向输出地: head count and enterprises."""
    if e is None or e.empty:
        return pd.DataFrame(columns=["意向输出地", "招工人数", "企业数", "企业"])
    rows = e.assign(意向输出地=e["意向输出地"].map(lambda v: list(v) if isinstance(v, tuple) and v else ["未注明"]))
    rows = rows.explode("意向输出地")
    rows["企业"] = rows["统一社会信用代码"].map(lambda c: names.get(c, c))
    out = rows.groupby("意向输出地", sort=True).agg(
        招工人数=("招工人数", "sum"), 企业数=("统一社会信用代码", "nunique"),
        企业=("企业", lambda s: "、".join(sorted(set(s)))))
    return out.reset_index().sort_values(["招工人数", "意向输出地"], ascending=[False, True]).reset_index(drop=True)


def write_restricted(folder: Path, city_name: str, day: dt.date, f: pd.DataFrame | None,
                     e: pd.DataFrame | None, enterprises: pd.DataFrame | None) -> list[Path]:
    """Write the restricted workbooks; returns their paths (none when there is nothing to list).
    ``enterprises``: the list (统一社会信用代码, 企业名称) that names the enterprises."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    names = {} if enterprises is None else dict(zip(enterprises["统一社会信用代码"], enterprises["企业名称"], strict=True))
    if f is not None and not f.empty:
        f = named(f, enterprises)
        groups, people = transport_groups(f)
        path = folder / catalogue.file_name("returns", city_name, day)
        write_tables(path, [
            ("专车需求汇总", f"{city_name}返岗人员专车需求（按出发地、计划返岗日期）{day.isoformat()}",
             groups),
            ("专车需求名单", "需要专车且未到岗人员名单（内部使用，严禁外传）", people),
            ("逾期未到岗名单", f"计划返岗日期已过仍未到岗人员（截至{day.isoformat()}）", overdue(f, day)),
        ])
        written.append(path)
    if e is not None and not e.empty:
        path = folder / catalogue.file_name("recruitment", city_name, day)
        write_tables(path, [("跨区域招聘意向", f"{city_name}跨区域招聘意向（按意向输出地，供劳务协作对接）{day.isoformat()}",
                              recruitment_by_origin(e, names))])
        written.append(path)
    return written
