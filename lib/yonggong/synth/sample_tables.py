"""The rows of tables A–M for one city and day, in canonical column names (``TableRows``, a
mixin of ``sample_world.CityWorld``, which holds the enterprises, their state and the random
generator these rows draw from), and the week's help requests of table J (``requests``, with
their own generator per report period, and the planted.json entry describing them).
"""

from __future__ import annotations

import random
from collections import Counter
from datetime import date, datetime, time, timedelta

from ..reference import cities, settings
from .sample_model import (
    CHANNELS,
    COLUMNS,
    DEMO_CITY,
    PUSH_CHANNELS,
    SHEET_NAMES,
    SKILLS,
    Book,
    Firm,
    cn_date,
    kind_of,
    numbered,
)


class TableRows:
    """Rows of every table for one city-day (mixed into ``CityWorld``)."""

    _requests: list[dict] | None = None  # the week's help requests, drawn once

    def rows(self, table: str, d: int) -> list[dict]:
        """The rows of ``table`` for day ``d``."""
        return getattr(self, f"_rows_{table.lower()}")(d, self.days[d])

    def _rows_a(self, d: int, day: date) -> list[dict]:
        rows = []
        for f in self.firms:
            if f.listed_from is None or f.listed_from > d:
                continue
            out = f.removed_on is not None and f.removed_on <= d
            rows.append({"统一社会信用代码": f.uscc, "企业名称": f.name, "县区": f.county.name,
                         "企业类别": f.category, "清单来源": f.source, "纳入日期": f.included,
                         "状态": "调出" if out else "在册", "调整原因": f.reason if out else None,
                         "人社服务专员": f.commissioner[0], "专员手机": f.commissioner[1]})
        return numbered(rows)

    def ledger_row(self, f: Firm, day: date) -> dict:
        """One enterprise's row of table B (the five clears) for ``day``."""
        if f.shortage > 0:
            kind, text, solved = "缺工", f.shortage_text.format(n=f.shortage), "否"
        elif f.problem:
            kind, text, solved = f.problem[0], f.problem[1], "是" if f.problem_solved else "否"
        else:
            kind, text, solved = None, "无", None
        return {"统一社会信用代码": f.uscc, "企业名称": f.name, "县区": f.county.name, "填报日期": day,
                "员工总数": f.employees, "在岗人数": f.on_duty, "缺工人数": f.shortage,
                "是否复工": "是" if f.resumed else "否", "产能恢复率": f.capacity, "已返岗人数": f.returned,
                "富余人数": f.surplus, "问题困难类型": kind, "问题困难": text, "问题是否解决": solved}

    def _rows_b(self, d: int, day: date) -> list[dict]:
        return numbered([self.ledger_row(f, day) for f in self.active(d)])

    def _rows_c(self, d: int, day: date) -> list[dict]:
        rows = []
        for f in self.active(d):
            for job, n in self.vacancies(f):
                rows.append({"统一社会信用代码": f.uscc, "企业名称": f.name, "岗位名称": job.name,
                             "岗位类别": job.category, "职业编码": job.code, "技能要求": job.skill,
                             "缺工人数": n, "薪酬": f"{job.low}-{job.high}", "月薪下限": job.low,
                             "月薪上限": job.high, "招聘范围": job.scope, "填报日期": day})
        return numbered(rows)

    def _rows_d(self, d: int, day: date) -> list[dict]:
        rows = []
        for f in self.active(d):
            for channel in CHANNELS:
                if f.placed.get(channel):
                    rows.append({"日期": day, "统一社会信用代码": f.uscc, "企业名称": f.name, "解决渠道": channel,
                                 "人数": f.placed[channel],
                                 "调剂来源企业": f.lent_by if channel == "余缺调剂" else None})
        return numbered(rows)

    def _rows_e(self, d: int, day: date) -> list[dict]:
        rng = self.rng
        places = list(dict.fromkeys(o["place"].split("省")[0] for o in self.words["origins"]))
        places += [c.full_name for c in cities() if c.code != self.city.code][:6]
        wanted = [(f, j, n) for f in self.active(d) for j, n in self.vacancies(f) if j.scope == "跨区域"]
        picked = [w for w in wanted if rng.random() < 0.6] or wanted[:1]
        rows = [{"统一社会信用代码": f.uscc, "企业名称": f.name, "岗位名称": j.name, "技能要求": j.skill,
                 "招工人数": n, "意向输出地": "、".join(rng.sample(places, rng.randint(1, 3))),
                 "登记日期": day - timedelta(days=rng.randint(0, 2))} for f, j, n in picked]
        return numbered(rows)

    def _rows_f(self, d: int, day: date) -> list[dict]:
        rng, active = self.rng, self.active(d)
        by_code = rng.choice(("code", "name", "mixed"))
        weights = [f.shortage + 5 for f in active]
        rows = []
        for _ in range(min(200, max(20, round(len(active) * rng.uniform(1.0, 3.5))))):
            origin = rng.choices(self.origins, self.origin_weights)[0]
            male = rng.random() < 0.62
            firm = rng.choices(active, weights)[0]
            planned = day + timedelta(days=rng.randint(-3, 5))
            arrived = planned <= day and rng.random() < 0.75
            code = by_code == "code" or by_code == "mixed" and rng.random() < 0.5
            rows.append({"姓名": self.person_name(male), "身份证号": self.idno(origin["code"], male),
                         "手机号": self.mobile(),
                         "出发地": origin["place"] + (origin["county"] if rng.random() < 0.5 else ""),
                         "返岗企业": firm.uscc if code else firm.name, "计划返岗日期": planned,
                         "需要专车": "是" if rng.random() < 0.4 else "否", "已到岗": "是" if arrived else "否",
                         "到岗日期": min(day, planned + timedelta(days=rng.randint(0, 1))) if arrived else None})
        return numbered(rows)

    def _rows_g(self, d: int, day: date) -> list[dict]:
        rng, letter = self.rng, self.words["plate_letter"][self.city.name]
        modes = ("专车", "专列", "包机") if self.city.name == DEMO_CITY else ("专车", "专列")
        rows, used = [], set()
        for _ in range(rng.randint(1, 6)):
            mode = rng.choices(modes, (88, 10, 2)[: len(modes)])[0]
            trips = rng.choice((1, 1, 1, 2)) if mode == "专车" else 1
            if mode == "专车":
                number, people = f"赣{letter}{rng.randrange(10**5):05d}", trips * rng.randint(18, 40)
            elif mode == "专列":
                number, people = f"L{rng.randint(1000, 9999)}", rng.randint(300, 900)
            else:
                number, people = f"CZ{rng.randint(3000, 3999)}", rng.randint(120, 180)
            if number in used:
                continue
            used.add(number)
            origin = rng.choices(self.origins, self.origin_weights)[0]
            rows.append({"日期": day, "方式": mode, "出发地": origin["place"] + origin["county"],
                         "目的地县区": rng.choice(self.counties).name, "班次": number, "趟次": trips,
                         "运送人数": people})
        return numbered(rows)

    def _rows_h(self, d: int, day: date) -> list[dict]:
        rng = self.rng
        others = [c for c in PUSH_CHANNELS if c not in ("微信", "短信")]
        chosen = {"微信", "短信", *rng.sample(others, rng.randint(1, 3))}
        shortage = sum(max(0, f.shortage) for f in self.active(d))
        reach = {"网站": (100, 20, 300), "微信": (100, 10, 200), "短信": (1000, 10, 80), "APP": (100, 5, 100),
                 "招聘会": (1, 50, 800), "其他": (1, 30, 500)}
        rows = []
        for channel in PUSH_CHANNELS:
            if channel not in chosen:
                continue
            unit, low, high = reach[channel]
            pushes = unit * rng.randint(low, high)
            rows.append({"日期": day, "推送渠道": channel,
                         "推送岗位数": max(20, round(shortage * rng.uniform(0.3, 1.0))), "推送人次": pushes,
                         "意向人数": max(1, round(pushes * rng.uniform(0.004, 0.02)))})
        return rows

    def _rows_i(self, d: int, day: date) -> list[dict]:
        rng, rows = self.rng, []
        for spec in rng.sample(self.words["trainings"], rng.randint(2, 5)):
            enrolled = rng.randint(20, 600)
            rows.append({"日期": day, "工种": spec["name"], "培训类型": rng.choice(self.words["training_types"]),
                         "报名人数": enrolled,
                         "结业人数": None if rng.random() < 0.3 else rng.randint(enrolled * 6 // 10, enrolled),
                         "是否急需紧缺": "是" if spec["urgent"] else "否"})
        return numbered(rows)

    def _rows_j(self, d: int, day: date) -> list[dict]:
        """Help requests as the city reports them in folder ``d``: those received in the report
        period W(day), with their status at the period's end, and earlier ones closed within it
        (the same 编号 again, now 已办结)."""
        if d in self.j_drawn:
            self._skip_old_j_draws(day)
        rows = [dict(r, 办结时间=r["办结时间"] if r["closed_in"] <= d else None,
                     状态="已办结" if r["closed_in"] <= d else "办理中")
                for r in self.requests() if r["received_in"] == d]
        rows += [dict(r, 状态="已办结") for r in self.requests() if r["received_in"] < d == r["closed_in"]]
        rows.sort(key=lambda r: (r["受理时间"], r["编号"]))
        return [{c: r[c] for c in COLUMNS["J"]} for r in rows]

    def _skip_old_j_draws(self, day: date) -> None:
        """Take the draws the former table J took from ``self.rng`` (and drop them), so that every
        other table stays as it was; J itself now comes from ``requests``."""
        rng, requests = self.rng, self.words["requests"]
        kinds = list(requests)
        for _ in range(rng.randint(2, 8)):
            kind = rng.choices(kinds, [3, 3, 2, 2, 2, 1][: len(kinds)])[0]
            rng.randint(8, 17), rng.randint(0, 59)
            roll = rng.random()
            if roll < 0.7:
                rng.randint(30, 300)
            elif roll < 0.85:
                rng.randint(9, 17), rng.randint(0, 59)
            rng.choice(requests[kind]["texts"])

    def requests(self) -> list[dict]:
        """Every help request of the week (table J), in 受理时间 order, each with the day index
        of the report period it was received in (``received_in``) and closed in (``closed_in``,
        ``len(days)`` when not closed within the sample). Drawn from a generator of their own
        per period, so that the other tables do not depend on them.

        Received over the whole period W(D) = (D-1 cut-off, D cut-off], mostly in office hours;
        most are closed within hours, some the next working day (then often after more than 24
        hours), a few two days later, a few not at all."""
        if self._requests is not None:
            return self._requests
        cutoff = time.fromisoformat(str(settings()["period_cutoff"]))
        words, n = self.words["requests"], len(self.days)
        kinds = list(words)

        def period_of(moment: datetime) -> int:
            """Index of the day whose report period holds ``moment`` (may lie outside the week)."""
            end = moment.date() if moment.time() <= cutoff else moment.date() + timedelta(days=1)
            return (end - self.days[0]).days

        found = []
        for d, day in enumerate(self.days):
            rng = random.Random(f"{self.seed}/{self.city.code}/J/{day.isoformat()}")
            start = datetime.combine(day - timedelta(days=1), cutoff)
            shifts: list[list[datetime]] = [[], [], []]  # office hours, evening, night of the period
            for m in range(1, 24 * 60 + 1):
                moment = start + timedelta(minutes=m)
                shifts[0 if 8 <= moment.hour < 18 else 1 if 18 <= moment.hour < 22 else 2].append(moment)
            for i in range(rng.randint(2, 8)):
                kind = rng.choices(kinds, [3, 3, 2, 2, 2, 1][: len(kinds)])[0]
                received = rng.choice(rng.choices(shifts, (85, 12, 3))[0])
                roll = rng.random()
                if (d, i) in ((1, 0), (3, 0)):  # every city: one closed two days later, one never closed
                    roll = 0.95 if d == 1 else 0.99
                if roll < 0.78:  # within hours; what would end at night is done the next morning
                    done = received + timedelta(minutes=round(rng.triangular(15, 300, 40)))
                    if not 8 <= done.hour < 21:
                        morning = done.date() + timedelta(days=1 if done.hour >= 21 else 0)
                        done = datetime.combine(morning, time(8, 30)) + timedelta(minutes=rng.randint(0, 150))
                elif roll < 0.91:  # the next working day
                    done = datetime.combine(received.date() + timedelta(days=1),
                                            time(rng.randint(9, 17), rng.randint(0, 59)))
                elif roll < 0.96:  # two days later
                    done = datetime.combine(received.date() + timedelta(days=2),
                                            time(rng.randint(8, 11), rng.randint(0, 59)))
                else:
                    done = None
                closed_in = n if done is None else min(n, period_of(done))
                found.append({"受理时间": received, "诉求方": words[kind]["party"], "类型": kind,
                              "诉求内容": rng.choice(words[kind]["texts"]),
                              "办结时间": done if closed_in < n else None, "received_in": d, "closed_in": closed_in})
        found.sort(key=lambda r: r["受理时间"])  # stable: same minute keeps the order drawn
        seq: Counter = Counter()
        for r in found:
            stamp = f"{r['受理时间']:%Y%m%d}"
            seq[stamp] += 1
            r["编号"] = f"QZ{stamp}{seq[stamp]:03d}"
        self._requests = found
        return found

    def request_entry(self, day_books: list[Book]) -> dict:
        """planted.json entry (file level, first day) describing the week's table J: how many
        requests are sent again in a later folder with their new status, how many were closed
        after more than 24 hours and how many are still open at the end of the sample."""
        reqs, n = self.requests(), len(self.days)
        repeated = [r for r in reqs if r["received_in"] < r["closed_in"] < n]
        late = [r for r in reqs if r["办结时间"] is not None and r["办结时间"] - r["受理时间"] > timedelta(hours=24)]
        still = [r for r in reqs if r["closed_in"] >= n]
        book = next(b for b in day_books if any(s.table == "J" for s in b.sheets))
        text = (f"求助受理按编号合并：本周受理{len(reqs)}件，其中{len(repeated)}件在之后的文件中以新状态（已办结）"
                f"再次报送，{len(late)}件超过24小时办结，{len(still)}件至样例最后一天仍未办结")
        return {"city": self.city.name, "date": self.days[0].isoformat(), "file": book.file,
                "sheet": SHEET_NAMES["J"], "excel_row": None, "column": None,
                "kind": kind_of("request_status_update"), "value": text,
                "expected": {"received": len(reqs), "repeated": len(repeated), "closed_after_24h": len(late),
                             "open_at_end": len(still),
                             "repeated_ids": {r["编号"]: [self.days[r["received_in"]].isoformat(),
                                                          self.days[r["closed_in"]].isoformat()]
                                              for r in repeated}}}

    def _rows_k(self, d: int, day: date) -> list[dict]:
        rng, words = self.rng, self.words
        pool = [("经验做法", t) for t in words["practices"]] + [("先进典型", t) for t in words["typical_cases"]]
        free = [i for i in range(len(pool)) if i not in self.used_k]
        rows = []
        for i in rng.sample(free, min(len(free), rng.randint(1, 2))):
            self.used_k.append(i)
            kind, template = pool[i]
            rows.append(self._story(kind, template, day))
        return numbered(rows)

    def _story(self, kind: str, template: dict, day: date) -> dict:
        """One good practice or typical case, filled in with this city's names and numbers."""
        rng = self.rng
        firm = rng.choice(self.firms[: self.n_first])
        county = rng.choice(self.counties).name
        mid = rng.randint(30, 300)
        values = {"city": self.city.name, "county": county, "enterprise": firm.name,
                  "person": self.person_name(rng.random() < 0.6), "date": cn_date(day), "small": rng.randint(2, 30),
                  "mid": mid, "mid2": rng.randint(20, mid), "big": rng.randint(300, 3000)}
        holder = {"enterprise": firm.name, "person": values["person"], "county": f"{county}就业服务中心"}
        return {"日期": day, "类别": kind, "标题": template["title"].format(**values),
                "内容": template["content"].format(**values),
                "单位或个人": holder.get(template.get("holder"), self.city.bureau)}

    def _rows_l(self, d: int, day: date) -> list[dict]:
        rng, area = self.rng, self.words["area_code"][self.city.name]
        digits = 7 if self.city.name == DEMO_CITY else 6
        rows = [{"姓名": self.person_name(rng.random() < 0.7), "单位及职务": m["post"].format(city=self.city.name),
                 "小组职务": m["role"], "办公电话": f"{area}-8{rng.randrange(10**digits):0{digits}d}",
                 "手机": self.mobile()} for m in self.words["leading_group"]]
        return numbered(rows)

    def _rows_m(self, d: int, day: date) -> list[dict]:
        rng = self.rng
        names = list(dict.fromkeys(j["name"] for j in self.words["jobs"] if j["category"] in ("普工", "技工")))
        rows = []
        for _ in range(rng.randint(20, 80)):
            county, male = rng.choice(self.counties), rng.random() < 0.55
            rows.append({"姓名": self.person_name(male), "身份证号": self.idno(county.code, male),
                         "手机号": self.mobile(), "县区": county.name,
                         "意向岗位": ("," if rng.random() < 0.1 else "、").join(rng.sample(names, rng.randint(1, 3))),
                         "技能等级": rng.choices(SKILLS, (50, 20, 15, 5, 10))[0],
                         "期望月薪": rng.randint(30, 80) * 100, "登记日期": day - timedelta(days=rng.randint(0, 2)),
                         "已就业": "是" if rng.random() < 0.1 else "否"})
        return numbered(rows)
