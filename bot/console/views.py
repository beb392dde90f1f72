"""The officer console: the page at /console and the JSON API it (and scripts, with an officer
token) drives. Contract in DESIGN.md: list, detail, claim, messages, close; plus notes, canned
replies, transfers and the list of officers."""
from __future__ import annotations

from functools import lru_cache
from typing import Optional

import yaml
from flask import Blueprint, abort, g, jsonify, render_template, request
from pydantic import BaseModel, constr, root_validator, validator

from bot.accounts.service import TEAMS, api_auth
from bot.accounts.views import page_role_required
from bot.console import present
from bot.handoff.models import OUTCOMES, STATUSES, Handoff
from bot.handoff.service import MAX_NOTE_CHARS, MAX_REPLY_CHARS, HandoffError, service, teams_of
from bot.models import User
from bot.orgs.tree import scope_of, sees, tree
from bot.request_body import checked_body
from config.database import Session
from config.settings import PROJECT_ROOT
from unionkit import timelimits
from unionkit.orgtree import org_clause
from unionkit.validation import ProblemCode, text
from unionkit.web_input import int_arg

bp = Blueprint("console", __name__)

CANNED_REPLIES_FILE = PROJECT_ROOT / "config" / "canned_replies.yml"
CLOSED_LIST_LIMIT = 100


@bp.errorhandler(HandoffError)
def _handoff_error(exc: HandoffError):
    return jsonify({"error": exc.code, "message": exc.message}), exc.status


@bp.get("/console")
@page_role_required("officer")
def index():
    return render_template("console/index.html", teams=TEAMS, outcomes=OUTCOMES,
                           desk_status_words=timelimits.status_words())


# ---- the API ---------------------------------------------------------------------------------------
def _visible(handoff_id: int) -> Handoff:
    handoff = service().get(handoff_id)
    if not sees(g.user, handoff.org):
        abort(404, description="no such handoff")  # another organisation's: as if it did not exist
    if not service().may_see(handoff, g.user):
        abort(403, description="this handoff belongs to another team")
    return handoff


@bp.get("/api/console/handoffs")
@api_auth("officer")
def list_handoffs():
    statuses = [s for s in request.args.get("status", "waiting,active").split(",") if s]
    unknown = [s for s in statuses if s not in STATUSES]
    if unknown or not statuses:
        abort(400, description=f"status must be one of {', '.join(STATUSES)}")
    svc = service()
    svc.touch_presence(g.user)
    query = Session.query(Handoff).filter(Handoff.status.in_(statuses))
    if g.user.role != "admin":
        query = query.filter((Handoff.team.in_(teams_of(g.user))) | (Handoff.officer == g.user.name))
    scope = scope_of(g.user)
    if scope is not None:
        query = query.filter(org_clause(Handoff.org, scope, tree().root))
    if statuses == ["closed"]:
        query = query.order_by(Handoff.closed_at.desc()).limit(CLOSED_LIST_LIMIT)
    else:
        # The queue's order: danger first, then urgent, then the longest waiting.
        query = query.order_by((Handoff.priority != "critical"), (Handoff.priority != "urgent"),
                               Handoff.queued_at, Handoff.id)
    return jsonify([present.list_item(h, svc) for h in query.all()])


@bp.get("/api/console/handoffs/<int:handoff_id>")
@api_auth("officer")
def get_handoff(handoff_id: int):
    after = int_arg("after", 0)
    service().touch_presence(g.user)
    return jsonify(present.detail(_visible(handoff_id), service(), g.user, after))


def _in_scope(handoff_id: int) -> None:
    """Another organisation's handoff answers 404, whatever the action."""
    handoff = service().get(handoff_id)
    if not sees(g.user, handoff.org):
        abort(404, description="no such handoff")


@bp.post("/api/console/handoffs/<int:handoff_id>/claim")
@api_auth("officer")
def claim(handoff_id: int):
    _in_scope(handoff_id)
    handoff = service().claim(handoff_id, g.user)
    return jsonify(present.list_item(handoff, service()))


