"""Working time and time limits over China's statutory holidays and make-up days (chinese-calendar)."""
from __future__ import annotations

import datetime as dt

import pytest

from unionkit.timelimits import TimeLimits
from unionkit.worktime import WorkCalendar

CAL = WorkCalendar()  # Mon-Fri 9:00-17:30, China time
TZ = CAL.tz


def at(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=TZ)


def test_a_working_day_runs_over_the_national_day_break():
    # 2026-09-30 (Wed) 10:00 + one working day: 7.5 h that day, the rest after 1-7 October.
    assert CAL.add(at(2026, 9, 30, 10), CAL.day_length) == at(2026, 10, 8, 10)


def test_a_make_up_saturday_counts_and_a_holiday_monday_does_not():
    # 2026-10-10 is a Saturday worked in exchange for the holiday (调休); 2026-10-05 is a holiday Monday.
    assert CAL.is_workday(dt.date(2026, 10, 10)) and not CAL.is_workday(dt.date(2026, 10, 5))
    assert CAL.add(at(2026, 10, 9, 17), dt.timedelta(hours=2)) == at(2026, 10, 10, 10, 30)
    assert not CAL.is_workday(dt.date(2026, 10, 11))


def test_time_outside_office_hours_does_not_count():
    assert CAL.add(at(2026, 12, 5, 11), dt.timedelta(hours=2)) == at(2026, 12, 7, 11)  # Saturday -> Monday
    assert CAL.add(at(2026, 12, 7, 7), dt.timedelta(hours=1)) == at(2026, 12, 7, 10)  # before opening
    assert CAL.add(at(2026, 12, 7, 20), dt.timedelta(hours=1)) == at(2026, 12, 8, 10)  # after closing
    # naive means UTC: 02:00 UTC is 10:00 in Beijing
    assert CAL.add(dt.datetime(2026, 12, 7, 2), dt.timedelta(hours=1)) == at(2026, 12, 7, 11)


def test_configured_extra_holidays_and_workdays():
    cal = WorkCalendar(holidays=frozenset({dt.date(2026, 12, 7)}), extra_workdays=frozenset({dt.date(2026, 12, 6)}))
    assert cal.add(at(2026, 12, 5, 12), dt.timedelta(hours=1)) == at(2026, 12, 6, 10)
    assert not cal.is_workday(dt.date(2026, 12, 7))


@pytest.mark.parametrize("kind,type_,priority,due", [
    ("membership", None, None, at(2026, 10, 10, 10)),          # 3 working days: 9/30, 10/8, 10/9, to Sat 10/10
    ("case", "legal_aid", "normal", at(2026, 9, 30, 14)),      # 4 working hours
    ("case", "wage_arrears", "normal", at(2026, 10, 8, 10)),   # 1 working day
    ("case", "work_injury", "urgent", at(2026, 9, 30, 12)),    # urgent: 2 working hours
    ("case", "hardship_aid", "normal", at(2026, 10, 10, 10)),  # 3 working days
    ("founding", None, None, at(2026, 10, 13, 10)),            # 5 working days
    ("suggestion", None, None, at(2026, 10, 20, 10)),          # 10 working days
])
def test_the_configured_limits(kind, type_, priority, due):
    limits = TimeLimits.load(calendar=CAL)
    assert limits.due_at(kind, at(2026, 9, 30, 10), type_, priority) == due.astimezone(dt.timezone.utc)


def test_teams_of_records():
    limits = TimeLimits.load(calendar=CAL)
    assert limits.team("case", "legal_aid") == "legal" and limits.team("case", "hardship_aid") == "hardship"
    assert limits.team("membership") == "general"
