"""One city day, from the inbox folders to clean tables, ledger and figures.

This is what the city notebook calls, step by step:

    cd = pipeline.load(inbox, "南昌", "2020-03-01")     # read + clean + validate + ledger
    cd.figures                                           # the 汇总表 numbers
    pipeline.write_outputs(cd, out_dir)                  # xlsx + parquet products

Only the day folder of D is reported in the 数据质量报告; earlier folders are read for the
list in force, ledger carry-forward and cumulative placements.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from . import daycache, memory, outbound, tidy, validate
from . import figures as fig
from . import ledger as led
from .clean import clean_table
from .days import day_folders, newest_day, parse_day, resolve_day  # noqa: F401 (re-exported)
from .errors import UserError
from .faults import ERROR, NOTICE, WARNING, FaultLog
from .ingest import Inbox, read_day
from .memo import Memo, folder_stamp
from .reference import City, city_counties, resolve_city, settings, table_specs

LIST = "A"  # the table of the list of key enterprises (kept by folder, see History.lists)


@dataclass(frozen=True)
class History:
    """The clean tables of the day folders up to a day.

    Each table's rows of every folder in one frame (column ``_folder``: the folder's day), so that
    a run reads the past as one frame per table however long the campaign, plus the lists (table
    A) by folder and which tables each folder had. Made by :meth:`append`, one folder after
    another in date order, with or without the day cache (which keeps the history of each day:
    ``daycache.STATE``), so both give the same frames. Callers must not mutate the frames.
    """

    frames: dict[str, pd.DataFrame] = field(default_factory=dict)  # table → rows of every folder
    lists: dict[dt.date, pd.DataFrame] = field(default_factory=dict)  # folder → its table A
    folders: dict[dt.date, tuple[str, ...]] = field(default_factory=dict)  # folder → its tables

    def append(self, day: dt.date, tables: dict[str, pd.DataFrame]) -> History:
        """This history with the folder of ``day`` (later than every folder in it) added."""
        frames = dict(self.frames)
        for code, df in sorted(tables.items()):
            if code != LIST:
                part = df.assign(_folder=day)
                frames[code] = concat_keeping_categories([frames[code], part] if code in frames else [part])
        lists = {**self.lists, day: tables[LIST]} if LIST in tables else dict(self.lists)
        return History(frames, lists, {**self.folders, day: tuple(sorted(tables))})

    @property
    def days(self) -> list[dt.date]:
        return sorted(self.folders)

    def has(self, day: dt.date, code: str) -> bool:
        """Whether the folder of ``day`` had table ``code``."""
        return code in self.folders.get(day, ())

    def rows(self, code: str, upto: dt.date | None = None) -> pd.DataFrame | None:
        """Rows of table ``code`` from every folder (up to ``upto``), with ``_folder``; None when no
        such folder had the table."""
        if code not in self.frames or not any(code in t for d, t in self.folders.items() if upto is None or d <= upto):
            return None
        df = self.frames[code]
        return df if upto is None or (df["_folder"] <= upto).all() else df[df["_folder"] <= upto].reset_index(drop=True)

    def table(self, day: dt.date, code: str) -> pd.DataFrame | None:
        """Table ``code`` as the folder of ``day`` had it (None if it had not)."""
        if not self.has(day, code):
            return None
        if code == LIST:
            return self.lists[day]
        df = self.frames[code]
        part = df[df["_folder"] == day].drop(columns="_folder").reset_index(drop=True)
        cats = [c for c in part.columns if isinstance(part[c].dtype, pd.CategoricalDtype)]
        return part.assign(**{c: part[c].cat.remove_unused_categories() for c in cats}) if cats else part

    def tables(self, day: dt.date) -> dict[str, pd.DataFrame]:
        """The tables of the folder of ``day``."""
        return {code: self.table(day, code) for code in self.folders.get(day, ())}

    def state(self) -> dict[str, pd.DataFrame]:
        """The history as the tables of a day-cache entry (:func:`from_state` reads it back)."""
        out = dict(self.frames)
        out.update({f"{LIST}.{d.isoformat()}": a for d, a in self.lists.items()})
        out["folders"] = pd.DataFrame({"日期": [d.isoformat() for d in self.days],
                                       "表": [",".join(self.folders[d]) for d in self.days]})
        return out

    @classmethod
    def from_state(cls, tables: dict[str, pd.DataFrame]) -> History:
        folders = {dt.date.fromisoformat(d): tuple(t.split(",")) if t else ()
                   for d, t in zip(tables["folders"]["日期"], tables["folders"]["表"], strict=True)}
        lists = {dt.date.fromisoformat(k.split(".", 1)[1]): v for k, v in tables.items() if k.startswith(LIST + ".")}
        frames = {k: v for k, v in tables.items() if k != "folders" and not k.startswith(LIST + ".")}
        return cls(frames, lists, folders)

@dataclass
class CityDay:
    """Everything computed for one city and day."""

    city: City
    day: dt.date
    inbox_root: Path
    inbox: Inbox
    log: FaultLog
    list_day: dt.date | None
    in_force: pd.DataFrame
    adjustments: pd.DataFrame
    ledger: pd.DataFrame
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)  # clean tables of day D
    figures: pd.DataFrame | None = None
    trend: pd.DataFrame | None = None  # 合计 figures of the last days (index: date)
    history: History = field(default_factory=History)  # clean tables of every folder up to D

    def accumulated(self, code: str, key: str | None = None) -> pd.DataFrame | None:
        """Rows of table ``code`` from every folder up to D (None if never sent); with ``key``,
        one row per key value, from the newest folder."""
        df = self.history.rows(code)
        if df is None:
            return None
        if key:
            df = df.sort_values("_folder", kind="stable").drop_duplicates(key, keep="last")
        return df.reset_index(drop=True)

    @property
    def lists(self) -> dict[dt.date, pd.DataFrame]:
        """The lists (table A) of the folders up to D that name enterprises, by folder."""
        return _named_lists(self.history.lists)

    @property
    def faults(self) -> pd.DataFrame:
        return self.log.frame()

    @property
    def reported(self) -> list[str]:
        """Table codes present in the day's folder."""
        return sorted({s.table for s in self.inbox.sheets})


