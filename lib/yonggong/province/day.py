"""The province day: ProvinceDay, load, the roll-up, 报送情况 and 催报 (the day-over-day
comparison is ``province.compare``)."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .. import forms, indicators, paths
from ..days import parse_day
from ..errors import UserError, YonggongError
from ..ingest import day_files
from ..reference import City, cities
from .common import (
    ACCEPTED,
    CHASE_COLUMNS,
    COMPLETENESS_COLUMNS,
    DETAIL_SHEET,
    FILE_COLUMNS,
    K_COLUMNS,
    LATE,
    MISSING,
    ON_TIME,
    PROBLEM_COLUMNS,
    RETURN,
    RETURNED,
    SHEETS,
    CityStatus,
    Intake,
    Problem,
    Submission,
    config,
    date_text,
    late_text,
    names,
    time_text,
)
from .compare import compare
from .intake import city_inbox, intake_inbox, intake_outputs
from .reading import city_k_items, k_frame, liaison_rows

# --------------------------------------------------------------------------- the day


@dataclass
class ProvinceDay:
    """Everything computed for the province day."""

    day: dt.date
    intake: Intake
    previous: dict[str, pd.Series]  # city name → D-1 合计 (accepted submissions of D-1)
    previous_source: str
    figures: pd.DataFrame  # roll-up: cities (全称) then 全省合计; 退回 / 未报送 text for excluded cities
    totals: pd.Series  # 全省合计 (indicators.total of the accepted cities)
    previous_totals: pd.Series | None  # D-1 total over the cities accepted on both days
    comparison: pd.DataFrame
    completeness: pd.DataFrame
    problems: pd.DataFrame
    chase: pd.DataFrame
    files: pd.DataFrame
    rates: dict
    flags: list[Problem] = field(default_factory=list)
    compared: list[str] = field(default_factory=list)  # full names of the cities accepted on D and D-1
    compared_totals: pd.Series | None = None  # D total over the same cities (for 较上日)
    selfcheck: object | None = None  # province_check.CheckResult, once the products are written

    @property
    def statuses(self) -> list[CityStatus]:
        return self.intake.statuses

    @property
    def excluded(self) -> list[CityStatus]:
        return [s for s in self.statuses if s.status not in ACCEPTED]

    @property
    def accepted_frame(self) -> pd.DataFrame:
        """The accepted cities' rows of the roll-up (float; index 全称)."""
        names = [s.city.full_name for s in self.statuses if s.status in ACCEPTED]
        return self.figures.loc[names].astype("float64")

    @property
    def k_items(self) -> pd.DataFrame:
        """The cities' 经验做法 / 先进典型 of the day (K_COLUMNS)."""
        k = self.intake.k_items
        return k if k is not None else pd.DataFrame(columns=K_COLUMNS)

    def left_out(self) -> dict[str, list[str]]:
        """Per count column, the accepted cities with "—" there (left out of its 全省合计)."""
        return indicators.left_out(self.accepted_frame)

    def comparison_text(self) -> str:
        """Which cities the 较上日 change is computed over, for people."""
        if not self.compared:
            return "前一日没有可比的有效报送，不作较上日比较"
        text = f"较上日变化按两日均有效报送的{len(self.compared)}个设区市计算"
        others = [c.full_name for c in cities() if c.full_name not in self.compared]
        return text + (f"（不含{'、'.join(others)}）" if others else "")

    def note(self) -> list[str]:
        """The lines written under the roll-up table."""
        r = self.rates
        lines = [f"报送情况：应报{r['应报']}个，有效报送{r['有效报送']}个（按时{r['按时']}个、迟报{r['迟报']}个），"
                 f"退回{r['退回']}个，未报送{r['未报送']}个；报送率{r['报送率']:.1f}%，按时报送率{r['按时报送率']:.1f}%。"]
        if self.excluded:
            parts = [f"{s.city.full_name}（{s.status}" + (f"：{s.notes[0]}" if s.notes else "") + "）"
                     for s in self.excluded]
            lines.append("注：以下设区市不计入全省合计：" + "；".join(parts) + "。")
        gaps = left_out_text(self.left_out())
        if gaps:
            lines.append(gaps)
        return lines


def left_out_text(gaps: dict[str, list[str]]) -> str:
    """The note on columns whose 全省合计 leaves out cities that reported "—" there; columns with
    the same cities left out are named together."""
    if not gaps:
        return ""
    groups: dict[tuple[str, ...], list[str]] = {}
    for fid, names_ in gaps.items():
        groups.setdefault(tuple(names_), []).append(indicators.label(fid))
    parts = [f"{'、'.join(labels)}不含{'、'.join(names_)}" for names_, labels in groups.items()]
    return "注：全省合计为有效报送设区市之和，以下各列部分设区市报“—”（未报送相应报表），未计入：" + "；".join(parts) + "。"


