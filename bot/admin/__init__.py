"""Staff area: FAQ pages under /admin, the staff JSON API under /api/admin (DESIGN.md), the
unanswered-questions page and the statistics dashboard. One blueprint, "admin"."""
from flask import Blueprint

bp = Blueprint("admin", __name__)

from bot.admin import api, pages  # noqa: E402,F401  (routes register themselves on bp)
