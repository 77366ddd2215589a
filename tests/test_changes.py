"""The 变化 sheet of the working file (``yonggong.changes``): what changed since the previous report day.

A small 南昌 inbox written as CSV (seven report days, 2020-02-23 … 03-01 without 02-28; enterprises
E1–E5 in 东湖区 and 西湖区) gives every rule a case whose lines are worked out by hand below
from the rows the test writes — 进入清单 / 移出清单, 缺工变化 (top N, 沿用), 新增问题 / 问题解决,
补报更正 (table D rows dated before their folder; future-dated and off-list rows are not 补报),
无可比 on the first day, 无变化, a gap in the report days, an enterprise 未报送 after its
carry-forward (its problem neither 解决 nor, when it reports again, old). Each line's 来源 is the CSV line of
the row (line 1 is the header). Then the bundled sample: 南昌 02-26 (a list update) and 02-27
against the raw inbox files read independently with openpyxl, and the working file's sheets.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest
from builders import A_HEADER, B_HEADER, D_HEADER, uscc, write_day_csv
from independent import classify, code_of, day_of, num, yes
from openpyxl import load_workbook

from yonggong import changes, match, outbound, pipeline, products

CITY = "南昌"
E1, E2, E3, E4, E5 = (uscc(i) for i in range(1, 6))
NAME = {E1: "甲企业", E2: "乙企业", E3: "丙企业", E4: "丁企业", E5: "戊企业"}
COUNTY = {E1: "东湖区", E2: "东湖区", E3: "西湖区", E4: "西湖区", E5: "西湖区"}


def _a(code, status="在册", reason=None):
    return [code, NAME[code], COUNTY[code], "医用物资生产", status, reason, "张专员", "13800000000"]


def _b(code, day, shortage, kind=None, problem=None, solved=None):
    return [code, NAME[code], day, 100, 80, shortage, "是", 90, kind, problem, solved, 0]


# Each folder's CSV files; the comment after a row is its CSV line (the Excel row of a CSV).
DAYS = {
    "2020-02-23": {
        "A": [A_HEADER, _a(E1), _a(E2), _a(E3), _a(E4)],
        "B": [B_HEADER,
              _b(E1, "2020-02-23", 10, "防疫物资", "口罩不足", "否"),  # line 2
              _b(E2, "2020-02-23", 20),
              _b(E3, "2020-02-23", 5, "缺工", "招工难", "否"),
              _b(E4, "2020-02-23", 8)],
    },
    "2020-02-24": {  # a new list: E4 调出, E5 纳入
        "A": [A_HEADER, _a(E1), _a(E2), _a(E3),
              _a(E4, "调出", "生产任务完成"),  # line 5
              _a(E5, "在册", "新认定")],  # line 6
        "B": [B_HEADER,
              _b(E1, "2020-02-24", 4, "防疫物资", "口罩不足", "否"),  # line 2: 10 → 4
              _b(E2, "2020-02-24", 20),  # line 3: unchanged
              _b(E3, "2020-02-24", 9, "缺工", "招工难", "是"),  # line 4: 5 → 9, problem solved
              _b(E5, "2020-02-24", 30, "原材料", "原料短缺", "否")],  # line 5: new, with a problem
        "D": [D_HEADER,
              ["2020-02-24", E1, "本地招聘", 6],  # line 2: the day's own placement
              ["2020-02-23", E2, "组织返岗", 3],  # line 3: 补报
              ["2020-02-25", E1, "本地招聘", 2],  # line 4: future-dated (错误), no 补报
              ["2020-02-23", E5, "本地招聘", 4],  # line 5: E5 not listed on 02-23 (错误), no 补报
              ["2020-02-23", E4, "学生实习", 1]],  # line 6: 补报 at E4 (listed on 02-23, 调出 since)
    },
    "2020-02-25": {
        "B": [B_HEADER,
              _b(E1, "2020-02-25", 4),  # line 2: problem no longer written
              _b(E3, "2020-02-25", 9),  # line 3 (E2 not reported: 沿用 02-24, 20)
              _b(E5, "2020-02-25", 25, "原材料", "原料短缺", "否")],  # line 4: 30 → 25
    },
    "2020-02-26": {  # E5 sends no row from now on: 沿用 its 02-25 row (25, problem open) to 02-28
        "B": [B_HEADER,
              _b(E1, "2020-02-26", 4),
              _b(E2, "2020-02-25", 15),  # line 3: a row for 02-25 sent on 02-26 → 沿用 02-25, 20 → 15
              _b(E3, "2020-02-26", 9)],
    },
    "2020-02-27": {  # nothing changes
        "B": [B_HEADER, _b(E1, "2020-02-27", 4), _b(E2, "2020-02-27", 15), _b(E3, "2020-02-27", 9)],
    },
    "2020-02-29": {  # no folder on 02-28: compared with 02-27; E5 未报送 (its problem is not 解决)
        "B": [B_HEADER, _b(E1, "2020-02-29", 3), _b(E2, "2020-02-29", 15), _b(E3, "2020-02-29", 9)],  # line 2: 4 → 3
    },
    "2020-03-01": {  # E5 reports again, its problem open: 新增问题 against 未报送
        "B": [B_HEADER, _b(E1, "2020-03-01", 3), _b(E2, "2020-03-01", 15), _b(E3, "2020-03-01", 9),
              _b(E5, "2020-03-01", 25, "原材料", "原料短缺", "否")],  # line 5
    },
}


@pytest.fixture(scope="module")
def small(tmp_path_factory) -> dict[str, pipeline.CityDay]:
    root = tmp_path_factory.mktemp("inbox")
    for day, tables in DAYS.items():
        write_day_csv(root, CITY, day, tables)
    return {day: pipeline.load(root, CITY, day) for day in DAYS}


def _lines(df: pd.DataFrame) -> list[tuple]:
    """The lines as plain tuples (blank cells as None) in sheet order."""
    return [tuple(None if pd.isna(v) else v for v in row) for row in df.itertuples(index=False, name=None)]


def src(day: str, table: str, line: int) -> tuple:
    """来源文件, 来源工作表 (none in a CSV file) and 来源行 of a line of the fixture's CSV files."""
    return (f"{CITY}/{day}/{table}.csv", "", line)


