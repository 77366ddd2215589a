"""~10,000 ledger rows with faults at known rows: the report names exactly those rows."""

from __future__ import annotations

import datetime as dt
import random

from builders import B_HEADER, uscc, write_xlsx

from yonggong import validate
from yonggong.clean import clean_table
from yonggong.faults import FaultLog
from yonggong.ingest import read_day
from yonggong.reference import resolve_city

N = 10_000
TITLE_ROWS = 2  # a title and a 填报单位 line above the header: data starts on Excel row 4


def _bad_code(i: int) -> str:
    good = uscc(i)
    return good[:-1] + ("0" if good[-1] != "0" else "1")


# fault kind -> (how to break a row, expected (column, rule, level))
BREAKERS = {
    "uscc": (lambda r, i: r.__setitem__(0, _bad_code(i)), ("统一社会信用代码", "uscc_check", "错误")),
    "not_int": (lambda r, i: r.__setitem__(3, "若干"), ("员工总数", "parse_int", "错误")),
    "on_post": (lambda r, i: r.__setitem__(4, 999), ("在岗人数", "on_post_le_total", "错误")),
    "negative": (lambda r, i: r.__setitem__(5, -2), ("缺工人数", "non_negative", "错误")),
    "bad_date": (lambda r, i: r.__setitem__(2, "2020-02-30"), ("填报日期", "parse_date", "错误")),
    "rate": (lambda r, i: r.__setitem__(7, "150%"), ("产能恢复率", "parse_rate", "警告")),
    "blank": (lambda r, i: r.__setitem__(5, "—"), ("缺工人数", "required", "错误")),
    "bool": (lambda r, i: r.__setitem__(6, "也许"), ("是否复工", "parse_bool", "错误")),
}


def test_report_names_exactly_the_planted_rows(tmp_path):
    rng = random.Random(7)
    rows, expected = [], set()
    planted_at = sorted(rng.sample(range(N), 120))
    kinds = list(BREAKERS)
    plan = {i: kinds[k % len(kinds)] for k, i in enumerate(planted_at)}
    for i in range(N):
        row = [uscc(i + 1), f"企业{i + 1}", "2020-02-24", 100 + i % 50, 80, i % 7, "是", 90, None, None, None, 0]
        if i in plan:
            breaker, (column, rule, level) = BREAKERS[plan[i]]
            breaker(row, i + 1)
            expected.add((TITLE_ROWS + 2 + i, column, rule, level))
        rows.append(row)
    write_xlsx(tmp_path / "big.xlsx", {"台账": [["大表"], ["填报单位：测试"], B_HEADER, *rows]})

    inbox = read_day(tmp_path)
    log = FaultLog(inbox)
    city = resolve_city("南昌")
    df = clean_table("B", inbox.table("B"), city, dt.date(2020, 2, 24), log)
    df = validate.check_rows("B", df, log)
    faults = log.frame()
    got = {(int(f.row), f.column, f.rule, f.level) for f in faults.itertuples()}
    assert got == expected
    errors = {r for r, _c, _rule, level in expected if level == "错误"}
    assert len(df) == N - len(errors)
    assert set(df["_row"]).isdisjoint(errors)
    assert list(faults["row"]) == sorted(faults["row"]), "sorted by file and row"
