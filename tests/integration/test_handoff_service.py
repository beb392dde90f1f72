"""Handoff, gateway side, on a real Redis and a real database: the action (run by rasa_sdk's
executor, as the action server runs it) sends the handoff payload, the gateway acts on it as on
Rasa's answer and queues the chat, the router keeps a handed-over chat away from Rasa, the
queue orders urgent first, unclaimed chats are flagged once, closing gives the chat back.

Rasa is not running here (RASA_DOWN): a message that reached Rasa would be answered with the
"service busy" text, so its absence shows the router kept the message. The live Rasa server is
exercised in tests/e2e/test_handoff_e2e.py. The helpers here are shared by the other
test_handoff_* files.
"""
from __future__ import annotations

import datetime as dt
import re

import asyncio
from concurrent.futures import ThreadPoolExecutor

import pytest
import redis
from rasa_sdk.executor import ActionExecutor

from actions.handoff import ActionHandoff

from unionkit import texts
from bot.handoff.models import Handoff
from bot.models import Message
from config.database import Session

RASA_DOWN = "http://127.0.0.1:9"  # nothing listens on the discard port
CHINA = dt.timezone(dt.timedelta(hours=8))
WEDNESDAY_10 = dt.datetime(2026, 11, 25, 10, 0, tzinfo=CHINA)
SATURDAY_3 = dt.datetime(2026, 11, 28, 3, 0, tzinfo=CHINA)


class Clock:
    """The handoff service's idea of now, moved by the test instead of waiting."""

    def __init__(self, at: dt.datetime):
        self.at = at

    def __call__(self) -> dt.datetime:
        return self.at

    def advance(self, **delta) -> None:
        self.at += dt.timedelta(**delta)


@pytest.fixture()
def handoff_app(make_app):
    def make(at: dt.datetime = WEDNESDAY_10, **overrides):
        app = make_app(rasa_url=RASA_DOWN, **overrides)
        app.config["WTF_CSRF_ENABLED"] = True
        clock = Clock(at)
        app.extensions["handoff"].clock = clock
        return app, clock

    return make


def create_account(app, name: str, role: str = "officer", teams: str = "general",
                   password: str = "s3cret-pass") -> str:
    """`flask users create`, as an operator would; returns the API token."""
    result = app.test_cli_runner().invoke(
        args=["users", "create", name, "--role", role, "--teams", teams, "--password", password])
    assert result.exit_code == 0, result.output
    return re.search(r"token: (\S+)", result.output).group(1)


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


class Worker:
    """A web chat worker driving /api/chat/* through the app's test client."""

    def __init__(self, app):
        self.app = app
        self.client = app.test_client()
        body = self.client.post("/api/chat/sessions").get_json()
        self.session_id, self.token = body["session_id"], body["token"]
        self.conversation_id = f"web:{self.session_id}"

    def say(self, text: str | None = None, payload: str | None = None) -> list[dict]:
        body = {"session_id": self.session_id, **({"payload": payload} if payload else {"text": text})}
        resp = self.client.post("/api/chat/messages", json=body, headers=bearer(self.token))
        assert resp.status_code == 200, resp.get_data(as_text=True)
        return resp.get_json()["messages"]

    def transcript(self) -> list[dict]:
        resp = self.client.get(f"/api/chat/messages?session_id={self.session_id}&after=0", headers=bearer(self.token))
        return resp.get_json()["messages"]

    def ask_for_person(self, **kwargs) -> dict:
        """action_handoff as Rasa runs it, and its answer as the gateway's conversation service
        gets it back from Rasa and acts on it: {"events", "replies"} (replies as recorded)."""
        return run_action(self.app, self.conversation_id, ActionHandoff(), **kwargs)


