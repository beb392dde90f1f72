"""What the gateway and the back end both do with raw input before a view sees it: JSON bodies through
the strict loader (unionkit/strict_json.py), `<int:...>` path parts limited to 64 bits (a larger id
is no record: 404), and NUL or lone surrogates in the path, query string or form refused with 400.
`init_app` installs all three on a Flask app; `json_body` is what views call for their body."""
from __future__ import annotations

from typing import Any

from flask import Flask, abort, request
from flask.json.provider import DefaultJSONProvider
from werkzeug.routing import IntegerConverter

from unionkit import strict_json


class StrictJSONProvider(DefaultJSONProvider):
    """Flask's JSON with the strict loader for reading (request.get_json and friends)."""

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        return strict_json.loads(s)


class BoundedIntConverter(IntegerConverter):
    """`<int:x>` up to the largest 64-bit integer: the databases overflow beyond it."""

    def __init__(self, map, fixed_digits=0, min=None, max=strict_json.MAX_INT, signed=False):  # noqa: A002
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def init_app(app: Flask) -> None:
    """Call before registering blueprints (the converter applies to the routes added after it)."""
    app.json = StrictJSONProvider(app)
    app.url_map.converters["int"] = BoundedIntConverter
    app.before_request(_refuse_bad_characters)


def _refuse_bad_characters():
    problem = strict_json.bad_text(request.path)
    for key, value in request.args.items(multi=True):
        problem = problem or strict_json.bad_text(key) or strict_json.bad_text(value)
    if request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
        for key, value in request.form.items(multi=True):
            problem = problem or strict_json.bad_text(key) or strict_json.bad_text(value)
    if problem:
        abort(400, description=problem)


def json_body(empty_ok: bool = False) -> Any:
    """The request's JSON value through the strict loader; 400 with the reason otherwise. With
    `empty_ok`, no body at all is None."""
    raw = request.get_data(cache=True)
    if not raw and empty_ok:
        return None
    if not raw:
        abort(400, description="the body must be JSON")
    try:
        return strict_json.loads(raw, max_bytes=request.max_content_length)
    except strict_json.JSONRejected as exc:
        abort(400, description=str(exc))


def int_arg(name: str, default: int = 0, minimum: int = 0, maximum: int = strict_json.MAX_INT) -> int:
    """An integer query argument in [minimum, maximum]; 400 naming the argument otherwise."""
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    raw = raw.strip()
    if not (raw.isascii() and raw.lstrip("-").isdigit()) or len(raw) > 20:
        abort(400, description=f"{name} must be an integer from {minimum} to {maximum}")
    value = int(raw)
    if not minimum <= value <= maximum:
        abort(400, description=f"{name} must be an integer from {minimum} to {maximum}")
    return value