def _clean_all(inbox: Inbox, city: City, day: dt.date, log: FaultLog) -> dict[str, pd.DataFrame]:
    out = {}
    specs = table_specs()
    for code in sorted({s.table for s in inbox.sheets}):
        clean = clean_table(code, inbox.table(code), city, day, log)
        out[code] = compact(validate.check_rows(code, clean, log), specs[code].categorical)
    return out


PROVENANCE = ("_file", "_sheet")


def compact(df: pd.DataFrame, columns: tuple[str, ...]) -> pd.DataFrame:
    """``df`` with ``columns`` (a table's ``categorical`` in params/tables.yaml) and, when there
    are any, the provenance columns as categoricals; categories sorted, so sorting and grouping
    give the order of the text."""
    wanted = [c for c in (*columns, *PROVENANCE) if columns and c in df.columns
              and not isinstance(df[c].dtype, pd.CategoricalDtype)]
    if not wanted:
        return df
    return df.assign(**{c: df[c].astype("category") for c in wanted})


def concat_keeping_categories(parts: list[pd.DataFrame]) -> pd.DataFrame:
    """``pd.concat`` of frames whose categorical columns have different categories: each such
    column gets the union of them first, so the result stays categorical instead of text."""
    cats: dict[str, set] = {}
    for part in parts:
        for c in part.columns:
            if isinstance(part[c].dtype, pd.CategoricalDtype):
                cats.setdefault(c, set()).update(part[c].cat.categories)
    if cats:
        dtypes = {c: pd.CategoricalDtype(sorted(v)) for c, v in cats.items()}
        parts = [p.assign(**{c: p[c].astype(dtypes[c]) for c in dtypes if c in p.columns}) for p in parts]
    return pd.concat(parts, ignore_index=True)


