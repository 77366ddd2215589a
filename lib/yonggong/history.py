"""Every published day and city (and province day) under an outputs folder as tidy pandas DataFrames.

For ad hoc questions in JupyterLab (``notebooks/explore.ipynb`` is the worked example)::

    from yonggong import history, history_view
    h = history.load()                        # outputs/ (or history.load("path/to/outputs"))
    h.ledger, h.figures, h.vacancies, h.placements, h.faults

    history.submissions(start="2020-02-24")   # the province's 报送情况 per day: who was late, missing, returned
    history.checks()                          # the province's 审核问题 per day
    history.province()                        # the official roll-up as the province 汇总表 filed it

This module only reads (no brief, charts or lab: presentation is elsewhere). Questions about
the tables and their charts are in ``history_view``::

    history_view.shortage_trend(h)                 # city x day 缺工人数 (合计 rows)
    history_view.persistent_shortages(h, days=7)   # occupations short on every day of the window
    history_view.rising_counties(h)                # counties whose shortage rose
    history_view.faults_by(h, ["县区", "rule"])     # data-quality faults by county and rule, per day
    history_view.city_vs_province(h, "南昌")        # one city against the province
    history_view.counties(h, "缺工人数")            # h.figures of the counties only (no 市本级, 合计)
    history_view.chart_shortage(h)                 # … and charts of them (chart_trend, chart_rising …)

What is read: every ``<outputs>/<YYYY-MM-DD>/<市>/`` folder that holds a ``manifest.json``
(a published city run; ``failed/``, ``.tmp-*``, ``省``, ``roster/``, ``templates/``, ``bench/``
and anything else are not city folders and are skipped), and in it the parquet files a run
writes (``products.write_ledger`` and ``tidy.write_tidy``; xlsx is for people). A folder
written before a product existed (or a damaged file) contributes no rows to that table
(``History.missing`` lists such files). Reading is pyarrow, in parallel: a week of the
whole province (77 folders) loads in a fraction of a second.

Tables (one row per …; every table starts with 日期 = the report day of the run and 设区市 =
the city's short name; strings are pandas ``str``, counts nullable ``Int64``, flags nullable
``boolean``, dates ``datetime64``, other numbers ``float64`` with NaN for missing):

``ledger`` — enterprise and day (the 台账: every enterprise on the list in force)
    日期, 设区市, 县区, 统一社会信用代码, 企业名称, 企业类别, 清单来源, 纳入日期,
    员工总数, 在岗人数, 缺工人数 (the five clears: blank when 报送状态 is 未报送),
    是否复工, 产能恢复率 (%), 已返岗人数, 问题困难类型, 问题困难, 问题是否解决, 富余人数,
    填报日期 (date of the ledger row used; earlier than 日期 when carried forward),
    报送状态 (已报送 / 沿用 / 未报送), and two derived flags as counted in the 汇总表:
    缺工企业 (缺工人数 > 0) and 未解决问题 (a problem is named and not marked solved).
    Liaison names and phones of the 台账 are not loaded.

``figures`` — 汇总表 cell: one row per row of the 汇总表 (县区: each county, 市本级, 合计)
    and figure: 日期, 设区市, 县区, 指标 (the indicator's label from params/indicators.yaml:
    重点企业数, 缺工人数, 空岗人数（普工）, 当日解决用工, 缺工解决率 …; every function here also
    accepts the indicator's key, e.g. 空岗_普工), 数值 (NaN where the 汇总表 shows "—": the
    source table was not sent that day, or a rate's denominator is 0). Rates are percentages
    rounded to one decimal, as in the 汇总表.

``vacancies`` — vacancy row of table C sent for the day (as counted in 空岗_*)
    日期, 设区市, 县区, 统一社会信用代码, 企业名称, 岗位名称, 岗位类别 (derived from 技能要求
    when blank), 缺工人数, 职业编码, 技能要求, 月薪下限, 月薪上限, 薪酬, 招聘范围, 填报日期.
    A day without table C has no rows for that city. 县区 is the enterprise's county on the
    list in force (blank for an enterprise not on it; the 汇总表 does not count those).

``placements`` — placement row of table D, from the folder of the report day
    日期 (the report day whose folder carried the row), 设区市, 县区, 统一社会信用代码,
    企业名称, 解决日期 (the row's own date), 解决渠道 (本地招聘, 跨区域招聘, 组织返岗, 余缺调剂,
    学生实习, 志愿者), 人数, 调剂来源企业. Each row sent appears once in the history; the
    汇总表's 当日解决 of a day are the rows with 解决日期 = 日期 (rows sent late count on
    their 解决日期 when grouped by it).

``faults`` — line of the day's 数据质量报告 (错误 rows were left out of the figures)
    日期, 设区市, 县区 (the faulty row's own 县区 cell, else its enterprise's county; blank
    when unknown, e.g. a total row or an unreadable sheet), level (错误 / 警告), table (A–P,
    blank for a file-level problem), file, sheet, row (Excel row), column, value (masked when
    personal), problem, advice, rule (short rule id, e.g. uscc_check).

The province's days (``submissions``, ``checks``, ``province``) are read from every
``<outputs>/<YYYY-MM-DD>/省/`` folder holding a ``manifest.json`` (``published_province``: 日期,
目录), from the parquet files the province run writes beside its xlsx (``province.parquet.write_tidy``;
names in ``province.common.names``: 报送情况_ / 审核问题_ / 汇总数据_江西省_<YYYYMMDD>.parquet). Each of these
functions takes ``outputs`` (default ``outputs/``) and ``start`` / ``end`` (YYYY-MM-DD,
inclusive) and returns one DataFrame, oldest day first, typed as above (also when empty). A
province folder written before these files existed (or a damaged file) contributes no rows:
the frame's ``attrs["missing"]`` lists the expected files not read (an empty list when none).
设区市 is the city's short name, as in the city tables; blank cells are null.

``submissions`` — city and province day (the 报送情况 sheet of the province 汇总表; 11 rows a day)
    日期, 设区市, 状态 (按时 / 迟报 / 未报送 / 退回), 收到时间 (when the counted file came, to the
    second; NaT when nothing came), 时间来源 (收件登记 / 文件修改时间 / 本机运行完成时间), 迟报时长
    (text, e.g. 1小时20分), 文件 (the file counted), 问题 (the day's notes on the city: why it was
    returned, checks to follow up), 迟报分钟 (``Int64``: minutes after the deadline, rounded up as
    in 迟报时长; null when the file came in time or nothing came; a returned file may be late too,
    so "late cities" are 状态 == 迟报).

``checks`` — failed check of a province day (the 审核问题 sheet)
    日期, 设区市 (（未识别） for a file whose city could not be told), 文件, 检查 (版式, 数据截至,
    填报单位, 合计, 比率, 负数, 县区, 逐日变化 …), 位置, 值, 应为, 说明, 处理 (退回 / 提醒).

``province`` — cell of the province 汇总表 (and its 劳务输出 sheet): the official roll-up as filed
    日期, 设区市 (each city in GB/T 2260 order, then the total row labelled as the 汇总表 labels it:
    全省合计, params/province.yaml ``total_label``), 指标 (label as in ``figures``), 数值 (NaN where
    the 汇总表 shows "—", and for a city not rolled up that day: 退回 / 未报送, see
    ``submissions``). 全省合计 counts only the cities accepted that day; ``history_view.province_totals`` is
    instead the re-sum of the city runs loaded.

No personal data is in any of them (tables F and M are never written to these files; the
province files carry no liaison names or phones).
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from . import catalogue, indicators, paths, tidy
from .errors import UserError
from .reference import cities, resolve_city

LEDGER_SCHEMA = {
    "日期": tidy.DATE, "设区市": tidy.STR, "县区": tidy.STR, "统一社会信用代码": tidy.STR,
    "企业名称": tidy.STR, "企业类别": tidy.STR, "清单来源": tidy.STR, "纳入日期": tidy.DATE,
    "员工总数": tidy.INT, "在岗人数": tidy.INT, "缺工人数": tidy.INT, "是否复工": "boolean",
    "产能恢复率": tidy.FLOAT, "已返岗人数": tidy.INT, "问题困难类型": tidy.STR, "问题困难": tidy.STR,
    "问题是否解决": "boolean", "富余人数": tidy.INT, "填报日期": tidy.DATE, "报送状态": tidy.STR,
}
SCHEMAS = {"ledger": LEDGER_SCHEMA, **tidy.SCHEMAS}
KINDS = ("ledger", "figures", "vacancies", "placements", "faults")
LEDGER_FLAGS = ["缺工企业", "未解决问题"]
COLUMNS = {kind: list(schema) + (LEDGER_FLAGS if kind == "ledger" else []) for kind, schema in SCHEMAS.items()}
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ARROW = {tidy.STR: pa.large_string(), tidy.INT: pa.int64(), tidy.FLOAT: pa.float64(),
          tidy.DATE: pa.timestamp("s"), "boolean": pa.bool_()}


# --------------------------------------------------------------------------- loading


@dataclass
class History:
    """The tidy tables of every published city day found (see the module docstring)."""

    ledger: pd.DataFrame
    figures: pd.DataFrame
    vacancies: pd.DataFrame
    placements: pd.DataFrame
    faults: pd.DataFrame
    runs: pd.DataFrame  # 日期, 设区市, 目录: the published folders read
    missing: list[Path] = field(default_factory=list)  # expected parquet files absent or unreadable
    outputs: Path | None = None

    @property
    def days(self) -> list[dt.date]:
        """The report days loaded, oldest first."""
        return sorted({d.date() for d in self.runs["日期"]})

    @property
    def cities(self) -> list[str]:
        """The cities loaded, in GB/T 2260 order."""
        have = set(self.runs["设区市"])
        return [c.name for c in cities() if c.name in have]

    def summary(self) -> pd.DataFrame:
        """Rows per table."""
        return pd.DataFrame({"表": ["台账", "汇总表数据", "空岗", "用工解决", "数据质量"],
                             "属性": list(KINDS),
                             "行数": [len(getattr(self, k)) for k in KINDS]})

    def __repr__(self) -> str:
        if self.runs.empty:
            return f"History（{self.outputs}：没有已发布的运行结果）"
        days = self.days
        text = (f"History（{self.outputs}）：{days[0]} 至 {days[-1]}，{len(days)}天，"
                f"{len(self.cities)}个设区市（{'、'.join(self.cities)}），共{len(self.runs)}次运行；"
                + "，".join(f"{k} {len(getattr(self, k))}行" for k in KINDS))
        if self.missing:
            text += f"；缺少{len(self.missing)}个文件（运行较早，尚无该产品）"
        return text


def _day_folders(outputs: Path | str | None) -> list[tuple[dt.date, Path]]:
    """The ``<outputs>/<YYYY-MM-DD>/`` folders, oldest first (``outputs/`` by default)."""
    root = Path(outputs) if outputs else paths.OUTPUTS
    out = []
    if root.is_dir():
        for day_dir in sorted(p for p in root.iterdir() if p.is_dir() and _DAY.match(p.name)):
            try:
                out.append((dt.date.fromisoformat(day_dir.name), day_dir))
            except ValueError:
                continue
    return out


def published(outputs: Path | str | None = None) -> pd.DataFrame:
    """The published city-day folders under ``outputs``: 日期, 设区市, 目录 (day, then city order)."""
    rows = [{"日期": pd.Timestamp(day), "设区市": city.name, "目录": day_dir / city.name}
            for day, day_dir in _day_folders(outputs) for city in cities()
            if (day_dir / city.name / catalogue.file_name("manifest")).is_file()]
    runs = pd.DataFrame(rows, columns=["日期", "设区市", "目录"])
    runs["日期"] = runs["日期"].astype(tidy.DATE)
    return runs


def _read(path: Path, schema: dict[str, str]) -> pa.Table | None:
    """The columns of ``schema`` that one parquet file has (None when the file is absent or
    unreadable: it is then listed in ``History.missing``)."""
    try:
        pf = pq.ParquetFile(path)
        have = set(pf.schema_arrow.names)
        return pf.read(columns=[c for c in schema if c in have], use_threads=False)
    except (OSError, pa.ArrowException):
        return None


def _combine(tables: list[pa.Table], schema: dict[str, str]) -> pa.Table:
    """Concatenate files of one kind and give the result exactly the columns and types of
    ``schema`` (a column missing from a file is null; an all-null column is typed)."""
    target = pa.schema([(name, _ARROW[dtype]) for name, dtype in schema.items()])
    if not tables:
        return target.empty_table()
    merged = pa.concat_tables([t.replace_schema_metadata(None) for t in tables], promote_options="permissive")
    columns = [merged.column(name).cast(_ARROW[dtype]) if name in merged.column_names
               else pa.nulls(len(merged), _ARROW[dtype]) for name, dtype in schema.items()]
    return pa.table(columns, schema=target)


_PANDAS = {pa.int64(): pd.Int64Dtype(), pa.bool_(): pd.BooleanDtype()}


def _to_pandas(table: pa.Table) -> pd.DataFrame:
    return table.to_pandas(types_mapper=_PANDAS.get)


def _narrow(runs: pd.DataFrame, cities: Iterable[str] | None, start, end) -> pd.DataFrame:
    """Published runs (``published`` / ``published_province``) of ``cities`` (names or codes; not
    for the province's) and report days in [start, end]."""
    if cities is not None:
        wanted = {resolve_city(c).name for c in cities}
        runs = runs[runs["设区市"].isin(wanted)]
    if start is not None:
        runs = runs[runs["日期"] >= pd.Timestamp(start)]
    if end is not None:
        runs = runs[runs["日期"] <= pd.Timestamp(end)]
    return runs.reset_index(drop=True)


def load(outputs: Path | str | None = None, cities: Iterable[str] | None = None,
         start: str | dt.date | None = None, end: str | dt.date | None = None,
         require: bool = False) -> History:
    """Read every published city day under ``outputs`` (default ``outputs/``) into a History.

    ``cities`` (names or codes) and ``start`` / ``end`` (YYYY-MM-DD, inclusive) narrow what is
    read. Nothing published gives empty tables (and says so), or with ``require`` a UserError
    telling the analyst how to produce some.

    Parameters
    ----------
    outputs : str or Path, optional
        The outputs folder holding ``<YYYY-MM-DD>/<市>/`` run folders; None for ``outputs/``.
    cities : iterable of str, optional
        City names or codes to read; None for every city.
    start, end : str or datetime.date, optional
        First and last report day to read (YYYY-MM-DD, inclusive); None for no bound.
    require : bool, default False
        Raise UserError instead of returning empty tables when no published run is found.

    Returns
    -------
    History
        The ledger, figures, vacancies, placements and faults tables of the runs read, with
        ``runs`` (日期, 设区市, 目录) and ``missing`` (expected parquet files not read).
    """
    root = Path(outputs) if outputs else paths.OUTPUTS
    runs = _narrow(published(root), cities, start, end)
    if require and runs.empty:
        raise UserError(f"{root} 下没有已发布的运行结果（outputs/<日期>/<市>/manifest.json）。"
                        "请先生成，例如 invoke all --date=2020-03-01，或 invoke daily --city=南昌 --date=…")
    jobs = []
    for row in runs.itertuples(index=False):
        n = tidy.names(row.设区市, row.日期.date())
        jobs += [(kind, row.目录 / n[kind]) for kind in KINDS]
    with ThreadPoolExecutor(max_workers=min(4, os.cpu_count() or 1)) as pool:
        tables = list(pool.map(lambda job: _read(job[1], SCHEMAS[job[0]]), jobs))
    parts: dict[str, list[pa.Table]] = {kind: [] for kind in KINDS}
    missing = []
    for (kind, path), table in zip(jobs, tables, strict=True):
        if table is None:
            missing.append(path)
        else:
            parts[kind].append(table)
    frames = {kind: _to_pandas(_combine(parts[kind], SCHEMAS[kind])) for kind in KINDS}
    led = frames["ledger"]
    led["缺工企业"] = (led["缺工人数"].fillna(0) > 0).astype("boolean")
    led["未解决问题"] = indicators.open_problem(led).astype("boolean")
    return History(**frames, runs=runs, missing=missing, outputs=root)


# --------------------------------------------------------------------------- the province's days


def _province():
    """``yonggong.province``, imported when first needed (the city tables do not need it)."""
    from . import province

    return province


PROVINCE_RUN_COLUMNS = ["日期", "目录"]


def published_province(outputs: Path | str | None = None) -> pd.DataFrame:
    """The published province days under ``outputs``: 日期, 目录 (the ``<outputs>/<YYYY-MM-DD>/省/``
    folders that hold a ``manifest.json``), oldest first."""
    folder = _province().common.config()["folder"]
    rows = [{"日期": pd.Timestamp(day), "目录": day_dir / folder} for day, day_dir in _day_folders(outputs)
            if (day_dir / folder / catalogue.file_name("manifest")).is_file()]
    runs = pd.DataFrame(rows, columns=PROVINCE_RUN_COLUMNS)
    runs["日期"] = runs["日期"].astype(tidy.DATE)
    return runs


def _province_table(kind: str, outputs, start, end) -> pd.DataFrame:
    """One kind of the province's tidy files (``province.parquet.TIDY_SCHEMAS``) of every published province
    day in [start, end], as one typed table; ``attrs["missing"]`` lists the expected files absent
    or unreadable."""
    prov = _province()
    schema = prov.parquet.TIDY_SCHEMAS[kind]
    runs = _narrow(published_province(outputs), None, start, end)
    files = [row.目录 / prov.common.names(row.日期.date())[f"{kind}_parquet"] for row in runs.itertuples(index=False)]
    with ThreadPoolExecutor(max_workers=min(4, os.cpu_count() or 1)) as pool:
        tables = list(pool.map(lambda path: _read(path, schema), files))
    frame = _to_pandas(_combine([t for t in tables if t is not None], schema))
    frame.attrs["missing"] = [path for path, t in zip(files, tables, strict=True) if t is None]
    return frame


def submissions(outputs: Path | str | None = None, start: str | dt.date | None = None,
                end: str | dt.date | None = None) -> pd.DataFrame:
    """报送情况 of every published province day (``start`` / ``end`` inclusive): one row per day
    and city (see the module docstring, ``submissions``). A province folder written before the
    parquet files existed contributes no rows; ``attrs["missing"]`` lists its file.

    Parameters
    ----------
    outputs : str or Path, optional
        The outputs folder holding ``<YYYY-MM-DD>/省/`` folders; None for ``outputs/``.
    start, end : str or datetime.date, optional
        First and last report day to read (YYYY-MM-DD, inclusive); None for no bound.

    Returns
    -------
    pandas.DataFrame
        日期, 设区市, 状态, 收到时间, 时间来源, 迟报时长, 文件, 问题, 迟报分钟, oldest day first;
        ``attrs["missing"]`` is the list of expected files not read.
    """
    return _province_table("submissions", outputs, start, end)


def checks(outputs: Path | str | None = None, start: str | dt.date | None = None,
           end: str | dt.date | None = None) -> pd.DataFrame:
    """审核问题 of every published province day: one row per failed check (``checks`` in the
    module docstring); ``attrs["missing"]`` as for :func:`submissions`."""
    return _province_table("checks", outputs, start, end)


def publicity(outputs: Path | str | None = None, cities: Iterable[str] | None = None,
              start: str | dt.date | None = None, end: str | dt.date | None = None,
              province: bool = False) -> pd.DataFrame:
    """经验做法 and 先进典型 (table K) of every published day in [start, end]: 日期, 设区市, 类别, 标题,
    内容, 单位或个人. The city runs' items (``cities`` narrows them), or with ``province`` the items
    the province days published (every city's, as the province brief showed them); a folder
    written before these files existed adds no rows and is listed in ``attrs["missing"]``."""
    if province:
        return _province_table("publicity", outputs, start, end)
    runs = _narrow(published(outputs), cities, start, end)
    schema = tidy.SCHEMAS["publicity"]
    files = [row.目录 / tidy.names(row.设区市, row.日期.date())["publicity"] for row in runs.itertuples(index=False)]
    tables = [_read(path, schema) for path in files]
    frame = _to_pandas(_combine([t for t in tables if t is not None], schema))
    frame.attrs["missing"] = [path for path, t in zip(files, tables, strict=True) if t is None]
    return frame


def province(outputs: Path | str | None = None, start: str | dt.date | None = None,
             end: str | dt.date | None = None) -> pd.DataFrame:
    """The official roll-up as the province 汇总表 filed it, every published province day: 日期,
    设区市 (cities, then 全省合计), 指标, 数值 (``province`` in the module docstring). Not a re-sum
    of the city runs (that is ``history_view.province_totals``); ``attrs["missing"]`` as for :func:`submissions`.

    Parameters
    ----------
    outputs : str or Path, optional
        The outputs folder holding ``<YYYY-MM-DD>/省/`` folders; None for ``outputs/``.
    start, end : str or datetime.date, optional
        First and last report day to read (YYYY-MM-DD, inclusive); None for no bound.

    Returns
    -------
    pandas.DataFrame
        日期, 设区市, 指标, 数值, oldest day first; ``attrs["missing"]`` is the list of expected
        files not read.
    """
    return _province_table("figures", outputs, start, end)
