"""What the worker hears of every step of their records, and their rating (issue 12 §3-4).

    queue.py    the notices in Redis: claimed with a lease, sent once, retried until taken
    sender.py   the worker process's job: the back end's event feed -> notices -> web / WeChat
    ratings.py  the rating question and its answers (an interceptor before Rasa)
    models.py   one delivery row per notice (and WeChat's TEMPLATESENDJOBFINISH report)
    unionkit/notices_config.py   config/notices.yml: texts, WeChat templates, the rating's words
"""
from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """app.extensions["ratings"] (its interceptor first in line before Rasa, its question after a
    chat closes) and app.extensions["notices"] (run by the worker process, bot/worker.py)."""
    from bot import outbound
    from bot.notices.ratings import Ratings
    from bot.notices.sender import Notices

    r = app.extensions["redis"]
    ratings = Ratings(r, app.extensions["union_backend"], app.extensions["outbox"])
    app.extensions["ratings"] = ratings
    app.extensions["conversations"].payload_interceptors.insert(0, ratings.intercept)

    def ask_after_close(handoff) -> None:
        if handoff.officer:  # a chat no officer took has no one to rate
            text, buttons = ratings.ask_chat(handoff)
            outbound.deliver(handoff.conversation_id, text, role="bot", buttons=buttons)

    app.extensions["handoff"].after_close.append(ask_after_close)
    app.extensions["notices"] = Notices(app, r, app.extensions["union_backend"], ratings)
