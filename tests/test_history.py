"""The tidy history (issue 9): runs written from the sample inbox for several days and cities
load back as the documented tables, with the same figures as the 汇总表 files; the worked
example notebook executes end to end under papermill."""

from __future__ import annotations

import json
import math
import re
import shutil
import time
from pathlib import Path

import independent as ind
import nbformat
import pandas as pd
import pytest
from conftest import ROOT, SAMPLE
from openpyxl import load_workbook

from yonggong import catalogue, history, history_view, indicators, pipeline, products, province, tidy
from yonggong.errors import UserError
from yonggong.reference import city_counties, resolve_city, settings

CITIES = ["南昌", "九江", "吉安"]  # 九江 and 吉安 have planted faults on these days
DAYS = ["2020-02-25", "2020-02-26", "2020-02-27"]
MISSING = "—"


def _manifest(folder: Path, cd, written: list[Path]) -> None:
    """The keys of run.py's manifest that matter here (a published folder has one)."""
    from yonggong.manifest import file_entry

    data = {"tool": "yonggong", "city": cd.city.name, "city_code": cd.city.code, "date": cd.day.isoformat(),
            "outputs": [file_entry(p, folder) for p in sorted(set(written)) if p.is_file()]}
    (folder / "manifest.json").write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """3 cities x 3 days written as runs publish them, plus folders that are not published city days."""
    out = tmp_path_factory.mktemp("outputs")
    loaded = {}
    for city in CITIES:
        for day in DAYS:
            cd = pipeline.load(SAMPLE, city, day)
            folder = out / day / city
            written = products.write_all(cd, folder)
            written += tidy.write_tidy(cd, folder)  # no-op duplicate once write_all calls it
            _manifest(folder, cd, written)
            loaded[(city, day)] = cd
    # look-alikes that must be skipped: failed run, temporary folder, province, roster,
    # templates, a bench folder, and a city folder without manifest (never published)
    src = out / DAYS[-1] / "九江"
    for fake in (out / DAYS[-1] / "failed" / "九江-20200227T150000-ab12", out / DAYS[-1] / ".tmp-九江-x1y2",
                 out / DAYS[-1] / ".old-九江-deadbeef", out / "bench" / "九江", out / DAYS[-1] / "省"):
        shutil.copytree(src, fake)
    for extra in (out / "roster" / "九江", out / "templates"):
        extra.mkdir(parents=True)
        (extra / "manifest.json").write_text("{}", encoding="utf-8")
    # one published province day (九江 late, 吉安 missing, 萍乡 and 新余 returned) for the notebook's 本周
    pday = province.day.load(DAYS[1], SAMPLE, source="inbox")
    folder = out / DAYS[1] / province.common.config()["folder"]
    province.write.write_all(pday, folder)
    (folder / "manifest.json").write_text(json.dumps({"date": DAYS[1]}), encoding="utf-8")
    unpublished = out / "2020-02-28" / "南昌"
    unpublished.mkdir(parents=True)
    for p in (out / DAYS[-1] / "南昌").glob("*.parquet"):
        shutil.copy(p, unpublished / p.name.replace("20200227", "20200228"))
    return out, loaded


@pytest.fixture(scope="module")
def h(runs):
    out, _ = runs
    start = time.perf_counter()
    loaded = history.load(out)
    print(f"\nhistory.load: {len(loaded.runs)} city days in {time.perf_counter() - start:.3f} s")
    return loaded


def _day(s: str) -> pd.Timestamp:
    return pd.Timestamp(s)


def test_reads_exactly_the_published_city_days(h, runs):
    out, _ = runs
    got = {(d.date().isoformat(), c) for d, c in zip(h.runs["日期"], h.runs["设区市"], strict=True)}
    assert got == {(d, c) for c in CITIES for d in DAYS}
    assert h.days == [pd.Timestamp(d).date() for d in DAYS]
    assert h.cities == ["南昌", "九江", "吉安"]  # GB/T 2260 order
    assert h.missing == []
    assert h.outputs == out
    for kind in history.KINDS:
        frame = getattr(h, kind)
        pairs = set(zip(frame["日期"].dt.date.astype(str), frame["设区市"], strict=True))
        assert pairs <= {(d, c) for c in CITIES for d in DAYS}, kind
    assert "3天" in repr(h) and "3个设区市" in repr(h)