# the clean tables of day folders (_clean_earlier), a day's own folder included once it has been
# cleaned (gather), so that the days after it in the same process do not clean it again
_CLEAN_TABLES = Memo(256)
# the history of the folders up to a day, without a day cache, on their file stamps: few, as each
# holds every row up to its day, and a run day after day needs only the day before's
_EARLIER_HISTORY = Memo(16)
# the figures of each day, without a day cache, for the 近7日趋势 of the days after it, on the
# file stamps of the folders up to that day: a run over many days in one process (a week in one
# kernel, every day of the sample in the tests) computes each day's figures once
_EARLIER_FIGURES = Memo(512)


def clear_memo() -> None:
    """Forget what this process keeps of day folders (their clean tables, the history before a
    day, earlier days' figures), as a fresh process would: for a test that changes params in
    place or must read every folder again."""
    for memo in (_CLEAN_TABLES, _EARLIER_HISTORY, _EARLIER_FIGURES):
        memo.clear()


def _clean_earlier(folder: Path, inbox_root: Path, city: City, day: dt.date, stamp: tuple,
                   cache_root: Path | None, k: str) -> tuple[dict[str, pd.DataFrame], daycache.Entry | None]:
    """Clean tables of an earlier day folder (its faults were reported on that day), and the
    entry to write to the day cache when it was not there (see ``daycache``).

    From the day cache under ``cache_root`` when it holds the folder as it is now (key ``k``),
    and kept per process on the folder's file stamp, so a run over many days, or the trend of
    the last week, reads each folder once. Callers must not mutate the returned frames.
    """
    def clean() -> tuple[dict[str, pd.DataFrame], daycache.Entry | None]:
        if cache_root is not None:
            entry = daycache.read(cache_root, city, day, k)
            if entry is not None:
                return entry.tables, None
        earlier = read_day(folder, base=inbox_root)
        log = FaultLog(earlier)
        tables = _clean_all(earlier, city, day, log)
        return tables, (daycache.Entry(tables, log.frame()) if cache_root is not None else None)
    return _CLEAN_TABLES.get(_clean_key(folder, inbox_root, city, day, stamp, cache_root, k), clean)


def _clean_key(folder: Path, inbox_root: Path, city: City, day: dt.date, stamp: tuple,
               cache_root: Path | None, k: str) -> tuple:
    return str(folder), str(inbox_root), city.code, day, stamp, None if cache_root is None else str(cache_root), k


@dataclass
class Pending:
    """A day-cache entry to write once the day has loaded (see :meth:`Gathered.write_cache`)."""

    day: dt.date
    key: str
    entry: daycache.Entry | daycache.Encoded | None
    force: bool = True  # False: leave an entry already there as it is
    kind: str = ""  # daycache kind (FIGURES, STATE) or "" for a folder's clean tables


@dataclass
class Gathered:
    """A city day's inputs read and cleaned, before the ledger and figures (see :func:`gather`)."""

    city: City
    day: dt.date
    inbox_root: Path
    inbox: Inbox
    log: FaultLog
    today: dict[str, pd.DataFrame]  # clean tables of the day's folder
    earlier: History  # clean tables of every earlier folder
    cache_root: Path | None = None  # the outputs folder of the day cache (None: no cache)
    keys: dict[dt.date, str] = field(default_factory=dict)  # day-cache key of every folder up to D
    pending: list[Pending] = field(default_factory=list)  # day-cache entries to write
    stamps: dict[dt.date, tuple] = field(default_factory=dict)  # folder path and file stamp, every folder up to D

    def write_cache(self) -> None:
        """Write the pending day-cache entries (a day that fails to load writes nothing)."""
        if self.cache_root is None:
            return
        for p in self.pending:
            daycache.write(self.cache_root, self.city, p.day, p.key, p.entry, force=p.force, kind=p.kind)
        self.pending.clear()