def run_action(app, sender_id: str, action, slots: dict | None = None, active_loop: str | None = None,
               domain: dict | None = None) -> dict:
    """Runs `action` through rasa_sdk's executor with the call Rasa sends, turns the answer into
    what Rasa's REST channel returns, and hands that to the conversation service."""
    from bot.conversation import ConversationService
    from bot.rasa_client import merge_replies

    executor = ActionExecutor()
    executor.register_action(action)
    call = {
        "next_action": action.name(), "sender_id": sender_id, "version": "3.6.21",
        "tracker": {"sender_id": sender_id, "slots": slots or {}, "paused": False, "events": [],
                    "latest_message": {"text": "转人工", "intent": {"name": "request_human", "confidence": 0.99},
                                       "entities": []},
                    "followup_action": None, "active_loop": {"name": active_loop} if active_loop else {},
                    "latest_action_name": "action_listen"},
        "domain": domain or {},
    }
    # On a thread of its own: the browser tests leave an event loop running in this one.
    with ThreadPoolExecutor(max_workers=1) as pool:
        answer = pool.submit(asyncio.run, executor.run(call)).result()
    rest = [{"custom": r["custom"]} if r.get("custom") else {"text": said(r), "buttons": r.get("buttons") or []}
            for r in answer["responses"]]
    with app.test_request_context():
        service = app.extensions["conversations"]
        replies = service._act_on_payloads(sender_id, "转人工", merge_replies(rest))
        ConversationService._record(sender_id, replies, said_id=None)  # no worker line: an action's own turn
    return {"events": answer["events"], "replies": replies}


def said(response: dict) -> str:
    """The text a domain response of an action's answer becomes, its {placeholders} filled."""
    if not response.get("response"):
        return response.get("text") or ""
    values = {k: v for k, v in response.items() if k not in ("response", "text", "buttons") and v is not None}
    return texts.text(response["response"], **values)


def open_handoff(app, worker: Worker, **kwargs) -> Handoff:
    with app.app_context():
        handoff, _situation = app.extensions["handoff"].open(worker.conversation_id, kwargs.pop("reason", "request_human"),
                                                             **kwargs)
        return handoff


def busy_text() -> str:
    return texts.text("utter_service_unavailable")


# ---------------------------------------------------------------------------------------------------
def test_action_pauses_the_chat_and_tells_the_place_in_the_queue(handoff_app):
    app, _clock = handoff_app()
    officer = create_account(app, "wang")
    app.test_client().get("/api/console/handoffs", headers=bearer(officer))  # an officer is online
    first, second = Worker(app), Worker(app)
    first.say("我想找人工")  # not answered by Rasa (down): the turn is still in the transcript
    answer = first.ask_for_person()
    assert answer["events"][0]["event"] == "pause"
    [reply] = answer["replies"]
    assert reply.text == texts.text("utter_handoff_queued", position=1)
    assert "第 1 位" in reply.text and "12351" in reply.text

    answer = second.ask_for_person()
    assert answer["replies"][0].text == texts.text("utter_handoff_queued", position=2)
    with app.app_context():
        handoff = Session.query(Handoff).filter_by(conversation_id=first.conversation_id).one()
        assert (handoff.status, handoff.reason, handoff.channel, handoff.user, handoff.team) == (
            "waiting", "request_human", "web", first.session_id, "general")
        # The officer sees the turns before the request as context.
        first_message = Session.get(Message, handoff.transcript_from)
        assert first_message.text == "我想找人工"


def test_asking_in_the_middle_of_a_form_hands_over_what_was_answered(handoff_app):
    app, _clock = handoff_app()
    worker = Worker(app)
    domain = {"forms": {"join_union_form": {"required_slots": ["name", "id_consent", "id_number", "phone"]}}}
    worker.ask_for_person(slots={"name": "张伟", "id_consent": True, "id_number": None, "other": "x"},
                          active_loop="join_union_form", domain=domain)
    with app.app_context():
        handoff = Session.query(Handoff).filter_by(conversation_id=worker.conversation_id).one()
        assert handoff.form_data == {"name": "张伟", "id_consent": True}


