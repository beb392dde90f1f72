"""The case desk's time limits and teams (config/desk.yml): which limit applies to a record and
when it is due, counted in working time (unionkit/worktime.py)."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import yaml

from unionkit.worktime import WorkCalendar

DESK_FILE = Path(__file__).resolve().parent.parent / "config" / "desk.yml"


@dataclass(frozen=True)
class Limit:
    working_days: float = 0
    working_hours: float = 0

    @classmethod
    def parse(cls, data: dict) -> "Limit":
        limit = cls(float(data.get("working_days", 0)), float(data.get("working_hours", 0)))
        if limit.working_days <= 0 and limit.working_hours <= 0:
            raise ValueError(f"a time limit needs working_days or working_hours: {data!r}")
        return limit

    def working_time(self, calendar: WorkCalendar) -> dt.timedelta:
        return calendar.day_length * self.working_days + dt.timedelta(hours=self.working_hours)


class TimeLimits:
    def __init__(self, data: dict, calendar: WorkCalendar):
        self.calendar = calendar
        limits = data.get("time_limits") or {}
        self._cases = {k: Limit.parse(v) for k, v in (limits.get("cases") or {}).items()}
        self._urgent = Limit.parse(limits["urgent"]) if limits.get("urgent") else None
        self._kinds = {k: Limit.parse(v) for k, v in limits.items() if k not in ("cases", "urgent")}
        teams = data.get("teams") or {}
        self._case_teams = dict(teams.get("cases") or {})
        self._teams = {k: v for k, v in teams.items() if k != "cases"}

    @classmethod
    def load(cls, path: Path = DESK_FILE, calendar: WorkCalendar | None = None) -> "TimeLimits":
        return cls(yaml.safe_load(path.read_text(encoding="utf-8")) or {}, calendar or WorkCalendar.load())

    def limit(self, kind: str, type_: str | None = None, priority: str | None = None) -> Limit:
        if kind == "case":
            if priority == "urgent" and self._urgent:
                return self._urgent
            if type_ in self._cases:
                return self._cases[type_]
        if kind in self._kinds:
            return self._kinds[kind]
        raise KeyError(f"no time limit configured for {kind}/{type_}")

    def due_at(self, kind: str, created_at: dt.datetime, type_: str | None = None,
               priority: str | None = None) -> dt.datetime:
        working = self.limit(kind, type_, priority).working_time(self.calendar)
        return self.calendar.add(created_at, working).astimezone(dt.timezone.utc)

    def team(self, kind: str, type_: str | None = None) -> str:
        if kind == "case" and type_ in self._case_teams:
            return self._case_teams[type_]
        return self._teams.get(kind, "general")


def desk_config(path: Path = DESK_FILE) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8")) or {}


def status_words(path: Path = DESK_FILE) -> dict[str, str]:
    """Statuses in plain words (config/desk.yml status_words)."""
    return dict(desk_config(path).get("status_words") or {})