def load(inbox_root: Path | str, city: str | City, day: str | dt.date | None = None,
         cache: Path | str | None = None) -> CityDay:
    """Read, clean and validate a city day and build its ledger and figures.

    ``cache``: the outputs folder whose day cache holds the clean tables of earlier day folders
    and the history up to each day (``daycache``; the day's own folder and history are added to
    it); None reads every folder that this process has not read as it is now (``clear_memo``).
    The results are the same either way.

    Raises UserError (exit 2) when the city is unknown, the day has no folder, or there is
    no list in force (table A) or no ledger (table B) for the day.

    Parameters
    ----------
    inbox_root : str or Path
        The inbox: the folder holding each city's day folders.
    city : str or reference.City
        The city, as a name, a code or a City.
    day : str or datetime.date, optional
        The report day (YYYY-MM-DD); None or "" for the newest day folder of the city.
    cache : str or Path, optional
        The outputs folder whose day cache is read and added to; None for no cache.

    Returns
    -------
    pipeline.CityDay
        The day's inbox, faults, list in force, ledger, clean tables, figures and trend.
    """
    g = gather(inbox_root, city, day, cache)
    cd = assemble(g)
    g.write_cache()
    memory.release()
    return cd


def gather(inbox_root: Path | str, city: str | City, day: str | dt.date | None = None,
           cache: Path | str | None = None) -> Gathered:
    """The day folder of D read and cleaned (its faults in the log) and the history of every
    earlier folder: everything of a city day that comes from reading files."""
    inbox_root = Path(inbox_root)
    city = city if isinstance(city, City) else resolve_city(city)
    day = resolve_day(inbox_root, city, day)
    folders = {d: f for d, f in day_folders(inbox_root, city).items() if d <= day}
    stamps = {d: (str(f), folder_stamp(f)) for d, f in folders.items()}

    inbox = read_day(folders[day], base=inbox_root)
    memory.release()  # the rows as read, now columns
    log = FaultLog(inbox)
    today = _clean_all(inbox, city, day, log)
    inbox.keep_only(tidy.FAULT_ROW_COLUMNS)  # what is read of the raw rows after cleaning
    memory.release()
    cache_root = Path(cache).resolve() if cache else None
    if cache_root is None:  # for the days after it in this process (see _CLEAN_TABLES)
        _CLEAN_TABLES.put(_clean_key(folders[day], inbox_root, city, day, stamps[day][1], None, ""), (today, None))
    keys = {d: daycache.key(f, city, d) for d, f in folders.items()} if cache_root else {}
    pending: list[Pending] = []
    earlier = _earlier(inbox_root, city, {d: f for d, f in folders.items() if d < day}, cache_root, keys, pending,
                       stamps)
    if cache_root is not None:
        # for the days after, as they would clean this folder and read the history up to it;
        # encoded now, since the day's tables are checked (and some replaced) while it is assembled
        if not daycache.has(cache_root, city, day, keys[day]):
            pending.append(Pending(day, keys[day], daycache.encode(day, keys[day], daycache.Entry(dict(today),
                                                                                                  log.frame())), False))
        k = daycache.chain_key(keys, day)
        if not daycache.has(cache_root, city, day, k, kind=daycache.STATE):
            state = daycache.Entry(earlier.append(day, today).state(), pd.DataFrame())
            pending.append(Pending(day, k, daycache.encode(day, k, state, daycache.STATE), True, daycache.STATE))
        memory.release()  # the tables read back to check the encoding
    return Gathered(city, day, inbox_root, inbox, log, today, earlier, cache_root, keys, pending, stamps)


