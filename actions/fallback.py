"""When the model is unsure what the worker means (nlu_fallback): try the FAQ first; otherwise say
so once with the menu, and from the second miss in a row offer a person instead of repeating."""
from __future__ import annotations

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.cases import latest_text, safety_first
from actions.faq import answer_from_faq
from actions.handoff import request_handoff

OFFER_HUMAN_AFTER = 2


def previous_turn_missed(tracker: Tracker) -> bool:
    """Whether the bot's answer to the previous message was also an unanswered fallback."""
    users_seen = 0
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            users_seen += 1
            if users_seen == 2:
                return False
        elif users_seen == 1 and event.get("event") == "action" and event.get("name") not in (
                "action_listen", None):
            return event.get("name") == "action_fallback"
    return False


class ActionFallback(Action):
    def name(self) -> str:
        return "action_fallback"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list:
        if safety_first(latest_text(tracker), dispatcher):
            return [SlotSet("fallback_streak", 0)] + request_handoff(
                dispatcher, tracker, reason="self_harm", priority="urgent", team="general")
        if answer_from_faq(dispatcher, tracker):
            return [SlotSet("fallback_streak", 0)]
        streak = (tracker.get_slot("fallback_streak") or 0) if previous_turn_missed(tracker) else 0
        streak += 1
        if streak >= OFFER_HUMAN_AFTER:
            dispatcher.utter_message(response="utter_fallback_offer_human")
        else:
            dispatcher.utter_message(response="utter_default")
        return [SlotSet("fallback_streak", streak)]
