"""FAQ tables (entries, versions, unanswered questions, look-ups) and the starting FAQ.

Revision ID: faq_0001
Revises:
Create Date: 2026-11-23
"""
import datetime as dt

import sqlalchemy as sa
from alembic import op

revision = "faq_0001"
down_revision = None
branch_labels = ("faq",)
depends_on = None


def upgrade() -> None:
    entries = op.create_table(
        "faq_entries",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("question", sa.String(200), nullable=False),
        sa.Column("variants", sa.JSON, nullable=False),
        sa.Column("answer", sa.Text, nullable=False),
        sa.Column("category", sa.String(40), nullable=False),
        sa.Column("enabled", sa.Boolean, nullable=False),
        sa.Column("updated_by", sa.String(80), nullable=False),
        sa.Column("updated_at", sa.DateTime, nullable=False),
    )
    versions = op.create_table(
        "faq_versions",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("entry_id", sa.Integer, nullable=False),
        sa.Column("number", sa.Integer, nullable=False),
        sa.Column("action", sa.String(20), nullable=False),
        sa.Column("snapshot", sa.JSON, nullable=False),
        sa.Column("changed_by", sa.String(80), nullable=False),
        sa.Column("changed_at", sa.DateTime, nullable=False),
    )
    op.create_index("ix_faq_versions_entry_id", "faq_versions", ["entry_id"])
    op.create_table(
        "faq_unanswered",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("ts", sa.DateTime, nullable=False),
        sa.Column("conversation_id", sa.String(160), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("source", sa.String(20), nullable=False),
        sa.Column("message_id", sa.Integer, nullable=True),
        sa.Column("resolved_entry_id", sa.Integer, nullable=True),
        sa.Column("resolved_at", sa.DateTime, nullable=True),
    )
    op.create_index("ix_faq_unanswered_open", "faq_unanswered", ["resolved_at", "ts"])
    op.create_table(
        "faq_lookups",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("ts", sa.DateTime, nullable=False),
        sa.Column("conversation_id", sa.String(160), nullable=False),
        sa.Column("outcome", sa.String(12), nullable=False),
        sa.Column("entry_id", sa.Integer, nullable=True),
        sa.Column("score", sa.Float, nullable=True),
    )
    op.create_index("ix_faq_lookups_ts", "faq_lookups", ["ts"])
    _seed(entries, versions)


def _seed(entries: sa.Table, versions: sa.Table) -> None:
    """The starting FAQ (bot/faq/seed_faq.yml), each entry with its first version."""
    from bot.faq.seed import seed_entries

    conn = op.get_bind()
    now = dt.datetime.utcnow()
    for row in seed_entries():
        result = conn.execute(entries.insert().values(updated_by="seed", updated_at=now, **row))
        conn.execute(versions.insert().values(entry_id=result.inserted_primary_key[0], number=1, action="seed",
                                              snapshot=row, changed_by="seed", changed_at=now))


def downgrade() -> None:
    op.drop_index("ix_faq_lookups_ts", table_name="faq_lookups")
    op.drop_table("faq_lookups")
    op.drop_index("ix_faq_unanswered_open", table_name="faq_unanswered")
    op.drop_table("faq_unanswered")
    op.drop_index("ix_faq_versions_entry_id", table_name="faq_versions")
    op.drop_table("faq_versions")
    op.drop_table("faq_entries")
