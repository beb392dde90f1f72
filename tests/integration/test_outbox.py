"""The outbox on a real Redis: leases, backoff, delivery, and nothing dropped."""
import json
import threading
import time

import pytest

from unionkit.backend_client import UnionBackend
from unionkit.outbox import DEAD_KEY, DUE_KEY, ITEMS_KEY, Outbox
from config.redis_client import redis_from_url


class CountingBackend:
    """The real back-end client, counting the calls that reach it."""

    def __init__(self, real: UnionBackend):
        self.real, self.calls = real, []
        self.lock = threading.Lock()

    def create(self, path, body):
        with self.lock:
            self.calls.append(body["number"])
        return self.real.create(path, body)


@pytest.fixture()
def backend_server(sqlite_url):
    """The reference back end served over HTTP on a loopback port, in a thread."""
    from werkzeug.serving import make_server

    from tests.backend.conftest import build_backend_app

    app = build_backend_app(sqlite_url, api_key="outbox-key")
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/union-api"
    server.shutdown()


@pytest.fixture()
def live_backend(backend_server):
    return UnionBackend(backend_server, "outbox-key")


@pytest.fixture()
def dead_backend():
    from tests.live_stack import free_port

    return UnionBackend(f"http://127.0.0.1:{free_port()}/union-api", "outbox-key", timeout=1)


@pytest.fixture()
def outbox(redis_url):
    return Outbox(redis_from_url(redis_url), lease_seconds=5, base_backoff=0.2, max_backoff=1)


def suggestion(number: str) -> dict:
    return {"number": number, "text": "食堂饭菜能不能便宜点", "channel": "web", "channel_user": "web:t"}


def test_item_is_retried_with_backoff_until_it_lands(outbox, dead_backend, live_backend):
    number = "JY20261123-AAAAAA"
    outbox.put("/v1/suggestions", suggestion(number))
    down = CountingBackend(dead_backend)
    assert outbox.deliver_due(down) == 0
    item = json.loads(outbox.r.hget(ITEMS_KEY, number))
    assert item["attempts"] == 1 and item["last_error"]
    # Not due again before its backoff runs out.
    assert outbox.deliver_due(down) == 0 and down.calls == [number]
    time.sleep(0.25)
    assert outbox.deliver_due(down) == 0 and down.calls == [number, number]
    assert json.loads(outbox.r.hget(ITEMS_KEY, number))["attempts"] == 2
    # The back end is back: the item lands once its (doubled) backoff has passed.
    deadline = time.monotonic() + 5
    while outbox.r.hexists(ITEMS_KEY, number) and time.monotonic() < deadline:
        outbox.deliver_due(live_backend)
        time.sleep(0.05)
    assert not outbox.r.hexists(ITEMS_KEY, number) and outbox.r.zcard(DUE_KEY) == 0
    assert live_backend.get(f"/v1/suggestions/{number}")["text"] == "食堂饭菜能不能便宜点"


def test_concurrent_workers_send_each_item_once(outbox, live_backend):
    for i in range(30):
        outbox.put("/v1/suggestions", suggestion(f"JY20261123-{i:06d}"))
    backend = CountingBackend(live_backend)
    workers = [threading.Thread(target=outbox.deliver_due, args=(backend, 50)) for _ in range(6)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    assert sorted(backend.calls) == sorted(f"JY20261123-{i:06d}" for i in range(30))
    assert outbox.r.hlen(ITEMS_KEY) == 0
    assert len(live_backend.list("/v1/suggestions", limit=100)) == 30


def test_a_claimed_item_comes_back_when_its_lease_runs_out(outbox):
    outbox.lease_seconds = 0.3
    outbox.put("/v1/cases", {"number": "WQ20261123-BBBBBB"})
    assert [n for n, _ in outbox.claim_due()] == ["WQ20261123-BBBBBB"]   # a worker took it, then died
    assert outbox.claim_due() == []
    time.sleep(0.4)
    assert [n for n, _ in outbox.claim_due()] == ["WQ20261123-BBBBBB"]


def _count(name: str) -> float:
    from prometheus_client import REGISTRY

    return REGISTRY.get_sample_value(name) or 0.0


def test_rejected_items_are_kept_for_staff_not_counted_as_delivered(outbox, live_backend):
    delivered, rejected = _count("outbox_delivered_total"), _count("outbox_rejected_total")
    outbox.put("/v1/cases", {"number": "WQ20261123-CCCCCC", "type": "no_such_type"})
    outbox.put("/v1/suggestions", suggestion("JY20261123-CCCCCC"))
    assert outbox.deliver_due(live_backend) == 1  # the suggestion landed; the case did not
    assert _count("outbox_delivered_total") == delivered + 1
    assert _count("outbox_rejected_total") == rejected + 1 and _count("outbox_rejected_waiting") == 1
    assert not outbox.r.hexists(ITEMS_KEY, "WQ20261123-CCCCCC")
    kept = json.loads(outbox.r.hget(DEAD_KEY, "WQ20261123-CCCCCC"))
    assert kept["body"]["number"] == "WQ20261123-CCCCCC" and "400" in kept["last_error"] and kept["status"] == 400
    [listed] = outbox.rejected()
    assert listed["number"] == "WQ20261123-CCCCCC"

    assert outbox.resend("WQ20261123-CCCCCC") and outbox.rejected() == []
    assert [n for n, _ in outbox.claim_due()] == ["WQ20261123-CCCCCC"]  # queued again, due now
    outbox.r.zadd(DUE_KEY, {"WQ20261123-CCCCCC": 0})
    outbox.deliver_due(live_backend)  # still wrong: refused again
    assert _count("outbox_rejected_total") == rejected + 2
    assert outbox.close("WQ20261123-CCCCCC")["body"]["type"] == "no_such_type"
    assert outbox.rejected() == [] and outbox.close("WQ20261123-CCCCCC") is None
    assert _count("outbox_rejected_waiting") == 0


def test_putting_the_same_number_twice_keeps_one_item(outbox):
    outbox.put("/v1/cases", {"number": "WQ20261123-DDDDDD", "n": 1})
    outbox.put("/v1/cases", {"number": "WQ20261123-DDDDDD", "n": 2})
    assert outbox.r.hlen(ITEMS_KEY) == 1
    assert json.loads(outbox.r.hget(ITEMS_KEY, "WQ20261123-DDDDDD"))["body"]["n"] == 1
