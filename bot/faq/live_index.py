"""The gateway's side of the live FAQ (unionkit/faq/live.py): after every committed change it
publishes the enabled entries to Redis, where the action server's FAQ connector reads them; the
gateway's own index (the admin pages' 试一试) reads the same snapshot. A snapshot that is missing
(a new or flushed Redis) is published again by the worker (at its start, then every few seconds)
and by the first gateway that looks."""
from __future__ import annotations

import logging

import redis
from flask import current_app

from bot.faq.models import FaqEntry
from config.database import Session
from unionkit.faq.live import LiveIndex, publish, published
from unionkit.faq.retrieval import Candidate, FaqIndex

log = logging.getLogger(__name__)


def _candidates() -> list[Candidate]:
    rows = Session.query(FaqEntry).filter(FaqEntry.enabled.is_(True)).order_by(FaqEntry.id).all()
    return [Candidate(e.id, e.question, tuple(e.variants or ()), e.answer, e.category) for e in rows]


def publish_entries() -> int:
    """Publish what the database holds now; this app's index looks again at once."""
    version = publish(current_app.extensions["redis"], _candidates())
    _live().invalidate()
    return version


def bump_version() -> None:
    """Announces a committed change to every process that answers from the FAQ."""
    try:
        publish_entries()
    except redis.RedisError:
        # The change is committed; the worker publishes it once Redis answers again.
        log.exception("could not publish the FAQ")


def publish_if_missing() -> None:
    if not published(current_app.extensions["redis"]):
        publish_entries()


def _live() -> LiveIndex:
    live = current_app.extensions.get("faq_index")
    if live is None:
        live = current_app.extensions.setdefault("faq_index", LiveIndex(current_app.extensions["redis"]))
    return live


def current_index() -> FaqIndex:
    """The published FAQ's index, up to date within CHECK_SECONDS."""
    try:
        publish_if_missing()
    except redis.RedisError:
        log.exception("could not check the published FAQ")
    return _live().get()
