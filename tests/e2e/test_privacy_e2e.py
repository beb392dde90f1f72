"""Privacy kept, end to end on the real stack (trained Rasa server, action server, gateway under
gunicorn, back end, Redis; WeChat messages signed with wechatpy, WeChat's API faked on loopback):

- every form in which the bot reads an ID number or a phone, typed in a chat, is masked in each
  view: the console transcript for an officer not holding the chat, the handoff list, the case
  desk's list and record page, the unanswered page, the FAQ export, and the logs of every process;
- after a form is submitted or cancelled the ID number and phone are gone from Rasa's tracker;
- 删除我的记录 on the web chat and on WeChat: declined, nothing goes; confirmed, the transcript and
  the tracker go, the filed record stays and 查询进度 still finds it.
"""
from __future__ import annotations

import json
import random
import re

import pytest
import requests

from tests.e2e.test_handoff_e2e import Officer, create_officer, rasa_events
from tests.e2e.test_join_union import NUMBER_RE, walk_to_summary
from tests.e2e.test_off_script_wechat import Chat as WeChatChat
from tests.fakes.wechat_gateway import api  # noqa: F401 (fixture)
from tests.fakes.wechat_gateway import WECHAT_AES_KEY, WeChatGateway, transcript_of
from tests.identities import fresh_id_number
from tests.integration.test_faq_live import StaffApi, create_staff
from unionkit import texts

ID, PHONE = "130402198803141924", "13912345678"
# As the issue found them shown in full, and the other ways the extractors read a number.
FORMS = ["130402 19880314 1924", "1304 0219 8803 1419 24", "+8613912345678", "８６１３９１２３４５６７８",
         "0086-139-1234-5678", "(139)1234-5678", "幺三九一二三四五六七八", "１３０４０２１９８８０３１４１９２４"]
_DIGITS = str.maketrans("０１２３４５６７８９幺一二三四五六七八九零", "0123456789" + "1123456789" + "0")


