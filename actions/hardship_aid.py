"""Hardship aid (困难帮扶): the reason, household size, monthly income per person, phone; a
`hardship_aid` case the hardship team follows up. The intro explains 送温暖 and 金秋助学."""
from __future__ import annotations

import re
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.cases import ServiceForm, StartService, SubmitCase
from actions.extract import parse_headcount, parse_money
from unionkit.texts import text

FORM = "hardship_aid_form"
# What the worker's words say the hardship is; the first pattern that matches wins.
REASONS = (
    ("illness", re.compile(r"病|癌|住院|手术|化疗|透析|医药费|看病|白血病|尿毒症")),
    ("disability", re.compile(r"残疾|残障|伤残|瘫痪|截肢|失明|聋")),
    ("accident", re.compile(r"意外|事故|车祸|火灾|房子塌|水灾|洪水|地震|去世|过世|走了")),
    ("unemployment", re.compile(r"失业|下岗|没工作|找不到工作|被裁|裁员|倒闭|没活干|待业")),
    ("schooling", re.compile(r"上学|学费|读书|大学|高中|助学|孩子.*学|考上")),
)
_NO_INCOME = re.compile(r"没有收入|没收入|零收入|没钱|一分没有|^0$|^零$")


def hardship_reason(words: str) -> str | None:
    if words.strip() in ("其他", "/other"):
        return "other"
    for code, pattern in REASONS:
        if pattern.search(words):
            return code
    return None


class ActionStartHardshipAid(StartService):
    intro = "utter_hardship_aid_intro"

    def name(self) -> str:
        return "action_start_hardship_aid"

    def prefill(self, text: str, tracker: Tracker) -> dict[str, Any]:
        return {"ha_reason": text} if hardship_reason(text) else {}


class ValidateHardshipAidForm(ServiceForm):
    # ha_reason is the worker's own words (free text): only a short question or another service is not one.
    answer_parsers = {"ha_household": parse_headcount,
                      "ha_income": lambda text: parse_money(text) is not None or bool(_NO_INCOME.search(text.strip()))
                      or text.strip().isdigit()}

    def name(self) -> str:
        return "validate_hardship_aid_form"

    def validate_ha_reason(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                           domain: DomainDict) -> dict[str, Any]:
        words = str(value).strip()
        code = hardship_reason(words)
        if code is None and len(words) < 4:
            return self.reject("ha_reason", "unknown", dispatcher, tracker)
        return {"ha_reason": words[:1000], "ha_reason_code": code or "other",
                **self.watch_for_urgent(words, dispatcher, tracker)}

    def validate_ha_household(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                              domain: DomainDict) -> dict[str, Any]:
        people = value if isinstance(value, int) else parse_headcount(str(value))
        if people is None or not 1 <= people <= 30:
            return self.reject("ha_household", "format", dispatcher, tracker)
        return {"ha_household": people}

    def validate_ha_income(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                           domain: DomainDict) -> dict[str, Any]:
        words = str(value).strip()
        income = 0 if _NO_INCOME.search(words) else parse_money(words)
        if income is None and re.fullmatch(r"\d+", words):
            income = int(words)
        if income is None or income < 0 or income > 1_000_000:
            return self.reject("ha_income", "format", dispatcher, tracker)
        return {"ha_income": income}


class ActionSubmitHardshipAid(SubmitCase):
    form = FORM
    case_type = "hardship_aid"
    submitted = "utter_hardship_aid_submitted"
    team = "hardship"
    extra_slots = ("ha_reason_code",)

    def name(self) -> str:
        return "action_submit_hardship_aid"

    def details(self, tracker: Tracker) -> dict[str, Any]:
        slot = tracker.get_slot
        return {"reason": slot("ha_reason"), "reason_code": slot("ha_reason_code"),
                "household_size": slot("ha_household"), "monthly_income_per_person": slot("ha_income")}

    def summary(self, tracker: Tracker, details: dict[str, Any]) -> str:
        income = details["monthly_income_per_person"]
        return text("utter_summary_hardship_aid", reason=details["reason"] or "-",
                    household=details["household_size"] or "-", income="-" if income is None else income)
