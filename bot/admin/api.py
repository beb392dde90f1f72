"""The staff API (DESIGN.md, "Staff"): FAQ entries, export/import, unanswered questions, stats.
Bearer token of a staff or admin account, or the logged-in staff page (CSRF-checked)."""
from __future__ import annotations

import datetime as dt

from flask import Response, abort, current_app, g, jsonify, request

from bot.accounts.service import api_auth, audit
from bot.admin import bp, stats
from bot.faq import store, transfer, unanswered
from bot.faq.store import InvalidEntry
from bot.request_body import json_object

IMPORT_MAX_BYTES = 2 * 1024 * 1024
EXPORT_TYPES = {
    "csv": ("text/csv; charset=utf-8", transfer.export_csv),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", transfer.export_xlsx),
}


def _invalid(exc: InvalidEntry):
    return jsonify({"error": "invalid", "fields": exc.problems}), 400


def _entry_or_404(entry_id: int):
    entry = store.get_entry(entry_id)
    if entry is None:
        abort(404, description="no such FAQ entry")
    return entry


@bp.get("/api/admin/faqs")
@api_auth("staff")
def api_list():
    enabled = {"1": True, "true": True, "0": False, "false": False}.get(request.args.get("enabled", "").lower())
    entries = store.list_entries(request.args.get("q", ""), request.args.get("category", ""), enabled)
    return jsonify([e.as_json() for e in entries])  # a list, like the console's lists


@bp.post("/api/admin/faqs")
@api_auth("staff")
def api_create():
    try:
        entry = store.create_entry(json_object(), g.user.name)
    except InvalidEntry as exc:
        return _invalid(exc)
    audit(g.user.name, "faq_create", f"faq:{entry.id}")
    return jsonify(entry.as_json()), 201


@bp.get("/api/admin/faqs/<int:entry_id>")
@api_auth("staff")
def api_get(entry_id: int):
    return jsonify(_entry_or_404(entry_id).as_json())


@bp.put("/api/admin/faqs/<int:entry_id>")
@api_auth("staff")
def api_update(entry_id: int):
    entry = _entry_or_404(entry_id)
    body = json_object()
    try:
        store.update_entry(entry, body, g.user.name, partial=True)
    except InvalidEntry as exc:
        return _invalid(exc)
    audit(g.user.name, "faq_update", f"faq:{entry.id}", {"fields": sorted(body)})
    return jsonify(entry.as_json())


@bp.delete("/api/admin/faqs/<int:entry_id>")
@api_auth("staff")
def api_delete(entry_id: int):
    store.delete_entry(_entry_or_404(entry_id), g.user.name)
    audit(g.user.name, "faq_delete", f"faq:{entry_id}")
    return "", 204


@bp.get("/api/admin/faqs/<int:entry_id>/versions")
@api_auth("staff")
def api_versions(entry_id: int):
    return jsonify([{"id": v.id, "number": v.number, "action": v.action, "snapshot": v.snapshot,
                     "changed_by": v.changed_by, "changed_at": v.changed_at.isoformat() + "Z"}
                    for v in store.history(entry_id)])


@bp.get("/api/admin/faqs/export")
@api_auth("staff")
def api_export():
    kind = request.args.get("format", "csv")
    if kind not in EXPORT_TYPES:
        abort(400, description="format must be csv or xlsx")
    mimetype, render = EXPORT_TYPES[kind]
    name = f"faq-{dt.date.today().isoformat()}.{kind}"
    return Response(render(store.list_entries()), mimetype=mimetype,
                    headers={"Content-Disposition": f"attachment; filename={name}"})


def uploaded_file() -> tuple[str, bytes]:
    """The file of an import: a multipart field "file", or the raw body (?filename=... tells the type)."""
    request.max_content_length = IMPORT_MAX_BYTES
    upload = request.files.get("file")
    if upload is not None:
        return upload.filename or "", upload.read()
    return request.args.get("filename", ""), request.get_data()


@bp.post("/api/admin/faqs/import")
@api_auth("staff")
def api_import():
    filename, data = uploaded_file()
    if not data:
        abort(400, description="send the file as multipart field 'file' or as the request body")
    try:
        result = transfer.import_file(filename, data, g.user.name)
    except transfer.ImportRejected as exc:
        return jsonify({"error": "invalid_file", "problems": [p.as_json() for p in exc.problems]}), 400
    audit(g.user.name, "faq_import", filename or "upload", result)
    return jsonify(result)


@bp.get("/api/admin/unanswered")
@api_auth("staff")
def api_unanswered():
    """Open unanswered questions, similar ones grouped, most frequent group first."""
    return jsonify([grp.as_json() for grp in unanswered.open_groups()])


@bp.get("/api/admin/stats")
@api_auth("staff")
def api_stats():
    try:
        start, end = stats.date_range(request.args.get("from"), request.args.get("to"))
    except stats.BadRange as exc:
        abort(400, description=str(exc))
    figures = stats.for_user(g.user, current_app.extensions["union_backend"], start, end)
    return jsonify(figures)
