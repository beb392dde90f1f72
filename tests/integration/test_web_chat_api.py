"""The web chat contract without Rasa in the loop: sessions, tokens, bad input."""
import time

import pytest


@pytest.fixture()
def client(make_app):
    return make_app().test_client()


def new_session(client):
    resp = client.post("/api/chat/sessions")
    assert resp.status_code == 201
    return resp.get_json()


def test_a_token_reads_only_its_own_session(client):
    a, b = new_session(client), new_session(client)
    assert a["session_id"] != b["session_id"] and a["token"] != b["token"]
    own = client.get(f"/api/chat/messages?session_id={a['session_id']}&after=0",
                     headers={"Authorization": f"Bearer {a['token']}"})
    assert own.status_code == 200 and own.get_json() == {"messages": []}
    other = client.get(f"/api/chat/messages?session_id={b['session_id']}&after=0",
                       headers={"Authorization": f"Bearer {a['token']}"})
    assert other.status_code == 403
    posted = client.post("/api/chat/messages", json={"session_id": b["session_id"], "text": "你好"},
                         headers={"Authorization": f"Bearer {a['token']}"})
    assert posted.status_code == 403
    assert client.get(f"/api/chat/messages?session_id={a['session_id']}").status_code == 401


@pytest.mark.parametrize("body,status", [
    (b"not json", 400),
    (b'["a list"]', 400),
    (b'{"session_id": "x", "text": ""}', 400),
])
def test_bad_bodies_are_rejected(client, body, status):
    s = new_session(client)
    body = body.replace(b'"x"', f'"{s["session_id"]}"'.encode())
    resp = client.post("/api/chat/messages", data=body, content_type="application/json",
                       headers={"Authorization": f"Bearer {s['token']}"})
    assert resp.status_code == status
    assert "message" in resp.get_json()


def test_oversized_body_is_413(client):
    s = new_session(client)
    resp = client.post("/api/chat/messages", json={"session_id": s["session_id"], "text": "长" * 70000},
                       headers={"Authorization": f"Bearer {s['token']}"})
    assert resp.status_code == 413


def test_the_gateway_does_not_run_actions(client):
    """Rasa calls rasa_sdk's action server (loopback only), not the gateway."""
    assert client.get("/webhook").status_code == 404  # no route at all (a POST meets the CSRF check first)


def test_the_gateway_does_not_serve_the_back_end(client):
    """The reference back end is its own service (backend/app.py on BACKEND_PORT)."""
    resp = client.get("/union-api/v1/courses", headers={"Authorization": "Bearer test-backend-key"})
    assert resp.status_code == 404


def test_the_post_answer_names_the_transcript_ids(make_app):
    """web/static/chat.js binds its bubbles to these ids instead of matching them by text."""
    client = make_app(rasa_url="http://127.0.0.1:9").test_client()  # nothing answers: the apology
    s = new_session(client)
    auth = {"Authorization": f"Bearer {s['token']}"}
    posted = client.post("/api/chat/messages", json={"session_id": s["session_id"], "text": "你好"},
                         headers=auth).get_json()
    again = client.post("/api/chat/messages", json={"session_id": s["session_id"], "text": "你好"},
                        headers=auth).get_json()
    transcript = client.get(f"/api/chat/messages?session_id={s['session_id']}", headers=auth).get_json()["messages"]
    by_id = {m["id"]: m for m in transcript}
    for answer in (posted, again):
        assert by_id[answer["user_message_id"]]["role"] == "user"
        assert answer["messages"] and all(by_id[m["id"]]["text"] == m["text"] for m in answer["messages"])
    # The same words twice are two lines with two ids: nothing to confuse by text.
    assert posted["user_message_id"] != again["user_message_id"]
    assert posted["messages"][0]["id"] != again["messages"][0]["id"]


def test_a_message_sent_again_with_its_retry_key_is_answered_once(make_app):
    """chat.js sends a message again with the same retry_key when its answer was lost: one line in
    the transcript, the first answer repeated; another key is another message."""
    client = make_app(rasa_url="http://127.0.0.1:9").test_client()
    s = new_session(client)
    auth = {"Authorization": f"Bearer {s['token']}"}
    body = {"session_id": s["session_id"], "text": "你好", "retry_key": "k-0123456789abcdef"}
    first = client.post("/api/chat/messages", json=body, headers=auth)
    again = client.post("/api/chat/messages", json=body, headers=auth)
    assert first.status_code == again.status_code == 200
    assert again.get_json() == first.get_json() and first.get_json()["user_message_id"]
    other = client.post("/api/chat/messages", json={**body, "retry_key": "k-fedcba9876543210"}, headers=auth)
    assert other.get_json()["user_message_id"] != first.get_json()["user_message_id"]
    transcript = client.get(f"/api/chat/messages?session_id={s['session_id']}", headers=auth).get_json()["messages"]
    assert [m["text"] for m in transcript if m["role"] == "user"] == ["你好", "你好"]


def test_a_retry_takes_over_a_message_whose_host_died(make_app):
    """The first copy's gateway died with the message claimed: the copy sent again waits out the
    claim's lease (the budget plus 2 s), then answers the message itself."""
    app = make_app(rasa_url="http://127.0.0.1:9", web_reply_budget=0.3)
    client = app.test_client()
    s = new_session(client)
    guard = app.extensions["web_turns"].guard
    assert guard.claim(f"{s['session_id']}:k-dead-host-0001")  # ... and that host is gone
    started = time.monotonic()
    resp = client.post("/api/chat/messages", json={"session_id": s["session_id"], "text": "你好",
                                                   "retry_key": "k-dead-host-0001"},
                       headers={"Authorization": f"Bearer {s['token']}"})
    assert resp.status_code == 200 and resp.get_json()["user_message_id"]
    assert 1.5 < time.monotonic() - started < 6


@pytest.mark.parametrize("key", ["short", "有中文的键有中文的键", "a" * 65, 12345678, "k 0123456789"])
def test_a_bad_retry_key_is_400(client, key):
    s = new_session(client)
    resp = client.post("/api/chat/messages", json={"session_id": s["session_id"], "text": "你好", "retry_key": key},
                       headers={"Authorization": f"Bearer {s['token']}"})
    assert resp.status_code == 400 and "retry_key" in resp.get_json()["message"]
