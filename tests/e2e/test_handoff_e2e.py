"""A web worker is handed to an officer and back: the real Rasa server, the gateway under
gunicorn, Redis and the database. While the officer holds the chat, the worker's messages do not
reach Rasa (its tracker shows no new user turn and no bot reply); after the close the bot answers."""
from __future__ import annotations

import datetime as dt
import re
import subprocess
import threading
import time
import uuid

import requests

from unionkit import texts
from bot.handoff.hours import OfficeHours
from bot.handoff.settings import HandoffSettings
from config.settings import PROJECT_ROOT

FLASK = PROJECT_ROOT / ".venv" / "bin" / "flask"


def create_officer(live_stack, teams: str = "general", password: str = "s3cret-pass",
                   display_name: str | None = None) -> tuple[str, str]:
    """`flask --app server users create` against the live database; returns (name, API token)."""
    name = f"officer_{uuid.uuid4().hex[:8]}"
    result = subprocess.run(
        [str(FLASK), "--app", "server", "users", "create", name, "--role", "officer", "--teams", teams,
         "--password", password, "--display-name", display_name or name],
        env=dict(live_stack.env), cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    return name, re.search(r"token: (\S+)", result.stdout).group(1)


class Officer:
    """An officer driving the console API with a bearer token, as a script would."""

    def __init__(self, live_stack, token: str):
        self.base = f"{live_stack.gateway_url}/api/console"
        self.headers = {"Authorization": f"Bearer {token}"}

    def get(self, path: str = "/handoffs", **params) -> requests.Response:
        return requests.get(self.base + path, params=params, headers=self.headers, timeout=10)

    def post(self, path: str, body: dict | None = None) -> requests.Response:
        return requests.post(self.base + path, json=body or {}, headers=self.headers, timeout=10)

    def waiting_for(self, session_id: str) -> dict:
        [item] = [h for h in self.get(status="waiting").json() if h["user"] == session_id]
        return item


def rasa_events(live_stack, conversation_id: str) -> dict:
    resp = requests.get(f"{live_stack.rasa_url}/conversations/{conversation_id}/tracker",
                        params={"token": live_stack.rasa_token, "include_events": "ALL"}, timeout=10)
    resp.raise_for_status()
    return resp.json()


def turns(tracker: dict, kind: str) -> list[dict]:
    return [e for e in tracker["events"] if e["event"] == kind]


def wait_for_message(chat, role: str, text: str, timeout: float = 2.0) -> float:
    """Seconds until the worker's transcript (what the widget polls) shows the message."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if any(m["role"] == role and m["text"] == text for m in chat.transcript()):
            return time.monotonic() - started
        time.sleep(0.05)
    raise AssertionError(f"{role} message {text!r} not in the worker's transcript within {timeout}s")


def test_worker_to_officer_and_back(live_stack, web_chat):
    name, token = create_officer(live_stack)
    officer = Officer(live_stack, token)
    assert officer.get().status_code == 200  # the console is open: this officer is online
    chat = web_chat()
    cid = f"web:{chat.session_id}"

    notice = chat.say_text("转人工")
    hours = OfficeHours(HandoffSettings.load())
    if hours.is_open(dt.datetime.now(dt.timezone.utc)):
        assert re.search(r"第 \d+ 位", notice) and "12351" in notice
    else:  # run out of office hours: told when a person answers, the hotline, and to leave a message
        assert hours.describe() in notice and "12351" in notice and "留言" in notice
    item = officer.waiting_for(chat.session_id)
    assert (item["reason"], item["channel"], item["status"]) == ("request_human", "web", "waiting")
    paused = rasa_events(live_stack, cid)
    assert paused["paused"] is True
    users_before, bots_before = len(turns(paused, "user")), len(turns(paused, "bot"))

    # Waiting: the message is kept for the officer, and Rasa never hears it.
    chat.say_text("老板拖欠我们十几个人三个月工资")
    claimed = officer.post(f"/handoffs/{item['id']}/claim")
    assert claimed.status_code == 200 and claimed.json()["officer"] == name
    assert officer.post(f"/handoffs/{item['id']}/claim").status_code == 409
    wait_for_message(chat, "officer", texts.text("utter_handoff_claimed", officer=name))

    # Both sides write; the officer's reply reaches the web worker within 2 seconds.
    sent = officer.post(f"/handoffs/{item['id']}/messages", {"text": "您好，请问是哪家单位？"})
    assert sent.status_code == 201
    assert wait_for_message(chat, "officer", "您好，请问是哪家单位？") < 2.0
    assert chat.say("深圳某某建筑公司，在龙岗") == []  # no bot reply while the officer holds the chat
    detail = officer.get(f"/handoffs/{item['id']}").json()
    worker_lines = [m["text"] for m in detail["transcript"] if m["role"] == "user"]
    assert worker_lines[-2:] == ["老板拖欠我们十几个人三个月工资", "深圳某某建筑公司，在龙岗"]
    still = rasa_events(live_stack, cid)
    assert still["paused"] is True
    assert (len(turns(still, "user")), len(turns(still, "bot"))) == (users_before, bots_before)

    # The officer closes: Rasa is resumed, the bot greets the worker back and answers again.
    closed = officer.post(f"/handoffs/{item['id']}/close", {"outcome": "referred"})
    assert closed.status_code == 200 and closed.json()["status"] == "closed"
    wait_for_message(chat, "bot", texts.text("utter_handoff_back"))
    assert rasa_events(live_stack, cid)["paused"] is False
    reply = chat.say_text("你好")
    assert reply and reply != texts.text("utter_service_unavailable")
    after = rasa_events(live_stack, cid)
    assert len(turns(after, "user")) == users_before + 1 and len(turns(after, "bot")) > bots_before


def test_two_officers_claim_through_the_gateway_at_once(live_stack, web_chat):
    officers = [Officer(live_stack, create_officer(live_stack)[1]) for _ in range(2)]
    chat = web_chat()
    chat.say_text(payload="/request_human")
    handoff_id = officers[0].waiting_for(chat.session_id)["id"]
    barrier, results = threading.Barrier(2), {}

    def claim(officer):
        barrier.wait()
        results[officer.post(f"/handoffs/{handoff_id}/claim").status_code] = officer

    threads = [threading.Thread(target=claim, args=(o,)) for o in officers]
    for t in threads:
        t.start()
    for t in threads:
        t.join(20)
    assert sorted(results) == [200, 409]
    assert results[409].post(f"/handoffs/{handoff_id}/close", {"outcome": "resolved"}).status_code == 409
    assert results[200].post(f"/handoffs/{handoff_id}/close", {"outcome": "resolved"}).status_code == 200


def test_a_person_asked_for_inside_a_form_and_the_form_kept(live_stack, web_chat):
    """转人工 in the wage form: the officer takes over with what was entered; the form is put aside,
    so after the close the bot listens (no form question) and the service picks up where it was."""
    _, token = create_officer(live_stack)
    officer = Officer(live_stack, token)
    assert officer.get().status_code == 200
    chat = web_chat()
    assert "哪个单位" in chat.say_text("老板欠我工资")
    assert "多少钱" in chat.say_text("鸿达建筑劳务有限公司")
    notice = chat.say_text("转人工")
    assert "12351" in notice and "多少钱" not in notice, notice
    item = officer.waiting_for(chat.session_id)
    detail = officer.get(f"/handoffs/{item['id']}").json()
    assert "鸿达建筑劳务有限公司" in str(detail.get("form_data")), detail.get("form_data")
    tracker = rasa_events(live_stack, f"web:{chat.session_id}")
    assert tracker["active_loop"] in ({}, None) or not tracker["active_loop"].get("name"), tracker["active_loop"]

    assert officer.post(f"/handoffs/{item['id']}/claim").status_code == 200
    assert officer.post(f"/handoffs/{item['id']}/close", {"outcome": "resolved"}).status_code == 200
    wait_for_message(chat, "bot", texts.text("utter_handoff_back"))
    reply = chat.say_text("我要讨薪")
    assert "接着刚才的" in reply and "多少钱" in reply and "哪个单位" not in reply, reply
