"""GET /wechat (WeChat's URL check) and POST /wechat (messages and events, plain or safe mode)."""
from __future__ import annotations

import logging
import time

from flask import Blueprint, Response, abort, current_app, request

from bot.channels.wechat.protocol import Rejected

log = logging.getLogger(__name__)

bp = Blueprint("wechat", __name__)

MAX_BODY_BYTES = 64 * 1024


def _channel():
    if not current_app.config["SETTINGS"].wechat_token:
        abort(404, description="the WeChat channel is not configured (WECHAT_TOKEN)")
    return current_app.extensions["wechat"]


@bp.get("/wechat")
def url_check():
    channel = _channel()
    try:
        echo = channel.protocol.check_url(request.args)
    except Rejected as exc:
        log.warning("WeChat URL check refused: %s", exc.reason)
        abort(exc.status, description=exc.reason)
    return Response(echo, mimetype="text/plain")


@bp.post("/wechat")
def receive():
    started = time.monotonic()
    channel = _channel()
    # WeChat's messages are a few KB; 64 KB here whatever the app-wide limit is. Larger bodies: 413.
    request.max_content_length = MAX_BODY_BYTES
    body = request.get_data(cache=False)
    try:
        message = channel.protocol.read_message(request.args, body)
    except Rejected as exc:
        log.warning("WeChat message refused (%s): %s", exc.status, exc.reason)
        abort(exc.status, description=exc.reason)
    if not channel.nonces.first_use(request.args.get("timestamp", ""), request.args.get("nonce", ""), body):
        log.warning("WeChat message refused (403): timestamp and nonce already used with another body")
        abort(403, description="this signature was already used")
    answer = channel.respond(message, started)
    body = channel.protocol.render(message, answer, request.args)
    return Response(body, mimetype="application/xml" if answer else "text/plain")
