"""Early warnings (风险预警, config/orgs.yml): clusters of wage-arrears or injury reports against one
employer, one report with many workers, a group-incident message. One alert per cluster: a report
that names the employer of an open alert joins it (count, workers, numbers); the alert belongs to
the employer's organisation, which its parent's subtree contains, so both see it."""
from __future__ import annotations

from datetime import timedelta
from functools import lru_cache
from typing import Optional

import yaml
from sqlalchemy import select, text

from backend import orgs, routing
from backend.db import db
from backend.models import Alert, Case, utcnow
from backend.records import aware, ts
from config.settings import PROJECT_ROOT
from unionkit import employers

_ALERT_LOCK_KEY = 1_220_513
ORGS_FILE = PROJECT_ROOT / "config" / "orgs.yml"


@lru_cache(maxsize=1)
def rules() -> dict:
    data = yaml.safe_load(ORGS_FILE.read_text(encoding="utf-8")) or {}
    ew = data.get("early_warning") or {}
    return {"window_days": int(ew.get("window_days", 14)), "min_reports": int(ew.get("min_reports", 3)),
            "large_group_workers": int(ew.get("large_group_workers", 10)),
            "case_types": tuple(ew.get("case_types") or ("wage_arrears", "work_injury"))}


def as_json(a: Alert) -> dict:
    return {"id": a.id, "kind": a.kind, "employer": a.employer, "org": a.org, "parent_org": a.parent_org,
            "count": a.count, "workers": a.workers, "numbers": list(a.numbers or []), "detail": a.detail,
            "opened_at": ts(a.opened_at), "updated_at": ts(a.updated_at), "status": a.status,
            "closed_at": ts(a.closed_at), "closed_by": a.closed_by, "close_note": a.close_note}


def _lock() -> None:
    session = db()
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _ALERT_LOCK_KEY})


def _workers(case: Case) -> Optional[int]:
    value = (case.details or {}).get("workers") if isinstance(case.details, dict) else None
    try:
        return int(value) if value is not None else None
    except (TypeError, ValueError):
        return None


def _employer(case: Case) -> Optional[str]:
    value = (case.details or {}).get("employer") if isinstance(case.details, dict) else None
    return str(value).strip() if value else None


def _org_of(tree: orgs.Tree, case: Case) -> tuple[Optional[str], Optional[str]]:
    parent = tree.parent(case.org)
    return case.org, parent.code if parent else None


def on_case_filed(case: Case) -> Optional[Alert]:
    """After a case is committed: join or raise the alert it belongs to. Returns it, if any."""
    r = rules()
    if case.type not in r["case_types"]:
        return None
    employer, workers = _employer(case), _workers(case)
    key = employers.key(employer)
    large = workers is not None and workers >= r["large_group_workers"]
    if not key and not large:
        return None
    session = db()
    _lock()
    now = utcnow()
    since = now - timedelta(days=r["window_days"])
    if key:
        open_alerts = session.execute(select(Alert).where(
            Alert.status == "open", Alert.kind.in_(("cluster", "large_group")), Alert.employer_key.isnot(None),
            Alert.updated_at >= since)).scalars().all()
        alert = next((a for a in open_alerts if employers.score(a.employer_key, key) >= employers.THRESHOLD), None)
        if alert is not None:
            if case.number not in (alert.numbers or []):
                alert.numbers = list(alert.numbers or []) + [case.number]
                alert.count = len(alert.numbers)
                alert.workers = (alert.workers or 0) + (workers or 1)
                alert.updated_at = now
                if alert.count >= r["min_reports"]:
                    alert.kind = "cluster"
            session.commit()
            return alert
        recent = session.execute(select(Case).where(Case.type.in_(r["case_types"]), Case.created_at >= since)
                                 .order_by(Case.id)).scalars().all()
        same = [c for c in recent if employers.same_employer(_employer(c), employer)]
        if case.number not in {c.number for c in same}:
            same.append(case)
    else:
        same = [case]
    if len(same) < r["min_reports"] and not large:
        session.rollback()
        return None
    tree = orgs.load()
    org, parent = _org_of(tree, case)
    alert = Alert(kind="cluster" if len(same) >= r["min_reports"] else "large_group", employer=employer,
                  employer_key=key or None, org=org, parent_org=parent, count=len(same),
                  workers=sum((_workers(c) or 1) for c in same), numbers=[c.number for c in same],
                  status="open", opened_at=now, updated_at=now)
    session.add(alert)
    session.commit()
    return alert


def group_incident(values) -> Alert:
    """A group-incident message the safety screen saw: one alert per conversation (or employer)
    while it is open."""
    session = db()
    _lock()
    now = utcnow()
    key = employers.key(values.employer) or (f"conv:{values.conversation_id}" if values.conversation_id else None)
    if key:
        existing = session.execute(select(Alert).where(Alert.status == "open", Alert.kind == "group_incident",
                                                       Alert.employer_key == key)).scalars().first()
        if existing is not None:
            existing.count += 1
            existing.updated_at = now
            existing.detail = (values.detail or existing.detail or "")[:2000]
            session.commit()
            return existing
    tree = orgs.load()
    found = routing.route(tree, employer=values.employer, district=values.district, words=[values.detail])
    parent = tree.parent(found.org)
    alert = Alert(kind="group_incident", employer=values.employer, employer_key=key, org=found.org,
                  parent_org=parent.code if parent else None, count=1, workers=None, numbers=[],
                  detail=(values.detail or "")[:2000], status="open", opened_at=now, updated_at=now)
    session.add(alert)
    session.commit()
    return alert


def visible(alert: Alert, under: Optional[set[str]], root: Optional[str]) -> bool:
    if under is None:
        return True
    return (alert.org or root) in under


def opened_since(alert: Alert) -> float:
    return (utcnow() - aware(alert.opened_at)).total_seconds()
