"""The indicator catalogue (params/indicators.yaml) and the rules every product shares.

One definition each, used by the city figures, the city 合计, the province 全省合计, the briefs,
附件3, the province sheets and ``yonggong.history``:

* :func:`catalogue` / :func:`keys` / :func:`label` — the indicators, their order and their one
  Chinese label;
* :func:`ratio` — the one implementation of a rate (percent, one decimal, NaN when the
  denominator is not positive);
* :func:`add_rates` / :func:`total` — rates recomputed from summed counts; a total row of a frame
  (counts summed with "—" counting as nothing);
* :func:`open_problem` — what "an open problem" means;
* :data:`LOCAL` and :func:`period` — the local time zone and the report period W(D).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

from .errors import YonggongError
from .reference import load_yaml, regions, settings

KINDS = ("stock", "flow", "cumulative")
OTHER_DESTINATION = "其他"  # the destination of the indicator counting every destination not listed
LEVELS = ("county", "city")


# pragma: no mutate start
# (invoke mutation: the catalogue's loading, validation and look-ups are configuration, not a
# figure rule; docs/mutation.md)
@dataclass(frozen=True)
class Indicator:
    key: str
    label: str
    form: tuple[str, ...]
    unit: str
    sources: tuple[str, ...]
    kind: str
    level: str
    definition: str
    numerator: tuple[str, ...] = ()
    denominator: tuple[str, ...] = ()
    destination: str = ""  # 劳务输出 registrations by destination province (OTHER_DESTINATION: the rest)
    accumulates: tuple[str, ...] = ()  # a cumulative count's (flow, late reports): 累计(D) − 累计(D−1) = their sum

    @property
    def is_rate(self) -> bool:
        return bool(self.denominator)

    @property
    def form_text(self) -> str:
        """Where the 汇总表 shows it (heading／…／column), or the catalogue's ``not_in_form`` text."""
        return "／".join(self.form) if self.form else str(load_yaml("indicators.yaml")["not_in_form"])

    @property
    def kind_text(self) -> str:
        return {"stock": "时点数（截至当日）", "flow": "期间数（本报告期）", "cumulative": "累计数（截至当日）"}[self.kind]


@lru_cache(maxsize=1)
def catalogue() -> dict[str, Indicator]:
    """The indicators by key, in the catalogue's order (loaded once)."""
    raw = load_yaml("indicators.yaml")["indicators"]
    out: dict[str, Indicator] = {}
    for entry in raw:
        try:
            agg = entry["aggregate"]
            num = den = ()
            if agg != "sum":
                num, den = tuple(agg["rate"]["numerator"]), tuple(agg["rate"]["denominator"])
            ind = Indicator(key=entry["key"], label=entry["label"], form=tuple(entry["form"]), unit=entry["unit"],
                            sources=tuple(entry["sources"]), kind=entry["kind"], level=entry["level"],
                            definition=entry["definition"], numerator=num, denominator=den,
                            destination=str(entry.get("destination") or ""),
                            accumulates=tuple(entry.get("accumulates") or ()))
        except (KeyError, TypeError) as exc:
            raise YonggongError(f"params/indicators.yaml：指标 {entry.get('key', '?')} 缺少 {exc}") from exc
        if ind.kind not in KINDS or ind.level not in LEVELS:
            raise YonggongError(f"params/indicators.yaml：指标 {ind.key} 的 kind/level 无效")
        if ind.key in out:
            raise YonggongError(f"params/indicators.yaml：指标 {ind.key} 重复")
        out[ind.key] = ind
    for ind in out.values():
        if ind.accumulates and (len(ind.accumulates) != 2 or ind.kind != "cumulative"
                                or any(a not in out for a in ind.accumulates)):
            raise YonggongError(f"params/indicators.yaml：指标 {ind.key} 的 accumulates 应为累计数的［当日数, 补报数］两个指标")
        for part in ind.numerator + ind.denominator:
            if part not in out or out[part].is_rate:
                raise YonggongError(f"params/indicators.yaml：比率 {ind.key} 的 {part} 不是计数指标")
    for ind in out.values():
        if ind.destination and ind.destination != OTHER_DESTINATION and ind.destination not in regions()["provinces"]:
            raise YonggongError(f"params/indicators.yaml：指标 {ind.key} 的 destination“{ind.destination}”"
                                "不是 params/regions.yaml 中的省份")
    labels = [i.label for i in out.values()]
    if len(set(labels)) != len(labels):
        raise YonggongError("params/indicators.yaml：指标名称重复")
    return out


def by_destination() -> list[Indicator]:
    """The 劳务输出 registrations counted by destination province, in the catalogue's order."""
    return [i for i in catalogue().values() if i.destination]


def keys() -> list[str]:
    return list(catalogue())


def counts() -> list[str]:
    return [k for k, i in catalogue().items() if not i.is_rate]


