"""Alembic environment of the gateway's tables (accounts, transcripts, FAQ, handoffs); the reference
back end has its own (backend/migrations)."""
from __future__ import annotations

import sys
from pathlib import Path

from alembic import context

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from config.database import make_engine  # noqa: E402
from config.settings import Settings  # noqa: E402

import bot.models  # noqa: E402,F401  (registers the gateway tables)
import bot.faq.models  # noqa: E402,F401  (FAQ tables, on the gateway's Base)
import bot.handoff.models  # noqa: E402,F401  (handoff tables, on the gateway's Base)

config = context.config
target_metadata = bot.models.Base.metadata


def _url() -> str:
    return config.get_main_option("sqlalchemy.url") or Settings.from_env().database_url


def run_migrations_offline() -> None:
    context.configure(url=_url(), target_metadata=target_metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    engine = make_engine(_url())
    with engine.connect() as connection:
        context.configure(connection=connection, target_metadata=target_metadata,
                          render_as_batch=connection.dialect.name == "sqlite")
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
