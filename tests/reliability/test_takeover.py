"""A gateway worker dies mid-turn: the pieces that let WeChat's retry (same MsgId) be answered by
another worker, once, on the real Redis. The MsgId claim is a short lease; the conversation's turn
lock yields to the same message; Rasa's gateway channel runs a message id once and hands a later
copy the first one's answer, even when the first caller went away."""
from __future__ import annotations

import asyncio
import concurrent.futures
import os
import time

from bot.channels.wechat.dedup import RetryGuard
from bot.floods.policy import FloodPolicy
from bot.floods.turn_lock import TurnLocks
from config.redis_client import redis_from_url
from config.settings import Settings


def test_the_msgid_claim_of_a_dead_worker_runs_out(redis_url):
    guard = RetryGuard(redis_from_url(redis_url), lease_seconds=0.3)
    assert guard.claim("msg:1")
    assert guard.holder("msg:1") == os.getpid()
    assert not guard.claim("msg:1")  # the first copy is alive and answering
    time.sleep(0.4)  # ... it died without storing an answer: the lease runs out
    assert guard.wait("msg:1", time.monotonic() + 1) is None  # the retry may take it over
    assert guard.claim("msg:1")
    guard.store("msg:1", "<xml/>")
    time.sleep(0.4)
    assert guard.wait("msg:1", time.monotonic() + 1) == "<xml/>"  # an answer is kept for later copies


def test_a_retry_waits_for_the_dead_first_copy_lease_not_for_its_own_budget(redis_url):
    """A retry must not answer "success" for a first copy that died: nobody would push the reply."""
    guard = RetryGuard(redis_from_url(redis_url), lease_seconds=0.5)
    assert guard.claim("msg:2")  # ... and its worker is killed
    started = time.monotonic()
    assert guard.wait("msg:2", deadline=time.monotonic() + 0.1) is None  # take it over
    assert 0.4 < time.monotonic() - started < 1.5


def test_the_turn_lock_yields_to_the_same_message_only(redis_url):
    locks = TurnLocks(redis_from_url(redis_url), FloodPolicy.load(Settings()))
    with locks.turn("wechat:o1", token="msg:7") as first:
        assert first
        with locks.turn("wechat:o1", wait=0.1, token="msg:7") as same_message:
            assert same_message  # WeChat's retry of the message whose worker died
        with locks.turn("wechat:o1", wait=0.1, token="msg:8") as other_message:
            assert not other_message  # another message still waits its turn
        with locks.turn("wechat:o1", wait=0.1) as no_token:
            assert not no_token


def test_rasa_runs_a_message_id_once_even_if_its_caller_went_away(redis_url, monkeypatch):
    from urllib.parse import urlparse

    from rasa_components.gateway_channel import GatewayInput

    parsed = urlparse(redis_url)
    monkeypatch.setenv("REDIS_HOST", parsed.hostname)
    monkeypatch.setenv("REDIS_PORT", str(parsed.port))
    monkeypatch.setenv("REDIS_DB", parsed.path.lstrip("/"))
    channel = GatewayInput("s")
    runs = []

    async def turn():
        runs.append(1)
        await asyncio.sleep(0.3)
        return [{"recipient_id": "u", "text": f"已提交，编号 JY{len(runs)}"}]

    async def scenario():
        first = asyncio.ensure_future(channel._once("wechat:u:msg:9", turn))
        await asyncio.sleep(0.05)
        first.cancel()  # the gateway worker that sent it was killed: its connection went away
        retry = await channel._once("wechat:u:msg:9", turn)  # WeChat's retry through another worker
        later = await channel._once("wechat:u:msg:9", turn)
        other = await channel._once("wechat:u:msg:10", turn)
        return retry, later, other

    # Its own loop in its own thread: the session's Playwright keeps an event loop in the main thread.
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        retry, later, other = pool.submit(asyncio.run, scenario()).result(timeout=30)
    assert retry == later == [{"recipient_id": "u", "text": "已提交，编号 JY1"}]
    assert other == [{"recipient_id": "u", "text": "已提交，编号 JY2"}]
    assert len(runs) == 2  # the cancelled first copy ran to its end, once; the retry did not run it again
