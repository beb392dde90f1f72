"""Early warnings, gateway side: a group-incident message from the safety screen becomes an alert in
the back end (one per conversation while open), and the worker process counts each new alert once
in `early_warning_alerts_total` (POST /v1/alerts/announce: a conditional UPDATE, as the overdue flag)."""
from __future__ import annotations

import logging

from prometheus_client import Counter

from unionkit.backend_client import UnionBackend
from unionkit.pii import mask_text

log = logging.getLogger(__name__)

ALERTS = Counter("early_warning_alerts_total", "Early-warning alerts raised (each counted once)", ["kind", "org"])


class GroupIncidentWarning:
    def __init__(self, backend: UnionBackend):
        self.backend = backend

    def __call__(self, conversation_id: str, text: str) -> dict:
        return self.backend.post("/v1/alerts", {"kind": "group_incident", "detail": mask_text(text or "")[:2000],
                                                "conversation_id": conversation_id})


def announce_alerts(backend: UnionBackend) -> list[dict]:
    items = backend.post("/v1/alerts/announce")["items"]
    for item in items:
        ALERTS.labels(item.get("kind") or "", item.get("org") or "").inc()
        log.warning("early warning %s: %s against %s (%s reports, org %s)", item.get("id"), item.get("kind"),
                    item.get("employer") or "-", item.get("count"), item.get("org"))
    return items
