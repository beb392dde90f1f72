"""Brings the back end's database (BACKEND_DATABASE_URL) to the newest schema: its own alembic
history under backend/migrations.  `python -m backend.migrate` does it from the shell."""
from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

VERSION_TABLE = "alembic_version_backend"
MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def alembic_config(database_url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return cfg


def upgrade(database_url: str) -> None:
    command.upgrade(alembic_config(database_url), "head")


if __name__ == "__main__":
    from config.settings import Settings

    upgrade(Settings.from_env().backend_database_url)