def resolve_source(source: str, inbox: Path, day: dt.date) -> str:
    """``inbox`` / ``outputs`` from ``auto`` (inbox when <inbox>/province/<D>/ exists)."""
    if source not in ("auto", "inbox", "outputs"):
        raise UserError(f"来源“{source}”无效，应为 inbox、outputs 或 auto")
    if source == "auto":
        return "inbox" if (Path(inbox) / "province" / day.isoformat()).is_dir() else "outputs"
    return source


def province_days(inbox: Path) -> list[dt.date]:
    base = Path(inbox) / "province"
    out = []
    if base.is_dir():
        for p in base.iterdir():
            try:
                if p.is_dir():
                    out.append(dt.date.fromisoformat(p.name))
            except ValueError:
                continue
    return sorted(out)


def resolve_province_day(inbox: Path, value) -> dt.date:
    if value not in (None, ""):
        return parse_day(value)
    days = province_days(inbox)
    if not days:
        raise UserError(f"收件箱 {inbox} 中没有 province/YYYY-MM-DD/ 文件夹，请用 --date 指定日期")
    return days[-1]


def collect(day: dt.date, inbox: Path | None, source: str, outputs: Path | None,
            failures: dict | None = None, layout=None) -> Intake:
    """The intake of one day from the chosen source (no comparison)."""
    if source == "inbox":
        return intake_inbox(Path(inbox) / "province" / day.isoformat(), day, failures, layout)
    return intake_outputs(Path(outputs), day, failures, layout)


def load(day=None, inbox=None, source: str = "auto", outputs=None, failures: dict | None = None,
         layout=None, cache=None) -> ProvinceDay:
    """Intake, checks, statuses, roll-up and comparison of the province day D.

    ``inbox`` defaults to the bundled sample, ``outputs`` to outputs/. ``cache``: the outputs
    folder whose day cache (``daycache``, owner 省) keeps the table L of each province folder and
    each day's accepted 合计 rows, so that earlier days are not read again; None reads them.
    UserError when the source for D does not exist.

    Parameters
    ----------
    day : str or datetime.date, optional
        The report day D (YYYY-MM-DD); None or "" for the newest ``<inbox>/province/<日期>/`` folder.
    inbox : str or Path, optional
        The inbox holding ``province/<日期>/``; None for the bundled sample inbox.
    source : {"auto", "inbox", "outputs"}, default "auto"
        Read the cities' files from the province inbox folder, from this machine's city
        outputs, or (auto) from the inbox folder when it exists, else the outputs.
    outputs : str or Path, optional
        The outputs folder (city outputs, previous province day); None for ``outputs/``.
    failures : dict, optional
        City name (short or full) → reason, for cities whose local run failed.
    layout : dict, optional
        The 汇总表 layout spec (``forms.load_layout``); None for the standard one. Given, no cache is used.
    cache : str or Path, optional
        The outputs folder whose day cache is read and added to; None for no cache.

    Returns
    -------
    ProvinceDay
        The intake, roll-up (``figures``), 全省合计, comparison, completeness, problems, chase
        list, files and reporting rates of D.
    """
    inbox = Path(inbox) if inbox else paths.SAMPLE_INBOX
    outputs = Path(outputs) if outputs else paths.OUTPUTS
    day = resolve_province_day(inbox, day)
    source = resolve_source(source, inbox, day)
    failures = dict(failures or {})
    if source == "inbox" and not (inbox / "province" / day.isoformat()).is_dir():
        raise UserError(f"收件箱中没有省级收件文件夹 {inbox / 'province' / day.isoformat()}")
    if source == "outputs" and not (outputs / day.isoformat()).is_dir() and not failures:
        raise UserError(f"既没有省级收件文件夹 {inbox / 'province' / day.isoformat()}，"
                        f"也没有本机的各市输出 {outputs / day.isoformat()}；请先运行各市日报或放入各市报送文件")
    cache = Path(cache).resolve() if cache and layout is None else None  # a layout of the caller's: no cache
    layout = forms.load_layout() if layout is None else layout
    intake = collect(day, inbox, source, outputs, failures, layout)
    if cache is not None and source == "inbox" and not failures:
        # what the next day's comparison would read again (the same intake: no local run failed)
        _accepted_cached(cache, inbox, day, lambda: intake.accepted)
    if intake.liaisons is None:  # table L from an earlier province folder (also in outputs mode)
        intake.liaisons = _earlier_liaisons(inbox, day, cache)
    if intake.k_items is None:  # outputs: table K from each accepted city's own day folder
        intake.k_items = k_frame([city_k_items(city_inbox(outputs, s.city, day, inbox), s.city, day)
                                   for s in intake.statuses if s.status in ACCEPTED])
    previous, prev_source = _previous(day, inbox, source, outputs, layout, cache)
    return build(intake, previous, prev_source, inbox)


