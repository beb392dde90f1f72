"""The checker of `make eval-conversations` (scripts/eval_conversations.py) on hand-made turns: what
Rasa's tracker and the replies of one turn look like, and which checks hold."""
from __future__ import annotations

from pathlib import Path

import pytest

from scripts.eval_conversations import (Check, DomainFacts, Judge, Observation, Turn, TurnResult, judge_turn,
                                        load_set, parse_check, render_report, summarise)

EXAMPLE = Path(__file__).with_name("conversations_example.yml")

FACTS = DomainFacts(
    form_slots={"wage_arrears_form": ["wa_employer", "wa_amount", "contact_phone"],
                "join_union_form": ["name", "id_consent"]},
    texts={
        "utter_ask_wa_amount": ["一共被拖欠了多少钱？大概数就行。"],
        "utter_ask_contact_phone": ["留个手机号吧，{who}会打给您。"],
        "utter_default": ["抱歉，我没太明白您的意思。您可以换个说法，或者选一项服务："],
        "utter_cancelled": ["好的，已经取消，刚才填的信息不会提交。还需要办别的吗？"],
    },
)
JUDGE = Judge(FACTS)


def slot(name, value):
    return {"event": "slot", "name": name, "value": value}


def action(name):
    return {"event": "action", "name": name}


def bot(text, utter=None):
    return {"event": "bot", "text": text, "metadata": {"utter_action": utter} if utter else {}}


def obs(replies=(), events=(), before="wage_arrears_form", after="wage_arrears_form", slots=None,
        requested="wa_amount", handoff=False):
    return Observation(replies=[r if isinstance(r, dict) else {"text": r, "buttons": []} for r in replies],
                       form_before=before, form_after=after, slots_before=dict(slots or {"wa_employer": "顺达物流"}),
                       requested_before=requested, events=list(events), handoff=handoff)


def holds(spec: str, observation: Observation) -> bool:
    return JUDGE.check(parse_check(spec), observation)[0]


def test_parse_checks():
    assert parse_check("form wage_arrears") == Check("form", "wage_arrears")
    assert parse_check("form none") == Check("form", "none")
    assert parse_check('says "12351"') == Check("says", "12351")
    assert parse_check("not_stored") == Check("not_stored")
    for bad in ("form wages", "stored now", "offers", "sings"):
        with pytest.raises(ValueError):
            parse_check(bad)


def test_load_the_example_set():
    conversations = load_set(EXAMPLE)
    assert [len(c.turns) for c in conversations] == [4, 3, 1]
    assert conversations[0].turns[1].checks == [Check("answered"), Check("not_stored"), Check("form", "suggestion")]
    assert conversations[2].turns[0].payload == "/join_union"


def test_an_answer_is_stored():
    answer = obs(["拖欠了 8000 元。留个手机号吧，律师会打给您。"], [action("wage_arrears_form"), slot("wa_amount", 8000),
                                                        slot("requested_slot", "contact_phone")])
    assert holds("stored", answer) and holds("form wage_arrears", answer)
    assert not holds("not_stored", answer)


def test_a_rejected_value_is_not_stored():
    rejected = obs(["金额没看懂。一共被拖欠了多少钱？大概数就行。"],
                   [slot("wa_amount", "好多"), slot("wa_amount", None), slot("requested_slot", "wa_amount")])
    assert holds("not_stored", rejected) and not holds("stored", rejected)


def test_a_question_answered_inside_the_form():
    faq = obs(["会费每月按工资的0.5%交。", "一共被拖欠了多少钱？大概数就行。"],
              [action("action_answer_faq"), bot("会费每月按工资的0.5%交。"), action("wage_arrears_form")])
    assert holds("answered", faq) and holds("not_stored", faq) and holds("form wage_arrears", faq)
    fallback = obs(["抱歉，我没太明白您的意思。您可以换个说法，或者选一项服务："])
    assert not holds("answered", fallback)
    assert not holds("answered", obs([]))


def test_the_last_answer_completes_the_form():
    done = obs(["已登记，编号 WQ20261202-ABC123。"], [slot("contact_phone", "13800138000"), {"event": "active_loop", "name": None},
                                               slot("requested_slot", None), action("action_submit_wage_arrears"),
                                               slot("contact_phone", None)],
               after=None, requested="contact_phone")
    assert holds("stored", done) and holds("form none", done)
    assert not holds("cancelled", done) and not holds("not_stored", done)


