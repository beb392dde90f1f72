"""What the service conversations share: starting a form from the worker's first message, the
contact phone every service asks for, urgent wording (safety advice first), and filing a record
with the channel it came from.

Urgent wording (an injury that needs an ambulance, self-harm) shrinks a case form to the one
question that matters, the phone, so the case is filed and a person takes over at once.
"""
from __future__ import annotations

import abc
import re
from typing import Any, Callable

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import services
from actions.extract import extract_phone, is_urgent_injury, mentions_self_harm, parse_yes_no
from actions.forms import ServiceFormValidation
from actions.handoff import request_handoff
from actions.kept_forms import resume
from actions.replies import plausible_name
from actions.validators import check_name, check_phone
from unionkit.pii import mask_phone
from unionkit.numbers import new_number

CASES = "/v1/cases"
# urgent_reason values that need a person now: the form only asks for the phone.
URGENT_NOW = ("injury", "self_harm")
# urgent_reason -> the handoff's reason code (group / holiday arrears: urgent_wage_arrears).
HANDOFF_REASONS = {"injury": "urgent_injury", "self_harm": "self_harm"}
SHARED_SLOTS = ("contact_phone", "contact_phone_masked", "urgent_reason", "slot_failures", "requested_slot")


def latest_text(tracker: Tracker) -> str:
    return (tracker.latest_message or {}).get("text") or ""


def is_name(text: str) -> bool:
    """A plausible name: not a question or a request (怎么入, 查询进度)."""
    return plausible_name(text)


def _digits(text: str) -> bool:
    """Digits answer a phone question, right or wrong: the validator says what is wrong."""
    return bool(extract_phone(text) or re.search(r"\d{5,}", text))


def channel_fields(tracker: Tracker) -> dict[str, str]:
    """Where a record came from, so the worker can ask about it later from the same chat."""
    return {"channel": tracker.sender_id.split(":", 1)[0], "channel_user": tracker.sender_id}


def reset_slots(domain: DomainDict, form: str, *extra: str) -> list[SlotSet]:
    """Forget what one form collected (after it was filed), plus the shared slots."""
    slots = list((domain.get("forms") or {}).get(form, {}).get("required_slots") or [])
    return [SlotSet(slot, None) for slot in dict.fromkeys(slots + list(extra) + list(SHARED_SLOTS))]


def file_case(tracker: Tracker, case_type: str, phone: str, summary: str, details: dict[str, Any],
              urgent: bool = False) -> tuple[dict, bool]:
    """POST a case (or queue it in the outbox); returns (record, queued)."""
    body = {
        "number": new_number("case"), "type": case_type, "priority": "urgent" if urgent else "normal",
        "phone": phone, "summary": summary[:5000], "details": details, **channel_fields(tracker),
    }
    return services.submit(CASES, body)


def safety_first(text: str, dispatcher: CollectingDispatcher, injuries: bool = True) -> str | None:
    """Safety advice for urgent wording, before anything else; returns the urgent_reason or None."""
    if mentions_self_harm(text):
        dispatcher.utter_message(response="utter_self_harm_safety")
        return "self_harm"
    if injuries and is_urgent_injury(text):
        dispatcher.utter_message(response="utter_injury_safety")
        return "injury"
    return None


class StartService(Action, metaclass=abc.ABCMeta):
    """Runs before a service form: says what the service is, gives safety advice when the first
    message is urgent, and fills what the first message already tells (prefill)."""

    intro: str = ""
    injuries_are_urgent = False
    # Services that file no case (suggestions, founding) have no urgent path to shrink to.
    watches_for_urgent = True
    # Forms that ask the shared contact_phone take a phone from the first message.
    reads_phone = True

    @abc.abstractmethod
    def name(self) -> str:
        """Abstract, so rasa_sdk's executor does not register the base class itself."""

    def prefill(self, text: str, tracker: Tracker) -> dict[str, Any]:
        return {}

    def form(self) -> str:
        """action_start_wage_arrears starts wage_arrears_form."""
        return self.name().replace("action_start_", "", 1) + "_form"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list:
        resumed = resume(dispatcher, tracker, self.form())
        if resumed is not None:
            return resumed  # the worker left this form for another service: it goes on where it was
        text = latest_text(tracker)
        events: list = [SlotSet("slot_failures", None)]
        # A button (/wage_arrears) carries no words of the worker's to read.
        words = "" if text.startswith("/") else text
        urgent = self.watches_for_urgent and safety_first(words, dispatcher, injuries=self.injuries_are_urgent)
        if urgent:
            events.append(SlotSet("urgent_reason", urgent))
        elif self.intro:
            dispatcher.utter_message(response=self.intro)
        if words:
            events += [SlotSet(slot, value) for slot, value in self.prefill(words, tracker).items()
                       if value is not None]
            phone = extract_phone(words) if self.reads_phone else None
            if phone:
                events.append(SlotSet("contact_phone", phone))
        return events


