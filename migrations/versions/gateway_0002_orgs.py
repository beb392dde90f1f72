"""Accounts belong to an organisation of the tree (users.org); the role leader.

Revision ID: gateway_0002_orgs
Revises: gateway_0001
Create Date: 2026-12-02
"""
from alembic import op
import sqlalchemy as sa

revision = "gateway_0002_orgs"
down_revision = "gateway_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("org", sa.String(32), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.drop_column("org")
