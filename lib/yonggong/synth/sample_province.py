"""The province inbox of the sample: what the 11 cities "sent" each day (``invoke sample``).

``generate(inbox_root)`` runs the city pipeline in-process for every city and day of the
sample (``pipeline.load`` + ``forms_write.write_huizongbiao`` with ``products.meta`` and
``products.detail_sheets`` — no papermill) and writes the 汇总表 files as the cities would
send them into ``<inbox_root>/province/<YYYY-MM-DD>/``: file names in each city's own style,
a ``收件登记.csv`` on most days, modification times set to the receipt times, a table L of
the cities' liaisons on the first day, the cities' 经验做法 / 先进典型 of the day (one table-K
file per city that has items in its own day folder; the city named in a 设区市 column or in
the title), and the cases planted in ``PLAN`` (late, missing, a file for the wrong day, a 合计
that does not add up, a corrected resend, a stray file, a day without 收件登记, a GB18030
收件登记). ``province/planted.json`` lists them with the status the province run must give,
and every K file with its items.

Deterministic: the same city inbox gives byte-identical files with identical times.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import random
import shutil
from pathlib import Path

import openpyxl
from openpyxl import Workbook

from .. import forms, forms_write, indicators, outbound, pipeline, products
from ..reference import City, cities, settings
from ..roster import newest_liaisons, signatories
from ..xlsxio import save_workbook, write_bytes_atomic

FOLDER = "province"
PLANTED_FILE = "planted.json"
RECEIPTS_FILE = "收件登记.csv"
LIAISONS_FILE = "各设区市重点企业用工调度保障工作联络员名单.xlsx"

# How each city names its file ({full} 南昌市, {name} 南昌, {mmdd} 0224, {ymd} 20200224, {m} {d}).
NAME_STYLES = (
    "{full}重点企业用工调度保障工作信息汇总表{mmdd}.xlsx",
    "重点企业用工调度保障工作信息汇总表_{name}_{ymd}.xlsx",
    "附件2：{full}重点企业用工调度保障工作信息汇总表（{m}月{d}日）.xlsx",
    "{name}汇总表{m}.{d}.xlsx",
    "{full}{m}月{d}日用工调度汇总表.xlsx",
    "{ymd}{name}重点企业用工汇总.xlsx",
)

# day -> planted cases. Kinds: late (receipt at `time`), missing, wrong_date (the file of D-1
# sent again), bad_total (合计 of `figure` off by `delta`), resend (a faulty first version at
# `first`, the corrected file later), stray (a non-汇总表 xlsx, listed under the city in
# 收件登记), receipts (none | gb18030), late_mtime (no 收件登记: the file's time says late).
PLAN: dict[str, list[dict]] = {
    "2020-02-25": [{"kind": "late", "city": "上饶", "time": "16:20"},
                   {"kind": "receipts", "encoding": "gb18030"}],
    "2020-02-26": [{"kind": "late", "city": "九江", "time": "16:20"},
                   {"kind": "missing", "city": "吉安"},
                   {"kind": "wrong_date", "city": "萍乡"},
                   {"kind": "bad_total", "city": "新余", "figure": "缺工人数", "delta": 40},
                   {"kind": "resend", "city": "赣州", "first": "10:12", "time": "14:40"},
                   {"kind": "stray", "city": "宜春", "time": "11:30"}],
    "2020-02-28": [{"kind": "receipts", "encoding": "none"},
                   {"kind": "late_mtime", "city": "鹰潭", "time": "15:40"}],
    "2020-02-29": [{"kind": "missing", "city": "抚州"}],
}
EXPECTED = {"late": "迟报", "late_mtime": "迟报", "missing": "未报送", "wrong_date": "退回", "bad_total": "退回",
            "resend": "按时", "stray": "按时"}


def _text(value) -> str:
    return "" if value is None or (isinstance(value, float) and value != value) else str(value)


def _days() -> list[dt.date]:
    cfg = settings()["sample"]
    first, last = (v if isinstance(v, dt.date) else dt.date.fromisoformat(str(v))
                   for v in (cfg["first_day"], cfg["last_day"]))
    return [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]


def _stamp(moment: dt.datetime) -> float:
    return moment.replace(tzinfo=indicators.LOCAL).timestamp()


def _at(day: dt.date, hhmm: str, second: int = 0) -> dt.datetime:
    hh, mm = hhmm.split(":")
    return dt.datetime.combine(day, dt.time(int(hh), int(mm), second))


def file_name(city: City, day: dt.date, index: int) -> str:
    style = NAME_STYLES[index % len(NAME_STYLES)]
    return style.format(full=city.full_name, name=city.name, mmdd=day.strftime("%m%d"), ymd=day.strftime("%Y%m%d"),
                        m=day.month, d=day.day)


def _liaison(inbox_root: Path, city: City, day: dt.date):
    """The city's table L of the first day and the footer it gives (``roster.signatories``)."""
    _sent, df = newest_liaisons(inbox_root, city, day)
    return df, signatories(df)


