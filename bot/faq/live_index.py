"""Each gateway worker keeps the FAQ index in memory and rebuilds it when the FAQ version counter
in Redis moves. Every change bumps the counter after its commit; workers look at it at most every
CHECK_SECONDS, so a change is answered by every worker within about half a second."""
from __future__ import annotations

import logging
import threading
import time

import redis
from flask import current_app

from bot.faq.models import FaqEntry
from bot.faq.retrieval import Candidate, FaqIndex
from config.database import Session

log = logging.getLogger(__name__)

VERSION_KEY = "faq:version"
CHECK_SECONDS = 0.5


def bump_version() -> None:
    """Announces a committed change to every worker; this worker looks again at once."""
    live = current_app.extensions.get("faq_index")
    if live is not None:
        live.invalidate()
    try:
        current_app.extensions["redis"].incr(VERSION_KEY)
    except redis.RedisError:
        # The change is committed; workers pick it up at their next successful check.
        log.exception("could not bump %s", VERSION_KEY)


def _candidates() -> list[Candidate]:
    rows = Session.query(FaqEntry).filter(FaqEntry.enabled.is_(True)).order_by(FaqEntry.id).all()
    return [Candidate(e.id, e.question, tuple(e.variants or ()), e.answer, e.category) for e in rows]


class LiveIndex:
    def __init__(self):
        self._lock = threading.Lock()
        self._index: FaqIndex | None = None
        self._checked = 0.0

    def invalidate(self) -> None:
        self._checked = 0.0

    def _fresh(self) -> bool:
        return self._index is not None and time.monotonic() - self._checked < CHECK_SECONDS

    def get(self) -> FaqIndex:
        if self._fresh():
            return self._index
        with self._lock:
            if self._fresh():
                return self._index
            try:
                version = current_app.extensions["redis"].get(VERSION_KEY) or "0"
            except redis.RedisError:
                log.exception("could not read %s; keeping the index I have", VERSION_KEY)
                version = self._index.version if self._index is not None else None
            if self._index is None or version != self._index.version:
                # Read the version before the entries: a change committed in between only
                # causes one more rebuild at the next check.
                self._index = FaqIndex(_candidates(), version=version)
                log.info("FAQ index built: %d entries, version %s", len(self._index), version)
            self._checked = time.monotonic()
            return self._index


def current_index() -> FaqIndex:
    """This app's (this worker's) index, up to date within CHECK_SECONDS."""
    live = current_app.extensions.get("faq_index")
    if live is None:
        live = current_app.extensions.setdefault("faq_index", LiveIndex())
    return live.get()


def warm_up(app) -> None:
    """Builds this worker's index in the background at start (jieba loads its dictionary, about
    a second), so the first worker to ask a question does not wait for it."""

    def build():
        try:
            with app.app_context():
                current_index()
        except Exception:  # noqa: BLE001 - the first question builds it instead
            log.exception("FAQ warm-up failed")

    threading.Thread(target=build, name="faq-warm-up", daemon=True).start()
