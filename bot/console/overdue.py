"""The worker process's overdue check for the case desk: asks the back end to flag the records past
their time limit (each one once: the back end's conditional UPDATE decides, so any number of
worker processes never flag or count a record twice), counts them in a metric, and logs them.
The console shows flagged records with a badge for their team (GET /api/console/records/badge)."""
from __future__ import annotations

import logging

from prometheus_client import Counter

from unionkit.backend_client import UnionBackend

log = logging.getLogger(__name__)

OVERDUE = Counter("desk_overdue_records_total", "Records that passed their time limit unfinished (flagged once)",
                  ["kind", "team"])


def flag_overdue(backend: UnionBackend) -> list[dict]:
    flagged = backend.post("/v1/records/flag-overdue")["items"]
    for item in flagged:
        OVERDUE.labels(item.get("kind") or "", item.get("team") or "").inc()
        log.info("record %s (%s, team %s) is overdue since %s", item.get("number"), item.get("kind"),
                 item.get("team"), item.get("due_at"))
    return flagged
