"""The handoff's configuration: config/handoff.yml, with keys overridden by Settings.extra["handoff"]."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import yaml

from config.settings import PROJECT_ROOT, Settings

CONFIG_FILE = PROJECT_ROOT / "config" / "handoff.yml"
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def _time(value: str) -> dt.time:
    hours, _, minutes = str(value).partition(":")
    return dt.time(int(hours), int(minutes or 0))


def _dates(values) -> frozenset[dt.date]:
    return frozenset(v if isinstance(v, dt.date) else dt.date.fromisoformat(str(v)) for v in values or [])


@dataclass(frozen=True)
class HandoffSettings:
    utc_offset_hours: float = 8
    days: tuple[int, ...] = (0, 1, 2, 3, 4)  # Monday = 0
    start: dt.time = dt.time(9, 0)
    end: dt.time = dt.time(17, 30)
    holidays: frozenset = field(default_factory=frozenset)
    extra_workdays: frozenset = field(default_factory=frozenset)
    unclaimed_minutes: float = 10
    presence_seconds: float = 60
    message_ack_seconds: float = 120
    context_messages: int = 30
    sweep_seconds: float = 15

    @classmethod
    def load(cls, settings: Settings | None = None) -> "HandoffSettings":
        data = yaml.safe_load(CONFIG_FILE.read_text(encoding="utf-8")) or {}
        overrides = dict(((settings.extra if settings else None) or {}).get("handoff") or {})
        hours = dict(data.get("office_hours") or {})
        hours.update(overrides.pop("office_hours", None) or {})
        data.update(overrides)
        days = tuple(sorted(WEEKDAYS.index(str(d).lower()[:3]) for d in hours.get("days", WEEKDAYS[:5])))
        return cls(
            utc_offset_hours=float(data.get("utc_offset_hours", cls.utc_offset_hours)),
            days=days,
            start=_time(hours.get("start", "09:00")),
            end=_time(hours.get("end", "17:30")),
            holidays=_dates(hours.get("holidays")),
            extra_workdays=_dates(hours.get("extra_workdays")),
            unclaimed_minutes=float(data.get("unclaimed_minutes", cls.unclaimed_minutes)),
            presence_seconds=float(data.get("presence_seconds", cls.presence_seconds)),
            message_ack_seconds=float(data.get("message_ack_seconds", cls.message_ack_seconds)),
            context_messages=int(data.get("context_messages", cls.context_messages)),
            sweep_seconds=float(data.get("sweep_seconds", cls.sweep_seconds)),
        )
