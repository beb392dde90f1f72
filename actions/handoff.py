"""Handing a chat to a human officer. Services call `request_handoff`; `ActionHandoff` is the
action behind the request_human intent.

The queueing itself is the handoff area's (bot/handoff/); until that is wired in, the worker is
told to call 12351 and the bot keeps answering.
"""
from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

TEAMS = ("general", "legal", "hardship")


def request_handoff(dispatcher: CollectingDispatcher, tracker: Tracker, reason: str,
                    priority: str = "normal", team: str = "general", case_number: str | None = None,
                    form_data: dict[str, Any] | None = None) -> list[dict]:
    """Queue this chat for an officer of `team` and pause the bot. Returns the events to return
    from the calling action. `reason` is a short code (request_human, fallback, slot_retries,
    urgent_wage_arrears, urgent_injury, self_harm, lawyer)."""
    dispatcher.utter_message(response="utter_request_human")
    return []


class ActionHandoff(Action):
    def name(self) -> str:
        return "action_handoff"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list:
        return request_handoff(dispatcher, tracker, reason="request_human")
