"""China's working days from chinese-calendar (unionkit/workdays.py) and the wage form's holiday run-up."""
import datetime as dt

from actions.wage_arrears import before_holiday
from unionkit import workdays


def test_national_day_is_not_a_working_day_and_a_make_up_saturday_is():
    assert not workdays.is_workday(dt.date(2026, 10, 1))
    assert workdays.holiday_name(dt.date(2026, 10, 1)) == "National Day"
    assert workdays.is_workday(dt.date(2026, 10, 10)) and workdays.is_makeup_workday(dt.date(2026, 10, 10))
    assert not workdays.is_workday(dt.date(2026, 11, 28))  # an ordinary Saturday
    assert workdays.is_workday(dt.date(2026, 11, 25))


def test_a_year_without_data_counts_monday_to_friday():
    assert workdays.is_workday(dt.date(2031, 1, 6)) and not workdays.is_workday(dt.date(2031, 1, 5))
    assert workdays.holiday_name(dt.date(2031, 1, 1)) is None


def test_the_run_up_to_a_holiday():
    assert before_holiday(dt.date(2026, 1, 20))      # Spring Festival holiday from 15 February 2026
    assert not before_holiday(dt.date(2026, 1, 10))  # over a month before it (New Year is past)
    assert before_holiday(dt.date(2026, 9, 26))      # a week before National Day
    assert not before_holiday(dt.date(2026, 9, 10))
