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
    # "heads": several areas add their own revisions; each branch is applied.
    command.upgrade(alembic_config(database_url), "heads")
