"""A question about a service is answered before the service starts (issue 10, section 3):
`外卖骑手能入会吗` (join_union_question) gets its answer and the service as a button, while
`我要入会` (join_union) starts the form at once. The answer is the staff's FAQ entry when one
matches clearly, else the service's own answer in the domain (utter_<base>_question).
"""
from __future__ import annotations

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.faq import answer_from_faq
from actions.replies import ANSWERED, base_intent


def answer_service_question(dispatcher: CollectingDispatcher, tracker: Tracker, service: str | None,
                            offer: bool = True, explain: str | None = None) -> None:
    """The FAQ's answer, else the service's own, else `explain` (why the form asks what it asks),
    else the FAQ fallback; with `offer`, the service follows as a button (utter_<service>_offer)."""
    known = service in ANSWERED
    if not answer_from_faq(dispatcher, tracker, suggest=not (known or explain)):
        fallback = f"utter_{service}_question" if known else explain or "utter_faq_fallback"
        dispatcher.utter_message(response=fallback)
    if offer and known:
        dispatcher.utter_message(response=f"utter_{service}_offer")


class ActionAnswerServiceQuestion(Action):
    def name(self) -> str:
        return "action_answer_service_question"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list:
        intent = ((tracker.latest_message or {}).get("intent") or {}).get("name")
        answer_service_question(dispatcher, tracker, base_intent(intent))
        return []
