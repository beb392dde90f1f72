"""Medical mutual aid (职工医疗互助): explains what it covers (the part of inpatient costs left after
basic medical insurance) and how to claim, then takes a claim request as a `medical_mutual_aid` case
if the worker wants one: name, hospital stay, the amount paid out of pocket, phone."""
from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.cases import ServiceForm, StartService, SubmitCase, is_name, reset_slots
from actions.extract import parse_money, parse_yes_no
from unionkit.texts import text

FORM = "medical_mutual_aid_form"


class ActionStartMedicalMutualAid(StartService):
    intro = "utter_medical_mutual_aid_intro"

    def name(self) -> str:
        return "action_start_medical_mutual_aid"


class ValidateMedicalMutualAidForm(ServiceForm):
    answer_parsers = {"mm_claim": parse_yes_no, "mm_amount": parse_money, "mm_name": is_name}

    def name(self) -> str:
        return "validate_medical_mutual_aid_form"

    async def required_slots(self, domain_slots: list[str], dispatcher: CollectingDispatcher,
                             tracker: Tracker, domain: DomainDict) -> list[str]:
        slots = await super().required_slots(domain_slots, dispatcher, tracker, domain)
        if tracker.get_slot("mm_claim") is False:
            return []  # only wanted to know: the submit action says how to come back
        return slots

    def validate_mm_claim(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                          domain: DomainDict) -> dict[str, Any]:
        return self.yes_no("mm_claim", value, dispatcher, tracker, allow_unknown=False, as_bool=True)

    def validate_mm_name(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                         domain: DomainDict) -> dict[str, Any]:
        return self.person_name("mm_name", value, dispatcher, tracker)

    def validate_mm_hospital(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                             domain: DomainDict) -> dict[str, Any]:
        return self.free_text("mm_hospital", value, dispatcher, tracker, min_length=2, max_length=500)

    def validate_mm_amount(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                           domain: DomainDict) -> dict[str, Any]:
        amount = value if isinstance(value, int) else parse_money(str(value))
        if amount is None or amount <= 0 or amount > 10_000_000:
            return self.reject("mm_amount", "format", dispatcher, tracker)
        return {"mm_amount": amount}


class ActionSubmitMedicalMutualAid(SubmitCase):
    form = FORM
    case_type = "medical_mutual_aid"
    submitted = "utter_medical_mutual_aid_submitted"
    team = "hardship"

    def name(self) -> str:
        return "action_submit_medical_mutual_aid"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list:
        if tracker.get_slot("mm_claim") is False and not tracker.get_slot("urgent_reason"):
            dispatcher.utter_message(response="utter_medical_mutual_aid_no_claim")
            return reset_slots(domain, FORM)
        return super().run(dispatcher, tracker, domain)

    def details(self, tracker: Tracker) -> dict[str, Any]:
        slot = tracker.get_slot
        return {"name": slot("mm_name"), "hospital_stay": slot("mm_hospital"), "out_of_pocket_yuan": slot("mm_amount")}

    def summary(self, tracker: Tracker, details: dict[str, Any]) -> str:
        return text("utter_summary_medical_mutual_aid", person=details["name"] or "-",
                    hospital=details["hospital_stay"] or "-", amount=details["out_of_pocket_yuan"] or "-")
