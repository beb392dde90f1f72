"""Retention: `flask --app server purge` deletes transcripts, trackers and unanswered questions
older than RETENTION_DAYS (or --days), on SQLite and PostgreSQL, with a real Redis; what is newer
and the records filed in the back end stay."""
from __future__ import annotations

import datetime as dt
import json
import time

import pytest

from unionkit import trackers


def _tracker(at: float) -> str:
    return json.dumps({"name": "x", "events": [{"event": "action", "name": "action_listen", "timestamp": at - 5},
                                               {"event": "user", "text": "你好", "timestamp": at}]})


@pytest.mark.parametrize("days_option", [[], ["--days", "30"]])
def test_purge_deletes_what_is_older_than_the_setting(make_app, database_url, days_option):
    from bot.faq import unanswered
    from bot.faq.models import FaqLookup, UnansweredQuestion
    from bot.handoff.models import Handoff
    from bot.models import AuditLog, Message, utcnow
    from config.database import Session

    app = make_app(database_url=database_url, retention_days=30)
    redis = app.extensions["redis"]
    now = utcnow()
    old, recent = now - dt.timedelta(days=31), now - dt.timedelta(days=29)
    with app.app_context():
        for cid, ts in (("web:old", old), ("web:new", recent)):
            Session.add_all([Message(conversation_id=cid, role="user", text="老板欠薪", ts=ts),
                             Message(conversation_id=cid, role="bot", text="请说单位", ts=ts)])
            Session.add(FaqLookup(conversation_id=cid, outcome="missed", ts=ts))
            unanswered.record(cid, "会费怎么交", commit=False).ts = ts
            Session.add(Handoff(conversation_id=cid, channel="web", user=cid[4:], reason="request_human",
                                status="closed", form_data={"phone": "13912345678"}, created_at=ts, queued_at=ts,
                                closed_at=ts, outcome="resolved"))
        Session.commit()
    redis.set(trackers.key("web:old"), _tracker(time.time() - 31 * 86400))
    redis.set(trackers.key("web:new"), _tracker(time.time() - 29 * 86400))
    redis.set(trackers.key("web:odd"), "not json")

    result = app.test_cli_runner().invoke(args=["purge", *days_option])
    assert result.exit_code == 0, result.output
    assert "older than 30 days" in result.output and "messages 2" in result.output and "trackers 1" in result.output

    with app.app_context():
        assert {m.conversation_id for m in Session.query(Message)} == {"web:new"}
        assert {q.conversation_id for q in Session.query(UnansweredQuestion)} == {"web:new"}
        assert {q.conversation_id for q in Session.query(FaqLookup)} == {"web:new"}
        kept = {h.conversation_id: h.form_data for h in Session.query(Handoff)}
        assert kept == {"web:old": None, "web:new": {"phone": "13912345678"}}  # the handoff stays, its data goes
        entry = Session.query(AuditLog).filter_by(action="retention_purge").one()
        assert entry.detail["messages"] == 2 and entry.detail["days"] == 30
    assert redis.get(trackers.key("web:old")) is None
    assert redis.get(trackers.key("web:new")) is not None and redis.get(trackers.key("web:odd")) == "not json"


def test_purge_refuses_a_nonsense_period(make_app):
    result = make_app().test_cli_runner().invoke(args=["purge", "--days", "0"])
    assert result.exit_code != 0 and "days" in result.output


def test_the_worker_purges_on_its_schedule(make_app, database_url):
    """The worker's retention job (bot/worker.py) deletes what is past RETENTION_DAYS by itself."""
    import threading

    from bot import worker
    from bot.models import AuditLog, Message, utcnow
    from config.database import Session

    app = make_app(database_url=database_url, retention_days=30)
    with app.app_context():
        Session.add_all([Message(conversation_id="web:old", role="user", text="老板欠薪",
                                 ts=utcnow() - dt.timedelta(days=31)),
                         Message(conversation_id="web:new", role="user", text="老板欠薪", ts=utcnow())])
        Session.commit()
    [job] = [j for j in worker.jobs(app) if j.name == "retention-purge"]
    assert job.every <= 86400
    stop = threading.Event()
    threading.Timer(1.0, stop.set).start()
    worker.run(app, stop, [job])  # its first run is at the worker's start
    with app.app_context():
        assert {m.conversation_id for m in Session.query(Message)} == {"web:new"}
        entry = Session.query(AuditLog).filter_by(action="retention_purge").one()
        assert entry.actor == "worker" and entry.detail["messages"] == 1
