"""Legal aid (法律援助 / 维权咨询): the problem in the worker's words and a phone; a `legal_aid` case
for a union lawyer, who calls back within half a working day. Nothing here promises an outcome."""
from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.cases import ServiceForm, StartService, SubmitCase, texts_since
from unionkit.texts import text

FORM = "legal_aid_form"
# A first message this long already says what the problem is ("公司辞退我不给补偿怎么办").
TOPIC_IN_FIRST_MESSAGE = 10


class ActionStartLegalAid(StartService):
    intro = "utter_legal_aid_intro"

    def name(self) -> str:
        return "action_start_legal_aid"

    def prefill(self, text: str, tracker: Tracker) -> dict[str, Any]:
        return {"la_topic": text} if len(text.strip()) >= TOPIC_IN_FIRST_MESSAGE else {}


class ValidateLegalAidForm(ServiceForm):
    def name(self) -> str:
        return "validate_legal_aid_form"

    def validate_la_topic(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                          domain: DomainDict) -> dict[str, Any]:
        return self.free_text("la_topic", value, dispatcher, tracker, min_length=4, max_length=2000)


class ActionSubmitLegalAid(SubmitCase):
    form = FORM
    case_type = "legal_aid"
    submitted = "utter_legal_aid_submitted"
    team = "legal"

    def name(self) -> str:
        return "action_submit_legal_aid"

    def details(self, tracker: Tracker) -> dict[str, Any]:
        return {"topic": tracker.get_slot("la_topic") or " ".join(texts_since(tracker, "action_start_legal_aid"))}

    def summary(self, tracker: Tracker, details: dict[str, Any]) -> str:
        return text("utter_summary_legal_aid", topic=details["topic"][:1000])
