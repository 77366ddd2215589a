"""`invoke all`: the 11 city days in parallel, then the province (slow: real notebook runs)."""

from __future__ import annotations

import datetime as dt
import json

import openpyxl
from conftest import invoke
from test_province import FRAMES, write_city

from yonggong import allcities, catalogue, province
from yonggong.errors import UserError
from yonggong.reference import cities

DAY = "2020-02-26"  # the sample day with planted faults (sample_inbox/province/planted.json)


def test_invoke_all_on_the_sample_day_with_planted_faults(sample_inbox, tmp_path):
    res = invoke("all", f"--date={DAY}", f"--out={tmp_path}")
    assert res.returncode == 0, res.stdout[-3000:] + res.stderr[-3000:]
    folder = tmp_path / DAY
    assert sorted(p.name for p in folder.iterdir() if p.is_dir() and not p.name.startswith(".")) == \
        sorted([c.name for c in cities()] + ["省"])
    for c in cities():
        assert (folder / c.name / f"重点企业用工调度保障工作信息汇总表_{c.name}_20200226.xlsx").is_file()
    progress = [line for line in res.stdout.splitlines() if line.startswith("[")]
    assert len(progress) == 11 and progress[-1].startswith("[11/11]")
    # run in warm kernels, each executed notebook still reads as from a fresh one: cells numbered
    # 1, 2, … and no stray message (a kernel's history database complaining, a warning) in any output
    notebooks = sorted(folder.glob("*/notebook_*.ipynb"))
    assert len(notebooks) == 12
    for nb_path in notebooks:
        cells = [c for c in json.loads(nb_path.read_text(encoding="utf-8"))["cells"] if c["cell_type"] == "code"]
        assert [c["execution_count"] for c in cells] == list(range(1, len(cells) + 1)), nb_path.name
        streams = [o for c in cells for o in c["outputs"] if o["output_type"] == "stream"]
        assert streams == [], (nb_path.name, streams)

    planted = [p for p in json.loads((sample_inbox / "province" / "planted.json").read_text(encoding="utf-8"))
               if p["date"] == DAY and p["expected_status"]]
    workbook = folder / "省" / province.common.names(dt.date.fromisoformat(DAY))["huizongbiao"]
    table = province.write.read_completeness(workbook).set_index("设区市")
    for case in planted:
        assert table.loc[case["city"], "状态"] == case["expected_status"], case
    faulty = {p["city"]: p["kind"] for p in planted if p["expected_status"] in ("退回", "未报送")}
    assert faulty == {"吉安市": "missing", "萍乡市": "wrong_date", "新余市": "bad_total"}
    assert table.loc["萍乡市", "问题"].startswith("数据截至2020年2月25日")
    assert table.loc["新余市", "问题"].startswith("合计行“缺工人数”")
    ws = openpyxl.load_workbook(workbook)["汇总表"]
    note = next(ws.cell(row=r, column=1).value for r in range(1, ws.max_row + 1)
                if str(ws.cell(row=r, column=1).value or "").startswith("注："))
    assert "萍乡市（退回：数据截至2020年2月25日" in note and "新余市（退回：合计行" in note and "吉安市（未报送）" in note
    # the terminal summary names them too
    assert "萍乡市" in res.stdout and "退回" in res.stdout and "报送率72.7%" in res.stdout


def failing_runner(city, day, inbox, out, force=False):
    """A stand-in for run.run_city_day: writes a city output quickly; 九江 fails."""
    import datetime as dt
    from pathlib import Path

    if city == "九江":
        raise UserError("九江市 2020-03-10：当日文件夹中没有企业用工台账（表B），无法生成报表")
    if city not in FRAMES:
        raise RuntimeError("模拟的运行错误")
    day = dt.date.fromisoformat(day)
    folder = Path(out) / day.isoformat() / city
    write_city(folder / catalogue.file_name("huizongbiao", city, day), city, FRAMES[city], day=day)
    (folder / "manifest.json").write_text(json.dumps({"finished": f"{day}T12:00:00+08:00"}), encoding="utf-8")

    class Result:
        status = "完成"

    return Result()


