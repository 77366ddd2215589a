"""What changed since the previous report day: the 变化 sheet of the city's working file.

The previous report day is the day every 较上日 of the products compares with
(``wording.previous`` of the city's trend); none on the city's first report day. Each line names
the inbox file, sheet and Excel row it comes from. The rules are those of the rest of the run,
not new ones:

* 进入清单 / 移出清单 — ``ledger.adjustments`` (the 清单调整 sheet's rule) of the list in force on
  the day versus the one on the previous report day; source: the enterprise's row in the newest
  list (table A);
* 缺工变化 — 缺工人数 of the day's ledger versus the previous report day's ledger
  (``pipeline.ledger_of``: built from the history the day already holds, as that day's run built
  it), for the enterprises whose rows count on both days (reported or 沿用); the ``top_shortage``
  largest changes (params/changes.yaml); source: the table B row the day's ledger row comes from;
* 新增问题 / 问题解决 — the open-problem rule (``indicators.open_problem``) on the two ledgers: open
  now and not before; open before and not now for an enterprise whose row counts today;
* 补报更正 — the 补报 of table D (``pipeline.late_placements``: counted rows of the day's folder
  dated before the day, each also a 提示 of the 数据质量报告), at the county of their date.

Pure: ``changes(cd)`` reads only the city day.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from . import indicators, wording
from . import ledger as led
from .pipeline import CityDay, late_placements, ledger_of
from .reference import city_counties, load_yaml, settings

COLUMNS = ["类别", "县区", "企业名称", "统一社会信用代码", "昨日", "今日", "变化", "说明", "来源文件", "来源工作表", "来源行"]
NUMBERS = ["昨日", "今日", "变化", "来源行"]


def config() -> dict:
    """The ``changes`` section of params/changes.yaml."""
    return load_yaml("changes.yaml")["changes"]


def previous_day(cd: CityDay) -> dt.date | None:
    """The report day the 变化 compares with: the one 较上日 compares with (None: there is none)."""
    return wording.previous(cd.trend, cd.day)[0]


def sheet(cd: CityDay) -> tuple[str, str, pd.DataFrame]:
    """(sheet name, title, frame) of the 变化 sheet for ``tablebook.write_tables``."""
    cfg = config()
    prev = previous_day(cd)
    title = (cfg["title"].format(city=cd.city.full_name, day=cd.day.isoformat(), prev=prev.isoformat()) if prev
             else cfg["title_first"].format(city=cd.city.full_name, day=cd.day.isoformat()))
    return cfg["sheet"], title, changes(cd)


def changes(cd: CityDay) -> pd.DataFrame:
    """The 变化 lines of the city day (columns ``COLUMNS``), one category after another; one 无变化
    line when nothing changed, one 无可比 line first when there is no previous report day."""
    cfg = config()
    cat, notes = cfg["categories"], cfg["notes"]
    prev = previous_day(cd)
    rows: list[dict] = []
    if prev is None:
        rows.append({"类别": cat["first"], "说明": notes["first"].format(days=int(settings()["trend_days"]))})
    else:
        before, _ = ledger_of(cd.history, prev)
        _, sources = ledger_of(cd.history, cd.day)
        rows += _list_lines(cd, prev, cat, notes)
        rows += _shortage_lines(cd.ledger, before, sources, int(cfg["top_shortage"]), cat, notes, cd)
        rows += _problem_lines(cd.ledger, before, sources, cat, notes, _county_order(cd))
    rows += _late_lines(cd, cat, notes)
    if not rows:
        rows.append({"类别": cat["none"], "说明": notes["none"].format(prev=wording.month_day(prev))})
    out = pd.DataFrame(rows, columns=COLUMNS)
    for c in NUMBERS:
        out[c] = pd.array(out[c], dtype="Int64")
    return out.astype({c: object for c in COLUMNS if c not in NUMBERS}).reset_index(drop=True)


# --------------------------------------------------------------------------- the rules


def _source(row) -> dict:
    """来源文件 / 来源工作表 / 来源行 of a clean table's row (its provenance columns)."""
    return {"来源文件": str(row["_file"]), "来源工作表": str(row["_sheet"]), "来源行": int(row["_row"])}


def _county_order(cd: CityDay):
    order = {c.name: i for i, c in enumerate(city_counties(cd.city))}
    return lambda county: (order.get(county, len(order)), str(county or ""))


def _list_lines(cd: CityDay, prev: dt.date, cat: dict, notes: dict) -> list[dict]:
    """进入清单 / 移出清单: the list's adjustments since ``prev``, each at its row of the newest list."""
    lists = cd.lists
    newest, _ = led.list_in_force(lists, cd.day)
    source = lists[newest] if newest is not None else pd.DataFrame(columns=["统一社会信用代码"])
    key = _county_order(cd)
    adj = led.adjustments(lists, cd.day, since=prev)
    out = []
    for kind, label in (("纳入", "entered"), ("调出", "left")):
        part = adj[adj["调整"] == kind]
        for _, r in sorted(part.iterrows(), key=lambda ir: (key(ir[1]["县区"]), str(ir[1]["企业名称"]))):
            reason = f"：{r['原因']}" if r["原因"] else ""
            line = {"类别": cat[label], "县区": r["县区"], "企业名称": r["企业名称"],
                    "统一社会信用代码": r["统一社会信用代码"], "说明": notes[label].format(reason=reason)}
            hit = source[source["统一社会信用代码"] == r["统一社会信用代码"]]
            if not hit.empty:
                line.update(_source(hit.iloc[-1]))
            elif newest is not None:
                line["说明"] += notes["left_unlisted"]
                line["来源文件"] = str(source["_file"].iloc[0]) if len(source) else ""
            out.append(line)
    return out


