"""Small display helpers for the notebooks: tables a reviewer wants to see, no personal data.

Each returns a DataFrame (or Styler) so a notebook cell stays one line.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from .pipeline import CityDay
from .reference import table_specs
from .report import summary


def sheet_table(cd: CityDay) -> pd.DataFrame:
    """Which sheet of which file was recognised as which table, and what could not be used.

    Parameters
    ----------
    cd : pipeline.CityDay
        The city day (``pipeline.load``).

    Returns
    -------
    pandas.DataFrame
        One row per sheet read, then one per sheet or file not used: 文件, 工作表, 识别为
        (table code and name, or 未使用 and the reason), 表头行, 数据行数.
    """
    rows = [{"文件": s.file, "工作表": s.sheet, "识别为": f"{s.table} {table_specs()[s.table].name}",
             "表头行": "、".join(str(r) for r in s.header_rows), "数据行数": len(s.data)}
            for s in cd.inbox.sheets]
    rows += [{"文件": i.file, "工作表": i.sheet, "识别为": f"未使用：{i.problem}", "表头行": "", "数据行数": 0}
             for i in cd.inbox.issues]
    return pd.DataFrame(rows, columns=["文件", "工作表", "识别为", "表头行", "数据行数"])


def quality_summary(cd: CityDay) -> pd.DataFrame:
    """Fault counts by table, level and rule (the 汇总 sheet of the quality report).

    Parameters
    ----------
    cd : pipeline.CityDay
        The city day (``pipeline.load``).

    Returns
    -------
    pandas.DataFrame
        表, 级别, 规则, 条数 (``report.summary`` of the day's faults).
    """
    return summary(cd.faults)


def ledger_overview(cd: CityDay) -> pd.DataFrame:
    """Per county: enterprises by 报送状态 and the five clears summed (no phones, no names).

    Parameters
    ----------
    cd : pipeline.CityDay
        The city day (``pipeline.load``).

    Returns
    -------
    pandas.DataFrame
        Index 县区; one column of enterprise counts per 报送状态 in the ledger, then the sums of
        员工总数, 在岗人数 and 缺工人数.
    """
    led = cd.ledger
    counts = led.pivot_table(index="县区", columns="报送状态", values="统一社会信用代码", aggfunc="count",
                             fill_value=0)
    sums = led.groupby("县区")[["员工总数", "在岗人数", "缺工人数"]].sum()
    return counts.join(sums)


def figures_table(cd: CityDay) -> pd.DataFrame:
    """The 汇总表 figures transposed (one column per county), "—" for not reported.

    Parameters
    ----------
    cd : pipeline.CityDay
        The city day (``pipeline.load``).

    Returns
    -------
    pandas.DataFrame
        Index the figure keys; one column per row of ``cd.figures`` (counties, 市本级, 合计);
        values as text (integers without decimals, others to one decimal).
    """
    f = cd.figures.T
    return f.map(lambda v: "—" if pd.isna(v) else (f"{v:.1f}" if v != int(v) else f"{int(v)}"))


def trend_table(cd: CityDay) -> pd.DataFrame:
    """The city's 合计 over the last days: enterprises, resumed, shortage, placements.

    Parameters
    ----------
    cd : pipeline.CityDay
        The city day (``pipeline.load``).

    Returns
    -------
    pandas.DataFrame
        Index the days (YYYY-MM-DD) of ``cd.trend``; columns 重点企业数, 已复工企业数, 复工率,
        缺工人数, 当日解决, 累计解决用工, 缺工解决率, as text ("—" for not reported).
    """
    cols = ["重点企业数", "已复工企业数", "复工率", "缺工人数", "当日解决_合计", "累计解决用工", "缺工解决率"]
    t = cd.trend[cols].copy()
    t.index = [d.isoformat() for d in t.index]
    return t.rename(columns={"当日解决_合计": "当日解决"}).map(
        lambda v: "—" if pd.isna(v) else (f"{v:.1f}" if v != int(v) else f"{int(v)}"))


def file_list(paths: list[Path]) -> pd.DataFrame:
    """Names and sizes of the files a run wrote.

    Parameters
    ----------
    paths : list of str or Path
        The files written (e.g. the list ``products.write_all`` returns); each must exist.

    Returns
    -------
    pandas.DataFrame
        One row per file, in the given order: 文件 (name), 大小(KB) (size, one decimal).
    """
    return pd.DataFrame([{"文件": Path(p).name, "大小(KB)": round(Path(p).stat().st_size / 1024, 1)}
                         for p in paths], columns=["文件", "大小(KB)"])
