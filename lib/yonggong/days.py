"""Report days and the inbox's day folders (no pandas: the command line imports this fast)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from .errors import UserError
from .reference import City


def parse_day(value: str | dt.date) -> dt.date:
    """A report day from 2020-02-24 (ISO form), else a UserError in Chinese."""
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise UserError(f"日期“{value}”无效，请按 YYYY-MM-DD 填写，例如 2020-02-24") from None


def day_folders(inbox_root: Path, city: City) -> dict[dt.date, Path]:
    """The city's day folders in the inbox, by date (folders not named YYYY-MM-DD are ignored)."""
    base = Path(inbox_root) / city.name
    out = {}
    if base.is_dir():
        for p in sorted(base.iterdir()):
            if p.is_dir():
                try:
                    out[dt.date.fromisoformat(p.name)] = p
                except ValueError:
                    continue
    return out


def newest_day(inbox_root: Path, city: City) -> dt.date:
    folders = day_folders(inbox_root, city)
    if not folders:
        raise UserError(f"收件箱 {inbox_root} 中没有{city.full_name}的任何日期文件夹（应为 {city.name}/YYYY-MM-DD/）")
    return max(folders)


def resolve_day(inbox_root: Path, city: City, value: str | dt.date | None) -> dt.date:
    """The report day: the given one (must exist in the inbox) or the newest folder."""
    if value in (None, ""):
        return newest_day(inbox_root, city)
    day = parse_day(value)
    if day not in day_folders(inbox_root, city):
        have = sorted(day_folders(inbox_root, city))
        span = f"现有 {have[0]} 至 {have[-1]}" if have else "没有任何日期文件夹"
        raise UserError(f"收件箱中没有{city.full_name} {day} 的文件夹（{span}）")
    return day