def _write_submission(path: Path, cd, footer: dict, sent: dt.datetime, data_day: dt.date) -> None:
    meta = dict(products.meta(cd), **footer, submitted=products.submitted_text(sent))
    meta["date"] = data_day
    forms_write.write_huizongbiao(path, cd.figures, meta, products.detail_sheets(cd),
                            companions=outbound.companion_layouts(cd.figures))


def _spoil_total(path: Path, figure_label: str, delta: int) -> int:
    """Add ``delta`` to the 合计 cell of the column headed ``figure_label``; returns the Excel row."""
    wb = openpyxl.load_workbook(path)
    ws = wb[forms.load_layout()["sheet"]]
    col = next(c.column for r in ws.iter_rows(min_row=3, max_row=6) for c in r if c.value == figure_label)
    row = next(r for r in range(1, ws.max_row + 1) if ws.cell(row=r, column=1).value == settings()["total_row"])
    ws.cell(row=row, column=col).value = int(ws.cell(row=row, column=col).value) + delta
    save_workbook(wb, path)
    return row


def _spoil_county(path: Path, figure_label: str, delta: int) -> None:
    """Change the first county's cell of a column without correcting 合计 (a first version)."""
    wb = openpyxl.load_workbook(path)
    ws = wb[forms.load_layout()["sheet"]]
    col = next(c.column for r in ws.iter_rows(min_row=3, max_row=6) for c in r if c.value == figure_label)
    first = next(r for r in range(1, ws.max_row + 1)
                 if isinstance(ws.cell(row=r, column=col).value, (int, float)))
    ws.cell(row=first, column=col).value = int(ws.cell(row=first, column=col).value) + delta
    save_workbook(wb, path)


def _stray(path: Path, city: City, day: dt.date) -> None:
    wb = Workbook()
    ws = wb.active
    ws.title = "说明"
    ws["A1"] = f"关于{city.full_name}{day.month}月{day.day}日重点企业用工调度情况的说明"
    ws["A3"] = "一、今日各县区已按要求报送重点企业用工台账，汇总表另行报送。"
    ws["A4"] = "二、部分企业因物流运输不畅，复工进度较慢，已安排服务专员上门对接。"
    ws["A5"] = f"{city.bureau}"
    save_workbook(wb, path)


def k_file_name(city: City, day: dt.date, index: int) -> str:
    return (f"{city.full_name}经验做法和先进典型（{day.month}月{day.day}日）.xlsx" if index % 2 else
            f"经验做法和典型案例_{city.name}_{day.strftime('%m%d')}.xlsx")


def _k_items(cd, day: dt.date):
    """The city's table-K items of its day folder (cleaned by the city pipeline), dated up to D."""
    k = cd.tables.get("K")
    if k is None or k.empty:
        return None
    k = k[k["类别"].isin(["经验做法", "先进典型"]) & k["日期"].map(lambda d: not isinstance(d, dt.date) or d <= day)]
    return k if not k.empty else None


def _k_book(path: Path, city: City, day: dt.date, k, index: int) -> None:
    """The city's 经验做法 / 先进典型 as it sends them to the province: a 设区市 column under a
    plain title (even cities), or the city named in the title only (odd cities)."""
    wb = Workbook()
    ws = wb.active
    ws.title = "经验做法和先进典型"
    with_column = index % 2 == 0
    ws["A1"] = "经验做法和先进典型报送表" if with_column else f"{city.full_name}经验做法和先进典型"
    ws["A2"] = f"报送日期：{day.year}年{day.month}月{day.day}日"
    head = ["序号", *(["设区市"] if with_column else []), "日期", "类别", "标题", "内容", "单位或个人"]
    ws.append(head)
    for n, (_, r) in enumerate(k.iterrows(), 1):
        when = r["日期"]
        ws.append([n, *([city.full_name] if with_column else []),
                   when.isoformat() if isinstance(when, dt.date) else _text(when),
                   _text(r["类别"]), _text(r["标题"]), _text(r["内容"]), _text(r.get("单位或个人"))])
    for col, width in zip("ABCDEFG", (6, 10, 12, 10, 24, 60, 24), strict=False):
        ws.column_dimensions[col].width = width
    save_workbook(wb, path)