def test_tables_have_the_documented_columns_and_types(h):
    for kind in history.KINDS:
        frame = getattr(h, kind)
        assert list(frame.columns) == history.COLUMNS[kind], kind
        assert len(frame) > 0, kind
        for col in history.COLUMNS[kind]:
            assert col in history.__doc__, f"{kind}.{col} is not documented"
        assert str(frame["日期"].dtype).startswith("datetime64"), kind
    assert h.figures["数值"].dtype == "float64"
    for col in ("员工总数", "在岗人数", "缺工人数"):
        assert str(h.ledger[col].dtype) == "Int64"
    assert str(h.ledger["是否复工"].dtype) == "boolean"
    assert str(h.vacancies["缺工人数"].dtype) == "Int64" and str(h.placements["人数"].dtype) == "Int64"
    assert "专员手机" not in h.ledger.columns


def test_figures_are_the_values_of_the_huizongbiao_files(h, runs):
    out, _ = runs
    _, columns = ind.layout_figures()
    assert columns[0] is None and len(columns) == 35
    compared = dashes = 0
    for city in CITIES:
        labels = [c.name for c in city_counties(resolve_city(city))] + [settings()["city_level_row"],
                                                                         settings()["total_row"]]
        for day in DAYS:
            path = out / day / city / f"重点企业用工调度保障工作信息汇总表_{city}_{day.replace('-', '')}.xlsx"
            ws = load_workbook(path, data_only=True)["汇总表"]
            rows = {r[0]: r for r in ws.iter_rows(values_only=True) if r[0] in labels}
            assert list(rows) == labels, (city, day)
            mine = h.figures[(h.figures["日期"] == _day(day)) & (h.figures["设区市"] == city)]
            assert list(dict.fromkeys(mine["县区"])) == labels
            value = mine.set_index(["县区", "指标"])["数值"]
            for label, cells in rows.items():
                for figure, cell in zip(columns[1:], cells[1:], strict=True):
                    got = value[(label, indicators.label(figure))]
                    if cell == MISSING:
                        assert math.isnan(got), (city, day, label, figure)
                        dashes += 1
                    else:
                        assert got == pytest.approx(float(cell)), (city, day, label, figure)
                    compared += 1
    assert compared == sum(len(city_counties(resolve_city(c))) + 2 for c in CITIES) * len(DAYS) * 34
    assert dashes > 100  # days without C, H, I or J; county cells of city-level figures


def test_figures_equal_the_computed_figures(h, runs):
    _, loaded = runs
    for (city, day), cd in loaded.items():
        mine = h.figures[(h.figures["日期"] == _day(day)) & (h.figures["设区市"] == city)]
        wide = mine.pivot(index="县区", columns="指标", values="数值")
        wide = wide.rename(columns=indicators.key_of).reindex(index=cd.figures.index,
                                                                             columns=cd.figures.columns)
        pd.testing.assert_frame_equal(wide, cd.figures, check_names=False)


def _figure(h, city, day, row, figure) -> float:
    f = h.figures
    return float(f[(f["日期"] == _day(day)) & (f["设区市"] == city) & (f["县区"] == row) & (f["指标"] == indicators.label(figure))]
                 ["数值"].iloc[0])


def test_ledger_rows_and_flags_add_up_to_the_figures(h):
    for city in CITIES:
        counties = [c.name for c in city_counties(resolve_city(city))]
        for day in DAYS:
            led = h.ledger[(h.ledger["日期"] == _day(day)) & (h.ledger["设区市"] == city)]
            assert len(led) == _figure(h, city, day, "合计", "重点企业数")
            assert led["统一社会信用代码"].is_unique
            for county in counties:
                part = led[led["县区"] == county]
                assert len(part) == _figure(h, city, day, county, "重点企业数")
                assert int(part["缺工企业"].sum()) == _figure(h, city, day, county, "缺工企业数")
                assert int(part["未解决问题"].sum()) == _figure(h, city, day, county, "未解决问题数")
                counted = part[part["报送状态"] != "未报送"]
                assert int(counted["缺工人数"].fillna(0).sum()) == _figure(h, city, day, county, "缺工人数")