def line(cat, code, before, now, change, note, source) -> tuple:
    return (cat, COUNTY[code], NAME[code], code, before, now, change, note, *source)


def test_columns_are_the_sheet_s(small):
    df = changes.changes(small["2020-02-24"])
    assert list(df.columns) == ["类别", "县区", "企业名称", "统一社会信用代码", "昨日", "今日", "变化", "说明",
                                "来源文件", "来源工作表", "来源行"]


def test_first_day_has_nothing_to_compare(small):
    df = changes.changes(small["2020-02-23"])
    assert _lines(df) == [("无可比", None, None, None, None, None, None,
                           "无上一报送日可比（首个报送日或近7日无报送）", None, None, None)]
    name, title, frame = changes.sheet(small["2020-02-23"])
    assert (name, title) == ("变化", "南昌市较上日变化（2020-02-23）")


def test_list_shortage_problems_and_late_placements(small):
    """02-24 against 02-23: E5 纳入 (A line 6), E4 调出 (A line 5); 缺工 E1 10 → 4 (−6), E3 5 → 9 (+4),
    E2 20 → 20 not listed; E5 opens a problem (newly listed), E3's is solved, E1's stays open;
    补报: D line 3 (E2, 3 people, 02-23) and line 6 (E4, 1, 02-23, at 西湖区 where E4 was)."""
    d = "2020-02-24"
    assert _lines(changes.changes(small[d])) == [
        line("进入清单", E5, None, None, None, "纳入清单：新认定", src(d, "A", 6)),
        line("移出清单", E4, None, None, None, "调出清单：生产任务完成", src(d, "A", 5)),
        line("缺工变化", E1, 10, 4, -6, "缺工人数减少6人", src(d, "B", 2)),
        line("缺工变化", E3, 5, 9, 4, "缺工人数增加4人", src(d, "B", 4)),
        line("新增问题", E5, None, None, None, "原材料：原料短缺", src(d, "B", 5)),
        line("问题解决", E3, None, None, None, "已解决：招工难", src(d, "B", 4)),
        line("补报更正", E2, None, None, 3, "补报2月23日用工解决3人（组织返岗）", src(d, "D", 3)),
        line("补报更正", E4, None, None, 1, "补报2月23日用工解决1人（学生实习）", src(d, "D", 6)),
    ]
    assert changes.sheet(small[d])[1] == "南昌市较上日变化（2020-02-24，对比2020-02-23）"


