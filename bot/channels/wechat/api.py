"""The WeChat API (customer-service and template messages, the menu) through wechatpy's WeChatClient.

The access_token lives in Redis (wechatpy's RedisStorage), shared by every gateway worker. Getting a
new token invalidates the old one at WeChat, so only one process refreshes at a time (a Redis lock)
and a worker that waited for the lock uses the token the other one fetched. An expired-token error
refreshes once and retries the call once.
"""
from __future__ import annotations

import logging
import threading

import redis
from wechatpy import WeChatClient
from wechatpy.exceptions import WeChatClientException
from wechatpy.session.redisstorage import RedisStorage

log = logging.getLogger(__name__)

# invalid credential, invalid access_token, access_token expired
TOKEN_ERRORS = {40001, 40014, 42001}
# Refresh a little before WeChat's own expiry, so a token in Redis is one WeChat still takes.
EXPIRY_MARGIN = 300
LOCK_SECONDS = 15


class SharedTokenClient(WeChatClient):
    """WeChatClient whose API base is configurable and whose token refresh is locked across processes."""

    def __init__(self, app_id: str, secret: str, r: redis.Redis, api_base: str, timeout: float = 5.0):
        super().__init__(app_id, secret, session=RedisStorage(r, prefix="wechat:token"), timeout=timeout,
                         auto_retry=False)  # we retry once ourselves; wechatpy's retry has no bound
        self.API_BASE_URL = f"{api_base.rstrip('/')}/cgi-bin/"
        self._redis = r
        self._used = threading.local()

    @property
    def access_token(self) -> str:
        token = self.session.get(self.access_token_key) or self.refresh_token(stale=None)
        self._used.token = token  # which token this thread's request carries, for refresh_token
        return token

    def refresh_token(self, stale: str | None) -> str:
        """A fresh token: fetched here unless another worker replaced `stale` while we waited."""
        with self._redis.lock(f"wechat:token-lock:{self.appid}", timeout=LOCK_SECONDS,
                              blocking_timeout=LOCK_SECONDS):
            current = self.session.get(self.access_token_key)
            if current and current != stale:
                return current
            self.fetch_access_token()
            return self.session.get(self.access_token_key)

    def fetch_access_token(self) -> dict:
        result = self._fetch_access_token(
            url=f"{self.API_BASE_URL}token",
            params={"grant_type": "client_credential", "appid": self.appid, "secret": self.secret},
        )
        ttl = max(60, int(result.get("expires_in", 7200)) - EXPIRY_MARGIN)
        self.session.set(self.access_token_key, result["access_token"], ttl)
        log.info("fetched a new WeChat access_token (valid %s s)", ttl)
        return result

    def call(self, fn):
        """fn(client) with one refresh-and-retry when WeChat says the token is no good."""
        try:
            return fn(self)
        except WeChatClientException as exc:
            if exc.errcode not in TOKEN_ERRORS:
                raise
            log.info("WeChat rejected the access_token (%s); refreshing once", exc.errcode)
            self.refresh_token(stale=getattr(self._used, "token", None))
            return fn(self)

    def send_text(self, openid: str, text: str) -> dict:
        return self.call(lambda c: c.message.send_text(openid, text))

    def send_template(self, openid: str, template_id: str, data: dict, url: str | None = None) -> dict:
        """A template message (模板消息, the notices of bot/notices/): WeChat's answer, with its msgid."""
        return self.call(lambda c: c.message.send_template(openid, template_id, data, url=url or None))

    def create_menu(self, menu: dict) -> dict:
        return self.call(lambda c: c.menu.create(menu))
