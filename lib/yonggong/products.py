"""The files a city day publishes, named as the forms contract says (../shared/spec/forms.md).

    重点企业用工调度保障工作信息汇总表_<市>_<YYYYMMDD>.xlsx   (forms_write.write_huizongbiao: 汇总表, 劳务输出 when
                                                          the day has outbound figures, 指标说明)
    工作底稿_<市>_<YYYYMMDD>.xlsx                              (the working sheets, tablebook.write_tables)
    数据质量报告_<市>_<YYYYMMDD>.xlsx                          (report.write_quality_report)
    台账_<市>_<YYYYMMDD>.parquet / .xlsx                       (the clean enterprise ledger)
    汇总数据_/空岗_/用工解决_/数据质量_<市>_<YYYYMMDD>.parquet   (tidy.write_tidy, read by yonggong.history)
    简讯_<市>_<YYYYMMDD>.txt                                   (bulletin.write_city: a few lines for the 工作群)

Only public data is written here; anything with personal data goes under restricted/.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
from openpyxl import Workbook

from . import (
    brief,
    brief_city,
    bulletin,
    catalogue,
    changes,
    forms_write,
    indicators,
    ledger,
    match,
    memory,
    outbound,
    paths,
    progress,
    report,
    restricted,
    tablebook,
    tidy,
    zone,
)
from .figures import vacancy_class
from .pipeline import CityDay
from .reference import table_specs
from .xlsxio import save_parquet, save_workbook

LEDGER_PUBLIC = ["统一社会信用代码", "企业名称", "县区", "企业类别", "人社服务专员", "员工总数", "在岗人数",
                 "缺工人数", "是否复工", "产能恢复率", "已返岗人数", "问题困难类型", "问题困难", "问题是否解决",
                 "富余人数", "填报日期", "报送状态"]


def liaisons(cd: CityDay) -> pd.DataFrame | None:
    """The newest table L sent on or before the day (the leading group and liaisons)."""
    rows = cd.accumulated("L")
    if rows is None:
        return None
    return rows[rows["_folder"] == rows["_folder"].max()].reset_index(drop=True)


def ledger_frame(cd: CityDay) -> pd.DataFrame:
    """The ledger as published (parquet and xlsx): adds city, county code and day."""
    df = cd.ledger.copy()
    df.insert(0, "日期", pd.Timestamp(cd.day))
    df.insert(1, "设区市", cd.city.name)
    df["填报日期"] = pd.to_datetime(df["填报日期"])
    df["纳入日期"] = pd.to_datetime(df["纳入日期"])
    return df.reset_index(drop=True)


def _bool_text(v) -> str:
    if v is None or v is pd.NA or (isinstance(v, float) and v != v):
        return ""
    return "是" if bool(v) else "否"


PROBLEM_SHEET = "问题困难"  # the working file's sheet of open problems (附件3 refers to it)


def detail_sheets(cd: CityDay) -> dict[str, pd.DataFrame]:
    """企业明细, 空岗结构, 问题困难, 清单调整 for the working file (工作底稿)."""
    led = cd.ledger
    detail = led[["统一社会信用代码", "企业名称", "县区", "企业类别", "人社服务专员", "员工总数", "在岗人数",
                  "缺工人数", "产能恢复率", "是否复工", "问题困难", "报送状态"]].copy()
    detail["是否复工"] = detail["是否复工"].map(_bool_text)
    detail = detail.rename(columns={"人社服务专员": "服务专员", "产能恢复率": "产能恢复率(%)"})

    vac = cd.tables.get("C")
    if vac is not None and not vac.empty:
        v = vac.assign(岗位类别=vacancy_class(vac), 岗位名称=match.job_names(vac))  # synonyms as one post
        structure = (v.groupby(["岗位类别", "岗位名称"], sort=True)["缺工人数"].sum().astype("int64")
                     .reset_index().rename(columns={"缺工人数": "缺工人数"}))
        order = {c: i for i, c in enumerate(["普工", "技工", "管理及专业技术", "其他"])}
        structure = structure.sort_values(["岗位类别", "缺工人数", "岗位名称"], ascending=[True, False, True],
                                          key=lambda s: s.map(order) if s.name == "岗位类别" else s)
    else:
        structure = pd.DataFrame(columns=["岗位类别", "岗位名称", "缺工人数"])

    problems = ledger.open_problems(cd)
    adjust = cd.adjustments.copy()
    return {"企业明细": detail.reset_index(drop=True), "空岗结构": structure.reset_index(drop=True),
            PROBLEM_SHEET: problems, "清单调整": adjust}


INDICATOR_SHEET = "指标说明"


def indicator_sheet() -> pd.DataFrame:
    """The 指标说明 sheet of the 汇总表 workbook: one row per indicator of the catalogue."""
    specs = table_specs()

    def parts(keys: tuple[str, ...]) -> str:
        text = "＋".join(indicators.label(k) for k in keys)
        return f"（{text}）" if len(keys) > 1 else text

    rows = []
    for ind in indicators.catalogue().values():
        how = f"比率：{parts(ind.numerator)}÷{parts(ind.denominator)}" if ind.is_rate else "求和"
        rows.append({"指标": ind.label, "表中位置": ind.form_text, "单位": ind.unit, "类型": ind.kind_text,
                     "来源表": "、".join(f"表{c} {specs[c].name}" if c in specs else f"表{c}" for c in ind.sources),
                     "口径说明": ind.definition, "汇总方式": how})
    return pd.DataFrame(rows, columns=["指标", "表中位置", "单位", "类型", "来源表", "口径说明", "汇总方式"])


def write_ledger(cd: CityDay, out_dir: Path) -> list[Path]:
    n = catalogue.names("city", cd.city.name, cd.day)
    df = ledger_frame(cd)
    pq = out_dir / n["ledger_parquet"]
    save_parquet(df, pq)
    wb = Workbook()
    ws = wb.active
    public = df[["日期", "设区市", *LEDGER_PUBLIC]].copy()
    for col in ("日期", "填报日期"):
        public[col] = public[col].dt.strftime("%Y-%m-%d").fillna("")
    for col in ("是否复工", "问题是否解决"):
        public[col] = public[col].map(_bool_text)
    forms_write.write_table_sheet(ws, f"{cd.city.full_name}重点企业用工台账（{cd.day.isoformat()}）", public)
    ws.title = "台账"
    xl = out_dir / n["ledger_xlsx"]
    save_workbook(wb, xl)
    return [pq, xl]


def write_working(cd: CityDay, acts: match.Actions, path: Path, extra: dict[str, pd.DataFrame]) -> Path:
    """工作底稿: the sheets behind the 汇总表 that stay with the city (enterprise details, what
    changed since the previous report day, vacancy structure, open problems, list changes, then
    the day's actions), one workbook of plain tables (tablebook: 岗位匹配情况 has a row per
    vacancy, 50,000 at province scale)."""
    sheets = {**detail_sheets(cd), **match.public_sheets(acts), **extra}
    tables = [(name, f"{cd.city.full_name}{name}（{cd.day.isoformat()}）", frame) for name, frame in sheets.items()]
    tables.insert(1, changes.sheet(cd))  # 变化 second: the tab beside 企业明细, where the file opens
    return tablebook.write_tables(path, tables)


def submitted_text(when: dt.datetime) -> str:
    """报送时间 as the footer writes it: 2月26日15时00分."""
    return f"{when.month}月{when.day}日{when.hour}时{when.minute:02d}分"


FOOTER_KEYS = ("filler", "reviewer", "phone", "submitted")  # 填表人, 审核人, 联系电话, 报送时间


def footer_overrides(day: dt.date, filler: str | None = None, reviewer: str | None = None, phone: str | None = None,
                     submitted: str | None = None) -> dict[str, str]:
    """The footer values an analyst sets for one run (``invoke daily --filler … --submitted 14:30``):
    only those given; 报送时间 as HH:MM on the report day (UserError in Chinese otherwise)."""
    from .errors import UserError

    out = {k: str(v).strip() for k, v in (("filler", filler), ("reviewer", reviewer), ("phone", phone)) if v}
    if submitted:
        text = str(submitted).strip().replace("：", ":")
        try:
            hh, mm = (int(x) for x in text.split(":"))
            when = dt.datetime.combine(day, dt.time(hh, mm))
        except ValueError:
            raise UserError(f"报送时间应写成“时:分”，如 14:30（收到：{submitted}）") from None
        out["submitted"] = submitted_text(when)
    return out


def meta(cd: CityDay, footer: dict | None = None) -> dict:
    """The 汇总表's title lines and footer: 填表人 / 审核人 / 联系电话 from table L
    (``roster.signatories``), 报送时间 the day's deadline (never the clock: reruns stay byte-identical);
    ``footer`` (:func:`footer_overrides`) replaces any of them for this run."""
    from .indicators import deadline
    from .roster import signatories

    footer = footer or {}
    unknown = set(footer) - set(FOOTER_KEYS)
    if unknown:
        raise ValueError(f"unknown footer keys: {sorted(unknown)}")
    return {"city_full": cd.city.full_name, "bureau": cd.city.bureau, "date": cd.day,
            **signatories(liaisons(cd)), "submitted": submitted_text(deadline(cd.day)), **footer}


def write_huizongbiao(cd: CityDay, out_dir: str | Path, footer: dict | None = None) -> Path:
    """Write the day's 汇总表 (with its 指标说明 sheet and the 劳务输出 companion tables) into
    ``out_dir`` and return its path; ``footer`` as for :func:`write_all`."""
    path = Path(out_dir) / catalogue.file_name("huizongbiao", cd.city.name, cd.day)
    forms_write.write_huizongbiao(path, cd.figures, meta(cd, footer), {INDICATOR_SHEET: indicator_sheet()},
                                  companions=outbound.companion_layouts(cd.figures))
    return path


def write_all(cd: CityDay, out_dir: str | Path, acts: match.Actions | None = None,
              footer: dict | None = None) -> list[Path]:
    """Write every product of the city day into ``out_dir`` (personal data only under
    restricted/); ``acts`` are the day's actions (match.city_day), computed when not given;
    ``footer`` overrides the 汇总表's 填表人 / 审核人 / 联系电话 / 报送时间 (:func:`footer_overrides`).

    Parameters
    ----------
    cd : pipeline.CityDay
        The city day (``pipeline.load``).
    out_dir : str or Path
        The folder to write into (created when missing).
    acts : match.Actions, optional
        The day's actions (``match.city_day``); None computes them.
    footer : dict, optional
        Footer values by key of ``FOOTER_KEYS`` (filler, reviewer, phone, submitted); a key not
        there raises ValueError. None or empty keeps the defaults.

    Returns
    -------
    list of Path
        The files written, in the order written (restricted files included).
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    n = catalogue.names("city", cd.city.name, cd.day)
    acts = acts if acts is not None else match.city_day(cd)

    reg = outbound.city_registrations(cd)  # 劳务输出: registrations and the outbound plan, once
    trips = outbound.plan_trips(reg, cd.day)

    def working() -> list[Path]:
        return [write_working(cd, acts, out_dir / n["working"], outbound.working_sheets(cd, reg, trips))]

    def quality() -> list[Path]:
        report.write_quality_report(out_dir / n["quality"], cd.faults, cd.city, cd.day,
                                    routing=tidy.fault_routing(cd), carried=ledger.carried(cd.ledger, cd.day))
        return [out_dir / n["quality"]]

    def progress_report() -> list[Path]:
        progress.write_progress(out_dir / n["progress"], cd.city, cd.day, cd.figures, ledger.open_problems(cd), liaisons(cd),
                                trend=cd.trend, practices=brief.publicity(cd.tables.get("K"), cd.day),
                                problems_sheet=PROBLEM_SHEET)
        return [out_dir / n["progress"]]

    steps = [
        lambda: write_ledger(cd, out_dir), lambda: [write_huizongbiao(cd, out_dir, footer)], working, quality, progress_report,
        lambda: [brief_city.write_city(cd, out_dir)],
        lambda: [bulletin.write_city(cd, out_dir)],
        lambda: tidy.write_tidy(cd, out_dir),
        lambda: [zone.write_city(cd, out_dir, acts)],
        lambda: restricted.write_restricted(out_dir / paths.RESTRICTED, cd.city.name, cd.day,
                                            cd.accumulated("F", key="身份证号"), cd.tables.get("E"), cd.in_force),
        lambda: zone.write_restricted(acts, out_dir / paths.RESTRICTED, cd.city.name, cd.day),
        lambda: outbound.write_restricted(cd, reg, trips, out_dir / paths.RESTRICTED),
    ]
    written: list[Path] = []
    for step in steps:
        written += step()
        memory.release()  # a product's cells and bytes, before the next is built
    return written
