"""One turn in flight per conversation, whatever gateway process each message reaches: a Redis lock
per conversation (redis-py's Lock: a random token, released only by its holder, expiring if the
holder dies). Rasa keeps its own lock per conversation, but queues every message behind it; a
worker pasting 40 messages at once would then hold 40 of the gateway's threads and 40 of Rasa's
slots. Here the second message waits a moment for the first and is otherwise refused with a reply."""
from __future__ import annotations

import logging
from contextlib import contextmanager
from typing import Iterator

import redis
from prometheus_client import Counter

from bot.floods.policy import FloodPolicy

log = logging.getLogger(__name__)

PREFIX = "turn:lock:"
BUSY = Counter("chat_turns_refused_total", "Turns refused: another turn of the same conversation was in flight")


class TurnLocks:
    def __init__(self, r: redis.Redis, policy: FloodPolicy):
        self.redis = r
        self.hold_seconds = float(policy.turns.get("lock_seconds", 30))
        self.wait_seconds = float(policy.turns.get("wait_seconds", 1.0))

    @contextmanager
    def turn(self, conversation_id: str, wait: float | None = None, token: str | None = None) -> Iterator[bool]:
        """Yields True while holding the conversation's lock, False if another turn kept it for
        `wait` seconds (default from config/floods.yml). `token` names the message (WeChat's
        MsgId): a copy of the same message takes the turn over from a holder that died with it
        (a gateway worker killed mid-turn) instead of waiting out the lock."""
        lock = self.redis.lock(PREFIX + conversation_id, timeout=self.hold_seconds,
                               blocking_timeout=self.wait_seconds if wait is None else max(0.0, wait),
                               sleep=0.05)
        try:
            acquired = lock.acquire(token=token)
            if not acquired and token is not None:
                acquired = self.redis.get(PREFIX + conversation_id) == token  # the same message's turn
        except redis.RedisError:
            log.exception("turn lock for %s unavailable; the turn goes ahead unlocked", conversation_id)
            yield True
            return
        if not acquired:
            BUSY.inc()
            yield False
            return
        try:
            yield True
        finally:
            try:
                lock.release()
            except redis.exceptions.LockError:
                log.warning("the turn of %s outlived its lock (%ss)", conversation_id, self.hold_seconds)
            except redis.RedisError:
                log.exception("could not release the turn lock of %s", conversation_id)
