"""The organisation tree (ub_orgs), the organisation each record is worked by (org, district,
routed_by, escalated_at on every record table), the early warnings (ub_alerts), and the history
actions route and escalate.

Revision ID: backend_0004_orgs
Revises: backend_0003_ratings
Create Date: 2026-12-02
"""
import sqlalchemy as sa
from alembic import op

revision = "backend_0004_orgs"
down_revision = "backend_0003_ratings"
branch_labels = None
depends_on = None

RECORD_TABLES = ("ub_membership_applications", "ub_cases", "ub_enrollments", "ub_union_founding_requests",
                 "ub_suggestions", "ub_review_tasks")
OLD_ACTIONS = ("created", "status", "message", "assign", "note")
NEW_ACTIONS = OLD_ACTIONS + ("route", "escalate")


def _in(column, values) -> str:
    return f"{column} IN (" + ", ".join(f"'{v}'" for v in values) + ")"


def upgrade() -> None:
    op.create_table(
        "ub_orgs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(32), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("level", sa.String(16), nullable=False),
        sa.Column("parent_code", sa.String(32), nullable=True),
        sa.Column("district", sa.String(64), nullable=True),
        sa.Column("industries", sa.JSON(), nullable=False),
        sa.Column("employers", sa.JSON(), nullable=False),
        sa.Column("demo", sa.Boolean(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_ub_orgs"),
        sa.UniqueConstraint("code", name="uq_ub_orgs_code"),
        sa.CheckConstraint(_in("level", ("city", "district", "street", "federation", "grassroots")),
                           name="ck_ub_orgs_level"),
    )
    op.create_index("ix_ub_orgs_parent_code", "ub_orgs", ["parent_code"])
    op.create_table(
        "ub_alerts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("employer", sa.String(200), nullable=True),
        sa.Column("employer_key", sa.String(200), nullable=True),
        sa.Column("org", sa.String(32), nullable=True),
        sa.Column("parent_org", sa.String(32), nullable=True),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("workers", sa.Integer(), nullable=True),
        sa.Column("numbers", sa.JSON(), nullable=False),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.Column("status", sa.String(8), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("announced_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_by", sa.String(64), nullable=True),
        sa.Column("close_note", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_ub_alerts"),
        sa.CheckConstraint(_in("kind", ("cluster", "large_group", "group_incident")), name="ck_ub_alerts_kind"),
        sa.CheckConstraint(_in("status", ("open", "closed")), name="ck_ub_alerts_status"),
    )
    op.create_index("ix_ub_alerts_employer_key", "ub_alerts", ["employer_key"])
    op.create_index("ix_ub_alerts_org", "ub_alerts", ["org"])
    for table in RECORD_TABLES:
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("org", sa.String(32), nullable=True))
            batch.add_column(sa.Column("district", sa.String(64), nullable=True))
            batch.add_column(sa.Column("routed_by", sa.String(16), nullable=True))
            batch.add_column(sa.Column("escalated_at", sa.DateTime(timezone=True), nullable=True))
            batch.create_index(f"ix_{table}_org", ["org"])
    with op.batch_alter_table("ub_record_events") as batch:
        batch.drop_constraint("ck_ub_record_events_action", type_="check")
        batch.create_check_constraint("ck_ub_record_events_action", _in("action", NEW_ACTIONS))


def downgrade() -> None:
    op.execute("DELETE FROM ub_record_events WHERE action IN ('route', 'escalate')")
    with op.batch_alter_table("ub_record_events") as batch:
        batch.drop_constraint("ck_ub_record_events_action", type_="check")
        batch.create_check_constraint("ck_ub_record_events_action", _in("action", OLD_ACTIONS))
    for table in RECORD_TABLES:
        with op.batch_alter_table(table) as batch:
            batch.drop_index(f"ix_{table}_org")
            for column in ("escalated_at", "routed_by", "district", "org"):
                batch.drop_column(column)
    op.drop_index("ix_ub_alerts_org", table_name="ub_alerts")
    op.drop_index("ix_ub_alerts_employer_key", table_name="ub_alerts")
    op.drop_table("ub_alerts")
    op.drop_index("ix_ub_orgs_parent_code", table_name="ub_orgs")
    op.drop_table("ub_orgs")
