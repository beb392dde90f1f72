"""Redis connection from REDIS_URL (decoded strings; every key the project writes is text or JSON)
for the gateway, the worker and the action server; it reconnects after a Redis restart
(unionkit/redis_retry.py)."""
from __future__ import annotations

import redis

from unionkit import redis_retry


def redis_from_url(url: str) -> redis.Redis:
    return redis.Redis.from_url(url, decode_responses=True, health_check_interval=30, **redis_retry.options())
