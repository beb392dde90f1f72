"""How the case desk's records look to an officer. The records live in the back end (read through
its API only); ID numbers and phones are shown in full only to the officer the record is assigned
to, and each such full view goes to the audit log, as in the chat console."""
from __future__ import annotations

import datetime as dt

from bot import transcript
from bot.accounts.service import audit
from bot.models import Message, User
from config.database import Session
from unionkit.pii import mask_pii, mask_text

LIST_FIELDS = ("number", "kind", "type", "status", "priority", "org", "assignee", "team", "created_at", "due_at",
               "overdue", "summary", "phone", "district", "escalated")
# The submitted data of each kind (what the worker filled in), as the back end names it.
SUBMITTED = ("name", "id_number", "phone", "employer", "industry", "summary", "details", "course_id", "company",
             "employees", "contact_name", "text",
             "subject", "ref", "officer", "score", "resolved", "comment")  # the last six: a review task's rating
HISTORY_FIELDS = ("id", "at", "actor", "action", "from", "to", "note", "message")
# How many messages before the filing the transcript shows, and how long after it.
TRANSCRIPT_MESSAGES = 60
TRANSCRIPT_AFTER = dt.timedelta(minutes=30)


def _due_today(item: dict, now: dt.datetime, tz: dt.tzinfo) -> bool:
    if not item.get("due_at") or item.get("resolved_at"):
        return False
    due = dt.datetime.fromisoformat(item["due_at"]).astimezone(tz)
    return due.date() == now.astimezone(tz).date()


def list_item(record: dict, now: dt.datetime, tz: dt.tzinfo) -> dict:
    item = {key: record.get(key) for key in LIST_FIELDS}
    # Masked here too: a single record's GET from the back end has them in full.
    item["phone"], item["summary"] = mask_pii(item["phone"]), mask_pii(item["summary"])
    item["priority"] = item["priority"] or "normal"
    item["flagged"] = bool(record.get("overdue_flagged")) and bool(record.get("overdue"))
    item["due_today"] = _due_today(record, now, tz)
    from bot.orgs.tree import tree

    item["org_name"] = tree().name(record.get("org"))
    return item


def _transcript(conversation_id: str | None, created_at: str | None) -> list[dict]:
    """The chat the record was filed from: the messages up to a little after the filing."""
    if not conversation_id:
        return []
    query = Session.query(Message).filter(Message.conversation_id == conversation_id)
    if created_at:
        filed = dt.datetime.fromisoformat(created_at).astimezone(dt.timezone.utc).replace(tzinfo=None)
        query = query.filter(Message.ts <= filed + TRANSCRIPT_AFTER)
    rows = query.order_by(Message.id.desc()).limit(TRANSCRIPT_MESSAGES).all()
    return [transcript.as_json(m) for m in reversed(rows)]


def detail(record: dict, viewer: User, now: dt.datetime, tz: dt.tzinfo) -> dict:
    """The record with its submitted data, transcript, history and notes; masked unless `viewer`
    holds it (then audited, naming what was shown in full)."""
    holder = record.get("assignee") == viewer.name
    submitted = {k: record[k] for k in SUBMITTED if k in record and record[k] not in (None, "", {})}
    messages = _transcript(record.get("channel_user"), record.get("created_at"))
    masked_data = mask_pii(submitted)
    masked_messages = [dict(m, text=mask_text(m["text"])) for m in messages]
    body = list_item(record, now, tz)
    body.update({
        "kind": record.get("kind"), "channel": record.get("channel"),
        "conversation_id": record.get("channel_user"), "resolved_at": record.get("resolved_at"),
        "first_action_at": record.get("first_action_at"), "last_message": record.get("last_message"),
        "next_statuses": record.get("next_statuses") or [],
        "history": [{k: h.get(k) for k in HISTORY_FIELDS} for h in record.get("history") or []],
        "notes": [{k: h.get(k) for k in ("id", "at", "actor", "note")} for h in record.get("notes") or []],
        "holder": holder, "masked": not holder,
    })
    if holder:
        fields = [k for k in submitted if masked_data.get(k) != submitted[k]]
        message_ids = [m["id"] for m, masked in zip(messages, masked_messages) if masked["text"] != m["text"]]
        if fields or message_ids:
            audit(viewer.name, "record_view_full", f"record:{record['number']}",
                  {"fields": fields, "messages": message_ids})
        body.update(data=submitted, transcript=messages)
    else:
        body.update(data=masked_data, transcript=masked_messages)
    return body
