"""Web chat channel: /api/chat/* (see the HTTP contract in DESIGN.md)."""
from __future__ import annotations

import uuid

from flask import Blueprint, abort, current_app, jsonify, render_template, request

from bot import transcript
from bot.accounts.tokens import bearer_token, new_token, token_hash, token_matches
from bot.models import ChatSession
from bot.request_body import json_object
from config.database import Session

bp = Blueprint("web_chat", __name__)

MAX_TEXT_CHARS = 1000


@bp.get("/")
def chat_page():
    return render_template("chat.html")


@bp.post("/api/chat/sessions")
def create_session():
    token = new_token()
    chat = ChatSession(id=uuid.uuid4().hex, token_hash=token_hash(token))
    Session.add(chat)
    Session.commit()
    return jsonify({"session_id": chat.id, "token": token}), 201


def _authorized_session(session_id: str | None) -> ChatSession:
    """The session named in the request, if the bearer token is that session's own."""
    token = bearer_token(request.headers.get("Authorization"))
    if not token:
        abort(401, description="missing bearer token")
    if not session_id or not isinstance(session_id, str):
        abort(400, description="session_id is required")
    chat = Session.get(ChatSession, session_id)
    if chat is None or not token_matches(token, chat.token_hash):
        abort(403, description="this token does not belong to that session")
    return chat


@bp.post("/api/chat/messages")
def post_message():
    body = json_object()
    chat = _authorized_session(body.get("session_id"))
    text, payload = body.get("text"), body.get("payload")
    if payload is not None and (not isinstance(payload, str) or not payload.strip()):
        abort(400, description="payload must be a non-empty string")
    if payload is None and (not isinstance(text, str) or not text.strip()):
        abort(400, description="text must be a non-empty string")
    if text and len(text) > MAX_TEXT_CHARS:
        abort(400, description=f"text is longer than {MAX_TEXT_CHARS} characters")
    text = (text or "").strip()
    if not _within_rate_limit(chat.id, text, payload):
        policy = current_app.extensions["floods"]
        retry = current_app.extensions["rate_limits"].retry_after("web_session", chat.id)
        resp = jsonify({"error": "Too Many Requests", "message": policy.text("web_too_fast")})
        resp.headers["Retry-After"] = str(retry)
        return resp, 429
    replies = current_app.extensions["web_turns"].answer(chat.id, text, payload)
    return jsonify({"messages": [r.as_json() for r in replies]})


def _within_rate_limit(session_id: str, text: str, payload: str | None) -> bool:
    """Per session; words that signal danger go through whatever the count (they come first)."""
    if current_app.extensions["rate_limits"].allow("web_session", session_id):
        return True
    safety = current_app.extensions.get("safety")
    return bool(text and not payload and safety is not None and safety.check(text) is not None)


@bp.get("/api/chat/messages")
def get_messages():
    chat = _authorized_session(request.args.get("session_id"))
    try:
        after_id = int(request.args.get("after", "0"))
    except ValueError:
        abort(400, description="after must be a message id")
    messages = transcript.after(f"web:{chat.id}", after_id)
    return jsonify({"messages": [transcript.as_json(m) for m in messages]})
