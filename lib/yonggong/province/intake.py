"""Intake: every received file (or this machine's city outputs) to one chosen submission per city."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pandas as pd

from .. import catalogue, forms, indicators
from ..indicators import local_time
from ..reference import City, cities
from .checks import check_figures
from .common import (
    ACCEPTED,
    K_FILE,
    LATE,
    LIAISON_FILE,
    ON_TIME,
    RECEIPT_FILE_ABSENT,
    RECEIPTS_FILE,
    REFUSED,
    REMIND,
    REPLACED,
    RETURN,
    RETURNED,
    SRC_MTIME,
    SRC_RECEIPTS,
    SRC_RUN,
    UNKNOWN,
    USED,
    CityStatus,
    Intake,
    Problem,
    Submission,
    config,
    date_text,
    file_key,
)
from .reading import CHANGES_SHOWN, changed_cells, k_frame, liaison_rows, read_submission
from .receipts import Receipt, read_receipts

# --------------------------------------------------------------------------- intake


def intake_inbox(folder: Path, day: dt.date, failures: dict | None = None, layout=None) -> Intake:
    """Intake of ``<inbox>/province/<D>/``: every file read, timed, checked; statuses decided."""
    layout = forms.load_layout() if layout is None else layout
    receipts_name = config()["receipts"]["file"]
    files = [p for p in sorted(folder.iterdir()) if p.is_file() and not p.name.startswith(("~$", ".", "._"))] \
        if folder.is_dir() else []
    receipts, problems, how = [], [], "收件箱中没有收件登记，全部按文件修改时间计"
    by_name: dict[str, Receipt] = {}
    subs: list[Submission] = []
    for p in files:
        if file_key(p.name) == file_key(receipts_name):
            receipts, encoding, problems = read_receipts(p, day)
            unreadable = [q.message for q in problems if q.where == "文件"]
            how = (f"{receipts_name}无法读取，全部按文件修改时间计" if unreadable else
                   f"按{receipts_name}（{encoding}）计；其中未登记的文件按文件修改时间计")
            subs.append(Submission(file=p.name, path=p, outcome=RECEIPTS_FILE,
                                   reason=unreadable[0] if unreadable else ""))
    for r in receipts:
        by_name.setdefault(file_key(r.file), r)
    names_present = {file_key(p.name) for p in files}
    for r in receipts:
        if r.file and file_key(r.file) not in names_present:
            problems.append(Problem(r.city.full_name if r.city else (r.city_text or "（未识别）"), r.file, "收件登记",
                                    f"第{r.line}行", r.file, "收件箱中的文件", "收件登记列出的文件不在收件箱中", REMIND,
                                    code=RECEIPT_FILE_ABSENT))
    for p in files:
        if file_key(p.name) == file_key(receipts_name):
            continue
        sub = read_submission(p, p.name, day, layout)
        receipt = by_name.get(file_key(p.name))
        if receipt is not None and receipt.received is not None:
            sub.received, sub.source = receipt.received, SRC_RECEIPTS
        else:
            sub.received, sub.source = local_time(p.stat().st_mtime), SRC_MTIME
        if sub.outcome in (LIAISON_FILE, K_FILE):
            subs.append(sub)
            continue
        if receipt is not None and receipt.city is not None:
            if sub.city is None:
                sub.city = receipt.city  # attribution of a refused file only
            elif sub.readable and receipt.city != sub.city:
                problems.append(Problem(sub.city.full_name, sub.file, "收件登记", f"第{receipt.line}行",
                                        receipt.city_text, sub.city.full_name,
                                        f"收件登记记为{receipt.city.full_name}，文件填报单位为{sub.city.full_name}（以文件为准）",
                                        REMIND))
        subs.append(sub)
    liaisons = _liaisons_of(subs)
    intake = _decide(day, "inbox", folder, subs, problems, failures or {}, liaisons, how)
    intake.k_items = k_frame([s.k_items for s in subs if s.outcome == K_FILE])
    return intake


def intake_outputs(out_root: Path, day: dt.date, failures: dict | None = None, layout=None) -> Intake:
    """Intake of this machine's city outputs ``<outputs>/<D>/<市>/``, timed by their manifests."""
    layout = forms.load_layout() if layout is None else layout
    failures = failures or {}
    subs = []
    for city in cities():
        if city.name in failures:
            continue
        folder = Path(out_root) / day.isoformat() / city.name
        path = folder / catalogue.file_name("huizongbiao", city.name, day)
        if not path.is_file():
            continue
        sub = read_submission(path, path.relative_to(out_root).as_posix(), day, layout)
        sub.received, sub.source = _finished(folder / catalogue.file_name("manifest"), path), SRC_RUN
        subs.append(sub)
    how = "各市为本机生成的汇总表，收到时间取本机运行完成时间（manifest.json 中的 finished）"
    return _decide(day, "outputs", Path(out_root), subs, [], failures, None, how)


