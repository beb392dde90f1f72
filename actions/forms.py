"""What every form validator shares: retry counting per slot, so a worker stuck on one question
is offered a person after two failed tries."""
from __future__ import annotations

import abc
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import FormValidationAction

MAX_TRIES = 2


class ServiceFormValidation(FormValidationAction, metaclass=abc.ABCMeta):
    """Base for the services' validators. `reject()` explains why a value is wrong and counts it;
    the second failure on the same slot also offers a person (utter_offer_human)."""

    @abc.abstractmethod
    def name(self) -> str:
        """Abstract, so rasa_sdk's executor does not register the base class itself."""

    @staticmethod
    def reject(slot: str, problem: str, dispatcher: CollectingDispatcher, tracker: Tracker) -> dict[str, Any]:
        dispatcher.utter_message(response=f"utter_invalid_{slot}_{problem}")
        failures = dict(tracker.get_slot("slot_failures") or {})
        failures[slot] = failures.get(slot, 0) + 1
        if failures[slot] >= MAX_TRIES:
            dispatcher.utter_message(response="utter_offer_human")
        return {slot: None, "slot_failures": failures}
