"""The safety screen on the real stack (Rasa server, gateway under gunicorn, Redis, back end), over
the web chat and over WeChat with wechatpy-signed messages: danger gets advice first and a
critical handoff, Rasa never sees the message, a form in progress is kept, and ordinary talk
inside a form is not an alarm."""
from __future__ import annotations

import pytest

from unionkit import texts
from tests.e2e.test_handoff_e2e import Officer, create_officer, rasa_events, turns
from tests.fakes.wechat_api import WeChatUser
from tests.fakes.wechat_gateway import api  # noqa: F401 (fixture)
from tests.fakes.wechat_gateway import WeChatGateway, rasa_user_texts

SAFETY_ADVICE = [texts.text(f"utter_safety_{kind}") for kind in ("self_harm", "medical", "violence", "group_incident")]
FORM_QUESTIONS = [texts.text(f"utter_ask_wa_{slot}") for slot in
                  ("employer", "amount", "months", "headcount", "contract")]


@pytest.fixture(scope="module")
def officer(live_stack) -> Officer:
    return Officer(live_stack, create_officer(live_stack)[1])


def handoff_of(officer: Officer, session_user: str) -> dict:
    [item] = [h for h in officer.get(status="waiting,active").json() if h["user"] == session_user]
    return item


def test_self_harm_as_a_first_message_gets_the_hotlines_and_a_critical_handoff(live_stack, web_chat, officer):
    chat = web_chat()
    reply = chat.say_text("我不想活了")
    assert "12356" in reply and "110" in reply
    assert "已经取消" not in reply
    item = handoff_of(officer, chat.session_id)
    assert (item["priority"], item["reason"], item["status"]) == ("critical", "safety_self_harm", "waiting")
    # Rasa never heard it.
    assert "我不想活了" not in rasa_user_texts(live_stack, f"web:{chat.session_id}")
    # The officer sees the message highlighted, and the danger before any other waiting chat.
    detail = officer.get(f"/handoffs/{item['id']}").json()
    [flagged] = [m for m in detail["transcript"] if m.get("danger")]
    assert (flagged["text"], flagged["danger"]) == ("我不想活了", "self_harm")
    other = web_chat()
    other.say_text("转人工")
    queue = [h["user"] for h in officer.get(status="waiting").json()]
    assert queue.index(chat.session_id) < queue.index(other.session_id)
    officer.post(f"/handoffs/{item['id']}/close", {"outcome": "resolved"})


def test_an_emergency_inside_a_form_keeps_the_form_and_asks_nothing(live_stack, web_chat, officer):
    chat = web_chat()
    cid = f"web:{chat.session_id}"
    chat.say_text("老板欠了我三个月工资")
    before = rasa_events(live_stack, cid)
    assert before["active_loop"]["name"] == "wage_arrears_form"
    asked = before["slots"]["requested_slot"]

    reply = chat.say_text("我被车撞了，在送外卖的路上，腿上流了好多血")
    assert "120" in reply
    assert not any(q in reply for q in FORM_QUESTIONS) and "已经取消" not in reply
    item = handoff_of(officer, chat.session_id)
    assert (item["priority"], item["reason"]) == ("critical", "safety_medical")
    during = rasa_events(live_stack, cid)
    assert during["active_loop"]["name"] == "wage_arrears_form" and during["slots"]["requested_slot"] == asked
    assert len(turns(during, "user")) == len(turns(before, "user"))

    # The officer takes the chat and gives it back: the wage form goes on where it was.
    assert officer.post(f"/handoffs/{item['id']}/claim").status_code == 200
    assert officer.post(f"/handoffs/{item['id']}/close", {"outcome": "resolved"}).status_code == 200
    after = rasa_events(live_stack, cid)
    assert after["active_loop"]["name"] == "wage_arrears_form" and after["slots"]["requested_slot"] == asked


def test_danger_while_waiting_for_an_officer_raises_the_handoff_to_critical(live_stack, web_chat, officer):
    chat = web_chat()
    chat.say_text("转人工")
    assert handoff_of(officer, chat.session_id)["priority"] == "normal"
    reply = chat.say_text("他们几十个工友说明天要去爬塔吊讨薪")
    assert "110" in reply
    item = handoff_of(officer, chat.session_id)
    assert (item["priority"], item["reason"]) == ("critical", "safety_group_incident")
    officer.post(f"/handoffs/{item['id']}/close", {"outcome": "resolved"})


def test_hyperbole_inside_a_form_is_not_an_alarm(live_stack, web_chat, officer):
    chat = web_chat()
    chat.say_text("老板欠了我三个月工资")
    reply = chat.say_text("累死了，老板气死我了")
    assert reply and not any(advice in reply for advice in SAFETY_ADVICE)
    assert not [h for h in officer.get(status="waiting,active").json() if h["user"] == chat.session_id]


@pytest.fixture(scope="module")
def wechat(live_stack, api):
    gw = WeChatGateway(live_stack, api, "wechat-safety", workers=1).start()
    yield gw
    gw.stop()


def test_wechat_text_and_voice_are_screened(live_stack, wechat, officer):
    user = WeChatUser(wechat.url, wechat.token)
    answer = user.text("工地上有人从架子上摔下来动不了了")
    assert answer.status == 200 and answer.text and "120" in answer.text
    item = handoff_of(officer, user.openid)
    assert (item["channel"], item["priority"], item["reason"]) == ("wechat", "critical", "safety_medical")
    officer.post(f"/handoffs/{item['id']}/close", {"outcome": "resolved"})

    speaker = WeChatUser(wechat.url, wechat.token)
    spoken = speaker.voice(recognition="活着太累了真的撑不下去了")
    assert spoken.status == 200 and spoken.text and "12356" in spoken.text
    assert rasa_user_texts(live_stack, f"wechat:{speaker.openid}") == []
    officer.post(f"/handoffs/{handoff_of(officer, speaker.openid)['id']}/close", {"outcome": "resolved"})


def test_describing_an_injury_in_the_injury_form_is_the_answer(live_stack, web_chat, officer):
    """右手被压了 answers 怎么受的伤 (no alarm, the form goes on); 血止不住了 at the next question is danger."""
    chat = web_chat()
    assert texts.text("utter_ask_wi_date") in chat.say_text("我上班的时候受伤了")
    assert texts.text("utter_ask_wi_how") in chat.say_text("前天")
    reply = chat.say_text("右手被压了")
    assert texts.text("utter_ask_wi_injury") in reply and "120" not in reply, reply
    reply = chat.say_text("现在还在流血 血止不住了")
    assert "120" in reply and texts.text("utter_ask_wi_insurance") not in reply, reply
    item = handoff_of(officer, chat.session_id)
    assert item["reason"] == "safety_medical"
    officer.post(f"/handoffs/{item['id']}/close", {"outcome": "resolved"})
