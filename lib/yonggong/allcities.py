"""``invoke all``: the 11 city days in parallel worker processes, then the province day.

This module imports neither pandas nor the province code: a worker process of the pool
unpickles its task from here, and a worker only drives papermill (the city work runs in its warm
kernel, ``yonggong.kernel``), so it starts without paying for libraries it never uses. The
province job is resolved in the calling process and handed to a worker as a ``run.Job``.

When the province day reads the province inbox (the files the cities filed), it does not depend
on this machine's city runs, so it is queued right behind the cities and runs beside the last of
them instead of after it. Only a city whose local run failed changes it (the failure is noted for
that city, "按收件箱中的报送文件处理"): the province day is then run again with the failures, after
the first run has finished. From this machine's outputs (``--from-outputs``, or no province
folder for the day) the province day waits for every city, as it must.
"""

from __future__ import annotations

import datetime as dt
import os
import time
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from . import paths
from .days import day_folders, parse_day
from .errors import UserError, YonggongError
from .reference import cities, resolve_city


@dataclass
class CityRun:
    city: str  # short name
    status: str  # 完成 / 已是最新 / 失败
    seconds: float
    reason: str = ""

    @property
    def full_name(self) -> str:
        return resolve_city(self.city).full_name


@dataclass
class AllResult:
    day: dt.date
    runs: list[CityRun]
    province: object  # province.runs.ProvinceResult
    completeness: object  # pandas.DataFrame: the 报送情况 table of the province workbook

    @property
    def failed(self) -> list[CityRun]:
        return [r for r in self.runs if r.status == "失败"]


def _city_worker(runner: Callable, city: str, day: str, inbox: str, out: str, force: bool) -> CityRun:
    """Run one city day in a worker process; any failure becomes a 失败 with its reason."""
    start = time.monotonic()
    try:
        res = runner(city, day, inbox, out, force=force)
        return CityRun(city, str(res.status), time.monotonic() - start)
    except YonggongError as exc:
        reason = getattr(exc, "message", "") or str(exc)
    except Exception as exc:  # noqa: BLE001 (one city must not stop the others)
        reason = f"{type(exc).__name__}：{exc}"
    return CityRun(city, "失败", time.monotonic() - start, reason.strip())


def _province_worker(job, force: bool) -> tuple[dict, str]:
    """Run the province job (resolved by the caller) in a worker process."""
    from .run import run_job

    return run_job(job, force=force)


def longest_first(todo: list, inbox: Path, day: dt.date) -> list:
    """The cities in the order their runs are handed to the workers: the largest day folder first
    (bytes of its files; the work of a city day grows with its own folder, the earlier days come
    from the day cache), so that the small ones fill the end and the workers finish together;
    ties in the cities' order. A city without a folder for the day (it fails at once) goes last."""
    def size(city) -> int:
        folder = day_folders(inbox, city).get(day)
        return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) if folder else -1

    sizes = {c.name: size(c) for c in todo}
    return sorted(todo, key=lambda c: -sizes[c.name])


def default_day(inbox: Path) -> dt.date:
    """The newest day any city has in the inbox."""
    days = [d for c in cities() for d in day_folders(inbox, c)]
    if not days:
        raise UserError(f"收件箱 {inbox} 中没有任何设区市的日期文件夹")
    return max(days)


