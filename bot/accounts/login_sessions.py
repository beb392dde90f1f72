"""Officer logins held server-side: the signed cookie names a login (a random id) that Redis keeps
alive for SESSION_IDLE_MINUTES after the last request. Logout deletes it, so a cookie copied before
/logout no longer works, and an idle login ends even if its cookie is replayed later."""
from __future__ import annotations

import redis

from config.secret_check import new_token

PREFIX = "login:session:"


class LoginSessions:
    def __init__(self, r: redis.Redis, idle_seconds: int):
        self.redis = r
        self.idle_seconds = idle_seconds

    def start(self, user_id: int) -> str:
        login_id = new_token(24)
        self.redis.set(PREFIX + login_id, str(user_id), ex=self.idle_seconds)
        return login_id

    def touch(self, login_id: str | None, user_id: int, extend: bool = True) -> bool:
        """True while the login is alive and is this user's; a request (`extend`) pushes its end forward."""
        if not login_id:
            return False
        key = PREFIX + login_id
        owner = self.redis.getex(key, ex=self.idle_seconds) if extend else self.redis.get(key)
        return owner == str(user_id)

    def end(self, login_id: str | None) -> None:
        if login_id:
            self.redis.delete(PREFIX + login_id)

