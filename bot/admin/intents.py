"""Fills `messages.intent` for worker messages, for the statistics, without costing the chat
anything: nothing is asked of Rasa during a turn. When the dashboard is opened, each conversation
that has unlabelled messages is read from Rasa once (its tracker, all events) and its user events
are matched to the transcript by time and text. Messages Rasa never saw (an officer held the
chat) are marked "-" so they are not looked up again. bench/intent_labels.py measures both ways."""
from __future__ import annotations

import datetime as dt
import logging
import time

import requests
from flask import current_app

from bot.models import Message, utcnow
from config.database import Session

log = logging.getLogger(__name__)

NOT_SEEN = "-"  # Rasa has no user event for this message
SETTLE_SECONDS = 15  # younger messages may still be in Rasa's hands (its client timeout is 10 s)
MATCH_SECONDS = 30  # a user event is at most this long after the transcript line
MAX_CONVERSATIONS = 300  # per dashboard load; the rest are labelled at the next one
BUDGET_SECONDS = 5.0  # the dashboard waits at most about this long for labels
TRACKER_TIMEOUT = 3.0


def _epoch(ts: dt.datetime) -> float:
    return ts.replace(tzinfo=dt.timezone.utc).timestamp()


def user_events(cid: str) -> list[dict] | None:
    """The conversation's user events from Rasa's tracker, or None when Rasa does not answer."""
    rasa = current_app.extensions["rasa"]
    try:
        resp = rasa.http.get(f"{rasa.base_url}/conversations/{cid}/tracker",
                             params={"token": rasa.token, "include_events": "ALL"}, timeout=TRACKER_TIMEOUT)
        resp.raise_for_status()
        events = resp.json().get("events") or []
    except (requests.RequestException, ValueError):
        log.warning("could not read the tracker of %s", cid)
        return None
    return [e for e in events if e.get("event") == "user"]


def match(messages: list[Message], events: list[dict]) -> dict[int, str]:
    """message id -> intent name, pairing each message with the first unused user event that
    follows it closely and says the same (a tapped button is shown by its title, so a payload
    event "/..." matches any text)."""
    labels: dict[int, str] = {}
    used: set[int] = set()
    for msg in messages:
        at = _epoch(msg.ts)
        for i, ev in enumerate(events):
            if i in used:
                continue
            ts = float(ev.get("timestamp") or 0)
            text = ev.get("text") or ""
            if at - 2 <= ts <= at + MATCH_SECONDS and (text == msg.text or text.startswith("/")):
                used.add(i)
                intent = ((ev.get("parse_data") or {}).get("intent") or {}).get("name")
                labels[msg.id] = (intent or NOT_SEEN)[:60]
                break
    return labels


def label_range(start: dt.datetime, end: dt.datetime, settle_seconds: float = SETTLE_SECONDS) -> int:
    """Labels the settled, unlabelled worker messages between start and end; returns how many."""
    settled = min(end, utcnow() - dt.timedelta(seconds=settle_seconds))
    pending = (Session.query(Message)
               .filter(Message.role == "user", Message.intent.is_(None), Message.ts >= start, Message.ts < settled)
               .order_by(Message.conversation_id, Message.id).all())
    by_conversation: dict[str, list[Message]] = {}
    for msg in pending:
        by_conversation.setdefault(msg.conversation_id, []).append(msg)
    labelled = 0
    deadline = time.monotonic() + BUDGET_SECONDS
    for cid, messages in list(by_conversation.items())[:MAX_CONVERSATIONS]:
        events = user_events(cid)
        if events is None:
            break  # Rasa is not answering: the dashboard shows what is labelled, the rest waits
        labels = match(messages, events)
        for msg in messages:
            msg.intent = labels.get(msg.id, NOT_SEEN)
        labelled += len(messages)
        if time.monotonic() > deadline:
            break
    Session.commit()
    return labelled
