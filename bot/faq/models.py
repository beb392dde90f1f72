"""FAQ tables: entries, every version of every entry, unanswered questions and FAQ look-ups."""
from __future__ import annotations

from sqlalchemy import JSON, Boolean, Column, DateTime, Float, Index, Integer, String, Text

from bot.models import Base, utcnow


class FaqEntry(Base):
    """One question staff answer: the standard question, other phrasings, the answer."""

    __tablename__ = "faq_entries"
    id = Column(Integer, primary_key=True, autoincrement=True)
    question = Column(String(200), nullable=False)
    variants = Column(JSON, nullable=False, default=list)  # similar phrasings, list of str
    answer = Column(Text, nullable=False)
    category = Column(String(40), nullable=False, default="")
    enabled = Column(Boolean, nullable=False, default=True)
    updated_by = Column(String(80), nullable=False, default="")
    updated_at = Column(DateTime, nullable=False, default=utcnow)

    FIELDS = ("question", "variants", "answer", "category", "enabled")

    def as_json(self) -> dict:
        return {"id": self.id, "question": self.question, "variants": list(self.variants or []),
                "answer": self.answer, "category": self.category, "enabled": bool(self.enabled),
                "updated_by": self.updated_by, "updated_at": self.updated_at.isoformat() + "Z"}

    def snapshot(self) -> dict:
        return {"question": self.question, "variants": list(self.variants or []), "answer": self.answer,
                "category": self.category, "enabled": bool(self.enabled)}


class FaqVersion(Base):
    """Every change of an entry, as the entry looked after it. Kept when the entry is deleted,
    so a deleted entry can be restored too."""

    __tablename__ = "faq_versions"
    id = Column(Integer, primary_key=True, autoincrement=True)
    entry_id = Column(Integer, nullable=False, index=True)
    number = Column(Integer, nullable=False)  # 1, 2, 3 ... per entry
    action = Column(String(20), nullable=False)  # seed|create|update|disable|enable|delete|restore|import
    snapshot = Column(JSON, nullable=False)
    changed_by = Column(String(80), nullable=False)
    changed_at = Column(DateTime, nullable=False, default=utcnow)


class UnansweredQuestion(Base):
    """A message the bot could not answer (fallback, no FAQ match) or a reply a worker marked
    as unhelpful. Open until staff turn it into an entry or a phrasing."""

    __tablename__ = "faq_unanswered"
    id = Column(Integer, primary_key=True, autoincrement=True)
    ts = Column(DateTime, nullable=False, default=utcnow)
    conversation_id = Column(String(160), nullable=False)
    text = Column(Text, nullable=False)
    source = Column(String(20), nullable=False)  # no_match | thumbs_down
    message_id = Column(Integer, nullable=True)  # the bot message marked down, for thumbs_down
    resolved_entry_id = Column(Integer, nullable=True)
    resolved_at = Column(DateTime, nullable=True)

    __table_args__ = (Index("ix_faq_unanswered_open", "resolved_at", "ts"),)


class FaqLookup(Base):
    """One search of the FAQ for a worker's message, for the hit rate on /admin/stats."""

    __tablename__ = "faq_lookups"
    id = Column(Integer, primary_key=True, autoincrement=True)
    ts = Column(DateTime, nullable=False, default=utcnow, index=True)
    conversation_id = Column(String(160), nullable=False)
    outcome = Column(String(12), nullable=False)  # answered | suggested | missed
    entry_id = Column(Integer, nullable=True)
    score = Column(Float, nullable=True)
