"""A province-scale inbox for the benchmark (``invoke bench``, scenario S4).

    generate_big(out_dir)  →  out_dir/xlsx/<市>/<YYYY-MM-DD>/   A–E, F and M as .xlsx
                              out_dir/csv/<市>/<YYYY-MM-DD>/    the same A–E, F and M as .csv

One city day at the scale of the whole province: by default 5,000 key enterprises (A, B),
50,000 vacancy rows (C), one placement row per enterprise (D), a recruitment row for every
other enterprise (E), 1,000,000 returning workers (F) and 200,000 job seekers (M). The two
inbox roots share A–E (hard links where the file system allows); F and M differ only in the
file format, so a run on ``csv/`` and a read of ``xlsx/`` measure the same data.

Every value is synthetic: names are drawn from ``params/sample_names.yaml``, credit codes and
ID numbers carry correct check characters (``codes.make_uscc_array`` / ``make_idno_array``),
counties are the city's own (``reference.city_counties``). A small share of ID numbers
(``bad_share``, 0.1 % by default) has a wrong check character, so the fault path runs at scale
too. The numbers are drawn with numpy from ``seed``: the same parameters give the same rows.

``cached_big(cache_root, **params)`` keeps one generated inbox per parameter set under
``cache_root`` (``outputs/bench/inputs/`` for the benchmark) and only generates it once.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
import os
import random
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .. import codes
from ..reference import categories, cities, city_counties, load_yaml, resolve_city

GENERATOR_VERSION = 1  # bump when the generated rows change (invalidates the cache)
DONE = "big.json"  # written last: a folder without it is an interrupted generation

HEADERS = {
    "A": ["统一社会信用代码", "企业名称", "县区", "企业类别", "清单来源", "纳入日期", "状态", "调整原因",
          "人社服务专员", "专员手机"],
    "B": ["统一社会信用代码", "企业名称", "填报日期", "员工总数", "在岗人数", "缺工人数", "是否复工", "产能恢复率",
          "已返岗人数", "问题困难类型", "问题困难", "问题是否解决", "富余人数"],
    "C": ["统一社会信用代码", "企业名称", "岗位名称", "岗位类别", "技能要求", "缺工人数", "薪酬", "月薪下限",
          "月薪上限", "招聘范围", "填报日期"],
    "D": ["日期", "统一社会信用代码", "企业名称", "解决渠道", "人数", "调剂来源企业"],
    "E": ["统一社会信用代码", "企业名称", "岗位名称", "技能要求", "招工人数", "意向输出地", "登记日期"],
    "F": ["序号", "姓名", "身份证号", "手机号", "出发地", "返岗企业", "计划返岗日期", "需要专车", "已到岗",
          "到岗日期"],
    "M": ["序号", "姓名", "身份证号", "手机号", "县区", "意向岗位", "技能等级", "期望月薪", "登记日期", "已就业"],
}
STEMS = {"A": "重点企业清单", "B": "企业用工台账", "C": "空岗明细", "D": "用工解决", "E": "跨区域招聘意向",
         "F": "返岗人员登记", "M": "求职登记"}
TITLES = {"F": "{city}市重点企业返岗人员登记表（压力测试数据，均为虚构）",
          "M": "{city}市求职登记表（压力测试数据，均为虚构）"}
CHANNELS = ["本地招聘", "跨区域招聘", "组织返岗", "余缺调剂"]
SKILLS = ["无", "初级工", "中级工", "高级工", "专业技术"]
PROVINCES = ["湖南省", "湖北省", "河南省", "安徽省", "四川省", "贵州省", "广西壮族自治区"]
BIRTH_FIRST = dt.date(1966, 1, 1)
BIRTH_DAYS = 12700


@dataclass
class BigInbox:
    """Where a generated inbox is and what it holds."""

    root: Path  # the folder generate_big wrote into
    city: str
    day: dt.date
    params: dict
    counts: dict[str, int]  # data rows per table
    files: dict[str, str] = field(default_factory=dict)  # "F.csv" -> path relative to root
    seconds: float = 0.0  # generation time (of the run that generated it)
    cached: bool = False  # True when found in the cache instead of generated now

    @property
    def csv_inbox(self) -> Path:
        """Inbox root with F and M as CSV (what the S4 ``daily`` run reads)."""
        return self.root / "csv"

    @property
    def xlsx_inbox(self) -> Path:
        """Inbox root with F and M as xlsx (for the reader comparison)."""
        return self.root / "xlsx"

    def path(self, key: str) -> Path:
        """A generated file by key: "A.xlsx" … "E.xlsx", "F.xlsx", "F.csv", "M.xlsx", "M.csv"."""
        return self.root / self.files[key]


def params_of(city: str = "南昌", day: dt.date = dt.date(2020, 3, 1), enterprises: int = 5000,
              vacancies: int = 50_000, returning: int = 1_000_000, seekers: int = 200_000,
              seed: int = 20200301, bad_share: float = 0.001) -> dict:
    """The parameters of a generated inbox as plain JSON values (the cache key)."""
    return {"city": resolve_city(city).name, "day": dt.date.fromisoformat(str(day)).isoformat(),
            "enterprises": int(enterprises), "vacancies": int(vacancies), "returning": int(returning),
            "seekers": int(seekers), "seed": int(seed), "bad_share": float(bad_share),
            "version": GENERATOR_VERSION}


def cache_key(params: dict) -> str:
    """A readable folder name for a parameter set, with a hash of all of them."""
    digest = hashlib.sha256(json.dumps(params, sort_keys=True).encode()).hexdigest()[:10]
    return (f"{params['day']}-e{params['enterprises']}-c{params['vacancies']}-f{params['returning']}"
            f"-m{params['seekers']}-{digest}")


def load_done(root: Path) -> BigInbox | None:
    """The inbox recorded in ``root/big.json`` when its files are all there, else None."""
    try:
        info = json.loads((Path(root) / DONE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    big = BigInbox(Path(root), info["params"]["city"], dt.date.fromisoformat(info["params"]["day"]),
                   info["params"], info["counts"], info["files"], info["seconds"], cached=True)
    if not all((big.root / rel).is_file() for rel in big.files.values()):
        return None
    return big


def cached_big(cache_root: Path, **params) -> BigInbox:
    """The generated inbox for ``params`` under ``cache_root``; generated only when missing."""
    p = params_of(**params)
    root = Path(cache_root) / cache_key(p)
    found = load_done(root)
    if found is not None and found.params == p:
        return found
    return generate_big(root, **params)


def generate_big(out_dir: Path, city: str = "南昌", day: dt.date = dt.date(2020, 3, 1), enterprises: int = 5000,
                 vacancies: int = 50_000, returning: int = 1_000_000, seekers: int = 200_000,
                 seed: int = 20200301, bad_share: float = 0.001) -> BigInbox:
    """Write the big inbox into ``out_dir`` (``xlsx/`` and ``csv/`` roots) and return it.

    The folder is written under a temporary name and renamed when complete, so an interrupted
    run leaves no half-written inbox behind.
    """
    p = params_of(city, day, enterprises, vacancies, returning, seekers, seed, bad_share)
    if p["vacancies"] > p["enterprises"] * len(_words()["jobs"]):
        raise ValueError(f"at most {len(_words()['jobs'])} vacancy rows per enterprise")
    started = time.perf_counter()
    out_dir = Path(out_dir)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = out_dir.with_name(f".tmp-{out_dir.name}-{os.getpid()}")
    shutil.rmtree(tmp, ignore_errors=True)
    gen = _Generator(p)
    tables = gen.tables()
    rel_xlsx = Path("xlsx") / p["city"] / p["day"]
    rel_csv = Path("csv") / p["city"] / p["day"]
    files = {}
    for code, rows in tables.items():
        title = TITLES.get(code, "").format(city=p["city"]) or None
        rel = rel_xlsx / f"{STEMS[code]}_{p['city']}.xlsx"
        write_xlsx(tmp / rel, HEADERS[code], rows, title)
        files[f"{code}.xlsx"] = rel.as_posix()
        if code in ("F", "M"):
            rel = rel_csv / f"{STEMS[code]}_{p['city']}.csv"
            write_csv(tmp / rel, HEADERS[code], rows, title)
            files[f"{code}.csv"] = rel.as_posix()
        else:  # A–E are the same files in both roots
            _link(tmp / rel, tmp / rel_csv / rel.name)
    counts = {code: len(rows[0]) for code, rows in tables.items()}
    seconds = round(time.perf_counter() - started, 2)
    info = {"params": p, "counts": counts, "files": files, "seconds": seconds}
    (tmp / DONE).write_text(json.dumps(info, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    if out_dir.exists():
        shutil.rmtree(out_dir)
    os.replace(tmp, out_dir)
    return BigInbox(out_dir, p["city"], dt.date.fromisoformat(p["day"]), p, counts, files, seconds)


def _link(src: Path, dst: Path) -> None:
    dst.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)


# ---------------------------------------------------------------------------------------------
# Writers (columns in, one row at a time out)


def _cell_rows(columns: list[list]):
    return zip(*columns, strict=True)


def write_xlsx(path: Path, header: list[str], columns: list[list], title: str | None = None) -> Path:
    """One sheet: an optional title line, the header, the rows (openpyxl write-only mode)."""
    from openpyxl import Workbook

    path.parent.mkdir(parents=True, exist_ok=True)
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Sheet1")
    if title:
        ws.append([title])
    ws.append(header)
    for row in _cell_rows(columns):
        ws.append(row)
    wb.save(path)
    return path


def write_csv(path: Path, header: list[str], columns: list[list], title: str | None = None) -> Path:
    """The same rows as UTF-8 CSV with a BOM (Excel's "CSV UTF-8"); dates as YYYY-MM-DD."""
    path.parent.mkdir(parents=True, exist_ok=True)
    text_cols = [[v.isoformat() if isinstance(v, dt.date) else v for v in col]
                 if any(isinstance(v, dt.date) for v in col) else col for col in columns]
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        w = csv.writer(fh)
        if title:
            w.writerow([title])
        w.writerow(header)
        w.writerows(_cell_rows(text_cols))
    return path


# ---------------------------------------------------------------------------------------------
# Rows


def _words() -> dict:
    return load_yaml("sample_names.yaml")


def _pick(options: list, idx: np.ndarray) -> list:
    """``options[i]`` for every i in ``idx`` (an object-array lookup, no Python loop per row)."""
    table = np.empty(len(options), dtype=object)
    table[:] = options
    return table[idx].tolist()


def _concat(*parts: list) -> list[str]:
    return ["".join(t) for t in zip(*parts, strict=True)]


class _Generator:
    """Draws the tables of one big city day as columns (lists) in the order of HEADERS."""

    def __init__(self, p: dict):
        self.p = p
        self.city = resolve_city(p["city"])
        self.day = dt.date.fromisoformat(p["day"])
        self.counties = city_counties(self.city)
        self.words = _words()
        self.rng = np.random.default_rng(p["seed"])
        self.py = random.Random(p["seed"])

    def tables(self) -> dict[str, list[list]]:
        self._enterprises()
        out = {"A": self._a()}
        vac = self._c()
        out["B"] = self._b(vac)
        out["C"] = vac["columns"]
        out["D"] = self._d()
        out["E"] = self._e(vac)
        out["F"] = self._f()
        out["M"] = self._m()
        return out

    # ---- helpers

    def _mobiles(self, n: int) -> list[str]:
        prefixes = _pick(self.words["mobile_prefixes"], self.rng.integers(0, len(self.words["mobile_prefixes"]), n))
        numbers = self.rng.integers(0, 10**8, n)
        return [f"{p}{x:08d}" for p, x in zip(prefixes, numbers.tolist(), strict=True)]

    def _names(self, n: int) -> list[str]:
        w, rng = self.words, self.rng
        male = rng.random(n) < 0.6
        given = w["given_male"] + w["given_female"]
        nm = len(w["given_male"])
        first = np.where(male, rng.integers(0, nm, n), rng.integers(nm, len(given), n))
        second = np.where(male, rng.integers(0, nm, n), rng.integers(nm, len(given), n))
        two = rng.random(n) < 0.65
        second_txt = np.array(given + [""], dtype=object)[np.where(two, second, len(given))].tolist()
        return _concat(_pick(w["surnames"], rng.integers(0, len(w["surnames"]), n)), _pick(given, first), second_txt)

    def _idnos(self, areas: list[str], area_idx: np.ndarray) -> list[str]:
        """Distinct valid ID numbers (area, birth 1966–2000, sequence); ``bad_share`` get a
        wrong check character."""
        n, rng = len(area_idx), self.rng
        area_codes, area_idx = np.unique(np.array(areas)[area_idx], return_inverse=True)  # one index per code
        areas = area_codes.tolist()
        birth = rng.integers(0, BIRTH_DAYS, n)
        seq = rng.integers(0, 1000, n)
        key = (area_idx.astype(np.int64) * BIRTH_DAYS + birth) * 1000 + seq
        while True:  # redraw the (rare) repeats until every number is distinct
            _, first = np.unique(key, return_index=True)
            dup = np.ones(n, dtype=bool)
            dup[first] = False
            if not dup.any():
                break
            k = int(dup.sum())
            birth[dup], seq[dup] = rng.integers(0, BIRTH_DAYS, k), rng.integers(0, 1000, k)
            key = (area_idx.astype(np.int64) * BIRTH_DAYS + birth) * 1000 + seq
        days = [(BIRTH_FIRST + dt.timedelta(days=i)).strftime("%Y%m%d") for i in range(BIRTH_DAYS)]
        seqs = [f"{i:03d}" for i in range(1000)]
        ids = codes.make_idno_array(_concat(_pick(areas, area_idx), _pick(days, birth), _pick(seqs, seq)))
        for i in np.flatnonzero(rng.random(n) < self.p["bad_share"]).tolist():
            good = ids[i][17]
            ids[i] = ids[i][:17] + codes.ID_CHECK[(codes.ID_CHECK.index(good) + 1 + i % 10) % 11]
        return ids

    def _days(self, offsets: np.ndarray) -> list:
        table = {int(o): self.day + dt.timedelta(days=int(o)) for o in np.unique(offsets)}
        return [table[o] for o in offsets.tolist()]

    # ---- enterprises and their tables

    def _enterprises(self) -> None:
        n, py, w = self.p["enterprises"], self.py, self.words
        cats = list(categories())
        weights = [w["category_weights"][c] for c in cats]
        self.e_county = [py.choice(self.counties) for _ in range(n)]
        self.e_cat = py.choices(cats, weights, k=n)
        bodies = self.rng.choice(len(codes.USCC_ALPHABET) ** 5, size=n, replace=False).tolist()
        alphabet = codes.USCC_ALPHABET
        first17 = []
        for county, b in zip(self.e_county, bodies, strict=True):
            body = "".join(alphabet[(b // 31**k) % 31] for k in range(5))
            first17.append("91" + county.code + "MA3" + body + py.choice("0123456789"))
        self.e_uscc = codes.make_uscc_array(first17)
        used, names = set(), []
        for county, cat in zip(self.e_county, self.e_cat, strict=True):
            while True:
                prefix = py.choice(("江西", self.city.name, county.name[:-1]))
                name = (prefix + py.choice(w["trade_first"]) + py.choice(w["trade_second"])
                        + py.choice(w["trade_first"]) + py.choice(w["industries"][cat]))
                if name not in used:
                    used.add(name)
                    names.append(name)
                    break
        self.e_name = names
        self.e_employees = np.exp(self.rng.uniform(np.log(50), np.log(3000), n)).round().astype(np.int64)

    def _a(self) -> list[list]:
        n, py, w = self.p["enterprises"], self.py, self.words
        staff = [(self._names(1)[0], self._mobiles(1)[0]) for _ in range(40)]
        pick = [staff[py.randrange(len(staff))] for _ in range(n)]
        return [self.e_uscc, self.e_name, [c.name for c in self.e_county], self.e_cat,
                [w["list_sources"][c][0] for c in self.e_cat],
                [self.day - dt.timedelta(days=py.randint(1, 30)) for _ in range(n)],
                ["在册"] * n, [None] * n, [s[0] for s in pick], [s[1] for s in pick]]

    def _c(self) -> dict:
        n, v, rng, jobs = self.p["enterprises"], self.p["vacancies"], self.rng, self.words["jobs"]
        per = np.full(n, v // n, dtype=np.int64)
        per[: v % n] += 1
        rng.shuffle(per)
        order = np.argsort(rng.random((n, len(jobs))), axis=1)
        take = np.arange(len(jobs))[None, :] < per[:, None]
        ent = np.repeat(np.arange(n), per)
        job = order[take]
        people = rng.integers(1, 21, len(ent))
        factor = self.words["salary_factor"].get(self.city.name, self.words["salary_factor"]["default"])
        low = [round(j["salary"][0] * factor / 100) * 100 for j in jobs]
        high = [round(j["salary"][1] * factor / 100) * 100 for j in jobs]
        wide = rng.random(len(ent)) < 0.3
        ent_l, job_l = ent.tolist(), job.tolist()
        columns = [[self.e_uscc[e] for e in ent_l], [self.e_name[e] for e in ent_l],
                   [jobs[j]["name"] for j in job_l], [jobs[j]["category"] for j in job_l],
                   [jobs[j]["skill"] for j in job_l], people.tolist(),
                   [f"{low[j]}-{high[j]}" for j in job_l], [low[j] for j in job_l], [high[j] for j in job_l],
                   np.where(wide, "跨区域", "本地").tolist(), [self.day] * len(ent)]
        shortage = np.bincount(ent, weights=people, minlength=n).astype(np.int64)
        return {"columns": columns, "shortage": shortage, "ent": ent, "job": job, "people": people}

    def _b(self, vac: dict) -> list[list]:
        n, rng, py = self.p["enterprises"], self.rng, self.py
        emp = np.maximum(self.e_employees, vac["shortage"] + 10)
        on_duty = (emp * rng.uniform(0.4, 0.9, n)).round().astype(np.int64)
        returned = (on_duty * rng.uniform(0.5, 1.0, n)).round().astype(np.int64)
        resumed = rng.random(n) < 0.85
        capacity = np.where(resumed, rng.integers(40, 101, n), 0)
        texts = self.words["problems"]["缺工"]
        short = vac["shortage"].tolist()
        return [self.e_uscc, self.e_name, [self.day] * n, emp.tolist(), on_duty.tolist(), short,
                np.where(resumed, "是", "否").tolist(), capacity.tolist(), returned.tolist(),
                ["缺工" if s > 0 else None for s in short],
                [py.choice(texts).format(n=s) if s > 0 else "无" for s in short],
                ["否" if s > 0 else None for s in short], [0] * n]

    def _d(self) -> list[list]:
        n, rng = self.p["enterprises"], self.rng
        weights = np.array([self.words["channels"][c] for c in CHANNELS], dtype=float)
        channel = rng.choice(len(CHANNELS), size=n, p=weights / weights.sum())
        return [[self.day] * n, self.e_uscc, self.e_name, _pick(CHANNELS, channel),
                rng.integers(1, 11, n).tolist(), [None] * n]

    def _e(self, vac: dict) -> list[list]:
        rng, jobs = self.rng, self.words["jobs"]
        ent, job, people = vac["ent"], vac["job"], vac["people"]
        first = np.flatnonzero(np.r_[True, ent[1:] != ent[:-1]])  # each enterprise's first vacancy
        rows = first[rng.random(len(first)) < 0.5]
        m = len(rows)
        k = rng.integers(1, 4, m)
        places = [("、".join(PROVINCES[: int(x)])) for x in k.tolist()]
        return [[self.e_uscc[e] for e in ent[rows].tolist()], [self.e_name[e] for e in ent[rows].tolist()],
                [jobs[j]["name"] for j in job[rows].tolist()], [jobs[j]["skill"] for j in job[rows].tolist()],
                people[rows].tolist(), places, self._days(-rng.integers(0, 3, m))]

    # ---- people

    def _origins(self) -> tuple[list[str], list[str], list[str], np.ndarray]:
        """(place, county, area code, weight) of every origin: the word list and Jiangxi's counties."""
        listed = self.words["origins"]
        jiangxi = [(f"江西省{c.full_name}", k.name, k.code) for c in cities() for k in city_counties(c)]
        share = self.words["jiangxi_weight"]
        others = sum(o["weight"] for o in listed)
        each = others * share / (1 - share) / len(jiangxi)
        place = [o["place"] for o in listed] + [j[0] for j in jiangxi]
        county = [o["county"] for o in listed] + [j[1] for j in jiangxi]
        code = [o["code"] for o in listed] + [j[2] for j in jiangxi]
        weight = np.array([o["weight"] for o in listed] + [each] * len(jiangxi), dtype=float)
        return place, county, code, weight / weight.sum()

    def _f(self) -> list[list]:
        n, rng = self.p["returning"], self.rng
        place, county, code, weight = self._origins()
        origin = rng.choice(len(place), size=n, p=weight)
        with_county = rng.random(n) < 0.5
        origin_text = _concat(_pick(place, origin), np.array(county + [""], dtype=object)[
            np.where(with_county, origin, len(county))].tolist())
        ids = self._idnos(code, origin)
        firm = rng.integers(0, self.p["enterprises"], n)
        by_code = rng.random(n) < 0.3
        firm_text = np.where(by_code, np.array(self.e_uscc, dtype=object)[firm],
                             np.array(self.e_name, dtype=object)[firm]).tolist()
        planned_off = rng.integers(-3, 6, n)
        arrived = (planned_off <= 0) & (rng.random(n) < 0.75)
        arrive_off = np.minimum(0, planned_off + rng.integers(0, 2, n))
        arrive_days = self._days(arrive_off)
        return [list(range(1, n + 1)), self._names(n), ids, self._mobiles(n), origin_text, firm_text,
                self._days(planned_off), np.where(rng.random(n) < 0.4, "是", "否").tolist(),
                np.where(arrived, "是", "否").tolist(),
                [d if a else None for d, a in zip(arrive_days, arrived.tolist(), strict=True)]]

    def _m(self) -> list[list]:
        n, rng = self.p["seekers"], self.rng
        own = self.counties
        county = rng.integers(0, len(own), n)
        ids = self._idnos([c.code for c in own], county)
        names = list(dict.fromkeys(j["name"] for j in self.words["jobs"] if j["category"] in ("普工", "技工")))
        a, b = rng.integers(0, len(names), n), rng.integers(0, len(names), n)
        two = (rng.random(n) < 0.5) & (a != b)
        wanted = [f"{names[x]}、{names[y]}" if t else names[x]
                  for x, y, t in zip(a.tolist(), b.tolist(), two.tolist(), strict=True)]
        return [list(range(1, n + 1)), self._names(n), ids, self._mobiles(n), _pick([c.name for c in own], county),
                wanted, _pick(SKILLS, rng.choice(len(SKILLS), n, p=[0.5, 0.2, 0.15, 0.05, 0.1])),
                (rng.integers(30, 81, n) * 100).tolist(), self._days(-rng.integers(0, 3, n)),
                np.where(rng.random(n) < 0.1, "是", "否").tolist()]
