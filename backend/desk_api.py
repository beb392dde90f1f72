"""The case desk's routes on the back end (under /union-api, same key as the rest):

- GET  /v1/records?kind=&type=&status=&priority=&assignee=&team=&overdue=1&due=today&q=&under=&org=
       &channel_user=&open=1&limit=&offset=
       every kind in one masked list (under: an organisation's subtree; records without an
       organisation count as the city's): open records by due time (overdue and due today first), then
       finished ones newest first; q is a number (or its start), a phone, a masked phone
       (138****5678) or its last four digits
- GET  /v1/records/<number>                      the record in full with its history and notes
- POST /v1/records/<number>/status {"status", "message"?, "note"?, "actor"?}   409 for a forbidden move
- POST /v1/records/<number>/assign {"assignee"?, "actor"?}                      no assignee: unassigned
- POST /v1/records/<number>/notes {"text", "actor"?}                            internal
- POST /v1/records/<number>/messages {"message", "actor"?}                      the worker reads it
- POST /v1/records/flag-overdue                  marks overdue records not flagged yet and moves each
       up to its organisation's parent, once (history: escalate); answers them
- GET  /v1/events?after=<id>&limit=<n<=500>      the history of all records, oldest first
- GET  /v1/stats/desk?from=&to=&under=          on-time rate per kind, medians (seconds), and the
       ratings given in the range: CSAT and the share resolved on first contact (backend/ratings.py);
       under: only an organisation's subtree (records and ratings without one count as the city's)
"""
from __future__ import annotations

import re
import statistics
from datetime import datetime, time, timedelta, timezone

from flask import Blueprint, request
from sqlalchemy import false, select, update

from backend import desk, orgs, workflow
from backend.db import db
from backend.http import body, error, install, json_response, page
from backend.models import CASE_TYPES, RecordEvent, utcnow
from backend.ratings import rating_figures
from backend.records import KINDS, WORKER_KINDS, add_event, aware, event_dict, find, last_messages, summary, \
    time_limits, to_dict, with_history
from backend.schemas import Invalid
from unionkit import strict_json
from unionkit.numbers import normalize_number
from unionkit.orgtree import org_clause
from unionkit.pii import normalize_phone

bp = Blueprint("union_desk", __name__)
install(bp)

_MASKED_PHONE = re.compile(r"^(\d{3})\*+(\d{4})$")
_DIGITS = re.compile(r"^\d{4,11}$")
_FAR_FUTURE = datetime(9999, 1, 1, tzinfo=timezone.utc)


def _csv(name: str) -> list[str]:
    return [v.strip() for v in (request.args.get(name) or "").split(",") if v.strip()]


def _flag(name: str) -> bool:
    return (request.args.get(name) or "").lower() in {"1", "true", "yes"}


def _today_end(now: datetime) -> datetime:
    """The end of today in the office's time zone, as UTC."""
    tz = time_limits().calendar.tz
    local = now.astimezone(tz)
    return datetime.combine(local.date() + timedelta(days=1), time(0), tzinfo=tz).astimezone(timezone.utc)


def _search(model, q: str):
    q = q.strip()
    masked = _MASKED_PHONE.match(q)
    if (masked or _DIGITS.match(q)) and not hasattr(model, "phone"):
        return false()  # a review task has no phone of its own
    if masked:
        return model.phone.like(f"{masked.group(1)}%{masked.group(2)}")
    if _DIGITS.match(q):
        phone = normalize_phone(q)
        return model.phone == phone if len(phone) == 11 else model.phone.like(f"%{q}")
    return model.number.like(normalize_number(q).replace("%", "").replace("_", "") + "%")


def _desk_item(record, messages: dict) -> dict:
    data = to_dict(record, masked=True, last_message=messages.get(record.number))
    data["summary"] = summary(record)
    return data


