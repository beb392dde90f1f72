"""The FAQ as the gateway publishes it, and an index of it that each answering process keeps fresh.

The gateway owns the entries (its database). After every committed change it publishes the
enabled entries to Redis as one snapshot with a rising version (`publish`); a process that
answers questions (the action server's FAQ connector, the gateway's admin 试一试) keeps a
`LiveIndex` that looks at the snapshot's version at most every CHECK_SECONDS and rebuilds when it
moved, so a change answers workers everywhere within about half a second, with no retraining and
no call back into the gateway.
"""
from __future__ import annotations

import json
import logging
import threading
import time

import redis

from unionkit.faq.retrieval import Candidate, FaqIndex

log = logging.getLogger(__name__)

SNAPSHOT_KEY = "faq:snapshot"   # hash: version -> n, entries -> JSON list of the enabled entries
VERSION_KEY = "faq:version"     # counter: the next snapshot's version
CHECK_SECONDS = 0.5

# Writes a snapshot only over an older one: two publishers racing never leave the older behind.
_PUBLISH = """
local current = tonumber(redis.call('HGET', KEYS[1], 'version') or '-1')
if current >= tonumber(ARGV[1]) then return 0 end
redis.call('HSET', KEYS[1], 'version', ARGV[1], 'entries', ARGV[2])
return 1
"""


def publish(r: redis.Redis, candidates: list[Candidate]) -> int:
    """Publish the enabled entries as the newest snapshot; returns its version."""
    version = r.incr(VERSION_KEY)
    entries = [[c.id, c.question, list(c.variants), c.answer, c.category] for c in candidates]
    r.register_script(_PUBLISH)(keys=[SNAPSHOT_KEY], args=[version, json.dumps(entries, ensure_ascii=False)])
    return version


def published(r: redis.Redis) -> bool:
    return r.hexists(SNAPSHOT_KEY, "version")


class LiveIndex:
    """An index of the newest published snapshot (an empty one until something is published)."""

    def __init__(self, r: redis.Redis):
        self.r = r
        self._lock = threading.Lock()
        self._index: FaqIndex | None = None
        self._by_id: dict[int, Candidate] = {}
        self._checked = 0.0

    def invalidate(self) -> None:
        self._checked = 0.0

    def _fresh(self) -> bool:
        return self._index is not None and time.monotonic() - self._checked < CHECK_SECONDS

    def get(self) -> FaqIndex:
        if self._fresh():
            return self._index
        with self._lock:
            if not self._fresh():
                self._refresh()
            return self._index

    def entry(self, entry_id: int) -> Candidate | None:
        """An enabled entry of the current snapshot, or None (disabled, deleted or unknown)."""
        self.get()
        return self._by_id.get(entry_id)

    def _refresh(self) -> None:
        try:
            version = self.r.hget(SNAPSHOT_KEY, "version")
            if self._index is None or version != self._index.version:
                version, raw = self.r.hmget(SNAPSHOT_KEY, "version", "entries")
                candidates = [Candidate(i, q, tuple(v), a, c) for i, q, v, a, c in json.loads(raw or "[]")]
                self._index = FaqIndex(candidates, version=version)
                self._by_id = {c.id: c for c in candidates}
                log.info("FAQ index built: %d entries, version %s", len(candidates), version)
        except redis.RedisError:
            log.exception("could not read %s; keeping the index I have", SNAPSHOT_KEY)
            if self._index is None:
                self._index, self._by_id = FaqIndex([], version=None), {}
        self._checked = time.monotonic()
