"""The stored transcript of every conversation (web and WeChat), read by the web widget and officers."""
from __future__ import annotations

from sqlalchemy import insert

from bot.models import Message
from config.database import Session


def add(conversation_id: str, role: str, text: str, buttons: list | None = None,
        intent: str | None = None) -> Message:
    msg = Message(conversation_id=conversation_id, role=role, text=text, buttons=buttons or None, intent=intent)
    Session.add(msg)
    Session.commit()
    return msg


def add_many(conversation_id: str, role: str, lines: list[tuple[str, list | None]],
             intent: str | None = None) -> list[int]:
    """Lines of one speaker (a user turn, a bot turn's replies) in one transaction; returns their ids
    (the web chat binds its bubbles to them). Plain INSERTs rather than ORM objects: this runs twice
    on every chat turn. `intent` marks the lines (the safety screen's "safety_<category>",
    highlighted for officers)."""
    ids = []
    for text, buttons in lines:
        result = Session.execute(insert(Message).values(conversation_id=conversation_id, role=role, text=text,
                                                        buttons=buttons or None, intent=intent))
        ids.append(result.inserted_primary_key[0])
    if ids:
        Session.commit()
    return ids


def after(conversation_id: str, after_id: int = 0, limit: int = 200) -> list[Message]:
    return (Session.query(Message)
            .filter(Message.conversation_id == conversation_id, Message.id > after_id)
            .order_by(Message.id).limit(limit).all())


def last_buttons(conversation_id: str) -> list[dict]:
    msg = (Session.query(Message)
           .filter(Message.conversation_id == conversation_id, Message.role == "bot", Message.buttons.isnot(None))
           .order_by(Message.id.desc()).first())
    return list(msg.buttons or []) if msg else []


def last_bot_text(conversation_id: str) -> str | None:
    """What the bot said last (the question a form is waiting on, if any)."""
    row = (Session.query(Message.text)
           .filter(Message.conversation_id == conversation_id, Message.role == "bot")
           .order_by(Message.id.desc()).first())
    return row[0] if row else None


def as_json(msg: Message) -> dict:
    return {"id": msg.id, "role": msg.role, "text": msg.text, "buttons": msg.buttons or [],
            "ts": msg.ts.isoformat() + "Z"}
