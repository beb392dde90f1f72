"""Skills training sign-up (技能培训报名): the courses the back end offers as buttons (date, seats
left), then name and phone. A full course offers the waiting list or another course. Seats and
"one phone once per course" are enforced by the back end (locked enrollments), not here.

The course list is fetched once when the conversation starts and kept in a slot, so the form's
turns make no back-end calls; the back end has the last word when the enrollment is posted.
"""
from __future__ import annotations

import datetime as dt
import re
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import services
from unionkit.backend_client import BackendRejected, BackendUnavailable
from actions.cases import ServiceForm, channel_fields, is_name, latest_text, reset_slots
from actions.extract import parse_yes_no
from actions.kept_forms import resume
from actions.replies import looks_like_question
from unionkit.numbers import new_number
from unionkit.texts import text

FORM = "training_form"
MAX_BUTTONS = 8
# Words every title shares: matching on them would pick every course.
_COMMON_BIGRAMS = {"培训", "技能", "课程", "职工", "基础", "证培", "技能培", "能培"}
_COURSE_ID_RE = re.compile(r'"?course_id"?\s*[:=]\s*"?(\d+)')


def fetch_courses() -> list[dict] | None:
    """Upcoming courses (id, title, starts_on, location, seats_left), or None when the back end is down."""
    try:
        items = services.backend().list("/v1/courses", upcoming="1")
    except (BackendUnavailable, BackendRejected):
        return None
    return [{key: item.get(key) for key in ("id", "title", "starts_on", "location", "seats_left")}
            for item in items]


def _date(iso: str | None) -> str:
    if not iso:
        return ""
    day = dt.date.fromisoformat(iso)
    return f"{day.month}月{day.day}日"


def course_button(course: dict) -> dict:
    name = "utter_training_option" if course["seats_left"] > 0 else "utter_training_option_full"
    title = text(name, title=course["title"], date=_date(course["starts_on"]), seats=course["seats_left"])
    return {"title": title, "payload": '/training_signup{"course_id": "%s"}' % course["id"]}


def match_courses(words: str, courses: list[dict]) -> list[dict]:
    """Courses the worker named: by id (a button) or by a word of the title (电工, 育婴, 骑手)."""
    found = _COURSE_ID_RE.search(words) or re.fullmatch(r"\s*(\d{1,6})\s*", words)
    if found:
        return [c for c in courses if str(c["id"]) == found.group(1)]
    matches = []
    for course in courses:
        title = course["title"]
        bigrams = {title[i:i + 2] for i in range(len(title) - 1)} - _COMMON_BIGRAMS
        if title in words or any(b in words for b in bigrams if re.fullmatch(r"[\u4e00-\u9fff]{2}", b)):
            matches.append(course)
    return matches


def chosen(tracker: Tracker) -> dict | None:
    course_id = tracker.get_slot("tr_course")
    for course in tracker.get_slot("tr_courses") or []:
        if str(course["id"]) == str(course_id):
            return course
    return None


class ActionStartTraining(Action):
    def name(self) -> str:
        return "action_start_training"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list:
        resumed = resume(dispatcher, tracker, FORM)
        if resumed is not None:
            return resumed  # left for another service: back where it was, with the courses fetched then
        courses = fetch_courses()
        events: list = [SlotSet("slot_failures", None), SlotSet("tr_courses", courses or [])]
        if not courses:
            dispatcher.utter_message(response="utter_training_no_courses" if courses == []
                                     else "utter_training_unavailable")
            return events + [SlotSet("tr_unavailable", True)]
        events.append(SlotSet("tr_unavailable", None))
        matches = match_courses(latest_text(tracker), courses)
        if len(matches) == 1:
            events.append(SlotSet("tr_course", matches[0]["id"]))
        return events


class ActionAskTrCourse(Action):
    """The course question: one button per course, with its date and the seats left."""

    def name(self) -> str:
        return "action_ask_tr_course"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list:
        courses = tracker.get_slot("tr_courses") or []
        dispatcher.utter_message(response="utter_ask_tr_course",
                                 buttons=[course_button(c) for c in courses[:MAX_BUTTONS]])
        return []


class ValidateTrainingForm(ServiceForm):
    # Any words that are not a question try to name a course (the validator says which are known).
    answer_parsers = {"tr_course": lambda text: not looks_like_question(text), "tr_name": is_name,
                      "tr_waitlist": lambda text: "候补" in text or "其他" in text or parse_yes_no(text)}

    def name(self) -> str:
        return "validate_training_form"

    async def required_slots(self, domain_slots: list[str], dispatcher: CollectingDispatcher,
                             tracker: Tracker, domain: DomainDict) -> list[str]:
        if tracker.get_slot("tr_unavailable"):
            return []  # nothing to sign up for: the submit action explains
        course = chosen(tracker)
        if course and course["seats_left"] <= 0:
            return ["tr_course", "tr_waitlist", "tr_name", "contact_phone"]
        return ["tr_course", "tr_name", "contact_phone"]

    def validate_tr_course(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                           domain: DomainDict) -> dict[str, Any]:
        courses = tracker.get_slot("tr_courses") or []
        matches = match_courses(str(value), courses)
        if len(matches) != 1:
            return self.reject("tr_course", "unknown" if not matches else "ambiguous", dispatcher, tracker)
        course = matches[0]
        if course["seats_left"] <= 0:
            dispatcher.utter_message(response="utter_training_course_full", title=course["title"])
        return {"tr_course": course["id"]}

    def validate_tr_waitlist(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                             domain: DomainDict) -> dict[str, Any]:
        answer = str(value)
        if "其他" in answer or "别的" in answer or parse_yes_no(answer) == "no":
            return {"tr_course": None, "tr_waitlist": None}  # back to the list
        if "候补" in answer or parse_yes_no(answer) == "yes":
            return {"tr_waitlist": True}
        return self.reject("tr_waitlist", "format", dispatcher, tracker)

    def validate_tr_name(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                         domain: DomainDict) -> dict[str, Any]:
        return self.person_name("tr_name", value, dispatcher, tracker)


class ActionSubmitTraining(Action):
    def name(self) -> str:
        return "action_submit_training"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list:
        events = reset_slots(domain, FORM, "tr_courses", "tr_unavailable")
        course = chosen(tracker)
        if tracker.get_slot("tr_unavailable") or course is None:
            return events
        body = {"number": new_number("enrollment"), "name": tracker.get_slot("tr_name"),
                "phone": tracker.get_slot("contact_phone"), "waitlist": bool(tracker.get_slot("tr_waitlist")),
                **channel_fields(tracker)}
        path = f"/v1/courses/{course['id']}/enrollments"
        try:
            record, queued = services.submit(path, body)
        except BackendRejected as exc:
            error = exc.body.get("error")
            if error == "already_enrolled":
                dispatcher.utter_message(response="utter_training_already_enrolled", title=course["title"],
                                         number=exc.body.get("number", ""))
                return events
            if error != "course_full":
                dispatcher.utter_message(response="utter_training_course_gone", title=course["title"])
                return events
            # The last seat went while the worker was typing: the waiting list keeps their place.
            record, queued = services.submit(path, dict(body, waitlist=True))
        status = record.get("status", "enrolled")
        response = ("utter_training_queued" if queued else
                    "utter_training_waitlisted" if status == "waitlisted" else "utter_training_enrolled")
        dispatcher.utter_message(response=response, number=record["number"], title=course["title"],
                                 date=_date(course["starts_on"]), location=course.get("location") or "")
        return events + [SlotSet("last_reference_number", record["number"])]
