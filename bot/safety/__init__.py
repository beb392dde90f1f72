"""The safety screen: every worker message, on every channel, in or out of a form and while waiting
for an officer, is checked for danger before anything else sees it (bot/conversation.py).

`init_app` trains the screen's classifier (bot/safety/model.py) and hands the gate to the
conversation service; the gate opens its handoffs through app.extensions["handoff"].
"""
from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from bot.safety.gate import SafetyGate
    from bot.safety.screen import SafetyScreen

    from bot.orgs.alerts import GroupIncidentWarning

    gate = SafetyGate(SafetyScreen.from_training_file(), app.extensions["handoff"],
                      GroupIncidentWarning(app.extensions["union_backend"]))
    app.extensions["safety"] = gate
    app.extensions["conversations"].safety = gate
