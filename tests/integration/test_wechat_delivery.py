"""Pushing to WeChat users through the customer-service API (officer replies via bot.outbound, long
replies, the 48-hour allowance and its queue) and `flask --app server wechat sync-menu`, on a real
Redis and the fake WeChat API server on loopback. The gateway runs in this process (werkzeug on
loopback); these paths do not need Rasa."""
from __future__ import annotations

import threading
import time

import pytest
from werkzeug.serving import make_server

from bot import outbound
from bot.channels.wechat.menu import menu_definition
from bot.channels.wechat.split import MAX_BYTES, MAX_CHARS
from bot.models import Message
from config.database import Session
from tests.fakes.wechat_api import FakeWeChatApi, WeChatUser
from tests.fakes.wechat_gateway import WECHAT_TOKEN


@pytest.fixture()
def api():
    fake = FakeWeChatApi(token_delay=0).start()
    yield fake
    fake.stop()


@pytest.fixture()
def app(make_app, api):
    return make_app(wechat_token=WECHAT_TOKEN, wechat_app_id=api.app_id, wechat_app_secret=api.secret,
                    wechat_api_base=api.base_url, rasa_url="http://127.0.0.1:9")


@pytest.fixture()
def gateway_url(app):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


def transcript(app, openid: str) -> list[tuple[str, str]]:
    with app.app_context():
        rows = Session.query(Message).filter(Message.conversation_id == f"wechat:{openid}").order_by(Message.id)
        return [(m.role, m.text) for m in rows]


def deliver(app, openid: str, text: str, buttons: list | None = None) -> None:
    with app.test_request_context():
        outbound.deliver(f"wechat:{openid}", text, role="officer", buttons=buttons)


def test_officer_reply_reaches_wechat_with_numbered_buttons(app, gateway_url, api):
    user = WeChatUser(gateway_url, WECHAT_TOKEN)
    user.image()  # the worker wrote: pushes are allowed for 48 hours
    deliver(app, user.openid, "您好，我是工会的王老师。需要帮您联系律师吗？",
            buttons=[{"title": "需要", "payload": "/affirm"}, {"title": "不用了", "payload": "/deny"}])
    [pushed] = api.messages_to(user.openid)
    assert pushed.startswith("您好，我是工会的王老师。") and "1. 需要" in pushed and "2. 不用了" in pushed
    assert ("officer", "您好，我是工会的王老师。需要帮您联系律师吗？") in transcript(app, user.openid)
    with app.app_context():
        assert app.extensions["wechat"].choices.resolve(user.openid, "２")["payload"] == "/deny"


def test_long_reply_is_split_at_sentence_ends_within_wechats_limits(app, gateway_url, api):
    user = WeChatUser(gateway_url, WECHAT_TOKEN)
    user.image()
    sentences = [f"第{n}条：拖欠工资可以先向劳动保障监察投诉，也可以申请劳动仲裁，记得保留工资条和考勤记录。" for n in range(40)]
    deliver(app, user.openid, "".join(sentences))
    pushed = api.messages_to(user.openid)
    assert len(pushed) >= 2
    assert all(len(p.encode("utf-8")) <= MAX_BYTES and len(p) <= MAX_CHARS for p in pushed)
    assert all(p.endswith("。") for p in pushed)
    assert "".join(pushed) == "".join(sentences)


def test_the_allowance_of_five_then_the_queue_until_the_worker_writes(app, gateway_url, api):
    user = WeChatUser(gateway_url, WECHAT_TOKEN)
    user.image()
    for n in range(1, 8):
        deliver(app, user.openid, f"第 {n} 条消息。")
    assert api.messages_to(user.openid) == [f"第 {n} 条消息。" for n in range(1, 6)]
    notes = [t for r, t in transcript(app, user.openid) if r == "system"]
    assert len(notes) == 1 and "额度已用完" in notes[0]  # officers are told, once

    user.location()  # the worker writes again: the queue goes out, in order
    pushed = api.wait_for_messages(user.openid, 7, timeout=10)
    assert pushed == [f"第 {n} 条消息。" for n in range(1, 8)]
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and len([r for r, _ in transcript(app, user.openid) if r == "system"]) < 2:
        time.sleep(0.05)
    assert "2 条消息已发出" in [t for r, t in transcript(app, user.openid) if r == "system"][-1]
    with app.app_context():
        assert app.extensions["wechat"].quota.left(user.openid) == 3


def test_a_worker_who_never_wrote_gets_nothing_pushed_until_they_write(app, gateway_url, api):
    user = WeChatUser(gateway_url, WECHAT_TOKEN)
    deliver(app, user.openid, "您的申请已受理。")
    assert api.messages_to(user.openid) == []
    user.event("subscribe")
    assert api.wait_for_messages(user.openid, 1, timeout=10) == ["您的申请已受理。"]


def test_wechat_refusing_for_its_own_limit_queues_the_message(app, gateway_url, api):
    user = WeChatUser(gateway_url, WECHAT_TOKEN)
    user.image()
    api.allowance_spent = True
    deliver(app, user.openid, "工作人员已接入。")
    assert api.messages_to(user.openid) == []
    assert any("errcode 45047" in t for r, t in transcript(app, user.openid) if r == "system")
    with app.app_context():
        assert app.extensions["wechat"].quota.queued(user.openid) == ["工作人员已接入。"]
        assert app.extensions["wechat"].quota.left(user.openid) == 0
    api.allowance_spent = False
    user.image()
    assert api.wait_for_messages(user.openid, 1, timeout=10) == ["工作人员已接入。"]


def test_unsubscribe_stops_pushes(app, gateway_url, api):
    user = WeChatUser(gateway_url, WECHAT_TOKEN)
    user.image()
    user.event("unsubscribe")
    deliver(app, user.openid, "还在吗？")
    assert api.messages_to(user.openid) == []


def test_sync_menu_installs_the_configured_menu(app, api):
    result = app.test_cli_runner().invoke(args=["wechat", "sync-menu"])
    assert result.exit_code == 0, result.output
    assert "menu installed" in result.output
    assert api.menus == [menu_definition()]
    assert api.token_requests == 1


def test_sync_menu_without_credentials_says_what_to_set(make_app):
    app = make_app(wechat_token="t")
    result = app.test_cli_runner().invoke(args=["wechat", "sync-menu"])
    assert result.exit_code != 0 and "WECHAT_APP_ID" in result.output


def test_wechat_keeps_its_64_kb_limit_when_the_app_allows_more(make_app, api):
    app = make_app(wechat_token=WECHAT_TOKEN, max_content_length=10 * 1024 * 1024)
    user = WeChatUser("http://unused", WECHAT_TOKEN)
    big = user.message_xml("text", {"Content": "长" * 22000}).encode("utf-8")  # 66 000 bytes
    resp = app.test_client().post("/wechat", query_string=user.query(), data=big, content_type="text/xml")
    assert resp.status_code == 413


def test_without_wechat_token_the_channel_is_off(make_app):
    client = make_app().test_client()
    user = WeChatUser("http://unused", "")
    assert client.get("/wechat", query_string=dict(user.query(), echostr="x")).status_code == 404
    assert client.post("/wechat", query_string=user.query(), data=user.message_xml("text", {"Content": "你好"}),
                       content_type="text/xml").status_code == 404
