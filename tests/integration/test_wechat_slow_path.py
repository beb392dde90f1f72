"""The 5-second rule: when a turn takes longer than the reply budget, POST /wechat answers "success"
within the budget and the replies reach the worker through the customer-service API.

How Rasa is made slow: no test-only code in the gateway. This module starts its own WeChat gateway
whose RASA_URL is a delaying proxy on loopback (tests/fakes/wechat_gateway.SlowRasaProxy) in front of
the session's real Rasa server: every turn is held 3 s before the proxy forwards it, so the real
model answers, just late. The gateway's budget is 1.5 s (WECHAT_REPLY_BUDGET) to keep the test short;
the customer-service API is the fake WeChat API server on loopback (WECHAT_API_BASE).
"""
from __future__ import annotations

import time

import pytest

from tests.fakes.wechat_api import WeChatUser
from tests.fakes.wechat_gateway import api  # noqa: F401 (fixture)
from tests.fakes.wechat_gateway import SlowRasaProxy, WeChatGateway, rasa_user_texts, transcript_of

BUDGET = 1.5
RASA_DELAY = 3.0


@pytest.fixture(scope="module")
def slow_rasa(live_stack):
    proxy = SlowRasaProxy(live_stack.rasa_url, delay=RASA_DELAY)
    yield proxy
    proxy.stop()


@pytest.fixture(scope="module")
def gateway(live_stack, api, slow_rasa):
    gw = WeChatGateway(live_stack, api, "wechat-slow", rasa_url=slow_rasa.url, WECHAT_REPLY_BUDGET=BUDGET).start()
    yield gw
    gw.stop()


def test_slow_turn_answers_success_in_budget_and_pushes_the_reply(live_stack, gateway, api, slow_rasa):
    user = WeChatUser(gateway.url, gateway.token)
    held_before = slow_rasa.turns_held
    started = time.monotonic()
    answer = user.text("你好")
    took = time.monotonic() - started
    assert answer.is_success, answer.body
    assert took < BUDGET + 0.7, f"answered after {took:.2f} s"

    pushed = api.wait_for_messages(user.openid, 1, timeout=RASA_DELAY + 10)
    assert len(pushed) == 1 and "回复数字即可选择" in pushed[0] and "1. 我要入会" in pushed[0]
    assert slow_rasa.turns_held == held_before + 1

    # The pushed choices work like passive ones: "1" is the first button.
    assert user.text("1").is_success
    pushed = api.wait_for_messages(user.openid, 2, timeout=RASA_DELAY + 10)
    assert "姓名" in pushed[1]
    assert rasa_user_texts(live_stack, f"wechat:{user.openid}") == ["你好", "/join_union"]


def test_retry_during_a_slow_turn_is_success_and_no_second_turn(live_stack, gateway, api, slow_rasa):
    user = WeChatUser(gateway.url, gateway.token)
    xml = user.message_xml("text", {"Content": "我想入会"})
    held_before = slow_rasa.turns_held
    assert user.post_xml(xml).is_success
    retry = user.post_xml(xml)  # WeChat's retry while the turn is still running
    assert retry.is_success

    pushed = api.wait_for_messages(user.openid, 1, timeout=RASA_DELAY + 10)
    time.sleep(RASA_DELAY + 0.5)  # a second turn, if one had started, would have pushed by now
    assert len(api.messages_to(user.openid)) == 1 and "姓名" in pushed[0]
    assert slow_rasa.turns_held == held_before + 1
    assert rasa_user_texts(live_stack, f"wechat:{user.openid}") == ["我想入会"]
    transcript = transcript_of(live_stack.database_url, f"wechat:{user.openid}")
    assert [t for r, t in transcript if r == "user"] == ["我想入会"]
