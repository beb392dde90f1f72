"""The web chat contract without Rasa in the loop: sessions, tokens, bad input."""
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
