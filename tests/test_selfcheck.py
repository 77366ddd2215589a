"""自检 of the city products (issue 12): what is written is read back and checked against the figures."""

from __future__ import annotations

import json
import re
import shutil

import nbformat
import pytest
from conftest import SAMPLE
from openpyxl import load_workbook

from yonggong import brief, catalogue, pipeline, products, selfcheck
from yonggong import run as run_mod
from yonggong.errors import RunFailed


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    cd = pipeline.load(SAMPLE, "南昌", None)
    out = tmp_path_factory.mktemp("products")
    products.write_all(cd, out)
    return cd, out


@pytest.fixture
def copy(written, tmp_path):
    """The written products in a folder of the test's own (to be tampered with)."""
    cd, out = written
    target = tmp_path / "out"
    shutil.copytree(out, target)
    n = catalogue.names("city", cd.city.name, cd.day)
    return cd, target, {"hz": target / n["huizongbiao"], "progress": target / n["progress"],
                        "brief": target / n["brief"]}


def test_the_written_products_pass(written, tmp_path):
    cd, out = written
    res = selfcheck.check_city(cd, out)
    assert res.passed, res.failures
    rows, cols = cd.figures.shape
    assert res.checks > rows * (cols - 1)  # every figure cell of the 汇总表, and more
    assert repr(res) == f"自检：通过（{res.checks}项）"
    shutil.copytree(out, tmp_path / "out")
    assert repr(selfcheck.city(cd, tmp_path / "out")) == repr(res)
    record = json.loads((tmp_path / "out" / run_mod.SELFCHECK_RECORD).read_text(encoding="utf-8"))
    assert record == {"结果": "通过", "检查项数": res.checks, "不符": []}


# ------------------------------------------------------------------ tampering: each is found and named


def _huizongbiao_cell(ws, label: str, header: str):
    """The cell of row ``label`` under the (lowest) header ``header`` of the 汇总表 sheet."""
    col = next(c.column for r in ws.iter_rows(min_row=3, max_row=5) for c in r if c.value == header)
    row = next(r[0].row for r in ws.iter_rows(min_row=6) if r[0].value == label)
    return ws.cell(row=row, column=col)


def test_a_changed_huizongbiao_cell_fails(copy):
    cd, out, f = copy
    wb = load_workbook(f["hz"])
    ws = wb["汇总表"]
    cell = _huizongbiao_cell(ws, "合计", "缺工人数")
    want = int(cd.figures.loc["合计", "缺工人数"])
    assert cell.value == want
    cell.value = want + 1
    dash = _huizongbiao_cell(ws, "东湖区", "推送岗位数")  # a city-level figure: "—" in a county row
    assert dash.value == "—"
    dash.value = 0
    wb.save(f["hz"])
    res = selfcheck.check_city(cd, out)
    assert not res.passed and len(res.failures) == 2
    assert (f"{f['hz'].name}：工作表“汇总表”{cell.coordinate}（合计，缺工人数）"
            f"显示“{want + 1}”，应为“{want}”") in res.failures
    assert f"{f['hz'].name}：工作表“汇总表”{dash.coordinate}（东湖区，推送岗位数）显示“0”，应为“—”" in res.failures
    assert res.line() == f"自检：未通过（2项不符，共{res.checks}项）"


def test_a_changed_rate_is_compared_as_displayed(copy):
    cd, out, f = copy
    wb = load_workbook(f["hz"])
    cell = _huizongbiao_cell(wb["汇总表"], "合计", "复工率（%）")
    rate = cd.figures.loc["合计", "复工率"]
    cell.value = rate + 0.04  # still shows the same with one decimal
    wb.save(f["hz"])
    assert selfcheck.check_city(cd, out).passed
    cell.value = rate + 0.1
    wb.save(f["hz"])
    (failure,) = selfcheck.check_city(cd, out).failures
    assert f"（合计，复工率）显示“{rate + 0.1:.1f}”，应为“{rate:.1f}”" in failure


def _tamper(path, old: str, new: str, count: int = 1) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, count), encoding="utf-8")


def test_a_changed_headline_card_fails(copy):
    cd, out, f = copy
    shown = brief.show(cd.figures.loc["合计", "缺工人数"])
    wrong = brief.show(cd.figures.loc["合计", "缺工人数"] + 1)
    card = 'data-figure="缺工人数">\n      <div class="label">缺工人数</div>\n      <div class="value">'
    _tamper(f["brief"], f'{card}<span class="fig" data-fig="缺工人数" data-row="合计">{shown}<',
            f'{card}<span class="fig" data-fig="缺工人数" data-row="合计">{wrong}<')
    (failure,) = selfcheck.check_city(cd, out).failures
    assert failure == f"{f['brief'].name}：标题卡片缺工人数（合计）显示“{wrong}”，应为“{shown}”"


def test_a_changed_figure_in_the_text_fails(copy):
    cd, out, f = copy
    rate = brief.show(cd.figures.loc["合计", "到岗率"], "rate")
    _tamper(f["brief"], f'data-fig="到岗率" data-row="合计">{rate}<', 'data-fig="到岗率" data-row="合计">99.9<')
    (failure,) = selfcheck.check_city(cd, out).failures
    assert failure == f"{f['brief'].name}：一、总体情况到岗率（合计）显示“99.9”，应为“{rate}”"


