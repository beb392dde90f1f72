"""Human handoff: a chat goes from the bot to an officer and back.

`init_app` puts the HandoffService on app.extensions["handoff"], registers the router that keeps
a handed-over chat away from Rasa, and (in gateway workers) starts the unclaimed-chat sweep.
Actions reach the service through actions/handoff.py; the console through bot/console/.
"""
from __future__ import annotations

import logging
import threading
import time

from flask import Flask

log = logging.getLogger(__name__)


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
    # The same switch as the outbox loop: gateway workers run background loops, CLI commands do not.
    if settings.outbox_worker:
        start_sweeper(app)


def start_sweeper(app: Flask) -> threading.Thread:
    """Looks for chats left unclaimed too long, in every gateway worker (the flag is taken by one)."""
    from config.database import Session

    service = app.extensions["handoff"]

    def loop():
        while True:
            time.sleep(service.cfg.sweep_seconds)
            try:
                with app.app_context():
                    service.sweep_unclaimed()
            except Exception:  # noqa: BLE001 - the loop must survive a database or Redis hiccup
                log.exception("handoff sweep failed")
            finally:
                Session.remove()

    thread = threading.Thread(target=loop, name="handoff-sweeper", daemon=True)
    thread.start()
    return thread
