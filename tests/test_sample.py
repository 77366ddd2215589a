"""Tests of the synthetic sample inbox (yonggong.sample).

The inbox is generated once per module. Files are read back with openpyxl / csv and a small
header check written here, independent of the package's own readers: a sheet is table X when
its header (one row, or two merged rows) carries X's required columns or their aliases.
"""

from __future__ import annotations

import csv
import io
import json
import re
import unicodedata
from collections import Counter, defaultdict
from datetime import date, datetime, timedelta
from pathlib import Path

import openpyxl
import pytest
from conftest import SAMPLE

from yonggong import codes
from yonggong.reference import cities, settings, table_specs
from yonggong.synth import sample_mtimes
from yonggong.synth.sample import generate

TABLES = "ABCDEFGHIJKLMOP"
EXPORTERS = {"赣州", "上饶", "吉安", "宜春"}  # 劳务输出 (tables O and P): the cities that send workers out
FAULT_KINDS = {
    "fault:duplicate_row", "fault:conflict_superseded", "fault:conflict_winner", "fault:uscc_check",
    "fault:uscc_lowercase", "fault:on_duty_exceeds_total", "fault:negative_shortage", "fault:rate_above_100",
    "fault:not_on_list", "fault:missing_adjust_reason", "fault:vacancy_sum_mismatch", "fault:idno_check",
    "fault:idno_15digit", "fault:total_mismatch",
}
FORM_KINDS = {
    "form:number_unit", "form:fullwidth_digits", "form:thousands_sep", "form:chinese_numeral", "form:wan",
    "form:date_slash", "form:date_dot", "form:date_cjk", "form:date_month_day", "form:date_serial",
    "form:bool_youwu", "form:bool_yn", "form:bool_check", "form:missing_marker", "form:county_former_name",
    "form:county_padded", "form:total_row", "form:csv_gb18030", "form:csv_utf8_bom", "form:split_by_county",
}


# --------------------------------------------------------------------------- reading back


def _norm(text: object) -> str:
    return "".join(unicodedata.normalize("NFKC", str(text)).split())


def _alias_maps() -> dict[str, dict[str, str]]:
    maps = {}
    for code, spec in table_specs().items():
        maps[code] = {_norm(a): c.name for c in spec.columns for a in (c.name, *c.aliases)}
    return maps


ALIASES = _alias_maps()


def _canonical(label: object, table: str) -> str | None:
    text = _norm(label)
    if text in ALIASES[table]:
        return ALIASES[table][text]
    return ALIASES[table].get(re.sub(r"\([^()]*\)$", "", text))


def _read(path: Path) -> list[tuple[str, list[list]]]:
    """(sheet name, rows of cell values) for every sheet; a CSV is one sheet named ""."""
    if path.suffix == ".csv":
        raw = path.read_bytes()
        text = raw.decode("utf-8-sig") if raw.startswith(b"\xef\xbb\xbf") else None
        for enc in ("utf-8", "gb18030"):
            if text is None:
                try:
                    text = raw.decode(enc)
                except UnicodeDecodeError:
                    continue
        rows = list(csv.reader(io.StringIO(text, newline="")))
        return [("", [[c if c != "" else None for c in r] for r in rows])]
    wb = openpyxl.load_workbook(path)
    return [(ws.title, [list(r) for r in ws.iter_rows(values_only=True)]) for ws in wb.worksheets]


def _classify(rows: list[list]) -> tuple[set[str], int, dict[int, str], dict[int, object]]:
    """Tables matched, first data row (1-based), column index -> canonical name / label."""
    for r in range(min(6, len(rows))):
        for two in (False, True):
            if two and r + 1 >= len(rows):
                continue
            labels = rows[r] if not two else [b if b is not None else a for a, b in zip(rows[r], rows[r + 1], strict=True)]
            hits = set()
            for table in TABLES:
                names = {_canonical(v, table) for v in labels if v is not None}
                if set(table_specs()[table].required) <= names:
                    hits.add(table)
            if hits:
                table = sorted(hits)[0]
                cols = {i: _canonical(v, table) for i, v in enumerate(labels) if v is not None}
                return hits, r + (3 if two else 2), cols, dict(enumerate(labels))
    return set(), 0, {}, {}


