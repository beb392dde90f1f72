"""Rate limits (config/floods.yml) on the real Redis, through the app's own request handling: per
address for new web chat sessions and logins, per web session for messages, per WeChat openid for
signed WeChat messages; what is refused says so in Chinese, in the contract's error shape, and
words that signal danger go through whatever the count."""
from __future__ import annotations

import re

import pytest
import xmltodict

from bot.floods.policy import FloodPolicy
from config.settings import Settings
from tests.fakes.wechat_api import WeChatUser

WECHAT_TOKEN = "floods-wechat-token"
POLICY = FloodPolicy.load(Settings())
# Nothing answers here: every turn that reaches "Rasa" gets the service-unavailable reply at once,
# which is all these tests need (they count what the limits let through).
NO_RASA = "http://127.0.0.1:9"


def per_minute(name: str) -> int:
    return int(re.match(r"(\d+)\s*/\s*minute", POLICY.limit(name)).group(1))


@pytest.fixture()
def app(make_app):
    return make_app(rasa_url=NO_RASA, wechat_token=WECHAT_TOKEN)


def new_session(client, address="10.1.0.1"):
    return client.post("/api/chat/sessions", environ_base={"REMOTE_ADDR": address})


def test_new_sessions_are_limited_per_address_with_a_chinese_429(app):
    client = app.test_client()
    allowed = per_minute("session_create_per_address")
    assert [new_session(client).status_code for _ in range(allowed)] == [201] * allowed
    refused = new_session(client)
    assert refused.status_code == 429
    assert refused.get_json() == {"error": "Too Many Requests", "message": POLICY.text("sessions_too_fast")}
    assert 0 < int(refused.headers["Retry-After"]) <= 60
    # Another address is not held back by the first one's flood.
    assert new_session(client, address="10.1.0.2").status_code == 201


def test_messages_are_limited_per_web_session_and_danger_still_goes_through(app):
    client = app.test_client()

    def session():
        body = new_session(client).get_json()
        return body["session_id"], {"Authorization": f"Bearer {body['token']}"}

    sid, auth = session()
    allowed = per_minute("web_session")
    for _ in range(allowed):
        assert client.post("/api/chat/messages", json={"session_id": sid, "text": "你好"}, headers=auth).status_code == 200
    refused = client.post("/api/chat/messages", json={"session_id": sid, "text": "你好"}, headers=auth)
    assert refused.status_code == 429
    assert refused.get_json()["message"] == POLICY.text("web_too_fast")
    assert int(refused.headers["Retry-After"]) >= 1

    danger = client.post("/api/chat/messages", json={"session_id": sid, "text": "我不想活了，想跳楼"}, headers=auth)
    assert danger.status_code == 200 and "12356" in " ".join(m["text"] for m in danger.get_json()["messages"])

    other_sid, other_auth = session()
    assert client.post("/api/chat/messages", json={"session_id": other_sid, "text": "你好"},
                       headers=other_auth).status_code == 200


def wechat_text(client, user: WeChatUser, text: str) -> str:
    resp = client.post("/wechat", query_string=user.query(), data=user.message_xml("text", {"Content": text}),
                       content_type="text/xml")
    assert resp.status_code == 200, resp.get_data(as_text=True)
    body = resp.get_data(as_text=True)
    return xmltodict.parse(body)["xml"]["Content"] if body.startswith("<xml") else body


def test_wechat_openid_over_its_limit_is_told_too_fast_and_others_are_not(app):
    client = app.test_client()
    flooder = WeChatUser("http://unused", WECHAT_TOKEN)
    allowed = per_minute("wechat_openid")
    answers = [wechat_text(client, flooder, f"你好{i}") for i in range(allowed + 5)]
    too_fast = POLICY.text("wechat_too_fast")
    assert too_fast not in answers[:allowed]
    assert answers[allowed:] == [too_fast] * 5
    # A refused message never reached the conversation: the transcript holds the allowed ones only.
    with app.app_context():
        from bot import transcript

        said = [m.text for m in transcript.after(f"wechat:{flooder.openid}") if m.role == "user"]
    assert said == [f"你好{i}" for i in range(allowed)]
    # Danger comes first, over the limit too.
    assert "12356" in wechat_text(client, flooder, "我不想活了")
    assert wechat_text(client, WeChatUser("http://unused", WECHAT_TOKEN), "你好") != too_fast


def test_floods_contained_off_lets_everything_through(make_app):
    app = make_app(rasa_url=NO_RASA, floods_contained=False)
    client = app.test_client()
    allowed = per_minute("session_create_per_address")
    assert {new_session(client).status_code for _ in range(allowed + 3)} == {201}


def test_a_limit_from_the_environment_replaces_the_file_and_a_wrong_name_is_refused():
    assert FloodPolicy.load(Settings(rate_limits={"web_session": "3/minute"})).limit("web_session") == "3/minute"
    with pytest.raises(ValueError, match="RATE_LIMIT_WEB_SESSIONS"):
        FloodPolicy.load(Settings(rate_limits={"web_sessions": "3/minute"}))
    assert Settings.from_env({"RATE_LIMIT_WECHAT_OPENID": "5/minute"}).rate_limits == {"wechat_openid": "5/minute"}
