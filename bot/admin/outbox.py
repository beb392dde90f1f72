"""Submissions the back end refused while they waited in the outbox (unionkit/outbox.py): staff
see them with the back end's reason at /admin/outbox and resend (once the cause is fixed) or close
them; the same as JSON under /api/admin/outbox for scripts. Every resend and close is audited."""
from __future__ import annotations

from flask import abort, current_app, flash, g, jsonify, redirect, render_template, url_for
from flask_login import current_user

from bot.accounts.service import api_auth, audit
from bot.accounts.views import page_role_required
from bot.admin import bp
from unionkit.pii import mask_pii


def _outbox():
    return current_app.extensions["outbox"]


def _listed() -> list[dict]:
    # Masked like every list view: staff see what was refused and why, not the worker's ID number.
    return [mask_pii(item) for item in _outbox().rejected()]


def _act(number: str, action: str, actor: str) -> bool:
    done = _outbox().resend(number) if action == "resend" else _outbox().close(number) is not None
    if done:
        audit(actor, f"outbox_{action}", f"outbox:{number}")
    return done


@bp.get("/admin/outbox")
@page_role_required("staff")
def outbox_page():
    return render_template("admin/outbox.html", items=_listed())


@bp.post("/admin/outbox/<number>/<any(resend, close):action>")
@page_role_required("staff")
def outbox_act(number: str, action: str):
    flash(f"outbox_{action}" if _act(number, action, current_user.name) else "outbox_gone")
    return redirect(url_for("admin.outbox_page"))


@bp.get("/api/admin/outbox")
@api_auth("staff")
def api_outbox():
    return jsonify({"items": _listed()})


@bp.post("/api/admin/outbox/<number>/<any(resend, close):action>")
@api_auth("staff")
def api_outbox_act(number: str, action: str):
    if not _act(number, action, g.user.name):
        abort(404, description="no refused submission with this number")
    return jsonify({"number": number, "done": action})
