"""A handoff waits in the queue of an organisation (handoffs.org).

Revision ID: handoff_0002_org
Revises: handoff_0001
Create Date: 2026-12-02
"""
from alembic import op
import sqlalchemy as sa

revision = "handoff_0002_org"
down_revision = "handoff_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("handoffs") as batch:
        batch.add_column(sa.Column("org", sa.String(32), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("handoffs") as batch:
        batch.drop_column("org")