def _earlier(inbox_root: Path, city: City, folders: dict[dt.date, Path], cache_root: Path | None,
             keys: dict[dt.date, str], pending: list[Pending], stamps: dict[dt.date, tuple]) -> History:
    """The history of the folders before the day: the day cache's history up to the last of them
    when it holds one for the folders as they are now, else each folder's clean tables appended
    in date order (and that history added to ``pending``). Without a day cache, kept in this
    process on the folders' file stamps (``_EARLIER_HISTORY``)."""
    if not folders:
        return History()
    if cache_root is None:
        return _history_of(inbox_root, city, folders, stamps)
    last = max(folders)
    hit = daycache.read(cache_root, city, last, daycache.chain_key(keys, last), kind=daycache.STATE)
    if hit is not None:
        try:
            return History.from_state(hit.tables)
        except (KeyError, ValueError, AttributeError):
            pass  # an entry of another shape: built again below
    history = _append_folders(inbox_root, city, folders, cache_root, keys, pending, stamps)
    k = daycache.chain_key(keys, last)
    pending.append(Pending(last, k, daycache.Entry(history.state(), pd.DataFrame()), True, daycache.STATE))
    return history


def _history_of(inbox_root: Path, city: City, folders: dict[dt.date, Path], stamps: dict[dt.date, tuple]) -> History:
    """The clean tables of ``folders`` appended in date order, without a day cache: built on the
    longest history of the first of them kept in this process (``_EARLIER_HISTORY``, on the
    folders' file stamps), so that a run over many days appends each folder once."""
    days = sorted(folders)
    history, start = History(), 0
    for i in range(len(days), 0, -1):
        kept = _EARLIER_HISTORY.find((city.code, _stamps_upto(stamps, days[i - 1])))
        if kept is not None:
            history, start = kept, i
            break
    for d in days[start:]:
        history = history.append(d, _clean_earlier(folders[d], inbox_root, city, d, stamps[d][1], None, "")[0])
    if days:
        _EARLIER_HISTORY.put((city.code, _stamps_upto(stamps, days[-1])), history)
    return history


def _append_folders(inbox_root: Path, city: City, folders: dict[dt.date, Path], cache_root: Path,
                    keys: dict[dt.date, str], pending: list[Pending], stamps: dict[dt.date, tuple]) -> History:
    """Each folder's clean tables appended in date order (entries for the day cache to ``pending``)."""
    history = History()
    for d, folder in sorted(folders.items()):
        tables, entry = _clean_earlier(folder, inbox_root, city, d, stamps[d][1], cache_root, keys[d])
        history = history.append(d, tables)
        if entry is not None:
            pending.append(Pending(d, keys[d], entry))
    return history


def assemble(g: Gathered) -> CityDay:
    """The list in force, the day's checks against it, the ledger and the figures of a gathered
    city day (pure functions of its clean tables; the day's faults are added to ``g.log``)."""
    city, day, inbox, log = g.city, g.day, g.inbox, g.log
    today = dict(g.today)
    lists = _named_lists({**g.earlier.lists, **({day: today[LIST]} if LIST in today else {})})
    list_day, in_force = led.list_in_force(lists, day)
    if list_day is None:
        raise UserError(f"{city.full_name} {day}：没有可用的重点企业清单（表A），"
                        f"请在当日或之前的文件夹中放入重点企业清单{inbox.unread_note()}")
    if "B" not in today:
        raise UserError(f"{city.full_name} {day}：当日文件夹中没有企业用工台账（表B），无法生成报表"
                        f"{inbox.unread_note()}")

    b_today = today["B"]
    wrong_day = b_today[b_today["填报日期"] != day]
    for _, row in wrong_day.iterrows():
        log.add(WARNING, validate.table_specs()["B"], row, "填报日期",
                f"填报日期不是{day}", "请核对填报日期；该行按其填报日期处理", "ledger_date")
    today["B"] = validate.check_ledger_against_list(b_today, in_force, log)
    if "D" in today:
        today["D"] = _check_placements(today["D"], lists, day, log)
    if "C" in today:
        today["C"] = _dated_vacancies(today["C"], day)
    history = g.earlier.append(day, today)
    tables = _day_tables(history, lists, city, day, today)
    if tables.vacancies is not None:
        validate.check_vacancies_against_ledger(
            tables.vacancies, tables.ledger[tables.ledger["报送状态"] == led.REPORTED], log)
    cd = CityDay(city, day, g.inbox_root, inbox, log, list_day, in_force,
                 led.adjustments(lists, day), tables.ledger, today, history=history)
    cd.figures = fig.compute(tables)
    if g.cache_root is None:  # the day's figures are those the days after it show in their trend
        _EARLIER_FIGURES.put(_figures_key(city, day, g.stamps), cd.figures.copy())
    cd.trend = _trend(history, lists, city, day, cd.figures, g.cache_root, g.keys, g.pending, g.stamps)
    return cd


