"""The tree's routes in the gateway (contract in DESIGN.md "Organisations"):

Staff (staff or admin token, or the logged-in page):
- GET  /api/admin/orgs                         [{"code", "name", "level", "parent_code", "district", "industries",
                                                 "employers", "demo"}]
- POST /api/admin/orgs/import                  multipart `file` (CSV or XLSX): all rows or none,
                                               400 {"error": "invalid_file", "problems": [{"row", "field", "code"}]}
- GET  /api/admin/orgs/export?format=csv|xlsx
Leaders and staff:
- GET  /admin/insights, GET /api/admin/insights?org=&from=&to=&format=xlsx   (the account's subtree)
Officers (the console and the desk):
- GET  /api/console/alerts?status=open|closed  {"items": [{"id", "kind", "employer", "org", "count", "workers",
                                                 "numbers", "opened_at", "status", ...}]}, their subtree only
- POST /api/console/alerts/<id>/close {"note"}
"""
from __future__ import annotations

import datetime as dt

from flask import Blueprint, Response, abort, current_app, g, jsonify, render_template, request, url_for
from pydantic import BaseModel

from bot.accounts.service import api_auth, audit
from bot.accounts.views import page_role_required
from bot.orgs import insights as leader_view
from bot.orgs.tree import forget, scope_of, sees, tree, under
from bot.request_body import checked_body
from unionkit.backend_client import BackendRejected, BackendUnavailable
from unionkit.validation import text

bp = Blueprint("orgs", __name__)
IMPORT_MAX_BYTES = 4 * 1024 * 1024
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ORG_FIELDS = ("code", "name", "level", "parent_code", "district", "industries", "employers", "demo")


@bp.errorhandler(BackendUnavailable)
def _unavailable(exc: BackendUnavailable):
    current_app.logger.warning("organisations: back end unavailable: %s", exc)
    return jsonify({"error": "backend_unavailable", "message": "办件系统暂时连不上，请稍后再试"}), 503


@bp.errorhandler(BackendRejected)
def _rejected(exc: BackendRejected):
    body = exc.body if isinstance(exc.body, dict) else {"error": "rejected"}
    return jsonify(body), exc.status


def _backend():
    return current_app.extensions["union_backend"]


# ---- the tree (staff) --------------------------------------------------------------------------
@bp.get("/api/admin/orgs")
@api_auth("staff")
def list_orgs():
    return jsonify([{k: o.get(k) for k in ORG_FIELDS} for o in tree(fresh=True).items])


@bp.post("/api/admin/orgs/import")
@api_auth("staff")
def import_orgs():
    request.max_content_length = IMPORT_MAX_BYTES
    upload = request.files.get("file")
    filename, data = (upload.filename or "", upload.read()) if upload is not None else (
        request.args.get("filename", ""), request.get_data())
    if not data:
        abort(400, description="send the file as multipart field 'file'")
    result = _backend().upload("/v1/orgs/import", filename, data)
    forget()
    audit(g.user.name, "orgs_import", filename or "upload", result)
    return jsonify(result)


@bp.get("/api/admin/orgs/export")
@api_auth("staff")
def export_orgs():
    kind = request.args.get("format", "csv")
    if kind not in ("csv", "xlsx"):
        abort(400, description="format must be csv or xlsx")
    data = _backend().download("/v1/orgs/export", format=kind)
    return Response(data, mimetype=XLSX if kind == "xlsx" else "text/csv; charset=utf-8",
                    headers={"Content-Disposition": f"attachment; filename=orgs-{dt.date.today().isoformat()}.{kind}"})


# ---- early warnings (officers) ----------------------------------------------------------------------
ALERT_FIELDS = ("id", "kind", "employer", "org", "parent_org", "count", "workers", "numbers", "opened_at",
                "updated_at", "status", "closed_at", "closed_by", "close_note")


def _alert_json(a: dict) -> dict:
    item = {k: a.get(k) for k in ALERT_FIELDS}
    item["org_name"] = tree().name(a.get("org"))
    return item


@bp.get("/api/console/alerts")
@api_auth("officer")
def list_alerts():
    status = request.args.get("status", "open")
    if status not in ("open", "closed", "all"):
        abort(400, description="status must be open, closed or all")
    params = {"under": under(g.user), "status": None if status == "all" else status}
    items = _backend().list("/v1/alerts", **params)
    return jsonify({"items": [_alert_json(a) for a in items if sees(g.user, a.get("org"))]})


class AlertCloseIn(BaseModel):
    note: text(2000)


@bp.post("/api/console/alerts/<int:alert_id>/close")
@api_auth("officer")
def close_alert(alert_id: int):
    note = checked_body(AlertCloseIn)["note"]
    try:
        alert = _backend().get(f"/v1/alerts/{alert_id}")
    except BackendRejected as exc:
        if exc.status == 404:
            abort(404, description="没有这条预警")
        raise
    if not sees(g.user, alert.get("org")):
        abort(404, description="没有这条预警")
    closed = _backend().post(f"/v1/alerts/{alert_id}/close", {"note": note, "actor": g.user.name})
    audit(g.user.name, "alert_close", f"alert:{alert_id}")
    return jsonify(_alert_json(closed))


# ---- the leaders' view ----------------------------------------------------------------------------
def _insights_org() -> str | None:
    """?org= within the account's subtree (404 outside it); default: the account's organisation."""
    wanted = (request.args.get("org") or "").strip() or None
    scope = scope_of(g.user)
    if wanted is None:
        return under(g.user)
    if wanted not in tree().by_code or (scope is not None and wanted not in scope):
        abort(404, description="没有这个组织")
    return wanted


@bp.get("/api/admin/insights")
@api_auth("staff", "leader")
def api_insights():
    figures = leader_view.collect(_backend(), _insights_org(), request.args.get("from"), request.args.get("to"))
    if request.args.get("format") == "xlsx":
        name = f"insights-{figures.get('org') or 'all'}-{dt.date.today().isoformat()}.xlsx"
        return Response(leader_view.to_xlsx(figures), mimetype=XLSX,
                        headers={"Content-Disposition": f"attachment; filename={name}"})
    return jsonify(figures)


@bp.get("/admin/insights")
@page_role_required("staff", "leader")
def insights_page():
    from flask_login import current_user

    g.user = current_user
    org = _insights_org()
    try:
        figures = leader_view.collect(_backend(), org, request.args.get("from"), request.args.get("to"))
    except BackendRejected as exc:
        abort(400, description=str((exc.body or {}).get("fields") or exc.body))
    scope = scope_of(current_user)
    choices = [o for o in tree().items if scope is None or o["code"] in scope]
    start, end = request.args.get("from", ""), request.args.get("to", "")
    export = {k: v for k, v in (("org", org), ("from", start), ("to", end)) if v}
    return render_template("admin/insights.html", figures=figures, org=org, choices=choices, start=start, end=end,
                           export_url=url_for("orgs.api_insights", format="xlsx", **export))
