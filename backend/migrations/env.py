"""Alembic environment of the reference back end: its own history and its own version table
(alembic_version_backend), so it may share a database server, or a database, with the gateway."""
from __future__ import annotations

import sys
from pathlib import Path

from alembic import context

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import backend.models  # noqa: E402
from backend.migrate import VERSION_TABLE  # noqa: E402
from config.migrate import run_env  # noqa: E402
from config.settings import Settings  # noqa: E402

run_env(context, backend.models.Base.metadata, Settings.from_env().backend_database_url, version_table=VERSION_TABLE)
