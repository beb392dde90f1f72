"""Health, metrics, and what must not be reachable or readable from outside."""
import socket

import requests


def test_healthz_is_200_only_when_everything_answers(live_stack):
    ok = requests.get(f"{live_stack.gateway_url}/healthz", timeout=10)
    assert ok.status_code == 200 and ok.json()["checks"] == {"redis": "ok", "rasa": "ok", "backend": "ok"}
    live_stack.stop_backend()
    try:
        down = requests.get(f"{live_stack.gateway_url}/healthz", timeout=10)
        assert down.status_code == 503 and down.json() == {"status": "degraded", "checks": {
            "redis": "ok", "rasa": "ok", "backend": "down"}}
    finally:
        live_stack.start_backend()


def test_metrics_are_prometheus_text(live_stack, web_chat):
    web_chat().say("你好")
    resp = requests.get(f"{live_stack.gateway_url}/metrics", timeout=10)
    assert resp.status_code == 200 and resp.headers["Content-Type"].startswith("text/plain")
    assert "chat_turns_total" in resp.text and "chat_turn_seconds_bucket" in resp.text


def _outside_address() -> str | None:
    """An address of this machine that is not loopback, if it has one."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        try:
            s.connect(("192.0.2.1", 9))   # TEST-NET: no packet is sent for a UDP connect
            addr = s.getsockname()[0]
        except OSError:
            return None
    return None if addr.startswith("127.") else addr


def test_rasa_listens_on_loopback_only_and_its_api_needs_the_token(live_stack):
    assert requests.get(f"{live_stack.rasa_url}/conversations/x/tracker", timeout=5).status_code == 401
    addr = _outside_address()
    if addr:
        with socket.socket() as s:
            s.settimeout(2)
            assert s.connect_ex((addr, live_stack.rasa_port)) != 0, "Rasa is reachable from outside"


def test_the_action_server_listens_on_loopback_only(live_stack):
    assert requests.get(f"http://127.0.0.1:{live_stack.action_port}/health", timeout=5).ok
    assert requests.get(f"{live_stack.gateway_url}/webhook", timeout=5).status_code == 404  # no route at all
    addr = _outside_address()
    if addr:
        with socket.socket() as s:
            s.settimeout(2)
            assert s.connect_ex((addr, live_stack.action_port)) != 0, "the action server is reachable from outside"


def test_logs_do_not_contain_full_id_numbers(live_stack, web_chat):
    from tests.e2e.test_join_union import walk_to_summary
    from tests.identities import fresh_id_number

    id_number = fresh_id_number()
    chat = web_chat()
    walk_to_summary(chat, id_number, name="孙强")
    chat.say(payload="/affirm")
    logs = live_stack.logs(tail=None)
    assert "13812345678" not in logs
    assert id_number not in logs


def test_a_chat_is_one_rasa_session_that_rasa_can_save_cheaply(live_stack, web_chat):
    """Rasa 3.6 files metadata sent with a conversation's first message as a slot event *before*
    action_session_start; its Redis tracker store then sees two sessions and takes its quadratic
    merge path on every save, so Rasa's CPU per message grows with the chat. The gateway sends none."""
    chat = web_chat()
    chat.say("你好")
    chat.say("谢谢")
    resp = requests.get(f"{live_stack.rasa_url}/conversations/web:{chat.session_id}/tracker",
                        params={"token": live_stack.rasa_token}, timeout=10)
    assert resp.status_code == 200
    events = resp.json()["events"]
    assert events[0]["event"] == "action" and events[0]["name"] == "action_session_start"
    assert sum(1 for e in events if e["event"] == "session_started") == 1
    assert not any(e["event"] == "slot" and e["name"] == "session_started_metadata" for e in events)


def test_logs_contain_no_secret(live_stack, web_chat):
    """Every process's log of a full run (Rasa, its action calls, the gateway's access log, the back
    end) is free of every secret: they travel in headers, never in a URL a log records."""
    chat = web_chat()
    chat.say("你好")
    chat.say("有什么培训课")       # an action that reads the back end
    chat.say("查询进度")           # an action, and the handoff/status path
    assert requests.get(f"{live_stack.gateway_url}/healthz", timeout=10).status_code == 200
    logs = live_stack.logs(tail=None)
    assert "/api/chat/messages" in logs, "the access log is not being written: the check would be empty"
    for name, secret in live_stack.secrets().items():
        assert secret not in logs, f"{name} appears in the logs"
