"""A WeChat-enabled gateway beside the session's live stack, for the WeChat integration tests.

It is one more set of gateway workers of the same deployment: gunicorn started the way `make run`
starts it (scripts/stack.py), on the live stack's Redis, database, Rasa server and back end, with the
WECHAT_* settings and WECHAT_API_BASE pointing at a FakeWeChatApi on loopback.

`SlowRasaProxy` makes Rasa slow without touching production code: a loopback HTTP proxy in front of
the real Rasa server that holds each turn (POST /webhooks/gateway/webhook) for `delay` seconds before
forwarding it. A gateway started with rasa_url=proxy.url sees a Rasa that takes that long to answer.
"""
from __future__ import annotations

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests

from bot.rasa_client import SECRET_HEADER, TURN_PATH
from scripts import stack
from tests.fakes.wechat_api import FakeWeChatApi
from tests.live_stack import free_port

WECHAT_TOKEN = "wechat-test-token"
# 43 characters of base64 (a 32-byte AES key without its trailing "="), as the WeChat console shows it.
WECHAT_AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"


@pytest.fixture(scope="module")
def api():
    """The fake WeChat API server for a test module's gateways (import this fixture into the module)."""
    fake = FakeWeChatApi().start()
    yield fake
    fake.stop()


class WeChatGateway:
    def __init__(self, live_stack, api, name: str, workers: int = 2, rasa_url: str | None = None, **env):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.token = WECHAT_TOKEN
        self.app_id = api.app_id
        self.aes_key = env.get("WECHAT_AES_KEY", "")
        self.log_path = live_stack.workdir / f"{name}.log"
        self.env = dict(live_stack.env)
        self.env.update(
            PORT=str(self.port), RASA_URL=rasa_url or live_stack.rasa_url,
            WECHAT_TOKEN=self.token, WECHAT_APP_ID=api.app_id, WECHAT_APP_SECRET=api.secret,
            WECHAT_API_BASE=api.base_url, WECHAT_AES_KEY="",
        )
        self.env.update({k: str(v) for k, v in env.items()})
        self.workers = workers
        self.proc = None

    def start(self) -> "WeChatGateway":
        self.proc = stack.start_gateway(self.env, self.port, workers=self.workers, bind_host="127.0.0.1",
                                        log_file=open(self.log_path, "ab"))
        stack.wait_for(f"{self.url}/api/none", 180, ok=lambda r: r.status_code == 404, proc=self.proc)
        return self

    def stop(self) -> None:
        stack.stop(self.proc)

    def logs(self, tail: int = 4000) -> str:
        return self.log_path.read_text(errors="replace")[-tail:]


class SlowRasaProxy:
    def __init__(self, rasa_url: str, delay: float):
        self.rasa_url = rasa_url.rstrip("/")
        self.delay = delay
        self.turns_held = 0
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _handler(self):
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _forward(self, method: str) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0)) if method == "POST" else None
                if method == "POST" and self.path.startswith(TURN_PATH):
                    proxy.turns_held += 1
                    time.sleep(proxy.delay)
                headers = {"Content-Type": self.headers.get("Content-Type", "application/json")}
                if self.headers.get(SECRET_HEADER):  # the gateway channel's secret passes through
                    headers[SECRET_HEADER] = self.headers[SECRET_HEADER]
                resp = requests.request(method, proxy.rasa_url + self.path, data=body, timeout=60, headers=headers)
                self.send_response(resp.status_code)
                self.send_header("Content-Type", resp.headers.get("Content-Type", "application/json"))
                self.send_header("Content-Length", str(len(resp.content)))
                self.end_headers()
                self.wfile.write(resp.content)

            def do_GET(self):
                self._forward("GET")

            def do_POST(self):
                self._forward("POST")

            def do_PUT(self):
                self._forward("PUT")

        return Handler


def transcript_of(database_url: str, conversation_id: str) -> list[tuple[str, str]]:
    """(role, text) of every stored message of a conversation, oldest first."""
    from sqlalchemy import create_engine, text

    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT role, text FROM messages WHERE conversation_id = :cid ORDER BY id"),
                                {"cid": conversation_id}).all()
    finally:
        engine.dispose()
    return [(role, body) for role, body in rows]


def rasa_user_texts(live_stack, conversation_id: str) -> list[str]:
    """What Rasa was told, turn by turn (its tracker's user events)."""
    resp = requests.get(f"{live_stack.rasa_url}/conversations/{conversation_id}/tracker",
                        params={"token": live_stack.rasa_token, "include_events": "ALL"}, timeout=10)
    resp.raise_for_status()
    return [e.get("text") for e in resp.json()["events"] if e["event"] == "user"]
