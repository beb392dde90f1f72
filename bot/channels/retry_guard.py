"""A message sent again is answered once, whichever gateway host each copy reaches. WeChat resends
a message it got no answer to (MsgId), and the web chat page resends one whose answer was lost (its
retry_key). The first copy claims the message in Redis (SET NX) for a short lease and stores its
answer; a copy arriving later gets that answer, waiting for it while the first is still running. The
first copy answers within its reply budget, so a lease a little longer than that is never cut short
while it lives; when its gateway worker died mid-turn, the lease runs out and the copy takes the
message over (and Rasa, told the same message id, runs the turn once: rasa_components/gateway_channel.py)."""
from __future__ import annotations

import os
import time

import redis

# Longer than WeChat's retry window (about 15 s) and a page's retries; keys are unique, so a long
# memory is harmless.
KEEP_SECONDS = 600
RUNNING = "\x00running"  # marker while the first copy is being answered
POLL_SECONDS = 0.05


class RetryGuard:
    """Keys are the channel's own (WeChat's message_key, the web chat's session and retry_key);
    `prefix` keeps each channel's keys apart in Redis."""

    def __init__(self, r: redis.Redis, lease_seconds: float = 6.0, prefix: str = "wechat:retry:"):
        self.redis = r
        self.lease_ms = int(lease_seconds * 1000)
        self.prefix = prefix

    def claim(self, key: str) -> bool:
        """True for the first copy of a message (it must answer); False for a retry. The claim
        names the process holding it (RUNNING:<pid>), for an operator or a test to see."""
        return bool(self.redis.set(self.prefix + key, f"{RUNNING}:{os.getpid()}", nx=True, px=self.lease_ms))

    def holder(self, key: str) -> int | None:
        """The pid of the process answering the message now, if one is."""
        value = self.redis.get(self.prefix + key)
        return int(value.rsplit(":", 1)[1]) if value and value.startswith(RUNNING) else None

    def store(self, key: str, answer: str) -> None:
        """The answer the first copy gave ("" for "success"), for retries to repeat."""
        self.redis.set(self.prefix + key, answer, ex=KEEP_SECONDS)

    def release(self, key: str) -> None:
        """The first copy failed before answering: let WeChat's retry start afresh."""
        self.redis.delete(self.prefix + key)

    def wait(self, key: str, deadline: float) -> str | None:
        """For a retry: the first copy's answer ("" for "success": it delivers its replies itself).
        A living first copy stores its answer by its own deadline, which is before this copy's
        (`deadline`, time.monotonic()); one that died stores nothing, and its lease runs out: then
        None, and this copy claims the message and answers it (late, by the customer-service
        API, if its own budget is spent). Never longer than the lease after `deadline`."""
        give_up = max(deadline, time.monotonic()) + self.lease_ms / 1000
        while True:
            value = self.redis.get(self.prefix + key)
            if value is None or not value.startswith(RUNNING):
                return value
            if time.monotonic() >= give_up:
                return ""
            time.sleep(POLL_SECONDS)
