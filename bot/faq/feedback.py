"""POST /api/chat/feedback: a worker's thumbs-down on a bot reply in the web chat (bearer token of
the chat session, like the rest of /api/chat). The question it answered goes to the unanswered
list for staff. An addition to DESIGN's web chat contract:
    body {"session_id", "message_id"} -> 200 {"recorded": true} (marking twice records once)."""
from __future__ import annotations

from flask import Blueprint, abort, jsonify

from bot.channels.web import _authorized_session
from bot.faq import unanswered
from bot.request_body import json_object

bp = Blueprint("chat_feedback", __name__)


@bp.post("/api/chat/feedback")
def thumbs_down():
    body = json_object()
    chat = _authorized_session(body.get("session_id"))
    message_id = body.get("message_id")
    if not isinstance(message_id, int) or isinstance(message_id, bool):
        abort(400, description="message_id must be the id of a bot message")
    if unanswered.thumbs_down(f"web:{chat.id}", message_id) is None:
        abort(404, description="no bot message with that id in this session")
    return jsonify({"recorded": True})
