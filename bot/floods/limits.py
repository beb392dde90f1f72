"""Rate limits counted in the app's Redis by flask-limiter (moving window), shared by every gateway
process. Limits keyed by the caller's address are flask-limiter route limits; those keyed by
something inside the request (a WeChat openid in signed XML, a web session id in the JSON body)
are checked by the view through `allow`, once it has read and verified that."""
from __future__ import annotations

import logging
import time

from flask import Flask, request
from flask_limiter import Limiter
from limits import parse_many
from prometheus_client import Counter

from bot.floods.policy import FloodPolicy

log = logging.getLogger(__name__)

REFUSED = Counter("rate_limited_total", "Requests refused by a rate limit", ["limit"])


def client_address() -> str:
    """The caller's address (behind TRUSTED_PROXIES proxies, ProxyFix has already put the client's here)."""
    return request.remote_addr or "unknown"


class RateLimits:
    def __init__(self, app: Flask, policy: FloodPolicy):
        self.policy = policy
        # One Limiter per app (it keeps its storage and route limits on itself); storage on the app's
        # own Redis connection pool, so an embedded Redis (unix socket) works as well as a server.
        self.limiter = Limiter(
            key_func=client_address, strategy="moving-window", storage_uri="redis://",
            storage_options={"connection_pool": app.extensions["redis"].connection_pool},
            headers_enabled=True, key_prefix="floods", enabled=policy.contained,
            # Redis down: the request goes on unlimited (and /healthz says Redis is down), not a 500.
            swallow_errors=True)
        self.limiter.init_app(app)

    def limit_route(self, app: Flask, endpoint: str, name: str, message: str) -> None:
        """A per-address limit on POSTs to one registered view, refused with 429 and `message`."""
        def refused_here(_limit) -> None:
            REFUSED.labels(name).inc()

        # flask-limiter counts route limits in the wrapper its decorator returns: the view becomes that.
        app.view_functions[endpoint] = self.limiter.limit(
            lambda: self.policy.limit(name), methods=["POST"], error_message=message,
            on_breach=refused_here)(app.view_functions[endpoint])

    def allow(self, name: str, key: str) -> bool:
        """One hit on limit `name` for `key` (an openid, a session id); False when it is used up."""
        if not self.policy.contained:
            return True
        try:
            strategy = self.limiter.limiter
            for item in parse_many(self.policy.limit(name)):
                if not strategy.hit(item, name, key):
                    REFUSED.labels(name).inc()
                    return False
        except Exception:  # noqa: BLE001 - Redis down: answer unlimited rather than not at all
            log.exception("rate limit %s could not be checked", name)
        return True

    def retry_after(self, name: str, key: str) -> int:
        """Seconds until `key` may try again under limit `name` (for Retry-After)."""
        strategy = self.limiter.limiter
        waits = []
        for item in parse_many(self.policy.limit(name)):
            reset, remaining = strategy.get_window_stats(item, name, key)
            if remaining <= 0:
                waits.append(max(1, int(reset - time.time()) + 1))
        return max(waits, default=1)