class ServiceForm(ServiceFormValidation, metaclass=abc.ABCMeta):
    """Validator base of the service forms: the contact phone, and urgent wording in any answer."""

    @abc.abstractmethod
    def name(self) -> str:
        """Abstract, so rasa_sdk's executor does not register the base class itself."""

    injuries_are_urgent = False
    watches_for_urgent = True
    def parser_for(self, slot: str) -> Callable[[str], Any] | None:
        return {"contact_phone": _digits}.get(slot) or super().parser_for(slot)

    async def required_slots(self, domain_slots: list[str], dispatcher: CollectingDispatcher,
                             tracker: Tracker, domain: DomainDict) -> list[str]:
        if tracker.get_slot("urgent_reason") in URGENT_NOW:
            return ["contact_phone"]
        return domain_slots

    def watch_for_urgent(self, text: str, dispatcher: CollectingDispatcher, tracker: Tracker) -> dict[str, Any]:
        """Called by the free-text validators: urgent wording mid-form gets safety advice at once."""
        if not self.watches_for_urgent or tracker.get_slot("urgent_reason") in URGENT_NOW:
            return {}
        urgent = safety_first(text, dispatcher, injuries=self.injuries_are_urgent)
        return {"urgent_reason": urgent} if urgent else {}

    def validate_contact_phone(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                               domain: DomainDict) -> dict[str, Any]:
        phone, problem = check_phone(extract_phone(str(value)) or str(value))
        if problem:
            return self.reject("contact_phone", problem, dispatcher, tracker)
        return {"contact_phone": phone, "contact_phone_masked": mask_phone(phone)}

    def person_name(self, slot: str, value: Any, dispatcher: CollectingDispatcher,
                    tracker: Tracker) -> dict[str, Any]:
        name, problem = check_name(str(value))
        if problem is None and not plausible_name(str(value)):
            problem = "format"  # 怎么报名, 查询进度: not a name even if it is short enough
        if problem:
            return self.reject(slot, problem, dispatcher, tracker)
        return {slot: name}

    def yes_no(self, slot: str, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
               allow_unknown: bool = True, as_bool: bool = False) -> dict[str, Any]:
        """A yes/no question: 'yes', 'no' (or 'unknown' for 不清楚 where that is an answer);
        True/False with as_bool, for a question that must be answered either way."""
        answer = parse_yes_no(str(value))
        if answer is None or (answer == "unknown" and not allow_unknown):
            return self.reject(slot, "format", dispatcher, tracker)
        return {slot: answer == "yes" if as_bool else answer}

    def free_text(self, slot: str, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                  min_length: int = 2, max_length: int = 1000) -> dict[str, Any]:
        """A description in the worker's own words: long enough to mean something."""
        text = str(value or "").strip()
        if len(text) < min_length or text.startswith("/"):
            return self.reject(slot, "short", dispatcher, tracker)
        return {slot: text[:max_length], **self.watch_for_urgent(text, dispatcher, tracker)}


def previous_user_text(tracker: Tracker) -> str:
    """What the worker wrote the turn before the latest message."""
    texts = [e.get("text") or "" for e in tracker.events if e.get("event") == "user"]
    return texts[-2] if len(texts) >= 2 else ""


def texts_since(tracker: Tracker, action_name: str) -> list[str]:
    """What the worker wrote to one service: the message that started `action_name` and every
    message after it."""
    texts: list[str] = []
    started = False
    for event in reversed(tracker.events):
        if event.get("event") == "action" and event.get("name") == action_name:
            started = True
        elif event.get("event") == "user" and event.get("text"):
            texts.append(event["text"])
            if started:
                break
    return list(reversed(texts))


class SubmitCase(Action, metaclass=abc.ABCMeta):
    """Files the case a form collected, tells the worker its number, and hands urgent cases to a
    person of `team` at once."""

    form: str
    case_type: str
    submitted: str           # the response that gives the number
    team = "general"
    extra_slots: tuple[str, ...] = ()

    @abc.abstractmethod
    def name(self) -> str:
        """Abstract, so rasa_sdk's executor does not register the base class itself."""

    @abc.abstractmethod
    def details(self, tracker: Tracker) -> dict[str, Any]:
        """The form data as stored in the case."""

    @abc.abstractmethod
    def summary(self, tracker: Tracker, details: dict[str, Any]) -> str:
        """One line for the officers' lists."""

    def urgent_reason(self, tracker: Tracker) -> str | None:
        return tracker.get_slot("urgent_reason")

    def after_filing(self, dispatcher: CollectingDispatcher, tracker: Tracker, number: str,
                     urgent: str | None) -> None:
        """What to tell the worker after the number (deadlines, evidence to keep ...)."""

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list:
        reason = self.urgent_reason(tracker)
        details = dict(self.details(tracker), urgent_reason=reason)
        record, queued = file_case(tracker, self.case_type, tracker.get_slot("contact_phone"),
                                   self.summary(tracker, details), details, urgent=bool(reason))
        number = record["number"]
        dispatcher.utter_message(response=self.submitted, number=number)
        self.after_filing(dispatcher, tracker, number, reason)
        if not reason:  # urgent: a person takes the chat now and asks what is needed
            services.ask_district_if_needed(dispatcher, record, queued)
        events = reset_slots(domain, self.form, *self.extra_slots) + [SlotSet("last_reference_number", number)]
        if reason:
            code = HANDOFF_REASONS.get(reason, f"urgent_{self.case_type}")
            events += request_handoff(dispatcher, tracker, reason=code, priority="urgent", team=self.team,
                                      case_number=number, form_data=details)
        return events
