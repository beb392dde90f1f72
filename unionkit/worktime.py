"""Working time: the office's days and hours (config/handoff.yml, the same ones the human service
keeps) less China's statutory holidays, plus the make-up working days (unionkit/workdays.py,
chinese-calendar). `add()` answers "N working hours/days after this moment", which is how every
time limit of the case desk is counted."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from unionkit import workdays

HANDOFF_FILE = Path(__file__).resolve().parent.parent / "config" / "handoff.yml"
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
# A long public holiday is at most ~9 days; a month without a working day is a configuration error.
_LOOKAHEAD_DAYS = 31


def _time(value) -> dt.time:
    if isinstance(value, dt.time):
        return value
    hours, _, minutes = str(value).partition(":")
    return dt.time(int(hours), int(minutes or 0))


def _dates(values) -> frozenset:
    return frozenset(v if isinstance(v, dt.date) else dt.date.fromisoformat(str(v)) for v in values or [])


@dataclass(frozen=True)
class WorkCalendar:
    utc_offset_hours: float = 8
    days: tuple = (0, 1, 2, 3, 4)  # Monday = 0
    start: dt.time = dt.time(9, 0)
    end: dt.time = dt.time(17, 30)
    holidays: frozenset = field(default_factory=frozenset)
    extra_workdays: frozenset = field(default_factory=frozenset)

    @classmethod
    def from_mapping(cls, data: dict) -> "WorkCalendar":
        """From config/handoff.yml's shape: utc_offset_hours and office_hours {days, start, end, ...}."""
        hours = data.get("office_hours") or {}
        days = tuple(sorted(WEEKDAYS.index(str(d).lower()[:3]) for d in hours.get("days", WEEKDAYS[:5])))
        return cls(utc_offset_hours=float(data.get("utc_offset_hours", 8)), days=days,
                   start=_time(hours.get("start", "09:00")), end=_time(hours.get("end", "17:30")),
                   holidays=_dates(hours.get("holidays")), extra_workdays=_dates(hours.get("extra_workdays")))

    @classmethod
    def load(cls, path: Path = HANDOFF_FILE) -> "WorkCalendar":
        return cls.from_mapping(yaml.safe_load(path.read_text(encoding="utf-8")) or {})

    @property
    def tz(self) -> dt.timezone:
        return dt.timezone(dt.timedelta(hours=self.utc_offset_hours))

    @property
    def day_length(self) -> dt.timedelta:
        """One working day: a full office day."""
        return _on(dt.date(2000, 1, 3), self.end) - _on(dt.date(2000, 1, 3), self.start)

    def local(self, moment: dt.datetime) -> dt.datetime:
        if moment.tzinfo is None:  # naive means UTC (SQLite hands those back)
            moment = moment.replace(tzinfo=dt.timezone.utc)
        return moment.astimezone(self.tz)

    def is_workday(self, day: dt.date) -> bool:
        """The office's days, less statutory holidays, plus make-up working days (调休); the
        configured extra holidays and working days on top."""
        if day in self.extra_workdays:
            return True
        if day in self.holidays or workdays.is_statutory_holiday(day):
            return False
        return day.weekday() in self.days or workdays.is_makeup_workday(day)

    def add(self, moment: dt.datetime, working: dt.timedelta) -> dt.datetime:
        """The moment `working` office time after `moment` (aware, office time zone). Time outside
        office hours does not count: a request filed on a Saturday starts counting on Monday 9:00."""
        local = self.local(moment)
        left = working
        for _ in range(_LOOKAHEAD_DAYS * 400):  # bounded: each pass ends a day or returns
            day = local.date()
            opening = dt.datetime.combine(day, self.start, tzinfo=self.tz)
            closing = dt.datetime.combine(day, self.end, tzinfo=self.tz)
            if self.is_workday(day) and local < closing:
                local = max(local, opening)
                if local + left <= closing:
                    return local + left
                left -= closing - local
            local = self._next_opening(day)
        raise ValueError("no working day configured within a month")

    def _next_opening(self, day: dt.date) -> dt.datetime:
        for offset in range(1, _LOOKAHEAD_DAYS + 1):
            candidate = day + dt.timedelta(days=offset)
            if self.is_workday(candidate):
                return dt.datetime.combine(candidate, self.start, tzinfo=self.tz)
        raise ValueError("no working day configured within a month")


def _on(day: dt.date, time: dt.time) -> dt.datetime:
    return dt.datetime.combine(day, time)
