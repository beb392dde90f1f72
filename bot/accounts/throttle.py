"""Backoff after failed logins, per account name and per address, counted in Redis so every gateway
process sees the same count. A name is counted whether or not such an account exists (a lockout
says nothing about which names are real). After `*_free_failures` failures within `window_seconds`
each further failure locks the name (or address) out for `lockout_seconds`, doubled each time, at
most `lockout_max_seconds`; a successful login clears the name's count."""
from __future__ import annotations

import hashlib

import redis

PREFIX = "login:"


def _key(kind: str, what: str, value: str) -> str:
    # Names and addresses as typed are hashed: a key holds no personal text and no odd characters.
    digest = hashlib.sha256(value.strip().lower().encode("utf-8")).hexdigest()[:32]
    return f"{PREFIX}{kind}:{what}:{digest}"


class LoginThrottle:
    def __init__(self, r: redis.Redis, policy: dict):
        self.redis = r
        self.window = int(policy.get("window_seconds", 900))
        self.free = {"account": int(policy.get("account_free_failures", 5)),
                     "address": int(policy.get("address_free_failures", 20))}
        self.base = int(policy.get("lockout_seconds", 30))
        self.ceiling = int(policy.get("lockout_max_seconds", 900))

    def wait_seconds(self, name: str, address: str) -> tuple[int, str | None]:
        """(seconds still locked out, "account" or "address"), or (0, None) when free to try."""
        pipe = self.redis.pipeline(transaction=False)
        pipe.ttl(_key("lock", "account", name))
        pipe.ttl(_key("lock", "address", address))
        account, addr = (max(0, t or 0) for t in pipe.execute())
        if account >= addr and account:
            return account, "account"
        return (addr, "address") if addr else (0, None)

    def failed(self, name: str, address: str) -> int:
        """Counts a failure; returns the lockout it starts (0 for none yet)."""
        started = 0
        for what, value in (("account", name), ("address", address)):
            counter = _key("fail", what, value)
            pipe = self.redis.pipeline(transaction=True)
            pipe.incr(counter)
            pipe.expire(counter, self.window, nx=True)
            failures = pipe.execute()[0]
            over = failures - self.free[what]
            if over > 0:
                seconds = min(self.ceiling, self.base * 2 ** min(over - 1, 20))
                self.redis.set(_key("lock", what, value), 1, ex=seconds)
                started = max(started, seconds)
        return started

    def succeeded(self, name: str) -> None:
        self.redis.delete(_key("fail", "account", name), _key("lock", "account", name))