def _check_placements(rows: pd.DataFrame, lists: dict[dt.date, pd.DataFrame], day: dt.date,
                      log: FaultLog) -> pd.DataFrame:
    """Table D rows of the day's folder: those dated after the day, and those at an enterprise not
    on the list in force on their date, are 错误 (not counted); those dated
    before the day are 补报 (counted, listed as 提示). Returns the rows that count."""
    spec = table_specs()["D"]
    counted, rejected = led.attribute_placements({day: rows}, lists)
    for _, r in rejected.iterrows():
        if r["原因"] == led.FUTURE:
            log.add(ERROR, spec, r, "日期", f"日期晚于报送日期{day}，不计入",
                    "请核对日期：当日文件夹只报送当日及以前的用工解决情况", "placement_future")
        else:
            log.add(ERROR, spec, r, "统一社会信用代码",
                    f"该企业在{r['日期']}不在重点企业清单内，不计入解决用工", "请核对信用代码或清单", "placement_off_list")
    for _, r in late_placements(counted, day).iterrows():
        log.add(NOTICE, spec, r, "日期", f"补报{r['日期']}的用工解决{int(r['人数'])}人，计入累计解决用工和本期补报",
                "无需处理；如非补报请核对日期", "placement_late")
    return counted.drop(columns=["县区", "_folder"]).reset_index(drop=True)


def late_placements(rows: pd.DataFrame, day: dt.date) -> pd.DataFrame:
    """The 补报 among the counted table D rows of the folder of ``day``: those dated before it."""
    return rows[rows["日期"] < day]


def ledger_of(history: History, day: dt.date) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The ledger of ``day`` as the run of that day builds it from the folders up to it in
    ``history``, and the table B row each of its reported or carried rows comes from
    (``ledger.newest_rows``: index the credit code, with ``_file``, ``_sheet``, ``_row``)."""
    in_force, b_rows = _ledger_inputs(history, _named_lists(history.lists), day)
    carry = int(settings()["carry_forward_days"])
    return led.build_ledger(in_force, b_rows, day, carry), led.newest_rows(b_rows, day, carry)


def _ledger_inputs(history: History, lists: dict[dt.date, pd.DataFrame],
                   day: dt.date) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The list in force on ``day`` and the table B rows of its enterprises from the folders up to it."""
    _, in_force = led.list_in_force(lists, day)
    b_rows = history.rows("B", upto=day)
    if b_rows is None:
        b_rows = pd.DataFrame(columns=["统一社会信用代码", "填报日期"])
    return in_force, b_rows[b_rows["统一社会信用代码"].isin(in_force["统一社会信用代码"])]


def _day_tables(history: History, lists: dict[dt.date, pd.DataFrame], city: City, day: dt.date,
                today: dict[str, pd.DataFrame] | None = None) -> fig.DayTables:
    """The clean inputs of the figures for ``day``, from the folders up to ``day`` of ``history``
    (``today``: the tables of the folder of ``day`` when the caller has them)."""
    in_force, b_rows = _ledger_inputs(history, lists, day)
    today = history.tables(day) if today is None else today
    ledger = led.build_ledger(in_force, b_rows, day, int(settings()["carry_forward_days"]))
    vac = today.get("C")
    if vac is not None:
        vac = _dated_vacancies(vac, day)
    d_rows = history.rows("D", upto=day)
    placements = None if d_rows is None else led.attribute_rows(d_rows, lists)[0]
    requests = history.rows("J", upto=day)
    if requests is not None:
        requests = requests.drop_duplicates("编号", keep="last")
    return fig.DayTables(
        day=day,
        counties=[c.name for c in city_counties(city)],
        ledger=ledger,
        vacancies=vac,
        placements=placements,
        placements_today_reported="D" in today,
        recruitment=today.get("E"),
        transport=_on_day(today.get("G"), "日期", day),
        pushes=_on_day(today.get("H"), "日期", day),
        training=_on_day(today.get("I"), "日期", day),
        help=requests,
        help_today_reported="J" in today,
        registrations=outbound.registrations(history.rows("O", upto=day)),
    )


