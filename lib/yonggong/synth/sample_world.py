"""One city of the sample (``CityWorld``): its key enterprises, their state moved day by day
by the simulation (placements, new demand, returns), which tables it sends on which day, and the
layout of one day's files in the city's own style (workbooks, sheets, titles, headers, CSV).
The rows of the tables come from the ``sample_tables.TableRows`` mixin; the planned mess is
applied by ``sample_mess.day_books``.
"""

from __future__ import annotations

import math
import random
from collections import Counter
from collections.abc import Callable
from datetime import date, timedelta

from .. import codes
from ..reference import City, County, categories, cities, city_counties
from .sample_model import (
    CHANNELS,
    CODE_CHARS,
    COLUMNS,
    DEMO_CITY,
    JOB_SHARES,
    LEDGER_GROUPS,
    MESS_PLAN,
    OTHER_PROBLEMS,
    SHEET_NAMES,
    TITLES,
    TWO_ROW_CITIES,
    Book,
    Firm,
    Job,
    Sheet,
    Style,
    cn_date,
    draw_labels,
    force_labels,
    kind_of,
    numbered,
)
from .sample_tables import TableRows

ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)  # GB 11714 organisation code check


def _org_check(body: str) -> str:
    """GB 11714 check character for an 8-character organisation code body."""
    total = sum((int(c) if c.isdigit() else ord(c) - 55) * w for c, w in zip(body, ORG_WEIGHTS, strict=True))
    value = 11 - total % 11
    return "X" if value == 10 else "0" if value == 11 else str(value)


def _allocate(total: int, weights: list[float]) -> list[int]:
    """Split ``total`` over ``weights`` in whole numbers (largest remainder)."""
    scale = sum(weights)
    raw = [total * w / scale for w in weights]
    base = [int(x) for x in raw]
    order = sorted(range(len(raw)), key=lambda i: (base[i] - raw[i], i))
    for i in order[: total - sum(base)]:
        base[i] += 1
    return base


