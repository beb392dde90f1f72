"""The JSON object every API write takes; anything else is a 400 that says so. The body goes through
the strict loader every service shares (unionkit/strict_json.py)."""
from __future__ import annotations

from flask import abort, request
from pydantic import BaseModel

from unionkit.validation import validate
from unionkit.web_input import json_body


def json_object(empty_ok: bool = False) -> dict:
    """The request's JSON object body. With `empty_ok`, no body at all counts as `{}` (console
    actions such as claim send nothing)."""
    if empty_ok and not request.get_data(cache=True):
        return {}
    if not request.is_json:
        abort(400, description="body must be a JSON object (Content-Type: application/json)")
    body = json_body()
    if not isinstance(body, dict):
        abort(400, description="body must be a JSON object")
    return body


def checked_body(model: type[BaseModel], empty_ok: bool = False) -> dict:
    """The JSON object body checked by a pydantic model; a bad field raises Invalid, answered by the
    app as 400 {"error": "invalid", "message", "fields": {field: code}} (bot/app.py)."""
    return validate(model, json_object(empty_ok=empty_ok))
