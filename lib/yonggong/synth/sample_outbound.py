"""劳务输出 in the sample inbox (issue 19): tables O, P and outbound G for the exporting cities.

Added to the sample as new files (the existing files, sheets and columns stay as they were):
on every sample day, each city of :data:`EXPORTERS` sends

* ``<市>外出务工人员登记表（M月D日）.xlsx`` — table O: the day's new registrations, and the
  earlier registrants who left that day sent again with 已出发 是 and their 出发日期;
* ``<市>输入地用工需求（M月D日）.xlsx`` — table P: demand shared by input regions;
* ``<市>劳务输出专车专列（M月D日）.xlsx`` — table G with 方向 输出: the day's outbound trips.

Destinations are written as a clerk writes them (粤, 广东省深圳市, 深圳, 广东东莞, 浙江省义乌市, 福建 …),
Guangdong first; a few 户籍县区 in a former county name (planted as ``form:county_former_name``).
Every random choice comes from a generator of its own per (seed, city), so the rest of the
sample is untouched; the same seed gives the same files.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta

from .. import codes
from ..outbound import canonical
from ..reference import City, city_counties, load_yaml, resolve_county
from .sample_model import Book, Plant, Sheet

EXPORTERS = {"赣州": 1.6, "上饶": 1.0, "吉安": 0.8, "宜春": 0.7}  # relative volume
# (written destination, weight): Guangdong first, then Zhejiang and Fujian
DESTINATIONS = [("广东东莞", 14), ("东莞市", 6), ("广东省深圳市", 10), ("深圳", 6), ("粤", 3), ("广东佛山", 4),
                ("广州", 3), ("广东省中山市", 2), ("浙江省义乌市", 5), ("浙江宁波", 2), ("福建", 2), ("福建省泉州市", 3),
                ("晋江", 2), ("江苏苏州", 2), ("上海", 1)]
# the counties most workers leave from (the rest of the city's counties share the remainder)
HOME_COUNTIES = {"赣州": ["于都县", "兴国县", "宁都县", "瑞金市"], "上饶": ["鄱阳县", "余干县", "万年县"],
                 "吉安": ["泰和县", "永丰县", "吉水县"], "宜春": ["丰城市", "樟树市", "高安市"]}
POSTS = [("普工", 10), ("操作工", 6), ("装配工", 4), ("缝纫工", 3), ("电工", 2), ("焊工", 2), ("叉车司机", 1),
         ("包装工", 2), ("保安", 1), (None, 3)]
SKILLS = [("无", 10), ("初级工", 4), ("中级工", 2), ("高级工", 1), (None, 3)]
FORMER = {"赣州": ["南康市", "赣县", "龙南县"], "上饶": ["广丰县", "上饶县"]}  # params/county_aliases.csv
FIRMS = ["电子科技有限公司", "服装有限公司", "精密制造有限公司", "智能装备有限公司", "鞋业有限公司", "家具有限公司",
         "塑胶制品有限公司", "光电有限公司"]
FIRM_WORDS = ["华盛", "宏达", "立信", "永安", "嘉和", "鑫源", "金帆", "恒通", "瑞丰", "东升", "新锐", "长城"]
AREA_CODES = {"广东": "0769", "深圳": "0755", "浙江": "0579", "福建": "0595", "江苏": "0512", "上海": "021"}
O_COLUMNS = ["姓名", "身份证号", "手机号", "户籍县区", "意向输入地", "意向工种", "技能等级", "计划出发日期", "需要专车",
             "已出发", "出发日期", "输入地企业"]
P_COLUMNS = ["输入地", "企业名称", "岗位", "人数", "技能要求", "薪酬", "截止日期", "对接人", "工作电话"]
G_COLUMNS = ["日期", "方向", "方式", "出发县区", "出发地", "输出目的地", "班次", "趟次", "运送人数"]


def _pick(rng: random.Random, weighted: list[tuple]):
    return rng.choices([v for v, _ in weighted], weights=[w for _, w in weighted])[0]


@dataclass
class Person:
    row: dict
    plan: date
    former: str | None = None  # the county's name today, when 户籍县区 is written in a former one


@dataclass
class Exporter:
    """The outbound side of one city over the sample days."""

    city: City
    seed: int
    words: dict
    used: set  # ID numbers the city's other tables already use
    rng: random.Random = field(init=False)
    people: list[Person] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.rng = random.Random(f"{self.seed}/{self.city.code}/outbound")
        self.counties = city_counties(self.city)
        self.scale = EXPORTERS[self.city.name]

    def _name(self) -> str:
        rng, w = self.rng, self.words
        given = w["given_male" if rng.random() < 0.6 else "given_female"]
        name = rng.choice(w["surnames"]) + rng.choice(given)
        return name + rng.choice(given) if rng.random() < 0.6 else name

    def _idno(self, area: str) -> str:
        while True:
            birth = date(1970, 1, 1) + timedelta(days=self.rng.randint(0, 11000))
            idno = codes.make_idno(f"{area}{birth:%Y%m%d}{self.rng.randrange(1000):03d}")
            if idno not in self.used:
                self.used.add(idno)
                return idno

    def books(self, day: date, d: int) -> list[Book]:
        """The day's three files."""
        rng = self.rng
        mmdd = f"{day.month}月{day.day}日"
        # who leaves today (registered before, planned day reached): sent again, 已出发 是
        gone = []
        for p in self.people:
            if p.row["已出发"] == "否" and p.plan <= day and rng.random() < 0.7:
                p.row = {**p.row, "已出发": "是", "出发日期": day.isoformat()}
                gone.append(p)
        new = []
        homes = [c for c in self.counties if c.name in HOME_COUNTIES[self.city.name]]
        for _ in range(round(self.scale * rng.randint(150, 260))):
            county = rng.choice(homes) if rng.random() < 0.7 else rng.choice(self.counties)
            former = rng.choice(FORMER[self.city.name]) if self.city.name in FORMER and rng.random() < 0.04 else None
            if former:  # the person's county is the one the former name now is
                county = resolve_county(former, self.city).county
            plan = day + timedelta(days=rng.randint(0, 3))
            post = _pick(rng, POSTS)
            dest = _pick(rng, DESTINATIONS)
            row = {"姓名": self._name(), "身份证号": self._idno(county.code),
                   "手机号": rng.choice(self.words["mobile_prefixes"]) + f"{rng.randrange(10**8):08d}",
                   "户籍县区": former or county.name,
                   "意向输入地": dest, "意向工种": post, "技能等级": _pick(rng, SKILLS),
                   "计划出发日期": plan.isoformat(), "需要专车": "是" if rng.random() < 0.6 else "否",
                   "已出发": "否", "出发日期": None, "输入地企业": None}
            new.append(Person(row, plan, county.name if former else None))
        self.people += new
        o_rows = [p.row for p in gone] + [p.row for p in new]
        plants = [Plant(i, "户籍县区", "form:county_former_name", p.former)
                  for i, p in enumerate(gone + new) if p.former]
        books = [Book(f"{self.city.name}外出务工人员登记表（{mmdd}）.xlsx",
                      [Sheet("O", "外出务工登记", O_COLUMNS, o_rows, plants=plants,
                             titles=[f"{self.city.full_name}外出务工人员登记表（{mmdd}）"])],
                      clock=(11, 30))]
        p_rows = []
        for _ in range(rng.randint(6, 12)):
            dest = _pick(rng, DESTINATIONS)
            low = rng.choice([3500, 4000, 4500, 5000, 5500])
            key = next((k for k in AREA_CODES if k in dest), "广东")
            p_rows.append({"输入地": dest, "企业名称": rng.choice(FIRM_WORDS) + rng.choice(FIRMS),
                           "岗位": _pick(rng, [(p, w) for p, w in POSTS if p]), "人数": rng.choice([20, 30, 50, 80, 100, 150]),
                           "技能要求": _pick(rng, [("无", 6), ("初级工", 3), ("中级工", 1)]),
                           "薪酬": f"{low}-{low + rng.choice([1000, 1500, 2000])}",
                           "截止日期": (day + timedelta(days=rng.randint(5, 20))).isoformat(),
                           "对接人": self._name(), "工作电话": f"{AREA_CODES[key]}-8{rng.randrange(10**6, 10**7)}"})
        books.append(Book(f"{self.city.name}输入地用工需求（{mmdd}）.xlsx",
                          [Sheet("P", "输入地用工需求", P_COLUMNS, p_rows)], clock=(11, 40)))
        g_rows = []
        groups: dict[tuple, list] = {}
        for p in gone:  # a trip per home county and destination (as the bureau groups them)
            if p.row["需要专车"] == "是":
                key = (p.former or p.row["户籍县区"], canonical(p.row["意向输入地"]))
                groups.setdefault(key, []).append(p)
        for (home, _), riders in sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[0])):
            n, dest = len(riders), riders[0].row["意向输入地"]
            if n < 5:  # a few travel on their own
                continue
            g_rows.append({"日期": day.isoformat(), "方向": "输出", "方式": "专车", "出发县区": home,
                           "出发地": f"{self.city.full_name}{home}", "输出目的地": dest,
                           "班次": f"赣B·{rng.randrange(10**4, 10**5)}", "趟次": 1, "运送人数": n})
        if g_rows:
            books.append(Book(f"{self.city.name}劳务输出专车专列（{mmdd}）.xlsx",
                              [Sheet("G", "劳务输出运输", G_COLUMNS, g_rows)], clock=(11, 50)))
        return books


def exporters(seed: int) -> dict[str, Exporter]:
    """One :class:`Exporter` per exporting city (their ID numbers kept apart from the city's own)."""
    from ..reference import resolve_city

    words = load_yaml("sample_names.yaml")
    return {name: Exporter(resolve_city(name), seed, words, set()) for name in EXPORTERS}
