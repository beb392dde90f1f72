"""Work injuries (工伤): when, where and how, the injury and its treatment, injury insurance, phone.

Urgent wording (still bleeding, unconscious, fell from height, cannot move) first gets safety
advice (call 120), then only the phone is asked, the case is filed as urgent and a person takes
over. Every worker is told the deadline for 工伤认定: the employer has 30 days, the worker or
family 1 year from the day of the injury (工伤保险条例 第十七条).
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.cases import ServiceForm, StartService, SubmitCase, texts_since
from actions.extract import parse_date, parse_yes_no, today_in_china
from unionkit.texts import text

FORM = "work_injury_form"


def deadline(injured_on: dt.date) -> dt.date:
    """One year after the injury, the last day a worker may apply for 工伤认定 themselves."""
    try:
        return injured_on.replace(year=injured_on.year + 1)
    except ValueError:  # 29 February
        return injured_on.replace(year=injured_on.year + 1, day=28)


class ActionStartWorkInjury(StartService):
    intro = "utter_work_injury_intro"
    injuries_are_urgent = True

    def name(self) -> str:
        return "action_start_work_injury"

    def prefill(self, text: str, tracker: Tracker) -> dict[str, Any]:
        injured_on = parse_date(text, today_in_china())
        if injured_on and injured_on <= today_in_china():
            return {"wi_date": injured_on.isoformat()}
        return {}


class ValidateWorkInjuryForm(ServiceForm):
    injuries_are_urgent = True

    def name(self) -> str:
        return "validate_work_injury_form"

    answer_parsers = {"wi_date": parse_date, "wi_insurance": parse_yes_no}

    def validate_wi_date(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                         domain: DomainDict) -> dict[str, Any]:
        today = today_in_china()
        injured_on = parse_date(str(value), today)
        if injured_on is None:
            return self.reject("wi_date", "format", dispatcher, tracker)
        if injured_on > today:
            return self.reject("wi_date", "future", dispatcher, tracker)
        return {"wi_date": injured_on.isoformat(), **self.watch_for_urgent(str(value), dispatcher, tracker)}

    def validate_wi_how(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                        domain: DomainDict) -> dict[str, Any]:
        return self.free_text("wi_how", value, dispatcher, tracker, min_length=4)

    def validate_wi_injury(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                           domain: DomainDict) -> dict[str, Any]:
        return self.free_text("wi_injury", value, dispatcher, tracker, min_length=2)

    def validate_wi_insurance(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                              domain: DomainDict) -> dict[str, Any]:
        return self.yes_no("wi_insurance", value, dispatcher, tracker)


class ActionSubmitWorkInjury(SubmitCase):
    form = FORM
    case_type = "work_injury"
    submitted = "utter_work_injury_submitted"

    def name(self) -> str:
        return "action_submit_work_injury"

    def details(self, tracker: Tracker) -> dict[str, Any]:
        slot = tracker.get_slot
        return {"injured_on": slot("wi_date"), "how": slot("wi_how"), "injury_and_treatment": slot("wi_injury"),
                "injury_insurance": slot("wi_insurance"),
                "worker_words": texts_since(tracker, "action_start_work_injury")[:20]}

    def summary(self, tracker: Tracker, details: dict[str, Any]) -> str:
        return text("utter_summary_work_injury", date=details["injured_on"] or "-",
                    how=details["how"] or " ".join(details["worker_words"])[:300],
                    injury=details["injury_and_treatment"] or "-")

    def after_filing(self, dispatcher: CollectingDispatcher, tracker: Tracker, number: str,
                     urgent: str | None) -> None:
        if urgent:
            dispatcher.utter_message(response="utter_work_injury_urgent_filed")
            return
        last_day = deadline(dt.date.fromisoformat(tracker.get_slot("wi_date")))
        if last_day < today_in_china():
            dispatcher.utter_message(response="utter_work_injury_deadline_passed")
        else:
            dispatcher.utter_message(response="utter_work_injury_deadline",
                                     deadline=f"{last_day.year}年{last_day.month}月{last_day.day}日")