def test_a_failed_city_does_not_stop_the_others_and_is_reported(tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    lines = []
    result = allcities.run_all("2020-03-10", inbox, tmp_path / "out", workers=2, echo=lines.append,
                              runner=failing_runner)
    progress = [line for line in lines if line.startswith("[")]
    assert len(progress) == 11
    assert any("九江市 失败" in line and "表B" in line for line in progress)
    assert [r.city for r in result.failed] == ["九江"]
    assert result.province.source == "outputs" and result.province.status == "完成"
    table = result.completeness.set_index("设区市")
    assert table.loc["九江市", "状态"] == "未报送"
    assert table.loc["九江市", "问题"] == "本机运行失败：九江市 2020-03-10：当日文件夹中没有企业用工台账（表B），无法生成报表"
    assert table.loc["南昌市", ["状态", "时间来源"]].tolist() == ["按时", "本机运行完成时间"]
    summary = "\n".join(allcities.summary_lines(result))
    assert "1个设区市本机运行失败（九江市），已在省级汇总中列为未报送" in summary


def quiet_runner(city, day, inbox, out, force=False):
    """A stand-in for run.run_city_day that writes nothing; 九江 fails."""
    if city == "九江":
        raise UserError("九江市 2020-02-26：模拟的本机运行失败")

    class Result:
        status = "完成"

    return Result()


def test_province_from_the_inbox_is_run_again_with_a_city_that_failed(sample_inbox, tmp_path):
    # from the province inbox the province day runs beside the last cities; a city whose local
    # run failed is known only at the end, so the province day is redone with it
    result = allcities.run_all(DAY, sample_inbox, tmp_path / "out", workers=2, echo=lambda line: None,
                               runner=quiet_runner)
    assert result.province.source == "inbox" and result.province.status == "完成"
    assert [r.city for r in result.failed] == ["九江"]
    table = result.completeness.set_index("设区市")
    assert "本机运行失败：九江市 2020-02-26：模拟的本机运行失败" in table.loc["九江市", "问题"]
    assert table.loc["九江市", "状态"] == "迟报"  # its filed 汇总表 (planted: received 16:20) still counts
    assert "本机运行失败" not in " ".join(table.drop(index="九江市")["问题"].astype(str))
    assert result.province.manifest["parameters"]["failures"] == {"九江": "九江市 2020-02-26：模拟的本机运行失败"}
    summary = "\n".join(allcities.summary_lines(result))
    assert "省级汇总按收件箱中的报送文件处理" in summary


def test_cities_are_handed_out_largest_day_folder_first(tmp_path):
    day = "2020-03-10"
    sizes = {"南昌": 300, "九江": 5000, "赣州": 9000, "上饶": 5000}  # bytes of the day's files
    for name, size in sizes.items():
        folder = tmp_path / name / day
        folder.mkdir(parents=True)
        (folder / "a.csv").write_bytes(b"x" * (size - 100))
        (folder / "sub").mkdir()
        (folder / "sub" / "b.csv").write_bytes(b"y" * 100)  # files below the folder count too
    (tmp_path / "新余" / "2020-03-09").mkdir(parents=True)  # no folder for the day: last
    todo = list(cities())
    order = [c.name for c in allcities.longest_first(todo, tmp_path, dt.date(2020, 3, 10))]
    # 赣州 9000; 九江 and 上饶 5000 in the cities' order; 南昌 300; then every city with no folder
    # (0 bytes: none of these has one) in the cities' order
    assert order[:4] == ["赣州", "九江", "上饶", "南昌"]
    assert order[4:] == [c.name for c in todo if c.name not in sizes]
    assert sorted(order) == sorted(c.name for c in todo)
