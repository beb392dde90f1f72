"""Redis connection from REDIS_URL (decoded strings; every key the project writes is text or JSON)."""
from __future__ import annotations

import redis


def redis_from_url(url: str) -> redis.Redis:
    return redis.Redis.from_url(url, decode_responses=True, health_check_interval=30)