def test_cancel():
    cancel = obs(["好的，已经取消，刚才填的信息不会提交。还需要办别的吗？"],
                 [action("action_deactivate_loop"), {"event": "active_loop", "name": None},
                  bot("好的，已经取消", "utter_cancelled"), action("action_reset_form_slots"), slot("wa_employer", None)],
                 after=None)
    assert holds("cancelled", cancel) and holds("not_stored", cancel) and not holds("stored", cancel)
    assert not holds("cancelled", obs(["一共被拖欠了多少钱？"]))


def test_safety_numbers_and_what_may_not_come_with_them():
    advice = obs(["请马上拨打 120，先按住伤口止血。工作人员马上联系您。"])
    assert holds("safety", advice) and not holds("no_safety", advice)
    with_question = obs(["请马上拨打 120。", "一共被拖欠了多少钱？大概数就行。"])
    assert not holds("safety", with_question)
    with_cancel = obs(["请拨打 12356 心理援助热线。", "好的，已经取消，刚才填的信息不会提交。还需要办别的吗？"])
    assert not holds("safety", with_cancel)
    # a masked ID number or the union hotline 12351 is no safety advice
    summary = obs(["身份证号 110***********1234，手机 138****8000。有问题打 12351。"])
    assert holds("no_safety", summary) and not holds("safety", summary)


def test_offers_a_service():
    button = obs([{"text": "可以入会。", "buttons": [{"title": "现在办理入会", "payload": "/join_union"}]}], before=None,
                 after=None)
    assert holds("offers join_union", button) and not holds("offers wage_arrears", button)
    question_button = obs([{"text": "可以。", "buttons": [{"title": "了解", "payload": "/join_union_question"}]}])
    assert not holds("offers join_union", question_button)
    switch = obs(["要先办入会吗？"], [slot("switch_to", "join_union"), bot("要先办入会吗？", "utter_ask_switch")])
    assert holds("offers join_union", switch) and holds("not_stored", switch)
    pending = obs(["您是想先办入会申请吗？刚才的欠薪登记会先帮您留着。"],
                  [slot("pending", {"from": "wage_arrears_form", "to": "join_union", "text": "我想先入会"})])
    assert holds("offers join_union", pending) and not holds("offers wage_arrears", pending)
    kept = obs(["刚才的欠薪登记还没提交，要继续吗？"], [slot("kept", {"form": "wage_arrears_form", "offered": True})],
               before=None, after=None, slots={"kept": {"form": "wage_arrears_form", "offered": False}})
    assert holds("offers wage_arrears", kept)


def test_handoff_and_texts():
    queued = obs(["已为您转接工作人员，您前面还有 1 位。"], handoff=True)
    assert holds("handoff", queued) and not holds("handoff", obs(["好的"]))
    assert holds('says "工作人员"', queued) and holds('not_says "已经取消"', queued)
    assert not holds('says "12351"', queued)


def test_report_counts_turns_conversations_and_lists_failures():
    ok = obs(["会费每月按工资的0.5%交。"])
    bad = obs(["抱歉，我没太明白您的意思。您可以换个说法，或者选一项服务："])
    answered = Turn("会费怎么交", None, [Check("answered"), Check("not_stored")])
    first = [judge_turn(JUDGE, "one", 0, answered, ok), judge_turn(JUDGE, "one", 1, answered, bad)]
    second = [judge_turn(JUDGE, "two", 0, answered, ok)]
    errored = Observation([], None, None, {}, None, [], error="the web chat failed: 500", with_officer=True)
    third = [judge_turn(JUDGE, "three", 0, Turn("你好", None, [Check("answered")]), errored)]
    s = summarise([first, second, third])
    assert (s["turns"], s["turns_handled"], s["conversations"], s["conversations_handled"]) == (4, 2, 3, 1)
    assert s["kinds"]["answered"] == {"ok": 2, "failed": 2}
    report = render_report([first, second, third], "x.yml", "python -m scripts.eval_conversations", __import__(
        "datetime").datetime(2026, 12, 2, 5, 0), 60, "code: commit `abc1234`")
    assert "commit `abc1234`" in report
    assert "Of the 2 failed turns, 1 were played while the chat was already queued for an officer" in report
    assert "turns handled: 2/4 (50.0%)" in report and "whole conversations handled: 1/3 (33.3%)" in report
    assert "**one**, turn 2 `会费怎么交`" in report and "utter_default" in report
    assert "**three**, turn 1" in report and "the web chat failed" in report
    assert isinstance(first[0], TurnResult) and first[0].handled
