"""Answers from the staff-maintained FAQ. `answer_from_faq` is what the faq intent and every
fallback call first; it returns whether the worker got an answer (or a choice of questions).

The retrieval itself belongs to the FAQ area (bot/faq/); until it is wired in, nothing matches.
"""
from __future__ import annotations

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict


def answer_from_faq(dispatcher: CollectingDispatcher, tracker: Tracker) -> bool:
    """Search the FAQ for the latest user message; utter the answer (or the top questions as
    buttons) and return True, or return False (and record the message as unanswered)."""
    return False


class ActionAnswerFaq(Action):
    def name(self) -> str:
        return "action_answer_faq"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list:
        if not answer_from_faq(dispatcher, tracker):
            dispatcher.utter_message(response="utter_faq_fallback")
        return []