def leaks(value) -> list[str]:
    """Every string inside `value` that still shows the ID number or the phone, in any form."""
    found = []
    if isinstance(value, dict):
        for item in value.values():
            found += leaks(item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            found += leaks(item)
    elif isinstance(value, str):
        digits = re.sub(r"\D", "", value.translate(_DIGITS))
        if PHONE in digits or ID[6:14] in digits or any(form in value for form in FORMS):
            found.append(value)
    return found


def _thumbs_down(live_stack, chat, message_id: int) -> None:
    resp = requests.post(f"{live_stack.gateway_url}/api/chat/feedback", headers=chat.headers, timeout=10,
                         json={"session_id": chat.session_id, "message_id": message_id})
    assert resp.status_code == 200, resp.text


def test_every_form_is_masked_in_every_view(live_stack, web_chat):
    holder_name, holder_token = create_officer(live_stack, teams="general,legal")
    _other_name, other_token = create_officer(live_stack, teams="general,legal")
    holder, other = Officer(live_stack, holder_token), Officer(live_stack, other_token)
    staff = StaffApi(live_stack.gateway_url, create_staff(live_stack)[1])
    assert other.get().status_code == 200 and holder.get().status_code == 200  # both online

    # A legal-aid case whose description carries an ID number as typed, and the phone with +86.
    case_chat = web_chat()
    reply = case_chat.say_text(f"公司突然要辞退我，一分钱经济补偿都不给，怎么办。我身份证 {FORMS[1]}")
    assert "手机号" in reply
    filed = case_chat.say_text(FORMS[2])
    assert re.search(r"WQ\d{8}-[A-Z0-9]{4,8}", filed), filed
    number = re.search(r"WQ\d{8}-[A-Z0-9]{4,8}", filed).group(0)
    assert live_stack.backend_get(f"/v1/cases/{number}").json()["phone"] == PHONE

    # A chat that types every form, each reply marked unhelpful (the unanswered page), then asks for a person.
    chat = web_chat()
    for form in FORMS:
        said = f"我的号码是 {form} 帮我查一下"
        messages = chat.say(said)
        assert messages, said
        _thumbs_down(live_stack, chat, messages[-1]["id"])
    chat.say_text("转人工")
    chat.say_text(f"再说一遍，身份证 {FORMS[0]}，电话 {FORMS[3]}")  # waits for the officer: the list's preview

    # The handoff list and the transcript for an officer not holding the chat.
    [item] = [h for h in other.get(status="waiting").json() if h["user"] == chat.session_id]
    assert leaks(item) == [] and "****" in json.dumps(item, ensure_ascii=False)
    detail = other.get(f"/handoffs/{item['id']}").json()
    worker_lines = [m["text"] for m in detail["transcript"] if m["role"] == "user"]
    assert len(worker_lines) >= len(FORMS) and leaks(detail) == [], leaks(detail)
    assert "130***********1924" in json.dumps(detail, ensure_ascii=False)
    # The officer who takes it sees the worker's words as they were.
    assert holder.post(f"/handoffs/{item['id']}/claim").status_code == 200
    assert leaks(holder.get(f"/handoffs/{item['id']}").json())
    assert leaks(other.get(f"/handoffs/{item['id']}").json()) == []

    # The case desk: the list and the record page of an officer not holding the record.
    listed = other.get("/records", q=number).json()["items"]
    assert [r["number"] for r in listed] == [number] and leaks(listed) == []
    record = other.get(f"/records/{number}").json()
    assert record["masked"] is True and leaks(record) == [], leaks(record)

    # The unanswered page, and the FAQ export of an entry made from what workers typed.
    groups = staff.get("/unanswered").json()
    typed = {t["text"]: t["count"] for g in groups for t in g["texts"] if "帮我查一下" in t["text"]}
    assert sum(typed.values()) == len(FORMS) and leaks(groups) == [], leaks(groups)
    assert "我的号码是 139****5678 帮我查一下" in typed  # stored masked: the forms become one question
    created = requests.post(f"{staff.base}/faqs", headers=staff.headers, timeout=10, json={
        "question": f"手机号 {FORMS[2]} 填错了怎么改", "variants": [f"身份证 {FORMS[0]} 写错了"],
        "answer": "可以在办理时告诉工作人员更正。还有问题请说“转人工”。", "category": "入会"})
    assert created.status_code == 201, created.text
    for kind in ("csv", "xlsx"):
        export = staff.get("/faqs/export", format=kind)
        assert export.status_code == 200
        if kind == "csv":
            body = export.content.decode("utf-8-sig")
            assert "139****5678" in body and "130***********1924" in body and leaks(body) == []

    # The logs of every process of the stack.
    logs = live_stack.logs(tail=None)
    assert [line for line in logs.splitlines() if leaks(line)] == []


@pytest.mark.parametrize("how", ["submitted", "cancelled"])
def test_id_number_and_phone_leave_the_tracker_after_the_form(live_stack, web_chat, how):
    chat = web_chat()
    id_number = fresh_id_number()
    cid = f"web:{chat.session_id}"
    phone = f"139{random.randint(10000000, 99999999)}"
    if how == "submitted":
        walk_to_summary(chat, id_number)
        # (walk_to_summary types 138 1234 5678 as the phone)
        phone = "13812345678"
        assert NUMBER_RE.search(chat.say_text(payload="/affirm"))
    else:
        chat.say_text("我想入会")
        chat.say_text("刘洋")
        chat.say_text(payload="/affirm")
        chat.say_text(f"{id_number[:6]} {id_number[6:14]} {id_number[14:]}")
        chat.say_text(f"+86 {phone}")
        assert "取消" in chat.say_text("算了不办了")
    tracker = json.dumps(rasa_events(live_stack, cid), ensure_ascii=False)
    digits = re.sub(r"\D", "", tracker)
    assert id_number not in tracker and id_number[6:14] not in digits and phone not in digits
    assert id_number[:3] + "*" * 11 + id_number[-4:] in tracker  # what was typed is kept, masked
    assert chat.say_text("你好")  # the chat goes on


def _forget_on_web(live_stack, chat) -> None:
    reply = chat.say("删除我的记录")
    assert [b["title"] for b in reply[-1]["buttons"]] == ["确认删除", "不删除"]
    assert "依法保留" in reply[-1]["text"]


def test_delete_my_history_on_the_web_declined_then_confirmed(live_stack, web_chat):
    chat = web_chat()
    cid = f"web:{chat.session_id}"
    chat.say_text("我想提个建议")
    chat.say_text("建议食堂晚上多开一个小时，夜班工友下班没饭吃")
    number = re.search(r"JY\d{8}-[A-Z0-9]{4,8}", chat.say_text(f"王强 {PHONE}")).group(0)
    before = chat.transcript()

    # Declined: nothing goes.
    _forget_on_web(live_stack, chat)
    assert chat.say_text(payload="/forget_decline") == texts.text("utter_forget_declined")
    assert [m["text"] for m in chat.transcript()][: len(before)] == [m["text"] for m in before]
    assert any(e["event"] == "user" for e in rasa_events(live_stack, cid)["events"])

    # Something else instead of an answer: the question is dropped, the bot answers as usual.
    _forget_on_web(live_stack, chat)
    assert chat.say_text("你好") != texts.text("utter_forget_done")
    assert len(chat.transcript()) > len(before)

    # Confirmed: the transcript and the tracker go; the worker is told the record stays.
    _forget_on_web(live_stack, chat)
    done = chat.say_text(payload="/forget_confirm")
    assert done == texts.text("utter_forget_done") and "依法保管" in done
    assert [(m["role"], m["text"]) for m in chat.transcript()] == [("bot", done)]
    assert [e for e in rasa_events(live_stack, cid)["events"] if e["event"] == "user"] == []
    assert live_stack.backend_get(f"/v1/suggestions/{number}").status_code == 200
    # 查询进度 still finds what was filed from this chat.
    assert number in chat.say_text("查询进度")


@pytest.fixture(scope="module")
def wechat_gateway(live_stack, api):  # noqa: F811 (the fixture imported above)
    gw = WeChatGateway(live_stack, api, "wechat-privacy", WECHAT_AES_KEY=WECHAT_AES_KEY).start()
    yield gw
    gw.stop()


def test_delete_my_history_on_wechat_declined_then_confirmed(live_stack, wechat_gateway, api):  # noqa: F811
    chat = WeChatChat(wechat_gateway, api)
    cid = f"wechat:{chat.user.openid}"
    chat.say("你好")
    chat.say(f"我电话 {FORMS[3]}")
    assert "1. 确认删除" in chat.say("删除我的记录") and "2. 不删除" in chat.last
    assert chat.choose("不删除") == texts.text("utter_forget_declined")
    kept = transcript_of(live_stack.database_url, cid)
    assert ("user", "你好") in kept

    assert "确认删除" in chat.say("请帮我删除聊天记录")
    done = chat.choose("确认删除")
    assert done == texts.text("utter_forget_done")
    assert transcript_of(live_stack.database_url, cid) == [("bot", done)]
    assert [e for e in rasa_events(live_stack, cid)["events"] if e["event"] == "user"] == []
    # The chat goes on afresh.
    assert chat.say("谢谢")
