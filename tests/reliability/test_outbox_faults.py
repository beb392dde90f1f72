"""The back end answering 500 (or not at all) for a while: every submission lands afterwards exactly
once. The real back end on PostgreSQL, served over HTTP behind a switch that, while it is on, answers
500 to every request; half of them after the back end has already stored the record (its answer
lost on the way back, the hardest case for "exactly once"). Two outbox workers deliver at once, on
the real Redis."""
from __future__ import annotations

import itertools
import threading
import time

from sqlalchemy import create_engine, text

from config.redis_client import redis_from_url
from unionkit.backend_client import UnionBackend
from unionkit.numbers import new_number
from unionkit.outbox import DUE_KEY, ITEMS_KEY, Outbox


class Flaky:
    """WSGI middleware: while `failing`, every request gets a 500; every other one of those only
    after the app has handled it (the record is stored, the answer is lost)."""

    def __init__(self, app):
        self.app, self.failing, self.reached, self.refused = app, False, 0, 0
        self._turn = itertools.count()
        self.lock = threading.Lock()

    def __call__(self, environ, start_response):
        if not self.failing:
            with self.lock:
                self.reached += environ["REQUEST_METHOD"] == "POST"
            return self.app(environ, start_response)
        with self.lock:
            self.refused += 1
            after_commit = next(self._turn) % 2 == 0
        if after_commit:
            with self.lock:
                self.reached += environ["REQUEST_METHOD"] == "POST"
            body = b"".join(self.app(environ, lambda *a, **k: None))  # handled, answer dropped
            del body
        start_response("500 INTERNAL SERVER ERROR", [("Content-Type", "application/json")])
        return [b'{"error": "internal"}']


def test_back_end_failing_for_a_while_every_submission_lands_once(postgres_url, redis_url):
    from werkzeug.serving import make_server

    from tests.backend.conftest import build_backend_app

    app = build_backend_app(postgres_url, api_key="faults-key")
    flaky = Flaky(app.wsgi_app)
    app.wsgi_app = flaky
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    backend = UnionBackend(f"http://127.0.0.1:{server.server_port}/union-api", "faults-key", timeout=2)
    workers = [Outbox(redis_from_url(redis_url), lease_seconds=5, base_backoff=0.3, max_backoff=2) for _ in range(2)]
    stop = threading.Event()

    def deliver(outbox: Outbox) -> None:
        while not stop.is_set():
            outbox.deliver_due(backend)
            time.sleep(0.05)

    try:
        flaky.failing = True
        numbers = []
        for i in range(30):  # submissions while the back end fails: each goes to the outbox
            number = new_number("suggestion")
            numbers.append(number)
            workers[i % 2].put("/v1/suggestions", {"number": number, "text": f"第{i}条建议：食堂饭菜能不能便宜点",
                                                   "channel": "web", "channel_user": f"web:faults-{i}"})
        threads = [threading.Thread(target=deliver, args=(w,), daemon=True) for w in workers]
        for t in threads:
            t.start()
        time.sleep(8)  # the outbox keeps trying (and half the tries store the record, answer lost)
        assert flaky.refused >= 30
        flaky.failing = False
        deadline = time.monotonic() + 30
        r = workers[0].r
        while (r.hlen(ITEMS_KEY) or r.zcard(DUE_KEY)) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert r.hlen(ITEMS_KEY) == 0 and r.zcard(DUE_KEY) == 0, "the outbox did not empty"
    finally:
        stop.set()
        server.shutdown()

    engine = create_engine(postgres_url)
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT number, count(*) FROM ub_suggestions GROUP BY number")).all()
    engine.dispose()
    counts = dict(rows)
    assert sorted(counts) == sorted(numbers), "a submission is missing"
    assert set(counts.values()) == {1}, "a submission landed twice"
    assert flaky.reached > len(numbers)  # retries did reach the back end after it had stored them