def test_late_placements_are_the_notices_of_the_quality_report(small):
    """The 补报 lines are the 提示 lines (placement_late) of the day's 数据质量报告, file and row."""
    cd = small["2020-02-24"]
    f = cd.faults
    notices = sorted((r.file, int(r.row)) for r in f[f["rule"] == "placement_late"].itertuples())
    df = changes.changes(cd)
    late = df[df["类别"] == "补报更正"]
    assert sorted(zip(late["来源文件"], late["来源行"].astype(int), strict=True)) == notices == [
        (f"{CITY}/2020-02-24/D.csv", 3), (f"{CITY}/2020-02-24/D.csv", 6)]


def test_top_n_keeps_the_largest_change(small, monkeypatch):
    """With top_shortage 1 only E1 (−6) is listed, not E3 (+4)."""
    cfg = dict(changes.config(), top_shortage=1)
    monkeypatch.setattr(changes, "config", lambda: cfg)
    df = changes.changes(small["2020-02-24"])
    assert list(df.loc[df["类别"] == "缺工变化", "统一社会信用代码"]) == [E1]


def test_a_problem_no_longer_written_is_closed_and_a_carried_row_is_not_a_change(small):
    """02-25: E5 30 → 25; E1 writes no problem any more; E2 沿用 its 02-24 row (20 both days)."""
    d = "2020-02-25"
    assert _lines(changes.changes(small[d])) == [
        line("缺工变化", E5, 30, 25, -5, "缺工人数减少5人", src(d, "B", 4)),
        line("问题解决", E1, None, None, None, "未再填报：口罩不足", src(d, "B", 2)),
    ]


def test_a_carried_row_that_changed_says_where_it_comes_from(small):
    """02-26: E2's row dated 02-25 came in the 02-26 folder: 沿用 02-25 (15) against 02-25's ledger
    (沿用 02-24, 20); its source is the 02-26 file."""
    d = "2020-02-26"
    assert _lines(changes.changes(small[d])) == [
        line("缺工变化", E2, 20, 15, -5, "缺工人数减少5人（沿用2月25日台账）", src(d, "B", 3)),
    ]


def test_nothing_changed_is_said(small):
    assert _lines(changes.changes(small["2020-02-27"])) == [
        ("无变化", None, None, None, None, None, None, "清单、缺工人数、问题困难与2月26日相同，无补报", None, None, None)]


def test_a_gap_compares_with_the_previous_report_day(small):
    """No folder on 02-28: 02-29 is compared with 02-27 (E1 4 → 3)."""
    d = "2020-02-29"
    assert changes.previous_day(small[d]) == dt.date(2020, 2, 27)
    assert changes.sheet(small[d])[1] == "南昌市较上日变化（2020-02-29，对比2020-02-27）"
    assert _lines(changes.changes(small[d])) == [line("缺工变化", E1, 4, 3, -1, "缺工人数减少1人", src(d, "B", 2))]


def test_a_problem_reported_again_after_a_gap_is_new(small):
    """03-01: E5 was 未报送 on 02-29, now reports its problem: 新增问题, saying so; no 缺工变化."""
    d = "2020-03-01"
    assert _lines(changes.changes(small[d])) == [
        line("新增问题", E5, None, None, None, "原材料：原料短缺（上一报送日未报送）", src(d, "B", 5))]


