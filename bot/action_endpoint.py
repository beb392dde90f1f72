"""Rasa's action endpoint, served by the gateway: POST /webhook hands the call to rasa_sdk's executor.

Only Rasa may call it: the request must carry the shared secret Rasa sends as
`Authorization: Bearer ...` (config/endpoints.yml, from ACTION_ENDPOINT_TOKEN; a header, so the
secret is in no access log). The protocol itself is rasa_sdk's.
"""
from __future__ import annotations

import asyncio
import contextvars
import hmac
import json
import logging
import zlib
from concurrent.futures import ThreadPoolExecutor

from flask import Blueprint, abort, current_app, jsonify, request
from rasa_sdk.executor import ActionExecutor

from bot.accounts.tokens import bearer_token
from rasa_sdk.interfaces import ActionExecutionRejection, ActionNotFoundException

log = logging.getLogger(__name__)
bp = Blueprint("action_endpoint", __name__)

_executor: ActionExecutor | None = None
ACTION_CALL_MAX_BYTES = 32 * 1024 * 1024


def executor() -> ActionExecutor:
    global _executor
    if _executor is None:
        ex = ActionExecutor()
        ex.register_package("actions")
        _executor = ex
    return _executor


def _run(coro):
    """Runs the executor's coroutine to completion from this (synchronous) request thread."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coro)
    # This thread already drives an event loop (an async host, or a test process driving a browser):
    # run in a helper thread, carrying the app context along (it lives in context variables).
    context = contextvars.copy_context()
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(context.run, asyncio.run, coro).result()


@bp.post("/webhook")
def webhook():
    expected = current_app.config["SETTINGS"].action_endpoint_token
    given = bearer_token(request.headers.get("Authorization")) or ""
    if not expected or not hmac.compare_digest(given, expected):
        abort(403, description="action endpoint is for the Rasa server only")
    # Rasa sends the whole domain and the conversation's events with every call: far above the
    # app-wide limit for worker input. Only the authenticated Rasa server gets this far.
    request.max_content_length = ACTION_CALL_MAX_BYTES
    raw = request.get_data()
    try:
        if request.headers.get("Content-Encoding") == "deflate":
            raw = zlib.decompress(raw)
        action_call = json.loads(raw)
    except (ValueError, zlib.error):
        return jsonify({"error": "Invalid body request"}), 400
    if not isinstance(action_call, dict):
        return jsonify({"error": "Invalid body request"}), 400
    try:
        result = _run(executor().run(action_call))
    except ActionExecutionRejection as exc:
        return jsonify({"error": exc.message, "action_name": exc.action_name}), 400
    except ActionNotFoundException as exc:
        log.error("unknown action: %s", exc.action_name)
        return jsonify({"error": exc.message, "action_name": exc.action_name}), 404
    return jsonify(result)