def test_a_changed_county_table_cell_fails(copy):
    cd, out, f = copy
    county = cd.figures.index[0]
    shown = brief.show(cd.figures.loc[county, "累计解决用工"])
    page = f["brief"].read_text(encoding="utf-8")
    table = page.index('class="county-table"')
    span = f'<span class="fig" data-fig="累计解决用工" data-row="{county}">{shown}</span>'
    at = page.index(span, table)
    f["brief"].write_text(page[:at] + span.replace(f">{shown}<", ">0<") + page[at + len(span):], encoding="utf-8")
    (failure,) = selfcheck.check_city(cd, out).failures
    assert failure == f"{f['brief'].name}：分县情况表累计解决用工（{county}）显示“0”，应为“{shown}”"


def test_a_county_table_header_that_does_not_match_its_column_fails(copy):
    cd, out, f = copy
    _tamper(f["brief"], "<th>缺工人数（人）</th>", "<th>在岗人数（人）</th>")
    (failure,) = selfcheck.check_city(cd, out).failures
    assert "分县情况表表头显示" in failure and "在岗人数（人）" in failure


def test_a_changed_number_in_the_progress_paragraph_fails(copy):
    cd, out, f = copy
    want = int(cd.figures.loc["合计", "缺工人数"])
    wb = load_workbook(f["progress"])
    ws = wb.active
    cell = next(r[1] for r in ws.iter_rows() if r[0].value == "今日工作进展")
    assert f"缺工{want:,}人（较上日" in cell.value
    changed = re.sub(r"缺工人数|缺工\d[\d,]*人（较上日(增加|减少)[\d,]+人）", lambda m: f"缺工{want + 10:,}人（较上日持平）",
                     cell.value, count=1)
    cell.value = changed.replace("。", "；另有新增用工99人。", 1)
    wb.save(f["progress"])
    failures = selfcheck.check_city(cd, out).failures
    assert len(failures) == 3
    where = f"{f['progress'].name}：“今日工作进展”（{cell.coordinate}）"
    assert f"{where}缺工人数显示“{want + 10:,}”，应为“{want:,}”" in failures
    assert any(x.startswith(f"{where}缺工人数的较上日变化显示“（较上日持平）”，应为“（较上日") for x in failures)
    assert any("“另有新增用工99人”不符合" in x for x in failures)


def test_a_failed_selfcheck_raises_and_records(copy):
    cd, out, f = copy
    _tamper(f["brief"], 'data-fig="重点企业数" data-row="合计">', 'data-fig="重点企业数" data-row="合计">1')
    with pytest.raises(selfcheck.SelfCheckFailed, match="自检：未通过"):
        selfcheck.city(cd, out)
    record = json.loads((out / run_mod.SELFCHECK_RECORD).read_text(encoding="utf-8"))
    assert record["结果"] == "未通过" and len(record["不符"]) >= 1


# ------------------------------------------------------------------ in the run


def test_the_run_records_the_selfcheck_in_the_manifest(nanchang_run):
    out, _ = nanchang_run
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    check = manifest["自检"]
    assert check["结果"] == "通过" and check["检查项数"] > 400 and check["不符"] == []
    assert not (out / run_mod.SELFCHECK_RECORD).exists()
    nb = nbformat.read(str(out / "notebook_南昌_20200301.ipynb"), as_version=4)
    (cell,) = [c for c in nb.cells if c.get("id") == "selfcheck"]
    shown = "".join(o.get("data", {}).get("text/plain", "") for o in cell.outputs)
    assert shown == f"自检：通过（{check['检查项数']}项）"


def test_a_failed_selfcheck_fails_the_run_and_keeps_the_last_good_outputs(tmp_path, sample_inbox, monkeypatch):
    out = tmp_path / "out"
    first = run_mod.run_city_day("南昌", "2020-02-24", sample_inbox, out)
    assert first.manifest["自检"]["结果"] == "通过"
    before = {p.relative_to(first.out_dir): p.read_bytes() for p in first.out_dir.rglob("*") if p.is_file()}

    broken = tmp_path / "nb"
    broken.mkdir()
    nb = nbformat.read(str(run_mod.paths.NOTEBOOKS / run_mod.CITY_NOTEBOOK), as_version=4)
    at = next(i for i, c in enumerate(nb.cells) if c.get("id") == "selfcheck")
    tamper = ("from pathlib import Path\n"
              "page = next(Path(out_dir).glob('工作简报_*.html'))\n"
              "page.write_text(page.read_text(encoding='utf-8').replace("
              "'data-fig=\"缺工人数\" data-row=\"合计\">', 'data-fig=\"缺工人数\" data-row=\"合计\">9', 1), "
              "encoding='utf-8')")
    nb.cells.insert(at, nbformat.v4.new_code_cell(tamper))
    nbformat.write(nb, str(broken / run_mod.CITY_NOTEBOOK))
    monkeypatch.setattr(run_mod.paths, "NOTEBOOKS", broken)
    with pytest.raises(RunFailed) as err:
        run_mod.run_city_day("南昌", "2020-02-24", sample_inbox, out, force=True)
    assert RunFailed.exit_code == 1
    assert "自检：未通过" in str(err.value) and "缺工人数（合计）" in str(err.value)
    after = {p.relative_to(first.out_dir): p.read_bytes() for p in first.out_dir.rglob("*") if p.is_file()}
    assert after == before
    (failed,) = (out / "2020-02-24" / "failed").glob("南昌-*")
    assert (failed / "notebook_南昌_20200224.ipynb").is_file()
    record = json.loads((failed / run_mod.SELFCHECK_RECORD).read_text(encoding="utf-8"))
    assert record["结果"] == "未通过" and any(re.search(r"缺工人数（合计）显示“9", x) for x in record["不符"])