def rates() -> list[str]:
    return [k for k, i in catalogue().items() if i.is_rate]


def get(key: str) -> Indicator:
    try:
        return catalogue()[key]
    except KeyError:
        raise YonggongError(f"未知指标：{key}（params/indicators.yaml）") from None


def label(key: str) -> str:
    """The one Chinese label of an indicator (keys that are not indicators are returned as they are)."""
    ind = catalogue().get(key)
    return ind.label if ind is not None else key


def key_of(text: str) -> str | None:
    """The key of an indicator given its key or its label."""
    if text in catalogue():
        return text
    for k, ind in catalogue().items():
        if ind.label == text:
            return k
    return None


def is_rate(key: str) -> bool:
    ind = catalogue().get(key)
    return ind is not None and ind.is_rate


# pragma: no mutate end
# --------------------------------------------------------------------------- arithmetic


def ratio(numerator, denominator):
    """Percent with one decimal; NaN where the denominator is not positive or either is missing.

    Works on scalars and on pandas Series alike. The one implementation of every rate.
    """
    if isinstance(numerator, pd.Series) or isinstance(denominator, pd.Series):
        index = numerator.index if isinstance(numerator, pd.Series) else denominator.index
        num, den = (pd.Series(v, index=index).astype("float64") for v in (numerator, denominator))
        return (num / den.where(den > 0) * 100.0).round(1)
    try:
        n, d = float(numerator), float(denominator)
    except (TypeError, ValueError):
        return float("nan")
    if np.isnan(d) or d <= 0:
        return float("nan")
    return round(n / d * 100.0, 1)  # NaN when the numerator is NaN


def _sum_parts(frame: pd.DataFrame, parts: tuple[str, ...]) -> pd.Series:
    """Row-wise sum of ``parts``; NaN where any part is NaN (or missing from the frame)."""
    if not set(parts) <= set(frame.columns):
        return pd.Series(np.nan, index=frame.index)
    sub = frame[list(parts)].to_numpy(dtype="float64")
    return pd.Series(np.where(np.isnan(sub).any(axis=1), np.nan, sub.sum(axis=1)), index=frame.index)


def add_rates(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` (rows × indicator keys) with every rate recomputed from its counts in each row."""
    for key in rates():
        ind = catalogue()[key]
        frame[key] = ratio(_sum_parts(frame, ind.numerator), _sum_parts(frame, ind.denominator))
    return frame


def total(frame: pd.DataFrame) -> pd.Series:
    """The total row of ``frame`` (rows × keys): counts summed ("—"/NaN counts as nothing; NaN
    when every row is NaN), rates recomputed from the summed counts."""
    out = frame.astype("float64").sum(min_count=1)  # rates too, then replaced: add_rates sets every rate
    return add_rates(out.to_frame().T).iloc[0]


def left_out(frame: pd.DataFrame) -> dict[str, list[str]]:
    """For each count column with "—" (NaN) in some rows but not all: the row labels left out of
    its total."""
    out = {}
    for c in frame.columns:
        if is_rate(c):
            continue
        na = frame[c].isna()
        if na.any() and not na.all():
            out[c] = [str(i) for i in frame.index[na]]
    return out


# --------------------------------------------------------------------------- shared predicates


def open_problem(ledger: pd.DataFrame) -> pd.Series:
    """An enterprise has an open problem: 问题困难 is filled and 问题是否解决 is not 是."""
    text = ledger["问题困难"].astype("string").str.strip().fillna("")
    solved = ledger["问题是否解决"].astype("boolean").fillna(False)
    return (text != "") & ~solved


# --------------------------------------------------------------------------- time


LOCAL = ZoneInfo(str(settings()["timezone"]))


def _clock(key: str) -> dt.time:
    hh, mm = str(settings()[key]).strip().split(":")
    return dt.time(int(hh), int(mm))


def deadline(day: dt.date) -> dt.datetime:
    """The submission deadline of day D (settings ``deadline``), naive local time."""
    return dt.datetime.combine(day, _clock("deadline"))


def period(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The report period W(D) = (D−1 cut-off, D cut-off] as naive local datetimes
    (settings ``period_cutoff``)."""
    end = dt.datetime.combine(day, _clock("period_cutoff"))
    return end - dt.timedelta(days=1), end


def in_period(times: pd.Series, day: dt.date) -> pd.Series:
    """Which of ``times`` (naive local datetimes, NaT allowed) lie in W(D)."""
    start, end = period(day)
    t = pd.to_datetime(times, errors="coerce")
    return (t > pd.Timestamp(start)) & (t <= pd.Timestamp(end))


def local_time(timestamp: float) -> dt.datetime:
    """A POSIX timestamp as a naive local datetime (to the second)."""
    return dt.datetime.fromtimestamp(int(timestamp), LOCAL).replace(tzinfo=None)
