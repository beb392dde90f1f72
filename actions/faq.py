"""Answers from the staff-maintained FAQ. `answer_from_faq` is what the faq intent and every
fallback call first; it returns whether the worker got an answer (or a choice of questions).

Retrieval is bot/faq/ (BM25 over jieba words and character n-grams, an index each worker keeps
fresh through a Redis version counter): above a high score the answer is given, between a low
and the high score the best questions are offered as buttons, below that nothing is said and
the message is recorded as unanswered for staff (/admin/unanswered).
"""
from __future__ import annotations

import json
import logging

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot import texts
from bot.faq import unanswered
from bot.faq.live_index import current_index
from bot.faq.store import get_entry

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
            entry = get_entry(picked)
            if entry is None or not entry.enabled:
                dispatcher.utter_message(text=texts.text("utter_faq_entry_gone"))
            else:
                dispatcher.utter_message(text=entry.answer)
                unanswered.record_lookup(cid, "answered", entry.id, None)
            return True
        if not text.strip() or text.startswith("/"):
            return False  # a button of another service, not a question
        decision = current_index().decide(text)
        if decision.kind == "answer":
            best = decision.best
            dispatcher.utter_message(text=best.entry.answer)
            unanswered.record_lookup(cid, "answered", best.entry.id, best.score)
            return True
        if decision.kind == "suggest" and not suggest:
            return False
        if decision.kind == "suggest":
            offer = texts.response("utter_faq_suggest")
            dispatcher.utter_message(text=offer["text"],
                                     buttons=[_button(m.entry.id, m.entry.question) for m in decision.matches])
            unanswered.record_lookup(cid, "suggested", decision.best.entry.id, decision.best.score)
            return True
        unanswered.record_lookup(cid, "missed", None, decision.best.score if decision.best else None,
                                 commit=False)
        unanswered.record(cid, text, "no_match")
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
