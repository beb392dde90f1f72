"""Office hours of the human service: open now?, when does it open next, and how to say so."""
from __future__ import annotations

import datetime as dt

from unionkit import texts
from unionkit.worktime import WorkCalendar
from bot.handoff.settings import HandoffSettings

# How far ahead to look for the next opening (a long public holiday is at most ~9 days).
_LOOKAHEAD_DAYS = 31


class OfficeHours:
    def __init__(self, cfg: HandoffSettings):
        self.cfg = cfg
        # The same working days as the case desk's time limits (unionkit/worktime.py).
        self.calendar = WorkCalendar(utc_offset_hours=cfg.utc_offset_hours, days=cfg.days, start=cfg.start,
                                     end=cfg.end, holidays=cfg.holidays, extra_workdays=cfg.extra_workdays)
        self.tz = self.calendar.tz

    def local(self, now: dt.datetime) -> dt.datetime:
        """`now` (aware, or naive UTC) in the office's time zone."""
        if now.tzinfo is None:
            now = now.replace(tzinfo=dt.timezone.utc)
        return now.astimezone(self.tz)

    def is_workday(self, day: dt.date) -> bool:
        """The office's days, less China's statutory holidays, plus its make-up working days
        (unionkit/workdays.py); config/handoff.yml may add closed days and extra working days."""
        return self.calendar.is_workday(day)

    def is_open(self, now: dt.datetime) -> bool:
        local = self.local(now)
        return self.is_workday(local.date()) and self.cfg.start <= local.time() < self.cfg.end

    def opened_at(self, now: dt.datetime) -> dt.datetime | None:
        """When the current opening began (aware), or None when closed."""
        if not self.is_open(now):
            return None
        local = self.local(now)
        return dt.datetime.combine(local.date(), self.cfg.start, tzinfo=self.tz)

    def next_open(self, now: dt.datetime) -> dt.datetime:
        """The next moment the service opens (aware, office time); `now` itself when open."""
        local = self.local(now)
        if self.is_open(now):
            return local
        for offset in range(_LOOKAHEAD_DAYS + 1):
            day = local.date() + dt.timedelta(days=offset)
            opening = dt.datetime.combine(day, self.cfg.start, tzinfo=self.tz)
            if self.is_workday(day) and opening > local:
                return opening
        raise ValueError("no working day configured within a month")

    # ---- words for the worker (texts from bot/domain/handoff.yml) ------------------------
    def describe(self) -> str:
        """E.g. 工作日 9:00–17:30."""
        start, end = _clock(self.cfg.start), _clock(self.cfg.end)
        if self.cfg.days == (0, 1, 2, 3, 4):
            return texts.text("utter_handoff_hours_workdays", start=start, end=end)
        names = _weekday_names()
        days = "、".join(names[d] for d in self.cfg.days)
        return texts.text("utter_handoff_hours_days", days=days, start=start, end=end)

    def when_open(self, now: dt.datetime) -> str:
        """E.g. 今天 9:00, 明天（周二）9:00, 10月8日（周三）9:00."""
        local = self.local(now)
        opening = self.next_open(now)
        time = _clock(opening.time())
        weekday = _weekday_names()[opening.weekday()]
        days_ahead = (opening.date() - local.date()).days
        if days_ahead == 0:
            return texts.text("utter_handoff_when_today", time=time)
        if days_ahead == 1:
            return texts.text("utter_handoff_when_tomorrow", weekday=weekday, time=time)
        return texts.text("utter_handoff_when_later", month=opening.month, day=opening.day,
                          weekday=weekday, time=time)


def _clock(t: dt.time) -> str:
    return f"{t.hour}:{t.minute:02d}"


def _weekday_names() -> list[str]:
    return texts.text("utter_handoff_weekdays").split()