@bp.get("/v1/records")
def list_records():
    limit, offset = page()
    kinds = _csv("kind") or list(KINDS)
    errors = {}
    if any(k not in KINDS for k in kinds):
        errors["kind"] = "kind 可选：" + "、".join(KINDS)
    types = _csv("type")
    if any(t not in CASE_TYPES for t in types):
        errors["type"] = "type 可选：" + "、".join(CASE_TYPES)
    if errors:
        raise Invalid(errors)
    if types:
        kinds = [k for k in kinds if k == "case"]
    now = utcnow()
    rows = []
    tree = orgs.load()
    scope = None
    if under := (request.args.get("under") or "").strip():
        scope = tree.subtree(under)
    if only := _csv("org"):
        scope = set(only) if scope is None else scope & set(only)
    root = tree.root.code if tree.root else None
    for name in kinds:
        kind = KINDS[name]
        model = kind.model
        stmt = select(model)
        if types:
            stmt = stmt.where(model.type.in_(types))
        if statuses := _csv("status"):
            stmt = stmt.where(model.status.in_(statuses))
        if priorities := _csv("priority"):
            # Only cases have a priority; every other record counts as normal.
            if name == "case":
                stmt = stmt.where(model.priority.in_(priorities))
            elif "normal" not in priorities:
                stmt = stmt.where(false())
        if teams := _csv("team"):
            stmt = stmt.where(model.team.in_(teams))
        if scope is not None:
            stmt = stmt.where(org_clause(model.org, scope, root))
        if channel_user := (request.args.get("channel_user") or "").strip():
            stmt = stmt.where(model.channel_user == channel_user)
        assignee = request.args.get("assignee")
        if assignee is not None and assignee.strip():
            stmt = stmt.where(model.assignee.is_(None) if assignee.strip() == "none"
                              else model.assignee == assignee.strip())
        open_ = model.status.in_(workflow.open_statuses(name))
        if _flag("overdue"):
            stmt = stmt.where(open_, model.due_at < now)
        if (request.args.get("due") or "") == "today":
            stmt = stmt.where(open_, model.due_at < _today_end(now))
        if _flag("open"):
            stmt = stmt.where(open_)
        if q := (request.args.get("q") or "").strip():
            stmt = stmt.where(_search(model, q))
        # Each kind's first offset+limit in the desk's order; merged below.
        stmt = stmt.order_by(open_.desc(), model.due_at, model.id.desc()).limit(offset + limit)
        rows.extend(db().execute(stmt).scalars().all())

    def order(record):
        finished = workflow.is_final(KIND_NAME[type(record)], record.status)
        if finished:
            return (1, -aware(record.created_at).timestamp())
        return (0, aware(record.due_at).timestamp() if record.due_at else _FAR_FUTURE.timestamp())

    rows.sort(key=order)
    rows = rows[offset:offset + limit]
    messages = last_messages([r.number for r in rows])
    return json_response({"items": [_desk_item(r, messages) for r in rows]})


KIND_NAME = {k.model: k.name for k in KINDS.values()}


def _record_or_404(number: str):
    record = find(number)
    if record is None:
        return None, error(404, "not_found")
    return record, None


@bp.get("/v1/records/<number>")
def get_record(number: str):
    record, missing = _record_or_404(number)
    return missing or json_response(with_history(record))


@bp.post("/v1/records/<number>/status")
def record_status(number: str):
    data = body()
    record, missing = _record_or_404(number)
    return missing or json_response(desk.change_status(record, data))


@bp.post("/v1/records/<number>/assign")
def record_assign(number: str):
    data = body()
    record, missing = _record_or_404(number)
    return missing or json_response(desk.assign(record, data))


@bp.post("/v1/records/<number>/notes")
def record_note(number: str):
    data = body()
    record, missing = _record_or_404(number)
    return missing or json_response(desk.note(record, data), 201)


@bp.post("/v1/records/<number>/messages")
def record_message(number: str):
    data = body()
    record, missing = _record_or_404(number)
    return missing or json_response(desk.message(record, data), 201)


@bp.post("/v1/records/flag-overdue")
def flag_overdue():
    """Marks each open record past its due time, once: a conditional UPDATE, so two workers
    asking at the same moment never both get the same record."""
    now = utcnow()
    flagged = []
    tree = orgs.load()
    for name, kind in KINDS.items():
        model = kind.model
        due = db().execute(select(model.id).where(
            model.status.in_(workflow.open_statuses(name)), model.due_at < now,
            model.overdue_flagged_at.is_(None))).scalars().all()
        for record_id in due:
            won = db().execute(update(model).where(model.id == record_id, model.overdue_flagged_at.is_(None))
                               .values(overdue_flagged_at=now)).rowcount
            db().commit()
            if won:
                record = db().get(model, record_id)
                escalated_from = _escalate(tree, record, now)
                flagged.append({"number": record.number, "kind": name, "type": kind.type_of(record),
                                "team": record.team, "assignee": record.assignee, "org": record.org,
                                "escalated_from": escalated_from, "due_at": aware(record.due_at).isoformat()})
    return json_response({"items": flagged})


