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


def run_env(context, target_metadata, default_url: str, **options) -> None:
    """The body of an alembic env.py (the gateway's migrations/ and the back end's own): offline
    or online, SQLite in batch mode. `options` go to context.configure (e.g. version_table)."""
    from config.database import make_engine

    url = context.config.get_main_option("sqlalchemy.url") or default_url
    if context.is_offline_mode():
        context.configure(url=url, target_metadata=target_metadata, literal_binds=True, **options)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            context.configure(connection=connection, target_metadata=target_metadata,
                              render_as_batch=connection.dialect.name == "sqlite", **options)
            with context.begin_transaction():
                context.run_migrations()
    finally:
        engine.dispose()
