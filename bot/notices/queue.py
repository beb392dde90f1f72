"""The notices waiting to reach workers, in Redis: sent once, never lost, by any number of worker
processes (issue 12 §3).

Each notice has an id of its own (the history entry it tells of: "ev<id>", its rating question
"ev<id>:rate"), so putting it twice is harmless: `put` refuses an id that waits or was sent. A
process takes notices with `claim`, a lease: a Lua script moves each due notice's time forward by
`lease_seconds` and writes the claim's token beside it, atomically, so two processes never hold the
same notice. Only the holder of the token may `finish` (sent) or `retry` (not yet) it; a process that
died mid-send loses nothing, its notice comes due again when the lease runs out and the next claim
gets a new token, which fences out the dead one should it wake up. Sends time out well inside the
lease (WeChat's client: 5 s; lease: 60 s), so a living process always finishes before anyone else
may claim.

What the lease cannot know is whether WeChat took a message when the process died between WeChat's
answer and its own record of it; the delivery record in the database (bot/notices/models.py,
written the moment WeChat answers, and checked before every send) shrinks that window to those few
milliseconds. Web notices are written to the transcript in the same transaction as their delivery
record, so they are exactly once.
"""
from __future__ import annotations

import json
import secrets
import time

import redis

ITEMS_KEY = "notices:items"      # hash: id -> JSON notice
LEASE_KEY = "notices:lease"      # hash: id -> token of the claim holding it
SENT_KEY = "notices:sent"        # sorted set: id -> when it was sent (put refuses these)
DUE_PREFIX = "notices:due:"      # sorted set per channel: id -> when to try next (unix time)
DEAD_KEY = "notices:refused"     # hash: id -> JSON, notices WeChat will never take (kept for staff)
LINE_PREFIX = "notices:line:"    # sorted set per conversation: its waiting ids by "seq" (sent in that order)
SENT_KEEP_SECONDS = 30 * 24 * 3600

_PUT = """
if redis.call('ZSCORE', KEYS[3], ARGV[1]) or redis.call('HEXISTS', KEYS[1], ARGV[1]) == 1 then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('ZADD', KEYS[2], ARGV[3], ARGV[1])
redis.call('ZADD', KEYS[4], ARGV[4], ARGV[1])
return 1
"""
_CLAIM = """
local ids = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[3]))
for _, id in ipairs(ids) do
  redis.call('ZADD', KEYS[1], ARGV[2], id)
  redis.call('HSET', KEYS[2], id, ARGV[4])
end
return ids
"""
_FINISH = """
if redis.call('HGET', KEYS[3], ARGV[1]) ~= ARGV[2] then return 0 end
redis.call('HDEL', KEYS[1], ARGV[1])
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('HDEL', KEYS[3], ARGV[1])
redis.call('ZADD', KEYS[4], ARGV[3], ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[4], '-inf', ARGV[4])
redis.call('ZREM', KEYS[5], ARGV[1])
return 1
"""
_RETRY = """
if redis.call('HGET', KEYS[3], ARGV[1]) ~= ARGV[2] then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
redis.call('ZADD', KEYS[2], ARGV[4], ARGV[1])
redis.call('HDEL', KEYS[3], ARGV[1])
return 1
"""


class Claim:
    """One notice held by this process until `finish` or `retry`."""

    def __init__(self, notice_id: str, notice: dict, token: str, channel: str):
        self.id, self.notice, self.token, self.channel = notice_id, notice, token, channel


