"""Writes the union back end still owes us, kept in Redis until they land.

A submission carries its own human-readable `number`, so the worker can be told the number at
once and a retried POST is idempotent at the back end. Items are claimed with a lease (a Lua
script moves them forward in the due set atomically), so any number of worker processes
(bot/worker.py) can run the retry loop and each item is sent by one of them at a time; a worker that dies mid-send only
delays the item until its lease runs out.
"""
from __future__ import annotations

import json
import logging
import time

import redis
from prometheus_client import Counter, Gauge

from unionkit.backend_client import BackendRejected, BackendUnavailable, UnionBackend

log = logging.getLogger(__name__)

ITEMS_KEY = "outbox:items"      # hash: number -> JSON {path, body, attempts, created, last_error}
DUE_KEY = "outbox:due"          # sorted set: number -> when to try next (unix time)
DEAD_KEY = "outbox:rejected"    # hash: number -> JSON, items the back end refused (kept for staff)

DELIVERED = Counter("outbox_delivered_total", "Outbox items the back end accepted")
REJECTED = Counter("outbox_rejected_total", "Outbox items the back end refused (4xx), kept for staff")
REJECTED_WAITING = Gauge("outbox_rejected_waiting", "Refused outbox items staff have not resent or closed",
                         multiprocess_mode="max")
RETRIED = Counter("outbox_retries_total", "Outbox delivery attempts that failed and were rescheduled")
PENDING = Gauge("outbox_pending", "Outbox items waiting", multiprocess_mode="max")

_CLAIM = """
local ids = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[3]))
for _, id in ipairs(ids) do redis.call('ZADD', KEYS[1], ARGV[2], id) end
return ids
"""


class Outbox:
    def __init__(self, r: redis.Redis, lease_seconds: float = 60.0, max_backoff: float = 300.0,
                 base_backoff: float = 2.0):
        self.r = r
        self.lease_seconds = lease_seconds
        self.max_backoff = max_backoff
        self.base_backoff = base_backoff
        self._claim = r.register_script(_CLAIM)

    def put(self, path: str, body: dict) -> str:
        number = body["number"]
        item = {"path": path, "body": body, "attempts": 0, "created": time.time(), "last_error": None}
        pipe = self.r.pipeline()
        pipe.hsetnx(ITEMS_KEY, number, json.dumps(item, ensure_ascii=False))
        pipe.zadd(DUE_KEY, {number: time.time()}, nx=True)
        pipe.execute()
        log.warning("back end unavailable: %s %s queued in the outbox", path, number)
        return number

    def pending(self) -> list[dict]:
        return [json.loads(v) for v in self.r.hvals(ITEMS_KEY)]

    def claim_due(self, limit: int = 20) -> list[tuple[str, dict]]:
        now = time.time()
        ids = self._claim(keys=[DUE_KEY], args=[now, now + self.lease_seconds, limit])
        claimed = []
        for number in ids:
            raw = self.r.hget(ITEMS_KEY, number)
            if raw is None:  # delivered by someone else meanwhile
                self.r.zrem(DUE_KEY, number)
                continue
            claimed.append((number, json.loads(raw)))
        return claimed

    def deliver_due(self, backend: UnionBackend, limit: int = 20) -> int:
        """One pass of the retry loop; returns how many items landed (refused ones did not)."""
        landed = 0
        for number, item in self.claim_due(limit):
            try:
                backend.create(item["path"], item["body"])
            except BackendUnavailable as exc:
                item["attempts"] += 1
                item["last_error"] = str(exc)
                delay = min(self.base_backoff * 2 ** (item["attempts"] - 1), self.max_backoff)
                self.r.hset(ITEMS_KEY, number, json.dumps(item, ensure_ascii=False))
                self.r.zadd(DUE_KEY, {number: time.time() + delay})
                RETRIED.inc()
                continue
            except BackendRejected as exc:
                # It will never land as it is: not delivered, but kept where staff see it (the
                # admin page /admin/outbox), who resend it once the cause is fixed, or close it.
                item.update(last_error=str(exc), rejected_at=time.time(), status=exc.status)
                self.r.hset(DEAD_KEY, number, json.dumps(item, ensure_ascii=False))
                self._forget(number)
                REJECTED.inc()
                log.error("back end rejected outbox item %s: %s", number, exc)
                continue
            self._forget(number)
            landed += 1
            DELIVERED.inc()
        PENDING.set(self.r.zcard(DUE_KEY))
        REJECTED_WAITING.set(self.r.hlen(DEAD_KEY))
        return landed

    # ---- refused items, for staff ---------------------------------------------------------------
    def rejected(self) -> list[dict]:
        """Items the back end refused, oldest first, each with its number."""
        items = [dict(json.loads(v), number=k) for k, v in self.r.hgetall(DEAD_KEY).items()]
        return sorted(items, key=lambda i: i.get("rejected_at") or 0)

    def resend(self, number: str) -> bool:
        """Put a refused item back in the queue, due now (its number stays the same)."""
        raw = self.r.hget(DEAD_KEY, number)
        if raw is None:
            return False
        item = dict(json.loads(raw), attempts=0)
        pipe = self.r.pipeline()
        pipe.hsetnx(ITEMS_KEY, number, json.dumps(item, ensure_ascii=False))
        pipe.zadd(DUE_KEY, {number: time.time()}, nx=True)
        pipe.hdel(DEAD_KEY, number)
        pipe.execute()
        REJECTED_WAITING.set(self.r.hlen(DEAD_KEY))
        return True

    def close(self, number: str) -> dict | None:
        """Staff dealt with a refused item another way: forget it; returns what it was."""
        raw = self.r.hget(DEAD_KEY, number)
        if raw is None or not self.r.hdel(DEAD_KEY, number):
            return None
        REJECTED_WAITING.set(self.r.hlen(DEAD_KEY))
        return json.loads(raw)

    def _forget(self, number: str) -> None:
        pipe = self.r.pipeline()
        pipe.hdel(ITEMS_KEY, number)
        pipe.zrem(DUE_KEY, number)
        pipe.execute()
