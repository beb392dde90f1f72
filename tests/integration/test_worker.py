"""State per app and background jobs in the worker process (bot/worker.py)."""
from __future__ import annotations

import threading
import time

from bot import worker
from config.database import Session


class CountingBackend:
    """Stands in for the back end: records every create it is sent."""

    def __init__(self):
        self.calls, self.lock = [], threading.Lock()

    def create(self, path, body):
        with self.lock:
            self.calls.append(body["number"])
        time.sleep(0.01)
        return dict(body)


def test_two_apps_in_one_process_keep_their_own_database(make_app, tmp_path):
    from bot.faq.models import FaqEntry

    first = make_app(database_url=f"sqlite:///{tmp_path / 'a.db'}")
    second = make_app(database_url=f"sqlite:///{tmp_path / 'b.db'}")
    with second.app_context():
        seeded = Session.query(FaqEntry).count()
    with first.app_context():
        Session.add(FaqEntry(question="工会会费怎么交", variants=[], answer="按工资的百分之零点五。", category="入会",
                             enabled=True))
        Session.commit()
    with second.app_context():
        assert Session.query(FaqEntry).count() == seeded
    with first.app_context():
        assert Session.query(FaqEntry).count() == seeded + 1
    assert first.extensions["db"] is not second.extensions["db"]


def test_web_apps_start_no_background_jobs(make_app):
    before = {t.name for t in threading.enumerate()}
    make_app()
    time.sleep(0.2)
    started = {t.name for t in threading.enumerate()} - before
    assert not started & {"outbox-worker", "handoff-sweeper"}


def test_several_workers_on_one_redis_and_database_send_each_item_once(make_app, sqlite_url):
    backend = CountingBackend()
    apps = [make_app(database_url=sqlite_url) for _ in range(3)]
    for app in apps:
        app.extensions["union_backend"] = backend
    outbox = apps[0].extensions["outbox"]
    numbers = [f"JY20261123-{i:06d}" for i in range(30)]
    for number in numbers:
        outbox.put("/v1/suggestions", {"number": number, "text": "建议"})

    stop = threading.Event()
    threads = [threading.Thread(target=worker.run, args=(app, stop)) for app in apps]
    for t in threads:
        t.start()
    deadline = time.monotonic() + 20
    while len(backend.calls) < len(numbers) and time.monotonic() < deadline:
        time.sleep(0.1)
    time.sleep(1.5)  # a second pass of every worker finds nothing left to send
    stop.set()
    for t in threads:
        t.join(10)
    assert sorted(backend.calls) == numbers
    assert outbox.pending() == []


def test_a_failing_job_does_not_stop_the_worker(make_app):
    app = make_app()
    runs = []

    def flaky():
        runs.append(1)
        raise RuntimeError("database hiccup")

    stop = threading.Event()
    thread = threading.Thread(target=worker.run, args=(app, stop, [worker.Job("flaky", 0.05, flaky)]))
    thread.start()
    time.sleep(0.5)
    stop.set()
    thread.join(5)
    assert len(runs) >= 3
