"""POST /api/chat/feedback: a worker's thumbs-down on a bot reply in the web chat (bearer token of
the chat session, like the rest of /api/chat). The question it answered goes to the unanswered
list for staff. An addition to DESIGN's web chat contract:
    body {"session_id", "message_id"} -> 200 {"recorded": true} (marking twice records once)."""
from __future__ import annotations

from flask import Blueprint, abort, jsonify
from pydantic import BaseModel, conint, constr

from bot.channels.web import _authorized_session, _require_token
from bot.faq import unanswered
from bot.request_body import checked_body
from unionkit.strict_json import MAX_INT

bp = Blueprint("chat_feedback", __name__)


class FeedbackIn(BaseModel):
    session_id: constr(strict=True, min_length=1, max_length=64)
    message_id: conint(strict=True, ge=1, le=MAX_INT)  # the id of a bot message in that session


@bp.post("/api/chat/feedback")
def thumbs_down():
    _require_token()
    body = checked_body(FeedbackIn)
    chat = _authorized_session(body["session_id"])
    if unanswered.thumbs_down(f"web:{chat.id}", body["message_id"]) is None:
        abort(404, description="no bot message with that id in this session")
    return jsonify({"recorded": True})
