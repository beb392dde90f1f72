"""The case desk: the officer console's second view, over the records the back end keeps (its API
only, through unionkit.backend_client). Contract in DESIGN.md "Case desk":

- GET  /api/console/records?kind=&type=&status=&priority=&overdue=1&mine=1&q=   (masked list)
- GET  /api/console/records/<number>          the record, its transcript, history and notes
- POST /api/console/records/<number>/assign   {"officer"} (empty: to me)
- POST /api/console/records/<number>/status   {"status", "message"}   409 for a forbidden move
- POST /api/console/records/<number>/notes    {"text"}
- POST /api/console/records/<number>/messages {"text"}   a message to the worker, no status change
- GET  /api/console/records/badge             overdue records of my teams, flagged ones

Officer token or logged-in officer (CSRF for the latter, checked by the app), as the chat console.
An officer sees the records of their teams and those assigned to them; an admin sees all. The
message to the worker travels from the back end's event feed (the notices job), not from here.
"""
from __future__ import annotations

import datetime as dt

from flask import Blueprint, abort, current_app, g, jsonify, request

from bot.accounts.service import api_auth
from bot.console import records as present
from bot.handoff.service import teams_of
from bot.orgs.tree import sees, tree, under
from bot.models import User
from bot.request_body import json_object
from config.database import Session
from unionkit.backend_client import BackendRejected, BackendUnavailable

bp = Blueprint("desk", __name__)

LIST_FILTERS = ("kind", "type", "status", "priority", "q")
LIST_LIMIT = 200


@bp.errorhandler(BackendRejected)
def _rejected(exc: BackendRejected):
    """The back end's own answer (400 with fields, 404, 409 with its message) passed through."""
    body = exc.body if isinstance(exc.body, dict) else {"error": "rejected"}
    return jsonify(body), exc.status


@bp.errorhandler(BackendUnavailable)
def _unavailable(exc: BackendUnavailable):
    current_app.logger.warning("case desk: back end unavailable: %s", exc)
    return jsonify({"error": "backend_unavailable", "message": "办件系统暂时连不上，请稍后再试"}), 503


def _backend():
    return current_app.extensions["union_backend"]


def _tz() -> dt.tzinfo:
    return current_app.extensions["handoff"].hours.tz


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def _sees_all(user: User) -> bool:
    return user.role == "admin"


def _may_see(record: dict, user: User) -> bool:
    """Their organisation's subtree, and there their teams' records and those assigned to them."""
    if not sees(user, record.get("org")):
        return False
    return _sees_all(user) or record.get("assignee") == user.name or record.get("team") in teams_of(user)


def _record(number: str) -> dict:
    """The record, or 404 when it does not exist or belongs to another team."""
    try:
        record = _backend().get(f"/v1/records/{number}")
    except BackendRejected as exc:
        if exc.status == 404:
            abort(404, description="没有这个编号的记录")
        raise
    if not _may_see(record, g.user):
        abort(404, description="没有这个编号的记录")
    return record


def _held(record: dict) -> None:
    """Status moves and messages to the worker are for the officer who took the record."""
    if record.get("assignee") != g.user.name and not _sees_all(g.user):
        abort(409, description="请先接手这条记录，再改状态或给职工发消息")


def _detail(record: dict) -> dict:
    return present.detail(record, g.user, _now(), _tz())


@bp.get("/api/console/records")
@api_auth("officer")
def list_records():
    params = {k: request.args.get(k) for k in LIST_FILTERS if request.args.get(k)}
    if request.args.get("overdue") in ("1", "true"):
        params["overdue"] = "1"
    if request.args.get("due") == "today":
        params["due"] = "today"
    if request.args.get("mine") in ("1", "true"):
        params["assignee"] = g.user.name
    elif not _sees_all(g.user):
        params["team"] = ",".join(teams_of(g.user)) or "-"
    params["under"] = under(g.user)
    params["limit"] = str(LIST_LIMIT)
    items = [r for r in _backend().list("/v1/records", **params) if sees(g.user, r.get("org"))]
    now, tz = _now(), _tz()
    return jsonify({"items": [present.list_item(r, now, tz) for r in items]})


@bp.get("/api/console/records/badge")
@api_auth("officer")
def badge():
    """What the desk tab's badge counts: overdue records of my teams (flagged: the worker process
    has announced them)."""
    params = {"overdue": "1", "limit": "500"}
    if not _sees_all(g.user):
        params["team"] = ",".join(teams_of(g.user)) or "-"
    params["under"] = under(g.user)
    items = [r for r in _backend().list("/v1/records", **params) if sees(g.user, r.get("org"))]
    return jsonify({"overdue": len(items), "flagged": sum(1 for r in items if r.get("overdue_flagged"))})


@bp.get("/api/console/records/<number>")
@api_auth("officer")
def get_record(number: str):
    return jsonify(_detail(_record(number)))


@bp.post("/api/console/records/<number>/assign")
@api_auth("officer")
def assign(number: str):
    body = json_object(empty_ok=True)
    officer = body.get("officer") or g.user.name
    if not isinstance(officer, str):
        abort(400, description='"officer" must be an account name')
    target = Session.query(User).filter(User.name == officer.strip(), User.active == 1).one_or_none()
    if target is None or target.role not in ("officer", "admin"):
        return jsonify({"error": "invalid", "fields": {"officer": "没有这个工作人员"}}), 400
    _record(number)
    record = _backend().post(f"/v1/records/{number}/assign", {"assignee": target.name, "actor": g.user.name})
    return jsonify(_detail(record))


@bp.post("/api/console/records/<number>/status")
@api_auth("officer")
def change_status(number: str):
    body = json_object()
    _held(_record(number))
    record = _backend().post(f"/v1/records/{number}/status", {
        "status": body.get("status"), "message": body.get("message"), "note": body.get("note"),
        "actor": g.user.name})
    return jsonify(_detail(record))


@bp.post("/api/console/records/<number>/transfer")
@api_auth("officer")
def transfer(number: str):
    """To another organisation {"org"}: the record's history keeps the move."""
    body = json_object()
    org = body.get("org")
    if not isinstance(org, str) or org.strip() not in tree().by_code:
        return jsonify({"error": "invalid", "fields": {"org": "没有这个组织"}}), 400
    _record(number)
    record = _backend().post(f"/v1/records/{number}/route", {"org": org.strip(), "actor": g.user.name})
    return jsonify(_detail(record) if sees(g.user, record.get("org")) else {"number": number, "org": record["org"]})


@bp.post("/api/console/records/<number>/notes")
@api_auth("officer")
def add_note(number: str):
    body = json_object()
    _record(number)
    record = _backend().post(f"/v1/records/{number}/notes", {"text": body.get("text"), "actor": g.user.name})
    return jsonify(_detail(record)), 201


@bp.post("/api/console/records/<number>/messages")
@api_auth("officer")
def send_message(number: str):
    body = json_object()
    _held(_record(number))
    record = _backend().post(f"/v1/records/{number}/messages",
                             {"message": body.get("text"), "actor": g.user.name})
    return jsonify(_detail(record)), 201
