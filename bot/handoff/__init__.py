"""Human handoff: a chat goes from the bot to an officer and back.

`init_app` puts the HandoffService on app.extensions["handoff"] and registers the router that keeps
a handed-over chat away from Rasa; the unclaimed-chat sweep is a job of the worker (bot/worker.py).
Actions reach the service through actions/handoff.py; the console through bot/console/.
"""
from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from bot.handoff import models  # noqa: F401  (the tables, on bot.models.Base)
    from bot.handoff.queues import HandoffQueues
    from bot.handoff.router import HandoffRouter
    from bot.handoff.service import HandoffService
    from bot.handoff.settings import HandoffSettings

    settings = app.config["SETTINGS"]
    service = HandoffService(HandoffQueues(app.extensions["redis"]), app.extensions["rasa"],
                             HandoffSettings.load(settings))
    app.extensions["handoff"] = service
    app.extensions["conversations"].interceptors.append(HandoffRouter(service))
