"""Actions every conversation shares."""
from __future__ import annotations

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict


class ActionResetFormSlots(Action):
    """After a cancelled form: forget everything any form collected, so nothing half-typed lingers."""

    def name(self) -> str:
        return "action_reset_form_slots"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list:
        slots: set[str] = {"slot_failures"}
        for form in (domain.get("forms") or {}).values():
            slots.update(form.get("required_slots") or [])
        return [SlotSet(slot, None) for slot in sorted(slots) if tracker.get_slot(slot) is not None]
