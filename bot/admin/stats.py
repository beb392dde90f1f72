"""Figures for /admin/stats over a date range: messages per day, top intents, handoff rate,
fallback rate and FAQ hit rate; from the back end's desk (GET /v1/stats/desk): the on-time rate
per kind of record, the medians to the first officer action and to resolution, and the workers'
ratings (CSAT: average, count, share rated 4-5; the share resolved on first contact).

A staff account of an organisation sees its subtree's desk figures, handoffs and ratings; messages,
intents, fallbacks and FAQ lookups stay service-wide (one bot and one FAQ serve every organisation,
and a message belongs to no organisation until a record or a handoff gives it one)."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import func

from bot.admin import intents
from bot.faq.models import FaqLookup
from bot.handoff.models import Handoff
from bot.models import Message, User
from bot.orgs.tree import scope_of, tree, under
from config.database import Session
from unionkit.backend_client import BackendRejected, BackendUnavailable, UnionBackend
from unionkit.orgtree import org_clause

DEFAULT_DAYS = 14
MAX_DAYS = 366
FALLBACK_INTENTS = ("nlu_fallback",)


# Days the figures can be asked for: messages exist only in this century, and the day after
# dt.date.max does not exist (?to=9999-12-31 was a 500).
FIRST_DAY, LAST_DAY = dt.date(2000, 1, 1), dt.date(2999, 12, 31)


class BadRange(ValueError):
    """A from/to value that is not a day in FIRST_DAY..LAST_DAY; str() says which and why."""


def date_range(start: str | None, end: str | None) -> tuple[dt.date, dt.date]:
    """?from=YYYY-MM-DD&to=YYYY-MM-DD, both days included; missing values mean the last
    DEFAULT_DAYS days (up to `to`). A malformed or out-of-range day raises BadRange."""
    today = dt.datetime.utcnow().date()

    def parse(name, value, default):
        if not value:
            return default
        try:
            day = dt.date.fromisoformat(value)
        except ValueError:
            raise BadRange(f"{name} must be a day as YYYY-MM-DD") from None
        if not FIRST_DAY <= day <= LAST_DAY:
            raise BadRange(f"{name} must be a day from {FIRST_DAY} to {LAST_DAY}")
        return day

    last = parse("to", end, today)
    first = parse("from", start, max(FIRST_DAY, last - dt.timedelta(days=DEFAULT_DAYS - 1)))
    if first > last:
        first, last = last, first
    if (last - first).days >= MAX_DAYS:
        first = last - dt.timedelta(days=MAX_DAYS - 1)
    return first, last


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def for_user(user: User, backend: UnionBackend, first: dt.date, last: dt.date) -> dict:
    """Every figure of the page as `user` may see them ("org": the subtree's root, None for all)."""
    org = under(user)
    figures = collect(first, last, scope_of(user), tree().root)
    figures.update(desk(backend, first, last, org))
    figures["org"] = org
    return figures


def _handed(start: dt.datetime, end: dt.datetime, scope: set[str] | None, root: str | None) -> int:
    """Conversations handed to an officer in [start, end) (within `scope`: a handoff without an
    organisation is in the city's queue)."""
    query = Session.query(func.count(func.distinct(Handoff.conversation_id))).filter(
        Handoff.created_at >= start, Handoff.created_at < end)
    if scope is not None:
        query = query.filter(org_clause(Handoff.org, scope, root))
    return query.scalar() or 0


def collect(first: dt.date, last: dt.date, scope: set[str] | None = None, root: str | None = None) -> dict:
    start = dt.datetime.combine(first, dt.time.min)
    end = dt.datetime.combine(last + dt.timedelta(days=1), dt.time.min)
    labelled_now = intents.label_range(start, end)
    in_range = (Message.ts >= start, Message.ts < end)

    day = func.date(Message.ts)
    per_day = dict(Session.query(day, func.count()).filter(Message.role == "user", *in_range)
                   .group_by(day).all())
    days = [first + dt.timedelta(days=n) for n in range((last - first).days + 1)]
    user_messages = sum(per_day.values())

    intent_counts = (Session.query(Message.intent, func.count()).filter(Message.role == "user", *in_range)
                     .filter(Message.intent.isnot(None), Message.intent != intents.NOT_SEEN)
                     .group_by(Message.intent).order_by(func.count().desc()).all())
    understood = sum(n for _, n in intent_counts)
    fallbacks = sum(n for name, n in intent_counts if name in FALLBACK_INTENTS)

    conversations = (Session.query(func.count(func.distinct(Message.conversation_id)))
                     .filter(Message.role == "user", *in_range).scalar() or 0)
    handed = _handed(start, end, scope, root)

    lookups = dict(Session.query(FaqLookup.outcome, func.count())
                   .filter(FaqLookup.ts >= start, FaqLookup.ts < end).group_by(FaqLookup.outcome).all())
    searched = sum(lookups.values())

    return {
        "from": first.isoformat(), "to": last.isoformat(),
        "messages_per_day": [{"day": d.isoformat(), "count": int(per_day.get(d.isoformat(), per_day.get(d, 0)))}
                             for d in days],
        "user_messages": user_messages,
        "conversations": conversations,
        "top_intents": [{"intent": name, "count": n} for name, n in intent_counts[:10]],
        "labelled_messages": understood, "labelled_now": labelled_now,
        "handoffs": handed, "handoff_rate": _rate(handed, conversations),
        "fallbacks": fallbacks, "fallback_rate": _rate(fallbacks, understood),
        "faq_lookups": searched, "faq_answered": lookups.get("answered", 0),
        "faq_suggested": lookups.get("suggested", 0), "faq_missed": lookups.get("missed", 0),
        "faq_hit_rate": _rate(lookups.get("answered", 0), searched),
    }


def desk(backend: UnionBackend, first: dt.date, last: dt.date, under_org: str | None = None) -> dict:
    """The case desk's figures for records filed in the range (China days), of `under_org`'s subtree
    when given; None where the back end does not answer, so the rest of the page still shows."""
    try:
        figures = backend.get("/v1/stats/desk", under=under_org, **{
            "from": first.isoformat(), "to": (last + dt.timedelta(days=1)).isoformat()})
    except (BackendUnavailable, BackendRejected):
        figures = {}
    csat = figures.get("csat") or {"average": None, "count": 0, "share_satisfied": None,
                                   "distribution": {str(n): 0 for n in range(1, 6)}}
    return {"on_time_rate": figures.get("on_time_rate"),
            "median_first_action_seconds": figures.get("median_first_action_seconds"),
            "median_resolution_seconds": figures.get("median_resolution_seconds"),
            "csat": csat, "resolved_first_contact": figures.get("resolved_first_contact"),
            "desk_counts": figures.get("counts")}
