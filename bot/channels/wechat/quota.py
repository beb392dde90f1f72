"""WeChat's limit on customer-service messages: after a user writes, the account may push only a few
messages (currently 5) within 48 hours. The count left per user is kept in Redis; what does not fit
waits in a per-user queue until the user writes again."""
from __future__ import annotations

import redis

MESSAGES_PER_WINDOW = 5
WINDOW_SECONDS = 48 * 3600
# A queued message is still worth sending when the worker comes back within a month.
QUEUE_KEEP_SECONDS = 30 * 24 * 3600

# Take one message from the allowance if any is left; DECR keeps the key's 48 h expiry.
_TAKE = """
local left = tonumber(redis.call('GET', KEYS[1]) or '0')
if left > 0 then redis.call('DECR', KEYS[1]) return 1 end
return 0
"""


class Quota:
    def __init__(self, r: redis.Redis, limit: int = MESSAGES_PER_WINDOW, window: int = WINDOW_SECONDS):
        self.redis = r
        self.limit = limit
        self.window = window
        self._take = r.register_script(_TAKE)

    def _left_key(self, openid: str) -> str:
        return f"wechat:quota:{openid}"

    def _queue_key(self, openid: str) -> str:
        return f"wechat:queue:{openid}"

    def user_wrote(self, openid: str) -> int:
        """The user wrote (or clicked the menu, or followed): a fresh allowance for 48 hours.
        Returns how many messages wait for it (one round trip: this runs on every message)."""
        pipe = self.redis.pipeline(transaction=False)
        pipe.set(self._left_key(openid), self.limit, ex=self.window)
        pipe.llen(self._queue_key(openid))
        return pipe.execute()[1]

    def user_left(self, openid: str) -> None:
        """Unfollowed: nothing more may be pushed until the user comes back."""
        self.redis.delete(self._left_key(openid))

    def left(self, openid: str) -> int:
        return int(self.redis.get(self._left_key(openid)) or 0)

    def take(self, openid: str) -> bool:
        return bool(self._take(keys=[self._left_key(openid)]))

    def give_back(self, openid: str) -> None:
        key = self._left_key(openid)
        if self.redis.exists(key):
            self.redis.incr(key)

    def spend_all(self, openid: str) -> None:
        """WeChat refused a push for its own limit: believe it over our count."""
        key = self._left_key(openid)
        if self.redis.exists(key):
            self.redis.set(key, 0, keepttl=True)

    def queue(self, openid: str, text: str) -> int:
        """Waits for the user's next message; returns how many are waiting now."""
        key = self._queue_key(openid)
        pipe = self.redis.pipeline()
        pipe.rpush(key, text)
        pipe.expire(key, QUEUE_KEEP_SECONDS)
        return pipe.execute()[0]

    def queued(self, openid: str) -> list[str]:
        return self.redis.lrange(self._queue_key(openid), 0, -1)

    def has_queue(self, openid: str) -> bool:
        return bool(self.redis.llen(self._queue_key(openid)))

    def next_queued(self, openid: str) -> str | None:
        return self.redis.lpop(self._queue_key(openid))

    def requeue_first(self, openid: str, text: str) -> None:
        self.redis.lpush(self._queue_key(openid), text)
