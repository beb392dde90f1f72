"""Notices to workers: one delivery row per notice (sent once; WeChat's template report).

Revision ID: notices_0001
Revises:
Create Date: 2026-12-02
"""
from alembic import op
import sqlalchemy as sa

revision = "notices_0001"
down_revision = None
branch_labels = ("notices",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "notice_deliveries",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("notice_id", sa.String(80), nullable=False, unique=True),
        sa.Column("conversation_id", sa.String(160), nullable=False),
        sa.Column("number", sa.String(40), nullable=True),
        sa.Column("via", sa.String(16), nullable=False),
        sa.Column("wechat_msgid", sa.String(40), nullable=True),
        sa.Column("report", sa.String(60), nullable=True),
        sa.Column("reported_at", sa.DateTime, nullable=True),
        sa.Column("created_at", sa.DateTime, nullable=False),
    )
    op.create_index("ix_notice_deliveries_wechat_msgid", "notice_deliveries", ["wechat_msgid"])


def downgrade() -> None:
    op.drop_index("ix_notice_deliveries_wechat_msgid", table_name="notice_deliveries")
    op.drop_table("notice_deliveries")
