"""GB 32100 credit codes and GB 11643 ID numbers on the reference examples."""

from __future__ import annotations

import pytest

from yonggong.codes import check_idno, check_uscc, make_idno, make_uscc, mask_idno, mask_phone


@pytest.mark.parametrize("code", ["914403001922038216", "91440300708461136T", "91110108551385082Q",
                                  "91310000631696382C"])
def test_valid_credit_codes(code):
    res = check_uscc(code)
    assert res.valid and not res.normalised


def test_invalid_credit_code_names_the_right_check_character():
    res = check_uscc("91350100M000100Y4Z")
    assert not res.valid and "应为3" in res.reason


def test_credit_code_normalisation_is_flagged():
    res = check_uscc(" ９１４４０３００７０８４６１１３６t ")
    assert res.valid and res.normalised and res.value == "91440300708461136T"


@pytest.mark.parametrize("bad", ["91440300708461136", "9144030070846113OT", "91440300708461136X"])
def test_bad_credit_codes(bad):
    assert not check_uscc(bad).valid


@pytest.mark.parametrize("idno", ["11010519491231002X", "440524188001010014"])
def test_valid_id_numbers(idno):
    assert check_idno(idno).valid


def test_id_number_lower_x_and_old_form():
    res = check_idno("11010519491231002x")
    assert res.valid and res.normalised and res.value.endswith("X")
    old = check_idno("110105491231002")
    assert old.valid and old.old_form
    assert not check_idno("110105194912310021").valid


def test_generated_codes_round_trip():
    assert check_uscc(make_uscc("91360100MA35F0001")).valid
    assert check_idno(make_idno("36010219900101123")).valid


def test_masks():
    assert mask_idno("36010219900101123X") == "3601**********123X"
    assert mask_phone("13812345678") == "138****5678"
