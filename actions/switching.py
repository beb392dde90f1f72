"""Switching service in the middle of a form (`算了，我想先入会` in the wage form): the form asks
whether to switch (actions/forms.py); on yes this starts the new service and keeps what the worker
entered in the old one (actions/kept_forms.py), which is offered back once the new one is done.
"""
from __future__ import annotations

from rasa_sdk import Action, Tracker
from rasa_sdk.events import FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import REQUESTED_SLOT
from rasa_sdk.types import DomainDict

from actions import (found_union, hardship_aid, join_union, legal_aid, medical_mutual_aid, suggestion, training,
                     wage_arrears, work_injury)
from actions.forms import INTERRUPTION, PENDING_SWITCH, SWITCH_SLOT
from actions.kept_forms import KEPT, fresh, keep, label
from actions.replies import SERVICE_FORMS
from unionkit.texts import text

# The action that starts each service (intro, safety advice, what the first message already says).
STARTS = {
    "join_union": join_union.ActionStartJoinUnion, "wage_arrears": wage_arrears.ActionStartWageArrears,
    "work_injury": work_injury.ActionStartWorkInjury, "training_signup": training.ActionStartTraining,
    "legal_aid": legal_aid.ActionStartLegalAid, "hardship_aid": hardship_aid.ActionStartHardshipAid,
    "medical_mutual_aid": medical_mutual_aid.ActionStartMedicalMutualAid,
    "found_union": found_union.ActionStartFoundUnion, "suggestion": suggestion.ActionStartSuggestion,
}
SWITCH_STATE = (PENDING_SWITCH, SWITCH_SLOT, INTERRUPTION, REQUESTED_SLOT, "slot_failures")


class ActionAskSwitchConfirmed(Action):
    """The form's question while a switch is pending: "先办入会吗？刚才的欠薪登记会先帮您留着。"""

    def name(self) -> str:
        return "action_ask_switch_confirmed"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list:
        pending = tracker.get_slot(PENDING_SWITCH) or {}
        dispatcher.utter_message(response="utter_ask_switch_confirmed",
                                 target=label(SERVICE_FORMS.get(pending.get("to"), "")),
                                 service=label(pending.get("from") or ""))
        return []


class ActionSwitchService(Action):
    """Runs after the worker said yes: keeps the old form's answers, starts the new service."""

    def name(self) -> str:
        return "action_switch_service"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list:
        pending = tracker.get_slot(PENDING_SWITCH) or {}
        target, old_form = pending.get("to"), pending.get("from")
        events = keep(tracker, domain, old_form) if old_form else []
        events += [SlotSet(slot, None) for slot in SWITCH_STATE]
        if target not in STARTS:
            return events
        # The new service reads the message that asked for it ("我还要报工伤，前天晚上摔的"),
        # with the old form's values already put aside.
        view = tracker.copy()
        view.slots.update({e["name"]: e["value"] for e in events})
        view.latest_message = dict(tracker.latest_message or {}, text=pending.get("text") or "")
        events += STARTS[target]().run(dispatcher, view, domain)
        return events + [FollowupAction(SERVICE_FORMS[target])]


class ActionOfferKeptForm(Action):
    """After a service ends (filed or cancelled): a kept form is offered back, once."""

    def name(self) -> str:
        return "action_offer_kept_form"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list:
        kept = fresh(tracker)
        if not kept or kept.get("offered"):
            return []
        intent = next(i for i, form in SERVICE_FORMS.items() if form == kept["form"])
        service = label(kept["form"])
        dispatcher.utter_message(response="utter_kept_form_offer", service=service, buttons=[
            {"title": text("utter_kept_form_continue", service=service), "payload": f"/{intent}"},
            {"title": text("utter_kept_form_drop"), "payload": "/cancel"}])
        return [SlotSet(KEPT, dict(kept, offered=True))]