def test_nobody_online_says_so_and_keeps_the_handoff(handoff_app):
    app, _clock = handoff_app()
    worker = Worker(app)
    [reply] = worker.ask_for_person()["replies"]
    assert reply.text == texts.text("utter_handoff_no_officer", position=1)
    assert "不在线" in reply.text and "12351" in reply.text and "留言" in reply.text
    with app.app_context():
        assert Session.query(Handoff).filter_by(conversation_id=worker.conversation_id, status="waiting").count() == 1


def test_urgent_handoffs_go_first_and_one_conversation_has_one_handoff(handoff_app, database_url):
    app, clock = handoff_app(database_url=database_url)
    officer = create_account(app, "wang")
    a, b, c = Worker(app), Worker(app), Worker(app)
    open_handoff(app, a)
    clock.advance(minutes=1)
    open_handoff(app, b, reason="slot_retries", form_data={"name": "李娜"})
    clock.advance(minutes=1)
    open_handoff(app, c, reason="urgent_injury", priority="urgent", case_number="GS20261125-ABC123")
    listed = app.test_client().get("/api/console/handoffs", headers=bearer(officer)).get_json()
    assert [(h["user"], h["position"]) for h in listed] == [(c.session_id, 1), (a.session_id, 2), (b.session_id, 3)]
    assert listed[0]["priority"] == "urgent" and listed[0]["case_number"] == "GS20261125-ABC123"

    # A second trigger in the same conversation adds its facts to the handoff already waiting.
    again = open_handoff(app, b, reason="fallback", priority="urgent", form_data={"phone": "13812345678"})
    with app.app_context():
        assert Session.query(Handoff).filter_by(conversation_id=b.conversation_id).count() == 1
        merged = Session.get(Handoff, again.id)
        assert merged.form_data == {"name": "李娜", "phone": "13812345678"} and merged.priority == "urgent"
    listed = app.test_client().get("/api/console/handoffs", headers=bearer(officer)).get_json()
    # Both urgent now: the one waiting longer goes first.
    assert [(h["user"], h["position"]) for h in listed] == [(b.session_id, 1), (c.session_id, 2), (a.session_id, 3)]


def test_a_waiting_workers_messages_stay_with_the_handoff(handoff_app):
    app, _clock = handoff_app()
    officer = create_account(app, "wang")
    worker = Worker(app)
    worker.ask_for_person()

    first = worker.say("老板欠了我三个月工资")
    assert len(first) == 1 and "第 1 位" in first[0]["text"] and busy_text() not in first[0]["text"]
    assert worker.say("还有十几个工友也没拿到") == []  # acknowledged once, not after every line
    assert worker.say(payload="/wage_arrears") == []  # a button, too, goes to the officer

    handoff_id = app.test_client().get("/api/console/handoffs", headers=bearer(officer)).get_json()[0]["id"]
    assert app.test_client().post(f"/api/console/handoffs/{handoff_id}/claim",
                                  headers=bearer(officer)).status_code == 200
    assert worker.say("你好，在吗") == []  # the officer answers from the console
    detail = app.test_client().get(f"/api/console/handoffs/{handoff_id}", headers=bearer(officer)).get_json()
    worker_lines = [m["text"] for m in detail["transcript"] if m["role"] == "user"]
    assert worker_lines == ["老板欠了我三个月工资", "还有十几个工友也没拿到", "/wage_arrears", "你好，在吗"]
    assert all(busy_text() not in m["text"] for m in detail["transcript"])


