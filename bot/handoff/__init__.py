"""Human handoff: a chat goes from the bot to an officer and back.

`init_app` puts the HandoffService on app.extensions["handoff"] and registers the router that keeps
a handed-over chat away from Rasa; the unclaimed-chat sweep is a job of the worker (bot/worker.py).
Actions ask for a handoff with a payload in Rasa's answer (bot/handoff/payload.py acts on it);
the console reaches the service through bot/console/.
"""
from __future__ import annotations

from flask import Flask

from unionkit import payloads


def init_app(app: Flask) -> None:
    from bot.handoff import models  # noqa: F401  (the tables, on bot.models.Base)
    from bot.handoff.queues import HandoffQueues
    from bot.handoff.payload import HandoffPayload
    from bot.handoff.router import HandoffRouter
    from bot.handoff.service import HandoffService
    from bot.handoff.settings import HandoffSettings

    settings = app.config["SETTINGS"]
    service = HandoffService(HandoffQueues(app.extensions["redis"]), app.extensions["rasa"],
                             HandoffSettings.load(settings))
    app.extensions["handoff"] = service
    conversations = app.extensions["conversations"]
    conversations.interceptors.append(HandoffRouter(service))
    conversations.payload_handlers[payloads.HANDOFF] = HandoffPayload(service)
