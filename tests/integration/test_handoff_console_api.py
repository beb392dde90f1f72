"""The console API (DESIGN.md): who may see and do what, masking of ID numbers and phones with an
audit entry for every full view, replies, notes, canned replies, transfers, closing, CSRF."""
from __future__ import annotations

import re

from unionkit import texts
from bot.handoff.models import Handoff
from bot.models import AuditLog
from config.database import Session
from tests.integration.test_handoff_service import (  # noqa: F401  (fixture)
    Worker, bearer, create_account, handoff_app, open_handoff)

ID_NUMBER = "110101199003071234"
PHONE = "13812345678"
FORM = {"name": "张伟", "id_number": ID_NUMBER, "phone": PHONE, "employer": "顺丰速运有限公司"}


def full_views(app, handoff_id: int) -> list[AuditLog]:
    with app.app_context():
        return Session.query(AuditLog).filter_by(action="handoff_view_full", target=f"handoff:{handoff_id}").all()


def test_the_api_needs_an_officer(handoff_app):
    app, _clock = handoff_app()
    staff = create_account(app, "zhao", role="staff")
    client = app.test_client()
    assert client.get("/api/console/handoffs").status_code == 401
    assert client.get("/api/console/handoffs", headers=bearer("not-a-token")).status_code == 401
    assert client.get("/api/console/handoffs", headers=bearer(staff)).status_code == 403
    assert client.get("/console").status_code == 302  # the page sends to the login
    officer = create_account(app, "wang")
    assert client.get("/api/console/handoffs?status=lost", headers=bearer(officer)).status_code == 400
    assert client.get("/api/console/handoffs/999", headers=bearer(officer)).status_code == 404


def test_ids_and_phones_in_full_only_for_the_holder_and_audited(handoff_app):
    app, _clock = handoff_app()
    wang, li = create_account(app, "wang"), create_account(app, "li")
    worker = Worker(app)
    handoff = open_handoff(app, worker, reason="slot_retries", form_data=FORM)
    worker.say(f"我的身份证是 {ID_NUMBER}，电话 {PHONE}")
    client = app.test_client()

    [item] = client.get("/api/console/handoffs", headers=bearer(li)).get_json()
    assert item["phone"] == "138****5678" and ID_NUMBER not in str(item) and PHONE not in str(item)
    assert "110***********1234" in item["preview"]

    # Nobody holds it yet: masked for everyone, nothing audited.
    masked = client.get(f"/api/console/handoffs/{handoff.id}", headers=bearer(wang)).get_json()
    assert masked["masked"] and masked["form_data"]["id_number"] == "110***********1234"
    assert masked["form_data"]["phone"] == "138****5678" and masked["form_data"]["name"] == "张伟"
    assert ID_NUMBER not in str(masked) and PHONE not in str(masked)
    assert full_views(app, handoff.id) == []

    assert client.post(f"/api/console/handoffs/{handoff.id}/claim", headers=bearer(wang)).status_code == 200
    full = client.get(f"/api/console/handoffs/{handoff.id}", headers=bearer(wang)).get_json()
    assert full["holder"] and full["form_data"] == FORM
    assert any(ID_NUMBER in m["text"] and PHONE in m["text"] for m in full["transcript"])
    [view] = full_views(app, handoff.id)
    assert view.actor == "wang" and sorted(view.detail["form_fields"]) == ["id_number", "phone"]
    assert len(view.detail["messages"]) == 1

    # Another officer still sees it masked; polling for new messages shows nothing new in full.
    other = client.get(f"/api/console/handoffs/{handoff.id}", headers=bearer(li)).get_json()
    assert not other["holder"] and ID_NUMBER not in str(other) and PHONE not in str(other)
    last_id = full["transcript"][-1]["id"]
    poll = client.get(f"/api/console/handoffs/{handoff.id}?after={last_id}", headers=bearer(wang)).get_json()
    assert poll["transcript"] == [] and "form_data" not in poll
    assert len(full_views(app, handoff.id)) == 1
    worker.say("换个号码 13912345678")
    poll = client.get(f"/api/console/handoffs/{handoff.id}?after={last_id}", headers=bearer(wang)).get_json()
    assert [m["text"] for m in poll["transcript"]] == ["换个号码 13912345678"]
    assert full_views(app, handoff.id)[-1].detail == {"form_fields": [], "messages": [poll["transcript"][0]["id"]]}
    # After closing nobody holds it: masked again.
    client.post(f"/api/console/handoffs/{handoff.id}/close", json={"outcome": "resolved"}, headers=bearer(wang))
    closed = client.get(f"/api/console/handoffs/{handoff.id}", headers=bearer(wang)).get_json()
    assert closed["masked"] and ID_NUMBER not in str(closed)