CACHE_OWNER = "省"  # the province's part of the day cache (daycache)
LIAISONS, ACCEPTED_TOTALS = "liaisons", "accepted"  # its kinds of entry


def _earlier_liaisons(inbox: Path, day: dt.date, cache: Path | None = None) -> pd.DataFrame | None:
    """Table L from the newest province day folder on or before D that has one."""
    for d in reversed(province_days(inbox)):
        if d > day:
            continue
        frame = _folder_liaisons(Path(inbox) / "province" / d.isoformat(), d, cache)
        if frame is not None:
            return frame
    return None


def _folder_liaisons(folder: Path, day: dt.date, cache: Path | None) -> pd.DataFrame | None:
    """Table L of one province day folder (None when it has none), kept in the day cache."""
    from .. import daycache

    k = daycache.key(folder, CACHE_OWNER, day) if cache is not None else ""
    if cache is not None:
        hit = daycache.read(cache, CACHE_OWNER, day, k, kind=LIAISONS)
        if hit is not None:
            return hit.tables.get("L")
    frames = [f for f in (liaison_rows(p) for p in day_files(folder)) if f is not None]
    frame = pd.concat(frames, ignore_index=True) if frames else None
    if cache is not None:
        daycache.write(cache, CACHE_OWNER, day, k, daycache.Entry({} if frame is None else {"L": frame},
                                                                   pd.DataFrame()), kind=LIAISONS)
    return frame


def _accepted_cached(cache: Path, inbox: Path, day: dt.date,
                     compute: Callable[[], dict[str, pd.Series]]) -> dict[str, pd.Series]:
    """The accepted 合计 rows of the province folder of ``day`` (city → Series), from the day
    cache when it holds them for the folder as it is now, else ``compute()`` (then kept)."""
    from .. import daycache

    folder = Path(inbox) / "province" / day.isoformat()
    k = daycache.key(folder, CACHE_OWNER, day)
    hit = daycache.read(cache, CACHE_OWNER, day, k, kind=ACCEPTED_TOTALS)
    if hit is not None:
        return {name: frame.iloc[:, 0] for name, frame in hit.tables.items()}
    accepted = compute()
    tables = {name: series.to_frame() for name, series in accepted.items()}
    daycache.write(cache, CACHE_OWNER, day, k, daycache.Entry(tables, pd.DataFrame()), kind=ACCEPTED_TOTALS)
    return accepted


def _previous(day, inbox, source, outputs, layout, cache: Path | None = None) -> tuple[dict[str, pd.Series], str]:
    """D-1 合计 rows per city: D-1 intake from the same source, else the D-1 province output."""
    prev = day - dt.timedelta(days=1)
    try:
        if source == "inbox" and (inbox / "province" / prev.isoformat()).is_dir():
            def compute() -> dict[str, pd.Series]:
                return collect(prev, inbox, "inbox", outputs, None, layout).accepted

            accepted = compute() if cache is None else _accepted_cached(cache, inbox, prev, compute)
            return accepted, f"省级收件箱 {prev.isoformat()} 中通过审核的报送"
        if source == "outputs" and any((outputs / prev.isoformat() / c.name).is_dir() for c in cities()):
            return collect(prev, inbox, "outputs", outputs, None, layout).accepted, \
                f"本机 {prev.isoformat()} 的各市输出"
    except OSError:
        pass
    folder = outputs / prev.isoformat() / config()["folder"]
    for path in (folder / names(prev)["working"], folder / names(prev)["huizongbiao"]):
        found = read_comparison_day(path) if path.is_file() else {}
        if found:
            return found, f"前一日省级汇总 {path.name}"
    return {}, "无前一日数据"


