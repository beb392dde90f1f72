"""The hand-written migration and backend.models describe the same tables (both databases)."""
from __future__ import annotations

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

import backend.models
from config.database import make_engine
from backend.migrate import alembic_config, upgrade

TABLES = {"ub_membership_applications", "ub_cases", "ub_courses", "ub_enrollments",
          "ub_union_founding_requests", "ub_suggestions", "ub_record_events", "ub_ratings", "ub_review_tasks",
          "ub_orgs", "ub_alerts"}


def _ours(diff) -> bool:
    """Keep differences that concern the back end's tables."""
    item = diff[0] if isinstance(diff, list) else diff
    for part in item[1:]:
        table = getattr(part, "table", None)
        name = getattr(table, "name", None) or (part if isinstance(part, str) else None)
        if name in TABLES or getattr(part, "name", None) in TABLES:
            return True
    return False


def test_models_match_the_migration(migrated):
    database_url = migrated
    engine = make_engine(database_url)
    try:
        with engine.connect() as conn:
            assert TABLES <= set(inspect(conn).get_table_names())
            ctx = MigrationContext.configure(conn, opts={"compare_type": True})
            diffs = [d for d in compare_metadata(ctx, backend.models.Base.metadata) if _ours(d)]
        assert diffs == []
    finally:
        engine.dispose()


def test_downgrade_and_upgrade_again(migrated):
    database_url = migrated
    command.downgrade(alembic_config(database_url), "base")
    engine = make_engine(database_url)
    try:
        with engine.connect() as conn:
            assert not TABLES & set(inspect(conn).get_table_names())
        upgrade(database_url)
        with engine.connect() as conn:
            assert TABLES <= set(inspect(conn).get_table_names())
    finally:
        engine.dispose()


def test_a_gateway_database_from_before_the_split_still_upgrades(sqlite_url):
    """Before the back end had its own history its revision sat in the gateway's version table."""
    from sqlalchemy import text

    from config.migrate import upgrade as upgrade_gateway

    upgrade_gateway(sqlite_url)
    engine = make_engine(sqlite_url)
    try:
        with engine.begin() as conn:
            conn.execute(text("INSERT INTO alembic_version (version_num) VALUES ('backend_0001')"))
        upgrade_gateway(sqlite_url)
        with engine.connect() as conn:
            versions = {v for (v,) in conn.execute(text("SELECT version_num FROM alembic_version"))}
        assert "backend_0001" not in versions and versions
    finally:
        engine.dispose()
