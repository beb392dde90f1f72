"""Tables of the reference union back end (SQLAlchemy 1.4, declarative).

Every table is prefixed ``ub_`` so the back end can share a database with the gateway.
The schema is created by backend/migrations/versions/ (backend_0001_tables, backend_0002_desk,
backend_0003_ratings, backend_0004_orgs; keep
them in step with this file: tests/backend/test_backend_schema.py compares them).
"""
from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import (JSON, Boolean, CheckConstraint, Column, Date, DateTime, ForeignKey, Integer, MetaData,
                        String, Text, UniqueConstraint)
from sqlalchemy.orm import declarative_base, relationship

# Deterministic constraint/index names, so the hand-written migration can name them the same.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

Base = declarative_base(metadata=MetaData(naming_convention=NAMING_CONVENTION))

MEMBERSHIP_STATUSES = ("submitted", "reviewing", "approved", "rejected")
CASE_TYPES = ("wage_arrears", "work_injury", "legal_aid", "hardship_aid", "medical_mutual_aid")
CASE_PRIORITIES = ("normal", "urgent")
CASE_STATUSES = ("open", "in_progress", "resolved", "referred", "closed")
ENROLLMENT_STATUSES = ("enrolled", "waitlisted", "attended", "cancelled")
FOUNDING_STATUSES = ("received", "guiding", "founded", "closed")
SUGGESTION_STATUSES = ("received", "answered")
REVIEW_STATUSES = ("pending", "reviewed")
RECORD_KINDS = ("membership", "case", "enrollment", "founding", "suggestion", "review")
# What a worker rates: a record (by its number) or a chat with an officer (a handoff, "handoff:<id>").
RATING_SUBJECTS = ("record", "chat")
EVENT_ACTIONS = ("created", "status", "message", "assign", "note", "route", "escalate")
ORG_LEVELS = ("city", "district", "street", "federation", "grassroots")
ALERT_KINDS = ("cluster", "large_group", "group_incident")
ALERT_STATUSES = ("open", "closed")


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN (" + ", ".join(f"'{v}'" for v in values) + ")"


class DeskColumns:
    """What the case desk keeps on every record: who works it, by when, and when it was first
    touched and finished (the on-time rate and the medians of /v1/stats/desk)."""

    assignee = Column(String(64), nullable=True, index=True)
    team = Column(String(32), nullable=True)
    due_at = Column(DateTime(timezone=True), nullable=True, index=True)
    first_action_at = Column(DateTime(timezone=True), nullable=True)
    resolved_at = Column(DateTime(timezone=True), nullable=True)
    overdue_flagged_at = Column(DateTime(timezone=True), nullable=True)
    # The organisation that works it (backend/routing.py), the district the worker named, the rule
    # that chose it, and when an overdue record went up to the parent organisation (once).
    org = Column(String(32), nullable=True, index=True)
    district = Column(String(64), nullable=True)
    routed_by = Column(String(16), nullable=True)
    escalated_at = Column(DateTime(timezone=True), nullable=True)


class MembershipApplication(DeskColumns, Base):
    """网上入会申请."""

    __tablename__ = "ub_membership_applications"
    __table_args__ = (CheckConstraint(_in("status", MEMBERSHIP_STATUSES), name="ck_ub_membership_status"),)

    id = Column(Integer, primary_key=True)
    number = Column(String(32), nullable=False, unique=True)
    name = Column(String(64), nullable=False)
    id_number = Column(String(18), nullable=False, index=True)
    phone = Column(String(20), nullable=False, index=True)
    employer = Column(String(200), nullable=False)
    industry = Column(String(100), nullable=True)
    status = Column(String(16), nullable=False, default="submitted")
    channel = Column(String(32), nullable=True)
    channel_user = Column(String(200), nullable=True, index=True)
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    updated_at = Column(DateTime(timezone=True), nullable=False, default=utcnow, onupdate=utcnow)


class Case(DeskColumns, Base):
    """维权诉求 / 工伤 / 法律援助 / 困难帮扶 / 医疗互助."""

    __tablename__ = "ub_cases"
    __table_args__ = (
        CheckConstraint(_in("type", CASE_TYPES), name="ck_ub_cases_type"),
        CheckConstraint(_in("priority", CASE_PRIORITIES), name="ck_ub_cases_priority"),
        CheckConstraint(_in("status", CASE_STATUSES), name="ck_ub_cases_status"),
    )

    id = Column(Integer, primary_key=True)
    number = Column(String(32), nullable=False, unique=True)
    type = Column(String(32), nullable=False, index=True)
    priority = Column(String(16), nullable=False, default="normal")
    status = Column(String(16), nullable=False, default="open")
    phone = Column(String(20), nullable=False, index=True)
    name = Column(String(64), nullable=True)
    summary = Column(Text, nullable=False, default="")
    details = Column(JSON, nullable=True)
    channel = Column(String(32), nullable=True)
    channel_user = Column(String(200), nullable=True, index=True)
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    updated_at = Column(DateTime(timezone=True), nullable=False, default=utcnow, onupdate=utcnow)