def read_comparison_day(path: Path) -> dict[str, pd.Series]:
    """The D values per city from a province output's comparison list (city name → Series): the
    working file's 逐日对比明细, or the 逐日对比 sheet of an older roll-up that held the list."""
    import openpyxl

    wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    sheet = next((s for s in (DETAIL_SHEET, SHEETS["comparison"]) if s in wb.sheetnames), None)
    if sheet is None:
        return {}
    rows = list(wb[sheet].iter_rows(min_row=2, values_only=True))
    header = list(rows[0]) if rows else []
    if not {"设区市", "指标", "当日"} <= set(header):
        return {}
    ci, fi, vi = header.index("设区市"), header.index("指标"), header.index("当日")
    by_full = {c.full_name: c for c in cities()}
    out: dict[str, dict] = {}
    for r in rows[1:]:
        city = by_full.get(r[ci])
        if city is None or not isinstance(r[vi], (int, float)):
            continue
        text = str(r[fi])
        key = indicators.key_of(text) or indicators.key_of(text.replace("·", "_"))  # older outputs: 空岗·普工
        if key is not None:
            out.setdefault(city.name, {})[key] = float(r[vi])
    return {k: pd.Series(v, dtype="float64") for k, v in out.items()}


def build(intake: Intake, previous: dict[str, pd.Series], previous_source: str,
          inbox: Path | None = None) -> ProvinceDay:
    """Roll-up, comparison, completeness, chase list and problems from an intake."""
    day = intake.day
    accepted = intake.accepted
    columns = _columns(intake)
    figures, totals = roll_up(intake.statuses, columns)
    # 较上日 over the cities accepted on both days: D-1 and D totals over the same cities
    both = [c for c in cities() if c.name in accepted and c.name in previous]
    prev_totals = same_totals = None
    if both:
        prev_totals = province_total(_frame({c.full_name: previous[c.name] for c in both}, columns))
        same_totals = province_total(_frame({c.full_name: accepted[c.name] for c in both}, columns))
    compared = [c.full_name for c in both]
    comparison, flags = compare(intake, previous, totals, prev_totals, same_totals, columns)
    rates = reporting_rates(intake.statuses)
    for st in intake.statuses:
        for p in flags:
            if p.city == st.city.full_name:
                st.notes.append(p.message)
    problems = intake.problems + flags
    pday = ProvinceDay(
        day=day, intake=intake, previous=previous, previous_source=previous_source, figures=figures,
        totals=totals, previous_totals=prev_totals, comparison=comparison,
        completeness=completeness_frame(intake.statuses),
        problems=pd.DataFrame([p.row() for p in problems], columns=PROBLEM_COLUMNS),
        chase=chase_frame(intake.statuses, intake.liaisons, inbox, day),
        files=files_frame(intake), rates=rates, flags=flags, compared=compared, compared_totals=same_totals,
    )
    if pday.compared:
        note = pday.comparison_text()
        at = pday.comparison["设区市"] == config()["total_label"]
        pday.comparison.loc[at, "说明"] = [f"{note}；{t}" if t else note for t in pday.comparison.loc[at, "说明"]]
    return pday


def _frame(rows: dict[str, pd.Series], columns: list[str]) -> pd.DataFrame:
    """City rows (name → Series) as a float frame with ``columns``."""
    return pd.DataFrame({k: v.reindex(columns) for k, v in rows.items()}, index=columns).T.astype("float64")


def _columns(intake: Intake) -> list[str]:
    cols = indicators.keys()
    for s in intake.submissions:
        if s.figures is not None:
            cols += [c for c in s.figures.columns if c not in cols]
    return cols


def province_total(frame: pd.DataFrame) -> pd.Series:
    """全省合计 of accepted city 合计 rows: ``indicators.total`` (counts summed with "—" as
    nothing, rates recomputed from the summed counts)."""
    return indicators.total(frame)


def roll_up(statuses: list[CityStatus], columns: list[str]) -> tuple[pd.DataFrame, pd.Series]:
    """The roll-up frame (object dtype; an excluded city shows its status — 退回 / 未报送 — in
    every cell) and 全省合计."""
    accepted = {s.city.full_name: s.chosen.total for s in statuses if s.status in ACCEPTED}
    frame = _frame(accepted, columns) if accepted else pd.DataFrame(columns=columns, dtype="float64")
    totals = province_total(frame).reindex(columns)
    rows = []
    for s in statuses:
        rows.append(frame.loc[s.city.full_name].astype(object) if s.city.full_name in accepted
                    else pd.Series([s.status] * len(columns), index=columns, dtype=object))
    rows.append(totals.astype(object))
    out = pd.DataFrame(rows, columns=columns, dtype=object)
    out.index = pd.Index([s.city.full_name for s in statuses] + [config()["total_label"]], name="设区市")
    return out, totals


