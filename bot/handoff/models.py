"""The handoff record: one chat handed to a person, from the request to its close."""
from __future__ import annotations

from sqlalchemy import JSON, Column, DateTime, ForeignKey, Index, Integer, String, Text

from bot.models import Base

STATUSES = ("waiting", "active", "closed")
# critical: the safety screen saw danger (bot/safety/); it goes before every urgent case.
PRIORITIES = ("critical", "urgent", "normal")
REASONS = ("request_human", "fallback", "slot_retries", "urgent_wage_arrears", "urgent_injury", "self_harm",
           "lawyer", "safety_self_harm", "safety_medical", "safety_violence", "safety_group_incident")
# How an officer (or the worker) ended a handoff.
OUTCOMES = ("resolved", "referred", "callback", "no_response", "worker_left", "other")


class Handoff(Base):
    __tablename__ = "handoffs"
    id = Column(Integer, primary_key=True, autoincrement=True)
    conversation_id = Column(String(160), nullable=False)  # "<channel>:<user>", the Rasa sender id
    channel = Column(String(20), nullable=False)
    user = Column(String(120), nullable=False)
    reason = Column(String(40), nullable=False)
    priority = Column(String(10), nullable=False, default="normal")
    team = Column(String(20), nullable=False, default="general")
    # The organisation whose queue it is in (the worker's open record's, else the city's): code in the tree.
    org = Column(String(32), nullable=True)
    status = Column(String(10), nullable=False, default="waiting")
    officer = Column(String(80), nullable=True)  # account name of the officer holding the chat
    case_number = Column(String(40), nullable=True)
    form_data = Column(JSON, nullable=True)  # full values; masked for everyone but the holder
    created_at = Column(DateTime, nullable=False)
    queued_at = Column(DateTime, nullable=False)  # when it last entered a queue (creation or transfer)
    claimed_at = Column(DateTime, nullable=True)
    flagged_at = Column(DateTime, nullable=True)  # unclaimed too long: the worker was told again
    closed_at = Column(DateTime, nullable=True)
    outcome = Column(String(20), nullable=True)
    # The slice of the conversation's transcript that belongs to this handoff (message ids):
    # some context before the request, and everything up to the close.
    transcript_from = Column(Integer, nullable=False, default=0)
    transcript_to = Column(Integer, nullable=True)

    __table_args__ = (
        Index("ix_handoffs_status_team", "status", "team"),
        Index("ix_handoffs_conversation_id", "conversation_id"),
    )


class HandoffNote(Base):
    """Internal notes officers leave on a handoff (never shown to the worker), and transfer marks."""

    __tablename__ = "handoff_notes"
    id = Column(Integer, primary_key=True, autoincrement=True)
    handoff_id = Column(Integer, ForeignKey("handoffs.id", ondelete="CASCADE"), nullable=False)
    kind = Column(String(20), nullable=False, default="note")  # note | transfer_team | transfer_officer | transfer_org
    author = Column(String(80), nullable=False)
    text = Column(Text, nullable=False)
    created_at = Column(DateTime, nullable=False)

    __table_args__ = (Index("ix_handoff_notes_handoff_id", "handoff_id"),)
