"""Founding a union (建会申请): company, number of employees, contact person and phone. Explains the
25-member threshold for a union committee and the joint union for small workplaces."""
from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import services
from actions.cases import ServiceForm, StartService, channel_fields, is_name, reset_slots
from actions.extract import extract_employer, parse_headcount
from actions.replies import plausible_employer
from unionkit.numbers import new_number

FORM = "found_union_form"
PATH = "/v1/union-founding-requests"
# 工会法 / 基层工会组织选举工作条例: 25 members or more elect a committee; fewer may elect an
# organiser, or join other small workplaces in a joint (联合) union.
COMMITTEE_MINIMUM = 25


class ActionStartFoundUnion(StartService):
    intro = "utter_found_union_intro"

    watches_for_urgent = False

    def name(self) -> str:
        return "action_start_found_union"


class ValidateFoundUnionForm(ServiceForm):
    watches_for_urgent = False

    def name(self) -> str:
        return "validate_found_union_form"

    answer_parsers = {"fu_company": plausible_employer, "fu_employees": parse_headcount, "fu_contact": is_name}

    def validate_fu_company(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                            domain: DomainDict) -> dict[str, Any]:
        company = extract_employer(str(value)) if not str(value).startswith("/") else None
        if not company:
            return self.reject("fu_company", "short", dispatcher, tracker)
        return {"fu_company": company[:200]}

    def validate_fu_employees(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                              domain: DomainDict) -> dict[str, Any]:
        people = value if isinstance(value, int) else parse_headcount(str(value))
        if people is None or people <= 0:
            return self.reject("fu_employees", "format", dispatcher, tracker)
        return {"fu_employees": people}

    def validate_fu_contact(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                            domain: DomainDict) -> dict[str, Any]:
        return self.person_name("fu_contact", value, dispatcher, tracker)


class ActionSubmitFoundUnion(Action):
    def name(self) -> str:
        return "action_submit_found_union"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list:
        slot = tracker.get_slot
        employees = slot("fu_employees")
        body = {"number": new_number("founding"), "company": slot("fu_company"), "employees": employees,
                "contact_name": slot("fu_contact"), "phone": slot("contact_phone"),
                "details": {"committee_possible": employees >= COMMITTEE_MINIMUM}, **channel_fields(tracker)}
        record, _queued = services.submit(PATH, body)
        dispatcher.utter_message(response="utter_found_union_submitted", number=record["number"],
                                 company=slot("fu_company"))
        dispatcher.utter_message(response="utter_found_union_committee" if employees >= COMMITTEE_MINIMUM
                                 else "utter_found_union_small", employees=employees)
        services.ask_district_if_needed(dispatcher, record, _queued)
        return reset_slots(domain, FORM) + [SlotSet("last_reference_number", record["number"])]
