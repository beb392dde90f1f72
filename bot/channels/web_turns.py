"""The web chat's reply budget: a turn runs in a worker thread; when Rasa has not answered within
WEB_REPLY_BUDGET seconds (the service is past what it can answer in time) the request answers in
words that the message is in hand, and the turn goes on. Its replies land in the transcript, which
the chat page polls (GET /api/chat/messages), so nothing is lost and no request hangs.

A message the page sends with a retry_key is answered once, however often the page sends it again
after losing the answer (a gateway host gone mid-turn, a dropped connection): the copies share one
answer through the RetryGuard, and Rasa is told the key as the message id, so a copy that took the
message over from a dead host runs no second turn there either."""
from __future__ import annotations

import json
import logging
import time
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout

import redis
from flask import Flask
from prometheus_client import Counter

from bot.channels.retry_guard import RetryGuard
from bot.rasa_client import BotReply

log = logging.getLogger(__name__)

ANSWERS = Counter("web_answers_total", "How web chat turns were answered", ["path"])
RETRY_PREFIX = "web:retry:"


class WebTurns:
    def __init__(self, app: Flask, budget: float, busy_reply: BotReply, r: redis.Redis, workers: int = 32):
        self.app = app
        self.budget = budget
        self.busy_reply = busy_reply
        # A lease a little longer than the budget: a living first copy always answers within it.
        self.guard = RetryGuard(r, lease_seconds=budget + 2, prefix=RETRY_PREFIX)
        self.pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="web-turn")

    def respond(self, session_id: str, text: str, payload: str | None, retry_key: str | None = None) -> dict:
        """The body of POST /api/chat/messages' answer, the same for every copy of a keyed message."""
        if retry_key is None:
            return self._answer(session_id, text, payload, None)
        key = f"{session_id}:{retry_key}"
        deadline = time.monotonic() + self.budget
        while True:
            if self.guard.claim(key):
                try:
                    body = self._answer(session_id, text, payload, retry_key)
                except Exception:
                    self.guard.release(key)  # nothing answered: the page's next copy starts afresh
                    raise
                self.guard.store(key, json.dumps(body, ensure_ascii=False))
                return body
            stored = self.guard.wait(key, deadline)
            if stored:
                ANSWERS.labels("repeated").inc()
                return json.loads(stored)
            if stored == "":  # the first copy is still running past the lease: its replies reach the transcript
                return self._busy()
            # None: the first copy's host died before answering; this copy takes the message over.

    def _answer(self, session_id: str, text: str, payload: str | None, retry_key: str | None) -> dict:
        future = self.pool.submit(self._in_app, session_id, text, payload, retry_key)
        try:
            replies = future.result(timeout=self.budget)
        except FutureTimeout:
            future.add_done_callback(_log_failure)
            return self._busy()
        ANSWERS.labels("direct").inc()
        # The transcript ids let the page bind its bubbles to what the transcript later returns.
        return {"messages": [r.as_json() for r in replies], "user_message_id": getattr(replies, "said_id", None)}

    def _busy(self) -> dict:
        # No transcript ids: the turn's replies arrive through the transcript.
        ANSWERS.labels("busy").inc()
        return {"messages": [self.busy_reply.as_json()], "user_message_id": None}

    def _in_app(self, session_id: str, text: str, payload: str | None, retry_key: str | None):
        # A worker thread gets its own app context (and so its own database session).
        with self.app.app_context():
            return self.app.extensions["conversations"].user_says("web", session_id, text=text, payload=payload,
                                                                  message_id=retry_key)


def _log_failure(future: Future) -> None:
    if future.exception() is not None:
        log.error("a late web chat turn failed", exc_info=future.exception())
