import datetime as dt

import pytest

from actions.validators import check_id_number, check_name, check_phone
from unionkit.pii import id_number_checksum as id_check_char
from unionkit.pii import mask_id_number, mask_phone

TODAY = dt.date(2026, 11, 23)


def make_id(first17: str) -> str:
    return first17 + id_check_char(first17)


@pytest.mark.parametrize("value", [
    "11010519491231002X",            # the example in GB 11643
    "11010519491231002x",            # lower-case x
    " 1101 0519 4912 3100 2X ",      # spaces
    "１１０１０５１９４９１２３１００２Ｘ",  # full-width digits from a Chinese keyboard
    "我的身份证是11010519491231002X",  # number inside a sentence
])
def test_valid_id_numbers(value):
    assert check_id_number(value, TODAY) == ("11010519491231002X", None)


@pytest.mark.parametrize("value,problem", [
    ("1101051949123100", "length"),
    ("110105194912310021", "checksum"),
    (make_id("11010519491331002")[:-1] + "0", "birthdate"),   # month 13
    (make_id("99010519800101002"), "region"),
    (make_id("11010520200101002"), "birthdate"),             # six years old
    ("11010519491231002A", "chars"),
    ("", "length"),
])
def test_invalid_id_numbers(value, problem):
    assert check_id_number(value, TODAY)[1] == problem


def test_checksum_catches_every_single_digit_error():
    good = make_id("44030619900307123")
    assert check_id_number(good, TODAY)[1] is None
    for pos in range(14, 17):   # sequence digits: any change keeps the date valid, only the checksum fails
        digit = good[pos]
        for other in "0123456789":
            if other != digit:
                bad = good[:pos] + other + good[pos + 1:]
                assert check_id_number(bad, TODAY)[1] == "checksum", bad


@pytest.mark.parametrize("value,expected", [
    ("13812345678", "13812345678"),
    ("138 1234 5678", "13812345678"),
    ("138-1234-5678", "13812345678"),
    ("+86 138 1234 5678", "13812345678"),
    ("我的电话19912345678", "19912345678"),
])
def test_valid_phones(value, expected):
    assert check_phone(value) == (expected, None)


@pytest.mark.parametrize("value", ["12812345678", "1381234567", "138123456789", "电话没有", "010-12345678"])
def test_invalid_phones(value):
    assert check_phone(value)[1] == "format"


@pytest.mark.parametrize("value,expected", [
    ("张三", "张三"), ("我叫李小明", "李小明"), ("买买提·艾力", "买买提·艾力"), ("欧阳娜娜。", "欧阳娜娜"),
    ("John Smith", "John Smith"),
])
def test_valid_names(value, expected):
    assert check_name(value) == (expected, None)


@pytest.mark.parametrize("value,problem", [("", "empty"), ("张3", "digits"), ("王", "format"),
                                           ("我想问一下这个到底要填什么东西啊", "format"), ("@@", "format")])
def test_invalid_names(value, problem):
    assert check_name(value)[1] == problem


def test_masks():
    assert mask_id_number("11010519491231002X") == "110***********002X"
    assert mask_phone("13812345678") == "138****5678"
    assert not mask_id_number(None) and not mask_phone("")


def test_phones_typed_with_spaces_are_masked_in_free_text():
    from unionkit.pii import mask_text

    assert mask_text("我电话 138 1234 5678，或者139-1234-5678") == "我电话 138****5678，或者139****5678"
