"""The files of issue 8: the public 专区 page, and the push and vehicle lists under restricted/.

    html = zone.render_city(cd, acts)          # 专区 page as one HTML string
    zone.write_city(cd, out_dir, acts)         # 专区_<市>_<YYYYMMDD>.html
    zone.write_restricted(acts, out_dir / "restricted", "南昌", day)
                                               # 岗位推送名单_… and 专车专列名单_… (personal data)

``acts`` is :func:`yonggong.match.city_day` of the city day (computed when not given).

The 专区 page is the city's online recruitment zone: every resumed key enterprise (ledger
是否复工 = 是: name, county, category) with its open vacancies (岗位, 人数, 技能要求, 薪酬, 招聘范围)
and, as the contact, the work (fixed-line) phone of its 人社服务专员 when table A's 专员手机 holds
one, else the bureau hotline (``zone_hotline`` in params/settings.yaml): a mobile number is a
person's and is never published. No name, ID or phone of a worker or job seeker either (tables F
and M are never read here).
Like the 工作简报 it opens offline: no URL of any kind, the CJK font subset embedded as a data:
URL (``fontembed``), and a small inline script for the filters (county select, 岗位 text search,
which also finds synonyms: 操作工 finds the 普工 rows). Without script every row is shown. The layout is a
single column of cards on a phone (360 px) and a grid on a wider screen. A 返岗求助 block gives the
bureau hotline and its hours (params/match.yaml ``zone``); every phone number is a tel: link (the
only links on the page: a tap calls, nothing is fetched). It prints on A4 without the filters.
Rendering is deterministic: the same inputs give the same bytes.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from pathlib import Path

import jinja2
import pandas as pd
from markupsafe import Markup

from . import catalogue, fontembed, match, match_rules
from .reference import City, city_counties, settings
from .tablebook import write_tables
from .xlsxio import write_bytes_atomic

TEMPLATES = Path(__file__).resolve().parent / "templates"
FONT_SLOT = "/*@ZONE_FONT_FACE@*/"


def _text(v, empty: str = "") -> str:
    missing = v is None or v is pd.NA or (isinstance(v, float) and v != v) or not str(v).strip()
    return empty if missing else str(v).strip()


def zone_context(cd, acts: match.Actions | None = None) -> dict:
    """The page as plain values: resumed enterprises in county (GB/T 2260) order, then name; their
    vacancies by 缺工人数 (largest first), then 岗位名称."""
    cfg = match_rules.config()["zone"]
    vac = acts.vacancies if acts is not None else match.open_vacancies(cd)
    led = cd.ledger
    resumed = led[led["是否复工"].fillna(False).astype(bool).to_numpy()]
    order = {c.name: i for i, c in enumerate(city_counties(cd.city))}
    resumed = resumed.assign(_o=resumed["县区"].map(lambda c: order.get(c, len(order))))
    resumed = resumed.sort_values(["_o", "县区", "企业名称", "统一社会信用代码"], kind="stable")
    # one stable sort of all vacancies gives every enterprise's jobs in page order
    jobs_of: dict[str, list[dict]] = {}
    if len(vac):
        ordered = vac.assign(_n=pd.to_numeric(vac["缺工人数"], errors="coerce").fillna(0))
        ordered = ordered.sort_values(["_n", "岗位名称"], ascending=[False, True], kind="stable")
        for r in ordered.to_dict("records"):
            name = _text(r.get("岗位名称"))
            canonical = match_rules.job_key(name, r.get("职业编码"))[0]
            jobs_of.setdefault(r["统一社会信用代码"], []).append({
                "name": name, "n": int(r["_n"]), "skill": _text(r.get("技能要求"), "不限"),
                "wage": _wage(r.get("月薪下限"), r.get("月薪上限")),
                "scope": {"本地": "本地招聘", "跨区域": "跨区域招聘"}.get(_text(r.get("招聘范围")), "招聘范围未注明"),
                "search": " ".join(dict.fromkeys([name, *match_rules.synonyms(canonical)]))})
    enterprises, n_jobs, n_people = [], 0, 0
    for e in resumed.to_dict("records"):
        jobs = jobs_of.get(e["统一社会信用代码"], [])
        n_people += sum(j["n"] for j in jobs)
        n_jobs += len(jobs)
        label, phone = contact(e.get("专员手机"), cd.city)
        enterprises.append({"name": _text(e["企业名称"]), "county": _text(e["县区"]), "category": _text(e["企业类别"]),
                            "contact": label, "phone": phone, "dial": dial(phone), "jobs": jobs})
    fmt = {"city_full": cd.city.full_name, "city": cd.city.name}
    present = {e["county"] for e in enterprises}
    counties = [c.name for c in city_counties(cd.city) if c.name in present] + sorted(present - set(order))
    label, number = contact(None, cd.city)
    helpline = {"title": cfg["help_title"], "text": cfg["help_text"], "hours": cfg["help_hours"], "label": label,
                "phone": number, "dial": dial(number)}
    return {"title": cfg["title"].format(**fmt), "unit": cfg["unit"].format(**fmt), "note": cfg["note"],
            "help": helpline,
            "city_full": cd.city.full_name, "date_cn": f"{cd.day.year}年{cd.day.month}月{cd.day.day}日",
            "date_iso": cd.day.isoformat(), "counties": counties, "enterprises": enterprises,
            "n_jobs": n_jobs, "n_people": n_people}


_WORK_PHONE = re.compile(r"0\d{2,3}-\d{7,8}(?:-\d{1,6})?")


def contact(phone: object, city: City) -> tuple[str, str]:
    """(label, number) of an enterprise's contact on the public page: the 人社服务专员's phone
    when it is a fixed line with area code (a work phone, e.g. 0791-86658291), else the bureau
    hotline of ``zone_hotline`` in params/settings.yaml (a mobile is personal)."""
    text = _text(phone)
    if _WORK_PHONE.fullmatch(text):
        return "人社服务专员", text
    cfg = settings().get("zone_hotline") or {}
    number = (cfg.get("cities") or {}).get(city.name) or cfg.get("default") or "12333"
    return str(cfg.get("label") or "人社服务热线"), str(number)


def dial(number: str) -> str:
    """A phone number as a tel: link target (RFC 3966: digits, with - as a visual separator)."""
    return re.sub(r"[^0-9+\-]", "", number)


def _wage(low, high) -> str:
    text = match_rules.wage_text(low, high)
    return text if text == "面议" else f"{text}元"


def _env() -> jinja2.Environment:
    return _env_for(str(TEMPLATES))


@functools.cache  # one environment per template folder and process: templates compiled once
def _env_for(folder: str) -> jinja2.Environment:
    return jinja2.Environment(loader=jinja2.FileSystemLoader(folder), autoescape=True, trim_blocks=True,
                              lstrip_blocks=True, undefined=jinja2.StrictUndefined, keep_trailing_newline=True)


def render(context: dict) -> str:
    """The page from a :func:`zone_context` dict, the font subset to its characters embedded."""
    html = _env().get_template("zone.html.j2").render(**context, font_face=Markup(FONT_SLOT))
    return html.replace(FONT_SLOT, fontembed.font_face_css(set(html)), 1)


def render_city(cd, acts: match.Actions | None = None) -> str:
    return render(zone_context(cd, acts))


def write_city(cd, out_dir: str | Path, acts: match.Actions | None = None) -> Path:
    """Write 专区_<市>_<YYYYMMDD>.html into ``out_dir``; returns its path."""
    path = Path(out_dir) / catalogue.file_name("zone", cd.city.name, cd.day)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_bytes_atomic(path, render_city(cd, acts).encode("utf-8"))
    return path


# ---------------------------------------------------------------- restricted lists


def write_restricted(acts: match.Actions, folder: str | Path, city_name: str, day: dt.date) -> list[Path]:
    """岗位推送名单 (each job seeker's pushed vacancies) and 专车专列名单 (the vehicles and who rides
    which) under ``folder`` (the city day's restricted/); a list with no rows is not written."""
    folder = Path(folder)
    written = []
    push = acts.push.push
    if not push.empty:
        path = folder / catalogue.file_name("push", city_name, day)
        write_tables(path, [("岗位推送名单", f"{city_name}岗位精准推送名单（每人推荐前{int(push['推荐序号'].max())}个岗位，"
                                          f"{day.isoformat()}，内部使用，严禁外传）", push)])
        written.append(path)
    veh, people, scattered = acts.vehicles
    if not veh.empty or not scattered.empty:
        path = folder / catalogue.file_name("vehicles", city_name, day)
        write_tables(path, [("车辆安排", f"{city_name}返岗专车专列安排建议（{day.isoformat()}）", veh),
                            ("乘车名单", "各车次乘车人员名单（内部使用，严禁外传）", people),
                            ("零散返岗名单", "人数不足一车或市内返岗人员，按建议自行返岗（内部使用，严禁外传）", scattered)])
        written.append(path)
    return written
