"""The leaders' view (issue 13 §4), from the records: requests by kind and type × district ×
industry × month; filed, open (backlog), on-time rate per organisation of the subtree; the top
employers by number of rights cases (wage arrears, work injury, legal aid); CSAT per organisation
(the ratings given in the range, backend/ratings.py). The gateway adds what it keeps itself (handoffs
per organisation)."""
from __future__ import annotations

from collections import Counter, defaultdict
from datetime import datetime, timedelta, timezone
from typing import Optional

from sqlalchemy import select

from backend import orgs, routing, workflow
from backend.db import db
from backend.models import utcnow
from backend.ratings import csat_per_org
from backend.records import KINDS, aware, time_limits
from backend.schemas import Invalid
from unionkit import employers

RIGHTS_CASES = ("wage_arrears", "work_injury", "legal_aid")
TOP_EMPLOYERS = 10
OTHER = "其他"
UNKNOWN_DISTRICT = "未知"


def _when(name: str, raw: Optional[str], default: datetime) -> datetime:
    if not raw:
        return default
    try:
        value = datetime.fromisoformat(raw)
    except ValueError:
        raise Invalid({name: f"{name} 应为 ISO 8601 日期，如 2026-12-01"}) from None
    return aware(value) if value.tzinfo else value.replace(tzinfo=time_limits().calendar.tz)


def _industry(kind: str, record) -> str:
    facts = routing.facts(kind, record)
    return facts["industry"] or routing.new_form(facts["employer"], *facts["words"]) or OTHER


def collect(tree: orgs.Tree, under: Optional[set[str]], start_raw: Optional[str], end_raw: Optional[str],
            under_code: Optional[str]) -> dict:
    now = utcnow()
    start = _when("from", start_raw, datetime(1970, 1, 1, tzinfo=timezone.utc))
    end = _when("to", end_raw, now + timedelta(days=1))
    tz = time_limits().calendar.tz
    root = tree.root.code if tree.root else None
    cells: Counter = Counter()
    by_kind: Counter = Counter()
    by_district: Counter = Counter()
    by_industry: Counter = Counter()
    by_month: Counter = Counter()
    per_org: dict[str, dict] = defaultdict(lambda: {"filed": 0, "backlog": 0, "due": 0, "kept": 0, "overdue": 0})
    rights: dict[str, dict] = {}
    for name, kind in KINDS.items():
        model = kind.model
        rows = db().execute(select(model).where(model.created_at >= start, model.created_at < end)).scalars().all()
        for r in rows:
            org = r.org or root
            if under is not None and org not in under:
                continue
            type_ = kind.type_of(r) or name
            district = r.district or (tree.by_code[org].district if org in tree.by_code else None) or UNKNOWN_DISTRICT
            industry = _industry(name, r)
            month = aware(r.created_at).astimezone(tz).strftime("%Y-%m")
            cells[(name, type_, district, industry, month)] += 1
            by_kind[f"{name}:{type_}" if type_ != name else name] += 1
            by_district[district] += 1
            by_industry[industry] += 1
            by_month[month] += 1
            stats = per_org[org or "-"]
            stats["filed"] += 1
            final = workflow.is_final(name, r.status)
            if not final:
                stats["backlog"] += 1
            if r.due_at is not None:
                deadline = aware(r.due_at)
                if r.resolved_at is not None:
                    stats["due"] += 1
                    stats["kept"] += aware(r.resolved_at) <= deadline
                elif deadline < now:
                    stats["due"] += 1
                    stats["overdue"] += 1
            if name == "case" and r.type in RIGHTS_CASES:
                employer = (r.details or {}).get("employer") if isinstance(r.details, dict) else None
                if employer:
                    k = employers.key(employer)
                    entry = next((e for kk, e in rights.items() if employers.score(kk, k) >= employers.THRESHOLD),
                                 None)
                    if entry is None:
                        entry = rights[k] = {"employer": str(employer), "cases": 0, "workers": 0, "types": Counter()}
                    entry["cases"] += 1
                    entry["types"][r.type] += 1
                    workers = (r.details or {}).get("workers")
                    entry["workers"] += workers if isinstance(workers, int) else 1
    csat = csat_per_org(start, end, under, root)
    organisations = []
    for code in sorted(set(per_org) | set(csat)):
        s, org, rated = per_org[code], tree.by_code.get(code), csat.get(code, {})
        organisations.append({"org": code, "name": org.name if org else "（未分配）", "level": org.level if org else None,
                              "filed": s["filed"], "backlog": s["backlog"], "overdue": s["overdue"],
                              "on_time_rate": round(s["kept"] / s["due"], 4) if s["due"] else None,
                              "csat": rated.get("average"), "ratings": rated.get("count", 0)})
    top = sorted(rights.values(), key=lambda e: (-e["cases"], e["employer"]))[:TOP_EMPLOYERS]
    return {
        "org": under_code, "from": start.isoformat(), "to": end.isoformat(),
        "requests": [{"kind": k, "type": t, "district": d, "industry": i, "month": m, "count": n}
                     for (k, t, d, i, m), n in sorted(cells.items())],
        "by_kind": dict(by_kind.most_common()), "by_district": dict(by_district.most_common()),
        "by_industry": dict(by_industry.most_common()), "by_month": dict(sorted(by_month.items())),
        "organisations": organisations,
        "top_employers": [{"employer": e["employer"], "cases": e["cases"], "workers": e["workers"],
                           "types": dict(e["types"])} for e in top],
        "total": sum(by_kind.values()),
    }
