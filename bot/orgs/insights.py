"""The leaders' figures: the back end's (GET /v1/insights: requests by kind and type × district ×
industry × month, per organisation filed, backlog, overdue, on-time rate, CSAT, top employers by
rights cases) plus what the gateway keeps itself (handoffs per organisation, so the handoff rate)."""
from __future__ import annotations

import datetime as dt
from collections import Counter

from sqlalchemy import func

from bot.handoff.models import Handoff
from bot.orgs.tree import tree
from config.database import Session
from unionkit import tabular
from unionkit.backend_client import UnionBackend

KIND_WORDS = {"membership": "入会", "case": "维权", "enrollment": "培训报名", "founding": "建会", "suggestion": "建议",
              "wage_arrears": "欠薪", "work_injury": "工伤", "legal_aid": "法律援助", "hardship_aid": "困难帮扶",
              "medical_mutual_aid": "医疗互助"}


def _handoffs(scope: set[str] | None, root: str | None, start: str | None, end: str | None) -> Counter:
    query = Session.query(Handoff.org, func.count()).group_by(Handoff.org)
    if start:
        query = query.filter(Handoff.created_at >= dt.datetime.fromisoformat(start).replace(tzinfo=None))
    if end:
        query = query.filter(Handoff.created_at < dt.datetime.fromisoformat(end).replace(tzinfo=None))
    counts: Counter = Counter()
    for org, n in query.all():
        org = org or root
        if scope is None or org in scope:
            counts[org or "-"] += n
    return counts


def collect(backend: UnionBackend, org: str | None, start: str | None, end: str | None) -> dict:
    figures = backend.get("/v1/insights", under=org, **{"from": start, "to": end})
    t = tree()
    scope = t.subtree(org) if org else None
    try:
        handoffs = _handoffs(scope, t.root, start, end)
    except ValueError:
        handoffs = Counter()
    rows = {o["org"]: o for o in figures["organisations"]}
    for code in handoffs:
        rows.setdefault(code, {"org": code, "name": t.name(code) or "（未分配）", "level": None, "filed": 0,
                               "backlog": 0, "overdue": 0, "on_time_rate": None, "csat": None,
                               "ratings": 0})
    for code, row in rows.items():
        row["handoffs"] = handoffs.get(code, 0)
        row["handoff_rate"] = round(row["handoffs"] / row["filed"], 4) if row["filed"] else None
    figures["organisations"] = sorted(rows.values(), key=lambda r: r["org"])
    figures["org_name"] = t.name(org) if org else t.name(t.root)
    figures["handoffs"] = sum(handoffs.values())
    figures["handoff_rate"] = round(figures["handoffs"] / figures["total"], 4) if figures["total"] else None
    return figures


def to_xlsx(figures: dict) -> bytes:
    """Every table of the page, one sheet each."""
    word = lambda k: KIND_WORDS.get(k, k)  # noqa: E731
    sheets = [
        ("诉求明细", ("类别", "类型", "区", "行业", "月份", "件数"),
         [(word(r["kind"]), word(r["type"]), r["district"], r["industry"], r["month"], r["count"])
          for r in figures["requests"]]),
        ("按类别", ("类别", "件数"), [(" · ".join(word(p) for p in k.split(":")), n) for k, n in figures["by_kind"].items()]),
        ("按区", ("区", "件数"), list(figures["by_district"].items())),
        ("按行业", ("行业", "件数"), list(figures["by_industry"].items())),
        ("按月", ("月份", "件数"), list(figures["by_month"].items())),
        ("各组织", ("编码", "名称", "受理", "未办结", "超时", "按时办结率", "转人工", "转人工率", "满意度", "评分数"),
         [(o["org"], o["name"], o["filed"], o["backlog"], o["overdue"], o["on_time_rate"], o["handoffs"],
           o["handoff_rate"], o.get("csat"), o.get("ratings", 0)) for o in figures["organisations"]]),
        ("维权案件最多的单位", ("单位", "案件数", "涉及人数"),
         [(e["employer"], e["cases"], e["workers"]) for e in figures["top_employers"]]),
    ]
    return tabular.to_xlsx(sheets)
