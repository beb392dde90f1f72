"""Hostile input to the gateway is a 400 (or 404 for an id that cannot exist) with a reason, never a
500: each request here was a 500 before (issue 14's list), on chat, FAQ, console and admin pages."""
from __future__ import annotations

import re

import pytest

from tests.integration.test_accounts import create, csrf_from

DEEP = b"[" * 30000 + b"]" * 30000
HUGE = "99999999999999999999"  # past 2^63


@pytest.fixture()
def app(make_app):
    app = make_app()
    app.config["PROPAGATE_EXCEPTIONS"] = False  # a crash answers 500 here, as in production
    return app


@pytest.fixture()
def client(app):
    return app.test_client()


@pytest.fixture()
def chat(client):
    s = client.post("/api/chat/sessions").get_json()
    return s["session_id"], {"Authorization": f"Bearer {s['token']}"}


@pytest.fixture()
def admin(app):
    return {"Authorization": f"Bearer {create(app, 'root', role='admin')}"}


def refused(resp, status=400, reason=None):
    assert resp.status_code == status, resp.get_data(as_text=True)[:300]
    body = resp.get_json()
    assert body and body.get("message"), body
    if reason:
        assert reason in body["message"], body
    return body


def post_raw(client, path, raw: bytes, headers):
    return client.post(path, data=raw, content_type="application/json", headers=headers)


def test_chat_bodies(client, chat):
    sid, auth = chat
    sid_b = sid.encode()
    refused(post_raw(client, "/api/chat/messages", b'{"session_id": "%s", "text": %s}' % (sid_b, DEEP), auth),
            reason="nested deeper")
    refused(post_raw(client, "/api/chat/messages", b'{"session_id": "%s", "text": "\\ud800"}' % sid_b, auth),
            reason="surrogates")
    refused(post_raw(client, "/api/chat/messages", b'{"session_id": "%s", "text": "\xff"}' % sid_b, auth),
            reason="UTF-8")
    refused(post_raw(client, "/api/chat/messages", b'{"session_id": "%s", "text": "a\\u0000"}' % sid_b, auth),
            reason="NUL")
    typed = refused(client.post("/api/chat/messages", json={"session_id": sid, "payload": "/greet", "text": 7},
                                headers=auth))
    assert typed["error"] == "invalid" and typed["fields"] == {"text": "not_text"}
    assert refused(client.post("/api/chat/messages", json={"session_id": sid, "payload": ["/greet"]},
                               headers=auth))["fields"] == {"payload": "not_text"}
    assert refused(client.post("/api/chat/messages", json={"session_id": 5, "text": "你好"},
                               headers=auth))["fields"] == {"session_id": "not_text"}
    assert refused(client.post("/api/chat/messages", json={"session_id": sid, "text": "  "},
                               headers=auth))["fields"] == {"__root__": "text_or_payload_required"}


def test_chat_query_and_feedback_ids(client, chat):
    sid, auth = chat
    refused(client.get(f"/api/chat/messages?session_id={sid}&after={HUGE}", headers=auth), reason="after")
    refused(client.get(f"/api/chat/messages?session_id={sid}&after=-1", headers=auth), reason="after")
    refused(client.get(f"/api/chat/messages?session_id={sid}&after=1e3", headers=auth), reason="after")
    assert client.get(f"/api/chat/messages?session_id={sid}&after=9223372036854775807",
                      headers=auth).get_json() == {"messages": []}
    refused(post_raw(client, "/api/chat/feedback", b'{"session_id": "%s", "message_id": %s}'
                     % (sid.encode(), HUGE.encode()), auth), reason="64 bits")
    big = refused(client.post("/api/chat/feedback", json={"session_id": sid, "message_id": 2**63},
                              headers=auth), reason="64 bits")
    assert big["error"] == "Bad Request"
    assert refused(client.post("/api/chat/feedback", json={"session_id": sid, "message_id": True},
                               headers=auth))["fields"] == {"message_id": "not_integer"}
    # The largest id that fits is simply no message of this session.
    assert client.post("/api/chat/feedback", json={"session_id": sid, "message_id": 2**63 - 1},
                       headers=auth).status_code == 404


