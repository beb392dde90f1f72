"""actions.replies: whether a reply in a form answers the question, and what it is otherwise."""
from __future__ import annotations

import pytest

from actions.extract import parse_consent, parse_headcount, parse_money, parse_yes_no
from actions.replies import base_intent, classify, looks_like_question, plausible_employer, plausible_name


@pytest.mark.parametrize("text", ["张伟", "欧阳娜娜", "阿依古丽·买买提", "Li Ming"])
def test_names(text):
    assert plausible_name(text)


@pytest.mark.parametrize("text", ["怎么入", "查询进度", "转人工", "你好", "不知道", "入会要钱吗", "我要入会", "好的"])
def test_not_names(text):
    assert not plausible_name(text)


@pytest.mark.parametrize("text", ["顺丰速运有限公司", "美团", "鸿达建筑劳务有限公司", "包工头刘老板", "灵活就业", "建筑业"])
def test_employers(text):
    assert plausible_employer(text)


@pytest.mark.parametrize("text", ["查询进度", "你们办公室电话多少", "算了，我想先入会", "转人工", "不知道", "12345", "/affirm",
                                  "好"])
def test_not_employers(text):
    assert not plausible_employer(text)


def test_questions_and_bases():
    assert looks_like_question("外卖骑手能入会吗") and looks_like_question("欠薪找谁")
    assert not looks_like_question("顺丰速运有限公司")
    assert base_intent("join_union_question") == "join_union" and base_intent("faq") == "faq"
    assert base_intent(None) is None


W, J, T = "wage_arrears", "join_union", "training_signup"


@pytest.mark.parametrize("text, intent, own, parser, expected", [
    # an answer the slot's parser recognises wins over the model's intent
    ("十几个人", "request_human", W, parse_headcount, "answer"),
    ("八千块", "faq", W, parse_money, "answer"),
    ("大概七八千吧", "out_of_scope", W, parse_money, "answer"),
    ("签了", "affirm", W, parse_yes_no, "answer"),
    # not an answer: understood as what it is
    ("算了，我想先入会", "join_union", W, plausible_employer, "switch"),
    ("我还要报工伤", "work_injury", W, parse_money, "switch"),
    ("工伤怎么认定", "work_injury_question", W, plausible_employer, "question"),
    ("你们办公室电话多少", "faq", J, plausible_employer, "question"),
    ("怎么入", "join_union", J, plausible_name, "question"),       # asked in the join form itself
    ("我要入会", "join_union", J, plausible_name, "repeat"),
    ("查询进度", "check_application_status", J, plausible_employer, "status"),
    ("转人工", "request_human", J, plausible_name, "human"),
    ("取消", "cancel", J, plausible_name, "cancel"),
    ("你好", "greet", W, parse_money, "greet"),
    ("谢谢", "thank", W, parse_money, "thank"),
    ("好的", "affirm", W, parse_money, "ack"),
    # not knowing is an answer the validator explains (what is needed; a person after two tries)
    ("不知道", "deny", W, parse_money, "answer"),
    ("记不清了", "cancel", W, parse_money, "answer"),
    ("不知道，算了不办了", "cancel", W, parse_money, "cancel"),
    # a long free-text answer is an answer whatever it is about
    ("老板拖欠工资还打人，我想找律师问问怎么办", "wage_arrears", "legal_aid", None, "answer"),
    ("会费多少", "faq", "legal_aid", None, "question"),
    ("在工地摔的", "work_injury", "work_injury", None, "answer"),
    ("生病住院", "medical_mutual_aid", "hardship_aid", None, "answer"),
    ("我还想申请医疗互助", "medical_mutual_aid", "hardship_aid", None, "switch"),
    ("/deny", "deny", J, lambda text: parse_consent(text) is not None, "answer"),
    ("试用期辞退合法吗", "legal_aid", "legal_aid", None, "answer"),
    ("工伤怎么认定", "work_injury_question", "work_injury", None, "question"),
    # buttons
    ("/wage_arrears", "wage_arrears", J, plausible_name, "switch"),
    ("/request_human", "request_human", J, plausible_name, "human"),
    ('/training_signup{"course_id": "3"}', "training_signup", T, None, "answer"),
])
def test_classify(text, intent, own, parser, expected):
    assert classify(text, intent, 0.9, own, parser) == expected


def test_low_confidence_is_left_to_the_validator():
    assert classify("嗯嗯那个", "greet", 0.2, "wage_arrears", parse_money) == "answer"


@pytest.mark.parametrize("text, expected", [
    ("同意", True), ("不同意", False), ("/affirm", True), ("/deny", False), ("好的", True), ("确认提交", True),
    ("先不提交", False), ("不用了", False), ("先办入会", True), ("继续刚才的", False), ("我叫张三", None),
    ("在银行上班", None),
])
def test_consent(text, expected):
    assert parse_consent(text) is expected


@pytest.mark.parametrize("text,names", [
    ("刚才名字写错了", "name"), ("手机号输错了", "phone"), ("身份证号填错了", "id_number"),
    ("单位名字写错了", "name"),  # 名字 is named first; the form picks the slot it has
    ("欠薪金额说错了", "wa_amount"), ("我刚才打错字了", None), ("我要改一下刚才的", None)])
def test_corrections_name_the_answer(text, names):
    from actions.replies import correction

    slots = correction(text)
    assert slots is not None
    assert (names in slots) if names else slots == ()


@pytest.mark.parametrize("text", ["合同上的名字被公司写错了好几次也不改", "13912345678 刚才写错了", "张伟", "没错"])
def test_not_corrections(text):
    from actions.replies import correction

    assert correction(text) is None


def test_a_correction_in_a_form_is_no_cancel_and_no_answer():
    # The NLU may hear deny or cancel; the form hears a correction, at a value and at a free-text slot.
    assert classify("刚才名字写错了", "cancel", 0.8, J, parse_consent) == "correct"
    assert classify("我刚才打错字了", "deny", 0.8, J, lambda t: None) == "correct"
    # At a free-text question, a mistake that is not about an earlier answer is the answer itself.
    assert classify("公司把我的工时打错了", "wage_arrears", 0.8, W, None) == "answer"
