"""The benchmark behind ``invoke bench``: wall times, ratios and peak memory, measured in one run.

This is a measurement, not a test: nothing here asserts a target; the table and
``<out>/bench.json`` say which targets were met on this machine in this run.

Scenarios (every command runs as a separate process from the repository root, the way an
analyst runs it; interpreter start and imports count everywhere):

S1  One city day, cold. ``daily`` = ``python -m invoke daily --city=南昌 --out=<fresh folder>``
    (papermill, kernel, lock, fingerprint, manifest). The *floor* is a fresh ``python -c`` process
    that imports yonggong and does the same work in-process (``pipeline.load`` with the day
    cache, ``match.city_day``, ``products.write_all``, ``selfcheck.city``) for the same city day
    into a fresh folder: the same figures and files with no orchestration. Ratio = daily ÷
    floor (the orchestration overhead). Target ≤ 1.3.
S2  The same city day again with nothing changed (same command, same outputs folder, no
    --force): run.py finds it up to date (已是最新). Ratio = S2 ÷ S1. Target ≤ 0.3 s.
S3  ``invoke all --date=2020-03-01`` (11 city days in parallel, then the province) on the bundled
    sample, against the 12 run one after another as separate commands (11 × ``invoke daily``,
    then ``invoke province``); ``invoke all --workers=1`` is recorded too. Each into an outputs
    folder holding the day cache of 02-29's ``invoke all`` (run once before, not timed): a day of
    a campaign under way, as the 15:00 run is. Speed-up =
    sequential ÷ parallel. Targets ≤ 15 s and ≥ 1.7×. When tasks.py has no ``all`` task the
    parallel run is a ProcessPoolExecutor over ``run.run_city_day`` (then the province) in one
    process, and the result says so (``path``).
S4  Province scale (``bigdata.generate_big``: 5,000 enterprises, 50,000 vacancy rows,
    1,000,000 returning workers F, 200,000 job seekers M; cached under ``<out>/inputs/``):
    ``daily`` on the inbox with F and M as CSV, wall time and peak memory (RSS summed over the
    process tree — invoke, the kernel and their children — sampled every 50 ms with psutil);
    and the time to read the 200,000-row M xlsx with the reader ingest uses (python-calamine)
    against openpyxl (read_only=True, values_only=True). Targets ≤ 60 s, ≤ 1.5 GB, reader ≥ 5×.
S5  A long campaign: the sample generator for 南昌 over 90 days (``sample.generate_campaign``,
    cached under ``<out>/inputs/``); the day cache filled for days 1–89 in one process (what the
    earlier days' runs leave behind), then ``invoke daily`` for day 8 and for day 90 as cold
    processes into that outputs folder. Ratio = day 90 ÷ day 8. Target ≤ 1.25.

Repeats: S1 and S2 three times each (daily and floor interleaved), S3 and S4 once; medians are
reported. ``quick=True`` (the smoke test) shrinks S4 to 1/100 of the province scale and S5 to
12 days, runs everything once and skips S3.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from .. import catalogue, paths

CITY = "南昌"
DAY = "2020-03-01"
FULL_SCALE = {"enterprises": 5000, "vacancies": 50_000, "returning": 1_000_000, "seekers": 200_000}
QUICK_SCALE = {"enterprises": 50, "vacancies": 500, "returning": 10_000, "seekers": 2_000}
TARGETS = {
    "S1": "daily ÷ floor ≤ 1.3",
    "S2": "≤ 0.3 s",
    "S3": "≤ 15 s, ≥ 1.7× faster than sequential, ≤ 1.5× its parallel floor",
    "S4": "daily ≤ 60 s and ≤ 1.5 GB peak; xlsx reader ≥ 5× faster than openpyxl",
    "S5": "daily on day 90 ÷ daily on day 8 ≤ 1.25",
}
CAMPAIGN_DAYS = 90  # S5: a generated campaign of this many days for CITY
CAMPAIGN_FILL = """
import sys
from pathlib import Path
from yonggong import pipeline
pipeline.load(Path(sys.argv[1]), sys.argv[2], sys.argv[3], cache=Path(sys.argv[4]))
"""
FLOOR_CODE = """
import sys
from pathlib import Path
from yonggong import match, pipeline, products, selfcheck
out = Path(sys.argv[4])
cd = pipeline.load(Path(sys.argv[1]), sys.argv[2], sys.argv[3], cache=Path(sys.argv[5]) if len(sys.argv) > 5 else out)
products.write_all(cd, out, acts=match.city_day(cd))
selfcheck.city(cd, out)
"""


# ---------------------------------------------------------------------------------------------
# Measuring a process


def _env() -> dict:
    return dict(os.environ, PYTHONUTF8="1", PYTHONIOENCODING="utf-8")


def _tree_rss(proc) -> tuple[int, int]:
    """(RSS summed over a process and all its descendants, the largest single RSS), bytes."""
    import psutil

    total = largest = 0
    try:
        members = [proc, *proc.children(recursive=True)]
    except psutil.Error:
        return 0, 0
    for p in members:
        try:
            rss = p.memory_info().rss
        except psutil.Error:
            continue
        total += rss
        largest = max(largest, rss)
    return total, largest


def run_process(cmd: list[str], cwd: Path | None = None, interval: float = 0.05) -> dict:
    """Run ``cmd``; wall time, exit code, output tail and peak RSS of its process tree.

    The main thread only waits, so the wall time is not delayed by the memory sampling,
    which runs in a second thread every ``interval`` seconds.
    """
    import psutil

    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        proc = psutil.Popen(cmd, cwd=str(cwd or paths.ROOT), env=_env(), stdout=out, stderr=err)
        peak = {"tree": 0, "process": 0}
        done = threading.Event()

        def sample() -> None:
            while not done.is_set():
                tree, single = _tree_rss(proc)
                peak["tree"], peak["process"] = max(peak["tree"], tree), max(peak["process"], single)
                done.wait(interval)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        code = proc.wait()
        seconds = time.perf_counter() - started
        done.set()
        sampler.join()
        out.seek(0)
        err.seek(0)
        stdout = out.read().decode("utf-8", "replace")
        stderr = err.read().decode("utf-8", "replace")
    return {"seconds": round(seconds, 3), "returncode": code, "peak_rss_mb": round(peak["tree"] / 2**20, 1),
            "peak_rss_process_mb": round(peak["process"] / 2**20, 1),
            "stdout_head": stdout.strip().splitlines()[:2], "stdout_tail": stdout.strip().splitlines()[-3:],
            "stderr_tail": stderr.strip().splitlines()[-3:]}


def _invoke(*args: str) -> list[str]:
    return [sys.executable, "-m", "invoke", *args]


def _checked(res: dict, what: str) -> dict:
    if res["returncode"] != 0:
        raise RuntimeError(f"{what} failed (exit {res['returncode']}): {res['stderr_tail'] or res['stdout_tail']}")
    return res


def _fresh(folder: Path) -> Path:
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    return folder


def _warmed(folder: Path, warm: Path | None) -> Path:
    """A fresh outputs folder holding the day cache of ``warm`` (the earlier days' runs)."""
    folder = _fresh(folder)
    if warm is not None:
        from ..daycache import CACHE, RESTRICTED

        for part in (Path(CACHE), Path(RESTRICTED) / CACHE):
            if (warm / part).is_dir():
                shutil.copytree(warm / part, folder / part)
    return folder


def _median(runs: list[dict], key: str = "seconds") -> float:
    return round(statistics.median(r[key] for r in runs), 3)


def _ratio(a: float, b: float) -> float | None:
    return round(a / b, 3) if b else None


# ---------------------------------------------------------------------------------------------
# Scenarios


def daily_cmd(out: Path, inbox: Path | None = None, force: bool = False) -> list[str]:
    cmd = _invoke("daily", f"--city={CITY}", f"--date={DAY}", f"--out={out}")
    if inbox is not None:
        cmd.append(f"--inbox={inbox}")
    return cmd + (["--force"] if force else [])


def floor_cmd(out: Path, inbox: Path | None = None, city: str = CITY, cache: Path | None = None) -> list[str]:
    return [sys.executable, "-c", FLOOR_CODE, str(inbox or paths.SAMPLE_INBOX), city, DAY, str(out),
            *([str(cache)] if cache else [])]


PROVINCE_FLOOR_CODE = """
import sys
from pathlib import Path
from yonggong import province
out = Path(sys.argv[2])
pday = province.day.load(sys.argv[1], None, source="auto", outputs=Path(sys.argv[3]), cache=Path(sys.argv[3]))
province.write.write_all(pday, out)
province.write.self_check(pday, out)
"""


def parallel_floor(work: Path, warm: Path | None = None) -> dict:
    """The in-process floors of the 12 runs of a province day (each city's daily work in a fresh
    ``python -c`` process, then the province's from those outputs), for S3's parallel efficiency;
    with the day cache of ``warm`` (the day before already run) like the runs they are set against."""
    from ..reference import cities

    root = _warmed(work / "s3-floor", warm)
    runs = []
    for c in cities():
        out = root / DAY / c.name
        out.mkdir(parents=True, exist_ok=True)
        runs.append(_checked(run_process(floor_cmd(out, city=c.name, cache=root)), f"floor {c.name} (S3)"))
    prov = root / DAY / "省"
    prov.mkdir(parents=True, exist_ok=True)
    runs.append(_checked(run_process([sys.executable, "-c", PROVINCE_FLOOR_CODE, DAY, str(prov), str(root)]),
                         "floor province (S3)"))
    return {"runs": runs, "total_s": round(sum(r["seconds"] for r in runs), 3)}


def scenario_s1_s2(work: Path, repeats: int = 3) -> tuple[dict, dict]:
    """S1 (cold daily vs the in-process floor) and S2 (the unchanged rerun)."""
    daily, floor, rerun = [], [], []
    last = None
    for i in range(repeats):
        last = _fresh(work / f"s1-daily-{i}")
        daily.append(_checked(run_process(daily_cmd(last)), "daily (S1)"))
        floor.append(_checked(run_process(floor_cmd(_fresh(work / f"s1-floor-{i}"))), "floor (S1)"))
    for _ in range(repeats):
        res = _checked(run_process(daily_cmd(last)), "daily (S2)")
        res["up_to_date"] = any("已是最新" in line for line in res["stdout_head"])
        rerun.append(res)
    s1 = {"daily": {"runs": daily, "median_s": _median(daily)}, "floor": {"runs": floor, "median_s": _median(floor)}}
    s1["ratio"] = _ratio(s1["daily"]["median_s"], s1["floor"]["median_s"])
    s1["target"] = TARGETS["S1"]
    s1["met"] = s1["ratio"] is not None and s1["ratio"] <= 1.3
    s2 = {"rerun": {"runs": rerun, "median_s": _median(rerun)}, "all_up_to_date": all(r["up_to_date"] for r in rerun)}
    s2["ratio"] = _ratio(s2["rerun"]["median_s"], s1["daily"]["median_s"])
    s2["target"] = TARGETS["S2"]
    s2["met"] = s2["rerun"]["median_s"] <= 0.3
    return s1, s2


def has_all_task() -> bool:
    """Whether tasks.py offers ``invoke all`` (another developer adds it)."""
    res = subprocess.run(_invoke("--list"), cwd=paths.ROOT, capture_output=True, text=True, encoding="utf-8",
                         env=_env())
    return any(line.split()[:1] == ["all"] for line in res.stdout.splitlines())


def _pool_all(out: Path, workers: int) -> None:
    """The fallback for S3: the 11 city days over a process pool, then the province if available."""
    from concurrent.futures import ProcessPoolExecutor
    from multiprocessing import get_context

    from ..reference import cities
    from ..run import run_city_day

    with ProcessPoolExecutor(max_workers=workers, mp_context=get_context("spawn")) as pool:
        list(pool.map(run_city_day, [c.name for c in cities()], [DAY] * 11, [None] * 11, [str(out)] * 11))
    try:
        from ..province.runs import run_province
    except ImportError:
        return
    run_province(DAY, None, out, source="outputs")


def scenario_s3(work: Path) -> dict:
    """S3: the whole province day in parallel against the 12 runs one after another. Every run is
    of a campaign under way: its outputs folder holds the day cache the day before left
    (``invoke all`` for D−1, run once beforehand and not timed)."""
    from ..reference import cities

    workers = os.cpu_count() or 1
    before = (dt.date.fromisoformat(DAY) - dt.timedelta(days=1)).isoformat()
    warm = None
    if has_all_task():
        path = "invoke all"
        warm = _fresh(work / "s3-warm")
        _checked(run_process(_invoke("all", f"--date={before}", f"--out={warm}")), "invoke all, the day before (S3)")
        parallel = _checked(run_process(_invoke("all", f"--date={DAY}", f"--out={_warmed(work / 's3-all', warm)}")),
                            "invoke all (S3)")
        one = _checked(run_process(_invoke("all", f"--date={DAY}", "--workers=1",
                                           f"--out={_warmed(work / 's3-all-1', warm)}")), "invoke all --workers=1 (S3)")
        province_cmd = _invoke("province", f"--date={DAY}", f"--out={work / 's3-seq'}")
    else:
        path = "ProcessPoolExecutor fallback (tasks.py has no `all`)"
        code = (f"from pathlib import Path; from yonggong.bench import _pool_all; "
                f"_pool_all(Path({str(_fresh(work / 's3-all'))!r}), {workers})")
        parallel = _checked(run_process([sys.executable, "-c", code]), "process pool (S3)")
        one = None
        province_cmd = [sys.executable, "-c", "import sys; from yonggong.province.runs import run_province; "
                        f"run_province({DAY!r}, None, sys.argv[1], source='outputs')", str(work / "s3-seq")]
    seq_out = _warmed(work / "s3-seq", warm)
    sequential = [_checked(run_process(_invoke("daily", f"--city={c.name}", f"--date={DAY}", f"--out={seq_out}")),
                           f"daily {c.name} (S3)") for c in cities()]
    try:
        sequential.append(_checked(run_process(province_cmd), "province (S3)"))
        with_province = True
    except RuntimeError:
        with_province = False
    seq_total = round(sum(r["seconds"] for r in sequential), 3)
    out = {"path": path, "workers": workers, "parallel": {"runs": [parallel], "median_s": parallel["seconds"]},
           "sequential": {"runs": sequential, "total_s": seq_total, "median_s": seq_total,
                          "with_province": with_province},
           "speedup": _ratio(seq_total, parallel["seconds"]), "target": TARGETS["S3"]}
    if one is not None:
        out["all_workers_1"] = {"runs": [one], "median_s": one["seconds"]}
        out["speedup_vs_workers_1"] = _ratio(one["seconds"], parallel["seconds"])
    try:
        floors = parallel_floor(work, warm)
        out["floors"] = floors
        out["parallel_floor_s"] = round(floors["total_s"] / workers, 3)
        out["efficiency"] = _ratio(parallel["seconds"], out["parallel_floor_s"])  # wall ÷ (Σ floors ÷ workers)
    except RuntimeError as exc:
        out["floors"] = {"error": str(exc)}
        out["efficiency"] = None
    out["ratio"] = out["speedup"]
    out["met"] = (parallel["seconds"] <= 15 and (out["speedup"] or 0) >= 1.7
                  and out["efficiency"] is not None and out["efficiency"] <= 1.5)
    return out


def campaign(inputs: Path, days: int = CAMPAIGN_DAYS) -> Path:
    """The generated campaign inbox of S5 (made once under ``inputs``; a marker file says done)."""
    from .sample import generate_campaign

    root = Path(inputs) / f"campaign-{CITY}-{days}"
    done = root / "done.txt"
    if not done.is_file():
        shutil.rmtree(root, ignore_errors=True)
        generate_campaign(root, CITY, days)
        done.write_text("ok\n", encoding="utf-8")
    return root


def scenario_s5(work: Path, inputs: Path, days: int = CAMPAIGN_DAYS) -> dict:
    """S5: the daily run on the last day of a long campaign against day 8, both cold processes,
    with the day cache the earlier days' runs left behind (filled in one process beforehand, as
    89 daily runs would leave it)."""
    from ..days import day_folders
    from ..reference import resolve_city

    inbox = campaign(inputs, days)
    dates = sorted(day_folders(inbox, resolve_city(CITY)))
    out = _fresh(work / "s5")
    fill = [sys.executable, "-c", CAMPAIGN_FILL, str(inbox), CITY, dates[-2].isoformat(), str(out)]
    first = run_process(fill)
    if first["returncode"] != 0:  # recorded, then tried once more: the fill is set-up, not the measurement
        _checked(run_process(fill), "fill the day cache (S5)")
    runs = {}
    for label, day in (("day_8", dates[7]), (f"day_{len(dates)}", dates[-1])):
        cmd = _invoke("daily", f"--city={CITY}", f"--date={day.isoformat()}", f"--out={out}", f"--inbox={inbox}")
        runs[label] = _checked(run_process(cmd), f"daily {day} (S5)")
    short, long_ = runs["day_8"]["seconds"], runs[f"day_{len(dates)}"]["seconds"]
    res = {"days": len(dates), "inbox": str(inbox), "runs": runs, "fill_first_attempt": first, "day_8_s": short, "last_day_s": long_,
           "median_s": long_, "ratio": _ratio(long_, short), "target": TARGETS["S5"]}
    res["met"] = res["ratio"] is not None and res["ratio"] <= 1.25
    return res


def read_calamine(path: Path) -> int:
    """Rows of the first sheet as ingest reads them (python-calamine)."""
    from python_calamine import CalamineWorkbook

    wb = CalamineWorkbook.from_path(str(path))
    return len(wb.get_sheet_by_name(wb.sheet_names[0]).to_python(skip_empty_area=False))


def read_openpyxl(path: Path) -> int:
    """Rows of the first sheet with openpyxl's fastest reading mode."""
    from openpyxl import load_workbook

    wb = load_workbook(path, read_only=True, data_only=True)
    try:
        return sum(1 for _ in wb.worksheets[0].iter_rows(values_only=True))
    finally:
        wb.close()


def _timed(fn, *args) -> tuple[float, object]:
    started = time.perf_counter()
    result = fn(*args)
    return round(time.perf_counter() - started, 3), result


def step_timings(out_root: Path) -> dict[str, float]:
    """The action steps' times (精准推送 match, 余缺调剂 share, vehicles, gap) as the executed city
    notebook printed them (match.summary rows 耗时_<step>(秒)); {} when not found."""
    for nb in sorted(Path(out_root).rglob(catalogue.glob("notebook"))):
        cells = json.loads(nb.read_text(encoding="utf-8"))["cells"]
        for cell in cells:
            if cell.get("id") != "act":
                continue
            for output in cell.get("outputs", []):
                text = "".join(output.get("data", {}).get("text/plain", ""))
                found = re.findall(r"耗时_(\w+)\(秒\)\s+([\d.]+)", text)
                if found:
                    return {k: float(v) for k, v in found}
    return {}


def scenario_s4(work: Path, inputs: Path, scale: dict, repeats: int = 1) -> dict:
    """S4: the province-scale city day (CSV F and M) and the xlsx reader comparison."""
    from .bigdata import cached_big

    big = cached_big(inputs, **scale)
    runs = [_checked(run_process(daily_cmd(_fresh(work / f"s4-daily-{i}"), big.csv_inbox)), "daily (S4)")
            for i in range(repeats)]
    m_xlsx = big.path("M.xlsx")
    calamine, openpyxl_ = [], []
    for _ in range(repeats):
        t, n_cal = _timed(read_calamine, m_xlsx)
        calamine.append({"seconds": t, "rows": n_cal})
        t, n_opx = _timed(read_openpyxl, m_xlsx)
        openpyxl_.append({"seconds": t, "rows": n_opx})
    out = {
        "inputs": {"root": str(big.root), "counts": big.counts, "cached": big.cached,
                   "generation_s": big.seconds, "scale": scale},
        "daily": {"runs": runs, "median_s": _median(runs), "peak_rss_mb": max(r["peak_rss_mb"] for r in runs),
                  "peak_rss_process_mb": max(r["peak_rss_process_mb"] for r in runs)},
        "reader": {"file": str(m_xlsx), "rows": big.counts["M"],
                   "calamine": {"runs": calamine, "median_s": _median(calamine)},
                   "openpyxl": {"runs": openpyxl_, "median_s": _median(openpyxl_)}},
        "target": TARGETS["S4"],
        "steps_s": step_timings(work / "s4-daily-0"),  # includes 精准推送 (match) at province scale
    }
    out["reader"]["speedup"] = _ratio(out["reader"]["openpyxl"]["median_s"], out["reader"]["calamine"]["median_s"])
    out["ratio"] = out["reader"]["speedup"]
    out["met"] = (out["daily"]["median_s"] <= 60 and out["daily"]["peak_rss_mb"] <= 1536
                  and (out["reader"]["speedup"] or 0) >= 5)
    return out


# ---------------------------------------------------------------------------------------------
# Report


def _fmt(v, unit: str = "") -> str:
    if v is None:
        return "—"
    if isinstance(v, float):
        return f"{v:.2f}{unit}"
    return f"{v}{unit}"


def table_rows(results: dict) -> list[tuple[str, str, str, str, str]]:
    """(scenario, measure, median, ratio, target met) lines of the printed table."""
    sc = results["scenarios"]
    rows = []
    s1, s2 = sc["S1"], sc["S2"]
    rows.append(("S1 单市冷启动 cold day", "daily 墙钟 wall", _fmt(s1["daily"]["median_s"], " s"),
                 _fmt(s1["ratio"], "×") + " daily÷floor", _met(s1)))
    rows.append(("", "floor 进程内直接调用 in-process", _fmt(s1["floor"]["median_s"], " s"), "", ""))
    rows.append(("S2 无变化重跑 rerun", "daily 已是最新 up to date", _fmt(s2["rerun"]["median_s"], " s"),
                 _fmt(s2["ratio"] * 100 if s2["ratio"] is not None else None, "%") + " of S1", _met(s2)))
    s3 = sc["S3"]
    if s3.get("skipped"):
        rows.append(("S3 全省一天 all", "skipped 跳过", "—", "—", "—"))
    else:
        rows.append(("S3 全省一天 all", f"parallel 并行 ({s3['workers']} workers)", _fmt(s3["parallel"]["median_s"], " s"),
                     _fmt(s3["speedup"], "×") + " vs sequential", _met(s3)))
        rows.append(("", "sequential 依次运行 12 个命令", _fmt(s3["sequential"]["total_s"], " s"), "", ""))
        if s3.get("efficiency") is not None:
            rows.append(("", f"parallel floor 并行下限 (Σ12 floors ÷ {s3['workers']})", _fmt(s3["parallel_floor_s"], " s"),
                         _fmt(s3["efficiency"], "×") + " wall÷floor", ""))
        if "all_workers_1" in s3:
            rows.append(("", "all --workers=1", _fmt(s3["all_workers_1"]["median_s"], " s"),
                         _fmt(s3["speedup_vs_workers_1"], "×"), ""))
        rows.append(("", f"path: {s3['path']}", "", "", ""))
    s4 = sc["S4"]
    counts = s4["inputs"]["counts"]
    rows.append((f"S4 省级规模 F={counts['F']:,} M={counts['M']:,}", "daily (CSV F/M) 墙钟 wall",
                 _fmt(s4["daily"]["median_s"], " s"), "", _met(s4)))
    rows.append(("", "daily peak RSS 内存峰值 (tree)", _fmt(s4["daily"]["peak_rss_mb"], " MB"),
                 f"max process {_fmt(s4['daily']['peak_rss_process_mb'], ' MB')}", ""))
    rows.append(("", f"read M xlsx ({counts['M']:,} rows) calamine", _fmt(s4["reader"]["calamine"]["median_s"], " s"),
                 _fmt(s4["reader"]["speedup"], "×") + " vs openpyxl", ""))
    rows.append(("", "read M xlsx openpyxl read_only", _fmt(s4["reader"]["openpyxl"]["median_s"], " s"), "", ""))
    for step, seconds in s4.get("steps_s", {}).items():
        rows.append(("", f"step 步骤 {step} (in daily)", _fmt(seconds, " s"), "", ""))
    s5 = sc.get("S5")
    if s5:
        rows.append((f"S5 长周期 {s5['days']} 天 campaign", f"daily day {s5['days']}", _fmt(s5["last_day_s"], " s"),
                     _fmt(s5["ratio"], "×") + " vs day 8", _met(s5)))
        rows.append(("", "daily day 8", _fmt(s5["day_8_s"], " s"), "", ""))
    return rows


def _met(s: dict) -> str:
    return "是 yes" if s.get("met") else "否 no"


def _width(text: str) -> int:
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


def format_table(results: dict) -> str:
    header = ("场景 Scenario", "指标 Measure", "中位数 Median", "比值 Ratio", "达标 Met")
    rows = [header, *table_rows(results)]
    widths = [max(_width(r[i]) for r in rows) for i in range(len(header))]
    lines = []
    for k, r in enumerate(rows):
        lines.append("  ".join(c + " " * (w - _width(c)) for c, w in zip(r, widths, strict=True)).rstrip())
        if k == 0:
            lines.append("  ".join("-" * w for w in widths))
    m = results["meta"]
    lines.append("")
    lines.append(f"{m['cpu_count']} CPU, Python {m['python']}, {m['platform']}; repeats S1/S2 {m['repeats']}, "
                 f"quick={m['quick']}; total {m['total_s']:.0f} s")
    lines.append("floor = a fresh `python -c` process: import yonggong, pipeline.load (with the day cache) + "
                 "match + products.write_all + 自检 (interpreter start and imports count on both sides)")
    lines.append("S4 peak RSS = RSS summed over the process tree (invoke, kernel, children), sampled every 50 ms")
    return "\n".join(lines)


def main(out_dir: Path, quick: bool = False) -> dict:
    """Run every scenario, print the table, write ``out_dir/bench.json``; returns the results."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    work = out_dir / "runs"
    started = time.perf_counter()
    repeats = 1 if quick else 3
    results: dict = {"meta": {
        "started": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        "quick": quick, "repeats": repeats, "cpu_count": os.cpu_count(), "python": platform.python_version(),
        "platform": platform.platform(), "city": CITY, "day": DAY,
        "definitions": {
            "S1": "daily = `python -m invoke daily --city=南昌 --date=2020-03-01 --out=<fresh>`; floor = a fresh "
                  "`python -c` process that imports yonggong and does the same work in-process (pipeline.load with "
                  "the day cache, match, products.write_all, 自检) for the same city day into a fresh folder "
                  "(interpreter start and imports count in both); ratio = daily / floor",
            "S2": "the same daily command again into the same outputs, nothing changed (已是最新); ratio = S2 / S1",
            "S3": "invoke all (11 cities in parallel, then the province) vs the 12 runs as separate commands one "
                  "after another; ratio = speed-up",
            "S4": "daily on a generated province-scale inbox with F and M as CSV: wall time and peak RSS of the "
                  "process tree; reading the M xlsx with python-calamine vs openpyxl read_only; ratio = reader "
                  "speed-up",
            "S5": f"a generated {CAMPAIGN_DAYS}-day campaign for {CITY} (the sample generator, more days): `invoke "
                  "daily` on the last day ÷ on day 8, both cold processes into the same outputs folder, whose day "
                  "cache holds the earlier days (as the earlier days' runs leave it); ratio = last ÷ day 8",
        }}, "scenarios": {}}
    sc = results["scenarios"]
    sc["S1"], sc["S2"] = scenario_s1_s2(work, repeats)
    if quick:
        sc["S3"] = {"skipped": True, "reason": "quick", "median_s": None, "ratio": None, "met": None,
                    "target": TARGETS["S3"]}
    else:
        sc["S3"] = scenario_s3(work)
    sc["S4"] = scenario_s4(work, out_dir / "inputs", QUICK_SCALE if quick else FULL_SCALE)
    sc["S5"] = scenario_s5(work, out_dir / "inputs", 12 if quick else CAMPAIGN_DAYS)
    sc["S4"]["median_s"] = sc["S4"]["daily"]["median_s"]
    sc["S1"]["median_s"] = sc["S1"]["daily"]["median_s"]
    sc["S2"]["median_s"] = sc["S2"]["rerun"]["median_s"]
    if not sc["S3"].get("skipped"):
        sc["S3"]["median_s"] = sc["S3"]["parallel"]["median_s"]
    results["meta"]["total_s"] = round(time.perf_counter() - started, 1)
    shutil.rmtree(work, ignore_errors=True)
    (out_dir / "bench.json").write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(format_table(results))
    print(f"\n结果已写入 {out_dir / 'bench.json'}")
    return results