def test_faq_api(client, admin):
    refused(post_raw(client, "/api/admin/faqs", b'{"question": %s}' % DEEP, admin), reason="nested deeper")
    refused(post_raw(client, "/api/admin/faqs", b'{"question": "\\ud800", "answer": "a"}', admin),
            reason="surrogates")
    refused(post_raw(client, "/api/admin/faqs", b'{"question": "q", "answer": "a\\u0000"}', admin), reason="NUL")
    bell = client.post("/api/admin/faqs", json={"question": "会费多少", "answer": "每月\x07五元"}, headers=admin)
    assert bell.status_code == 400 and bell.get_json()["fields"] == {"answer": "control_chars"}
    assert client.get(f"/api/admin/faqs/{HUGE}", headers=admin).status_code == 404
    assert client.put(f"/api/admin/faqs/{HUGE}", json={"enabled": False}, headers=admin).status_code in (404, 405)
    assert client.get("/api/admin/faqs?q=a%00b", headers=admin).status_code == 400


@pytest.mark.parametrize("query,reason", [
    ("to=9999-12-31", "to must be a day from"),
    ("from=0001-01-01&to=0001-01-02", "must be a day from"),
    ("from=2026-13-01", "from must be a day as YYYY-MM-DD"),
    ("to=yesterday", "to must be a day as YYYY-MM-DD"),
])
def test_stats_dates(client, admin, query, reason):
    refused(client.get(f"/api/admin/stats?{query}", headers=admin), reason=reason)


def test_stats_page_dates(app):
    create(app, "zhao", role="staff")
    client = app.test_client()
    token = csrf_from(client.get("/login").get_data(as_text=True))
    client.post("/login", data={"name": "zhao", "password": "s3cret-pass", "csrf_token": token})
    assert client.get("/admin/stats?to=9999-12-31").status_code == 400
    assert client.get("/admin/stats?from=2026-01-01&to=2026-01-31").status_code == 200


def test_unanswered_form_entry_id(app):
    app.config["WTF_CSRF_ENABLED"] = True
    create(app, "zhao", role="staff")
    client = app.test_client()
    token = csrf_from(client.get("/login").get_data(as_text=True))
    client.post("/login", data={"name": "zhao", "password": "s3cret-pass", "csrf_token": token})
    page_token = re.search(r'name="csrf-token" content="([^"]+)"',
                           client.get("/admin/unanswered").get_data(as_text=True)).group(1)
    for entry_id in ("abc", HUGE, "", "-1"):
        resp = client.post("/admin/unanswered/phrasings", data={"csrf_token": page_token, "ids": ["1", HUGE],
                                                                "entry_id": entry_id})
        assert resp.status_code == 400, (entry_id, resp.status_code)
    resp = client.post("/admin/unanswered/phrasings", data={"csrf_token": page_token, "entry_id": "5\x00"})
    assert resp.status_code == 400


def test_console_bodies_and_ids(client, admin):
    path = "/api/console/handoffs/1"
    refused(post_raw(client, f"{path}/messages", b'{"text": %s}' % DEEP, admin), reason="nested deeper")
    refused(post_raw(client, f"{path}/notes", b'{"text": "\\udc00"}', admin), reason="surrogates")
    refused(post_raw(client, f"{path}/transfer", b'{"team": "legal", "team": "general"}', admin), reason="twice")
    assert refused(client.post(f"{path}/transfer", json={"team": ["legal"]}, headers=admin))["fields"] == {
        "team": "not_text"}
    assert refused(client.post(f"{path}/close", json={"outcome": 3}, headers=admin))["fields"] == {
        "outcome": "not_text"}
    assert client.get(f"/api/console/handoffs/{HUGE}", headers=admin).status_code == 404
    assert client.post(f"/api/console/handoffs/{HUGE}/claim", headers=admin).status_code == 404
    refused(client.get(f"{path}?after={HUGE}", headers=admin), reason="after")
