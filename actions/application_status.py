"""Where are my applications? (查询进度)

A worker sees what was submitted from this same chat (WeChat openid or web session: the records'
`channel_user`), including submissions still waiting in the outbox. Anything else only with the
ID number AND the phone on file of a membership application, both matching: an ID number alone
reveals nothing, not even whether it is known.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import services
from unionkit.backend_client import BackendRejected, BackendUnavailable
from actions.cases import ServiceForm, reset_slots
from actions.extract import extract_id_number, extract_phone, parse_yes_no
from actions.validators import check_id_number, check_phone
from unionkit import notices_config, timelimits
from unionkit.numbers import CHINA_TZ
from unionkit.texts import text

FORM = "status_lookup_form"
MEMBERSHIP = "/v1/membership-applications"
# Record lists that take the channel_user and phone filters, and the kind each one holds.
SOURCES = ((MEMBERSHIP, "membership"), ("/v1/cases", "case"),
           ("/v1/union-founding-requests", "founding"), ("/v1/suggestions", "suggestion"))
SHOWN = 10


def _kind(path: str, record: dict) -> str:
    if path == "/v1/cases":
        return record.get("type") or "case"
    if path.endswith("/enrollments"):
        return "enrollment"
    return dict(SOURCES).get(path, "record")


def find_records(**filters: str) -> list[tuple[str, dict]]:
    """Every record matching the filters (channel_user=..., or phone=...), newest first.
    Raises BackendUnavailable when the back end does not answer."""
    backend = services.backend()
    found = []
    for path, _kind_name in SOURCES:
        found += [(_kind(path, r), r) for r in backend.list(path, limit=SHOWN, **filters)]
    for course in backend.list("/v1/courses"):
        path = f"/v1/courses/{course['id']}/enrollments"
        found += [("enrollment", dict(r, course=course["title"])) for r in backend.list(path, limit=SHOWN, **filters)]
    return sorted(found, key=lambda kr: kr[1].get("created_at") or "", reverse=True)


def queued_records(channel_user: str) -> list[tuple[str, dict]]:
    """Submissions from this chat that still wait in the outbox (the back end was down)."""
    waiting = []
    for item in services.outbox().pending():
        body = item["body"]
        if body.get("channel_user") == channel_user:
            waiting.append((_kind(item["path"], body), dict(body, status="queued")))
    return waiting


def status_in_words(status: str) -> str:
    """The desk's plain words (config/desk.yml), the same the notices use; "queued" is ours."""
    if status == "queued":
        return text("utter_status_state_queued")
    return timelimits.status_words().get(status, status)


def _due(record: dict) -> str:
    """By when the union finishes it (open records only), in China time."""
    if not record.get("due_at") or not record.get("next_statuses"):
        return ""
    due = datetime.fromisoformat(record["due_at"]).astimezone(CHINA_TZ)
    return notices_config.text("progress_due", due=f"{due.month}月{due.day}日 {due:%H:%M}")


def _last(record: dict) -> str:
    message = record.get("last_message") or {}
    words = (message.get("text") or "").strip()
    if not words:
        return ""
    return notices_config.text("progress_last", text=words if len(words) <= 60 else words[:59] + "…")


def render(records: list[tuple[str, dict]]) -> str:
    """One line per record: its kind, number, status in words, due time and the union's last message."""
    lines = []
    for kind, record in records[:SHOWN]:
        status = record.get("status") or "received"
        label = text(f"utter_status_kind_{kind}")
        if kind == "enrollment" and record.get("course"):
            label = f"{label}（{record['course']}）"
        lines.append(notices_config.text("progress_line", kind=label, number=record["number"],
                                         status=status_in_words(status), due=_due(record), last=_last(record)))
    return "\n".join(lines)


def list_chat_records(dispatcher: CollectingDispatcher, tracker: Tracker) -> bool:
    """Tells the records submitted from this chat; False when there are none (nothing said)."""
    records = queued_records(tracker.sender_id)
    queued_numbers = {r["number"] for _k, r in records}
    try:
        records += [(k, r) for k, r in find_records(channel_user=tracker.sender_id)
                    if r["number"] not in queued_numbers]
    except (BackendUnavailable, BackendRejected):
        if not records:
            dispatcher.utter_message(response="utter_status_unavailable")
            return True
    if records:
        dispatcher.utter_message(response="utter_status_list", items=render(records))
        return True
    return False


class ActionCheckStatus(Action):
    """The records submitted from this chat; none found -> the ID + phone look-up form follows."""

    def name(self) -> str:
        return "action_check_status"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list:
        return [SlotSet("status_found", list_chat_records(dispatcher, tracker))]


class ValidateStatusLookupForm(ServiceForm):
    watches_for_urgent = False

    def name(self) -> str:
        return "validate_status_lookup_form"

    answer_parsers = {"st_consent": parse_yes_no, "st_id_number": extract_id_number, "st_phone": extract_phone}

    async def required_slots(self, domain_slots: list[str], dispatcher: CollectingDispatcher,
                             tracker: Tracker, domain: DomainDict) -> list[str]:
        if tracker.get_slot("st_consent") is False:
            return []
        return domain_slots

    def validate_st_consent(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                            domain: DomainDict) -> dict[str, Any]:
        return self.yes_no("st_consent", value, dispatcher, tracker, allow_unknown=False, as_bool=True)

    def validate_st_id_number(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                              domain: DomainDict) -> dict[str, Any]:
        id_number, problem = check_id_number(extract_id_number(str(value)) or str(value))
        if problem:
            return self.reject("st_id_number", problem, dispatcher, tracker)
        return {"st_id_number": id_number}

    def validate_st_phone(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                          domain: DomainDict) -> dict[str, Any]:
        phone, problem = check_phone(str(value))
        if problem:
            return self.reject("st_phone", problem, dispatcher, tracker)
        return {"st_phone": phone}


class ActionStatusByIdNumber(Action):
    """Records of the person whose membership application has this ID number AND this phone."""

    def name(self) -> str:
        return "action_status_by_id_number"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list:
        events = reset_slots(domain, FORM, "status_found")
        if tracker.get_slot("st_consent") is False:
            dispatcher.utter_message(response="utter_status_no_consent")
            return events
        id_number, phone = tracker.get_slot("st_id_number"), tracker.get_slot("st_phone")
        if not id_number or not phone:
            return events
        try:
            # Both filters at once: the back end returns only applications matching both.
            verified = services.backend().list(MEMBERSHIP, id_number=id_number, phone=phone)
            verified = [a for a in verified if a.get("id_number", "")[-4:] == id_number[-4:]]
            records = find_records(phone=phone) if verified else []
        except (BackendUnavailable, BackendRejected):
            dispatcher.utter_message(response="utter_status_unavailable")
            return events
        if not records:
            dispatcher.utter_message(response="utter_status_none_matching")
            return events
        dispatcher.utter_message(response="utter_status_list", items=render(records))
        return events
