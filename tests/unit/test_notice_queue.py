"""The notices' queue (bot/notices/queue.py) on a real Redis: put once, claims with a lease and a
token, a dead holder fenced out, retries after a growing pause, and many claimers at once each
notice finished exactly once."""
from __future__ import annotations

import threading

import pytest
import redis


class Clock:
    def __init__(self, now: float = 1_000_000.0):
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture()
def r(redis_url):
    return redis.Redis.from_url(redis_url, decode_responses=True)


def _queue(r, clock=None, **kw):
    from bot.notices.queue import NoticeQueue

    return NoticeQueue(r, clock=clock or Clock(), **kw)


def _notice(n: int, channel: str = "web") -> dict:
    return {"id": f"ev{n}", "seq": n, "channel": channel, "conversation_id": f"{channel}:u{n}", "number": f"RH-{n}"}


def test_a_notice_is_queued_once_and_never_again_after_it_was_sent(r):
    q = _queue(r)
    assert q.put(_notice(1)) is True
    assert q.put(_notice(1)) is False  # waiting already
    [claim] = q.claim("web")
    assert q.finish(claim) is True and q.was_sent("ev1")
    assert q.put(_notice(1)) is False  # the feed read twice: still not sent again
    assert q.claim("web") == [] and q.waiting("web") == 0


def test_channels_have_their_own_queues(r):
    q = _queue(r)
    q.put(_notice(1, "web"))
    q.put(_notice(2, "wechat"))
    assert [c.id for c in q.claim("web")] == ["ev1"]
    assert [c.id for c in q.claim("wechat")] == ["ev2"]


def test_a_claimed_notice_is_nobody_elses_until_its_lease_runs_out(r):
    clock = Clock()
    q, other = _queue(r, clock, lease_seconds=60), _queue(r, clock, lease_seconds=60)
    q.put(_notice(1))
    [mine] = q.claim("web")
    assert other.claim("web") == []
    clock.now += 59
    assert other.claim("web") == []
    assert q.still_mine(mine)


def test_a_holder_that_died_mid_send_is_fenced_out_and_the_notice_goes_once(r):
    clock = Clock()
    dead, alive = _queue(r, clock, lease_seconds=60), _queue(r, clock, lease_seconds=60)
    dead.put(_notice(1))
    [lost] = dead.claim("web")  # ... and the process dies here
    clock.now += 61
    [taken] = alive.claim("web")
    assert taken.id == "ev1" and taken.token != lost.token
    assert not dead.still_mine(lost)
    assert dead.finish(lost) is False and dead.retry(lost, "late") is None  # wakes up: changes nothing
    assert alive.finish(taken) is True
    assert alive.claim("web") == [] and dead.claim("web") == []


def test_a_retry_waits_a_growing_pause_and_keeps_the_attempts(r):
    clock = Clock()
    q = _queue(r, clock, base_backoff=2, max_backoff=10)
    q.put(_notice(1))
    pauses = []
    for _ in range(4):
        [claim] = q.claim("web")
        pauses.append(q.retry(claim, "errcode -1"))
        assert q.claim("web") == []  # not due yet
        clock.now += pauses[-1]
    assert pauses == [2, 4, 8, 10]
    [claim] = q.claim("web")
    assert claim.notice["attempts"] == 4 and claim.notice["last_error"] == "errcode -1"


def test_a_refused_notice_is_kept_for_staff_and_not_retried(r):
    q = _queue(r)
    q.put(_notice(1, "wechat"))
    [claim] = q.claim("wechat")
    assert q.refuse(claim, "errcode 43004")
    assert q.claim("wechat") == [] and r.hexists("notices:refused", "ev1")


def test_many_claimers_at_once_finish_each_notice_exactly_once(r):
    q = _queue(r)
    for n in range(200):
        q.put(_notice(n))
    finished: list[str] = []
    lock = threading.Lock()

    def work():
        mine = _queue(r)
        while True:
            claims = mine.claim("web", limit=7)
            if not claims:
                return
            for claim in claims:
                if mine.finish(claim):
                    with lock:
                        finished.append(claim.id)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(finished) == sorted(f"ev{n}" for n in range(200))


def test_a_workers_notices_go_in_order_a_retried_one_holds_back_the_later(r):
    clock = Clock()
    q = _queue(r, clock, base_backoff=5)
    for n in (1, 2):
        q.put(dict(_notice(n), conversation_id="web:same"))
    first, second = sorted(q.claim("web"), key=lambda c: c.notice["seq"])
    assert q.first_in_line(first) and not q.first_in_line(second)
    q.retry(first, "busy")
    assert q.defer(second, delay=1)
    clock.now += 1
    [again] = q.claim("web")
    assert again.id == "ev2" and not q.first_in_line(again)  # still behind ev1
    q.defer(again, delay=10)
    clock.now += 5
    [first] = q.claim("web")
    assert q.first_in_line(first) and q.finish(first)
    clock.now += 10
    [second] = q.claim("web")
    assert q.first_in_line(second)
