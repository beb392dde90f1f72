"""Rasa takes turns only from the gateway: its REST channel is not enabled, and the gateway channel
(rasa_components/gateway_channel.py) refuses a call without the shared secret header, so no other
local process can speak as a worker past the safety screen, the handoff router and the transcript."""
from __future__ import annotations

import requests

from bot.rasa_client import SECRET_HEADER, TURN_PATH

TURN = {"sender": "web:intruder", "message": "我想入会"}


def test_a_direct_call_without_the_secret_is_refused(live_stack):
    rasa = live_stack.rasa_url
    assert requests.post(f"{rasa}/webhooks/rest/webhook", json=TURN, timeout=10).status_code == 404
    assert requests.post(f"{rasa}{TURN_PATH}", json=TURN, timeout=10).status_code == 401
    wrong = requests.post(f"{rasa}{TURN_PATH}", json=TURN, headers={SECRET_HEADER: "guessed"}, timeout=10)
    assert wrong.status_code == 401
    # Nothing reached the conversation.
    tracker = requests.get(f"{rasa}/conversations/web:intruder/tracker", timeout=10,
                           params={"token": live_stack.rasa_token, "include_events": "ALL"}).json()
    assert not [e for e in tracker.get("events") or [] if e.get("event") == "user"]


def test_the_gateway_holds_the_secret(live_stack):
    ok = requests.post(f"{live_stack.rasa_url}{TURN_PATH}", json={"sender": "web:bench-check", "message": "你好"},
                       headers={SECRET_HEADER: live_stack.channel_secret}, timeout=30)
    assert ok.status_code == 200 and ok.json() and ok.json()[0]["recipient_id"] == "web:bench-check"
    bad = requests.post(f"{live_stack.rasa_url}{TURN_PATH}", data=b'{"sender": "x", "message": "\\ud800"}',
                        headers={SECRET_HEADER: live_stack.channel_secret}, timeout=10)
    assert bad.status_code == 400 and "surrogates" in bad.json()["message"]