def test_ledger_of_rebuilds_the_day_s_ledger(small):
    """pipeline.ledger_of gives the run's own ledger for the day, and for the previous day the
    one behind its 缺工人数 in the trend (what 较上日 compares with)."""
    cd = small["2020-02-25"]
    pd.testing.assert_frame_equal(pipeline.ledger_of(cd.history, cd.day)[0], cd.ledger)
    before, sources = pipeline.ledger_of(cd.history, dt.date(2020, 2, 24))
    assert before.set_index("统一社会信用代码")["缺工人数"].to_dict() == {E1: 4, E2: 20, E3: 9, E5: 30}
    assert cd.trend.loc[dt.date(2020, 2, 24), "缺工人数"] == 4 + 20 + 9 + 30
    assert sources.loc[E5, "_row"] == 5 and sources.loc[E5, "_file"] == f"{CITY}/2020-02-24/B.csv"


# --------------------------------------------------------------------------- the sample


def _sheet_rows(path: Path, code: str) -> list[tuple[str, int, dict]]:
    """Rows of table ``code`` in a workbook as (sheet, Excel row, {column: value}), read with
    openpyxl and tests/independent.py's header matching."""
    out = []
    wb = load_workbook(path, data_only=True)
    for ws in wb.worksheets:
        rows = [list(r) for r in ws.iter_rows(min_row=1, values_only=True)]
        found = classify(rows)
        if not found or found[1] != code:
            continue
        _, _, start, _, cols = found
        for i in range(start, len(rows)):
            r = rows[i]
            if all(v in (None, "") for v in r) or any(isinstance(v, str) and v.strip() == "合计" for v in r):
                continue
            out.append((ws.title, i + 1, {name: (r[j] if j < len(r) else None) for j, name in cols.items()}))
    return out


def _folder(sample: Path, day: str) -> Path:
    return sample / CITY / day


def _in_force(sample: Path, day: dt.date) -> set[str]:
    """The enterprises of the newest list (table A) in the folders up to the day, less those 调出."""
    lists = {}
    for folder in sorted((sample / CITY).iterdir()):
        if dt.date.fromisoformat(folder.name) <= day:
            for path in sorted(folder.glob("*.xlsx")):
                codes = _list_codes(path)
                if codes:
                    lists[folder.name] = codes
    newest = lists[max(lists)]
    return {c for c, (status, _) in newest.items() if status != "调出"}


def _ledger_rows(sample: Path, day: dt.date) -> dict[str, tuple[int, bool, str, int]]:
    """Per enterprise on the list in force, its newest 台账 row dated within [day − 3, day] from
    the folders up to the day: (缺工人数, open problem, file, Excel row) — the sample's 南昌 has no
    duplicate rows."""
    best: dict[str, tuple] = {}
    listed = _in_force(sample, day)
    for folder in sorted((sample / CITY).iterdir()):
        if dt.date.fromisoformat(folder.name) > day:
            continue
        for path in sorted(folder.glob("*.xlsx")):
            for _, row, r in _sheet_rows(path, "B"):
                when = day_of(r.get("填报日期"), 2020)
                if when is None or not (day - dt.timedelta(days=3) <= when <= day):
                    continue
                code = code_of(r["统一社会信用代码"])
                if code not in listed:
                    continue
                problem = str(r.get("问题困难") or "").strip() not in ("", "无", "-", "—")
                item = (when, int(num(r["缺工人数"])), problem and not yes(r.get("问题是否解决")),
                        f"{CITY}/{folder.name}/{path.name}", row)
                if code not in best or best[code][0] <= when:
                    best[code] = item
    return {c: v[1:] for c, v in best.items()}


def _list_codes(path: Path) -> dict[str, tuple[str, int]]:
    return {code_of(r["统一社会信用代码"]): (str(r.get("状态") or ""), row) for _, row, r in _sheet_rows(path, "A")}


@pytest.fixture(scope="module")
def sample_days(sample_inbox) -> dict[str, pipeline.CityDay]:
    return {d: pipeline.load(sample_inbox, CITY, d) for d in ("2020-02-26", "2020-02-27")}


