"""A worker joins the union over the web chat: real Rasa server, gateway, back end, Redis."""
from __future__ import annotations

import json
import re
import time

import redis

from tests.identities import fresh_id_number

NUMBER_RE = re.compile(r"RH\d{8}-[A-Z0-9]{4,8}")


def walk_to_summary(chat, id_number: str, name: str = "张伟") -> str:
    """Answers every question of the join form; returns the summary the bot shows."""
    assert "姓名" in chat.say_text("我想入会")
    assert "同意" in chat.say_text(name)
    assert "身份证号" in chat.say_text(payload="/affirm")
    assert "手机号" in chat.say_text(id_number)
    assert "单位" in chat.say_text("138 1234 5678")
    assert "行业" in chat.say_text("顺丰速运有限公司")
    return chat.say_text(payload="快递物流")


def test_join_conversation_files_an_application(live_stack, web_chat):
    chat = web_chat()
    id_number = fresh_id_number()
    assert "姓名" in chat.say_text("我想入会")
    assert "同意" in chat.say_text("张伟")
    assert "身份证号" in chat.say_text(payload="/affirm")

    # A wrong ID number is asked for again, with the reason.
    wrong = id_number[:-1] + ("0" if id_number[-1] != "0" else "1")
    reply = chat.say_text(wrong)
    assert "校验位" in reply and "身份证号" in reply
    assert "出生日期" in chat.say_text(id_number[:10] + "1399" + id_number[14:])
    assert "手机号" in chat.say_text(id_number)
    assert "11 位" in chat.say_text("12345")
    assert "单位" in chat.say_text("138 1234 5678")
    assert "行业" in chat.say_text("顺丰速运有限公司")
    summary = chat.say_text(payload="快递物流")
    # The summary masks the ID number and phone.
    assert id_number[:3] + "*" * 11 + id_number[-4:] in summary and "138****5678" in summary
    assert id_number not in summary

    done = chat.say_text(payload="/affirm")
    assert "3 个工作日" in done
    number = NUMBER_RE.search(done).group(0)

    record = live_stack.backend_get(f"/v1/membership-applications/{number}")
    assert record.status_code == 200, record.text
    body = record.json()
    assert (body["name"], body["id_number"], body["phone"], body["employer"], body["industry"], body["status"]) == (
        "张伟", id_number, "13812345678", "顺丰速运有限公司", "快递物流", "submitted")
    assert body["channel"] == "web" and body["channel_user"] == f"web:{chat.session_id}"

    # The transcript keeps both sides, with the tapped button shown by its title.
    roles_texts = [(m["role"], m["text"]) for m in chat.transcript()]
    assert ("user", "快递物流") in roles_texts and ("user", "确认提交") in roles_texts
    assert roles_texts[-1][0] == "bot" and number in roles_texts[-1][1]

    # A second application with the same ID number AND the phone on file answers with the existing
    # number, no duplicate (the worker proved both, as 查询进度 asks).
    again = web_chat()
    assert "姓名" in again.say_text("我要入会")
    again.say_text("张伟")
    again.say_text(payload="/affirm")
    assert "手机号" in again.say_text(id_number)  # the ID number alone: nothing said about it
    reply = again.say_text("+86 138 1234 5678")
    assert number in reply and "手机号" in reply
    listed = live_stack.backend_get("/v1/membership-applications", id_number=id_number).json()["items"]
    assert [item["number"] for item in listed] == [number]


def test_an_id_number_alone_reveals_no_application(live_stack, web_chat):
    """A new chat that types someone else's ID number with another phone hears nothing of the open
    application: the form goes on as for anyone, and the officers are told in the new record."""
    id_number = fresh_id_number()
    first = web_chat()
    walk_to_summary(first, id_number)
    number = NUMBER_RE.search(first.say_text(payload="/affirm")).group(0)

    stranger = web_chat()
    assert "姓名" in stranger.say_text("我想入会")
    stranger.say_text("李强")
    stranger.say_text(payload="/affirm")
    assert "手机号" in stranger.say_text(id_number)
    reply = stranger.say_text("13998765432")
    assert "单位" in reply and number not in reply and "申请" not in reply
    stranger.say_text("美团")
    summary = stranger.say_text(payload="快递物流")
    assert number not in summary
    done = stranger.say_text(payload="/affirm")
    second = NUMBER_RE.search(done).group(0)
    assert second != number and number not in done
    assert all(number not in m["text"] for m in stranger.transcript())
    history = live_stack.backend_get(f"/v1/membership-applications/{second}").json()["history"]
    assert any(h["action"] == "note" and number in (h["note"] or "") and "手机号不同" in h["note"] for h in history)


def test_cancel_leaves_the_form_and_submits_nothing(live_stack, web_chat):
    chat = web_chat()
    id_number = fresh_id_number()
    chat.say_text("入会")
    chat.say_text("李娜")
    chat.say_text(payload="/affirm")
    reply = chat.say_text("算了不办了")
    assert "取消" in reply
    # The form is gone: an ID number now is not taken as an answer.
    chat.say_text(id_number)
    listed = live_stack.backend_get("/v1/membership-applications", id_number=id_number).json()["items"]
    assert listed == []


def test_declining_id_consent_ends_without_asking_for_it(live_stack, web_chat):
    chat = web_chat()
    chat.say_text("我想入会")
    chat.say_text("王芳")
    reply = chat.say_text(payload="/deny")
    assert "职工服务中心" in reply and "18 位" not in reply


def test_back_end_down_the_application_waits_in_the_outbox(live_stack, web_chat):
    chat = web_chat()
    id_number = fresh_id_number()
    live_stack.stop_backend()
    try:
        summary = walk_to_summary(chat, id_number, name="赵磊")
        assert "赵磊" in summary
        done = chat.say_text(payload="/affirm")
        number = NUMBER_RE.search(done).group(0)   # the worker still gets a number
        r = redis.Redis.from_url(live_stack.redis_url, decode_responses=True)
        queued = json.loads(r.hget("outbox:items", number))
        assert queued["body"]["id_number"] == id_number
        time.sleep(3)   # at least one failed retry while the back end is down
        assert r.hexists("outbox:items", number)
    finally:
        live_stack.start_backend()

    resp = live_stack.wait_for_record(f"/v1/membership-applications/{number}")
    assert resp.status_code == 200, "the queued application never reached the back end"
    assert resp.json()["id_number"] == id_number and resp.json()["name"] == "赵磊"
    assert not r.hexists("outbox:items", number)
