"""The case desk: on every record an assignee, its team, a due time, first-action, resolved and
overdue-flag times, updated_at; statuses for founding requests and suggestions and the wider
status sets of the desk's workflow; the history table ub_record_events (also the event feed).
Existing records get their due time computed from config/desk.yml.

Revision ID: backend_0002_desk
Revises: backend_0001
Create Date: 2026-12-02
"""
from datetime import datetime

import sqlalchemy as sa
from alembic import op

revision = "backend_0002_desk"
down_revision = "backend_0001"
branch_labels = None
depends_on = None

RECORD_TABLES = {  # table: kind
    "ub_membership_applications": "membership", "ub_cases": "case", "ub_enrollments": "enrollment",
    "ub_union_founding_requests": "founding", "ub_suggestions": "suggestion",
}
# table: (constraint, old statuses, new statuses)
STATUS_CHECKS = {
    "ub_membership_applications": ("ck_ub_membership_status", ("submitted", "approved", "rejected"),
                                   ("submitted", "reviewing", "approved", "rejected")),
    "ub_cases": ("ck_ub_cases_status", ("open", "in_progress", "closed"),
                 ("open", "in_progress", "resolved", "referred", "closed")),
    "ub_enrollments": ("ck_ub_enrollments_status", ("enrolled", "waitlisted"),
                       ("enrolled", "waitlisted", "attended", "cancelled")),
    "ub_union_founding_requests": ("ck_ub_founding_status", None, ("received", "guiding", "founded", "closed")),
    "ub_suggestions": ("ck_ub_suggestions_status", None, ("received", "answered")),
}
FINAL = ("approved", "rejected", "resolved", "referred", "closed", "attended", "cancelled", "founded", "answered")


def _in(values) -> str:
    return "status IN (" + ", ".join(f"'{v}'" for v in values) + ")"


def upgrade() -> None:
    for table in RECORD_TABLES:
        name, old, new = STATUS_CHECKS[table]
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("assignee", sa.String(64), nullable=True))
            batch.add_column(sa.Column("team", sa.String(32), nullable=True))
            batch.add_column(sa.Column("due_at", sa.DateTime(timezone=True), nullable=True))
            batch.add_column(sa.Column("first_action_at", sa.DateTime(timezone=True), nullable=True))
            batch.add_column(sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True))
            batch.add_column(sa.Column("overdue_flagged_at", sa.DateTime(timezone=True), nullable=True))
            if table != "ub_membership_applications":
                batch.add_column(sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True))
            if old is None:
                batch.add_column(sa.Column("status", sa.String(16), nullable=False, server_default="received"))
            else:
                batch.drop_constraint(name, type_="check")
            batch.create_check_constraint(name, _in(new))
            batch.create_index(f"ix_{table}_assignee", ["assignee"])
            batch.create_index(f"ix_{table}_due_at", ["due_at"])
        op.execute(f"UPDATE {table} SET updated_at = created_at WHERE updated_at IS NULL")
        with op.batch_alter_table(table) as batch:
            batch.alter_column("updated_at", existing_type=sa.DateTime(timezone=True), nullable=False)
    _backfill()

    op.create_table(
        "ub_record_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(32), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("type", sa.String(32), nullable=True),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("from_value", sa.String(64), nullable=True),
        sa.Column("to_value", sa.String(64), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("message", sa.Text(), nullable=True),
        sa.Column("actor", sa.String(64), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("channel", sa.String(32), nullable=True),
        sa.Column("channel_user", sa.String(200), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_ub_record_events"),
        sa.CheckConstraint("kind IN ('membership', 'case', 'enrollment', 'founding', 'suggestion')",
                           name="ck_ub_record_events_kind"),
        sa.CheckConstraint("action IN ('created', 'status', 'message', 'assign', 'note')",
                           name="ck_ub_record_events_action"),
    )
    op.create_index("ix_ub_record_events_number", "ub_record_events", ["number"])


def _backfill() -> None:
    """Due times and teams of the records filed before the desk, from today's configuration."""
    from unionkit.timelimits import TimeLimits

    limits = TimeLimits.load()
    conn = op.get_bind()
    for table, kind in RECORD_TABLES.items():
        columns = "id, created_at, status" + (", type, priority" if kind == "case" else "")
        for row in conn.execute(sa.text(f"SELECT {columns} FROM {table}")).mappings().all():
            created = row["created_at"]
            if isinstance(created, str):  # SQLite hands back text through a plain SELECT
                created = datetime.fromisoformat(created)
            type_, priority = row.get("type"), row.get("priority")
            update = sa.text(f"UPDATE {table} SET due_at = :due, team = :team WHERE id = :id").bindparams(
                sa.bindparam("due", type_=sa.DateTime(timezone=True)))
            conn.execute(update, {
                "due": limits.due_at(kind, created, type_, priority), "team": limits.team(kind, type_),
                "id": row["id"]})


def downgrade() -> None:
    op.drop_index("ix_ub_record_events_number", table_name="ub_record_events")
    op.drop_table("ub_record_events")
    for table in RECORD_TABLES:
        name, old, new = STATUS_CHECKS[table]
        if old is not None:
            # Statuses the old schema did not know fall back to its nearest one.
            fallback = {"ub_membership_applications": ("reviewing", "submitted"),
                        "ub_cases": ("resolved', 'referred", "closed"),
                        "ub_enrollments": ("attended', 'cancelled", "enrolled")}[table]
            op.execute(f"UPDATE {table} SET status = '{fallback[1]}' WHERE status IN ('{fallback[0]}')")
        with op.batch_alter_table(table) as batch:
            batch.drop_index(f"ix_{table}_due_at")
            batch.drop_index(f"ix_{table}_assignee")
            batch.drop_constraint(name, type_="check")
            if old is None:
                batch.drop_column("status")
            else:
                batch.create_check_constraint(name, _in(old))
            for column in ("overdue_flagged_at", "resolved_at", "first_action_at", "due_at", "team", "assignee"):
                batch.drop_column(column)
            if table != "ub_membership_applications":
                batch.drop_column("updated_at")
