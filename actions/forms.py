"""What every form validator shares: a reply is first understood (actions/replies.py), and only an
answer reaches the slot's validator; retry counting per slot, so a worker stuck on one question
is offered a person once, after the second failed try.

Anything else is understood as what it is, and the form then asks its question again: a question
is answered (the staff's FAQ, else the service's own answer), a status check lists the chat's
records, a greeting or thanks gets a word back, another service is offered as a switch (yes: the
new service starts and this form's answers are kept, actions/switching.py). A cancel or a request
for a person returns nothing, so Rasa's rules take the turn (cancel the form, hand over).
"""
from __future__ import annotations

import abc
from typing import Any, Callable

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import REQUESTED_SLOT, FormValidationAction
from rasa_sdk.types import DomainDict

from actions.extract import parse_consent
from actions.kept_forms import field_label as text_label, label
from actions.questions import answer_service_question
from actions.replies import FORM_INTENTS, SERVICE_FORMS, base_intent, classify, correction

MAX_TRIES = 2
# requested_slot while the form asks "switch to X?" (actions/switching.py asks it).
SWITCH_SLOT = "switch_confirmed"
PENDING_SWITCH = "pending_switch"
# What the last reply that was not an answer was (question, status, greet ...): for the transcript
# and the test stories; it also tells Rasa the form handled the turn itself.
INTERRUPTION = "form_interruption"
SAID_FOR = {"greet": "utter_in_form_greet", "thank": "utter_in_form_thank",
            "goodbye": "utter_in_form_goodbye", "repeat": "utter_in_form_repeat"}


