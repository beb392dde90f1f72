"""Handing a chat to a human officer. Services call `request_handoff`; `ActionHandoff` is the
action behind the request_human intent.

Actions run inside the gateway, so the handoff is recorded directly by the gateway's service
(bot/handoff/): queued for the team, and the Rasa conversation paused until an officer closes it.
"""
from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ConversationPaused
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot.accounts.service import TEAMS  # noqa: F401  (the teams callers may name)
from bot.handoff.service import service

log = logging.getLogger(__name__)


def request_handoff(dispatcher: CollectingDispatcher, tracker: Tracker, reason: str,
                    priority: str = "normal", team: str = "general", case_number: str | None = None,
                    form_data: dict[str, Any] | None = None) -> list[dict]:
    """Queue this chat for an officer of `team` and pause the bot. Returns the events to return
    from the calling action. `reason` is a short code (request_human, fallback, slot_retries,
    urgent_wage_arrears, urgent_injury, self_harm, lawyer)."""
    try:
        _handoff, situation = service().open(tracker.sender_id, reason, priority=priority, team=team,
                                             case_number=case_number, form_data=form_data)
    except Exception:  # noqa: BLE001 - the worker must hear something either way
        log.exception("could not record a handoff for %s", tracker.sender_id)
        dispatcher.utter_message(response="utter_handoff_unavailable")
        return []
    if not situation.open_now:
        dispatcher.utter_message(response="utter_handoff_off_hours", hours=situation.hours, when=situation.when)
    elif situation.officers_online == 0:
        dispatcher.utter_message(response="utter_handoff_no_officer", position=situation.position)
    else:
        dispatcher.utter_message(response="utter_handoff_queued", position=situation.position)
    return [ConversationPaused()]


class ActionHandoff(Action):
    def name(self) -> str:
        return "action_handoff"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list:
        return request_handoff(dispatcher, tracker, reason="request_human",
                               form_data=form_so_far(tracker, domain))


def form_so_far(tracker: Tracker, domain: DomainDict) -> dict[str, Any] | None:
    """What the worker already answered in the form they were filling in, for the officer."""
    form = (tracker.active_loop or {}).get("name")
    required = ((domain.get("forms") or {}).get(form) or {}).get("required_slots") or []
    answered = {slot: tracker.get_slot(slot) for slot in required if tracker.get_slot(slot) is not None}
    return answered or None