class Course(Base):
    """技能培训课程."""

    __tablename__ = "ub_courses"
    __table_args__ = (CheckConstraint("seats >= 0", name="ck_ub_courses_seats"),)

    id = Column(Integer, primary_key=True)
    title = Column(String(200), nullable=False)
    description = Column(Text, nullable=False, default="")
    starts_on = Column(Date, nullable=False)
    ends_on = Column(Date, nullable=True)
    location = Column(String(200), nullable=False, default="")
    seats = Column(Integer, nullable=False)

    enrollments = relationship("Enrollment", back_populates="course", lazy="raise")


class Enrollment(DeskColumns, Base):
    """培训报名; at most one per phone and course."""

    __tablename__ = "ub_enrollments"
    __table_args__ = (
        UniqueConstraint("course_id", "phone", name="uq_ub_enrollments_course_phone"),
        CheckConstraint(_in("status", ENROLLMENT_STATUSES), name="ck_ub_enrollments_status"),
    )

    id = Column(Integer, primary_key=True)
    course_id = Column(Integer, ForeignKey("ub_courses.id", ondelete="CASCADE"), nullable=False, index=True)
    number = Column(String(32), nullable=False, unique=True)
    name = Column(String(64), nullable=False)
    phone = Column(String(20), nullable=False)
    status = Column(String(16), nullable=False, default="enrolled")
    channel = Column(String(32), nullable=True)
    channel_user = Column(String(200), nullable=True)
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    updated_at = Column(DateTime(timezone=True), nullable=False, default=utcnow, onupdate=utcnow)

    course = relationship("Course", back_populates="enrollments", lazy="raise")


class UnionFoundingRequest(DeskColumns, Base):
    """建会申请."""

    __tablename__ = "ub_union_founding_requests"
    __table_args__ = (CheckConstraint(_in("status", FOUNDING_STATUSES), name="ck_ub_founding_status"),)

    id = Column(Integer, primary_key=True)
    number = Column(String(32), nullable=False, unique=True)
    company = Column(String(200), nullable=False)
    employees = Column(Integer, nullable=False)
    contact_name = Column(String(64), nullable=False)
    phone = Column(String(20), nullable=False, index=True)
    details = Column(JSON, nullable=True)
    status = Column(String(16), nullable=False, default="received")
    channel = Column(String(32), nullable=True)
    channel_user = Column(String(200), nullable=True, index=True)
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    updated_at = Column(DateTime(timezone=True), nullable=False, default=utcnow, onupdate=utcnow)


class Suggestion(DeskColumns, Base):
    """合理化建议."""

    __tablename__ = "ub_suggestions"
    __table_args__ = (CheckConstraint(_in("status", SUGGESTION_STATUSES), name="ck_ub_suggestions_status"),)

    id = Column(Integer, primary_key=True)
    number = Column(String(32), nullable=False, unique=True)
    text = Column(Text, nullable=False)
    name = Column(String(64), nullable=True)
    phone = Column(String(20), nullable=True, index=True)
    status = Column(String(16), nullable=False, default="received")
    channel = Column(String(32), nullable=True)
    channel_user = Column(String(200), nullable=True, index=True)
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    updated_at = Column(DateTime(timezone=True), nullable=False, default=utcnow, onupdate=utcnow)


class RecordEvent(Base):
    """One step in a record's history (any kind, by number); also the feed GET /v1/events that
    the gateway's worker reads to tell the worker. Ids increase in commit order (see
    backend.desk.add_event), so a reader that remembers the last id misses nothing."""

    __tablename__ = "ub_record_events"
    __table_args__ = (
        CheckConstraint(_in("kind", RECORD_KINDS), name="ck_ub_record_events_kind"),
        CheckConstraint(_in("action", EVENT_ACTIONS), name="ck_ub_record_events_action"),
    )

    id = Column(Integer, primary_key=True)
    number = Column(String(32), nullable=False, index=True)
    kind = Column(String(16), nullable=False)
    type = Column(String(32), nullable=True)
    action = Column(String(16), nullable=False)
    from_value = Column(String(64), nullable=True)  # a status, or an assignee
    to_value = Column(String(64), nullable=True)
    note = Column(Text, nullable=True)  # internal: officers only
    message = Column(Text, nullable=True)  # what the worker reads
    actor = Column(String(64), nullable=True)
    at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    channel = Column(String(32), nullable=True)
    channel_user = Column(String(200), nullable=True)