class NoticeQueue:
    def __init__(self, r: redis.Redis, lease_seconds: float = 60.0, base_backoff: float = 2.0,
                 max_backoff: float = 300.0, clock=time.time):
        self.r = r
        self.lease_seconds = lease_seconds
        self.base_backoff = base_backoff
        self.max_backoff = max_backoff
        self.clock = clock
        self._put = r.register_script(_PUT)
        self._claim = r.register_script(_CLAIM)
        self._finish = r.register_script(_FINISH)
        self._retry = r.register_script(_RETRY)

    @staticmethod
    def due_key(channel: str) -> str:
        return DUE_PREFIX + channel

    @staticmethod
    def line_key(notice: dict) -> str:
        return LINE_PREFIX + notice["conversation_id"]

    def put(self, notice: dict, delay: float = 0.0) -> bool:
        """Queues the notice (it names its own "id", "channel", "conversation_id" and its place
        "seq" among the conversation's notices); False when it already waits or was sent."""
        notice = dict(notice, attempts=notice.get("attempts", 0), queued_at=notice.get("queued_at", self.clock()))
        return bool(self._put(keys=[ITEMS_KEY, self.due_key(notice["channel"]), SENT_KEY, self.line_key(notice)],
                              args=[notice["id"], json.dumps(notice, ensure_ascii=False), self.clock() + delay,
                                    notice.get("seq", 0)]))

    def first_in_line(self, claim: Claim) -> bool:
        """No earlier notice to the same worker still waits (a retried one holds back the later)."""
        head = self.r.zrange(self.line_key(claim.notice), 0, 0)
        return not head or head[0] == claim.id

    def defer(self, claim: Claim, delay: float = 1.0) -> bool:
        """Back in the queue behind an earlier notice, without counting an attempt."""
        return bool(self._retry(keys=[ITEMS_KEY, self.due_key(claim.channel), LEASE_KEY],
                                args=[claim.id, claim.token, json.dumps(claim.notice, ensure_ascii=False),
                                      self.clock() + delay]))

    def claim(self, channel: str, limit: int = 20) -> list[Claim]:
        now = self.clock()
        token = secrets.token_hex(8)
        ids = self._claim(keys=[self.due_key(channel), LEASE_KEY], args=[now, now + self.lease_seconds, limit, token])
        claims = []
        for notice_id in ids:
            raw = self.r.hget(ITEMS_KEY, notice_id)
            if raw is None:  # finished by someone else meanwhile
                self.r.zrem(self.due_key(channel), notice_id)
                continue
            claims.append(Claim(notice_id, json.loads(raw), token, channel))
        return claims

    def still_mine(self, claim: Claim) -> bool:
        """Checked right before a send: nobody else claimed it since (my lease may not have run out)."""
        return self.r.hget(LEASE_KEY, claim.id) == claim.token

    def finish(self, claim: Claim) -> bool:
        """Sent: forgotten (and remembered as sent). False when the claim was no longer ours."""
        now = self.clock()
        return bool(self._finish(keys=[ITEMS_KEY, self.due_key(claim.channel), LEASE_KEY, SENT_KEY,
                                       self.line_key(claim.notice)],
                                 args=[claim.id, claim.token, now, now - SENT_KEEP_SECONDS]))

    def retry(self, claim: Claim, error: str) -> float | None:
        """Not sent now: due again after a growing pause; returns the pause (None: not ours any more)."""
        notice = dict(claim.notice, attempts=claim.notice.get("attempts", 0) + 1, last_error=error[:300])
        delay = min(self.base_backoff * 2 ** (notice["attempts"] - 1), self.max_backoff)
        done = self._retry(keys=[ITEMS_KEY, self.due_key(claim.channel), LEASE_KEY],
                           args=[claim.id, claim.token, json.dumps(notice, ensure_ascii=False), self.clock() + delay])
        return delay if done else None

    def refuse(self, claim: Claim, error: str) -> bool:
        """WeChat will never take it (the worker unfollowed, a bad openid): kept for staff, not retried."""
        if not self.still_mine(claim):
            return False
        self.r.hset(DEAD_KEY, claim.id, json.dumps(dict(claim.notice, last_error=error[:300],
                                                        refused_at=self.clock()), ensure_ascii=False))
        return self.finish(claim)

    # ---- for the admin and the tests ----------------------------------------------------------
    def waiting(self, channel: str) -> int:
        return self.r.zcard(self.due_key(channel))

    def pending(self) -> list[dict]:
        return [json.loads(v) for v in self.r.hvals(ITEMS_KEY)]

    def was_sent(self, notice_id: str) -> bool:
        return self.r.zscore(SENT_KEY, notice_id) is not None
