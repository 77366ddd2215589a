"""The province day's 简讯 (``yonggong.bulletin`` words and checks it; this module states the
facts): 全省合计 with 较上日 over the cities accepted on both days (the province brief's
baseline, ``brief.province_baseline``) and the statuses of 报送情况 in the order the status
line names them.

    province.bulletin.text(pday)            # 简讯_江西省_<YYYYMMDD>.txt as text
    province.bulletin.write(pday, out_dir)  # written (``province.write.write_all`` does it)
    province.bulletin.check(path, pday, tally)  # the 自检 (``province.verify``)
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd

from .. import brief, bulletin
from ..wording import change_lead
from .common import ACCEPTED, LATE, MISSING, ON_TIME, RETURNED, config, names, plain

STATUS_ORDER = (ON_TIME, LATE, RETURNED, MISSING)  # as the status line names them


def facts(pday) -> bulletin.Facts:
    """The province day's 简讯: 全省合计, 较上日 over the cities accepted on both days (the brief's
    baseline), the statuses of 报送情况."""
    totals = pd.Series(pday.totals, dtype="float64")
    prev = brief.province_baseline(totals, plain(pday.previous_totals), plain(pday.compared_totals))
    lead = change_lead(pday.day - dt.timedelta(days=1), pday.day) if prev is not None else ""
    c = pday.completeness
    rows = [(str(n), str(s), str(late or "")) for n, s, late in zip(c["设区市"], c["状态"], c["迟报时长"], strict=True)]
    valid = sum(s in ACCEPTED for _, s, _ in rows)
    return bulletin.Facts(config()["name"], pday.day, totals, prev, lead, rows, valid,
                          len(pday.compared) if prev is not None else None, STATUS_ORDER)


def text(pday) -> str:
    """The province day's 简讯 (the whole file's text)."""
    return bulletin.text_of(facts(pday))


def write(pday, out_dir: str | Path) -> Path:
    """Write 简讯_江西省_<YYYYMMDD>.txt (``catalogue`` product ``bulletin``) into ``out_dir``."""
    return bulletin.write_text(text(pday), Path(out_dir) / names(pday.day)["bulletin"])


def check(path: Path, pday, tally) -> None:
    """自检 of the province's written 简讯 against ``pday``."""
    bulletin.check(path, facts(pday), tally)
