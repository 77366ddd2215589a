"""The documents rendered and measured (issue 14, and issue 19's 劳务输出 sections): three
representative city-days — 南昌 on the last day (the largest list), 赣州 on the day with every
planted fault and the most 劳务输出, 上饶 on the last day (劳务输出 and a long problem list) —
written once, then the 汇总表 workbook and 附件3 through LibreOffice, the brief and the 专区 page
through Chromium. Every city-day of the sample week is checked by ``invoke pages`` (.ci/run)."""

from __future__ import annotations

import datetime as dt

import pages
import pytest

from yonggong import match, pipeline, products

DAYS = [("南昌", "2020-03-01"), ("赣州", "2020-02-26"), ("上饶", "2020-03-01")]


@pytest.fixture(scope="module")
def measured(sample_inbox, browser, tmp_path_factory):
    if pages.soffice() is None:
        pytest.skip("soffice (LibreOffice) is not installed")
    root = tmp_path_factory.mktemp("pages")
    folders = []
    for city, day in DAYS:
        folder = root / day / city
        cd = pipeline.load(sample_inbox, city, dt.date.fromisoformat(day))
        products.write_all(cd, folder, acts=match.city_day(cd))
        folders.append(folder)
    return pages.check_days(folders, browser, root / "work")


def test_the_documents_print_within_their_page_limits(measured):
    assert measured.failures == []
    assert len(measured.counts) == 3
    for where, counts in measured.counts.items():
        assert counts["form_sheet"] == 1, where  # the 汇总表 itself: one A4 landscape page
        assert 1 <= counts["progress"] <= 2 and 1 <= counts["brief"] <= 3 and counts["form_book"] <= 3, where


def test_the_exporting_cities_file_a_third_sheet_and_stay_within_the_limit(measured):
    # 汇总表 + 劳务输出 + 指标说明, one page each (issue 19); 南昌 sends no table O: two sheets
    assert measured.counts["2020-02-26/赣州"]["form_book"] == 3
    assert measured.counts["2020-03-01/南昌"]["form_book"] == 2


def test_page_counting_counts_pages():
    two = b"%PDF-1.4 1 0 obj<</Type /Pages /Count 2>> 2 0 obj<</Type/Page>> 3 0 obj<</Type /Page /Parent 1 0 R>>"
    assert pages.pdf_pages(two) == 2