def test_vacancies_and_placements_add_up_to_the_figures(h):
    classes = ["普工", "技工", "管理及专业技术", "其他"]
    channels = settings()["placement_columns"]
    seen_vacancies = seen_placements = 0
    for city in CITIES:
        rows = [c.name for c in city_counties(resolve_city(city))] + ["合计"]
        for day in DAYS:
            v = h.vacancies[(h.vacancies["日期"] == _day(day)) & (h.vacancies["设区市"] == city)]
            p = h.placements[(h.placements["日期"] == _day(day)) & (h.placements["设区市"] == city)]
            today = p[p["解决日期"] == _day(day)]
            for row in rows:
                vr = v if row == "合计" else v[v["县区"] == row]
                pr = today if row == "合计" else today[today["县区"] == row]
                for cls in classes:
                    want = _figure(h, city, day, row, f"空岗_{cls}")
                    if math.isnan(want):
                        assert v.empty
                        continue
                    assert int(vr.loc[vr["岗位类别"] == cls, "缺工人数"].sum()) == want, (city, day, row, cls)
                    seen_vacancies += 1
                want = _figure(h, city, day, row, "当日解决_合计")
                if math.isnan(want):
                    assert p.empty
                    continue
                assert int(pr["人数"].sum()) == want
                for channel, figure in channels.items():
                    same = [c for c, f in channels.items() if f == figure]
                    got = int(pr.loc[pr["解决渠道"].isin(same), "人数"].sum())
                    assert got == _figure(h, city, day, row, figure), (city, day, row, channel)
                seen_placements += 1
    assert seen_vacancies > 50 and seen_placements > 20


def test_faults_are_the_quality_report_lines_with_their_county(h, runs):
    out, loaded = runs
    total = 0
    for (city, day), cd in loaded.items():
        mine = h.faults[(h.faults["日期"] == _day(day)) & (h.faults["设区市"] == city)]
        ws = load_workbook(out / day / city / f"数据质量报告_{city}_{day.replace('-', '')}.xlsx",
                           read_only=True)["问题清单"]
        listed = [r for r in ws.iter_rows(min_row=3, values_only=True) if r[0] in ("错误", "警告", "提示")]
        assert len(mine) == len(listed) == len(cd.faults), (city, day)
        assert sorted(zip(mine["file"], mine["row"].fillna(0), mine["rule"], strict=True)) == \
            sorted(zip(cd.faults["file"], cd.faults["row"].fillna(0), cd.faults["rule"], strict=True))
        counties = {c.name for c in city_counties(resolve_city(city))}
        assert set(mine["县区"].dropna()) <= counties
        total += len(mine)
    assert total >= 4
    known = h.faults[(h.faults["设区市"] == "九江") & (h.faults["rule"] == "removal_reason")]
    assert list(known["县区"]) == ["濂溪区"]  # table A row: its own 县区 cell
    by_code = h.faults[h.faults["rule"].isin(["conflict", "duplicate"])]
    assert by_code["县区"].notna().all()  # ledger rows: the enterprise's county on the list


def test_no_personal_data_in_the_tidy_files(runs):
    out, _ = runs
    personal = set()
    for city in CITIES:
        for folder in sorted((SAMPLE / city).iterdir()):
            tables = ind.read_day(folder)
            for code in ("F", "M"):
                for r in tables.get(code, []):
                    personal.add(ind.code_of(r["身份证号"]))
                    if r.get("手机号"):
                        personal.add(str(r["手机号"]).split(".")[0])
    assert len(personal) > 100
    files = [p for kind in history.KINDS if kind != "ledger" for p in out.glob(f"*/*/{catalogue.stem(kind + '_parquet')}_*.parquet")]
    assert len(files) >= 4 * 9
    for path in files:
        text = pd.read_parquet(path).to_csv()
        found = set(re.findall(r"\d{17}[\dXx]|\d{15}|1\d{10}", text)) & personal
        assert not found, path.name


