"""Keeps ID numbers and phone numbers out of the logs (DESIGN: masked in logs).

Installed on the root handlers and on gunicorn's access and error loggers, so a request line
like `GET /union-api/v1/membership-applications?id_number=...` is written masked too; and in the
Rasa server (rasa_components/tracker_store.py installs it) and the action server (actions/startup.py),
on Sanic's loggers as well. The rule is unionkit.pii.mask_text: every form the bot reads a number in.
"""
from __future__ import annotations

import logging

from unionkit.pii import mask_text


class MaskPiiFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a broken format string is not ours to fix here
            return True
        masked = mask_text(message)
        if masked != message:
            record.msg, record.args = masked, None
        return True


def install() -> None:
    pii_filter = MaskPiiFilter()
    for name in ("", "gunicorn.access", "gunicorn.error", "werkzeug", "sanic.root", "sanic.error", "sanic.access",
                 "rasa", "rasa_sdk"):
        logger = logging.getLogger(name)
        if not any(isinstance(f, MaskPiiFilter) for f in logger.filters):
            logger.addFilter(pii_filter)
        for handler in logger.handlers:
            if not any(isinstance(f, MaskPiiFilter) for f in handler.filters):
                handler.addFilter(pii_filter)
