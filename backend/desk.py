"""What an officer does to a record: move its status (by the workflow's table), assign it, write
to the worker, add an internal note. Each step is one history entry, committed with the change."""
from __future__ import annotations

from backend import schemas, workflow
from backend.db import db
from backend.http import Refused
from backend.models import utcnow
from backend.records import add_event, kind_of, with_history


def change_status(record, data: dict, label: str = "状态") -> dict:
    values = schemas.parse(schemas.StatusIn, data)
    kind = kind_of(record)
    statuses = tuple(workflow.TRANSITIONS[kind.name]) + workflow.final_statuses(kind.name)
    if values.status not in statuses:
        raise schemas.Invalid({"status": schemas.choice_error(label, statuses)})
    current, new = record.status, values.status
    if new not in workflow.allowed(kind.name, current):
        nexts = workflow.allowed(kind.name, current)
        hint = ("可改为：" + "、".join(f"{workflow.word(s)}（{s}）" for s in nexts)) if nexts else "它已办结，不能再改。"
        raise Refused("forbidden_transition",
                      f"不能从“{workflow.word(current)}”改为“{workflow.word(new)}”。{hint}",
                      status=current, allowed=list(nexts))
    if (kind.name, new) in workflow.NEEDS_REASON and not values.message:
        raise schemas.Invalid({"message": "请写明原因，职工会看到这段话"})
    record.status = new
    record.updated_at = utcnow()
    if workflow.is_final(kind.name, new):
        record.resolved_at = record.updated_at
    add_event(record, "status", actor=values.actor, from_value=current, to_value=new,
              message=values.message, note=values.note)
    db().commit()
    return with_history(record)


def assign(record, data: dict) -> dict:
    values = schemas.parse(schemas.AssignIn, data)
    before = record.assignee
    record.assignee = values.assignee
    record.updated_at = utcnow()
    # An assignment's from/to are the officers, not statuses.
    add_event(record, "assign", actor=values.actor, from_value=before, to_value=values.assignee)
    db().commit()
    return with_history(record)


def note(record, data: dict) -> dict:
    values = schemas.parse(schemas.NoteIn, data)
    record.updated_at = utcnow()
    add_event(record, "note", actor=values.actor, note=values.text)
    db().commit()
    return with_history(record)


def message(record, data: dict) -> dict:
    values = schemas.parse(schemas.MessageIn, data)
    record.updated_at = utcnow()
    add_event(record, "message", actor=values.actor, message=values.message)
    db().commit()
    return with_history(record)
