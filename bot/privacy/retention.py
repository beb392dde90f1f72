"""Retention: `flask --app server purge` deletes what the gateway keeps of chats once it is older
than RETENTION_DAYS (default 180): transcript lines, unanswered questions and FAQ look-ups, the form
data kept with closed handoffs, and the Rasa trackers whose last event is that old (Redis also
forgets a tracker idle for 30 days by itself: config/endpoints.yml). Records filed in the union
back end are the union's and stay. The worker process runs it every PURGE_EVERY seconds (`purge_due`,
bot/worker.py); the command is for a purge now or with other --days.
"""
from __future__ import annotations

import datetime as dt

import click
from flask import current_app
from flask.cli import with_appcontext

from unionkit import trackers

PURGE_EVERY = 3600.0  # the worker's schedule: a row is kept at most an hour past its retention


def purge_due() -> dict:
    """The worker's job: purge with the app's RETENTION_DAYS, audited when anything went. Two worker
    processes purging at once delete nothing twice (each DELETE takes what is left)."""
    from bot.accounts.service import audit

    days = current_app.config["SETTINGS"].retention_days
    gone = purge(current_app.extensions["redis"], days)
    if any(gone.values()):
        audit("worker", "retention_purge", None, dict(gone, days=days))
    return gone


def purge(redis, days: int, now: dt.datetime | None = None) -> dict:
    """Deletes everything of chats older than `days`; returns what went, by kind."""
    from bot.faq.models import FaqLookup, UnansweredQuestion
    from bot.handoff.models import Handoff
    from bot.models import Message, utcnow
    from config.database import Session

    now = now or utcnow()
    cutoff = now - dt.timedelta(days=days)
    gone = {
        "messages": Session.query(Message).filter(Message.ts < cutoff).delete(synchronize_session=False),
        "unanswered": Session.query(UnansweredQuestion).filter(UnansweredQuestion.ts < cutoff)
        .delete(synchronize_session=False),
        "faq_lookups": Session.query(FaqLookup).filter(FaqLookup.ts < cutoff).delete(synchronize_session=False),
        "handoff_form_data": Session.query(Handoff).filter(
            Handoff.status == "closed", Handoff.closed_at < cutoff, Handoff.form_data.isnot(None))
        .update({Handoff.form_data: None}, synchronize_session=False),
    }
    Session.commit()
    epoch = now.replace(tzinfo=dt.timezone.utc).timestamp()
    gone["trackers"] = trackers.purge(redis, days * 86400, now=epoch)
    return gone


@click.command("purge")
@click.option("--days", type=click.IntRange(min=1), default=None,
              help="delete what is older than this many days (default: RETENTION_DAYS, 180)")
@with_appcontext
def purge_cli(days: int | None) -> None:
    """Delete transcripts, trackers and unanswered questions older than the retention period."""
    from bot.accounts.service import audit

    days = days or current_app.config["SETTINGS"].retention_days
    gone = purge(current_app.extensions["redis"], days)
    audit("purge", "retention_purge", None, dict(gone, days=days))
    click.echo(f"purged what is older than {days} days: " + ", ".join(f"{k} {v}" for k, v in gone.items()))
