"""The desk's workflow: which status may follow which, for each kind of record (issue 12), and the
words for them (config/desk.yml). A move the table does not list is refused (409)."""
from __future__ import annotations

from functools import lru_cache

from unionkit.timelimits import desk_config

TRANSITIONS: dict[str, dict[str, tuple[str, ...]]] = {
    "membership": {"submitted": ("reviewing",), "reviewing": ("approved", "rejected")},
    "case": {"open": ("in_progress",), "in_progress": ("resolved", "referred", "closed")},
    "founding": {"received": ("guiding",), "guiding": ("founded", "closed")},
    "enrollment": {"enrolled": ("attended", "cancelled"), "waitlisted": ("attended", "cancelled")},
    "suggestion": {"received": ("answered",)},
    "review": {"pending": ("reviewed",)},
}
# Moves the worker must be given a reason for (the message they read).
NEEDS_REASON = {("membership", "rejected")}


def allowed(kind: str, current: str) -> tuple[str, ...]:
    return TRANSITIONS[kind].get(current, ())


def is_final(kind: str, status: str) -> bool:
    return not TRANSITIONS[kind].get(status)


def final_statuses(kind: str) -> tuple[str, ...]:
    moves = TRANSITIONS[kind]
    targets = {s for nexts in moves.values() for s in nexts}
    return tuple(sorted(s for s in targets | set(moves) if not moves.get(s)))


def open_statuses(kind: str) -> tuple[str, ...]:
    return tuple(s for s, nexts in TRANSITIONS[kind].items() if nexts)


@lru_cache(maxsize=1)
def _desk_config() -> dict:
    return desk_config()


def word(status: str | None) -> str:
    return (_desk_config().get("status_words") or {}).get(status, status or "")



def summary_template(kind: str) -> str:
    return (_desk_config().get("summaries") or {}).get(kind, "")
