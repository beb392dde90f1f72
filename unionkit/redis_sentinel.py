"""Redis behind Sentinel: with REDIS_SENTINELS set ("10.0.2.11:26379,10.0.2.12:26379,..."), every
client of the project (gateway, worker, action server, Rasa's tracker and lock stores, the gateway
channel's turn memory) asks the Sentinels which server is the master of REDIS_SENTINEL_MASTER
(default "union") and follows it through a failover: redis-py's SentinelConnectionPool finds the
new master when a connection to the old one fails, and the retry options (unionkit/redis_retry.py)
send the command again meanwhile. The database number and password still come from REDIS_URL (or
REDIS_DB / REDIS_PASSWORD on the Rasa side); its host and port are then unused."""
from __future__ import annotations

import os

import redis
from redis.sentinel import Sentinel

from unionkit import redis_retry

SENTINELS_ENV = "REDIS_SENTINELS"
MASTER_ENV = "REDIS_SENTINEL_MASTER"
DEFAULT_MASTER = "union"


def parse_sentinels(value: str) -> list[tuple[str, int]]:
    """ "host:port,host:port" -> [(host, port), ...]; a bad entry is an error at start, not at the first turn."""
    out = []
    for item in (value or "").split(","):
        item = item.strip()
        if not item:
            continue
        host, sep, port = item.rpartition(":")
        if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
            raise ValueError(f"{SENTINELS_ENV}: {item!r} is not host:port")
        out.append((host, int(port)))
    return out


def master_client(sentinels: list[tuple[str, int]], master: str = DEFAULT_MASTER, db: int = 0,
                  password: str | None = None, **kwargs) -> redis.Redis:
    """A client of the master the Sentinels name, retrying through a failover."""
    sentinel = Sentinel(sentinels, socket_timeout=0.5, sentinel_kwargs={"socket_timeout": 0.5})
    return sentinel.master_for(master, db=db, password=password or None, socket_timeout=5,
                               **{**redis_retry.options(), **kwargs})


def from_environment(db: int = 0, password: str | None = None, **kwargs) -> redis.Redis | None:
    """The Sentinel-backed client when REDIS_SENTINELS is set, else None (connect directly)."""
    sentinels = parse_sentinels(os.environ.get(SENTINELS_ENV) or "")
    if not sentinels:
        return None
    return master_client(sentinels, os.environ.get(MASTER_ENV) or DEFAULT_MASTER, db=db, password=password, **kwargs)
