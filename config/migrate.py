"""Bring a database up to the newest schema with alembic (used by `make run`, the CLI and tests)."""
from __future__ import annotations

from alembic import command
from alembic.config import Config

from config.settings import PROJECT_ROOT


def alembic_config(database_url: str) -> Config:
    cfg = Config(str(PROJECT_ROOT / "alembic.ini"))
    cfg.set_main_option("script_location", str(PROJECT_ROOT / "migrations"))
    cfg.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return cfg


def upgrade(database_url: str) -> None:
    """The gateway's tables. "heads": several areas add their own revisions; each branch is applied."""
    _forget_backend_revision(database_url)
    command.upgrade(alembic_config(database_url), "heads")


def _forget_backend_revision(database_url: str) -> None:
    # Databases made before the back end had its own history (backend/migrations) still name its
    # revision in the gateway's version table, which alembic would refuse as unknown.
    from sqlalchemy import inspect, text

    from config.database import make_engine

    engine = make_engine(database_url)
    try:
        with engine.begin() as conn:
            if "alembic_version" in inspect(conn).get_table_names():
                conn.execute(text("DELETE FROM alembic_version WHERE version_num = 'backend_0001'"))
    finally:
        engine.dispose()