def city_inbox(out_root: Path, city: City, day: dt.date, default: Path) -> Path:
    """The inbox a city output of this machine was made from (its manifest's ``inbox``
    parameter), else ``default``."""
    try:
        manifest = json.loads((Path(out_root) / day.isoformat() / city.name / catalogue.file_name("manifest")).read_text(encoding="utf-8"))
        inbox = Path(manifest["parameters"]["inbox"])
    except (OSError, ValueError, KeyError, TypeError):
        return Path(default)
    return inbox if (inbox / city.name).is_dir() else Path(default)


def _finished(manifest: Path, fallback: Path) -> dt.datetime:
    try:
        stamp = json.loads(manifest.read_text(encoding="utf-8"))["finished"]
        return dt.datetime.fromisoformat(stamp).astimezone(indicators.LOCAL).replace(tzinfo=None).replace(microsecond=0)
    except (OSError, ValueError, KeyError, TypeError):
        return local_time(fallback.stat().st_mtime)


def _liaisons_of(subs: list[Submission]) -> pd.DataFrame | None:
    frames = [liaison_rows(s.path) for s in subs if s.outcome == LIAISON_FILE]
    frames = [f for f in frames if f is not None]
    return pd.concat(frames, ignore_index=True) if frames else None


def _decide(day, source, where, subs, problems, failures, liaisons, how) -> Intake:
    """Choose one file per city (the newest readable one), run its checks, set statuses."""
    for sub in subs:
        if sub.outcome == UNKNOWN and sub.reason:  # not a 汇总表: read by a person, nobody returned
            problems.append(Problem(sub.city.full_name if sub.city else "（未识别）", sub.file, "版式", "", "", "",
                                    sub.reason, REMIND))
        if sub.outcome:
            continue
        if sub.reason:
            sub.outcome = REFUSED if sub.city is not None else UNKNOWN
            check = sub.check
            problems.append(Problem(sub.city.full_name if sub.city else "（未识别）", sub.file, check, "",
                                    date_text(sub.data_day) if check == "数据截至" else "",
                                    date_text(day) if check == "数据截至" else "", sub.reason, RETURN))
    statuses = []
    for city in cities():
        own = sorted((s for s in subs if s.city == city and s.outcome in ("", REFUSED)),
                     key=lambda s: (s.received or dt.datetime.min, s.file))
        st = CityStatus(city, day, files=own)
        failure = failures.get(city.name) or failures.get(city.full_name)
        if failure:
            problems.append(Problem(city.full_name, "", "本机运行", "", "", "", f"本机运行失败：{failure}",
                                    RETURN if source == "outputs" else REMIND))
            st.notes.append(f"本机运行失败：{failure}" + ("" if source == "outputs" else "（按收件箱中的报送文件处理）"))
        readable = [s for s in own if s.readable]
        if readable:
            chosen = readable[-1]
            chosen.outcome = USED
            chosen.problems = check_figures(chosen)
            for older in readable[:-1]:
                older.outcome = REPLACED
                older.reason = f"同日收到较新的文件“{chosen.file}”"
            if len(readable) > 1:
                changes = changed_cells(readable[-2].figures, chosen.figures)
                shown = "；".join(changes[:CHANGES_SHOWN]) + (f"等{len(changes)}处" if len(changes) > CHANGES_SHOWN else "")
                what = f"与“{readable[-2].file}”相比改动{len(changes)}处：{shown}" if changes else \
                    f"与“{readable[-2].file}”相比数字无改动"
                readable[-2].reason += f"（{what}）"
                st.notes.append(f"共收到{len(readable)}份汇总表，采用最新的“{chosen.file}”，"
                                + "、".join(f"“{s.file}”" for s in readable[:-1]) + f"已被替代；{what}")
            st.chosen = chosen
            returned = [p for p in chosen.problems if p.action == RETURN]
            if returned:
                chosen.outcome = REFUSED
                st.status = RETURNED
                st.notes.insert(0, "；".join(p.message for p in returned[:3])
                                + (f"等{len(returned)}处" if len(returned) > 3 else ""))
            else:
                st.status = LATE if st.late_by is not None else ON_TIME
        elif own:
            st.chosen = own[-1]
            st.status = RETURNED
            st.notes.insert(0, st.chosen.reason)
        elif not failure:
            listed = [p for p in problems if p.code == RECEIPT_FILE_ABSENT and p.city == city.full_name]
            if listed:
                st.notes.append(f"收件登记有记录（{listed[0].file}），但收件箱中没有该文件")
        for s in own:
            if s is not st.chosen and s.reason and s.outcome == REFUSED and st.chosen is not None \
                    and st.status in ACCEPTED:
                why = s.reason.removeprefix(f"“{s.file}”")
                st.notes.append(f"另有“{s.file}”未采用：{why}")
        statuses.append(st)
    for st in statuses:
        if st.chosen is not None:
            problems.extend(st.chosen.problems)
    return Intake(day, source, where, subs, statuses, problems, liaisons, how)
