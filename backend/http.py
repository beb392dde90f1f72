"""What every blueprint of the back end answers the same way: JSON out (UTF-8, not escaped), the
bearer key, a body that must be a JSON object, paging, and the error answers (400 invalid with
Chinese field messages, 404, 409)."""
from __future__ import annotations

import hmac
import json
from typing import Any

from flask import Blueprint, Response, current_app, request

from backend.db import db
from backend.schemas import Invalid
from unionkit import strict_json

DEFAULT_LIMIT = 100
MAX_LIMIT = 500


def json_response(data: Any, status: int = 200, headers: dict | None = None) -> Response:
    body = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return Response(body, status=status, headers=headers, content_type="application/json; charset=utf-8")


def error(http_status: int, code: str, **extra: Any) -> Response:
    return json_response({"error": code, **extra}, http_status)


class BadBody(Exception):
    pass


class NumberConflict(Exception):
    """A client number that already belongs to someone else's record."""


class Refused(Exception):
    """A move the workflow forbids: 409 with a message an officer understands."""

    def __init__(self, code: str, message: str, **extra: Any):
        super().__init__(message)
        self.code, self.message, self.extra = code, message, extra


def body() -> dict:
    try:  # the loader every service shares: depth, 64-bit integers, no NUL or lone surrogates
        data = strict_json.loads(request.get_data(cache=True), max_bytes=request.max_content_length)
    except strict_json.JSONRejected as exc:
        raise BadBody(str(exc)) from None
    if not isinstance(data, dict):
        raise BadBody()
    return data


def page() -> tuple[int, int]:
    errors = {}
    try:
        limit = int(request.args.get("limit", DEFAULT_LIMIT))
        if not 1 <= limit <= MAX_LIMIT:
            raise ValueError
    except ValueError:
        errors["limit"] = f"limit 应为 1 到 {MAX_LIMIT} 的整数"
        limit = DEFAULT_LIMIT
    try:
        offset = int(request.args.get("offset", 0))
        if not 0 <= offset <= strict_json.MAX_INT:  # past 64 bits the database overflows
            raise ValueError
    except ValueError:
        errors["offset"] = "offset 应为非负整数"
        offset = 0
    if errors:
        raise Invalid(errors)
    return limit, offset


def _require_api_key():
    expected = current_app.config["SETTINGS"].backend_api_key
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if (not expected or scheme.lower() != "bearer"
            or not hmac.compare_digest(token.strip().encode(), expected.encode())):
        return json_response({"error": "unauthorized"}, 401, headers={"WWW-Authenticate": 'Bearer realm="union-api"'})
    return None


def install(bp: Blueprint) -> None:
    """The key check and the error answers, on one blueprint."""
    bp.before_request(_require_api_key)

    @bp.errorhandler(Invalid)
    def _invalid(exc: Invalid):
        db().rollback()
        return error(400, "invalid", fields=exc.fields)

    @bp.errorhandler(BadBody)
    def _bad_body(exc: BadBody):
        return error(400, "invalid_json", message="请求体必须是 JSON 对象", reason=str(exc) or "not a JSON object")

    @bp.errorhandler(NumberConflict)
    def _number_conflict(_exc):
        db().rollback()
        return error(409, "number_conflict", message="这个编号已被另一条记录使用，请换一个编号")

    @bp.errorhandler(Refused)
    def _refused(exc: Refused):
        db().rollback()
        return error(409, exc.code, message=exc.message, **exc.extra)
