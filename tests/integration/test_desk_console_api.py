"""The case desk's console API (DESIGN.md "Case desk") against the real back end over HTTP: auth
and CSRF as the chat console, team visibility, masking until the officer takes the record with an
audit entry per full view, the transcript it came from, 409 for a forbidden move, notes, the
overdue flag (once, counted), the badge and the on-time rate in the admin statistics."""
from __future__ import annotations

import datetime as dt
import re
import threading

import pytest
from prometheus_client import REGISTRY
from sqlalchemy import update
from werkzeug.serving import make_server

from bot.console.overdue import flag_overdue
from bot.models import AuditLog
from config.database import Session
from tests.integration.test_handoff_service import (  # noqa: F401  (fixture)
    Worker, bearer, create_account, handoff_app)
from unionkit.backend_client import UnionBackend
from unionkit.pii import id_number_checksum

KEY = "desk-backend-key"
ID_NUMBER = "11010519900307123" + id_number_checksum("11010519900307123")
PHONE = "13812345678"


@pytest.fixture()
def desk_backend(tmp_path):
    """The reference back end on its own SQLite database, served over HTTP on loopback."""
    from tests.backend.conftest import build_backend_app

    app = build_backend_app(f"sqlite:///{tmp_path / 'backend.db'}", api_key=KEY)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield app, f"http://127.0.0.1:{server.server_port}/union-api"
    server.shutdown()
    app.extensions["backend_db_engine"].dispose()


@pytest.fixture()
def desk(handoff_app, desk_backend):
    backend_app, url = desk_backend
    app, _clock = handoff_app(backend_url=url, backend_api_key=KEY)
    return app, backend_app, UnionBackend(url, KEY)


def _membership(backend: UnionBackend, worker: Worker | None = None) -> str:
    body = {"name": "张伟", "id_number": ID_NUMBER, "phone": PHONE, "employer": "顺丰速运有限公司",
            "channel": "web", "channel_user": worker.conversation_id if worker else "web:nobody"}
    return backend.create("/v1/membership-applications", body)["number"]


def _case(backend: UnionBackend, type_="wage_arrears", phone="13912345678") -> str:
    return backend.create("/v1/cases", {"type": type_, "phone": phone, "summary": f"欠薪，电话{phone}",
                                        "channel": "wechat", "channel_user": "wechat:oW1"})["number"]


def _backdate(backend_app, number: str, **values) -> None:
    from backend.db import db
    from backend.records import find

    with backend_app.app_context():
        record = find(number)
        db().execute(update(type(record)).where(type(record).id == record.id).values(**values))
        db().commit()


def _full_views(app, number: str) -> list[AuditLog]:
    with app.app_context():
        return Session.query(AuditLog).filter_by(action="record_view_full", target=f"record:{number}").all()


def test_the_desk_needs_an_officer_and_csrf_for_cookie_sessions(desk):
    app, _backend_app, backend = desk
    number = _membership(backend)
    staff = create_account(app, "zhao", role="staff")
    create_account(app, "wang", password="s3cret-pass")
    client = app.test_client()
    assert client.get("/api/console/records").status_code == 401
    assert client.get("/api/console/records", headers=bearer("nope")).status_code == 401
    assert client.get("/api/console/records", headers=bearer(staff)).status_code == 403

    login_page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', login_page).group(1)
    client.post("/login", data={"name": "wang", "password": "s3cret-pass", "csrf_token": token})
    page = client.get("/console").get_data(as_text=True)
    csrf = re.search(r'<meta name="csrf-token" content="([^"]+)"', page).group(1)
    assert 'id="desk"' in page and "desk.js" in page
    assert client.get("/api/console/records").status_code == 200
    assert client.post(f"/api/console/records/{number}/assign").status_code == 400  # no CSRF token
    resp = client.post(f"/api/console/records/{number}/assign", headers={"X-CSRFToken": csrf})
    assert resp.status_code == 200 and resp.get_json()["assignee"] == "wang"


