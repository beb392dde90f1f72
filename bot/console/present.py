"""How handoffs look to an officer, as JSON. ID numbers and phones are shown in full only to the
officer holding the chat; every such full view is written to the audit log."""
from __future__ import annotations

import datetime as dt

from unionkit.pii import is_valid_mobile, mask_phone, mask_pii, mask_text, normalize_phone
from bot import transcript
from bot.accounts.service import audit
from bot.handoff.models import Handoff, HandoffNote
from bot.handoff.service import HandoffService
from bot.models import Message, User
from config.database import Session

PREVIEW_CHARS = 80


def _iso(value: dt.datetime | None) -> str | None:
    return value.isoformat() + "Z" if value else None


def _phone(form_data: dict | None) -> str | None:
    """The worker's mobile number from the form data, masked (for lists)."""
    values = sorted((form_data or {}).items(), key=lambda kv: "phone" not in str(kv[0]))
    for _key, value in values:
        if is_valid_mobile(value):
            return mask_phone(normalize_phone(value))
    return None


def _messages(handoff: Handoff, after: int = 0):
    query = Session.query(Message).filter(Message.conversation_id == handoff.conversation_id,
                                          Message.id >= handoff.transcript_from, Message.id > after)
    if handoff.transcript_to is not None:
        query = query.filter(Message.id <= handoff.transcript_to)
    return query.order_by(Message.id).limit(500).all()


def _danger(message: Message) -> str | None:
    """The safety screen's category for a worker message it took as danger (highlighted)."""
    intent = message.intent or ""
    return intent[len("safety_"):] if intent.startswith("safety_") else None


def _last_worker_message(handoff: Handoff) -> Message | None:
    query = Session.query(Message).filter(Message.conversation_id == handoff.conversation_id,
                                          Message.role == "user", Message.id >= handoff.transcript_from)
    if handoff.transcript_to is not None:
        query = query.filter(Message.id <= handoff.transcript_to)
    return query.order_by(Message.id.desc()).first()


def list_item(handoff: Handoff, service: HandoffService) -> dict:
    """One row of the queue: never any ID number or phone in full."""
    now = service.now_naive()
    last = _last_worker_message(handoff)
    # Waiting time: until now while it waits, else until an officer took it (or it was closed).
    waited_until = now if handoff.status == "waiting" else (handoff.claimed_at or handoff.closed_at or now)
    item = {
        "id": handoff.id, "channel": handoff.channel, "user": handoff.user, "reason": handoff.reason,
        "priority": handoff.priority, "team": handoff.team, "org": handoff.org, "status": handoff.status,
        "officer": handoff.officer,
        "case_number": handoff.case_number, "created_at": _iso(handoff.created_at),
        "claimed_at": _iso(handoff.claimed_at), "closed_at": _iso(handoff.closed_at), "outcome": handoff.outcome,
        "waiting_seconds": max(0, int((waited_until - handoff.queued_at).total_seconds())),
        "flagged": handoff.flagged_at is not None and handoff.status == "waiting",
        "phone": _phone(handoff.form_data),
        "preview": mask_text(last.text)[:PREVIEW_CHARS] if last else "",
        "last_message_id": last.id if last else None,
        "position": None,
    }
    if handoff.status == "waiting":
        item["position"] = service.queues.position(handoff.team, handoff.id)
    from bot.orgs.tree import tree

    item["org_name"] = tree().name(handoff.org)
    return item


def note_json(note: HandoffNote) -> dict:
    return {"id": note.id, "kind": note.kind, "author": note.author, "text": note.text,
            "created_at": _iso(note.created_at)}


def detail(handoff: Handoff, service: HandoffService, viewer: User, after: int = 0) -> dict:
    """The handoff with its transcript, form data and notes. A poll for the messages after `after`
    leaves the form data out, so the holder's console does not show (and audit) it every poll."""
    holder = service.holds(handoff, viewer)
    messages = [dict(transcript.as_json(m), danger=_danger(m)) for m in _messages(handoff, after)]
    form_data = dict(handoff.form_data or {}) if not after else {}
    masked_form, masked_messages = mask_pii(form_data), [dict(m, text=mask_text(m["text"])) for m in messages]
    body = list_item(handoff, service)
    if holder:
        shown_in_full = [key for key in form_data if masked_form.get(key) != form_data[key]]
        message_ids = [m["id"] for m, masked in zip(messages, masked_messages) if masked["text"] != m["text"]]
        if shown_in_full or message_ids:
            audit(viewer.name, "handoff_view_full", f"handoff:{handoff.id}",
                  {"form_fields": shown_in_full, "messages": message_ids})
        body.update(form_data=form_data, transcript=messages)
    else:
        body.update(form_data=masked_form, transcript=masked_messages)
    if after:
        del body["form_data"]
    body.update(holder=holder, masked=not holder, notes=[note_json(n) for n in service.notes(handoff.id)])
    return body
