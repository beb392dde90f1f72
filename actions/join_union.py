"""Joining the union (网上入会): the form validator and the submission."""
from __future__ import annotations

import re
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import services
from unionkit.backend_client import BackendUnavailable
from actions.cases import StartService
from actions.extract import extract_id_number, parse_consent
from actions.forms import ServiceFormValidation
from actions.replies import plausible_employer, plausible_name
from actions.validators import check_id_number, check_name, check_phone
from unionkit.pii import mask_id_number, mask_phone
from unionkit.numbers import new_number

APPLICATIONS = "/v1/membership-applications"
JOIN_SLOTS = ("name", "id_consent", "id_number", "id_number_masked", "phone", "phone_masked",
              "employer", "industry", "join_confirmed", "slot_failures")


def _digits(text: str) -> bool:
    """Digits answer an ID or phone question, right or wrong: the validator says what is wrong."""
    return bool(re.search(r"\d{5,}", text)) or extract_id_number(text) is not None


def _yes_or_no(text: str) -> bool:
    """不同意 is an answer too (a parser's False means "not an answer")."""
    return parse_consent(text) is not None


class ActionStartJoinUnion(StartService):
    intro = "utter_join_intro"
    watches_for_urgent = False
    reads_phone = False  # the join form asks its own phone (the member's, on the application)

    def name(self) -> str:
        return "action_start_join_union"


class ValidateJoinUnionForm(ServiceFormValidation):
    # Every slot first decides whether the reply answers it (actions/forms.py): "怎么入" is not a
    # name, "查询进度" not an employer.
    answer_parsers = {"name": plausible_name, "id_consent": _yes_or_no, "id_number": _digits, "phone": _digits,
                      "employer": plausible_employer, "industry": plausible_employer, "join_confirmed": _yes_or_no}

    def name(self) -> str:
        return "validate_join_union_form"

    async def required_slots(self, domain_slots: list[str], dispatcher: CollectingDispatcher,
                             tracker: Tracker, domain: DomainDict) -> list[str]:
        # Without consent we must not ask for the ID number: the form ends and the submit action explains.
        if tracker.get_slot("id_consent") is False or tracker.get_slot("join_existing_number"):
            return []
        return domain_slots

    def validate_name(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                      domain: DomainDict) -> dict[str, Any]:
        name, problem = check_name(str(value))
        if problem is None and not plausible_name(str(value)):
            problem = "format"  # 怎么入, 查询进度: not a name even if it is short enough
        if problem:
            return self.reject("name", problem, dispatcher, tracker)
        return {"name": name}

    def validate_id_consent(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                            domain: DomainDict) -> dict[str, Any]:
        consent = value if isinstance(value, bool) else parse_consent(str(value))
        if consent is None:
            return self.reject("id_consent", "format", dispatcher, tracker)
        return {"id_consent": consent}

    def validate_id_number(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                           domain: DomainDict) -> dict[str, Any]:
        id_number, problem = check_id_number(str(value))
        if problem:
            return self.reject("id_number", problem, dispatcher, tracker)
        # Nothing is said here about applications for this ID number: an ID number alone reveals
        # nothing. Whether one is open is asked with the phone (validate_phone).
        return {"id_number": id_number, "id_number_masked": mask_id_number(id_number)}

    def validate_phone(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                       domain: DomainDict) -> dict[str, Any]:
        phone, problem = check_phone(str(value))
        if problem:
            return self.reject("phone", problem, dispatcher, tracker)
        id_number = tracker.get_slot("id_number")
        existing = _open_application(id_number, phone) if id_number else None
        if existing:
            # Both the ID number and the phone on file: the worker's own application (as 查询进度).
            dispatcher.utter_message(response="utter_join_already_applied", number=existing)
            return {"phone": phone, "requested_slot": None, "join_existing_number": existing}
        # No open application with both: the form goes on as for anyone (an application for this ID
        # with another phone is filed too, and the back end notes it for the officers).
        return {"phone": phone, "phone_masked": mask_phone(phone)}

    def validate_employer(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                          domain: DomainDict) -> dict[str, Any]:
        employer = str(value).strip()
        if len(employer) < 2:
            return self.reject("employer", "short", dispatcher, tracker)
        if not plausible_employer(employer):
            return self.reject("employer", "format", dispatcher, tracker)
        return {"employer": employer[:100]}

    def validate_industry(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                          domain: DomainDict) -> dict[str, Any]:
        industry = str(value).strip()
        if not industry:
            return self.reject("industry", "empty", dispatcher, tracker)
        return {"industry": industry[:50]}

    def validate_join_confirmed(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                                domain: DomainDict) -> dict[str, Any]:
        confirmed = value if isinstance(value, bool) else parse_consent(str(value))
        if confirmed is None:
            return self.reject("join_confirmed", "format", dispatcher, tracker)
        return {"join_confirmed": confirmed}


def _open_application(id_number: str, phone: str) -> str | None:
    """The number of a still open application with this ID number AND this phone, in the back end
    or the outbox; None otherwise, whatever else there is."""
    try:
        # Both filters at once: the back end returns only applications matching both.
        for status in ("submitted", "reviewing"):
            for item in services.backend().list(APPLICATIONS, id_number=id_number, phone=phone, status=status):
                return item["number"]
    except BackendUnavailable:
        pass
    for item in services.outbox().pending():
        body = item["body"]
        if item["path"] == APPLICATIONS and body.get("id_number") == id_number and body.get("phone") == phone:
            return body["number"]
    return None


class ActionSubmitJoinUnion(Action):
    def name(self) -> str:
        return "action_submit_join_union"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list:
        reset = [SlotSet(slot, None) for slot in JOIN_SLOTS + ("join_existing_number",)]
        if tracker.get_slot("join_existing_number"):
            return reset
        if tracker.get_slot("id_consent") is False:
            dispatcher.utter_message(response="utter_join_needs_id")
            return reset
        if not tracker.get_slot("join_confirmed"):
            dispatcher.utter_message(response="utter_join_not_submitted")
            return reset
        body = {
            "number": new_number("membership"),
            "name": tracker.get_slot("name"),
            "id_number": tracker.get_slot("id_number"),
            "phone": tracker.get_slot("phone"),
            "employer": tracker.get_slot("employer"),
            "industry": tracker.get_slot("industry"),
            "channel": tracker.sender_id.split(":", 1)[0],
            "channel_user": tracker.sender_id,
        }
        record, queued = services.submit(APPLICATIONS, body)
        dispatcher.utter_message(response="utter_join_submitted", number=record["number"])
        services.ask_district_if_needed(dispatcher, record, queued)
        return reset + [SlotSet("last_reference_number", record["number"])]
