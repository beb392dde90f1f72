"""The five kinds of record in one table (`KINDS`), and what the desk does to any of them: file it
with its due time and a "created" history entry, find it by number, serialise it (masked for
lists), and write its history (`add_event`), which is also the event feed."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Callable, Optional

from flask import current_app
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError

from backend import orgs, routing, schemas, workflow
from backend.db import db
from backend.http import NumberConflict
from backend.models import (Case, Course, Enrollment, MembershipApplication, RecordEvent, ReviewTask, Suggestion,
                            UnionFoundingRequest, utcnow)
from unionkit.numbers import PREFIXES, new_number, normalize_number
from unionkit.pii import mask_id_number, mask_phone, mask_pii, mask_text
from unionkit.timelimits import TimeLimits

# Any constant: the key of the PostgreSQL advisory lock that orders history inserts (see add_event).
_EVENT_LOCK_KEY = 1_220_512


def ts(value: datetime | None) -> str | None:
    if value is None:
        return None
    return aware(value).isoformat()


def aware(value: datetime) -> datetime:
    if value.tzinfo is None:  # SQLite hands back naive UTC
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc)


def _phone_out(value, masked):
    return mask_phone(value) if masked else value


# ============================================================================ per-kind fields
def _membership(m: MembershipApplication, masked: bool) -> dict:
    return {"name": m.name, "id_number": mask_id_number(m.id_number) if masked else m.id_number,
            "phone": _phone_out(m.phone, masked), "employer": m.employer, "industry": m.industry}


def _case(c: Case, masked: bool) -> dict:
    return {"type": c.type, "priority": c.priority, "phone": _phone_out(c.phone, masked), "name": c.name,
            "summary": mask_text(c.summary) if masked else c.summary,
            "details": mask_pii(c.details) if masked else c.details}


def _enrollment(e: Enrollment, masked: bool) -> dict:
    return {"course_id": e.course_id, "name": e.name, "phone": _phone_out(e.phone, masked)}


def _founding(f: UnionFoundingRequest, masked: bool) -> dict:
    return {"company": f.company, "employees": f.employees, "contact_name": f.contact_name,
            "phone": _phone_out(f.phone, masked), "details": mask_pii(f.details) if masked else f.details}


def _suggestion(s: Suggestion, masked: bool) -> dict:
    return {"text": mask_text(s.text) if masked else s.text, "name": s.name, "phone": _phone_out(s.phone, masked)}


def _review(r: ReviewTask, masked: bool) -> dict:
    return {"subject": r.subject, "ref": r.ref, "officer": r.officer, "score": r.score, "resolved": r.resolved,
            "comment": mask_text(r.comment) if (masked and r.comment) else r.comment}


@dataclass(frozen=True)
class Kind:
    """One kind of record: its table, where it is filed and read, how it is checked and shown."""

    name: str                          # membership, case, ...
    model: Any
    path: Optional[str]                # /v1/<path> for POST, GET list, GET one (None: filed elsewhere)
    endpoint: str                      # the single GET's endpoint (Location headers)
    schema: Any                        # its pydantic body
    fields: Callable[[Any, bool], dict]
    filters: tuple                     # exact-match query parameters of its list
    initial: str                       # status when filed
    status_label: str                  # what the PATCH calls its status (400 answers)
    type_of: Callable[[Any], Optional[str]] = lambda record: None
    priority_of: Callable[[Any], Optional[str]] = lambda record: None


KINDS: dict[str, Kind] = {k.name: k for k in (
    Kind("membership", MembershipApplication, "membership-applications", "get_membership_application",
         schemas.MembershipIn, _membership, ("phone", "id_number", "channel_user", "status"), "submitted", "审核状态"),
    Kind("case", Case, "cases", "get_case", schemas.CaseIn, _case,
         ("type", "phone", "channel_user", "priority", "status"), "open", "处理状态",
         type_of=lambda r: r.type, priority_of=lambda r: r.priority),
    Kind("enrollment", Enrollment, None, "get_enrollment", schemas.EnrollmentIn, _enrollment,
         ("phone", "status", "channel_user"), "enrolled", "报名状态"),
    Kind("founding", UnionFoundingRequest, "union-founding-requests", "get_founding_request",
         schemas.FoundingIn, _founding, ("phone", "channel_user", "status"), "received", "办理状态"),
    Kind("suggestion", Suggestion, "suggestions", "get_suggestion", schemas.SuggestionIn, _suggestion,
         ("phone", "channel_user", "status"), "received", "办理状态"),
    # 回访: opened by a low rating (POST /v1/ratings), never filed from a chat, never told to the worker.
    Kind("review", ReviewTask, None, "get_record", schemas.ReviewIn, _review, ("status",), "pending", "回访状态"),
)}
# Kinds the worker is told about (status notices, ratings): a review task is the union's own.
WORKER_KINDS = tuple(k for k in KINDS if k != "review")
KIND_OF_MODEL = {k.model: k for k in KINDS.values()}


def kind_of(record) -> Kind:
    return KIND_OF_MODEL[type(record)]


def time_limits() -> TimeLimits:
    """The app's time limits (config/desk.yml), loaded once per app."""
    limits = current_app.extensions.get("time_limits")
    if limits is None:
        limits = current_app.extensions["time_limits"] = TimeLimits.load()
    return limits