def _int(value: object) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lstrip("-").isdigit():
        return int(value)
    return None


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def inbox(tmp_path_factory) -> tuple[Path, dict]:
    """The sample generated into a folder that already holds a stale day folder of ours and a
    file of someone else's (test_deterministic_and_rerun_cleans)."""
    out = tmp_path_factory.mktemp("inbox")
    stale = out / "南昌" / "2020-01-01" / "old.xlsx"
    stale.parent.mkdir(parents=True)
    stale.write_bytes(b"old")
    (out / "notes.txt").write_text("not ours", encoding="utf-8")
    summary = generate(out)
    assert not stale.exists()
    assert (out / "notes.txt").read_text(encoding="utf-8") == "not ours"
    (out / "notes.txt").unlink()
    return out, summary


@pytest.fixture(scope="module")
def planted(inbox) -> list[dict]:
    return json.loads((inbox[0] / "planted.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def sheets(inbox) -> list[dict]:
    """Every sheet of the inbox: city, date, file, sheet, tables matched, rows by canonical column."""
    out = []
    for path in sorted(inbox[0].glob("*/*/*")):
        for name, rows in _read(path):
            hits, first, cols, labels = _classify(rows)
            data = []
            for n, values in enumerate(rows[first - 1:], first):
                data.append((n, {cols[i]: v for i, v in enumerate(values) if i in cols and cols[i]}))
            out.append({"city": path.parent.parent.name, "date": path.parent.name, "file": path.name,
                        "path": path, "sheet": name, "tables": hits, "first": first, "rows": data,
                        "labels": labels, "raw": rows})
    return out


@pytest.fixture(scope="module")
def planted_cells(planted) -> set[tuple]:
    return {(p["city"], p["date"], p["file"], p["sheet"], p["excel_row"]) for p in planted if p["excel_row"]}


def _table_rows(sheets, planted_cells, table, skip_planted=True):
    """(city, date, canonical row) of every data row of ``table``, without 合计 rows."""
    for s in sheets:
        if s["tables"] != {table}:
            continue
        for n, row in s["rows"]:
            if skip_planted and (s["city"], s["date"], s["file"], s["sheet"], n) in planted_cells:
                continue
            if any(str(v).strip() in ("合计", "总计", "小计") for v in row.values() if v is not None):
                continue
            yield s["city"], s["date"], row


# --------------------------------------------------------------------------- tests


def test_layout_every_city_and_day(inbox):
    out, summary = inbox
    cfg = settings()["sample"]
    first, last = date.fromisoformat(str(cfg["first_day"])), date.fromisoformat(str(cfg["last_day"]))
    days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
    for city in cities():
        for day in days:
            folder = out / city.name / day.isoformat()
            files = list(folder.iterdir())
            assert files and all(f.suffix in (".xlsx", ".csv") for f in files), folder
    assert sorted(p.name for p in out.iterdir()) == sorted([c.name for c in cities()] + ["planted.json"])
    assert summary["files"] == len(list(out.glob("*/*/*")))


def test_deterministic_and_rerun_cleans(inbox):
    """Generated again (over a stale folder, see ``inbox``), the sample is byte for byte and time
    for time the bundled one (whose times the session fixture restored): the generator is
    deterministic and the committed sample is what it gives. The province's inbox and the
    recorded times are written by other commands (sample_province, sample_mtimes)."""
    out, _ = inbox
    others = {"province", sample_mtimes.FILE}
    ours = sorted(p.relative_to(out) for p in out.rglob("*") if p.is_file())
    bundled = sorted(p.relative_to(SAMPLE) for p in SAMPLE.rglob("*") if p.is_file() and
                     p.relative_to(SAMPLE).parts[0] not in others)
    assert ours == bundled
    for rel in ours:
        assert (out / rel).read_bytes() == (SAMPLE / rel).read_bytes(), rel
        assert (out / rel).stat().st_mtime == (SAMPLE / rel).stat().st_mtime, rel


def test_other_seed_differs(inbox, tmp_path):
    generate(tmp_path, seed=7)
    listed = Path("南昌") / str(settings()["sample"]["first_day"]) / "南昌市重点企业清单.xlsx"
    assert (tmp_path / listed).read_bytes() != (inbox[0] / listed).read_bytes()
    kinds = {p["kind"] for p in json.loads((tmp_path / "planted.json").read_text(encoding="utf-8"))}
    assert FAULT_KINDS <= kinds


def test_size_under_8_mb(inbox):
    files = [p for p in inbox[0].rglob("*") if p.is_file()]
    assert sum(p.stat().st_size for p in files) < 8 * 1024 * 1024
    assert sum(p.stat().st_blocks * 512 for p in files) < 8 * 1024 * 1024


def test_every_sheet_is_exactly_one_table(sheets):
    bad = [(s["city"], s["date"], s["file"], s["sheet"], sorted(s["tables"])) for s in sheets if len(s["tables"]) != 1]
    assert not bad


def test_every_table_for_every_city(sheets):
    seen = defaultdict(set)
    for s in sheets:
        seen[s["city"]] |= s["tables"]
    for city in cities():
        assert seen[city.name] == set(TABLES) - (set() if city.name in EXPORTERS else {"O", "P"}), city.name


def test_headers_use_aliases_units_titles_and_two_rows(sheets):
    labels = {str(v) for s in sheets for v in s["labels"].values() if v is not None}
    assert {"信用代码", "职工总数", "缺工人数（人）"} <= labels
    assert any(s["first"] >= 4 for s in sheets)  # title rows above the header
    assert any("员工情况" in [v for v in s["raw"][s["first"] - 3]] for s in sheets if s["first"] >= 3)


def test_ledger_and_list_every_day(sheets):
    by_day = defaultdict(set)
    for s in sheets:
        by_day[(s["city"], s["date"])] |= s["tables"]
    assert all("B" in t and "D" in t for t in by_day.values())
    first = str(settings()["sample"]["first_day"])
    assert all("A" in by_day[(c.name, first)] and "L" in by_day[(c.name, first)] for c in cities())


def test_list_credit_codes_valid_except_planted(sheets, planted_cells):
    count = 0
    for city, day, row in _table_rows(sheets, planted_cells, "A"):
        assert codes.check_uscc(row["统一社会信用代码"]).valid, (city, day, row)
        assert row["统一社会信用代码"].startswith("91")
        count += 1
    assert count > 500


def test_list_sizes(sheets):
    first = str(settings()["sample"]["first_day"])
    size = Counter()
    for s in sheets:
        if s["tables"] == {"A"} and s["date"] == first:
            size[s["city"]] += len(s["rows"])
    assert 45 <= size["南昌"] <= 62
    assert 14 <= size["新余"] <= 25 and 14 <= size["鹰潭"] <= 25


def test_shortages_fall_and_staff_return(sheets, planted_cells):
    short, duty, resumed = defaultdict(int), defaultdict(int), defaultdict(Counter)
    for city, day, row in _table_rows(sheets, planted_cells, "B"):
        short[(city, day)] += _int(row["缺工人数"]) or 0
        duty[(city, day)] += _int(row["在岗人数"]) or 0
        resumed[(city, day)][row.get("是否复工")] += 1
        staff, on_duty = _int(row["员工总数"]), _int(row["在岗人数"])
        if staff is not None and on_duty is not None:
            assert on_duty <= staff
    first, last = str(settings()["sample"]["first_day"]), str(settings()["sample"]["last_day"])
    for city in cities():
        assert 100 <= short[(city.name, first)] <= 8000, city.name
        assert short[(city.name, last)] < short[(city.name, first)], city.name
        assert duty[(city.name, last)] > duty[(city.name, first)], city.name
        done = resumed[(city.name, last)]
        assert done["是"] >= 0.85 * sum(done.values()), city.name


def test_ledger_follows_placements(sheets, planted_cells, planted):
    """shortage(D) = shortage(D-1) - placements(D) + new demand (never negative)."""
    outbound = {(s["city"], s["date"], s["file"], s["sheet"]) for s in sheets if s["tables"] & {"O", "P"}}
    touched = {(p["city"], p["date"]) for p in planted  # days with mess, except in the 劳务输出 and 组团返岗 files
               if p["excel_row"] and (p["city"], p["date"], p["file"], p["sheet"]) not in outbound
               and p["kind"] != "form:organised_return"}
    short = {}
    for city, day, row in _table_rows(sheets, planted_cells, "B"):
        short[(city, day, row["统一社会信用代码"])] = _int(row["缺工人数"])
    placed = Counter()
    for city, day, row in _table_rows(sheets, planted_cells, "D"):
        assert _day(row["日期"]) == day
        placed[(city, day, row["统一社会信用代码"])] += _int(row["人数"])
    checked = exact = 0
    for (city, day, code), value in short.items():
        before = (city, (date.fromisoformat(day) - timedelta(days=1)).isoformat(), code)
        if before not in short or (city, day) in touched or (city, before[1]) in touched:
            continue
        demand = value - (short[before] - placed[(city, day, code)])
        assert demand >= 0, (city, day, code)
        checked += 1
        exact += demand == 0
    assert checked > 1000 and exact > 0.85 * checked


def _day(value: object) -> str:
    return value.date().isoformat() if isinstance(value, datetime) else str(value)


def test_vacancies_add_up_to_shortage(sheets, planted_cells, planted):
    touched = {(p["city"], p["date"]) for p in planted if p["excel_row"]}
    shortage = {(c, d, r["统一社会信用代码"]): _int(r["缺工人数"]) for c, d, r in _table_rows(sheets, planted_cells, "B")}
    total, category = Counter(), Counter()
    for city, day, row in _table_rows(sheets, planted_cells, "C"):
        total[(city, day, row["统一社会信用代码"])] += _int(row["缺工人数"])
        category[row["岗位类别"]] += _int(row["缺工人数"])
    assert total
    for key, value in total.items():
        if key[:2] not in touched:
            assert shortage[key] == value, key
    share = {k: v / sum(category.values()) for k, v in category.items()}
    assert 0.62 <= share["普工"] <= 0.85 and 0.08 <= share["技工"] <= 0.25
    assert 0.03 <= share["管理及专业技术"] <= 0.14 and 0.01 <= share["其他"] <= 0.08


def test_channel_mix(sheets, planted_cells):
    mix = Counter()
    for _, _, row in _table_rows(sheets, planted_cells, "D"):
        mix[row["解决渠道"]] += _int(row["人数"])
    total = sum(mix.values())
    assert 0.56 <= (mix["本地招聘"] + mix["跨区域招聘"]) / total <= 0.72
    assert 0.21 <= mix["组织返岗"] / total <= 0.33
    assert 0.03 <= mix["余缺调剂"] / total <= 0.12


def test_people_have_valid_ids(sheets, planted_cells):
    count = 0
    for table in "FM":
        for city, day, row in _table_rows(sheets, planted_cells, table):
            check = codes.check_idno(row["身份证号"])
            assert check.valid and not check.old_form, (city, day, row["身份证号"])
            assert re.fullmatch(r"1[3-9]\d{9}", str(row["手机号"]))
            count += 1
    assert count > 1000


def test_planted_kinds(planted):
    kinds = {p["kind"] for p in planted}
    assert FAULT_KINDS <= kinds
    assert FORM_KINDS <= kinds
    assert all(k.startswith(("form:", "fault:")) for k in kinds)
    assert sum(p["kind"].startswith("fault:") for p in planted) < 40  # sparse


def test_planted_cells_hold_recorded_values(planted, inbox):
    cache = {}
    for p in planted:
        path = inbox[0] / p["city"] / p["date"] / p["file"]
        assert path.is_file(), p
        if p["excel_row"] is None:
            continue
        if path not in cache:
            cache[path] = dict(_read(path))
        rows = cache[path][p["sheet"]]
        _, first, _, labels = _classify(rows)
        assert p["excel_row"] >= first, p
        column = [i for i, v in labels.items() if v == p["column"]]
        assert len(column) == 1, p
        value = rows[p["excel_row"] - 1][column[0]]
        expected = p["value"] if path.suffix != ".csv" or p["value"] is None else str(p["value"])
        assert value == expected, (p, value)


def test_planted_faults_are_faulty(planted):
    for p in planted:
        kind, value = p["kind"], p["value"]
        if kind == "fault:uscc_check":
            assert not codes.check_uscc(value).valid
        elif kind == "fault:uscc_lowercase":
            assert value != value.upper() and codes.check_uscc(value).valid
        elif kind == "fault:idno_check":
            assert not codes.check_idno(value).valid
        elif kind == "fault:idno_15digit":
            assert len(value) == 15 and codes.check_idno(value).old_form
        elif kind == "fault:negative_shortage":
            assert _int(value) < 0
        elif kind == "fault:rate_above_100":
            assert _int(value) > 100
        elif kind == "fault:missing_adjust_reason":
            assert value is None
        elif kind == "form:county_padded":
            assert value == "赣　县"
        elif kind == "form:county_former_name":  # a former name the contract maps to one county today
            with (Path(__file__).resolve().parent.parent / "params" / "county_aliases.csv").open(encoding="utf-8") as fh:
                assert value in {r["alias"] for r in csv.DictReader(fh) if r["code"]}, p


def test_demo_day_is_readable(planted):
    last = str(settings()["sample"]["last_day"])
    demo = [p for p in planted if p["city"] == "南昌" and p["date"] == last]
    assert len(demo) <= 4 and all(p["kind"].startswith("form:") for p in demo)


def _sheet_of(sheets, entry) -> dict:
    return next(s for s in sheets if (s["city"], s["date"], s["file"], s["sheet"]) ==
                (entry["city"], entry["date"], entry["file"], entry["sheet"]))


def test_planted_rows_relate_to_their_sheet(sheets, planted, inbox):
    listed = defaultdict(set)
    for city, _, row in _table_rows(sheets, set(), "A", skip_planted=False):
        listed[city].add(str(row["统一社会信用代码"]).upper())
    for p in planted:
        if p["excel_row"] is None:
            continue
        sheet = _sheet_of(sheets, p)
        rows = dict(sheet["rows"])
        row = rows[p["excel_row"]]
        above = [r for n, r in sheet["rows"] if n < p["excel_row"]]
        if p["kind"] in ("form:total_row", "fault:total_mismatch"):
            sums = {c: sum(_int(r[c]) for r in above) for c in ("员工总数", "在岗人数", "缺工人数")}
            match = all(_int(row[c]) == v for c, v in sums.items())
            assert match == (p["kind"] == "form:total_row"), p
        elif p["kind"] == "fault:duplicate_row":
            assert row in above
        elif p["kind"] == "fault:not_on_list":
            assert p["value"] not in listed[p["city"]]
        elif p["kind"] == "fault:on_duty_exceeds_total":
            assert _int(row["在岗人数"]) > _int(row["员工总数"])
    old = [p for p in planted if p["kind"] == "fault:conflict_superseded"]
    new = [p for p in planted if p["kind"] == "fault:conflict_winner"]
    assert len(old) == len(new) == 1
    older, newer = (inbox[0] / p["city"] / p["date"] / p["file"] for p in (old[0], new[0]))
    assert older.stat().st_mtime < newer.stat().st_mtime and old[0]["value"] != new[0]["value"]
    codes_of = [dict(_sheet_of(sheets, p)["rows"])[p["excel_row"]]["统一社会信用代码"] for p in (old[0], new[0])]
    assert codes_of[0] == codes_of[1]


def test_help_requests_follow_the_report_period(sheets, planted):
    """Table J: folder D lists the requests received in W(D) = (D-1 15:00, D 15:00] with their
    status at D 15:00, and earlier ones closed within W(D) again under the same 编号 as 已办结."""
    cut = datetime.strptime(str(settings()["period_cutoff"]), "%H:%M").time()

    def window(day: str) -> tuple[datetime, datetime]:
        end = datetime.combine(date.fromisoformat(day), cut)
        return end - timedelta(days=1), end

    seen = defaultdict(lambda: defaultdict(list))  # city -> 编号 -> [(folder, row)]
    for city, day, row in _table_rows(sheets, set(), "J", skip_planted=False):
        seen[city][row["编号"]].append((day, row))
    entries = {p["city"]: p for p in planted if p["kind"] == "form:request_status_update"}
    days = sorted({s["date"] for s in sheets})
    totals = Counter()
    for city in cities():
        requests = seen[city.name]
        received = Counter()
        repeated, late, still = {}, 0, 0
        for number, rows in requests.items():
            rows.sort(key=lambda x: x[0])
            first, row0 = rows[0]
            start, end = window(first)
            assert start < row0["受理时间"] <= end, (city.name, number)
            received[first] += 1
            assert len(rows) <= 2 and len({r["受理时间"] for _, r in rows}) == 1, (city.name, number)
            for day, row in rows:
                closed = row.get("办结时间")
                assert (row["状态"] == "已办结") == (closed is not None), (city.name, number, day)
                if closed is not None:
                    assert row["受理时间"] < closed <= window(day)[1], (city.name, number, day)
            if len(rows) == 2:
                (_, before), (day, after) = rows
                assert before["状态"] == "办理中" and after["状态"] == "已办结", (city.name, number)
                assert window(day)[0] < after["办结时间"], (city.name, number)
                repeated[number] = [first, day]
            closed = rows[-1][1].get("办结时间")
            still += closed is None
            late += closed is not None and closed - row0["受理时间"] > timedelta(hours=24)
        assert all(received[d] >= 1 for d in days), (city.name, received)
        want = entries[city.name]["expected"]
        assert (want["received"], want["repeated"], want["closed_after_24h"], want["open_at_end"]) == (
            len(requests), len(repeated), late, still), city.name
        assert want["repeated_ids"] == repeated, city.name
        totals.update(received=len(requests), repeated=len(repeated), late=late, still=still)
    assert 0.1 * totals["received"] <= totals["repeated"] <= 0.35 * totals["received"]
    assert 0 < totals["late"] <= 0.2 * totals["received"] and 0 < totals["still"] <= 0.2 * totals["received"]
