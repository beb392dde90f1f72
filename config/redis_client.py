"""Redis connection from REDIS_URL (decoded strings; every key the project writes is text or JSON)
for the gateway, the worker and the action server; it reconnects after a Redis restart
(unionkit/redis_retry.py) and, with REDIS_SENTINELS set, follows the master through a Sentinel
failover (unionkit/redis_sentinel.py)."""
from __future__ import annotations

from urllib.parse import unquote, urlparse

import redis

from unionkit import redis_retry, redis_sentinel


def redis_from_url(url: str, sentinels: str = "", master: str = redis_sentinel.DEFAULT_MASTER) -> redis.Redis:
    if sentinels:
        parsed = urlparse(url)
        return redis_sentinel.master_client(
            redis_sentinel.parse_sentinels(sentinels), master, db=int((parsed.path or "/0").lstrip("/") or 0),
            password=unquote(parsed.password) if parsed.password else None,
            decode_responses=True, health_check_interval=30)
    return redis.Redis.from_url(url, decode_responses=True, health_check_interval=30, **redis_retry.options())


def redis_for(settings) -> redis.Redis:
    """The Redis of these settings (config/settings.py): REDIS_URL, or the Sentinels' master."""
    return redis_from_url(settings.redis_url, settings.redis_sentinels, settings.redis_sentinel_master)