# ============================================================================ serialisation
def is_overdue(record, now: datetime | None = None) -> bool:
    kind = kind_of(record)
    return (record.due_at is not None and not workflow.is_final(kind.name, record.status)
            and aware(record.due_at) < (now or utcnow()))


def to_dict(record, masked: bool = False, last_message: Any = ...) -> dict:
    """A record as the API answers it: its own fields and the desk's."""
    kind = kind_of(record)
    data = {"number": record.number, "kind": kind.name, **kind.fields(record, masked), "status": record.status,
            "assignee": record.assignee, "team": record.team, "due_at": ts(record.due_at),
            "next_statuses": list(workflow.allowed(kind.name, record.status)),
            "overdue": is_overdue(record), "overdue_flagged": record.overdue_flagged_at is not None,
            "first_action_at": ts(record.first_action_at), "resolved_at": ts(record.resolved_at),
            "channel": record.channel, "channel_user": record.channel_user,
            "org": record.org, "district": record.district, "routed_by": record.routed_by,
            "escalated": record.escalated_at is not None,
            "created_at": ts(record.created_at), "updated_at": ts(record.updated_at)}
    data["last_message"] = last_messages([record.number]).get(record.number) if last_message is ... else last_message
    return data


def with_history(record) -> dict:
    data = to_dict(record)
    if getattr(record, "_route", None) is not None:
        data["routing"] = record._route
    data["history"] = history(record.number)
    data["notes"] = [h for h in data["history"] if h["action"] == "note"]
    return data


def summary(record) -> str:
    """One masked line for the desk's list (config/desk.yml summaries)."""
    kind = kind_of(record)
    values = kind.fields(record, True)
    if kind.name == "enrollment":
        course = db().get(Course, record.course_id)
        values["course"] = course.title if course else record.course_id
    try:
        line = workflow.summary_template(kind.name).format(**values)
    except (KeyError, IndexError, ValueError):
        line = ""
    return line[:80] + ("…" if len(line) > 80 else "")


def event_dict(e: RecordEvent) -> dict:
    return {"id": e.id, "number": e.number, "kind": e.kind, "type": e.type, "action": e.action,
            "from": e.from_value, "to": e.to_value, "message": e.message, "note": e.note,
            "actor": e.actor, "at": ts(e.at), "channel": e.channel, "channel_user": e.channel_user}


def history(number: str) -> list[dict]:
    rows = db().execute(select(RecordEvent).where(RecordEvent.number == number).order_by(RecordEvent.id)).scalars()
    return [event_dict(e) for e in rows]


def last_messages(numbers: list[str]) -> dict[str, dict]:
    """The last worker-facing message of each record: {number: {"text", "at", "actor"}}."""
    if not numbers:
        return {}
    rows = db().execute(select(RecordEvent).where(RecordEvent.number.in_(numbers), RecordEvent.message.isnot(None))
                        .order_by(RecordEvent.id)).scalars()
    return {e.number: {"text": e.message, "at": ts(e.at), "actor": e.actor} for e in rows}