def test_sample_list_update_of_nanchang(sample_inbox, sample_days):
    """南昌 02-26: the updated list names one enterprise the 02-23 list did not (纳入) and marks one 调出."""
    new = _list_codes(_folder(sample_inbox, "2020-02-26") / "南昌市重点企业清单（2月26日更新）.xlsx")
    old = _list_codes(_folder(sample_inbox, "2020-02-23") / "南昌市重点企业清单.xlsx")
    entered = {c: row for c, (status, row) in new.items() if c not in old and status != "调出"}
    left = {c: row for c, (status, row) in new.items() if status == "调出"}
    assert len(entered) == 1 and len(left) == 1
    df = changes.changes(sample_days["2020-02-26"])
    file = f"{CITY}/2020-02-26/南昌市重点企业清单（2月26日更新）.xlsx"
    for cat, want in (("进入清单", entered), ("移出清单", left)):
        got = df[df["类别"] == cat]
        assert {c: int(r) for c, r in zip(got["统一社会信用代码"], got["来源行"], strict=True)} == want
        assert set(got["来源文件"]) == {file}


@pytest.mark.parametrize("day", ["2020-02-26", "2020-02-27"])
def test_sample_shortage_and_problems_against_the_raw_files(sample_inbox, sample_days, day):
    """缺工变化 and 新增问题 / 问题解决 from the raw 台账 rows of the two days: the ten largest
    changes (ties at the tenth may be cut either way), each with the row it comes from."""
    d = dt.date.fromisoformat(day)
    now, before = _ledger_rows(sample_inbox, d), _ledger_rows(sample_inbox, d - dt.timedelta(days=1))
    df = changes.changes(sample_days[day])
    moved = {c: (before[c][0], now[c][0]) for c in now.keys() & before.keys() if now[c][0] != before[c][0]}
    got = df[df["类别"] == "缺工变化"]
    assert len(got) == min(10, len(moved))
    for r in got.itertuples():
        code = r.统一社会信用代码
        assert (r.昨日, r.今日, r.变化) == (*moved[code], moved[code][1] - moved[code][0])
        assert (r.来源文件, r.来源行) == now[code][2:]
    tenth = sorted((abs(b - a) for a, b in moved.values()), reverse=True)[len(got) - 1]
    must = {c for c, (a, b) in moved.items() if abs(b - a) > tenth}
    assert must <= set(got["统一社会信用代码"]) and set(got["变化"].abs()) >= {tenth}

    opened = {c for c in now if now[c][1] and not (c in before and before[c][1])}
    closed = {c for c in before if before[c][1] and c in now and not now[c][1]}
    assert set(df.loc[df["类别"] == "新增问题", "统一社会信用代码"]) == opened
    assert set(df.loc[df["类别"] == "问题解决", "统一社会信用代码"]) == closed
    assert opened | closed, "the sample day should show a problem opened or closed"


def test_sample_has_no_late_placement(sample_inbox, sample_days):
    """Every 用工解决 row of 南昌's 02-26 folder is dated 02-26 (read from the file): no 补报 line."""
    rows = [r for path in sorted(_folder(sample_inbox, "2020-02-26").glob("*.xlsx"))
            for _, _, r in _sheet_rows(path, "D")]
    assert rows and {day_of(r["日期"], 2020) for r in rows} == {dt.date(2020, 2, 26)}
    assert "补报更正" not in set(changes.changes(sample_days["2020-02-26"])["类别"])


def test_working_file_has_the_sheet_second(tmp_path, sample_days):
    """变化 is the second sheet, the others keep their order; the file is the same on a rerun."""
    cd = sample_days["2020-02-26"]
    reg = outbound.city_registrations(cd)
    extra = outbound.working_sheets(cd, reg, outbound.plan_trips(reg, cd.day))
    acts = match.city_day(cd)
    paths = [products.write_working(cd, acts, tmp_path / f"{i}.xlsx", extra) for i in (1, 2)]
    assert paths[0].read_bytes() == paths[1].read_bytes()
    wb = load_workbook(paths[0])
    others = [*products.detail_sheets(cd), *match.public_sheets(acts), *extra]
    assert wb.sheetnames == [others[0], "变化", *others[1:]]
    ws = wb["变化"]
    assert ws["A1"].value == "南昌市较上日变化（2020-02-26，对比2020-02-25）"
    assert [c.value for c in ws[2]] == list(changes.COLUMNS)
    first = [c.value for c in ws[3]]
    assert first[0] == "进入清单" and first[-1] == 59 and isinstance(first[-1], int)