class ReplyIn(BaseModel):
    text: text(MAX_REPLY_CHARS)


class NoteIn(BaseModel):
    text: text(MAX_NOTE_CHARS)


class CloseIn(BaseModel):
    outcome: Optional[constr(strict=True)] = None

    @validator("outcome")
    def _known(cls, value):
        if value is not None and value not in OUTCOMES:
            raise ProblemCode(code="not_allowed")
        return value or "resolved"


class TransferIn(BaseModel):
    team: Optional[constr(strict=True, strip_whitespace=True, max_length=40)] = None
    officer: Optional[constr(strict=True, strip_whitespace=True, max_length=80)] = None
    org: Optional[constr(strict=True, strip_whitespace=True, max_length=32)] = None

    @root_validator(skip_on_failure=True)
    def _one_target(cls, values):
        if sum(bool(values.get(k)) for k in ("team", "officer", "org")) != 1:
            raise ProblemCode(code="team_or_officer")
        return values


@bp.post("/api/console/handoffs/<int:handoff_id>/messages")
@api_auth("officer")
def send_message(handoff_id: int):
    text = checked_body(ReplyIn, empty_ok=True)["text"]  # a bad body is a 400 whatever the id
    _in_scope(handoff_id)
    message_id = service().reply(handoff_id, g.user, text)
    return jsonify({"id": message_id}), 201


@bp.post("/api/console/handoffs/<int:handoff_id>/close")
@api_auth("officer")
def close(handoff_id: int):
    outcome = checked_body(CloseIn, empty_ok=True)["outcome"] or "resolved"
    _in_scope(handoff_id)
    handoff = service().close(handoff_id, g.user, outcome=outcome)
    return jsonify(present.list_item(handoff, service()))


@bp.post("/api/console/handoffs/<int:handoff_id>/notes")
@api_auth("officer")
def add_note(handoff_id: int):
    text = checked_body(NoteIn, empty_ok=True)["text"]
    _in_scope(handoff_id)
    note = service().add_note(handoff_id, g.user, text)
    return jsonify(present.note_json(note)), 201


@bp.post("/api/console/handoffs/<int:handoff_id>/transfer")
@api_auth("officer")
def transfer(handoff_id: int):
    body = checked_body(TransferIn, empty_ok=True)
    _in_scope(handoff_id)
    if body["org"]:
        if body["org"] not in tree().by_code:
            return jsonify({"error": "invalid", "fields": {"org": "unknown_org"}}), 400
        handoff = service().transfer_to_org(handoff_id, g.user, body["org"], tree().name(body["org"]))
    elif body["team"]:
        handoff = service().transfer_to_team(handoff_id, g.user, body["team"])
    else:
        handoff = service().transfer_to_officer(handoff_id, g.user, body["officer"])
    return jsonify(present.list_item(handoff, service()))


@bp.get("/api/console/officers")
@api_auth("officer")
def officers():
    """Colleagues to transfer to, and who of them is on the console now."""
    svc = service()
    online = {name for team in TEAMS for name in svc.online_officers(team)}
    users = Session.query(User).filter(User.active == 1, User.role.in_(("officer", "admin"))).order_by(User.name)
    scope = scope_of(g.user)
    users = [u for u in users if scope is None or u.role == "admin" or (u.org or tree().root) in scope]
    return jsonify([{"name": u.name, "display_name": u.display_name or u.name, "teams": teams_of(u),
                     "org": u.org, "online": u.name in online} for u in users])


@bp.get("/api/console/canned-replies")
@api_auth("officer")
def canned_replies():
    mine = set(teams_of(g.user))
    return jsonify([r for r in _canned_replies() if not r.get("teams") or mine & set(r["teams"])])


@lru_cache(maxsize=1)
def _canned_replies() -> list[dict]:
    data = yaml.safe_load(CANNED_REPLIES_FILE.read_text(encoding="utf-8")) or {}
    return [{"id": str(r["id"]), "title": str(r["title"]), "text": str(r["text"]), "teams": list(r.get("teams") or [])}
            for r in data.get("replies") or []]
