"""WeChat retries a message it got no answer to (three times, 5 s apart), and a retry may reach any
gateway worker: the RetryGuard (bot/channels/retry_guard.py) answers every copy of a message once,
keyed as WeChat advises (message_key). NonceMemory refuses a signed request replayed with another
body (plain mode)."""
from __future__ import annotations

import hashlib

import redis
from wechatpy.messages import BaseMessage

from bot.channels.retry_guard import RetryGuard  # noqa: F401 - the WeChat channel's guard

def message_key(message: BaseMessage) -> str:
    """WeChat's own advice: MsgId for messages, FromUserName + CreateTime for events. The event and
    its key are added: a retry repeats them, while two different events in the same second (a menu
    click right after following) are two events, not a retry."""
    if message.id:
        return f"msg:{message.id}"
    data = message._data
    return f"event:{message.source}:{message.time}:{data.get('Event', '')}:{data.get('EventKey') or ''}"


NONCE_PREFIX = "wechat:nonce:"


class NonceMemory:
    """Plain mode's signature covers the timestamp and nonce but not the body, so a captured request
    could be sent again within the 5 minutes a timestamp is good for, with another body. Each
    (timestamp, nonce) is remembered with a digest of its body for twice that window: the same pair
    with a different body is refused. The same pair with the same body is WeChat resending one
    message, which the RetryGuard answers without a second turn."""

    def __init__(self, r: redis.Redis, keep_seconds: int):
        self.redis = r
        self.keep_seconds = keep_seconds

    def first_use(self, timestamp: str, nonce: str, body: bytes) -> bool:
        key = NONCE_PREFIX + hashlib.sha256(f"{timestamp}\n{nonce}".encode()).hexdigest()
        digest = hashlib.sha256(body).hexdigest()
        if self.redis.set(key, digest, nx=True, ex=self.keep_seconds):
            return True
        seen = self.redis.get(key)
        return (seen.decode() if isinstance(seen, bytes) else seen) == digest