def reporting_rates(statuses: list[CityStatus]) -> dict:
    """DHIS2-style reporting and on-time rates over the expected cities."""
    expected = len(statuses)
    count = {k: sum(s.status == k for s in statuses) for k in (ON_TIME, LATE, RETURNED, MISSING)}
    valid = count[ON_TIME] + count[LATE]
    return {"应报": expected, "已收到": expected - count[MISSING], "有效报送": valid, "按时": count[ON_TIME],
            "迟报": count[LATE], "退回": count[RETURNED], "未报送": count[MISSING],
            "报送率": round(valid / expected * 100, 1) if expected else math.nan,
            "按时报送率": round(count[ON_TIME] / expected * 100, 1) if expected else math.nan}


def completeness_frame(statuses: list[CityStatus]) -> pd.DataFrame:
    rows = []
    for s in statuses:
        late = s.late_by
        rows.append({"设区市": s.city.full_name, "状态": s.status, "收到时间": time_text(s.received),
                     "时间来源": s.chosen.source if s.chosen is not None else "",
                     "迟报时长": late_text(late) if late is not None else "",
                     "文件": s.chosen.file if s.chosen is not None else "",
                     "问题": "；".join(dict.fromkeys(n for n in s.notes if n))})
    return pd.DataFrame(rows, columns=COMPLETENESS_COLUMNS)


def _reason(s: CityStatus) -> str:
    if s.status == MISSING:
        return "未报送" + (f"（{s.notes[0]}）" if s.notes else "")
    if s.status == LATE:
        return f"迟报{late_text(s.late_by)}"
    return f"退回：{s.notes[0]}，请更正后重报" if s.notes else "退回，请更正后重报"


def chase_frame(statuses: list[CityStatus], liaisons: pd.DataFrame | None, inbox: Path | None = None,
                day: dt.date | None = None) -> pd.DataFrame:
    """催报名单: each missing, late or returned city with its liaisons (one row per liaison)."""
    cfg = config()["liaisons"]
    rows = []
    for s in statuses:
        if s.status == ON_TIME:
            continue
        people = _city_liaisons(s.city, liaisons, cfg)
        if people is None and inbox is not None and day is not None:
            people = _city_own_liaisons(s.city, inbox, day, cfg)
        base = {"设区市": s.city.full_name, "状态": s.status, "事由": _reason(s)}
        if people is None or people.empty:
            rows.append({**base, "联络员": "（无联络员名单）", "单位及职务": "", "办公电话": "", "手机": ""})
            continue
        for _, p in people.iterrows():
            rows.append({**base, "联络员": p["姓名"], "单位及职务": p["单位及职务"], "办公电话": p["办公电话"],
                         "手机": p["手机"]})
    return pd.DataFrame(rows, columns=CHASE_COLUMNS)


def _pick_roles(df: pd.DataFrame, cfg: dict) -> pd.DataFrame:
    chosen = df[df["小组职务"].isin(cfg["roles"])]
    if chosen.empty:
        chosen = df[df["小组职务"] == cfg.get("fallback_role", "组长")]
    return chosen


def _city_liaisons(city: City, liaisons: pd.DataFrame | None, cfg: dict) -> pd.DataFrame | None:
    if liaisons is None:
        return None
    own = liaisons[liaisons["设区市"] == city.full_name]
    return _pick_roles(own, cfg) if not own.empty else None


def _city_own_liaisons(city: City, inbox: Path, day: dt.date, cfg: dict) -> pd.DataFrame | None:
    """The city's own newest table L (``<inbox>/<市>/``), when the province has none."""
    if not (Path(inbox) / city.name).is_dir():
        return None
    from ..roster import newest_liaisons

    try:
        _sent, df = newest_liaisons(Path(inbox), city, day)
    except YonggongError:
        return None
    df = df.assign(设区市=city.full_name)
    for col in ("办公电话", "手机"):
        df[col] = df[col].map(lambda v: "" if v is None or (isinstance(v, float) and math.isnan(v)) else str(v))
    return _pick_roles(df, cfg)


def _file_reason(s: Submission) -> str:
    if s.reason:
        return s.reason
    returned = [p.message for p in s.problems if p.action == RETURN]
    if returned:
        return "审核未通过：" + "；".join(returned[:3]) + (f"等{len(returned)}处" if len(returned) > 3 else "")
    return ""


def files_frame(intake: Intake) -> pd.DataFrame:
    rows = []
    for s in intake.submissions:
        shown = s.city.full_name if s.city else ""
        if not shown and s.k_items is not None and not s.k_items.empty:
            shown = "、".join(dict.fromkeys(s.k_items["设区市"]))
        rows.append({"文件": s.file, "设区市": shown,
                     "数据截至": date_text(s.data_day), "收到时间": time_text(s.received), "时间来源": s.source,
                     "处理": s.outcome, "原因": _file_reason(s)})
    return pd.DataFrame(rows, columns=FILE_COLUMNS)
