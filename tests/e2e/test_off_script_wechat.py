"""The off-script conversations of test_off_script.py over WeChat: real wechatpy-signed messages to a
gunicorn gateway on the live stack (real Rasa, Redis, back end), in safe mode (AES), with only
WeChat's API servers faked (tests/fakes/). Buttons arrive as numbered lines and are chosen by
sending their number, as a worker on a phone does."""
from __future__ import annotations

import re

import pytest

from tests.e2e import off_script
from tests.e2e.test_off_script import (  # noqa: F401 (the same tests, with this module's chat)
    test_offer_a_person_once, test_question_before_the_service_and_a_request, test_question_inside_the_join_form,
    test_question_inside_the_wage_form_and_amounts_in_workers_words, test_status_and_a_person_inside_a_form,
    test_switch_with_no, test_switch_with_yes_keeps_the_form_and_offers_it_back)
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
def new_chat(gateway, api):
    return lambda: Chat(gateway, api)


@pytest.fixture()
def chat(new_chat):
    return new_chat()


def test_corrections_in_a_form(chat):
    off_script.corrections_in_the_join_form(chat)
