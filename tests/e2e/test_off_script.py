"""Off-script conversations over the web chat against the real stack (scenarios in off_script.py):
questions and status checks inside forms, switching service with yes and no, the kept form offered
back, a question before a service vs a request, amounts in workers' words, the person offered once.
test_off_script_wechat.py runs the same tests with its own `new_chat` (a WeChat user)."""
from __future__ import annotations

import pytest

from tests.e2e import off_script


class Chat:
    """The web chat as a worker uses it: type, or press a button shown in the last replies."""

    def __init__(self, web_chat):
        self.chat = web_chat
        self.last: list[dict] = []

    def say(self, text: str) -> str:
        self.last = self.chat.say(text)
        return "\n".join(m["text"] for m in self.last)

    def choose(self, title: str) -> str:
        buttons = [b for m in self.last for b in (m.get("buttons") or []) if title in b["title"]]
        assert buttons, f"no button {title!r} in {self.last}"
        self.last = self.chat.say(payload=buttons[0]["payload"])
        return "\n".join(m["text"] for m in self.last)


@pytest.fixture()
def new_chat(web_chat):
    return lambda: Chat(web_chat())


@pytest.fixture()
def chat(new_chat):
    return new_chat()


def test_question_inside_the_join_form(chat):
    off_script.question_inside_the_join_form(chat)


def test_question_inside_the_wage_form_and_amounts_in_workers_words(chat, live_stack):
    phone = off_script.fresh_phone()
    number = off_script.question_inside_the_wage_form(chat, phone)
    case = live_stack.backend_get(f"/v1/cases/{number}").json()
    details = case["details"]
    assert (details["employer"], details["amount_yuan"], details["months"], details["workers"]) == (
        "鸿达建筑劳务有限公司", 8000, 3, 11)
    assert case["priority"] == "urgent"  # ten or more workers


def test_switch_with_yes_keeps_the_form_and_offers_it_back(chat, live_stack):
    number = off_script.switch_with_yes_and_the_kept_form_offered_back(chat, off_script.fresh_phone())
    details = live_stack.backend_get(f"/v1/cases/{number}").json()["details"]
    assert (details["employer"], details["amount_yuan"], details["months"]) == ("鸿达建筑劳务有限公司", 8000, 3)


def test_switch_with_no(chat):
    off_script.switch_with_no(chat)


def test_status_and_a_person_inside_a_form(chat):
    off_script.status_and_a_person_inside_a_form(chat)


def test_question_before_the_service_and_a_request(chat, new_chat):
    off_script.question_before_the_service(chat)
    off_script.request_starts_the_service(new_chat())


def test_offer_a_person_once(chat):
    off_script.offer_a_person_once(chat)


def test_corrections_in_a_form(chat):
    off_script.corrections_in_the_join_form(chat)
