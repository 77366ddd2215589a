"""The 汇总表's footer (issue 14, item 2): 填表人, 审核人 and 联系电话 from the newest table L (read
here from the raw files), 报送时间 the day's deadline — never the clock."""

from __future__ import annotations

import datetime as dt

import independent as ind

from yonggong import forms_read, pipeline, products


def test_the_footer_is_filled_from_table_l_and_the_deadline(sample_inbox, tmp_path):
    city, day = "赣州", dt.date(2020, 2, 26)
    rows = None
    for folder in sorted((sample_inbox / city).iterdir()):
        if dt.date.fromisoformat(folder.name) <= day and ind.read_day(folder).get("L"):
            rows = ind.read_day(folder)["L"]  # the newest table L on or before the day
    assert rows
    liaison = next(r for r in rows if str(r["小组职务"]).strip() == "联络员")
    head = next(r for r in rows if str(r["小组职务"]).strip() == "组长")
    cd = pipeline.load(sample_inbox, city, day)
    products.write_all(cd, tmp_path)
    meta, _ = forms_read.read_huizongbiao(tmp_path / f"重点企业用工调度保障工作信息汇总表_{city}_20200226.xlsx")
    assert meta["filler"] == str(liaison["姓名"]).strip() and meta["reviewer"] == str(head["姓名"]).strip()
    assert meta["phone"] == str(liaison["办公电话"]).strip()  # the office number, not the mobile
    assert meta["submitted"] == "2月26日15时00分"  # params/settings.yaml deadline
