"""Web chat channel: /api/chat/* (see the HTTP contract in DESIGN.md)."""
from __future__ import annotations

import uuid
from typing import Optional

from flask import Blueprint, abort, current_app, jsonify, render_template, request
from pydantic import BaseModel, constr, root_validator

from bot import transcript
from bot.accounts.tokens import bearer_token, new_token, token_hash, token_matches
from bot.models import ChatSession
from bot.request_body import checked_body
from config.database import Session
from unionkit.validation import ProblemCode
from unionkit.web_input import int_arg

bp = Blueprint("web_chat", __name__)

MAX_TEXT_CHARS = 1000
MAX_PAYLOAD_CHARS = 200


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


class MessageIn(BaseModel):
    """POST /api/chat/messages: what the worker typed, or the payload of the button they tapped."""

    session_id: constr(strict=True, min_length=1, max_length=64)
    text: Optional[constr(strict=True, strip_whitespace=True, max_length=MAX_TEXT_CHARS)] = None
    payload: Optional[constr(strict=True, strip_whitespace=True, min_length=1, max_length=MAX_PAYLOAD_CHARS)] = None
    # The page's name for this message: sent again with the same key after a lost answer, it is
    # the same message, answered once (bot/channels/web_turns.py).
    retry_key: Optional[constr(strict=True, regex=r"^[A-Za-z0-9_-]{8,64}$")] = None

    @root_validator(skip_on_failure=True)
    def _text_or_payload(cls, values):
        if values.get("payload") is None and not values.get("text"):
            raise ProblemCode(code="text_or_payload_required")
        return values


def _require_token() -> None:
    if not bearer_token(request.headers.get("Authorization")):
        abort(401, description="missing bearer token")


@bp.post("/api/chat/messages")
def post_message():
    _require_token()
    body = checked_body(MessageIn)
    chat = _authorized_session(body["session_id"])
    text, payload = body["text"] or "", body["payload"]
    if not _within_rate_limit(chat.id, text, payload):
        policy = current_app.extensions["floods"]
        retry = current_app.extensions["rate_limits"].retry_after("web_session", chat.id)
        resp = jsonify({"error": "Too Many Requests", "message": policy.text("web_too_fast")})
        resp.headers["Retry-After"] = str(retry)
        return resp, 429
    return jsonify(current_app.extensions["web_turns"].respond(chat.id, text, payload, body["retry_key"]))


def _within_rate_limit(session_id: str, text: str, payload: str | None) -> bool:
    """Per session; words that signal danger go through whatever the count (they come first)."""
    if current_app.extensions["rate_limits"].allow("web_session", session_id):
        return True
    safety = current_app.extensions.get("safety")
    return bool(text and not payload and safety is not None and safety.check(text) is not None)


@bp.get("/api/chat/messages")
def get_messages():
    chat = _authorized_session(request.args.get("session_id"))
    after_id = int_arg("after", 0)
    messages = transcript.after(f"web:{chat.id}", after_id)
    return jsonify({"messages": [transcript.as_json(m) for m in messages]})
