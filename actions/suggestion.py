"""Suggestions (合理化建议, feedback, 提案): the text, then optionally a name and phone for a reply."""
from __future__ import annotations

import re
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import services
from actions.cases import ServiceForm, StartService, channel_fields, is_name, reset_slots
from actions.extract import extract_phone, parse_yes_no
from actions.validators import check_name, check_phone
from unionkit.numbers import new_number

FORM = "suggestion_form"
PATH = "/v1/suggestions"
# A first message this long is the suggestion itself, not just "我想提个建议".
TEXT_IN_FIRST_MESSAGE = 15
_ANONYMOUS = re.compile(r"匿名|不留|不用|不需要|算了吧|不必|/deny")


class ActionStartSuggestion(StartService):
    intro = "utter_suggestion_intro"

    watches_for_urgent = False

    def name(self) -> str:
        return "action_start_suggestion"

    def prefill(self, text: str, tracker: Tracker) -> dict[str, Any]:
        return {"sg_text": text} if len(text.strip()) >= TEXT_IN_FIRST_MESSAGE else {}

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list:
        # A phone inside a suggestion is part of its text, not the contact for a reply.
        return [e for e in super().run(dispatcher, tracker, domain) if e.get("name") != "contact_phone"]


class ValidateSuggestionForm(ServiceForm):
    watches_for_urgent = False

    def name(self) -> str:
        return "validate_suggestion_form"

    answer_parsers = {"sg_contact": lambda text: bool(extract_phone(text) or _ANONYMOUS.search(text)
                                                       or is_name(text.split()[0] if text.split() else ""))}

    def validate_sg_text(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                         domain: DomainDict) -> dict[str, Any]:
        return self.free_text("sg_text", value, dispatcher, tracker, min_length=5, max_length=5000)

    def validate_sg_contact(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                            domain: DomainDict) -> dict[str, Any]:
        """'匿名' or a name and/or a phone in one answer ('王强 13812345678')."""
        words = str(value).strip()
        if _ANONYMOUS.search(words) or parse_yes_no(words) == "no":
            return {"sg_contact": "anonymous", "sg_name": None, "contact_phone": None}
        phone = extract_phone(words)
        rest = re.sub(r"[\d\s+\-，,、：:]+", " ", words).strip()
        rest = re.sub(r"^(姓名|名字|电话|手机|手机号)", "", rest).strip()
        name = None
        if rest:
            name, problem = check_name(rest.split(" ")[0])
            if problem:
                name = None
        if phone is None and re.search(r"\d{5,}", words):
            return self.reject("sg_contact", "phone", dispatcher, tracker)
        if phone:
            phone, problem = check_phone(phone)
        if not name and not phone:
            return self.reject("sg_contact", "format", dispatcher, tracker)
        return {"sg_contact": "given", "sg_name": name, "contact_phone": phone}


class ActionSubmitSuggestion(Action):
    def name(self) -> str:
        return "action_submit_suggestion"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list:
        slot = tracker.get_slot
        body = {"number": new_number("suggestion"), "text": slot("sg_text"), "name": slot("sg_name"),
                "phone": slot("contact_phone"), **channel_fields(tracker)}
        record, _queued = services.submit(PATH, body)
        dispatcher.utter_message(response="utter_suggestion_submitted" if slot("contact_phone") or slot("sg_name")
                                 else "utter_suggestion_submitted_anonymous", number=record["number"])
        return reset_slots(domain, FORM, "sg_name") + [SlotSet("last_reference_number", record["number"])]