def test_masked_until_taken_then_full_and_audited_with_its_transcript(desk):
    app, _backend_app, backend = desk
    wang, li = create_account(app, "wang"), create_account(app, "li")
    worker = Worker(app)
    worker.say(f"我要入会，身份证 {ID_NUMBER}")
    number = _membership(backend, worker)
    client = app.test_client()

    [item] = client.get("/api/console/records", headers=bearer(li)).get_json()["items"]
    assert set(item) >= {"number", "kind", "type", "status", "priority", "assignee", "created_at", "due_at",
                         "overdue", "summary"}
    assert "org" in item
    assert item["number"] == number and item["kind"] == "membership" and item["due_at"]
    assert item["phone"] == "138****5678" and ID_NUMBER not in str(item) and PHONE not in str(item)

    masked = client.get(f"/api/console/records/{number}", headers=bearer(wang)).get_json()
    assert masked["masked"] and masked["data"]["id_number"].count("*") == 11
    assert masked["conversation_id"] == worker.conversation_id and masked["due_at"]
    assert any("身份证" in m["text"] for m in masked["transcript"])
    assert ID_NUMBER not in str(masked) and PHONE not in str(masked)
    assert [h["action"] for h in masked["history"]] == ["created"]
    assert _full_views(app, number) == []

    taken = client.post(f"/api/console/records/{number}/assign", headers=bearer(wang)).get_json()
    assert taken["holder"] and taken["data"]["id_number"] == ID_NUMBER and taken["data"]["phone"] == PHONE
    assert any(ID_NUMBER in m["text"] for m in taken["transcript"])
    [view] = _full_views(app, number)
    assert view.actor == "wang" and sorted(view.detail["fields"]) == ["id_number", "phone"]
    assert len(view.detail["messages"]) == 1
    other = client.get(f"/api/console/records/{number}", headers=bearer(li)).get_json()
    assert other["masked"] and ID_NUMBER not in str(other)
    assert taken["history"][-1]["action"] == "assign" and taken["history"][-1]["to"] == "wang"


def test_status_moves_409_reasons_notes_and_assigning_a_colleague(desk):
    app, _backend_app, backend = desk
    wang, li = create_account(app, "wang"), create_account(app, "li")
    number = _membership(backend)
    client = app.test_client()
    path = f"/api/console/records/{number}"

    resp = client.post(f"{path}/status", json={"status": "reviewing"}, headers=bearer(wang))
    assert resp.status_code == 409  # take it first
    client.post(f"{path}/assign", json={}, headers=bearer(wang))
    resp = client.post(f"{path}/status", json={"status": "approved", "message": "通过"}, headers=bearer(wang))
    assert resp.status_code == 409
    assert resp.get_json()["error"] == "forbidden_transition" and "审核中" in resp.get_json()["message"]
    ok = client.post(f"{path}/status", json={"status": "reviewing", "message": "正在审核"}, headers=bearer(wang))
    assert ok.status_code == 200 and ok.get_json()["status"] == "reviewing"
    no_reason = client.post(f"{path}/status", json={"status": "rejected"}, headers=bearer(wang))
    assert no_reason.status_code == 400 and "message" in no_reason.get_json()["fields"]
    assert client.post(f"{path}/status", json=["x"], headers=bearer(wang)).status_code == 400

    note = client.post(f"{path}/notes", json={"text": "<b>先核对单位</b>"}, headers=bearer(li))
    assert note.status_code == 201 and note.get_json()["notes"][0]["note"] == "<b>先核对单位</b>"
    assert client.post(f"{path}/notes", json={"text": ""}, headers=bearer(li)).status_code == 400

    assert client.post(f"{path}/assign", json={"officer": "ghost"}, headers=bearer(wang)).status_code == 400
    handed = client.post(f"{path}/assign", json={"officer": "li"}, headers=bearer(wang)).get_json()
    assert handed["assignee"] == "li" and not handed["holder"]
    done = client.post(f"{path}/status", json={"status": "approved", "message": "欢迎入会"}, headers=bearer(li))
    assert done.status_code == 200
    history = done.get_json()["history"]
    assert [(h["action"], h["actor"], h["from"], h["to"]) for h in history] == [
        ("created", None, None, "submitted"), ("assign", "wang", None, "wang"),
        ("status", "wang", "submitted", "reviewing"), ("note", "li", None, None),
        ("assign", "wang", "wang", "li"), ("status", "li", "reviewing", "approved")]
    assert done.get_json()["last_message"]["text"] == "欢迎入会"
    # what the notices job reads: the worker-facing message, in the back end's event feed
    feed = backend.get("/v1/events", after=0)["items"]
    assert [(e["action"], e["message"]) for e in feed if e["action"] == "status"] == [
        ("status", "正在审核"), ("status", "欢迎入会")]


