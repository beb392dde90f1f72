"""actions.kept_forms: a form left for another service is put aside, kept for a while, restored."""
from __future__ import annotations

import time

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.kept_forms import KEEP_SECONDS, KEPT, form_slots, fresh, keep, resume

DOMAIN = {"forms": {"wage_arrears_form": {"required_slots": ["wa_employer", "wa_amount", "contact_phone"]}},
          "slots": {"wa_employer": {}, "wa_amount": {}, "contact_phone": {}, "contact_phone_masked": {}}}


def tracker(**slots) -> Tracker:
    return Tracker("web:1", slots, {}, [], False, None, None, "action_listen")


def test_keep_puts_the_answers_aside_and_clears_them():
    events = keep(tracker(wa_employer="鸿达建筑", wa_amount=None, contact_phone="13812345678"), DOMAIN,
                  "wage_arrears_form")
    cleared = {e["name"] for e in events if e["value"] is None}
    [kept] = [e["value"] for e in events if e["name"] == KEPT]
    assert cleared == {"wa_employer", "contact_phone"}
    assert kept["form"] == "wage_arrears_form" and kept["offered"] is False
    assert kept["slots"] == {"wa_employer": "鸿达建筑", "contact_phone": "13812345678"}
    assert form_slots(DOMAIN, "wage_arrears_form")[:3] == ["wa_employer", "wa_amount", "contact_phone"]


def test_nothing_but_shared_slots_is_not_worth_keeping():
    assert [e["name"] for e in keep(tracker(contact_phone="13812345678"), DOMAIN, "wage_arrears_form")] == [
        "contact_phone"]


def test_a_kept_form_expires_and_is_restored_only_for_its_own_service():
    kept = {"form": "wage_arrears_form", "slots": {"wa_employer": "鸿达建筑"}, "at": time.time(), "offered": True}
    assert fresh(tracker(kept_form=kept)) == kept
    assert fresh(tracker(kept_form=dict(kept, at=time.time() - KEEP_SECONDS - 1))) is None
    dispatcher = CollectingDispatcher()
    assert resume(dispatcher, tracker(kept_form=kept), "join_union_form") is None
    events = resume(dispatcher, tracker(kept_form=kept), "wage_arrears_form")
    assert {e["name"]: e["value"] for e in events} == {KEPT: None, "slot_failures": None, "wa_employer": "鸿达建筑"}
    assert dispatcher.messages[0]["response"] == "utter_kept_form_resumed"