# ============================================================================ history
def add_event(record, action: str, *, actor: str | None = None, from_value: str | None = None,
              to_value: str | None = None, note: str | None = None, message: str | None = None) -> RecordEvent:
    """Adds one history entry to the session (the caller commits).

    On PostgreSQL a transaction-level advisory lock makes history inserts take their ids in commit
    order, so a feed reader asking for ids after the last one it saw never skips an entry that a
    slower transaction commits later. SQLite serialises writers anyway."""
    session = db()
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _EVENT_LOCK_KEY})
    kind = kind_of(record)
    event = RecordEvent(number=record.number, kind=kind.name, type=kind.type_of(record), action=action,
                        from_value=from_value, to_value=to_value, note=note, message=message, actor=actor,
                        at=utcnow(), channel=record.channel, channel_user=record.channel_user)
    session.add(event)
    if actor and action != "created" and record.first_action_at is None:
        record.first_action_at = event.at
    return event


def prepare_new(record) -> None:
    """Due time and team of a record about to be filed, and its "created" entry."""
    kind = kind_of(record)
    limits = time_limits()
    record.created_at = record.created_at or utcnow()
    record.due_at = limits.due_at(kind.name, record.created_at, kind.type_of(record), kind.priority_of(record))
    record.team = limits.team(kind.name, kind.type_of(record))
    route_new(record)
    add_event(record, "created", to_value=record.status)
    if isinstance(record, MembershipApplication):
        _note_open_applications(record)


OPEN_MEMBERSHIP = ("submitted", "reviewing")


def _note_open_applications(application: MembershipApplication) -> None:
    """A second open application for one ID number is filed like any other (the worker is told
    nothing about the first: an ID number alone reveals nothing), and the officers are told in
    its history, to check whether it is the same person (a new phone) or someone else's ID."""
    others = db().execute(select(MembershipApplication.number, MembershipApplication.phone).where(
        MembershipApplication.id_number == application.id_number,
        MembershipApplication.status.in_(OPEN_MEMBERSHIP),
        MembershipApplication.number != application.number)).all()
    for number, phone in others:
        same = "手机号相同" if phone == application.phone else "手机号不同"
        add_event(application, "note", actor="system",
                  note=f"同一身份证号另有在办入会申请 {number}（{same}），请核对是否重复申请或他人冒用。")


def route_new(record, tree: "orgs.Tree | None" = None) -> routing.Route:
    """The organisation that works a new record (backend/routing.py); kept on the session as
    `_route` so the filing's answer can tell the action whether to ask for the district."""
    kind = kind_of(record)
    tree = tree if tree is not None else orgs.load()
    found = routing.route(tree, district=record.district, **routing.facts(kind.name, record))
    record.org, record.routed_by = found.org, found.rule
    record.district = found.district  # a district of the tree, or none
    record._route = found.as_json(tree)
    return found

# ============================================================================ finding, filing
def by_number(model, number: str):
    return db().execute(select(model).where(model.number == number)).scalar_one_or_none()


def find(number: str):
    """The record with this number, of whichever kind (its prefix is tried first)."""
    number = normalize_number(number)
    guess = [k for k, p in PREFIXES.items() if number.startswith(p)]
    for name in guess + [k for k in KINDS if k not in guess]:
        record = by_number(KINDS[name].model, number)
        if record is not None:
            return record
    return None


# Fields that tell one person's submission from another's under the same client number.
_IDENTITY_FIELDS = ("channel_user", "phone", "id_number")


def _check_same_submission(existing, values: dict) -> None:
    for field in _IDENTITY_FIELDS:
        if field in values and getattr(existing, field, None) != values[field]:
            raise NumberConflict()


def create(kind: Kind, values: dict) -> tuple[Any, bool]:
    """Insert a record under the client's number (idempotent) or a freshly generated one.

    Returns (record, created). A concurrent insert of the same client number loses on the
    unique constraint and then returns the winner's record.
    """
    values = dict(values)
    client_number = values.pop("number", None)
    if client_number:
        existing = by_number(kind.model, client_number)
        if existing is not None:
            _check_same_submission(existing, values)
            return existing, False
    for _attempt in range(8):
        number = client_number or new_number(kind.name)
        record = kind.model(number=number, status=kind.initial, **values)
        db().add(record)
        try:
            prepare_new(record)
            db().commit()
            return record, True
        except IntegrityError:
            db().rollback()
            existing = by_number(kind.model, number)
            if existing is None:
                raise
            if client_number:
                _check_same_submission(existing, values)
                return existing, False
            # A generated number collided with an existing one: draw again.
    raise RuntimeError("could not allocate a unique record number")