def test_filters_search_and_team_visibility(desk):
    app, backend_app, backend = desk
    wang = create_account(app, "wang", teams="general,legal")
    hardship = create_account(app, "sun", teams="hardship")
    member = _membership(backend)
    wage = _case(backend, phone="13600001111")
    aid = _case(backend, type_="hardship_aid", phone="13700002222")
    _backdate(backend_app, wage, due_at=dt.datetime.now(dt.timezone.utc) - dt.timedelta(hours=2))
    client = app.test_client()

    def numbers(query, token=wang):
        resp = client.get("/api/console/records?" + query, headers=bearer(token))
        assert resp.status_code == 200, resp.get_json()
        return [i["number"] for i in resp.get_json()["items"]]

    assert numbers("")[0] == wage and set(numbers("")) == {member, wage}  # overdue first; not hardship's
    assert numbers("", hardship) == [aid]
    assert numbers("overdue=1") == [wage]
    assert numbers("kind=membership") == [member]
    assert numbers("type=wage_arrears") == [wage]
    assert numbers("q=136****1111") == [wage]
    assert numbers("q=" + member) == [member]
    assert numbers("status=submitted") == [member]
    assert numbers("mine=1") == []
    client.post(f"/api/console/records/{member}/assign", headers=bearer(wang))
    assert numbers("mine=1") == [member]
    assert client.get(f"/api/console/records/{aid}", headers=bearer(wang)).status_code == 404
    assert client.get("/api/console/records/RH20000101-ZZZZ", headers=bearer(wang)).status_code == 404
    resp = client.get("/api/console/records?kind=bogus", headers=bearer(wang))
    assert resp.status_code == 400 and "kind" in resp.get_json()["fields"]
    [item] = [i for i in client.get("/api/console/records", headers=bearer(wang)).get_json()["items"]
              if i["number"] == wage]
    assert item["overdue"] is True and item["flagged"] is False


def test_an_overdue_record_is_flagged_once_counted_and_badged(desk):
    app, backend_app, backend = desk
    wang = create_account(app, "wang", teams="legal")
    late = _case(backend)
    _case(backend)
    _backdate(backend_app, late, due_at=dt.datetime.now(dt.timezone.utc) - dt.timedelta(minutes=1))
    labels = {"kind": "case", "team": "legal"}
    before = REGISTRY.get_sample_value("desk_overdue_records_total", labels) or 0
    client = app.test_client()
    assert client.get("/api/console/records/badge", headers=bearer(wang)).get_json() == {"overdue": 1, "flagged": 0}

    with app.app_context():
        assert [i["number"] for i in flag_overdue(app.extensions["union_backend"])] == [late]
        assert flag_overdue(app.extensions["union_backend"]) == []
    assert REGISTRY.get_sample_value("desk_overdue_records_total", labels) == before + 1
    assert client.get("/api/console/records/badge", headers=bearer(wang)).get_json() == {"overdue": 1, "flagged": 1}
    [item] = client.get("/api/console/records?overdue=1", headers=bearer(wang)).get_json()["items"]
    assert item["number"] == late and item["flagged"] is True


def test_the_worker_process_runs_the_overdue_job(desk):
    from bot.worker import jobs

    app, _backend_app, _backend = desk
    assert "desk-overdue" in [j.name for j in jobs(app)]


def test_admin_stats_show_the_on_time_rate(desk):
    app, backend_app, backend = desk
    wang = create_account(app, "wang", teams="legal")
    staff = create_account(app, "zhao", role="staff")
    client = app.test_client()
    kept, missed = _case(backend), _case(backend)
    for number in (kept, missed):
        client.post(f"/api/console/records/{number}/assign", headers=bearer(wang))
        client.post(f"/api/console/records/{number}/status", json={"status": "in_progress"}, headers=bearer(wang))
        client.post(f"/api/console/records/{number}/status", json={"status": "resolved"}, headers=bearer(wang))
    _backdate(backend_app, missed, due_at=dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=1))
    figures = client.get("/api/admin/stats", headers=bearer(staff)).get_json()
    assert figures["on_time_rate"]["case"] == 0.5 and figures["on_time_rate"]["all"] == 0.5
    assert figures["median_first_action_seconds"] >= 0 and figures["median_resolution_seconds"] >= 0
    assert "messages_per_day" in figures
