"""The handoff's Redis side: one waiting queue per team, officer presence, acknowledgement
throttling and resumes still owed to Rasa; shared by every gateway worker.

The database row (bot/handoff/models.py) is the record of each handoff; the queues order them.
"""
from __future__ import annotations

import redis

# Critical handoffs (danger) sort before every urgent one, urgent before every normal one; within
# a priority, the oldest first.
_OFFSETS = {"critical": -1e10, "urgent": 0.0, "normal": 1e10}


def queue_score(priority: str, created_epoch: float) -> float:
    return created_epoch + _OFFSETS.get(priority, _OFFSETS["normal"])


class HandoffQueues:
    def __init__(self, r: redis.Redis, prefix: str = "handoff"):
        self.r = r
        self.prefix = prefix

    def _key(self, *parts: str) -> str:
        return ":".join((self.prefix, *parts))

    # ---- team queues -------------------------------------------------------------------
    def enqueue(self, team: str, handoff_id: int, score: float) -> None:
        self.r.zadd(self._key("queue", team), {str(handoff_id): score})

    def dequeue(self, team: str, handoff_id: int) -> None:
        self.r.zrem(self._key("queue", team), str(handoff_id))

    def position(self, team: str, handoff_id: int) -> int | None:
        """1 for the next to be served; None when not queued."""
        rank = self.r.zrank(self._key("queue", team), str(handoff_id))
        return None if rank is None else rank + 1

    # ---- officer presence ----------------------------------------------------------------
    def touch_presence(self, officer: str, teams: list[str], now_epoch: float) -> None:
        pipe = self.r.pipeline()
        for team in teams:
            pipe.zadd(self._key("presence", team), {officer: now_epoch})
        pipe.execute()

    def online(self, team: str, now_epoch: float, window: float) -> list[str]:
        key = self._key("presence", team)
        self.r.zremrangebyscore(key, "-inf", now_epoch - window * 10)  # forget long-gone officers
        return list(self.r.zrangebyscore(key, now_epoch - window, "+inf"))

    # ---- a waiting worker's messages are acknowledged, but not every single one -------------
    def should_acknowledge(self, conversation_id: str, seconds: float) -> bool:
        return bool(self.r.set(self._key("ack", conversation_id), 1, nx=True, ex=max(1, int(seconds))))

    def forget_acknowledgement(self, conversation_id: str) -> None:
        self.r.delete(self._key("ack", conversation_id))

    # ---- Rasa could not be told to resume: retried before the worker's next message -----------
    def owe_resume(self, conversation_id: str) -> None:
        self.r.sadd(self._key("resume_pending"), conversation_id)

    def resume_owed(self, conversation_id: str) -> bool:
        return bool(self.r.sismember(self._key("resume_pending"), conversation_id))

    def resume_paid(self, conversation_id: str) -> None:
        self.r.srem(self._key("resume_pending"), conversation_id)
