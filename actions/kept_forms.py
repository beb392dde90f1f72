"""A form the worker left for another service is kept for a while, offered back when the other
service is done ("刚才的欠薪登记还没提交，要继续吗？"), and restored when the worker starts that
service again: nothing typed is lost by a switch.
"""
from __future__ import annotations

import time
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from unionkit.texts import text

KEPT = "kept_form"
KEEP_SECONDS = 30 * 60
# Slots every service form shares; kept with the form, so the next service starts clean.
SHARED = ("contact_phone", "contact_phone_masked", "urgent_reason")
# What some forms keep beside their required slots.
EXTRA = {"training_form": ("tr_courses", "tr_unavailable"), "hardship_aid_form": ("ha_reason_code",)}


def form_slots(domain: DomainDict, form: str) -> list[str]:
    """A form's slots: the required ones, their masked copies, the shared and the extra ones."""
    required = list((domain.get("forms") or {}).get(form, {}).get("required_slots") or [])
    known = domain.get("slots") or {}
    masked = [f"{slot}_masked" for slot in required if f"{slot}_masked" in known]
    return list(dict.fromkeys(required + masked + list(SHARED) + list(EXTRA.get(form, ()))))


def keep(tracker: Tracker, domain: DomainDict, form: str) -> list[SlotSet]:
    """Put aside what the worker entered in `form` and clear its slots."""
    values = {slot: tracker.get_slot(slot) for slot in form_slots(domain, form)}
    values = {slot: value for slot, value in values.items() if value is not None}
    events = [SlotSet(slot, None) for slot in values]
    if any(slot not in SHARED for slot in values):
        events.append(SlotSet(KEPT, {"form": form, "slots": values, "at": time.time(), "offered": False}))
    return events


def fresh(tracker: Tracker, now: float | None = None) -> dict[str, Any] | None:
    kept = tracker.get_slot(KEPT)
    if not isinstance(kept, dict) or (now or time.time()) - kept.get("at", 0) > KEEP_SECONDS:
        return None
    return kept


def resume(dispatcher: CollectingDispatcher, tracker: Tracker, form: str) -> list[SlotSet] | None:
    """Starting a service that was kept: its values back, and the form goes on where it stopped."""
    kept = fresh(tracker)
    if not kept or kept.get("form") != form:
        return None
    dispatcher.utter_message(response="utter_kept_form_resumed", service=label(form))
    return [SlotSet(KEPT, None), SlotSet("slot_failures", None)] + [
        SlotSet(slot, value) for slot, value in kept["slots"].items()]


def label(form: str) -> str:
    """The service's name as the worker reads it (utter_service_label_<form>)."""
    return text(f"utter_service_label_{form}")


def field_label(slot: str) -> str:
    """A question's subject as the worker reads it (utter_field_label_<slot>): 姓名, 手机号 ..."""
    return text(f"utter_field_label_{slot}")
