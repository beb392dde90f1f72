"""Floods contained: what keeps one worker, one address or one guessed password from slowing the
service for everybody else (issue 14, section 2).

    policy.py     config/floods.yml, with the environment's replacements (Settings.rate_limits)
    limits.py     rate limits in Redis (flask-limiter): per WeChat openid, per web session, per address
    turn_lock.py  one turn in flight per conversation, across every gateway process (a Redis lock)

Login protection lives with the accounts (bot/accounts/throttle.py), the web chat's "busy" answer
with the web channel (bot/channels/web_turns.py).
"""
from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """app.extensions["floods"] (the policy), ["rate_limits"] and ["turn_locks"]."""
    from bot.floods.limits import RateLimits
    from bot.floods.policy import FloodPolicy
    from bot.floods.turn_lock import TurnLocks

    settings = app.config["SETTINGS"]
    policy = FloodPolicy.load(settings)
    app.extensions["floods"] = policy
    app.extensions["rate_limits"] = RateLimits(app, policy)
    app.extensions["turn_locks"] = TurnLocks(app.extensions["redis"], policy) if policy.contained else None


def limit_routes(app: Flask) -> None:
    """Per-address limits on the routes anyone may call without an account; after the blueprints."""
    policy = app.extensions["floods"]
    limits = app.extensions["rate_limits"]
    limits.limit_route(app, "web_chat.create_session", "session_create_per_address",
                       policy.text("sessions_too_fast"))
    limits.limit_route(app, "accounts.login", "login_per_address", policy.text("login_address_too_many"))