def _named_lists(lists: dict[dt.date, pd.DataFrame]) -> dict[dt.date, pd.DataFrame]:
    """The lists (table A, by folder) that name enterprises (``ledger.list_in_force``)."""
    return {d: a for d, a in sorted(lists.items()) if not a.empty}


def _dated_vacancies(vac: pd.DataFrame, day: dt.date) -> pd.DataFrame:
    """Table C of the folder of ``day`` with a blank 填报日期 taken as that day."""
    vac = vac.copy()
    vac["填报日期"] = vac["填报日期"].where(vac["填报日期"].notna(), day)
    return vac


def _trend(history: History, lists, city: City, day: dt.date, today_figures: pd.DataFrame,
           cache_root: Path | None, keys: dict[dt.date, str],
           pending: list[Pending] | None, stamps: dict[dt.date, tuple]) -> pd.DataFrame:
    """The city's 合计 figures for the last ``trend_days`` days that have a list and a ledger.

    An earlier day's figures come from the day cache (under the chain key of that day) when
    ``cache_root`` is given; otherwise they are computed and added to ``pending`` (written by
    ``Gathered.write_cache``). Without a day cache they are kept in this process on the
    ``stamps`` of the folders up to that day (see ``_EARLIER_FIGURES``)."""
    total = settings()["total_row"]
    n = int(settings()["trend_days"])
    rows = {}
    for d in history.days:
        if d > day or d <= day - dt.timedelta(days=n):
            continue
        if d == day:
            rows[d] = today_figures.loc[total]
        elif history.has(d, "B") and led.list_in_force(lists, d)[0] is not None:
            rows[d] = _figures_of(history, lists, city, d, cache_root, keys, pending, stamps).loc[total]
    out = pd.DataFrame(rows).T
    out.index.name = "日期"
    return out


def _figures_of(history: History, lists, city: City, d: dt.date, cache_root: Path | None,
                keys: dict[dt.date, str], pending: list[Pending] | None,
                stamps: dict[dt.date, tuple]) -> pd.DataFrame:
    """The figures of the earlier day ``d`` from the folders up to it (cached, see _trend)."""
    if cache_root is None:
        return _EARLIER_FIGURES.get(_figures_key(city, d, stamps), lambda: fig.compute(_day_tables(history, lists, city, d)))
    k = daycache.chain_key(keys, d)
    hit = daycache.read(cache_root, city, d, k, kind=daycache.FIGURES)
    if hit is not None:
        return hit.tables["figures"]
    figures = fig.compute(_day_tables(history, lists, city, d))
    if pending is not None:
        pending.append(Pending(d, k, daycache.Entry({"figures": figures}, pd.DataFrame()), True, daycache.FIGURES))
    return figures


def _figures_key(city: City, d: dt.date, stamps: dict[dt.date, tuple]) -> tuple:
    """The key of the figures of day ``d`` in ``_EARLIER_FIGURES``: the folders up to it as they are."""
    return city.code, d, _stamps_upto(stamps, d)


def _stamps_upto(stamps: dict[dt.date, tuple], d: dt.date) -> tuple:
    """The path and file stamp of every folder up to ``d``, in date order (a memo key)."""
    return tuple(sorted((x, s) for x, s in stamps.items() if x <= d))


def _on_day(df: pd.DataFrame | None, column: str, day: dt.date) -> pd.DataFrame | None:
    if df is None:
        return None
    return df[df[column] == day]
