"""Fill-in templates: one per table, recognised by the reader, with drop-downs and a guide."""

from __future__ import annotations

import pytest
from openpyxl import load_workbook

from yonggong.fillin import write_templates
from yonggong.ingest import read_day
from yonggong.reference import resolve_city, table_specs


def test_every_template_is_recognised_as_its_table(tmp_path):
    paths = write_templates(tmp_path / "t", resolve_city("南昌"))
    assert len(paths) == 15  # A–M, O and P (N is kept for the questionnaire of issue 16)
    for path in paths:
        code = path.stem.split("_")[2]
        folder = tmp_path / code
        folder.mkdir()
        wb = load_workbook(path)
        wb.active.append(["x"] * wb.active.max_column)  # one filled row
        wb.save(folder / path.name)
        inbox = read_day(folder)
        assert [s.table for s in inbox.sheets] == [code], path.name
        assert inbox.issues == [] or all(i.sheet == "填表说明" for i in inbox.issues)


def test_drop_downs_and_guide(tmp_path):
    (a_path,) = [p for p in write_templates(tmp_path, resolve_city("赣州")) if "_A_" in p.name]
    wb = load_workbook(a_path)
    ws = wb["重点企业清单"]
    headers = [c.value for c in ws[1]]
    assert headers[:4] == ["统一社会信用代码*", "企业名称*", "县区*", "企业类别*"]
    lists = {str(dv.sqref).split(":")[0][0]: dv.formula1 for dv in ws.data_validations.dataValidation}
    assert "南康区" in lists["C"] and "东湖区" not in lists["C"]
    assert "医用物资生产" in lists["D"] and "调出" in lists["G"]
    guide = wb["填表说明"]
    text = " ".join(str(c.value) for row in guide.iter_rows() for c in row if c.value)
    for col in table_specs()["A"].columns:
        assert col.name in text
    assert "信用代码" in text and "1.2万" not in text  # aliases listed; int forms only for int columns


@pytest.mark.e2e
def test_the_templates_command_writes_into_outputs_templates_and_refuses_an_unknown_city(tmp_path):
    from conftest import invoke

    res = invoke("templates", "--city=南昌", f"--out={tmp_path / 'mine'}")
    assert res.returncode == 0, res.stderr
    assert sorted(p.name for p in (tmp_path / "mine").iterdir()) and "Traceback" not in res.stderr
    res = invoke("templates", "--city=北京", f"--out={tmp_path / 'bad'}")
    assert res.returncode == 2 and res.stderr.startswith("错误：") and "Traceback" not in res.stderr
    assert not (tmp_path / "bad").exists()