def _counted(ledger: pd.DataFrame) -> pd.DataFrame:
    return ledger[led.counted(ledger).to_numpy(dtype=bool)].set_index("统一社会信用代码")


def _shortage_lines(now: pd.DataFrame, before: pd.DataFrame, sources: pd.DataFrame, top: int, cat: dict,
                    notes: dict, cd: CityDay) -> list[dict]:
    """缺工变化: the ``top`` largest changes of 缺工人数 among enterprises counted on both days."""
    a, b = _counted(now), _counted(before)
    both = a.index.intersection(b.index)
    rows = []
    for code in both:
        x, y = a.at[code, "缺工人数"], b.at[code, "缺工人数"]
        if wording.given(x) and wording.given(y) and int(x) != int(y):
            rows.append((code, int(y), int(x)))
    key = _county_order(cd)
    rows.sort(key=lambda t: (-abs(t[2] - t[1]), key(a.at[t[0], "县区"]), str(a.at[t[0], "企业名称"]), t[0]))
    out = []
    for code, y, x in rows[:top]:
        r = a.loc[code]
        note = notes["shortage"].format(change=wording.change_text(x, y, "count", "人"))
        if r["报送状态"] == led.CARRIED:
            note += notes["carried"].format(day=wording.month_day(r["填报日期"]))
        out.append({"类别": cat["shortage"], "县区": r["县区"], "企业名称": r["企业名称"], "统一社会信用代码": code,
                    "昨日": y, "今日": x, "变化": x - y, "说明": note, **_source(sources.loc[code])})
    return out


def _text(v) -> str:
    return str(v).strip() if wording.given(v) else ""


def _problem_lines(now: pd.DataFrame, before: pd.DataFrame, sources: pd.DataFrame, cat: dict,
                   notes: dict, key) -> list[dict]:
    """新增问题 and 问题解决 by the open-problem rule on the two ledgers (by county, then name)."""
    now = now.iloc[sorted(range(len(now)), key=lambda i: (key(now["县区"].iat[i]), str(now["企业名称"].iat[i])))]
    open_now = set(now.loc[indicators.open_problem(now).to_numpy(dtype=bool), "统一社会信用代码"])
    open_before = set(before.loc[indicators.open_problem(before).to_numpy(dtype=bool), "统一社会信用代码"])
    listed_before = set(before["统一社会信用代码"])
    counted_before = set(_counted(before).index)
    counted_now = _counted(now)
    out = []
    for _, r in now.iterrows():
        code = r["统一社会信用代码"]
        if code in open_now and code not in open_before:
            kind = _text(r["问题困难类型"])
            note = notes["opened"].format(kind=kind, text=_text(r["问题困难"])) if kind else _text(r["问题困难"])
            if code in listed_before and code not in counted_before:  # newly listed: its 进入清单 line says so
                note += notes["opened_unreported"]
            out.append(_problem(cat["opened"], r, note, sources))
    for _, r in now.iterrows():
        code = r["统一社会信用代码"]
        if code in open_before and code not in open_now and code in counted_now.index:
            was = _text(before.loc[before["统一社会信用代码"] == code, "问题困难"].iloc[0])
            solved = _text(r["问题困难"]) != ""  # still written, marked 问题是否解决 是
            note = (notes["closed_solved"] if solved else notes["closed_dropped"]).format(text=was)
            out.append(_problem(cat["closed"], r, note, sources))
    return out


def _problem(label: str, r: pd.Series, note: str, sources: pd.DataFrame) -> dict:
    code = r["统一社会信用代码"]
    return {"类别": label, "县区": r["县区"], "企业名称": r["企业名称"], "统一社会信用代码": code, "说明": note,
            **(_source(sources.loc[code]) if code in sources.index else {})}


def _late_lines(cd: CityDay, cat: dict, notes: dict) -> list[dict]:
    """补报更正: the 补报 rows of table D in the day's folder, at the county of their date."""
    d = cd.tables.get("D")
    if d is None or d.empty:
        return []
    late = late_placements(d, cd.day)
    if late.empty:
        return []
    lists = cd.lists
    counted, _ = led.attribute_rows(late.assign(_folder=cd.day), lists)  # the county of their date
    out = []
    for _, r in counted.sort_values(["_file", "_sheet", "_row"], kind="stable").iterrows():
        _, listed = led.list_in_force(lists, r["日期"])
        names = listed.loc[listed["统一社会信用代码"] == r["统一社会信用代码"], "企业名称"]
        note = notes["late"].format(day=wording.month_day(r["日期"]), n=int(r["人数"]), channel=_text(r["解决渠道"]))
        out.append({"类别": cat["late"], "县区": r["县区"], "企业名称": names.iloc[0] if len(names) else "",
                    "统一社会信用代码": r["统一社会信用代码"], "变化": int(r["人数"]), "说明": note, **_source(r)})
    return out