def test_tidy_files_are_byte_identical_when_rewritten(runs, tmp_path):
    out, loaded = runs
    cd = loaded[("九江", "2020-02-26")]
    for path in tidy.write_tidy(cd, tmp_path):
        assert path.read_bytes() == (out / "2020-02-26" / "九江" / path.name).read_bytes(), path.name


def test_the_tidy_ledger_is_named_as_the_catalogue_says():
    day = pd.Timestamp("2020-02-26").date()
    assert tidy.names("九江", day)["ledger"] == "台账_九江_20200226.parquet"


def test_queries(h):
    trend = history_view.shortage_trend(h)
    assert list(trend.columns) == ["南昌", "九江", "吉安", "全省"]
    for city in CITIES:
        for day in DAYS:
            assert trend.loc[_day(day), city] == _figure(h, city, day, "合计", "缺工人数")
    assert (trend["全省"] == trend[CITIES].sum(axis=1)).all()

    persistent = history_view.persistent_shortages(h, days=7)
    assert len(persistent) > 3 and (persistent["天数"] == 3).all()
    short = h.vacancies[h.vacancies["缺工人数"] > 0]
    for name in persistent["岗位名称"]:
        assert short.loc[short["岗位名称"] == name, "日期"].nunique() == 3
    others = set(short["岗位名称"]) - set(persistent["岗位名称"])
    for name in others:
        assert short.loc[short["岗位名称"] == name, "日期"].nunique() < 3
    last = short[short["日期"] == _day(DAYS[-1])].groupby("岗位名称")["缺工人数"].sum()
    assert list(persistent["末日缺工人数"]) == [last[n] for n in persistent["岗位名称"]]
    by_city = history_view.persistent_shortages(h, days=2, by=["设区市"])
    assert set(by_city["设区市"]) <= set(CITIES) and (by_city["天数"] == 2).all()

    rising = history_view.rising_counties(h)
    values = history_view.county_values(h)
    assert len(rising) > 0
    for r in rising.itertuples():
        first, newest = values.loc[(r.设区市, r.县区)].dropna().iloc[[0, -1]]
        assert r.变化 == newest - first > 0
    flat = history_view.rising_counties(h, include_flat=True)
    assert len(flat) >= len(rising) and (flat["变化"] >= 0).all()

    faults = history_view.faults_by(h, ["县区", "rule"])
    assert faults["合计"].sum() == len(h.faults)
    assert [c for c in faults.columns if c not in ("规则说明", "合计")] == h.days
    assert (faults["规则说明"] != "").all()
    errors = history_view.faults_by(h, ["设区市"], level="错误")
    assert errors["合计"].sum() == (h.faults["level"] == "错误").sum()

    compare = history_view.city_vs_province(h, "360400")  # 九江 by code
    shortage = compare.loc["缺工人数"]
    assert (shortage["全省"] == trend["全省"]).all() and (shortage["九江"] == trend["九江"]).all()
    assert shortage["占全省(%)"].iloc[0] == round(trend["九江"].iloc[0] / trend["全省"].iloc[0] * 100, 1)
    prov = history_view.province_totals(h)
    rate = prov["复工率"].iloc[0]
    assert rate == round(prov["已复工企业数"].iloc[0] / prov["重点企业数"].iloc[0] * 100, 1)
    assert (prov["设区市数"] == 3).all()
    assert compare.loc["复工率"]["较全省(百分点)"].notna().all()


def test_charts_embed_a_font_and_name_their_chinese(h):
    chart = history_view.chart_shortage(h)
    html = chart._repr_html_()
    assert "@font-face" in html and "<svg" in html and chart.family() in html
    assert "BriefSC" not in html.split("</style>")[1]  # the chart uses its own family
    assert repr(chart) == "<图表：各设区市缺工人数：2月25日与2月27日>"
    for make in (lambda: history_view.chart_trend(h), lambda: history_view.chart_trend(h, "吉安"),
                 lambda: history_view.chart_rising(h), lambda: history_view.chart_faults(h),
                 lambda: history_view.chart_city_vs_province(h, "南昌")):
        assert "<svg" in make().svg


