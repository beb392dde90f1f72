"""What the bot could not answer: messages that ended in a fallback (no FAQ entry matched) and
replies a worker marked with a thumbs-down. Staff see them grouped by similarity, most frequent
first, and turn a group into a new entry or into phrasings of an existing one.

Staff do not need a worker's ID number or phone to improve the FAQ: a question is stored masked
(unionkit.pii.mask_text, the one rule), and read masked (rows kept before the rule was applied)."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from bot.faq.models import FaqEntry, FaqLookup, UnansweredQuestion
from unionkit.faq.text import terms
from bot.models import Message, utcnow
from config.database import Session
from unionkit.pii import mask_text

# Two questions belong together when this share of their search terms is common to both.
GROUP_SIMILARITY = 0.4
MAX_OPEN = 2000  # grouping looks at the newest this many open questions


def record(conversation_id: str, text: str, source: str = "no_match", message_id: int | None = None,
           commit: bool = True) -> UnansweredQuestion | None:
    text = mask_text((text or "").strip())
    if not text or text.startswith("/"):
        return None  # a button payload is not a question anyone typed
    row = UnansweredQuestion(conversation_id=conversation_id, text=text[:1000], source=source,
                             message_id=message_id, ts=utcnow())
    Session.add(row)
    if commit:
        Session.commit()
    return row


def record_lookup(conversation_id: str, outcome: str, entry_id: int | None = None, score: float | None = None,
                  commit: bool = True) -> None:
    Session.add(FaqLookup(conversation_id=conversation_id, outcome=outcome, entry_id=entry_id, score=score,
                          ts=utcnow()))
    if commit:
        Session.commit()


def record_from_payload(conversation_id: str, said: str, lookup: dict) -> list:
    """The action server's faq_lookup payload (unionkit/payloads.py): how the FAQ answered `said`;
    a miss is kept as an unanswered question. Shows the worker nothing."""
    outcome = lookup.get("outcome") or "missed"
    record_lookup(conversation_id, outcome, lookup.get("entry_id"), lookup.get("score"), commit=outcome != "missed")
    if outcome == "missed":
        record(conversation_id, said, "no_match")
    return []


def thumbs_down(conversation_id: str, message_id: int) -> UnansweredQuestion | None:
    """A worker marked bot message `message_id` as unhelpful: record the question it answered.
    Returns None when the message is not a bot message of this conversation; marking twice keeps one."""
    bot_msg = Session.get(Message, message_id)
    if bot_msg is None or bot_msg.conversation_id != conversation_id or bot_msg.role != "bot":
        return None
    existing = Session.query(UnansweredQuestion).filter_by(message_id=message_id, source="thumbs_down").first()
    if existing:
        return existing
    asked = (Session.query(Message)
             .filter(Message.conversation_id == conversation_id, Message.role == "user", Message.id < message_id)
             .order_by(Message.id.desc()).first())
    if asked is None:
        return None
    return record(conversation_id, asked.text, "thumbs_down", message_id=message_id) or None


@dataclass
class Group:
    texts: dict[str, int] = field(default_factory=dict)  # distinct text -> how often
    ids: list[int] = field(default_factory=list)
    sources: dict[str, int] = field(default_factory=dict)
    last_ts: dt.datetime | None = None
    _terms: set = field(default_factory=set, repr=False)

    @property
    def count(self) -> int:
        return len(self.ids)

    @property
    def sample(self) -> str:
        return max(self.texts.items(), key=lambda kv: (kv[1], -len(kv[0])))[0]

    def as_json(self) -> dict:
        return {"question": self.sample, "text": self.sample, "count": self.count, "ids": self.ids,
                "texts": [{"text": t, "count": n} for t, n in sorted(self.texts.items(), key=lambda kv: -kv[1])],
                "sources": self.sources, "last_at": self.last_ts.isoformat() + "Z" if self.last_ts else None}


def _similar(a: set, b: set) -> float:
    return len(a & b) / min(len(a), len(b)) if a and b else 0.0


def open_groups() -> list[Group]:
    """Open unanswered questions, similar ones together, most frequent group first."""
    rows = (Session.query(UnansweredQuestion).filter(UnansweredQuestion.resolved_at.is_(None))
            .order_by(UnansweredQuestion.ts.desc()).limit(MAX_OPEN).all())
    by_text: dict[str, list[UnansweredQuestion]] = {}
    for row in rows:
        by_text.setdefault(mask_text(row.text), []).append(row)
    groups: list[Group] = []
    # The most asked texts start the groups; rarer ones join the group they resemble.
    for text, same in sorted(by_text.items(), key=lambda kv: -len(kv[1])):
        words = set(terms(text)) or {text}
        home = max(groups, key=lambda g: _similar(words, g._terms), default=None)
        if home is None or _similar(words, home._terms) < GROUP_SIMILARITY:
            home = Group(_terms=words)
            groups.append(home)
        home.texts[text] = len(same)
        for row in same:
            home.ids.append(row.id)
            home.sources[row.source] = home.sources.get(row.source, 0) + 1
            home.last_ts = max(home.last_ts or row.ts, row.ts)
    return sorted(groups, key=lambda g: (-g.count, -(g.last_ts.timestamp() if g.last_ts else 0)))


def resolve(ids: list[int], entry: FaqEntry) -> int:
    """Marks these questions as handled by `entry`; returns how many were still open."""
    rows = (Session.query(UnansweredQuestion)
            .filter(UnansweredQuestion.id.in_(ids), UnansweredQuestion.resolved_at.is_(None)).all())
    now = utcnow()
    for row in rows:
        row.resolved_entry_id, row.resolved_at = entry.id, now
    return len(rows)


def texts_of(ids: list[int]) -> list[str]:
    rows = Session.query(UnansweredQuestion.text).filter(UnansweredQuestion.id.in_(ids)).all()
    return list(dict.fromkeys(mask_text(t) for (t,) in rows))
