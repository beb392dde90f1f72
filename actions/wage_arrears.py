"""Unpaid wages (欠薪): who owes, how much, for how long, how many workers, contract, phone.

Ten or more workers, or wages wanted before a holiday, make the case urgent and a person takes
over the chat (the union's 根治欠薪 practice: group cases and pre-holiday arrears first).
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.cases import ServiceForm, StartService, SubmitCase, previous_user_text, texts_since
from actions.extract import (extract_employer, mentions_holiday, parse_headcount, parse_money, parse_months,
                             parse_yes_no, today_in_china, wage_months)
from actions.replies import plausible_employer
from unionkit import workdays
from unionkit.texts import text

FORM = "wage_arrears_form"
GROUP_CASE = 10            # workers affected from which a case is urgent
MAX_AMOUNT = 10_000_000    # yuan; more is a typo, not arrears
# The run-up in which unpaid wages are urgent: a month before the Spring Festival (workers go home
# and need the money for it), a week before any other statutory holiday. Holidays are the State
# Council's each year (unionkit/workdays.py, from chinese-calendar).
SPRING_FESTIVAL_RUN_UP_DAYS = 30
HOLIDAY_RUN_UP_DAYS = 7


def before_holiday(today: dt.date) -> bool:
    """True in the run-up to a public holiday, when unpaid wages hurt most."""
    for offset in range(SPRING_FESTIVAL_RUN_UP_DAYS + 1):
        name = workdays.holiday_name(today + dt.timedelta(days=offset))
        if name == workdays.SPRING_FESTIVAL or (name and offset <= HOLIDAY_RUN_UP_DAYS):
            return True
    return False


class ActionStartWageArrears(StartService):
    intro = "utter_wage_arrears_intro"

    def name(self) -> str:
        return "action_start_wage_arrears"

    def prefill(self, text: str, tracker: Tracker) -> dict[str, Any]:
        # Only values stated with their unit: "三个月" is a span, "十来个人" a headcount.
        months = parse_months(text) if ("月" in text or "年" in text) else None
        people = parse_headcount(text) if ("人" in text or "工友" in text) else None
        amount = parse_money(text) if any(u in text for u in ("块", "元", "千", "万", "k", "K")) else None
        return {"wa_amount": amount, "wa_months": months, "wa_headcount": people}


class ValidateWageArrearsForm(ServiceForm):
    answer_parsers = {"wa_employer": plausible_employer,
                      "wa_amount": lambda text: parse_money(text) or wage_months(text), "wa_months": parse_months,
                      "wa_headcount": parse_headcount, "wa_contract": parse_yes_no}

    def name(self) -> str:
        return "validate_wage_arrears_form"

    def validate_wa_employer(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                             domain: DomainDict) -> dict[str, Any]:
        employer = extract_employer(str(value)) if not str(value).startswith("/") else None
        if not employer:
            return self.reject("wa_employer", "short", dispatcher, tracker)
        return {"wa_employer": employer[:200], **self.watch_for_urgent(str(value), dispatcher, tracker)}

    def validate_wa_amount(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                           domain: DomainDict) -> dict[str, Any]:
        words = str(value)
        previous = previous_user_text(tracker)
        if not isinstance(value, int) and wage_months(previous) and not wage_months(words):
            words = f"{previous}，{words}"  # 两个月工资 ... 一个月六千: the months asked about just before
        amount = value if isinstance(value, int) else parse_money(words)
        if amount is None and wage_months(words):
            return self.reject("wa_amount", "monthly", dispatcher, tracker)  # 两个月工资: and a month is?
        if amount is None or amount <= 0:
            return self.reject("wa_amount", "format", dispatcher, tracker)
        if amount > MAX_AMOUNT:
            return self.reject("wa_amount", "too_large", dispatcher, tracker)
        return {"wa_amount": amount}

    def validate_wa_months(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                           domain: DomainDict) -> dict[str, Any]:
        months = value if isinstance(value, (int, float)) else parse_months(str(value))
        if months is None or months <= 0:
            return self.reject("wa_months", "format", dispatcher, tracker)
        if months > 120:
            return self.reject("wa_months", "too_long", dispatcher, tracker)
        return {"wa_months": months}

    def validate_wa_headcount(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                              domain: DomainDict) -> dict[str, Any]:
        people = value if isinstance(value, int) else parse_headcount(str(value))
        if people is None or people <= 0:
            return self.reject("wa_headcount", "format", dispatcher, tracker)
        return {"wa_headcount": people}

    def validate_wa_contract(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                             domain: DomainDict) -> dict[str, Any]:
        return self.yes_no("wa_contract", value, dispatcher, tracker)


class ActionSubmitWageArrears(SubmitCase):
    form = FORM
    case_type = "wage_arrears"
    submitted = "utter_wage_arrears_submitted"

    def name(self) -> str:
        return "action_submit_wage_arrears"

    def urgent_reason(self, tracker: Tracker) -> str | None:
        people = tracker.get_slot("wa_headcount")
        if tracker.get_slot("urgent_reason"):
            return tracker.get_slot("urgent_reason")
        if people and people >= GROUP_CASE:
            return "group"
        return "holiday" if self._before_holiday(tracker) else None

    @staticmethod
    def _before_holiday(tracker: Tracker) -> bool:
        words = texts_since(tracker, "action_start_wage_arrears")
        return before_holiday(today_in_china()) or any(mentions_holiday(t) for t in words)

    def details(self, tracker: Tracker) -> dict[str, Any]:
        slot = tracker.get_slot
        return {"employer": slot("wa_employer"), "amount_yuan": slot("wa_amount"), "months": slot("wa_months"),
                "workers": slot("wa_headcount"), "written_contract": slot("wa_contract"),
                "before_holiday": self._before_holiday(tracker),
                "worker_words": texts_since(tracker, "action_start_wage_arrears")[:20]}

    def summary(self, tracker: Tracker, details: dict[str, Any]) -> str:
        return text("utter_summary_wage_arrears", employer=details["employer"] or "-",
                    amount=details["amount_yuan"] or "-", months=details["months"] or "-",
                    workers=details["workers"] or "-")

    def after_filing(self, dispatcher: CollectingDispatcher, tracker: Tracker, number: str,
                     urgent: str | None) -> None:
        if urgent:
            dispatcher.utter_message(response="utter_wage_arrears_urgent")