class Rating(Base):
    """The worker's rating of a finished record or a closed chat (issue 12 §4): 满意度 1-5, whether
    the problem was solved, a comment; each part may come on its own (one row per subject)."""

    __tablename__ = "ub_ratings"
    __table_args__ = (
        UniqueConstraint("subject", "ref", name="uq_ub_ratings_subject_ref"),
        CheckConstraint(_in("subject", RATING_SUBJECTS), name="ck_ub_ratings_subject"),
        CheckConstraint("score IS NULL OR (score >= 1 AND score <= 5)", name="ck_ub_ratings_score"),
    )

    id = Column(Integer, primary_key=True)
    subject = Column(String(16), nullable=False)
    ref = Column(String(64), nullable=False)  # the record's number, or "handoff:<id>"
    kind = Column(String(16), nullable=True)  # the record's kind (None for a chat)
    type = Column(String(32), nullable=True)
    team = Column(String(32), nullable=True)
    officer = Column(String(64), nullable=True)
    score = Column(Integer, nullable=True)
    resolved = Column(Boolean, nullable=True)
    comment = Column(Text, nullable=True)
    review_number = Column(String(32), nullable=True)  # the review task a low rating opened
    channel = Column(String(32), nullable=True)
    channel_user = Column(String(200), nullable=True)
    # Where the rated thing was worked: a record's organisation, a chat's queue (CSAT per organisation).
    org = Column(String(32), nullable=True, index=True)
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow, index=True)
    updated_at = Column(DateTime(timezone=True), nullable=False, default=utcnow, onupdate=utcnow)


class ReviewTask(DeskColumns, Base):
    """回访: a rating of 1-2 or 没解决 opens one for the team, worked on the desk like any record."""

    __tablename__ = "ub_review_tasks"
    __table_args__ = (CheckConstraint(_in("status", REVIEW_STATUSES), name="ck_ub_review_tasks_status"),)

    id = Column(Integer, primary_key=True)
    number = Column(String(32), nullable=False, unique=True)
    subject = Column(String(16), nullable=False)
    ref = Column(String(64), nullable=False)
    officer = Column(String(64), nullable=True)  # who handled what was rated
    score = Column(Integer, nullable=True)
    resolved = Column(Boolean, nullable=True)
    comment = Column(Text, nullable=True)
    status = Column(String(16), nullable=False, default="pending")
    channel = Column(String(32), nullable=True)
    channel_user = Column(String(200), nullable=True)
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    updated_at = Column(DateTime(timezone=True), nullable=False, default=utcnow, onupdate=utcnow)


class Organisation(Base):
    """One union of the tree: the city federation, a district's, a street's (乡镇/街道/园区), an
    industry or regional federation (联合会), a grassroots union (基层工会) and the employers it covers."""

    __tablename__ = "ub_orgs"
    __table_args__ = (CheckConstraint(_in("level", ORG_LEVELS), name="ck_ub_orgs_level"),)

    id = Column(Integer, primary_key=True)
    code = Column(String(32), nullable=False, unique=True)
    name = Column(String(200), nullable=False)
    level = Column(String(16), nullable=False)
    parent_code = Column(String(32), nullable=True, index=True)
    district = Column(String(64), nullable=True)
    industries = Column(JSON, nullable=False, default=list)
    employers = Column(JSON, nullable=False, default=list)
    demo = Column(Boolean, nullable=False, default=False)  # shipped demo data (make run), not a real union
    updated_at = Column(DateTime(timezone=True), nullable=False, default=utcnow, onupdate=utcnow)


class Alert(Base):
    """An early warning (风险预警): several wage or injury reports against one employer within the
    window, one report with many workers, or a group-incident message; one per cluster, for the
    employer's organisation (and so its parent), updated as reports join, closed with a note."""

    __tablename__ = "ub_alerts"
    __table_args__ = (
        CheckConstraint(_in("kind", ALERT_KINDS), name="ck_ub_alerts_kind"),
        CheckConstraint(_in("status", ALERT_STATUSES), name="ck_ub_alerts_status"),
    )

    id = Column(Integer, primary_key=True)
    kind = Column(String(16), nullable=False)
    employer = Column(String(200), nullable=True)
    employer_key = Column(String(200), nullable=True, index=True)
    org = Column(String(32), nullable=True, index=True)
    parent_org = Column(String(32), nullable=True)
    count = Column(Integer, nullable=False, default=1)
    workers = Column(Integer, nullable=True)
    numbers = Column(JSON, nullable=False, default=list)
    detail = Column(Text, nullable=True)
    status = Column(String(8), nullable=False, default="open")
    opened_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    updated_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    closed_at = Column(DateTime(timezone=True), nullable=True)
    announced_at = Column(DateTime(timezone=True), nullable=True)  # counted by the worker's job, once
    closed_by = Column(String(64), nullable=True)
    close_note = Column(Text, nullable=True)