def _liaison_book(path: Path, frames: list[tuple[City, object]]) -> None:
    wb = Workbook()
    ws = wb.active
    ws.title = "联络员名单"
    ws["A1"] = "各设区市重点企业用工调度保障工作联络员名单"
    ws.append([])
    ws.append(["序号", "设区市", "姓名", "单位及职务", "小组职务", "办公电话", "手机"])
    n = 0
    for city, df in frames:
        for _, r in df[df["小组职务"] == "联络员"].iterrows():
            n += 1
            ws.append([n, city.full_name, r["姓名"], r["单位及职务"], r["小组职务"], _text(r["办公电话"]), _text(r["手机"])])
    for col, width in zip("ABCDEFG", (6, 10, 10, 40, 10, 16, 14), strict=True):
        ws.column_dimensions[col].width = width
    save_workbook(wb, path)


def _receipts_bytes(rows: list[tuple[str, dt.datetime, str]], encoding: str, style: int) -> bytes:
    buf = io.StringIO(newline="")
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(["设区市", "收到时间", "文件名"])
    for city, when, name in sorted(rows, key=lambda r: (r[1], r[2])):
        shown = when.strftime("%Y-%m-%d %H:%M") if style == 0 else f"{when.year}/{when.month}/{when.day} {when:%H:%M}"
        w.writerow([city, shown, name])
    text = buf.getvalue()
    return text.encode("gb18030") if encoding == "gb18030" else ("\ufeff" + text).encode("utf-8")