def run_all(day=None, inbox=None, out=None, force: bool = False, workers: int | None = None,
            echo: Callable[[str], None] = print, runner: Callable | None = None,
            source: str = "auto") -> AllResult:
    """Run the 11 city days in parallel (one process each, up to the core count), then the province.

    The cities are handed out longest first (:func:`longest_first`). One progress line per city
    as it finishes; a failed city does not stop the others, and is passed to the province run (from this machine's outputs it is then 未报送 with the reason).
    """
    from concurrent.futures import ProcessPoolExecutor, as_completed
    from multiprocessing import get_context

    from .nbexec import kernel_name
    from .run import run_city_day, start_worker

    inbox = Path(inbox) if inbox else paths.SAMPLE_INBOX
    out_root = Path(out) if out else paths.OUTPUTS
    if not inbox.is_dir():
        raise UserError(f"收件箱目录不存在：{inbox}")
    day = parse_day(day) if day not in (None, "") else default_day(inbox)
    # the real runs get a warm kernel per worker (yonggong.kernel); a stand-in runner does not
    warm = {"initializer": start_worker, "initargs": (kernel_name(),)} if runner is None else {}
    runner = runner or run_city_day
    todo = list(cities())
    workers = max(1, min(len(todo), workers or os.cpu_count() or 1))
    echo(f"{day} 共{len(todo)}个设区市，并行 {workers} 个进程")
    runs: dict[str, CityRun] = {}
    with ProcessPoolExecutor(max_workers=workers, mp_context=get_context("spawn"), **warm) as pool:
        futures = {pool.submit(_city_worker, runner, c.name, day.isoformat(), str(inbox), str(out_root), force): c
                   for c in longest_first(todo, inbox, day)}
        from . import province  # while the workers start: the province job is resolved here

        src = province.day.resolve_source(source, inbox, day)
        early = None
        if src == "inbox":  # independent of the city runs: queued behind them (see the module doc)
            early_job = province.runs.province_job(day, inbox, out_root, src)
            early = pool.submit(_province_worker, early_job, force)
        for i, fut in enumerate(as_completed(futures), 1):
            city = futures[fut]
            try:
                res = fut.result()
            except Exception as exc:  # noqa: BLE001 (a worker process died)
                res = CityRun(city.name, "失败", 0.0, f"进程异常退出（{type(exc).__name__}：{exc}）")
            runs[city.name] = res
            line = f"[{i:>2}/{len(todo)}] {city.full_name} {res.status} {res.seconds:.1f}s"
            echo(line + (f"：{short_text(res.reason)}" if res.reason else ""))
        ordered = [runs[c.name] for c in todo]
        failures = {r.city: r.reason for r in ordered if r.status == "失败"}
        job = early_job if early is not None and not failures else province.runs.province_job(
            day, inbox, out_root, src, failures)
        outcome = None
        if early is not None:
            try:
                outcome = early.result()  # also when it is to be redone: the two must not overlap
            except YonggongError:
                if not failures:
                    raise
        if outcome is None or failures:
            outcome = pool.submit(_province_worker, job, force).result()
    manifest, status = outcome
    prov = province.runs.ProvinceResult(job.day, job.final, manifest, status, job.parameters["source"])
    table = province.write.read_completeness(prov.workbook)
    return AllResult(day, ordered, prov, table)


def short_text(text: str, width: int = 80) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= width else text[: width - 1] + "…"


# --------------------------------------------------------------------------- the final table


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * max(0, width - _width(text))


def summary_lines(result) -> list[str]:
    """The final table of ``invoke all``: city run, province status, reason."""
    from .province.common import LATE, MISSING, ON_TIME, RETURNED, config

    status = {r["设区市"]: r for _, r in result.completeness.iterrows()}
    head = ["设区市", "本机运行", "用时", "省级状态", "收到时间", "说明"]
    body = []
    for r in result.runs:
        full = r.full_name
        st = status.get(full, {})
        note = r.reason if r.status == "失败" else ""
        if st.get("问题"):
            note = f"{note}；{st['问题']}" if note and st["问题"] not in note else (note or st["问题"])
        shown = str(st.get("状态", "")) + (f"（{st['迟报时长']}）" if st.get("迟报时长") else "")
        body.append([full, r.status, f"{r.seconds:.1f}s", shown, str(st.get("收到时间", "")), short_text(note, 70)])
    widths = [max(_width(row[i]) for row in [head, *body]) for i in range(len(head) - 1)]
    lines = ["  ".join(_pad(c, w) for c, w in zip(row[:-1], widths, strict=True)) + "  " + row[-1]
             for row in [head, *body]]
    lines.insert(1, "-" * (sum(widths) + 2 * len(widths) + 4))
    counts = result.completeness["状态"].value_counts()
    expected = len(result.completeness)
    valid = int(counts.get(ON_TIME, 0) + counts.get(LATE, 0))
    lines.append("")
    lines.append(f"省级汇总（{config()['name']}）：{result.province.status}，来源："
                 f"{'省级收件箱' if result.province.source == 'inbox' else '本机各市输出'}，输出目录 {result.province.out_dir}")
    lines.append(f"应报{expected}个，有效报送{valid}个（按时{int(counts.get(ON_TIME, 0))}个、迟报{int(counts.get(LATE, 0))}个），"
                 f"退回{int(counts.get(RETURNED, 0))}个，未报送{int(counts.get(MISSING, 0))}个；"
                 f"报送率{valid / expected * 100:.1f}%，按时报送率{int(counts.get(ON_TIME, 0)) / expected * 100:.1f}%")
    if result.failed:
        how = "已在省级汇总中列为未报送" if result.province.source == "outputs" else "省级汇总按收件箱中的报送文件处理"
        lines.append(f"注意：{len(result.failed)}个设区市本机运行失败（{'、'.join(r.full_name for r in result.failed)}），"
                     f"{how}；其余设区市不受影响")
    return lines
