"""What an action asks the gateway to do, sent back in Rasa's answer as a custom payload
(`dispatcher.utter_message(json_message=...)`, as RasaHQ's helpdesk-assistant hands a chat over),
never by calling the gateway. The gateway's conversation service acts on each one it knows
(bot/conversation.py) and shows the worker what comes of it; the worker never sees the payload.

- {"handoff": {"reason", "priority", "team", "case_number", "form_data"}}: queue the chat for an
  officer (the action has already paused the Rasa conversation);
- {"faq_lookup": {"outcome": "answered|suggested|missed", "entry_id", "score"}}: how the FAQ
  answered the worker's message (a "missed" one is kept for staff as an unanswered question);
- {"ask_district": {"numbers", "districts"}}: the records just filed need the worker's district to
  reach the right union (backend/routing.py): the gateway asks with the districts as buttons and
  routes the records by the answer (bot/orgs/district.py).
"""
from __future__ import annotations

from typing import Any

HANDOFF = "handoff"
FAQ_LOOKUP = "faq_lookup"
ASK_DISTRICT = "ask_district"
KINDS = (HANDOFF, FAQ_LOOKUP, ASK_DISTRICT)


def handoff(reason: str, priority: str = "normal", team: str = "general", case_number: str | None = None,
            form_data: dict[str, Any] | None = None) -> dict:
    return {HANDOFF: {"reason": reason, "priority": priority, "team": team, "case_number": case_number,
                      "form_data": form_data}}


def faq_lookup(outcome: str, entry_id: int | None = None, score: float | None = None) -> dict:
    return {FAQ_LOOKUP: {"outcome": outcome, "entry_id": entry_id, "score": score}}


def ask_district(numbers: list[str], districts: list[str]) -> dict:
    return {ASK_DISTRICT: {"numbers": list(numbers), "districts": list(districts)}}


def kind_of(custom: dict | None) -> str | None:
    """Which of our payloads a custom message is, or None."""
    if isinstance(custom, dict):
        return next((k for k in KINDS if isinstance(custom.get(k), dict)), None)
    return None
