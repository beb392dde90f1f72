"""The tree, routing and early warnings on the back end (under /union-api, same key as the rest):

- GET  /v1/orgs                                   {"items": [{"code", "name", "level", "parent_code", "district",
                                                   "industries", "employers", "demo"}]}, the root first
- POST /v1/orgs/import?filename=&demo=1           the file as multipart `file` or the body: all rows or none
                                                   (400 {"error": "invalid_file", "problems": [{"row", "field", "code"}]})
- GET  /v1/orgs/export?format=csv|xlsx
- GET  /v1/orgs/route?employer=&industry=&district=&text=   what routing would decide (no record)
- POST /v1/records/<number>/route {"district"} | {"org"}, "actor"?    routed again / transferred (history: route)
- GET  /v1/alerts?under=&status=open|closed       early warnings, newest first
- POST /v1/alerts {"kind": "group_incident", "detail", "conversation_id"?, "district"?, "employer"?}
- POST /v1/alerts/<id>/close {"note", "actor"?}
- POST /v1/alerts/announce                        alerts not counted yet (the worker's metric), once each
- GET  /v1/insights?under=&from=&to=              the leaders' figures (backend/insights.py)
"""
from __future__ import annotations

from flask import Blueprint, Response, request
from sqlalchemy import select, update

from backend import alerts, insights, orgs, routing, schemas
from backend.db import db
from backend.http import body, error, install, json_response
from backend.models import Alert, utcnow
from backend.records import add_event, find, with_history
from unionkit.tabular import ImportRejected

bp = Blueprint("union_orgs", __name__)
install(bp)

IMPORT_MAX_BYTES = 4 * 1024 * 1024
EXPORT_TYPES = {"csv": "text/csv; charset=utf-8",
                "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


def under_arg(tree: orgs.Tree) -> set[str] | None:
    """?under=CODE: that organisation's subtree (None: everything). An unknown code sees nothing."""
    code = (request.args.get("under") or "").strip()
    if not code:
        return None
    return tree.subtree(code)


@bp.get("/v1/orgs")
def list_orgs():
    return json_response({"items": orgs.load().as_json()})


@bp.post("/v1/orgs/import")
def import_orgs():
    request.max_content_length = IMPORT_MAX_BYTES
    upload = request.files.get("file")
    filename, data = (upload.filename or "", upload.read()) if upload is not None else (
        request.args.get("filename", ""), request.get_data())
    if not data:
        return error(400, "invalid_file", problems=[{"row": 0, "field": "file", "code": "empty"}])
    try:
        result = orgs.import_file(filename, data, demo=request.args.get("demo") in ("1", "true"))
    except ImportRejected as exc:
        return error(400, "invalid_file", problems=[p.as_json() for p in exc.problems])
    return json_response(result)


@bp.get("/v1/orgs/export")
def export_orgs():
    kind = request.args.get("format", "csv")
    if kind not in EXPORT_TYPES:
        raise schemas.Invalid({"format": "format 可选：csv、xlsx"})
    return Response(orgs.export(kind), mimetype=EXPORT_TYPES[kind],
                    headers={"Content-Disposition": f"attachment; filename=orgs.{kind}"})


@bp.get("/v1/orgs/route")
def try_route():
    tree = orgs.load()
    a = request.args
    found = routing.route(tree, employer=a.get("employer"), industry=a.get("industry"),
                          district=a.get("district"), words=[a.get("text")])
    return json_response(found.as_json(tree))


@bp.post("/v1/records/<number>/route")
def route_record(number: str):
    values = schemas.parse(schemas.RouteIn, body())
    record = find(number)
    if record is None:
        return error(404, "not_found")
    tree = orgs.load()
    before = record.org
    if values.org:
        if values.org not in tree.by_code:
            raise schemas.Invalid({"org": "没有这个组织"})
        record.org, record.routed_by = values.org, "transfer"
    else:
        district = routing.normalize_district(tree, values.district)
        if district is None:
            raise schemas.Invalid({"district": "可选：" + "、".join(tree.districts())})
        record.district = district
        from backend.records import kind_of

        found = routing.route(tree, district=district, **routing.facts(kind_of(record).name, record))
        record.org, record.routed_by = found.org, found.rule
    record.updated_at = utcnow()
    add_event(record, "route", actor=values.actor, from_value=before, to_value=record.org)
    db().commit()
    return json_response(with_history(record))


# ============================================================================ alerts
@bp.get("/v1/alerts")
def list_alerts():
    tree = orgs.load()
    under = under_arg(tree)
    stmt = select(Alert).order_by(Alert.id.desc()).limit(500)
    status = request.args.get("status")
    if status:
        if status not in ("open", "closed"):
            raise schemas.Invalid({"status": "status 可选：open、closed"})
        stmt = stmt.where(Alert.status == status)
    root = tree.root.code if tree.root else None
    items = [alerts.as_json(a) for a in db().execute(stmt).scalars() if alerts.visible(a, under, root)]
    return json_response({"items": items})


@bp.post("/v1/alerts")
def raise_alert():
    values = schemas.parse(schemas.AlertIn, body())
    return json_response(alerts.as_json(alerts.group_incident(values)), 201)


@bp.get("/v1/alerts/<int:alert_id>")
def get_alert(alert_id: int):
    alert = db().get(Alert, alert_id)
    return error(404, "not_found") if alert is None else json_response(alerts.as_json(alert))


@bp.post("/v1/alerts/<int:alert_id>/close")
def close_alert(alert_id: int):
    values = schemas.parse(schemas.AlertCloseIn, body())
    alert = db().get(Alert, alert_id)
    if alert is None:
        return error(404, "not_found")
    if alert.status == "closed":
        return error(409, "closed", message="这条预警已经关闭")
    alert.status, alert.closed_at, alert.closed_by, alert.close_note = "closed", utcnow(), values.actor, values.note
    db().commit()
    return json_response(alerts.as_json(alert))


@bp.post("/v1/alerts/announce")
def announce_alerts():
    """Each alert once (a conditional UPDATE, as flag-overdue): what the worker's metric counts."""
    now = utcnow()
    ids = db().execute(select(Alert.id).where(Alert.announced_at.is_(None))).scalars().all()
    items = []
    for alert_id in ids:
        won = db().execute(update(Alert).where(Alert.id == alert_id, Alert.announced_at.is_(None))
                           .values(announced_at=now)).rowcount
        db().commit()
        if won:
            items.append(alerts.as_json(db().get(Alert, alert_id)))
    return json_response({"items": items})


# ============================================================================ insights
@bp.get("/v1/insights")
def get_insights():
    tree = orgs.load()
    return json_response(insights.collect(tree, under_arg(tree), request.args.get("from"), request.args.get("to"),
                                          request.args.get("under") or None))
