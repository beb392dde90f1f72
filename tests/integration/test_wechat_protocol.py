"""POST/GET /wechat with real wechatpy-signed (and, in safe mode, wechatpy-encrypted) messages
against gunicorn gateways on the live stack (real Rasa server, Redis, back end); only WeChat's API
servers are faked (tests/fakes/wechat_api.py)."""
from __future__ import annotations

import time

import pytest
import requests

from tests.fakes.wechat_api import WeChatUser
from tests.fakes.wechat_gateway import api  # noqa: F401 (fixture)
from tests.fakes.wechat_gateway import WECHAT_AES_KEY, WeChatGateway, rasa_user_texts, transcript_of


@pytest.fixture(scope="module")
def gateway(live_stack, api):
    gw = WeChatGateway(live_stack, api, "wechat-plain").start()
    yield gw
    gw.stop()


@pytest.fixture(scope="module")
def safe_gateway(live_stack, api):
    gw = WeChatGateway(live_stack, api, "wechat-safe", workers=1, WECHAT_AES_KEY=WECHAT_AES_KEY).start()
    yield gw
    gw.stop()


@pytest.fixture()
def user(gateway):
    return WeChatUser(gateway.url, gateway.token)


# --- the URL check and requests that are not WeChat's ------------------------------------------
def test_url_check_echoes_echostr_only_for_wechats_signature(gateway, user):
    ok = requests.get(f"{gateway.url}/wechat", params=dict(user.query(), echostr="8413729"), timeout=5)
    assert ok.status_code == 200 and ok.text == "8413729"
    forged = requests.get(f"{gateway.url}/wechat", params=dict(user.query(token="guessed"), echostr="echo-7731"),
                          timeout=5)
    assert forged.status_code == 403 and "echo-7731" not in forged.text
    stale = requests.get(f"{gateway.url}/wechat", params=dict(user.query(timestamp=int(time.time()) - 600),
                                                              echostr="1"), timeout=5)
    assert stale.status_code == 403


def test_wrong_signature_or_old_timestamp_is_403_and_nothing_is_recorded(live_stack, user):
    xml = user.message_xml("text", {"Content": "你好"})
    assert user.post_xml(xml, query=user.query(token="not-the-token")).status == 403
    assert user.post_xml(xml, query=user.query(timestamp=int(time.time()) - 301)).status == 403
    assert user.post_xml(xml, query=user.query(timestamp=int(time.time()) + 600)).status == 403
    no_signature = {k: v for k, v in user.query().items() if k != "signature"}
    assert user.post_xml(xml, query=no_signature).status == 403
    assert transcript_of(live_stack.database_url, f"wechat:{user.openid}") == []


@pytest.mark.parametrize("body", [
    b"<xml><ToUserName><![CDATA[gh_x]]></ToUserName><FromUser",               # cut off
    b"not xml at all",
    b"<note><to>Tove</to><from>Jani</from></note>",                           # XML, not WeChat's
    b"<xml><ToUserName>gh_x</ToUserName><FromUserName>o1</FromUserName></xml>",  # no MsgType
    b"<xml><MsgType>text</MsgType><Content>hi</Content></xml>",              # no sender
    b"<xml><ToUserName>gh</ToUserName><FromUserName>o1</FromUserName><CreateTime>soon</CreateTime>"
    b"<MsgType>text</MsgType><Content>hi</Content><MsgId>1</MsgId></xml>",   # CreateTime not a number
    b"<xml><ToUserName>gh</ToUserName><FromUserName>o1</FromUserName><CreateTime>1</CreateTime>"
    b"<MsgType>text</MsgType><Content><b>hi</b></Content><MsgId>x7</MsgId></xml>",  # nested, MsgId
    # entity expansion ("billion laughs") and an external entity: refused before any parser runs
    b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]>'
    b"<xml><ToUserName>gh</ToUserName><FromUserName>o1</FromUserName><CreateTime>1</CreateTime>"
    b"<MsgType>text</MsgType><Content>&lol2;</Content><MsgId>1</MsgId></xml>",
    b'<!doctype xml SYSTEM "file:///etc/passwd"><xml><MsgType>text</MsgType></xml>',
    b'<xml><!ENTITY x SYSTEM "file:///etc/passwd"><MsgType>text</MsgType></xml>',
    "<xml><MsgType>text</MsgType></xml>".encode("utf-16"),                    # not UTF-8
])
def test_malformed_or_foreign_xml_is_400(user, body):
    answer = user.post_raw(body)
    assert answer.status == 400, answer.body


def test_body_over_64_kb_is_413(user):
    xml = user.message_xml("text", {"Content": "长" * 22000})  # 66 000 bytes of UTF-8
    assert user.post_xml(xml).status == 413
    assert user.text("你好").status == 200  # the channel keeps working


# --- messages and events -----------------------------------------------------------------------
def test_text_goes_through_the_conversation_and_numbers_pick_buttons(live_stack, user):
    greeting = user.text("你好")
    assert greeting.status == 200 and greeting.text, greeting.body
    # The greeting's buttons are numbered choices.
    assert "回复数字即可选择" in greeting.text and "1. 我要入会" in greeting.text
    asked = user.text("1")
    assert "姓名" in asked.text
    cid = f"wechat:{user.openid}"
    assert rasa_user_texts(live_stack, cid)[-2:] == ["你好", "/join_union"]
    # The transcript shows what the worker picked, by its title.
    assert ("user", "我要入会") in transcript_of(live_stack.database_url, cid)
    # A number that is not one of the choices shown is plain text for the conversation.
    user.text("取消")
    user.text("7")
    assert rasa_user_texts(live_stack, cid)[-1] == "7"


