"""The organisation each rating belongs to (ub_ratings.org), for CSAT per organisation and the
statistics of an account's subtree; ratings of records already given take their record's.

Revision ID: backend_0005_rating_org
Revises: backend_0004_orgs
Create Date: 2026-12-03
"""
import sqlalchemy as sa
from alembic import op

revision = "backend_0005_rating_org"
down_revision = "backend_0004_orgs"
branch_labels = None
depends_on = None

RATED_TABLES = ("ub_membership_applications", "ub_cases", "ub_enrollments", "ub_union_founding_requests",
                "ub_suggestions")


def upgrade() -> None:
    with op.batch_alter_table("ub_ratings") as batch:
        batch.add_column(sa.Column("org", sa.String(32), nullable=True))
        batch.create_index("ix_ub_ratings_org", ["org"])
    for table in RATED_TABLES:
        op.execute(f"UPDATE ub_ratings SET org = (SELECT t.org FROM {table} t WHERE t.number = ub_ratings.ref) "
                   f"WHERE subject = 'record' AND org IS NULL "
                   f"AND EXISTS (SELECT 1 FROM {table} t WHERE t.number = ub_ratings.ref)")


def downgrade() -> None:
    with op.batch_alter_table("ub_ratings") as batch:
        batch.drop_index("ix_ub_ratings_org")
        batch.drop_column("org")
