"""The gateway's own tables: chat sessions, transcripts, accounts and the audit log.

(The reference union back end keeps its records in backend/models.py; FAQ and handoff tables
live beside their areas and share this Base.)
"""
from __future__ import annotations

import datetime as dt

from flask_login import UserMixin
from sqlalchemy import JSON, Column, DateTime, Index, Integer, String, Text
from sqlalchemy.orm import declarative_base

Base = declarative_base()


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)


class ChatSession(Base):
    """A web chat session; the bearer token is stored only as a hash."""

    __tablename__ = "chat_sessions"
    id = Column(String(40), primary_key=True)
    token_hash = Column(String(64), nullable=False)
    created_at = Column(DateTime, default=utcnow, nullable=False)


class Message(Base):
    """One line of a transcript. conversation_id is "<channel>:<user>", the Rasa sender id."""

    __tablename__ = "messages"
    id = Column(Integer, primary_key=True, autoincrement=True)
    conversation_id = Column(String(160), nullable=False)
    role = Column(String(10), nullable=False)  # user | bot | officer | system
    text = Column(Text, nullable=False, default="")
    buttons = Column(JSON, nullable=True)
    intent = Column(String(60), nullable=True)  # for user turns, what the NLU understood
    ts = Column(DateTime, default=utcnow, nullable=False)

    __table_args__ = (Index("ix_messages_conversation_id_id", "conversation_id", "id"),)


class User(UserMixin, Base):
    """An officer, staff member or admin. Passwords and API tokens are stored hashed."""

    __tablename__ = "users"
    id = Column(Integer, primary_key=True, autoincrement=True)
    name = Column(String(80), unique=True, nullable=False)
    display_name = Column(String(80), nullable=True)
    role = Column(String(20), nullable=False)  # officer | staff | admin | leader
    teams = Column(String(200), nullable=False, default="general")  # comma separated
    # The organisation (code in the back end's tree) the account belongs to: an officer or leader
    # sees its subtree only; none is the city's (everything).
    org = Column(String(32), nullable=True)
    password_hash = Column(String(255), nullable=False)
    token_hash = Column(String(64), unique=True, nullable=True)
    active = Column(Integer, nullable=False, default=1)
    created_at = Column(DateTime, default=utcnow, nullable=False)

    @property
    def is_active(self) -> bool:  # flask-login
        return bool(self.active)

    @property
    def team_list(self) -> list[str]:
        return [t for t in (self.teams or "").split(",") if t]


class AuditLog(Base):
    __tablename__ = "audit_log"
    id = Column(Integer, primary_key=True, autoincrement=True)
    ts = Column(DateTime, default=utcnow, nullable=False)
    actor = Column(String(80), nullable=False)
    action = Column(String(60), nullable=False)
    target = Column(String(160), nullable=True)
    detail = Column(JSON, nullable=True)