def test_closing_greets_back_and_the_next_message_reaches_rasa_again(handoff_app):
    app, _clock = handoff_app()
    officer = create_account(app, "wang")
    worker = Worker(app)
    worker.ask_for_person()
    client = app.test_client()
    handoff_id = client.get("/api/console/handoffs", headers=bearer(officer)).get_json()[0]["id"]
    client.post(f"/api/console/handoffs/{handoff_id}/claim", headers=bearer(officer))
    closed = client.post(f"/api/console/handoffs/{handoff_id}/close", json={"outcome": "resolved"},
                         headers=bearer(officer))
    assert closed.status_code == 200 and closed.get_json()["status"] == "closed"
    back, rating = worker.transcript()[-2:]
    assert (back["role"], back["text"]) == ("bot", texts.text("utter_handoff_back"))
    assert [b["payload"] for b in back["buttons"]][-1] == "/request_human"
    # Then the rating question (bot/notices/ratings.py): five buttons, answered before Rasa.
    assert rating["role"] == "bot" and len(rating["buttons"]) == 5

    # Rasa is down, so the resume is owed and retried before the next message goes to Rasa.
    r = redis.Redis.from_url(app.config["SETTINGS"].redis_url, decode_responses=True)
    assert r.sismember("handoff:resume_pending", worker.conversation_id)
    reply = worker.say("我还想问个问题")
    assert [m["text"] for m in reply] == [busy_text()]  # the router let it through to (the absent) Rasa
    assert r.sismember("handoff:resume_pending", worker.conversation_id)


def test_the_worker_can_stop_waiting(handoff_app):
    app, _clock = handoff_app()
    worker = Worker(app)
    [reply] = worker.ask_for_person()["replies"]
    [give_up] = [b for b in reply.buttons if b["payload"] == "/cancel"]
    reply = worker.say(payload=give_up["payload"])  # the worker taps the button under the notice
    assert [m["text"] for m in reply] == [texts.text("utter_handoff_worker_left")]
    with app.app_context():
        handoff = Session.query(Handoff).filter_by(conversation_id=worker.conversation_id).one()
        assert (handoff.status, handoff.outcome) == ("closed", "worker_left")


def test_close_for_conversation_ends_quietly(handoff_app):
    from bot.handoff.service import close_for_conversation

    app, _clock = handoff_app()
    worker = Worker(app)
    worker.ask_for_person()
    before = len(worker.transcript())
    with app.app_context():
        assert close_for_conversation(worker.conversation_id) is True
        handoff = Session.query(Handoff).filter_by(conversation_id=worker.conversation_id).one()
        assert (handoff.status, handoff.outcome) == ("closed", "worker_left")
        assert close_for_conversation(worker.conversation_id) is False
        assert close_for_conversation("wechat:nobody") is False
    assert len(worker.transcript()) == before  # nothing sent to someone who left


def test_unclaimed_for_ten_minutes_is_told_again_and_flagged_once(handoff_app):
    app, clock = handoff_app()
    officer = create_account(app, "wang")
    worker, other = Worker(app), Worker(app)
    open_handoff(app, other)
    open_handoff(app, worker)
    service = app.extensions["handoff"]
    clock.advance(minutes=9)
    with app.app_context():
        assert service.sweep_unclaimed() == []
    clock.advance(minutes=2)
    with app.app_context():
        flagged = service.sweep_unclaimed()
        assert sorted(h.conversation_id for h in flagged) == sorted([worker.conversation_id, other.conversation_id])
        assert service.sweep_unclaimed() == []  # once only
    notices = [m for m in worker.transcript() if m["role"] == "system"]
    assert [m["text"] for m in notices] == [texts.text("utter_handoff_still_waiting", position=2)]
    listed = app.test_client().get("/api/console/handoffs", headers=bearer(officer)).get_json()
    assert all(h["flagged"] for h in listed) and listed[0]["waiting_seconds"] == 11 * 60


def test_unclaimed_time_counts_from_the_opening(handoff_app):
    app, clock = handoff_app(at=SATURDAY_3)
    worker = Worker(app)
    open_handoff(app, worker)
    service = app.extensions["handoff"]
    with app.app_context():
        assert service.sweep_unclaimed() == []  # nobody on duty on Saturday night
        clock.at = dt.datetime(2026, 11, 30, 9, 5, tzinfo=CHINA)
        assert service.sweep_unclaimed() == []  # Monday, 5 minutes after opening
        clock.advance(minutes=6)
        assert [h.conversation_id for h in service.sweep_unclaimed()] == [worker.conversation_id]
