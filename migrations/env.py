"""Alembic environment of the gateway's tables (accounts, transcripts, FAQ, handoffs); the reference
back end has its own (backend/migrations)."""
from __future__ import annotations

import sys
from pathlib import Path

from alembic import context

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from config.migrate import run_env  # noqa: E402
from config.settings import Settings  # noqa: E402

import bot.models  # noqa: E402,F401  (registers the gateway tables)
import bot.faq.models  # noqa: E402,F401  (FAQ tables, on the gateway's Base)
import bot.handoff.models  # noqa: E402,F401  (handoff tables, on the gateway's Base)
import bot.notices.models  # noqa: E402,F401  (notice deliveries, on the gateway's Base)

run_env(context, bot.models.Base.metadata, Settings.from_env().database_url)
