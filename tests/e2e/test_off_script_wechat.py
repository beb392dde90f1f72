"""The off-script conversations of test_off_script.py over WeChat: real wechatpy-signed messages to a
gunicorn gateway on the live stack (real Rasa, Redis, back end), in safe mode (AES), with only
WeChat's API servers faked (tests/fakes/). Buttons arrive as numbered lines and are chosen by
sending their number, as a worker on a phone does."""
from __future__ import annotations

import re

import pytest

from tests.e2e import off_script
from tests.fakes.wechat_api import WeChatUser
from tests.fakes.wechat_gateway import api  # noqa: F401 (fixture)
from tests.fakes.wechat_gateway import WECHAT_AES_KEY, WeChatGateway


@pytest.fixture(scope="module")
def gateway(live_stack, api):
    gw = WeChatGateway(live_stack, api, "wechat-off-script", WECHAT_AES_KEY=WECHAT_AES_KEY).start()
    yield gw
    gw.stop()


class Chat:
    """One WeChat user: the passive reply of each message, or what was pushed when the turn ran
    over WeChat's reply budget."""

    def __init__(self, gateway, api):
        self.user = WeChatUser(gateway.url, gateway.token, aes_key=gateway.aes_key, app_id=gateway.app_id)
        self.api = api
        self.pushed = 0
        self.last = ""

    def say(self, text: str) -> str:
        answer = self.user.text(text)
        assert answer.status == 200, answer.body
        if answer.text is not None:
            parts = [answer.text]
        else:
            parts = self.api.wait_for_messages(self.user.openid, self.pushed + 1, timeout=20)[self.pushed:]
        self.pushed = len(self.api.messages_to(self.user.openid))
        self.last = "\n".join(parts)
        return self.last

    def choose(self, title: str) -> str:
        found = re.search(r"^(\d+)\. [^\n]*" + re.escape(title), self.last, re.M)
        assert found, f"no choice {title!r} in {self.last}"
        return self.say(found.group(1))


@pytest.fixture()
def chat(gateway, api):
    return Chat(gateway, api)


def test_question_inside_the_join_form(chat):
    off_script.question_inside_the_join_form(chat)


def test_question_inside_the_wage_form_and_amounts_in_workers_words(chat, live_stack):
    number = off_script.question_inside_the_wage_form(chat, off_script.fresh_phone())
    details = live_stack.backend_get(f"/v1/cases/{number}").json()["details"]
    assert (details["amount_yuan"], details["months"], details["workers"]) == (8000, 3, 11)


def test_switch_with_yes_keeps_the_form_and_offers_it_back(chat, live_stack):
    number = off_script.switch_with_yes_and_the_kept_form_offered_back(chat, off_script.fresh_phone())
    details = live_stack.backend_get(f"/v1/cases/{number}").json()["details"]
    assert (details["employer"], details["amount_yuan"], details["months"]) == ("鸿达建筑劳务有限公司", 8000, 3)


def test_switch_with_no(chat):
    off_script.switch_with_no(chat)


def test_status_and_a_person_inside_a_form(chat):
    off_script.status_and_a_person_inside_a_form(chat)


def test_question_before_the_service_and_a_request(chat, gateway, api):
    off_script.question_before_the_service(chat)
    off_script.request_starts_the_service(Chat(gateway, api))


def test_offer_a_person_once(chat):
    off_script.offer_a_person_once(chat)
