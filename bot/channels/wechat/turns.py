"""The 5-second rule: WeChat gives up on an answer after 5 s and retries. A turn runs in a worker
thread; when it finishes within the reply budget (4 s by default) its replies are the passive answer,
otherwise the request answers "success" at once and the replies follow through the customer-service
API when they are ready."""
from __future__ import annotations

import logging
import time
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout

from flask import Flask
from prometheus_client import Counter

from bot.channels.wechat.choices import Choices, render
from bot.channels.wechat.delivery import CustomerService
from bot.channels.wechat.split import split_text
from bot.rasa_client import BotReply

log = logging.getLogger(__name__)

ANSWERS = Counter("wechat_answers_total", "How WeChat messages were answered", ["path"])


class TurnRunner:
    def __init__(self, app: Flask, choices: Choices, service: CustomerService, workers: int = 32):
        self.app = app
        self.choices = choices
        self.service = service
        self.pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="wechat-turn")

    def answer(self, openid: str, deadline: float, text: str = "", payload: str | None = None,
               message_id: str | None = None) -> str:
        """The passive answer for one user turn ("" means "success": the replies come later)."""
        future = self.pool.submit(self._in_app, self._turn, openid, text, payload, message_id)
        try:
            chunks = future.result(timeout=max(0.0, deadline - time.monotonic()))
        except FutureTimeout:
            ANSWERS.labels("late").inc()
            future.add_done_callback(lambda f: self.in_background(self._push_late, openid, f))
            return ""
        ANSWERS.labels("passive").inc()
        return self.passive(openid, chunks)

    def reply(self, openid: str, replies: list[BotReply]) -> str:
        """The passive answer for replies the channel makes itself (welcome, "send text instead")."""
        return self.passive(openid, self.prepare(openid, replies))

    def prepare(self, openid: str, replies: list[BotReply]) -> list[str]:
        """Replies as WeChat text messages; their buttons become the user's numbered choices."""
        text, choices = render(replies)
        self.choices.remember(openid, choices)
        return split_text(text)

    def passive(self, openid: str, chunks: list[str]) -> str:
        """The first message goes as the passive answer; the rest of a long reply is pushed after it."""
        if len(chunks) > 1:
            self.in_background(self.service.push, openid, chunks[1:])
        return chunks[0] if chunks else ""

    def in_background(self, fn, *args) -> None:
        self.pool.submit(self._logged, fn, *args)

    def _turn(self, openid: str, text: str, payload: str | None, message_id: str | None = None) -> list[str]:
        conversations = self.app.extensions["conversations"]
        replies = conversations.user_says("wechat", openid, text=text, payload=payload, message_id=message_id)
        return self.prepare(openid, replies)

    def _push_late(self, openid: str, future: Future) -> None:
        self.service.push(openid, future.result())  # a failed turn raises here, and is logged

    def _logged(self, fn, *args) -> None:
        # Nobody waits for a background task: its failure is only seen in the log.
        try:
            self._in_app(fn, *args)
        except Exception:  # noqa: BLE001
            log.exception("WeChat background task %s failed", getattr(fn, "__name__", fn))

    def _in_app(self, fn, *args):
        # Worker threads get their own app context (and so their own database session).
        with self.app.app_context():
            return fn(*args)