def test_voice_uses_recognition_or_asks_to_type(live_stack, user):
    heard = user.voice(recognition="我想入会。")
    assert "姓名" in heard.text
    unheard = user.voice(recognition=None)
    assert "打字" in unheard.text
    assert rasa_user_texts(live_stack, f"wechat:{user.openid}") == ["我想入会。"]


@pytest.mark.parametrize("kind, expected", [
    ("image", "看不懂图片"), ("location", "用文字"), ("link", "打不开链接"), ("file", "不能接收文件"),
])
def test_other_message_kinds_say_what_to_send_instead(live_stack, user, kind, expected):
    answer = getattr(user, kind)()
    assert answer.status == 200 and expected in answer.text
    transcript = transcript_of(live_stack.database_url, f"wechat:{user.openid}")
    assert transcript[0][0] == "user" and transcript[0][1].startswith("[")
    assert transcript[1] == ("bot", answer.text)
    assert rasa_user_texts(live_stack, f"wechat:{user.openid}") == []  # Rasa was not bothered


def test_subscribe_welcomes_with_the_main_services(user):
    welcome = user.event("subscribe")
    assert "感谢关注" in welcome.text
    assert "1. 我要入会" in welcome.text and "6. 转人工" in welcome.text
    assert "姓名" in user.text("1").text


def test_menu_click_starts_the_service_of_its_intent(live_stack, user):
    now = int(time.time())
    assert "姓名" in user.event("CLICK", key="JOIN", create_time=now).text
    assert rasa_user_texts(live_stack, f"wechat:{user.openid}") == ["/join_union"]
    # Other events in the same second are not taken for retries of that click.
    assert user.event("CLICK", key="NO_SUCH_KEY", create_time=now).is_success
    assert user.event("VIEW", key="https://example.com/", create_time=now).is_success
    assert user.event("CLICK", key="JOIN", create_time=now + 1).text  # a second click is a new turn
    assert rasa_user_texts(live_stack, f"wechat:{user.openid}") == ["/join_union", "/join_union"]


def handoff_of(live_stack, cid: str) -> tuple[str, str | None] | None:
    from sqlalchemy import create_engine, text

    engine = create_engine(live_stack.database_url)
    try:
        with engine.connect() as conn:
            return conn.execute(text("SELECT status, outcome FROM handoffs WHERE conversation_id = :cid "
                                     "ORDER BY id DESC"), {"cid": cid}).first()
    finally:
        engine.dispose()


def test_unsubscribe_ends_the_handoff_quietly(live_stack, user, api):
    cid = f"wechat:{user.openid}"
    asked = user.event("CLICK", key="HUMAN")
    assert "12351" in asked.text
    assert tuple(handoff_of(live_stack, cid)) == ("waiting", None)
    user.text("我的工资三个月没发了")  # kept for the officer; Rasa is paused

    answer = user.event("unsubscribe")
    assert answer.is_success
    assert tuple(handoff_of(live_stack, cid)) == ("closed", "worker_left")
    tracker = requests.get(f"{live_stack.rasa_url}/conversations/{cid}/tracker",
                           params={"token": live_stack.rasa_token}, timeout=10).json()
    assert tracker["paused"] is False  # the bot has the chat back for when the worker returns
    transcript = transcript_of(live_stack.database_url, cid)
    assert transcript[-1][0] == "system" and "取消关注" in transcript[-1][1]
    time.sleep(0.5)
    assert api.messages_to(user.openid) == []  # nothing pushed to someone who left


# --- safe mode ---------------------------------------------------------------------------------
def test_safe_mode_decrypts_messages_and_encrypts_replies(live_stack, safe_gateway):
    user = WeChatUser(safe_gateway.url, safe_gateway.token, aes_key=WECHAT_AES_KEY, app_id=safe_gateway.app_id)
    welcome = user.event("subscribe")
    assert "感谢关注" in welcome.text
    assert "<Encrypt>" in welcome.body and "感谢关注" not in welcome.body  # the answer was encrypted
    assert "姓名" in user.text("我想入会").text
    assert rasa_user_texts(live_stack, f"wechat:{user.openid}") == ["我想入会"]
    assert "看不懂图片" in user.image().text


def test_safe_mode_refuses_wrong_keys_app_ids_and_plain_messages(live_stack, safe_gateway):
    other_app = WeChatUser(safe_gateway.url, safe_gateway.token, aes_key=WECHAT_AES_KEY, app_id="wx-someone-else")
    assert other_app.text("你好").status == 403
    other_key = WeChatUser(safe_gateway.url, safe_gateway.token, openid=other_app.openid,
                           aes_key="A" * 43, app_id=safe_gateway.app_id)
    assert other_key.text("你好").status in (400, 403)
    user = WeChatUser(safe_gateway.url, safe_gateway.token, openid=other_app.openid,
                      aes_key=WECHAT_AES_KEY, app_id=safe_gateway.app_id)
    xml = user.message_xml("text", {"Content": "你好"})
    assert user.post_xml(xml, encrypt=False).status == 403  # safe mode takes encrypted messages only
    forged = user.query(token="not-the-token")
    assert user.post_xml(xml, query=forged).status == 403
    hidden_dtd = '<!DOCTYPE x [<!ENTITY e "x">]><xml><ToUserName>gh</ToUserName></xml>'
    assert user.post_xml(hidden_dtd).status == 400  # checked again after decryption
    assert transcript_of(live_stack.database_url, f"wechat:{user.openid}") == []
