"""What the actions are handed to reach the world outside the conversation: the union back end,
the outbox for writes it could not take, and the published FAQ. Nothing else: the actions never
call the gateway; what the gateway must do (open a handoff, record an FAQ look-up) goes back in
Rasa's answer as a custom payload (actions/payloads.py).

The action server builds them once from the environment (BACKEND_URL, BACKEND_API_KEY,
REDIS_URL; actions/startup.py does it when the server starts); tests hand in their own with `use`.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass

from unionkit.backend_client import UnionBackend
from unionkit.faq.live import LiveIndex
from unionkit.outbox import Outbox

ACTION_SERVER_SECRETS = ("backend_api_key",)


@dataclass
class Connectors:
    backend: UnionBackend
    outbox: Outbox
    faq: LiveIndex


_current: Connectors | None = None
_lock = threading.Lock()


def from_settings(settings) -> Connectors:
    from config import secret_check
    from config.redis_client import redis_for

    secret_check.require(settings, ACTION_SERVER_SECRETS)
    r = redis_for(settings)
    return Connectors(backend=UnionBackend(settings.backend_url, settings.backend_api_key, settings.backend_timeout),
                      outbox=Outbox(r), faq=LiveIndex(r))


def use(connectors: Connectors | None) -> None:
    """Hand the actions their connectors (None: build them from the environment when next needed)."""
    global _current
    _current = connectors


def current() -> Connectors:
    global _current
    if _current is None:
        with _lock:
            if _current is None:
                from config.settings import Settings

                _current = from_settings(Settings.from_env())
    return _current
