"""The Rasa trackers as they lie in Redis, for the processes that must forget them without Rasa:
the gateway when a worker asks to delete their history (删除我的记录), and `flask --app server
purge` (retention). The Rasa server writes them through rasa_components/tracker_store.py under
the key prefix of config/endpoints.yml (``rasa`` -> ``rasa:tracker:<sender id>``).
"""
from __future__ import annotations

import json
import time

KEY_PREFIX = "rasa:tracker:"


def key(sender_id: str) -> str:
    return KEY_PREFIX + sender_id


def delete(redis, sender_id: str) -> bool:
    """Forget one conversation's tracker; True when there was one."""
    return bool(redis.delete(key(sender_id)))


def last_event_at(serialised: bytes | str) -> float | None:
    """The timestamp of a stored tracker's last event (None when it has none or is unreadable)."""
    try:
        events = json.loads(serialised).get("events") or []
    except (ValueError, AttributeError, TypeError):
        return None
    stamps = [e.get("timestamp") for e in events if isinstance(e, dict) and isinstance(e.get("timestamp"), (int, float))]
    return max(stamps) if stamps else None


def purge(redis, older_than_seconds: float, now: float | None = None) -> int:
    """Deletes every tracker whose last event is older than `older_than_seconds`; returns how many.
    A tracker without a readable timestamp is left alone (Redis forgets it at its expiry)."""
    cutoff = (now or time.time()) - older_than_seconds
    deleted = 0
    for name in redis.scan_iter(match=KEY_PREFIX + "*", count=500):
        stored = redis.get(name)
        if stored is None:
            continue
        at = last_event_at(stored)
        if at is not None and at < cutoff:
            deleted += redis.delete(name)
    return deleted
