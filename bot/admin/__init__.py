"""Staff area: FAQ pages under /admin, the staff JSON API under /api/admin (DESIGN.md), the
unanswered-questions page, the statistics dashboard and the submissions the back end refused. One blueprint, "admin"."""
from flask import Blueprint

bp = Blueprint("admin", __name__)

from bot.admin import api, outbox, pages  # noqa: E402,F401  (routes register themselves on bp)
