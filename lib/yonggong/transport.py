"""Vehicles for groups of travelling workers: one rule for the returning workers' 专车专列
(match.plan_vehicles, inbound) and the sending-out of local workers (outbound.plan_trips).

Rows are grouped by the caller's keys (origin, destination) and a window of ``window_days`` days
anchored at the group's earliest day (then at the next day not yet covered). A group of fewer
than ``min_load`` people gets no vehicle: its rows are 零散 (the caller lists them with advice);
from ``train_threshold`` people a group asks for 专列 of ``train_capacity``; otherwise
⌈n / bus_seats⌉ 专车. Loads within a group differ by at most one. Every value comes from the
``transport`` section of params/match.yaml (a missing key is an error).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .errors import YonggongError
from .reference import load_yaml

KEYS = ("bus_seats", "min_load", "window_days", "train_threshold", "train_capacity", "origin_level",
        "scattered_advice", "local_advice")


@dataclass(frozen=True)
class Rules:
    bus_seats: int
    min_load: int
    window_days: int
    train_threshold: int
    train_capacity: int
    origin_level: str
    scattered_advice: str
    local_advice: str


def rules(**overrides) -> Rules:
    """params/match.yaml ``transport``, with the given values (not None) put in their place."""
    raw = load_yaml("match.yaml").get("transport")
    missing = [k for k in KEYS if not isinstance(raw, dict) or k not in raw]
    if missing:
        raise YonggongError(f"params/match.yaml 的 transport 缺少：{'、'.join(missing)}")
    values = {k: raw[k] for k in KEYS} | {k: v for k, v in overrides.items() if v is not None}
    ints = ("bus_seats", "min_load", "window_days", "train_threshold", "train_capacity")
    r = Rules(**{k: (int(v) if k in ints else str(v)) for k, v in values.items()})
    # a group of n ≥ min_load split over k buses carries at least ⌊(seats + 1) / 2⌋ a bus when k ≥ 2:
    # so no bus is under min_load exactly when min_load is at most that
    if not 1 <= r.min_load <= (r.bus_seats + 1) // 2 or r.train_threshold < r.min_load:
        raise YonggongError(f"params/match.yaml 的 transport：min_load（{r.min_load}）须在 1 与座位数的一半"
                            f"（{(r.bus_seats + 1) // 2}）之间，且不大于 train_threshold（{r.train_threshold}）")
    return r


def split(n: int, k: int) -> list[int]:
    """n people over k vehicles, loads differing by at most one (larger first)."""
    return [n // k + (1 if i < n % k else 0) for i in range(k)]


def windows(w: pd.DataFrame, keys: list[str], window: int) -> np.ndarray:
    """The window start of each row: per group of ``keys``, anchored at the earliest ``_date``,
    then at the next ``_date`` at least ``window`` days later."""
    starts = []
    for key, dates in w.groupby(keys, sort=True)["_date"].unique().items():
        anchor = None
        for d in sorted(dates):
            if anchor is None or (d - anchor).days >= window:
                anchor = d
            starts.append((*(key if isinstance(key, tuple) else (key,)), d, anchor))
    table = pd.DataFrame(starts, columns=[*keys, "_date", "_win"])
    return w[[*keys, "_date"]].merge(table, on=[*keys, "_date"], how="left", validate="many_to_one")["_win"].to_numpy()


def allocate(w: pd.DataFrame, keys: list[str], order: list[str], prefix: tuple[str, str],
             rules_: Rules | None = None) -> pd.DataFrame:
    """Rows of ``w`` (with ``_date`` and the ``keys`` columns) sorted by keys, window and ``order``,
    with ``_win``, ``编号`` ("" for 零散), ``方式`` and ``座位数`` added. Vehicles are numbered per
    mode in group order: ``prefix`` (bus, train) + three digits (ZC001, WL002 …)."""
    r = rules_ or rules()
    w = w.copy()
    w["_win"] = windows(w, keys, r.window_days) if len(w) else []
    w = w.sort_values([*keys, "_win", *order], kind="stable").reset_index(drop=True)
    numbers = np.full(len(w), "", dtype=object)
    modes = np.full(len(w), "", dtype=object)
    seats = np.zeros(len(w), dtype=np.int64)
    counters = {"专车": 0, "专列": 0}
    start = 0
    for n in w.groupby([*keys, "_win"], sort=False).size().to_numpy().tolist():
        if n >= r.min_load:
            mode, cap = ("专列", r.train_capacity) if n >= r.train_threshold else ("专车", r.bus_seats)
            at = start
            for load in split(n, math.ceil(n / cap)):
                counters[mode] += 1
                numbers[at:at + load] = f"{prefix[0] if mode == '专车' else prefix[1]}{counters[mode]:03d}"
                modes[at:at + load] = mode
                seats[at:at + load] = cap
                at += load
        start += n
    return w.assign(编号=numbers, 方式=modes, 座位数=seats)
