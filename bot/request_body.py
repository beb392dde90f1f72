"""The JSON object every API write takes; anything else is a 400 that says so."""
from __future__ import annotations

from flask import abort, request


def json_object(empty_ok: bool = False) -> dict:
    """The request's JSON object body. With `empty_ok`, no body at all counts as `{}` (console
    actions such as claim send nothing)."""
    body = request.get_json(silent=True)
    if empty_ok and body is None and not request.get_data():
        return {}
    if not isinstance(body, dict):
        abort(400, description="body must be a JSON object")
    return body
