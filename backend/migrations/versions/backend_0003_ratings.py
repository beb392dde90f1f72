"""The worker's rating (issue 12 §4): ub_ratings (one row per rated record or chat) and the review
tasks a low rating opens (ub_review_tasks, a record kind of the desk: its history entries carry
kind 'review').

Revision ID: backend_0003_ratings
Revises: backend_0002_desk
Create Date: 2026-12-02
"""
import sqlalchemy as sa
from alembic import op

revision = "backend_0003_ratings"
down_revision = "backend_0002_desk"
branch_labels = None
depends_on = None

OLD_KINDS = "kind IN ('membership', 'case', 'enrollment', 'founding', 'suggestion')"
NEW_KINDS = "kind IN ('membership', 'case', 'enrollment', 'founding', 'suggestion', 'review')"


def upgrade() -> None:
    op.create_table(
        "ub_ratings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("subject", sa.String(16), nullable=False),
        sa.Column("ref", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(16), nullable=True),
        sa.Column("type", sa.String(32), nullable=True),
        sa.Column("team", sa.String(32), nullable=True),
        sa.Column("officer", sa.String(64), nullable=True),
        sa.Column("score", sa.Integer(), nullable=True),
        sa.Column("resolved", sa.Boolean(), nullable=True),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("review_number", sa.String(32), nullable=True),
        sa.Column("channel", sa.String(32), nullable=True),
        sa.Column("channel_user", sa.String(200), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_ub_ratings"),
        sa.UniqueConstraint("subject", "ref", name="uq_ub_ratings_subject_ref"),
        sa.CheckConstraint("subject IN ('record', 'chat')", name="ck_ub_ratings_subject"),
        sa.CheckConstraint("score IS NULL OR (score >= 1 AND score <= 5)", name="ck_ub_ratings_score"),
    )
    op.create_index("ix_ub_ratings_created_at", "ub_ratings", ["created_at"])
    op.create_table(
        "ub_review_tasks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(32), nullable=False),
        sa.Column("subject", sa.String(16), nullable=False),
        sa.Column("ref", sa.String(64), nullable=False),
        sa.Column("officer", sa.String(64), nullable=True),
        sa.Column("score", sa.Integer(), nullable=True),
        sa.Column("resolved", sa.Boolean(), nullable=True),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("channel", sa.String(32), nullable=True),
        sa.Column("channel_user", sa.String(200), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("assignee", sa.String(64), nullable=True),
        sa.Column("team", sa.String(32), nullable=True),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("first_action_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("overdue_flagged_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_ub_review_tasks"),
        sa.UniqueConstraint("number", name="uq_ub_review_tasks_number"),
        sa.CheckConstraint("status IN ('pending', 'reviewed')", name="ck_ub_review_tasks_status"),
    )
    op.create_index("ix_ub_review_tasks_assignee", "ub_review_tasks", ["assignee"])
    op.create_index("ix_ub_review_tasks_due_at", "ub_review_tasks", ["due_at"])
    with op.batch_alter_table("ub_record_events") as batch:
        batch.drop_constraint("ck_ub_record_events_kind", type_="check")
        batch.create_check_constraint("ck_ub_record_events_kind", NEW_KINDS)


def downgrade() -> None:
    op.execute("DELETE FROM ub_record_events WHERE kind = 'review'")
    with op.batch_alter_table("ub_record_events") as batch:
        batch.drop_constraint("ck_ub_record_events_kind", type_="check")
        batch.create_check_constraint("ck_ub_record_events_kind", OLD_KINDS)
    op.drop_index("ix_ub_review_tasks_due_at", table_name="ub_review_tasks")
    op.drop_index("ix_ub_review_tasks_assignee", table_name="ub_review_tasks")
    op.drop_table("ub_review_tasks")
    op.drop_index("ix_ub_ratings_created_at", table_name="ub_ratings")
    op.drop_table("ub_ratings")
