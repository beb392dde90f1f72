"""WeChat retries a message it got no answer to (three times, 5 s apart), and a retry may reach any
gateway worker. The first copy claims the message in Redis (SET NX) for a short lease and stores its
answer; a copy arriving later gets that answer, waiting for it while the first is still running. The
first copy answers within the reply budget, so a lease a little longer than that is never cut short
while it lives; when its gateway worker died mid-turn, the lease runs out and the retry takes the
message over (and Rasa, told the same MsgId, runs the turn once: rasa_components/gateway_channel.py).
NonceMemory refuses a signed request replayed with another body (plain mode)."""
from __future__ import annotations

import hashlib
import os
import time

import redis
from wechatpy.messages import BaseMessage

PREFIX = "wechat:retry:"
# Longer than WeChat's retry window (about 15 s); MsgIds are unique, so a long memory is harmless.
KEEP_SECONDS = 600
RUNNING = "\x00running"  # marker while the first copy is being answered
POLL_SECONDS = 0.05


def message_key(message: BaseMessage) -> str:
    """WeChat's own advice: MsgId for messages, FromUserName + CreateTime for events. The event and
    its key are added: a retry repeats them, while two different events in the same second (a menu
    click right after following) are two events, not a retry."""
    if message.id:
        return f"msg:{message.id}"
    data = message._data
    return f"event:{message.source}:{message.time}:{data.get('Event', '')}:{data.get('EventKey') or ''}"


class RetryGuard:
    def __init__(self, r: redis.Redis, lease_seconds: float = 6.0):
        self.redis = r
        self.lease_ms = int(lease_seconds * 1000)

    def claim(self, key: str) -> bool:
        """True for the first copy of a message (it must answer); False for a retry. The claim
        names the process holding it (RUNNING:<pid>), for an operator or a test to see."""
        return bool(self.redis.set(PREFIX + key, f"{RUNNING}:{os.getpid()}", nx=True, px=self.lease_ms))

    def holder(self, key: str) -> int | None:
        """The pid of the process answering the message now, if one is."""
        value = self.redis.get(PREFIX + key)
        return int(value.rsplit(":", 1)[1]) if value and value.startswith(RUNNING) else None

    def store(self, key: str, answer: str) -> None:
        """The answer the first copy gave ("" for "success"), for retries to repeat."""
        self.redis.set(PREFIX + key, answer, ex=KEEP_SECONDS)

    def release(self, key: str) -> None:
        """The first copy failed before answering: let WeChat's retry start afresh."""
        self.redis.delete(PREFIX + key)

    def wait(self, key: str, deadline: float) -> str | None:
        """For a retry: the first copy's answer ("" for "success": it delivers its replies itself).
        A living first copy stores its answer by its own deadline, which is before this copy's
        (`deadline`, time.monotonic()); one that died stores nothing, and its lease runs out: then
        None, and this copy claims the message and answers it (late, by the customer-service
        API, if its own budget is spent). Never longer than the lease after `deadline`."""
        give_up = max(deadline, time.monotonic()) + self.lease_ms / 1000
        while True:
            value = self.redis.get(PREFIX + key)
            if value is None or not value.startswith(RUNNING):
                return value
            if time.monotonic() >= give_up:
                return ""
            time.sleep(POLL_SECONDS)


NONCE_PREFIX = "wechat:nonce:"


class NonceMemory:
    """Plain mode's signature covers the timestamp and nonce but not the body, so a captured request
    could be sent again within the 5 minutes a timestamp is good for, with another body. Each
    (timestamp, nonce) is remembered with a digest of its body for twice that window: the same pair
    with a different body is refused. The same pair with the same body is WeChat resending one
    message, which the RetryGuard answers without a second turn."""

    def __init__(self, r: redis.Redis, keep_seconds: int):
        self.redis = r
        self.keep_seconds = keep_seconds

    def first_use(self, timestamp: str, nonce: str, body: bytes) -> bool:
        key = NONCE_PREFIX + hashlib.sha256(f"{timestamp}\n{nonce}".encode()).hexdigest()
        digest = hashlib.sha256(body).hexdigest()
        if self.redis.set(key, digest, nx=True, ex=self.keep_seconds):
            return True
        seen = self.redis.get(key)
        return (seen.decode() if isinstance(seen, bytes) else seen) == digest
