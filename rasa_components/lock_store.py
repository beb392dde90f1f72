"""Rasa's Redis lock store, reconnecting after a Redis restart (unionkit/redis_retry.py), so the
first message after the restart takes its conversation's lock instead of failing. In
config/endpoints.yml as `type: rasa_components.lock_store.RetryingRedisLockStore` (Rasa hands a
custom lock store its endpoint config)."""
from __future__ import annotations

from typing import Optional

from rasa.core.lock_store import RedisLockStore
from rasa.utils.endpoints import EndpointConfig

from unionkit import redis_sentinel
from unionkit.redis_retry import make_retrying


class RetryingRedisLockStore(RedisLockStore):
    def __init__(self, endpoint_config: Optional[EndpointConfig] = None, **kwargs) -> None:
        if endpoint_config is not None:
            kwargs = dict(endpoint_config.kwargs, host=endpoint_config.url, **kwargs)
        super().__init__(
            host=kwargs.get("host") or "localhost", port=int(kwargs.get("port") or 6379),
            db=int(kwargs.get("db") or 0), password=kwargs.get("password") or None,
            key_prefix=kwargs.get("key_prefix"),
        )
        make_retrying(self.red)
        # With REDIS_SENTINELS, the master the Sentinels name, followed through a failover.
        self.red = redis_sentinel.from_environment(db=int(kwargs.get("db") or 0),
                                                   password=kwargs.get("password") or None) or self.red
