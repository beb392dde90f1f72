"""The one JSON loader every service uses for what callers send (gateway, back end, Rasa's gateway
channel). Python's json accepts much that later breaks a service with a 500: nesting 30,000 deep
(RecursionError), lone surrogates (unencodable on the way out), NUL (PostgreSQL refuses it, and it
makes WeChat's XML invalid), integers past 64 bits (SQLite and PostgreSQL overflow), NaN and
Infinity, duplicate keys. This loader refuses all of them up front with a reason a caller can read.
"""
from __future__ import annotations

import json
import math
import re
from typing import Any

MAX_DEPTH = 32
MAX_INT = 2**63 - 1
MIN_INT = -(2**63)

# Strings out of the way, what is left are brackets, commas, numbers and literals.
_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.S)
_BRACKET = re.compile(r"[\[\]{}]")
_BAD_CHARS = re.compile("[\x00\ud800-\udfff]")


class JSONRejected(ValueError):
    """The body is not JSON this project accepts; str() says why, for the 400 answer."""


def _depth(text: str) -> int:
    deepest = depth = 0
    for bracket in _BRACKET.findall(_STRING.sub("", text)):
        depth += 1 if bracket in "[{" else -1
        deepest = max(deepest, depth)
    return deepest


def _int(literal: str) -> int:
    if len(literal) > 20:  # longer than any 64-bit integer: refuse before converting
        raise JSONRejected("integers must fit in 64 bits")
    value = int(literal)
    if not MIN_INT <= value <= MAX_INT:
        raise JSONRejected("integers must fit in 64 bits")
    return value


def _float(literal: str) -> float:
    value = float(literal)
    if not math.isfinite(value):
        raise JSONRejected("numbers must be finite")
    return value


def _constant(name: str):
    raise JSONRejected(f"{name} is not JSON")


def _pairs(pairs: list[tuple[str, Any]]) -> dict:
    obj = dict(pairs)
    if len(obj) != len(pairs):
        raise JSONRejected("a key appears twice in one object")
    return obj


def _check_strings(value: Any) -> None:
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            bad = _BAD_CHARS.search(item)
            if bad:
                raise JSONRejected("NUL characters are not accepted" if bad.group() == "\x00"
                                   else "text must not contain lone surrogates (\\ud800-\\udfff)")
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


def loads(raw: bytes | str, max_bytes: int | None = None, max_depth: int = MAX_DEPTH) -> Any:
    """The JSON value in `raw` (UTF-8 bytes or text), or JSONRejected with the reason."""
    if max_bytes is not None and len(raw) > max_bytes:
        raise JSONRejected(f"the body is larger than {max_bytes} bytes")
    if isinstance(raw, bytes):
        try:
            raw = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise JSONRejected(f"the body is not UTF-8 (byte {exc.start})") from None
    raw = raw.removeprefix("\ufeff")
    if _depth(raw) > max_depth:
        raise JSONRejected(f"JSON nested deeper than {max_depth} levels")
    try:
        value = json.loads(raw, parse_int=_int, parse_float=_float, parse_constant=_constant,
                           object_pairs_hook=_pairs)
    except JSONRejected:
        raise
    except (ValueError, RecursionError) as exc:
        raise JSONRejected(f"not valid JSON: {exc}") from None
    _check_strings(value)
    return value


def bad_text(value: str) -> str | None:
    """Why a text from a form or query string cannot be stored (NUL, lone surrogates), or None."""
    bad = _BAD_CHARS.search(value)
    if bad is None:
        return None
    return "NUL characters are not accepted" if bad.group() == "\x00" else "text must not contain lone surrogates"