def _escalate(tree: orgs.Tree, record, now) -> str | None:
    """An overdue record goes up to its organisation's parent, once (flag-overdue runs once per record)."""
    parent = tree.parent(record.org)
    if parent is None or record.escalated_at is not None:
        return None
    before = record.org
    record.org, record.escalated_at, record.updated_at = parent.code, now, now
    add_event(record, "escalate", actor=None, from_value=before, to_value=parent.code, note="超时未办结，升级到上级组织")
    db().commit()
    return before


@bp.get("/v1/events")
def events():
    errors = {}
    try:
        after = int(request.args.get("after", 0))
        if not 0 <= after <= strict_json.MAX_INT:  # past 64 bits the database overflows
            raise ValueError
    except ValueError:
        errors["after"] = "after 应为不小于 0 的整数"
        after = 0
    try:
        limit = int(request.args.get("limit", 100))
        if not 1 <= limit <= 500:
            raise ValueError
    except ValueError:
        errors["limit"] = "limit 应为 1 到 500 的整数"
        limit = 100
    if errors:
        raise Invalid(errors)
    rows = db().execute(select(RecordEvent).where(RecordEvent.id > after).order_by(RecordEvent.id)
                        .limit(limit)).scalars().all()
    records_by_number = {n: find(n) for n in {e.number for e in rows if e.action == "status"}}
    items = []
    for e in rows:
        item = event_dict(e)
        item.pop("note")  # internal: the feed is for telling workers
        # What the notices need beside the entry: is this the record's last step (then the worker
        # is asked to rate it), and whose it is (the rating's team).
        item["final"] = item["action"] == "status" and workflow.is_final(e.kind, e.to_value or "")
        record = records_by_number.get(e.number)
        item["team"] = record.team if record is not None else None
        items.append(item)
    return json_response({"items": items})


def _when(name: str, default: datetime) -> datetime:
    raw = request.args.get(name)
    if not raw:
        return default
    try:
        value = datetime.fromisoformat(raw)
    except ValueError:
        raise Invalid({name: f"{name} 应为 ISO 8601 日期或时间，如 2026-12-01"}) from None
    return aware(value) if value.tzinfo else value.replace(tzinfo=time_limits().calendar.tz)


def _median(values: list[float]):
    return statistics.median(values) if values else None


@bp.get("/v1/stats/desk")
def desk_stats():
    """Records filed in [from, to): on-time rate per kind (of those finished or past due: the
    share finished by their due time), and the medians, in seconds, from filing to the first
    officer action and to the final status. With `under`, only that organisation's subtree."""
    now = utcnow()
    start = _when("from", datetime(1970, 1, 1, tzinfo=timezone.utc))
    end = _when("to", now + timedelta(days=1))
    tree = orgs.load()
    root = tree.root.code if tree.root else None
    scope = None
    if under := (request.args.get("under") or "").strip():
        if under not in tree.by_code:
            raise Invalid({"under": "没有这个组织"})
        scope = tree.subtree(under)
    on_time: dict[str, float | None] = {}
    first, resolved, counts = [], [], {}
    all_due = all_kept = 0
    for name in WORKER_KINDS:  # a review task is the union's own follow-up, not a worker's request
        model = KINDS[name].model
        stmt = select(model).where(model.created_at >= start, model.created_at < end)
        if scope is not None:
            stmt = stmt.where(org_clause(model.org, scope, root))
        rows = db().execute(stmt).scalars().all()
        due = kept = 0
        for r in rows:
            created = aware(r.created_at)
            if r.first_action_at:
                first.append((aware(r.first_action_at) - created).total_seconds())
            if r.resolved_at:
                resolved.append((aware(r.resolved_at) - created).total_seconds())
            if r.due_at is None:
                continue
            deadline = aware(r.due_at)
            if r.resolved_at is not None:
                due += 1
                kept += aware(r.resolved_at) <= deadline
            elif deadline < now:
                due += 1
        on_time[name] = round(kept / due, 4) if due else None
        counts[name] = {"filed": len(rows), "counted": due, "on_time": kept}
        all_due += due
        all_kept += kept
    return json_response({
        "from": start.isoformat(), "to": end.isoformat(), "org": under or None,
        "on_time_rate": {**on_time, "all": round(all_kept / all_due, 4) if all_due else None},
        "median_first_action_seconds": _median(first), "median_resolution_seconds": _median(resolved),
        "counts": counts,
        **rating_figures(start, end, scope, root),
    })
