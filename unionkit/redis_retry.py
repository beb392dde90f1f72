"""Every Redis client of the project survives a Redis restart: a command that finds its pooled
connection dead (the server went away and came back, or a Sentinel failover moved the master)
reconnects and is sent again, a few times with a short exponential backoff (about 2 s in all),
instead of failing the worker's turn. Standard redis-py options (retry, retry_on_error); the
gateway, the worker, the action server and Rasa's tracker and lock stores all use them."""
from __future__ import annotations

import redis
from redis.backoff import ExponentialBackoff
from redis.retry import Retry

ERRORS = [redis.exceptions.ConnectionError, redis.exceptions.TimeoutError]


def options() -> dict:
    """Keyword arguments for redis.Redis(...) / from_url(...)."""
    return {"retry": Retry(ExponentialBackoff(cap=0.5, base=0.05), 6), "retry_on_error": list(ERRORS)}


def make_retrying(client: redis.Redis) -> redis.Redis:
    """The same for a client someone else built (Rasa's stores): its pool's new connections retry.
    Call it before the client has opened a connection."""
    pool = client.connection_pool
    pool.connection_kwargs.update(options())
    pool.disconnect()
    return client
