"""Organised returns in the sample inbox (issue 14): groups large enough to fill a coach.

The generated table F rows are scattered — a handful of workers per origin and day — so a
transport plan on them is, rightly, all 零散. A real bureau also receives the lists an enterprise
collects for a whole group (a 组团返岗 roster). Added as a new file (the existing files, sheets and
columns stay as they were): on :data:`DAY`, 南昌 receives

* ``南昌市组团返岗人员登记（2月28日）.xlsx`` — table F: 32 workers from 湖南省邵阳市邵东县 for the
  list's enterprise with the largest shortage (planned 2月29日 and 3月1日: one window, one coach) and
  22 from 江西省赣州市于都县 for the second largest (3月1日 and 3月2日: one coach).

Every random choice comes from a generator of its own, so the rest of the sample is untouched;
the same seed gives the same file. Recorded in planted.json as ``form:organised_return`` on each
group's first row (expected: its 出发地).
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from .. import codes
from .sample_model import COLUMNS, Book, Plant, Sheet

CITY = "南昌"
DAY = date(2020, 2, 28)
# (出发地, area code of the ID numbers, people, planned days as offsets from DAY)
GROUPS = [("湖南省邵阳市邵东县", "430521", 32, (1, 2)), ("江西省赣州市于都县", "360731", 22, (2, 3))]


def books(world, d: int, day: date) -> list[Book]:
    """The day's extra file for ``world`` (a sample_world.CityWorld), or none."""
    if world.city.name != CITY or day != DAY:
        return []
    rng = random.Random(f"{world.seed}/{world.city.code}/organised-returns")
    firms = sorted(world.active(d), key=lambda f: (-f.shortage, f.uscc))[: len(GROUPS)]
    rows, plants = [], []
    for (origin, area, n, offsets), firm in zip(GROUPS, firms, strict=True):
        plants.append(Plant(len(rows), "出发地", "form:organised_return", origin))  # a group's first row
        for i in range(n):
            male = rng.random() < 0.7
            rows.append({"姓名": _name(rng, world.words, male), "身份证号": _idno(rng, area, male, world.used),
                         "手机号": rng.choice(world.words["mobile_prefixes"]) + f"{rng.randrange(10**8):08d}",
                         "出发地": origin, "返岗企业": firm.name,
                         "计划返岗日期": day + timedelta(days=offsets[i % len(offsets)]),
                         "需要专车": "是", "已到岗": "否", "到岗日期": None})
    for i, row in enumerate(rows, 1):
        row["序号"] = i
    mmdd = f"{day.month}月{day.day}日"
    sheet = Sheet("F", "组团返岗", list(COLUMNS["F"]), rows, plants=plants,
                  titles=[f"{world.city.full_name}组团返岗人员登记表（{mmdd}，样例数据，均为虚构）"])
    return [Book(f"{world.city.full_name}组团返岗人员登记（{mmdd}）.xlsx", [sheet], clock=(10, 20))]


def _name(rng: random.Random, words: dict, male: bool) -> str:
    given = words["given_male" if male else "given_female"]
    name = rng.choice(words["surnames"]) + rng.choice(given)
    return name + rng.choice(given) if rng.random() < 0.65 else name


def _idno(rng: random.Random, area: str, male: bool, used: set) -> str:
    while True:
        birth = date(1968, 1, 1) + timedelta(days=rng.randint(0, 12000))
        idno = codes.make_idno(f"{area}{birth:%Y%m%d}{rng.randrange(500) * 2 + (1 if male else 0):03d}")
        if idno not in used:
            used.add(idno)
            return idno
