"""The access_token: shared in Redis by every gateway worker, fetched by one of them at a time.

Eight worker processes (forked, each with its own WeChatClient and Redis connection, as gunicorn
workers have) push a message at the same moment against the fake WeChat API on loopback: exactly one
/cgi-bin/token request. An expired-token answer (errcode 40001) refreshes once and retries once.
"""
from __future__ import annotations

import multiprocessing

import pytest
import redis
from wechatpy.exceptions import WeChatClientException

from bot.channels.wechat.api import SharedTokenClient
from tests.fakes.wechat_api import FakeWeChatApi

WORKERS = 8


@pytest.fixture()
def api():
    fake = FakeWeChatApi().start()
    yield fake
    fake.stop()


def client(api, redis_url) -> SharedTokenClient:
    return SharedTokenClient(api.app_id, api.secret, redis.Redis.from_url(redis_url, decode_responses=True),
                             api.base_url)


def _worker(api_base, app_id, secret, redis_url, barrier, number, results):
    """One gateway worker: its own client and Redis connection; pushes when all are ready."""
    r = redis.Redis.from_url(redis_url, decode_responses=True)
    worker_client = SharedTokenClient(app_id, secret, r, api_base)
    barrier.wait(timeout=30)
    try:
        worker_client.send_text("o-worker-test", f"worker {number}")
        results.put((number, "ok"))
    except Exception as exc:  # noqa: BLE001 - reported to the test
        results.put((number, repr(exc)))


def run_workers(api, redis_url) -> dict:
    ctx = multiprocessing.get_context("fork")
    barrier, results = ctx.Barrier(WORKERS), ctx.Queue()
    procs = [ctx.Process(target=_worker, args=(api.base_url, api.app_id, api.secret, redis_url, barrier, n, results))
             for n in range(WORKERS)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(timeout=60)
    return dict(results.get(timeout=5) for _ in procs)


def test_eight_workers_at_once_fetch_one_token(api, redis_url):
    outcome = run_workers(api, redis_url)
    assert outcome == {n: "ok" for n in range(WORKERS)}
    assert api.token_requests == 1
    assert sorted(api.messages_to("o-worker-test")) == sorted(f"worker {n}" for n in range(WORKERS))
    # The token is in Redis for the next worker, expiring before WeChat's 7200 s.
    r = redis.Redis.from_url(redis_url, decode_responses=True)
    key = f"wechat:token:{api.app_id}_access_token"
    assert r.get(key) and 0 < r.ttl(key) <= 7200 - 300


def test_expired_token_under_eight_workers_is_refreshed_once(api, redis_url):
    client(api, redis_url).send_text("o-worker-test", "warm up")
    assert api.token_requests == 1
    api.expire_tokens()  # every worker's next call is answered 40001
    outcome = run_workers(api, redis_url)
    assert outcome == {n: "ok" for n in range(WORKERS)}
    assert api.token_requests == 2
    assert api.expired_token_errors == WORKERS
    assert len(api.messages_to("o-worker-test")) == WORKERS + 1


def test_expired_token_refreshes_and_retries_once(api, redis_url):
    c = client(api, redis_url)
    c.send_text("o-one", "first")
    api.expire_tokens()
    c.send_text("o-one", "second")
    assert api.messages_to("o-one") == ["first", "second"]
    assert (api.token_requests, api.send_attempts, api.expired_token_errors) == (2, 3, 1)


def test_a_token_wechat_keeps_refusing_is_retried_only_once(api, redis_url):
    c = client(api, redis_url)
    api.reject_all_tokens = True
    with pytest.raises(WeChatClientException) as failed:
        c.send_text("o-one", "never delivered")
    assert failed.value.errcode == 40001
    assert (api.token_requests, api.send_attempts) == (2, 2)
    assert api.messages_to("o-one") == []
