"""Office hours (default 9:00–17:30 Monday to Friday, China time) and what an off-hours worker
hears; the worker's message left at night is kept and shown to the first officer who logs in."""
from __future__ import annotations

import datetime as dt
import re

from unionkit import texts
from bot.handoff.hours import OfficeHours
from bot.handoff.settings import HandoffSettings
from config.settings import Settings
from tests.integration.test_handoff_service import (  # noqa: F401  (fixture)
    CHINA, SATURDAY_3, Worker, create_account, handoff_app, said)


def at(y, mo, d, h, mi=0) -> dt.datetime:
    return dt.datetime(y, mo, d, h, mi, tzinfo=CHINA)


def test_default_hours_are_working_days_nine_to_half_past_five():
    hours = OfficeHours(HandoffSettings.load())
    assert hours.is_open(at(2026, 11, 25, 9, 0)) and hours.is_open(at(2026, 11, 25, 17, 29))
    assert not hours.is_open(at(2026, 11, 25, 8, 59)) and not hours.is_open(at(2026, 11, 25, 17, 30))
    assert not hours.is_open(at(2026, 11, 28, 10))  # Saturday
    # The clock may be in any zone: 02:00 UTC is 10:00 in China.
    assert hours.is_open(dt.datetime(2026, 11, 25, 2, 0, tzinfo=dt.timezone.utc))
    assert hours.describe() == texts.text("utter_handoff_hours_workdays", start="9:00", end="17:30")

    weekdays = texts.text("utter_handoff_weekdays").split()
    assert hours.when_open(at(2026, 11, 25, 7)) == texts.text("utter_handoff_when_today", time="9:00")
    assert hours.when_open(at(2026, 11, 25, 18)) == texts.text("utter_handoff_when_tomorrow", weekday=weekdays[3],
                                                                time="9:00")
    assert hours.when_open(at(2026, 11, 27, 18)) == texts.text("utter_handoff_when_later", month=11, day=30,
                                                                weekday=weekdays[0], time="9:00")


def test_hours_holidays_and_make_up_days_are_configurable():
    settings = Settings(extra={"handoff": {"office_hours": {
        "days": ["mon", "tue", "wed", "thu", "fri", "sat"], "start": "08:30", "end": "12:00",
        "holidays": ["2026-10-01", "2026-10-02"], "extra_workdays": ["2026-10-11"]}, "unclaimed_minutes": 5}})
    cfg = HandoffSettings.load(settings)
    hours = OfficeHours(cfg)
    assert cfg.unclaimed_minutes == 5
    assert hours.is_open(at(2026, 11, 28, 9)) and not hours.is_open(at(2026, 11, 28, 12, 30))  # Saturday
    assert not hours.is_open(at(2026, 10, 1, 9)) and hours.is_open(at(2026, 10, 11, 9))  # holiday, Sunday worked
    # The statutory National Day holiday (1-7 October 2026) is closed even on an office day (Saturday).
    assert hours.next_open(at(2026, 9, 30, 13)) == at(2026, 10, 8, 8, 30)
    assert "周六" in hours.describe() and "8:30" in hours.describe()


def test_statutory_holidays_and_make_up_working_days_count():
    hours = OfficeHours(HandoffSettings.load())
    assert not hours.is_workday(dt.date(2026, 10, 1))   # National Day, a Thursday
    assert hours.is_workday(dt.date(2026, 10, 10))      # a make-up Saturday (调休)
    assert not hours.is_open(at(2026, 10, 1, 10)) and hours.is_open(at(2026, 10, 10, 10))
    assert hours.next_open(at(2026, 9, 30, 18)) == at(2026, 10, 8, 9)


def test_a_message_left_at_night_waits_for_the_first_officer(handoff_app):
    app, clock = handoff_app(at=SATURDAY_3)
    worker = Worker(app)
    worker.say("转人工")
    [reply] = worker.ask_for_person()["replies"]
    told = reply.text
    assert told.startswith(texts.text("utter_handoff_off_hours", hours="@", when="@").split("@")[0])
    # When a person answers (Monday 9:00), the hotline, and that a message may be left.
    assert "11月30日（周一）9:00" in told and "12351" in told and "留言" in told

    kept = worker.say("我在工地摔伤了腿，老板不给报工伤，周一能帮我吗")
    assert len(kept) == 1 and "11月30日（周一）9:00" in kept[0]["text"] and "12351" in kept[0]["text"]

    # Monday morning: the first officer logs in through the login page and opens the console.
    clock.at = dt.datetime(2026, 11, 30, 9, 2, tzinfo=CHINA)
    create_account(app, "wang", password="s3cret-pass")
    officer = app.test_client()
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"',
                      officer.get("/login").get_data(as_text=True)).group(1)
    officer.post("/login", data={"name": "wang", "password": "s3cret-pass", "csrf_token": token})
    assert officer.get("/console").status_code == 200
    [waiting] = officer.get("/api/console/handoffs").get_json()
    assert waiting["preview"] == "我在工地摔伤了腿，老板不给报工伤，周一能帮我吗"
    assert waiting["waiting_seconds"] == (2 * 24 + 6) * 3600 + 2 * 60  # since Saturday 03:00
    detail = officer.get(f"/api/console/handoffs/{waiting['id']}").get_json()
    assert [m["text"] for m in detail["transcript"] if m["role"] == "user"] == [
        "转人工", "我在工地摔伤了腿，老板不给报工伤，周一能帮我吗"]
