"""Handing a chat to a human officer. Services call `request_handoff`; `ActionHandoff` is the
action behind the request_human intent.

The action pauses the Rasa conversation and sends the handoff back in Rasa's answer as a custom
payload (unionkit/payloads.py); the gateway queues it for the team, tells the worker their place
in the queue, and resumes the conversation when an officer closes it.
"""
from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, ConversationPaused, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.kept_forms import keep
from actions.replies import SERVICE_FORMS
from unionkit import payloads


def request_handoff(dispatcher: CollectingDispatcher, tracker: Tracker, reason: str,
                    priority: str = "normal", team: str = "general", case_number: str | None = None,
                    form_data: dict[str, Any] | None = None) -> list[dict]:
    """Queue this chat for an officer of `team` and pause the bot. Returns the events to return
    from the calling action. `reason` is a short code (request_human, fallback, slot_retries,
    urgent_wage_arrears, urgent_injury, self_harm, lawyer). What the worker hears about the queue
    is the gateway's to say: it knows the queue."""
    dispatcher.utter_message(json_message=payloads.handoff(reason, priority=priority, team=team,
                                                           case_number=case_number, form_data=form_data))
    return [ConversationPaused()]


class ActionHandoff(Action):
    def name(self) -> str:
        return "action_handoff"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list:
        """In a form, the form is put aside (offered back later, actions/kept_forms.py) and closed:
        the officer takes the chat from here, and the bot comes back listening, not mid-question."""
        events = request_handoff(dispatcher, tracker, reason="request_human",
                                 form_data=form_so_far(tracker, domain))
        form = (tracker.active_loop or {}).get("name")
        if form not in SERVICE_FORMS.values():  # no form, or the status look-up: nothing worth keeping
            return events + ([ActiveLoop(None), SlotSet("requested_slot", None)] if form else [])
        return keep(tracker, domain, form) + [ActiveLoop(None), SlotSet("requested_slot", None)] + events


def form_so_far(tracker: Tracker, domain: DomainDict) -> dict[str, Any] | None:
    """What the worker already answered in the form they were filling in, for the officer."""
    form = (tracker.active_loop or {}).get("name")
    required = ((domain.get("forms") or {}).get(form) or {}).get("required_slots") or []
    answered = {slot: tracker.get_slot(slot) for slot in required if tracker.get_slot(slot) is not None}
    return answered or None
