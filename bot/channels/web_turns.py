"""The web chat's reply budget: a turn runs in a worker thread; when Rasa has not answered within
WEB_REPLY_BUDGET seconds (the service is past what it can answer in time) the request answers in
words that the message is in hand, and the turn goes on. Its replies land in the transcript, which
the chat page polls (GET /api/chat/messages), so nothing is lost and no request hangs."""
from __future__ import annotations

import logging
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout

from flask import Flask
from prometheus_client import Counter

from bot.rasa_client import BotReply

log = logging.getLogger(__name__)

ANSWERS = Counter("web_answers_total", "How web chat turns were answered", ["path"])


class WebTurns:
    def __init__(self, app: Flask, budget: float, busy_reply: BotReply, workers: int = 32):
        self.app = app
        self.budget = budget
        self.busy_reply = busy_reply
        self.pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="web-turn")

    def answer(self, session_id: str, text: str, payload: str | None) -> list[BotReply]:
        future = self.pool.submit(self._in_app, session_id, text, payload)
        try:
            replies = future.result(timeout=self.budget)
        except FutureTimeout:
            ANSWERS.labels("busy").inc()
            future.add_done_callback(_log_failure)
            return [self.busy_reply]
        ANSWERS.labels("direct").inc()
        return replies

    def _in_app(self, session_id: str, text: str, payload: str | None) -> list[BotReply]:
        # A worker thread gets its own app context (and so its own database session).
        with self.app.app_context():
            return self.app.extensions["conversations"].user_says("web", session_id, text=text, payload=payload)


def _log_failure(future: Future) -> None:
    if future.exception() is not None:
        log.error("a late web chat turn failed", exc_info=future.exception())
