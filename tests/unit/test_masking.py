"""The one masking rule (unionkit.pii.mask_text): every form in which the bot reads an ID number or
a mobile number is masked wherever text is shown (transcripts, lists, the unanswered page, logs,
exports). The extractors are the measure: whatever they read, the mask hides."""
from __future__ import annotations

import logging

import pytest
from hypothesis import given, settings, strategies as st

from actions.extract import extract_id_number, extract_phone
from actions.validators import check_id_number, check_phone
from config.log_masking import MaskPiiFilter
from unionkit.pii import find_pii, id_number_checksum, mask_id_number, mask_phone, mask_pii, mask_text

ID = "130402198803141924"
PHONE = "13912345678"
FULLWIDTH = str.maketrans("0123456789+X", "０１２３４５６７８９＋Ｘ")

# Each as the issue found them, and the other ways the extractors and validators read a number.
ID_FORMS = ["130402198803141924", "130402 19880314 1924", "1304 0219 8803 1419 24", "130402-19880314-1924",
            "130402198803141924".translate(FULLWIDTH), "130402\u300019880314\u30001924",
            "110105194912310021"[:-1] + "X", "11010519491231002x"]
PHONE_FORMS = ["13912345678", "+8613912345678", "８６１３９１２３４５６７８", "+86 139 1234 5678", "139-1234-5678",
               "0086 139 1234 5678", "86-139-1234-5678", "139 1234 5678", "+86-139-1234-5678", "(139)1234-5678",
               "幺三九一二三四五六七八", "一三九 一二三四 五六七八", "＋８６ １３９ １２３４ ５６７８", "139.1234.5678"]


def _digits_left(text: str) -> str:
    return "".join(ch for ch in text.translate(str.maketrans("０１２３４５６７８９", "0123456789")) if ch.isdigit())


@pytest.mark.parametrize("form", ID_FORMS)
def test_every_id_form_the_bot_reads_is_masked(form):
    said = f"我的身份证号是{form}，麻烦了"
    number, problem = check_id_number(said)
    assert len(number) == 18 and problem in (None, "checksum", "birthdate")  # the form reads it
    masked = mask_text(said)
    assert masked == f"我的身份证号是{number[:3]}***********{number[-4:]}，麻烦了"
    assert number[3:14] not in _digits_left(masked)


@pytest.mark.parametrize("form", PHONE_FORMS)
def test_every_phone_form_the_bot_reads_is_masked(form):
    said = f"电话{form}，白天打"
    assert extract_phone(said) == PHONE or check_phone(form) == (PHONE, None)
    masked = mask_text(said)
    assert "139****5678" in masked and "1234" not in _digits_left(masked).replace("5678", "")
    assert masked.endswith("，白天打")


def test_several_numbers_in_one_message_each_masked():
    said = f"身份证 {ID} 手机 +86 139 1234 5678，备用 13812345678 130402 19880314 1924"
    assert mask_text(said) == ("身份证 130***********1924 手机 139****5678，备用 138****5678 130***********1924")


@pytest.mark.parametrize("text", [
    "编号 RH20261123-7KQ3MX", "2026-11-23 17:40:12", "工资8000元，3个月", "一二三四五六七八九十", "拨打12351",
    "十几个人，欠了两个月", "订单 2026 1123 1740", "139****5678", "130***********1924", ""])
def test_ordinary_numbers_stay(text):
    assert mask_text(text) == text and find_pii(text) == []


def test_masking_is_idempotent_and_covers_nested_data():
    once = mask_text(f"{ID} / +8613912345678")
    assert mask_text(once) == once
    data = {"a": [f"电话 {PHONE_FORMS[3]}"], "b": {"id": ID_FORMS[2]}, "n": 13912345678, "ok": 7}
    assert mask_pii(data) == {"a": ["电话 139****5678"], "b": {"id": "130***********1924"}, "n": "139****5678", "ok": 7}


def test_logs_are_masked_with_the_same_rule():
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "worker said %s", ("８６１３９１２３４５６７８",), None)
    MaskPiiFilter().filter(record)
    assert record.getMessage() == "worker said 139****5678"


_SEP = st.sampled_from(["", " ", "-", " ", "\u3000", "－"])


@st.composite
def typed_phone(draw):
    """A mobile number as a worker might type it: +86 or not, groups, full-width or not."""
    phone = "1" + draw(st.sampled_from("3456789")) + "".join(draw(st.lists(st.sampled_from("0123456789"),
                                                                               min_size=9, max_size=9)))
    sep = draw(_SEP)
    text = f"{phone[:3]}{sep}{phone[3:7]}{sep}{phone[7:]}"
    text = draw(st.sampled_from(["", "+86", "+86 ", "86", "0086"])) + text
    if draw(st.booleans()):
        text = text.translate(FULLWIDTH)
    return phone, text


@st.composite
def typed_id(draw):
    first17 = draw(st.sampled_from(["110105", "130402", "440306"])) + "1990" + "0307" + "".join(
        draw(st.lists(st.sampled_from("0123456789"), min_size=3, max_size=3)))
    number = first17 + id_number_checksum(first17)
    cut = sorted(draw(st.lists(st.integers(1, 17), max_size=3, unique=True)))
    sep = draw(_SEP)
    parts, last = [], 0
    for c in cut:
        parts.append(number[last:c])
        last = c
    parts.append(number[last:])
    text = sep.join(parts)
    if draw(st.booleans()):
        text = text.translate(FULLWIDTH)
    return number, text


@settings(max_examples=300, deadline=None)
@given(typed_phone(), st.sampled_from(["我的电话", "手机：", "联系我 ", ""]), st.sampled_from(["", "，谢谢", " 白天打"]))
def test_whatever_the_phone_extractor_reads_the_mask_hides(phone_text, before, after):
    phone, text = phone_text
    said = before + text + after
    if extract_phone(said) == phone:
        assert mask_text(said) == before + mask_phone(phone) + after


@settings(max_examples=300, deadline=None)
@given(typed_id(), st.sampled_from(["身份证", "号码是 ", ""]), st.sampled_from(["", "。", " 谢谢"]))
def test_whatever_the_id_extractor_reads_the_mask_hides(id_text, before, after):
    number, text = id_text
    said = before + text + after
    if extract_id_number(said) == number or check_id_number(said)[0] == number:
        assert mask_text(said) == before + mask_id_number(number) + after
