"""Actions every conversation shares."""
from __future__ import annotations

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.forms import INTERRUPTION, PENDING_SWITCH, SWITCH_SLOT
from actions.kept_forms import KEPT


class ActionResetFormSlots(Action):
    """After a cancelled form: forget everything any form collected, so nothing half-typed lingers.
    A form kept for later (actions/kept_forms.py) survives unless it was already offered back:
    then this cancel is the worker's "不用了"."""

    def name(self) -> str:
        return "action_reset_form_slots"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list:
        slots: set[str] = {"slot_failures", PENDING_SWITCH, SWITCH_SLOT, INTERRUPTION}
        for form in (domain.get("forms") or {}).values():
            slots.update(form.get("required_slots") or [])
        if (tracker.get_slot(KEPT) or {}).get("offered"):
            slots.add(KEPT)
        return [SlotSet(slot, None) for slot in sorted(slots) if tracker.get_slot(slot) is not None]
