"""Unit tests: ID numbers (GB 11643 checksum, birth date), mobile numbers, masking, record numbers."""
from __future__ import annotations

import re
from datetime import date, datetime, timezone

import pytest

from unionkit.numbers import ALPHABET, NUMBER_RE, PREFIXES, is_valid_number, new_number, normalize_number
from backend.validation import id_number_error, phone_error
from unionkit.pii import (id_number_checksum, is_valid_id_number, is_valid_mobile, mask_id_number, mask_phone,
                          mask_pii, normalize_id_number, normalize_phone)


# ----------------------------------------------------------------------------- ID numbers
def test_checksum_of_the_standards_example():
    # GB 11643-1999 appendix example: 11010519491231002X
    assert id_number_checksum("11010519491231002") == "X"
    assert is_valid_id_number("11010519491231002X")


@pytest.mark.parametrize("first17", ["44030419900101001", "32010219851120123", "65010120000229456"])
def test_checksum_matches_the_weighted_sum(first17):
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    total = sum(int(d) * w for d, w in zip(first17, weights))
    assert id_number_checksum(first17) == "10X98765432"[total % 11]


def test_every_check_character_is_reachable():
    seen = set()
    for seq in range(1000):
        first17 = f"11010119900307{seq:03d}"
        seen.add(id_number_checksum(first17))
    assert seen == set("10X98765432")


def test_one_wrong_digit_is_detected():
    # weights are never 0 mod 11, so any single-digit change alters the check character
    good = "11010519491231002X"
    for i in range(17):
        digit = str((int(good[i]) + 1) % 10)
        bad = good[:i] + digit + good[i + 1:]
        assert not is_valid_id_number(bad), bad


def test_lower_case_x_and_spaces_are_normalised():
    assert normalize_id_number(" 110105 19491231 002x ") == "11010519491231002X"
    assert is_valid_id_number("11010519491231002x")


@pytest.mark.parametrize("value,fragment", [
    ("", "请填写"),
    (None, "请填写"),
    (12345, "请填写"),
    ("1101051949123100", "18位"),
    ("1101051949123100211", "18位"),
    ("11010519491231002Y", "格式"),
    ("1101051949123100X2", "格式"),
    ("１１０１０５１９４９１２３１００２X", "格式"),  # full-width digits
    ("110105194913310020", "出生日期"),  # month 13
    ("110105189912310020", "出生日期"),  # before 1900
    ("110105194902300020", "出生日期"),  # 30 February
    ("110105194912310021", "校验位"),
])
def test_errors_are_explained_in_chinese(value, fragment):
    message = id_number_error(value)
    assert message and fragment in message


def test_birth_date_in_the_future_is_rejected():
    first17 = "11010120991231001"
    value = first17 + id_number_checksum(first17)
    assert id_number_error(value, today=date(2026, 1, 1)) == "身份证号中的出生日期不正确"
    assert id_number_error(value, today=date(2120, 1, 1)) is None  # a worker of 20 by then


def test_the_back_end_and_the_form_apply_one_rule():
    """What the join form accepts the back end accepts, and the other way round (one rule)."""
    from actions.validators import check_id_number

    today = date(2026, 11, 23)
    for first17 in ("11010519491231002", "99010519800101002", "11010520150101002", "11010519201301002",
                    "44030419900101001", "11010518990101002", "65010120000229456"):
        for last in "0123456789X":
            value = first17 + last
            assert (check_id_number(value, today)[1] is None) == (id_number_error(value, today) is None), value


def test_checksum_rejects_bad_input():
    with pytest.raises(ValueError):
        id_number_checksum("123")
    with pytest.raises(ValueError):
        id_number_checksum("1101051949123100X")


# ----------------------------------------------------------------------------- phones
@pytest.mark.parametrize("value", ["13812345678", "19912345678", "+86 138 1234 5678", "138-1234-5678",
                                   "008613812345678", 13812345678])
def test_valid_mobiles(value):
    assert is_valid_mobile(value)
    assert normalize_phone(value) == ("13812345678" if "138" in str(value) else "19912345678")


@pytest.mark.parametrize("value", ["12812345678", "1381234567", "138123456789", "02088888888", "abc", None, ""])
def test_invalid_mobiles(value):
    assert not is_valid_mobile(value)
    assert phone_error(value)


# ----------------------------------------------------------------------------- masking
def test_masks():
    assert mask_id_number("110105194912311234") == "110***********1234"
    assert mask_phone("13812345678") == "138****5678"
    assert mask_phone(None) is None
    assert mask_pii({"note": "电话13812345678，身份证11010519491231002X", "n": [13812345678, 5], "ok": True}) == {
        "note": "电话138****5678，身份证110***********002X", "n": ["138****5678", 5], "ok": True}


# ----------------------------------------------------------------------------- record numbers
def test_new_number_format_and_prefixes():
    when = datetime(2026, 11, 22, 20, 0, tzinfo=timezone.utc)  # 2026-11-23 04:00 in China
    for kind, prefix in PREFIXES.items():
        number = new_number(kind, now=when)
        assert re.fullmatch(rf"{prefix}20261123-[{ALPHABET}]{{6}}", number), number
        assert is_valid_number(number)
        assert NUMBER_RE.match(number)
    assert set(PREFIXES.values()) == {"RH", "WQ", "PX", "JH", "JY", "HF"}  # HF: review tasks (回访)


def test_alphabet_has_no_ambiguous_characters():
    assert not set("01OI") & set(ALPHABET)
    numbers = {new_number("case") for _ in range(300)}
    assert len(numbers) > 290
    assert not any(set(n.split("-")[1]) & set("01OI") for n in numbers)


@pytest.mark.parametrize("value,ok", [
    ("RH20261123-7KQ3", True), ("WQ20261123-ABCDEFGH", True), ("PX20261123-0000", True),
    ("RH20261123-7KQ", False), ("RH20261123-ABCDEFGHJ", False), ("R20261123-7KQ3", False),
    ("rh20261123-7kq3", False), ("RH2026112-7KQ3", False), (None, False), (123, False),
])
def test_client_number_pattern(value, ok):
    assert is_valid_number(value) is ok


def test_normalize_number():
    assert normalize_number(" rh20261123-7kq3 ") == "RH20261123-7KQ3"


def test_unknown_kind_is_refused():
    with pytest.raises(ValueError):
        new_number("nonsense")