def test_teams_see_their_own_queue(handoff_app):
    app, _clock = handoff_app()
    general, lawyer = create_account(app, "wang"), create_account(app, "lu", teams="legal")
    admin = create_account(app, "boss", role="admin")
    legal_case = open_handoff(app, Worker(app), reason="lawyer", team="legal")
    general_case = open_handoff(app, Worker(app))
    client = app.test_client()
    ids = lambda token: [h["id"] for h in client.get("/api/console/handoffs", headers=bearer(token)).get_json()]  # noqa: E731
    assert ids(general) == [general_case.id]
    assert ids(lawyer) == [legal_case.id]
    assert sorted(ids(admin)) == sorted([general_case.id, legal_case.id])
    assert client.get(f"/api/console/handoffs/{legal_case.id}", headers=bearer(general)).status_code == 403
    assert client.post(f"/api/console/handoffs/{legal_case.id}/claim", headers=bearer(general)).status_code == 403


def test_reply_notes_canned_replies_and_close(handoff_app):
    app, _clock = handoff_app()
    wang = create_account(app, "wang", teams="general,legal")
    li = create_account(app, "li")
    worker = Worker(app)
    handoff = open_handoff(app, worker)
    client = app.test_client()
    path = f"/api/console/handoffs/{handoff.id}"

    # Before claiming nobody may write to the worker.
    assert client.post(f"{path}/messages", json={"text": "您好"}, headers=bearer(wang)).status_code == 409
    client.post(f"{path}/claim", headers=bearer(wang))
    for bad in ({}, {"text": ""}, {"text": "   "}, {"text": 5}, {"text": "长" * 1001}):
        resp = client.post(f"{path}/messages", json=bad, headers=bearer(wang))
        assert resp.status_code == 400 and resp.get_json()["message"], bad
    assert client.post(f"{path}/messages", data="not json", headers=bearer(wang),
                       content_type="application/json").status_code == 400
    sent = client.post(f"{path}/messages", json={"text": "您好，请问欠了多久？"}, headers=bearer(wang))
    assert sent.status_code == 201
    last = worker.transcript()[-1]
    assert (last["id"], last["role"], last["text"]) == (sent.get_json()["id"], "officer", "您好，请问欠了多久？")

    # Internal notes: any officer of the team; never in the worker's transcript.
    assert client.post(f"{path}/notes", json={"text": "疑似群体欠薪，明天回访"}, headers=bearer(li)).status_code == 201
    assert client.post(f"{path}/notes", json={"text": ""}, headers=bearer(li)).status_code == 400
    notes = client.get(path, headers=bearer(wang)).get_json()["notes"]
    assert [(n["author"], n["text"]) for n in notes] == [("li", "疑似群体欠薪，明天回访")]
    assert all("回访" not in m["text"] for m in worker.transcript())

    # Canned replies come from config/canned_replies.yml, by team.
    mine = {r["id"] for r in client.get("/api/console/canned-replies", headers=bearer(wang)).get_json()}
    theirs = {r["id"] for r in client.get("/api/console/canned-replies", headers=bearer(li)).get_json()}
    assert "lawyer_contact" in mine and "lawyer_contact" not in theirs and "hello" in theirs

    # Closing: only the holder, with a known outcome; then nothing more can be sent.
    assert client.post(f"{path}/close", json={"outcome": "resolved"}, headers=bearer(li)).status_code == 409
    assert client.post(f"{path}/close", json={"outcome": "won"}, headers=bearer(wang)).status_code == 400
    closed = client.post(f"{path}/close", json={"outcome": "callback"}, headers=bearer(wang))
    assert closed.status_code == 200 and closed.get_json()["outcome"] == "callback"
    assert client.post(f"{path}/close", headers=bearer(wang)).status_code == 409
    assert client.post(f"{path}/messages", json={"text": "还在吗"}, headers=bearer(wang)).status_code == 409
    history = client.get("/api/console/handoffs?status=closed", headers=bearer(li)).get_json()
    assert [(h["id"], h["outcome"], h["officer"]) for h in history] == [(handoff.id, "callback", "wang")]
    assert client.get("/api/console/handoffs", headers=bearer(li)).get_json() == []
    with app.app_context():
        assert Session.query(AuditLog).filter_by(actor="wang", action="handoff_close").count() == 1