class ServiceFormValidation(FormValidationAction, metaclass=abc.ABCMeta):
    """Base for the services' validators. `reject()` explains why a value is wrong and counts it;
    the second failure on the same slot also offers a person (utter_offer_human), once."""

    # slot -> parser that recognises a reply as an answer to that slot's question (None: not one).
    # Slots without a parser take free text: a short reply there may still be a question or a switch.
    answer_parsers: dict[str, Callable[[str], Any]] = {}

    @abc.abstractmethod
    def name(self) -> str:
        """Abstract, so rasa_sdk's executor does not register the base class itself."""

    def form_name(self) -> str:
        return self.name()[len("validate_"):]

    def parser_for(self, slot: str) -> Callable[[str], Any] | None:
        return self.answer_parsers.get(slot)

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        slot = tracker.get_slot(REQUESTED_SLOT)
        message = tracker.latest_message or {}
        text = (message.get("text") or "").strip()
        if slot == SWITCH_SLOT:
            return self.switch_reply(text, message, dispatcher, tracker)
        if not text or slot not in self.domain_slots(domain):
            return await super().run(dispatcher, tracker, domain)  # activation: prefilled slots only
        intent = message.get("intent") or {}
        own = FORM_INTENTS.get(self.form_name())
        kind = classify(text, intent.get("name"), intent.get("confidence") or 0.0, own, self.parser_for(slot))
        if kind == "answer":
            return await super().run(dispatcher, tracker, domain)
        if kind in ("cancel", "human"):
            return []  # the form rejects: the rules cancel it or hand the chat to a person
        return self.react(kind, base_intent(intent.get("name")), slot, text, dispatcher, tracker, domain)

    def react(self, kind: str, intent: str | None, slot: str, text: str, dispatcher: CollectingDispatcher,
              tracker: Tracker, domain: DomainDict) -> list[EventType]:
        """The reply is not an answer: say what fits, then the form asks `slot` again."""
        again = [SlotSet(INTERRUPTION, kind), SlotSet(REQUESTED_SLOT, slot)]
        if kind == "correct":
            return self.correct(text, slot, dispatcher, tracker, domain) or again
        if kind == "switch":
            pending = {"to": intent, "from": self.form_name(), "slot": slot, "text": text}
            return [SlotSet(INTERRUPTION, kind), SlotSet(PENDING_SWITCH, pending), SlotSet(REQUESTED_SLOT, SWITCH_SLOT)]
        if kind == "question":
            own = FORM_INTENTS.get(self.form_name())
            # 为什么要身份证号 asked at that question: the form says why it asks (utter_explain_<slot>).
            explain = f"utter_explain_{slot}" if f"utter_explain_{slot}" in (domain.get("responses") or {}) else None
            if explain and intent in (own, "faq"):
                answer_service_question(dispatcher, tracker, None, offer=False, explain=explain)
            else:
                answer_service_question(dispatcher, tracker, intent, offer=intent in SERVICE_FORMS and intent != own)
        elif kind == "status":
            from actions.application_status import list_chat_records  # it imports the forms itself

            if not list_chat_records(dispatcher, tracker):
                dispatcher.utter_message(response="utter_status_none_in_form")
        elif kind in SAID_FOR:
            dispatcher.utter_message(response=SAID_FOR[kind], service=label(self.form_name()))
        return again

    def correct(self, text: str, slot: str, dispatcher: CollectingDispatcher, tracker: Tracker,
                domain: DomainDict) -> list[EventType]:
        """"刚才名字写错了": that answer is cleared and asked again; the form then goes on to the
        next empty question. A correction that names nothing means the last answer given."""
        required = list(self.domain_slots(domain))
        answered = [name for name in required if name != slot and tracker.get_slot(name) is not None
                    and not self.is_confirmation(name)]
        named = correction(text) or ()
        target = next((name for name in answered if name in named), None)
        if target is None and not named:
            target = self.last_answered(tracker, answered)
        if target is None:
            dispatcher.utter_message(response="utter_correction_unclear")
            return []
        dispatcher.utter_message(response="utter_correction", field=text_label(target))
        clear = [SlotSet(target, None)]
        if f"{target}_masked" in (domain.get("slots") or {}):
            clear.append(SlotSet(f"{target}_masked", None))
        return clear + [SlotSet(INTERRUPTION, "correct"), SlotSet(REQUESTED_SLOT, target)]

    @staticmethod
    def is_confirmation(slot: str) -> bool:
        """Consents and the final yes are not answers one corrects: they are asked again anyway."""
        return slot.endswith(("_consent", "_confirmed", "_waitlist"))

    @staticmethod
    def last_answered(tracker: Tracker, answered: list[str]) -> str | None:
        for event in reversed(tracker.events):
            if event.get("event") == "slot" and event.get("name") in answered and event.get("value") is not None:
                return event["name"]
        return None

    def switch_reply(self, text: str, message: dict, dispatcher: CollectingDispatcher,
                     tracker: Tracker) -> list[EventType]:
        """The answer to "switch to X?": yes starts X (actions/switching.py), no goes back."""
        pending = dict(tracker.get_slot(PENDING_SWITCH) or {})
        intent = message.get("intent") or {}
        kind = classify(text, intent.get("name"), intent.get("confidence") or 0.0,
                        FORM_INTENTS.get(self.form_name()), lambda words: parse_consent(words) is not None)
        if kind in ("cancel", "human"):
            return []
        if kind == "switch":  # "不，我要报工伤": the service named now
            pending["to"] = base_intent(intent.get("name"))
        answer = True if kind == "switch" else parse_consent(text)
        if answer is None and base_intent(intent.get("name")) in ("affirm", "deny"):
            answer = base_intent(intent.get("name")) == "affirm"
        if answer is True and pending.get("to") in SERVICE_FORMS:
            return [SlotSet(PENDING_SWITCH, pending), SlotSet(SWITCH_SLOT, True), SlotSet(REQUESTED_SLOT, None),
                    FollowupAction("action_switch_service")]
        if answer is False or not pending.get("slot"):
            dispatcher.utter_message(response="utter_switch_declined", service=label(self.form_name()))
            return [SlotSet(PENDING_SWITCH, None), SlotSet(SWITCH_SLOT, None), SlotSet(INTERRUPTION, "stay"),
                    SlotSet(REQUESTED_SLOT, pending.get("slot"))]
        dispatcher.utter_message(response="utter_switch_unclear")
        return [SlotSet(INTERRUPTION, "unclear"), SlotSet(REQUESTED_SLOT, SWITCH_SLOT)]

    async def get_extraction_events(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                                    domain: DomainDict) -> list[EventType]:
        """The reply (run() made sure it is an answer) is the value of the slot the form asked."""
        slot = tracker.get_slot(REQUESTED_SLOT)
        text = ((tracker.latest_message or {}).get("text") or "").strip()
        if slot not in self.domain_slots(domain) or not text:
            return []
        return [SlotSet(slot, text)]

    @staticmethod
    def reject(slot: str, problem: str, dispatcher: CollectingDispatcher, tracker: Tracker) -> dict[str, Any]:
        dispatcher.utter_message(response=f"utter_invalid_{slot}_{problem}")
        failures = dict(tracker.get_slot("slot_failures") or {})
        failures[slot] = failures.get(slot, 0) + 1
        if failures[slot] == MAX_TRIES:  # once per slot, not under every later reply
            dispatcher.utter_message(response="utter_offer_human")
        return {slot: None, "slot_failures": failures}
