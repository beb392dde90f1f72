"""Working days in mainland China: the statutory public holidays and the make-up working days
(调休) the State Council announces each year, from the chinese-calendar library (its data is
updated every November for the next year; keep the pin fresh). For a year it has no data for yet,
days fall back to Monday-Friday, with a warning in the log.
"""
from __future__ import annotations

import datetime as dt
import logging
from functools import lru_cache

import chinese_calendar

log = logging.getLogger(__name__)

SPRING_FESTIVAL = "Spring Festival"  # chinese_calendar.Holiday.spring_festival's name


@lru_cache(maxsize=64)
def _known(year: int) -> bool:
    try:
        chinese_calendar.is_workday(dt.date(year, 6, 1))
        return True
    except NotImplementedError:
        log.warning("chinese-calendar has no holidays for %s yet: counting Monday-Friday only", year)
        return False


def holiday_name(day: dt.date) -> str | None:
    """The statutory holiday `day` belongs to (e.g. "National Day"), or None (also for a weekend)."""
    if not _known(day.year):
        return None
    on_holiday, name = chinese_calendar.get_holiday_detail(day)
    return name if on_holiday and name else None


def is_statutory_holiday(day: dt.date) -> bool:
    return holiday_name(day) is not None


def is_makeup_workday(day: dt.date) -> bool:
    """A Saturday or Sunday that is worked in exchange for a holiday (调休)."""
    return day.weekday() >= 5 and _known(day.year) and chinese_calendar.is_workday(day)


def is_workday(day: dt.date) -> bool:
    if _known(day.year):
        return chinese_calendar.is_workday(day)
    return day.weekday() < 5


def next_holiday(day: dt.date, within_days: int) -> tuple[dt.date, str] | None:
    """The first statutory holiday from `day` on within `within_days` days, with its name."""
    for offset in range(within_days + 1):
        candidate = day + dt.timedelta(days=offset)
        name = holiday_name(candidate)
        if name:
            return candidate, name
    return None
