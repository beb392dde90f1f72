"""Answers from the staff-maintained FAQ. `answer_from_faq` is what the faq intent and every
fallback call first; it returns whether the worker got an answer (or a choice of questions).

Retrieval is unionkit/faq/ (BM25 over jieba words and character n-grams) over the entries the
gateway publishes, through the FAQ connector (services.faq()): above a high score the answer is
given, between a low and the high score the best questions are offered as buttons, below that
nothing is said. How it went goes back to the gateway as a custom payload, which records it (a
miss becomes an unanswered question for staff, /admin/unanswered).
"""
from __future__ import annotations

import json
import logging

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import services
from unionkit import payloads

log = logging.getLogger(__name__)


def _picked_entry_id(tracker: Tracker) -> int | None:
    """The entry a "您是不是想问" button named (/faq{"faq_id": "12"})."""
    value = next(tracker.get_latest_entity_values("faq_id"), None)
    try:
        return int(value) if value is not None else None
    except (TypeError, ValueError):
        return None


def _button(entry_id: int, question: str) -> dict:
    return {"title": question, "payload": "/faq" + json.dumps({"faq_id": str(entry_id)})}


def answer_from_faq(dispatcher: CollectingDispatcher, tracker: Tracker, suggest: bool = True) -> bool:
    """Search the FAQ for the latest user message; utter the answer (or the top questions as
    buttons) and return True, or return False (and record the message as unanswered).
    suggest=False: only a clear answer counts (the caller has its own answer otherwise)."""
    cid = tracker.sender_id
    text = (tracker.latest_message or {}).get("text") or ""
    try:
        picked = _picked_entry_id(tracker)
        if picked is not None:
            entry = services.faq().entry(picked)  # enabled entries only
            if entry is None:
                dispatcher.utter_message(response="utter_faq_entry_gone")
            else:
                dispatcher.utter_message(text=entry.answer)
                dispatcher.utter_message(json_message=payloads.faq_lookup("answered", entry.id))
            return True
        if not text.strip() or text.startswith("/"):
            return False  # a button of another service, not a question
        decision = services.faq().get().decide(text)
        if decision.kind == "answer":
            best = decision.best
            dispatcher.utter_message(text=best.entry.answer)
            dispatcher.utter_message(json_message=payloads.faq_lookup("answered", best.entry.id, best.score))
            return True
        if decision.kind == "suggest" and not suggest:
            return False
        if decision.kind == "suggest":
            dispatcher.utter_message(response="utter_faq_suggest",
                                     buttons=[_button(m.entry.id, m.entry.question) for m in decision.matches])
            dispatcher.utter_message(json_message=payloads.faq_lookup("suggested", decision.best.entry.id,
                                                                      decision.best.score))
            return True
        dispatcher.utter_message(json_message=payloads.faq_lookup(
            "missed", None, decision.best.score if decision.best else None))
        return False
    except Exception:  # noqa: BLE001 - the FAQ failing must not take the fallback down with it
        log.exception("FAQ search failed for %s", cid)
        return False


class ActionAnswerFaq(Action):
    def name(self) -> str:
        return "action_answer_faq"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list:
        if not answer_from_faq(dispatcher, tracker):
            dispatcher.utter_message(response="utter_faq_fallback")
        return []
