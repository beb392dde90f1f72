"""The officer console: pages under /console and the JSON API under /api/console (bot/console/views.py)."""