def generate(inbox_root: Path, target: Path | None = None, days: list[dt.date] | None = None) -> dict:
    """Write the province inbox for the sample days (default all) under ``target``.

    ``inbox_root`` holds the city inboxes the submissions are computed from; ``target``
    defaults to ``inbox_root/province`` and is cleared first (only it).
    """
    inbox_root = Path(inbox_root)
    target = Path(target) if target else inbox_root / FOLDER
    all_days = _days()
    days = sorted(days) if days else all_days
    seed = settings()["sample"]["seed"]
    if target.is_dir():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    planted: list[dict] = []
    receipts: dict[dt.date, list[tuple[str, dt.datetime, str]]] = {d: [] for d in days}
    liaison_frames = []
    files = 0
    for index, city in enumerate(cities()):
        df, footer = _liaison(inbox_root, city, all_days[0])
        liaison_frames.append((city, df))
        for day in days:
            plan = {p["kind"]: p for p in PLAN.get(day.isoformat(), []) if p.get("city") == city.name}
            if "missing" in plan:
                planted.append(_entry(day, city, "missing", "", "当日未报送"))
                continue
            rng = random.Random(f"{seed}-province-{city.code}-{day.isoformat()}")
            sent = _at(day, "09:30") + dt.timedelta(minutes=rng.randrange(0, 320), seconds=rng.randrange(60))
            for kind in ("late", "late_mtime", "resend"):
                if kind in plan:
                    sent = _at(day, plan[kind]["time"])
            data_day = day - dt.timedelta(days=1) if "wrong_date" in plan else day
            cd = pipeline.load(inbox_root, city, data_day)
            folder = target / day.isoformat()
            folder.mkdir(exist_ok=True)
            name = file_name(city, day, index)
            if "resend" in plan:
                first = _at(day, plan["resend"]["first"])
                first_name = name.replace(".xlsx", "（初报）.xlsx")
                _write_submission(folder / first_name, cd, footer, first, data_day)
                _spoil_county(folder / first_name, "缺工人数", 25)
                os.utime(folder / first_name, (_stamp(first), _stamp(first)))
                receipts[day].append((city.name, first, first_name))
                name = name.replace(".xlsx", "（更正）.xlsx")
                planted.append(_entry(day, city, "resend", name,
                                      f"{plan['resend']['first']}先报“{first_name}”（某县缺工人数有误、合计未改），"
                                      f"{plan['resend']['time']}报更正件，采用更正件"))
                files += 1
            _write_submission(folder / name, cd, footer, sent, data_day)
            if "bad_total" in plan:
                p = plan["bad_total"]
                row = _spoil_total(folder / name, p["figure"], p["delta"])
                planted.append(_entry(day, city, "bad_total", name,
                                      f"合计行（第{row}行）{p['figure']}比各行之和多{p['delta']}"))
            if "wrong_date" in plan:
                planted.append(_entry(day, city, "wrong_date", name, f"文件数据截至{data_day.isoformat()}（前一日的表）"))
            if "late" in plan:
                planted.append(_entry(day, city, "late", name, f"收件登记收到时间 {plan['late']['time']}"))
            if "late_mtime" in plan:
                planted.append(_entry(day, city, "late_mtime", name,
                                      f"无收件登记，文件修改时间 {plan['late_mtime']['time']}"))
            os.utime(folder / name, (_stamp(sent), _stamp(sent)))
            receipts[day].append((city.name if index % 2 == 0 else city.full_name, sent, name))
            files += 1
            k_cd = cd if data_day == day else pipeline.load(inbox_root, city, day)
            k = _k_items(k_cd, day)
            if k is not None:
                when = sent + dt.timedelta(minutes=3)
                k_name = k_file_name(city, day, index)
                _k_book(folder / k_name, city, day, k, index)
                os.utime(folder / k_name, (_stamp(when), _stamp(when)))
                receipts[day].append((city.name, when, k_name))
                kinds = k["类别"].value_counts()
                planted.append(_entry(day, city, "k_items", k_name,
                                      f"经验做法和先进典型（表K）{len(k)}条：经验做法{int(kinds.get('经验做法', 0))}条、"
                                      f"先进典型{int(kinds.get('先进典型', 0))}条"))
                files += 1
            if "stray" in plan:
                when = _at(day, plan["stray"]["time"])
                stray = f"关于{day.month}月{day.day}日重点企业用工调度情况的说明.xlsx"
                _stray(folder / stray, city, day)
                os.utime(folder / stray, (_stamp(when), _stamp(when)))
                receipts[day].append((city.name, when, stray))
                planted.append(_entry(day, city, "stray", stray, "不是汇总表的文件（情况说明），不应采用"))
                files += 1
    if all_days[0] in days:
        path = target / all_days[0].isoformat() / LIAISONS_FILE
        _liaison_book(path, liaison_frames)
        when = _at(all_days[0], "09:00")
        os.utime(path, (_stamp(when), _stamp(when)))
        receipts[all_days[0]].append(("省人社厅", when, LIAISONS_FILE))
        planted.append({"date": all_days[0].isoformat(), "city": "", "kind": "liaisons", "file": LIAISONS_FILE,
                        "detail": "各设区市联络员（表L，设区市一列标明所属设区市）", "expected_status": ""})
        files += 1
    for day in days:  # the style of the times alternates over the sample's days, whichever are written
        how = next((p.get("encoding") for p in PLAN.get(day.isoformat(), []) if p["kind"] == "receipts"), "utf-8")
        if how == "none":
            planted.append({"date": day.isoformat(), "city": "", "kind": "no_receipts", "file": "",
                            "detail": "当日没有收件登记，按文件修改时间判断是否按时", "expected_status": ""})
            continue
        path = target / day.isoformat() / RECEIPTS_FILE
        write_bytes_atomic(path, _receipts_bytes(receipts[day], how, all_days.index(day) % 2))
        when = _at(day, "17:30")
        os.utime(path, (_stamp(when), _stamp(when)))
        if how == "gb18030":
            planted.append({"date": day.isoformat(), "city": "", "kind": "receipts_gb18030", "file": RECEIPTS_FILE,
                            "detail": "收件登记为 GB18030 编码", "expected_status": ""})
        files += 1
    planted.sort(key=lambda p: (p["date"], p["city"], p["kind"]))
    out = target / PLANTED_FILE
    write_bytes_atomic(out, (json.dumps(planted, ensure_ascii=False, indent=1) + "\n").encode("utf-8"))
    stamp = _stamp(_at(all_days[-1], "18:00"))
    os.utime(out, (stamp, stamp))
    size = sum(p.stat().st_size for p in target.rglob("*") if p.is_file())
    return {"days": len(days), "files": files, "bytes": size, "planted": len(planted)}


def _entry(day: dt.date, city: City, kind: str, file: str, detail: str) -> dict:
    return {"date": day.isoformat(), "city": city.full_name, "kind": kind, "file": file, "detail": detail,
            "expected_status": EXPECTED.get(kind, "")}