def test_transfer_to_another_team_or_officer(handoff_app):
    app, _clock = handoff_app()
    wang, lawyer = create_account(app, "wang"), create_account(app, "lu", teams="legal")
    zhou = create_account(app, "zhou", teams="hardship")
    worker = Worker(app)
    handoff = open_handoff(app, worker, reason="fallback")
    client = app.test_client()
    path = f"/api/console/handoffs/{handoff.id}"
    client.post(f"{path}/claim", headers=bearer(wang))

    assert client.post(f"{path}/transfer", json={}, headers=bearer(wang)).status_code == 400
    assert client.post(f"{path}/transfer", json={"team": "sales"}, headers=bearer(wang)).status_code == 400
    moved = client.post(f"{path}/transfer", json={"team": "legal"}, headers=bearer(wang))
    assert moved.status_code == 200
    assert (moved.get_json()["status"], moved.get_json()["team"], moved.get_json()["officer"]) == (
        "waiting", "legal", None)
    assert worker.transcript()[-1]["text"] == texts.text(
        "utter_handoff_transferred_team", team=texts.text("utter_handoff_team_legal"))
    assert [h["id"] for h in client.get("/api/console/handoffs", headers=bearer(lawyer)).get_json()] == [handoff.id]
    assert client.get("/api/console/handoffs", headers=bearer(wang)).get_json() == []

    # The lawyer takes it and hands it straight to a colleague of another team.
    client.post(f"{path}/claim", headers=bearer(lawyer))
    assert client.post(f"{path}/transfer", json={"officer": "nobody"}, headers=bearer(lawyer)).status_code == 400
    assert client.post(f"{path}/transfer", json={"officer": "zhou"}, headers=bearer(wang)).status_code == 409
    given = client.post(f"{path}/transfer", json={"officer": "zhou"}, headers=bearer(lawyer)).get_json()
    assert (given["status"], given["officer"], given["team"]) == ("active", "zhou", "hardship")
    assert worker.transcript()[-1]["text"] == texts.text("utter_handoff_transferred_officer", officer="zhou")
    with app.app_context():
        assert Session.get(Handoff, handoff.id).officer == "zhou"
    assert client.get(path, headers=bearer(lawyer)).status_code == 403  # out of the legal team's hands
    notes = client.get(path, headers=bearer(zhou)).get_json()
    assert [(n["kind"], n["author"], n["text"]) for n in notes["notes"]] == [
        ("transfer_team", "wang", "legal"), ("transfer_officer", "lu", "zhou")]
    create_account(app, "sun", teams="hardship")  # never opened the console
    officers = {o["name"]: o for o in client.get("/api/console/officers", headers=bearer(wang)).get_json()}
    assert officers["zhou"]["online"] and not officers["sun"]["online"] and officers["zhou"]["teams"] == ["hardship"]


def test_console_page_and_cookie_api_need_csrf(handoff_app):
    app, _clock = handoff_app()
    create_account(app, "wang", password="s3cret-pass")
    handoff = open_handoff(app, Worker(app))
    client = app.test_client()
    login_page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', login_page).group(1)
    resp = client.post("/login", data={"name": "wang", "password": "s3cret-pass", "csrf_token": token})
    assert resp.headers["Location"].endswith("/console")
    page = client.get("/console").get_data(as_text=True)
    csrf = re.search(r'<meta name="csrf-token" content="([^"]+)"', page).group(1)
    assert 'id="queue"' in page and "console.js" in page

    # The page's own calls ride on the login cookie: a POST without the page's token is refused.
    assert client.get("/api/console/handoffs").status_code == 200
    assert client.post(f"/api/console/handoffs/{handoff.id}/claim").status_code == 400
    assert client.post(f"/api/console/handoffs/{handoff.id}/claim", headers={"X-CSRFToken": csrf}).status_code == 200