def test_the_readers_do_not_import_the_presentation_modules(tmp_path):
    """history only reads (issue 15): it names neither the brief nor charts nor lab, and loading
    the city tables pulls none of them in (the province readers import ``province``, which does)."""
    import ast
    import subprocess
    import sys

    tree = ast.parse((ROOT / "lib" / "yonggong" / "history.py").read_text(encoding="utf-8"))
    named = {a.name for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) for a in n.names}
    named |= {n.module.rsplit(".", 1)[-1] for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module}
    assert not named & {"brief", "charts", "lab"}
    probe = ("import sys, yonggong.history as h\n"
             f"h.load({str(tmp_path)!r})\n"
             "print(sorted(m for m in sys.modules if m in ('yonggong.brief', 'yonggong.charts', 'yonggong.lab')))")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_an_empty_outputs_folder(tmp_path):
    empty = history.load(tmp_path)
    for kind in history.KINDS:
        assert list(getattr(empty, kind).columns) == history.COLUMNS[kind]
        assert getattr(empty, kind).empty
    assert "没有已发布的运行结果" in repr(empty)
    with pytest.raises(UserError, match="invoke all"):
        history.load(tmp_path / "nothing", require=True)


def test_a_run_from_before_the_tidy_files_or_a_damaged_file_still_loads(runs, tmp_path):
    out, _ = runs
    folder = tmp_path / DAYS[0] / "吉安"
    folder.mkdir(parents=True)
    for name in ("manifest.json", f"台账_吉安_{DAYS[0].replace('-', '')}.parquet"):
        shutil.copy(out / DAYS[0] / "吉安" / name, folder / name)
    (folder / f"数据质量_吉安_{DAYS[0].replace('-', '')}.parquet").write_bytes(b"damaged")
    old = history.load(tmp_path)
    assert len(old.ledger) > 0 and old.figures.empty and old.faults.empty
    assert sorted(p.name for p in old.missing) == sorted(
        f"{catalogue.stem(kind + '_parquet')}_吉安_{DAYS[0].replace('-', '')}.parquet" for kind in history.KINDS if kind != "ledger")
    narrowed = history.load(out, cities=["吉安", "360100"], start=DAYS[1], end=DAYS[1])
    assert set(narrowed.runs["设区市"]) == {"南昌", "吉安"} and narrowed.days == [_day(DAYS[1]).date()]


def test_explore_notebook_runs_end_to_end(runs, tmp_path):
    import papermill as pm

    from yonggong.nbexec import kernel_name

    out, _ = runs
    result = tmp_path / "explore.ipynb"
    pm.execute_notebook(str(ROOT / "notebooks" / "explore.ipynb"), str(result),
                        parameters={"outputs": str(out), "city": "九江", "days": 7},
                        kernel_name=kernel_name(), cwd=str(ROOT / "notebooks"), progress_bar=False)
    nb = nbformat.read(str(result), as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(not any(o.output_type == "error" for o in c.outputs) for c in code)
    shown = {c.get("id"): c.outputs for c in code}
    charts = [cid for cid, outs in shown.items()
              if any("@font-face" in o.get("data", {}).get("text/html", "") for o in outs)]
    assert len(charts) >= 5, charts
    assert "9次运行" in shown["load"][0]["data"]["text/plain"]
    late = shown["week"][0]["data"]["text/plain"]
    assert "九江" in late and "1小时20分" in late and "80" in late and "南昌" not in late
    assert all(c in shown["week-missing"][0]["data"]["text/plain"] for c in ("吉安", "萍乡", "新余"))
    trend = shown["week-province"][0]["data"]["text/plain"]
    assert "缺工人数" in trend and DAYS[1] in trend
    counties = shown["week-county"][0]["data"]["text/plain"]
    assert "县" in counties and "合计" not in counties and settings()["city_level_row"] not in counties


def test_the_committed_notebook_is_clean_and_short():
    nb = nbformat.read(str(ROOT / "notebooks" / "explore.ipynb"), as_version=4)
    nbformat.validate(nb)
    ids = [c.get("id") for c in nb.cells]
    assert len(ids) == len(set(ids)) and all(ids)
    tagged = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1 and re.search(r"^outputs\s*=", tagged[0].source, re.M)
    for c in nb.cells:
        if c.cell_type == "code":
            assert c.outputs == [] and c.execution_count is None
            assert len(c.source.splitlines()) <= 6, c.get("id")