class CityWorld(TableRows):
    """One city's key enterprises, their state over the week and the files of each day."""

    def __init__(self, city: City, seed: int, days: list[date], words: dict):
        self.city, self.days, self.words, self.seed = city, days, words, seed
        self.rng = random.Random(f"{seed}/{city.code}")
        self.counties = city_counties(city)
        self.plan = [p for p in MESS_PLAN if p[0] == city.name]
        self.used: set[str] = set()  # names, codes and ID numbers already given out
        self.used_k: list[int] = []
        self.style = self._draw_style()
        self.origins, self.origin_weights = self._origins()
        self.commissioners = [(self.person_name(self.rng.random() < 0.6), self.mobile()) for _ in range(12)]
        self.firms = self._make_firms()
        self.outsider = self._new_firm(self.rng.choice(self.counties), lender=False)
        self.outsider.listed_from = None
        self.schedule = self._make_schedule()

    # ---- setup

    def _draw_style(self) -> Style:
        rng, name = self.rng, self.city.name
        return Style(
            titles=name == DEMO_CITY or rng.random() < 0.6,
            two_row=name in TWO_ROW_CITIES,
            county_in_ledger=rng.random() < 0.5,
            salary_split=rng.random() < 0.4,
            separate_d=rng.random() < 0.3,
            csv_people=rng.random() < 0.25,
            ledger_file=rng.choice(("当日报表_{city}_{tag}.xlsx", "{city}市重点企业用工台账_{tag}.xlsx",
                                    "{city}重点企业五清台账{tag}.xlsx")),
            labels=force_labels(draw_labels(rng), name),
        )

    def _origins(self) -> tuple[list[dict], list[float]]:
        """Places workers come from: the word list plus every county of Jiangxi."""
        listed = list(self.words["origins"])
        others = sum(o["weight"] for o in listed)
        share = self.words["jiangxi_weight"]
        jiangxi = [{"place": f"江西省{c.full_name}", "county": k.name, "code": k.code}
                   for c in cities() for k in city_counties(c)]
        each = others * share / (1 - share) / len(jiangxi)
        return listed + jiangxi, [o["weight"] for o in listed] + [each] * len(jiangxi)

    def _make_firms(self) -> list[Firm]:
        rng = self.rng
        low, high = self.words["enterprises_per_city"][self.city.name]
        self.n_first = rng.randint(low, high)
        extra = rng.randint(1, 3)
        weights = [rng.uniform(0.5, 2.0) * (1.0 if c.name.endswith("县") else 1.5) for c in self.counties]
        firms = []
        for i in range(self.n_first + extra):
            county = self.counties[i] if i < len(self.counties) else rng.choices(self.counties, weights)[0]
            firms.append(self._new_firm(county, lender=i % 8 == 3))
        return firms

    def _new_firm(self, county: County, lender: bool) -> Firm:
        rng, words = self.rng, self.words
        cats = list(categories())
        category = rng.choices(cats, [words["category_weights"][c] for c in cats])[0]
        employees = round(math.exp(rng.uniform(math.log(50), math.log(3000))))
        resumed = rng.random() < 0.55
        on_duty = round(employees * (rng.uniform(0.35, 0.7) if resumed else rng.uniform(0.05, 0.25)))
        stayed = round(employees * rng.uniform(0.03, 0.12))
        sources = words["list_sources"][category]
        other = rng.choice(OTHER_PROBLEMS) if rng.random() < 0.25 else None
        return Firm(
            uscc=self._uscc(county),
            name=self._firm_name(county, category),
            county=county,
            category=category,
            source=sources[0] if rng.random() < 0.7 else rng.choice(sources),
            included=self.days[0] - timedelta(days=rng.randint(1, 14)),
            commissioner=rng.choice(self.commissioners),
            jobs=self._jobs(category),
            employees=employees,
            on_duty=on_duty,
            shortage=0 if lender else max(3, round(employees * rng.uniform(0.04, 0.16))),
            returned=max(0, on_duty - stayed),
            resumed=resumed,
            capacity=min(100, round(100 * on_duty / employees * rng.uniform(0.85, 1.05))) if resumed else 0,
            surplus=max(10, round(employees * rng.uniform(0.04, 0.1))) if lender else 0,
            lender=lender,
            shortage_text=rng.choice(words["problems"]["缺工"]),
            problem=(other, rng.choice(words["problems"][other])) if other else None,
        )

    def _firm_name(self, county: County, category: str) -> str:
        rng, words = self.rng, self.words
        while True:
            roll = rng.random()
            if roll < 0.3:
                prefix = "江西"
            elif roll < 0.7 or county.name.endswith("区"):
                prefix = self.city.name
            else:
                prefix = county.name[:-1]
            first, second = rng.choice(words["trade_first"]), rng.choice(words["trade_second"])
            name = prefix + first + second + rng.choice(words["industries"][category])
            if first != second and name not in self.used:
                self.used.add(name)
                return name

    def _uscc(self, county: County) -> str:
        """A valid credit code of an enterprise (91) registered in ``county``."""
        rng = self.rng
        while True:
            if rng.random() < 0.45:
                body = "MA3" + rng.choice("5678") + "".join(rng.choice(CODE_CHARS) for _ in range(4))
            else:
                body = str(rng.randint(1, 7)) + "".join(rng.choice("0123456789") for _ in range(7))
            code = codes.make_uscc("91" + county.code + body + _org_check(body))
            if code not in self.used:
                self.used.add(code)
                return code

    def _jobs(self, category: str) -> list[Job]:
        """The jobs an enterprise recruits for, weighted to the 73/15/8/4 category mix."""
        rng, words = self.rng, self.words
        factor = words["salary_factor"].get(self.city.name, words["salary_factor"]["default"])
        pool = [j for j in words["jobs"] if category in j.get("only", [category])]
        jobs = []
        for cat, (share, chance) in JOB_SHARES.items():
            options = [j for j in pool if j["category"] == cat]
            if not options or rng.random() >= chance:
                continue
            picked = rng.sample(options, min(len(options), rng.randint(1, 2)))
            for spec in picked:
                low, high = (round(s * factor / 100) * 100 for s in spec["salary"])
                wide = cat == "普工" and rng.random() < 0.4 or cat == "技工" and rng.random() < 0.2
                weight = share / chance / len(picked) * rng.uniform(0.7, 1.3)
                jobs.append(Job(spec["name"], cat, spec.get("code"), spec["skill"], low, high,
                                "跨区域" if wide else "本地", weight))
        return jobs

    def person_name(self, male: bool) -> str:
        rng, words = self.rng, self.words
        given = words["given_male" if male else "given_female"]
        name = rng.choice(words["surnames"]) + rng.choice(given)
        return name + rng.choice(given) if rng.random() < 0.65 else name

    def mobile(self) -> str:
        return self.rng.choice(self.words["mobile_prefixes"]) + f"{self.rng.randrange(10**8):08d}"

    def idno(self, area: str, male: bool) -> str:
        """A valid synthetic ID number: area code, a birth date 1966–2000, sex in the sequence."""
        rng = self.rng
        while True:
            birth = date(1966, 1, 1) + timedelta(days=rng.randint(0, 12700))
            seq = rng.randrange(500) * 2 + (1 if male else 0)
            idno = codes.make_idno(f"{area}{birth:%Y%m%d}{seq:03d}")
            if idno not in self.used:
                self.used.add(idno)
                return idno

    def _list_changes(self) -> list[int]:
        """Days the list is re-sent: new enterprises join on the first, one leaves on the last."""
        rng, n = self.rng, len(self.days)
        removal = [p[1] for p in self.plan if p[2] == "missing_adjust_reason"]
        resend = sorted(rng.sample(range(2, n - 1), rng.randint(1, 2)))
        if removal and removal[0] not in resend:
            resend = sorted([resend[0], removal[0]])
        for firm in self.firms[self.n_first:]:
            firm.listed_from, firm.included = resend[0], self.days[resend[0]]
        victim = rng.choice([f for f in self.firms[: self.n_first] if not f.lender])
        victim.removed_on = removal[0] if removal else resend[-1]
        victim.reason = rng.choice(self.words["removal_reasons"])
        return resend

    def _make_schedule(self) -> dict[int, list[str]]:
        """Which tables the city sends on which day."""
        rng, n = self.rng, len(self.days)
        resend = self._list_changes()
        chosen: dict[int, set[str]] = {d: {"B", "D"} for d in range(n)}
        chosen[0] |= {"A", "L"}
        for d in resend:
            chosen[d].add("A")
        for d in range(n):
            if not (0 < d < n - 1 and rng.random() < 0.15):
                chosen[d].add("C")
        for table in "EGHIJ":
            days = [d for d in range(n) if rng.random() < 0.75] or [rng.randrange(n)]
            for d in days:
                chosen[d].add(table)
        # Table J (求助受理) is a running ledger sent every day; the days drawn above are kept only
        # so that its old draws from self.rng are still taken (see _rows_j).
        self.j_drawn = {d for d in range(n) if "J" in chosen[d]}
        for d in range(n):
            chosen[d].add("J")
        for table, low, high in (("K", 2, 3), ("F", 2, 3), ("M", 1, 3)):
            for d in rng.sample(range(1, n), rng.randint(low, high)):
                chosen[d].add(table)
        for _, d, _, table, _, _ in self.plan:
            chosen[d].add(table)
        if self.city.name == DEMO_CITY:
            chosen[n - 1] |= set("CEGHIJ")
        return {d: [t for t in "ABCDEFGHIJKLM" if t in chosen[d]] for d in range(n)}

    # ---- the simulation

    def step(self, d: int) -> None:
        """Move every enterprise through day ``d``: placements, new demand, returns."""
        for firm in [*self.firms, self.outsider]:
            self._step_firm(firm)

    def _step_firm(self, f: Firm) -> None:
        rng = self.rng
        f.placed, f.lent_by = Counter(), ""
        if f.shortage > 0 and rng.random() < 0.85:
            count = min(f.shortage, max(1, round(f.shortage * rng.uniform(0.06, 0.16))))
            weights = [self.words["channels"][c] for c in CHANNELS]
            f.placed = Counter(rng.choices(CHANNELS, weights, k=count))
            self._borrow(f)
        new = rng.randint(3, max(4, f.employees // 40)) if not f.lender and rng.random() < 0.06 else 0
        total = sum(f.placed.values())
        f.shortage = f.shortage - total + new
        f.employees += total - f.placed["组织返岗"]
        natural = round((f.employees - f.on_duty) * rng.uniform(0.04, 0.12))
        f.on_duty = min(f.employees, f.on_duty + total + natural)
        f.returned += f.placed["组织返岗"] + natural
        f.resumed = f.resumed or rng.random() < 0.25
        if f.resumed:
            rate = round(100 * f.on_duty / f.employees * rng.uniform(0.9, 1.05))
            f.capacity = max(f.capacity, min(100, rate))
        f.problem_solved = f.problem_solved or rng.random() < 0.2

    def _borrow(self, f: Firm) -> None:
        """Staff lent by the enterprise with the largest surplus (余缺调剂); the rest is hired."""
        wanted = f.placed["余缺调剂"]
        if not wanted:
            return
        lenders = [x for x in self.firms if x.lender and x.surplus > 0 and x is not f]
        lent = 0
        if lenders:
            source = max(lenders, key=lambda x: x.surplus)
            lent = min(wanted, source.surplus)
            source.surplus -= lent
            f.lent_by = source.name
        f.placed["余缺调剂"] = lent
        f.placed["本地招聘"] += wanted - lent
        if not lent:
            del f.placed["余缺调剂"]

    def active(self, d: int) -> list[Firm]:
        """Enterprises on the list in force on day ``d``."""
        return [f for f in self.firms if f.listed_from is not None and f.listed_from <= d
                and (f.removed_on is None or f.removed_on > d)]

    def vacancies(self, f: Firm) -> list[tuple[Job, int]]:
        """The enterprise's shortage split over its jobs (adds up to the shortage)."""
        if f.shortage <= 0 or not f.jobs:
            return []
        counts = _allocate(f.shortage, [j.weight for j in f.jobs])
        return [(j, n) for j, n in zip(f.jobs, counts, strict=True) if n > 0]

    # ---- files of one day

    def _plan_today(self, d: int) -> dict[str, tuple]:
        return {p[2]: p for p in self.plan if p[1] == d}

    def _day_labels(self, rng: random.Random) -> dict[str, dict[str, str]]:
        """The city's usual headers; on some days the ledger comes from another template."""
        labels = {t: dict(v) for t, v in self.style.labels.items()}
        if rng.random() < 0.2:
            fresh = force_labels(draw_labels(rng, p_alias=0.3, p_unit=0.2), self.city.name)
            labels.update({t: fresh[t] for t in "BCD"})
        return labels

    def _sheet(self, table: str, rows: list[dict], labels: dict, day: date, flat: bool = False) -> Sheet:
        """Lay out one table: columns in the city's style, titles, headers."""
        style = self.style
        columns = list(COLUMNS[table])
        if table == "B" and not style.county_in_ledger:
            columns.remove("县区")
        if table == "C" and style.salary_split:
            at = columns.index("薪酬")
            columns[at: at + 1] = ["月薪下限", "月薪上限"]
        titles = []
        if table in "FM" or style.titles and not flat:
            titles = [TITLES[table].format(city=self.city.full_name)]
            if table == "L":
                titles.insert(0, "附件1")
            elif table not in "FM":
                titles.append(f"填报单位：{self.city.bureau}　　　　填报日期：{day.year}年{cn_date(day)}")
        groups = LEDGER_GROUPS if table == "B" and style.two_row and not flat else ()
        return Sheet(table, SHEET_NAMES[table], columns, rows, labels[table], titles, groups)

    def layout(self, d: int, rows: dict[str, list[dict]], rng: random.Random) -> list[Book]:
        """The files of day ``d`` laid out in the city's style from the rows of its tables."""
        day, city = self.days[d], self.city.name
        tag = f"{day.month:02d}{day.day:02d}"
        labels = self._day_labels(rng)
        plan = self._plan_today(d)

        def sheet(t: str, flat: bool = False) -> Sheet:
            return self._sheet(t, rows[t], labels, day, flat)

        books = []
        if "A" in rows:
            name = f"{city}市重点企业清单.xlsx" if d == 0 else f"{city}市重点企业清单（{cn_date(day)}更新）.xlsx"
            books.append(Book(name, [sheet("A")]))
        books += self._ledger_books(rows, sheet, tag, plan)
        if "L" in rows:
            books.append(Book(f"附件1_{city}市领导小组及联络员名单.xlsx", [sheet("L")]))
        work = [sheet(t) for t in "EGHIJ" if t in rows]
        if work:
            books.append(Book(f"{city}市稳就业工作开展情况_{tag}.xlsx", work))
        if "K" in rows:
            books.append(Book(f"{city}市经验做法和典型案例_{tag}.xlsx", [sheet("K")]))
        for table, stem in (("F", "返岗人员登记"), ("M", "求职人员登记")):
            if table in rows:
                books.append(self._people_book(sheet, table, f"{stem}_{city}_{tag}", plan))
        return books

    def _ledger_books(self, rows: dict, sheet: Callable, tag: str, plan: dict) -> list[Book]:
        """Tables B, C, D: one workbook, or B on its own (CSV, split by county), D apart."""
        city = self.city.name
        rest = [sheet(t) for t in "CD" if t in rows]
        main = self.style.ledger_file.format(city=city, tag=tag)
        if "csv_utf8_bom" in plan:
            encoding = plan["csv_utf8_bom"][5]
            ledger = Book(f"{city}市重点企业用工台账_{tag}.csv", [sheet("B", flat=True)], encoding,
                          notes=[(kind_of("csv_utf8_bom"), encoding)])
            return [ledger, Book(f"{city}市空岗及解决情况_{tag}.xlsx", rest)]
        if "split_by_county" in plan:
            return [*self._split_ledger(sheet("B"), tag), Book(f"{city}市空岗及解决情况_{tag}.xlsx", rest)]
        if self.style.separate_d and "D" in rows:
            head = [sheet("B")] + [s for s in rest if s.table == "C"]
            return [Book(main, head), Book(f"{city}市用工缺口解决情况_{tag}.xlsx", [sheet("D")])]
        return [Book(main, [sheet("B"), *rest])]

    def _split_ledger(self, ledger: Sheet, tag: str) -> list[Book]:
        """Table B sent as two files: the city's districts and its counties."""
        books = []
        for part, keep in (("市辖区", True), ("各县市", False)):
            rows = numbered([r for r in ledger.rows if r["县区"].endswith("区") == keep])
            part_sheet = Sheet("B", ledger.name, ledger.columns, rows, ledger.labels,
                               [f"{t}（{part}）" if i == 0 else t for i, t in enumerate(ledger.titles)],
                               ledger.groups)
            names = "、".join(dict.fromkeys(r["县区"] for r in rows))
            books.append(Book(f"{self.city.name}市重点企业用工台账（{part}）_{tag}.xlsx", [part_sheet],
                              notes=[(kind_of("split_by_county"), names)]))
        return books

    def _people_book(self, sheet: Callable, table: str, stem: str, plan: dict) -> Book:
        """Table F or M: xlsx, or CSV (UTF-8, or GB18030 where planted)."""
        if "csv_gb18030" in plan and plan["csv_gb18030"][3] == table:
            encoding = plan["csv_gb18030"][5]
            return Book(f"{stem}.csv", [sheet(table, flat=True)], encoding,
                        notes=[(kind_of("csv_gb18030"), encoding)])
        if self.style.csv_people:
            return Book(f"{stem}.csv", [sheet(table, flat=True)], "utf-8")
        return Book(f"{stem}.xlsx", [sheet(table)])

