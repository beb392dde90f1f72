"""WeChat Official Account channel at /wechat, built on wechatpy.

    protocol.py   signatures, safe-mode AES, parsing, passive replies (wechatpy)
    channel.py    what each message kind or event leads to
    dedup.py      WeChat's retries answered once, across gateway workers (Redis)
    turns.py      the reply budget: a passive answer, or "success" and the replies pushed later
    choices.py    buttons as numbered choices, and "2" back to the second button's payload
    split.py      replies cut under 2048 bytes at sentence ends
    api.py        WeChatClient with the access_token shared in Redis and refreshed under a lock
    quota.py      the 48-hour push allowance per user, and the queue for what does not fit
    delivery.py   pushing through the customer-service API (also bot.outbound's sender)
    menu.py, cli.py   config/wechat_menu.yml and `flask --app server wechat sync-menu`
"""
from __future__ import annotations

from flask import Flask

from bot.channels.wechat.views import bp

__all__ = ["bp", "init_app"]


def init_app(app: Flask) -> None:
    """The channel on app.extensions["wechat"], its blueprint, and its outbound sender."""
    from bot import outbound
    from bot.channels.wechat.api import SharedTokenClient
    from bot.channels.wechat.channel import WeChatChannel
    from bot.channels.wechat.choices import Choices
    from bot.channels.wechat.dedup import NonceMemory, RetryGuard
    from bot.channels.wechat.delivery import CustomerService
    from bot.channels.wechat.protocol import MAX_CLOCK_SKEW, Protocol
    from bot.channels.wechat.quota import Quota

    settings = app.config["SETTINGS"]
    r = app.extensions["redis"]
    api = None
    if settings.wechat_app_id and settings.wechat_app_secret:
        api = SharedTokenClient(settings.wechat_app_id, settings.wechat_app_secret, r, settings.wechat_api_base)
    choices = Choices(r)
    service = CustomerService(api, Quota(r), choices)
    app.extensions["wechat"] = WeChatChannel(
        app, Protocol(settings.wechat_token, settings.wechat_app_id, settings.wechat_aes_key),
        RetryGuard(r, lease_seconds=settings.wechat_reply_budget + 2), choices, service, settings.wechat_reply_budget,
        NonceMemory(r, keep_seconds=2 * MAX_CLOCK_SKEW))  # a timestamp is good for +-5 minutes
    app.register_blueprint(bp)
    if settings.wechat_token:
        outbound.register_sender("wechat", service.push_reply)
