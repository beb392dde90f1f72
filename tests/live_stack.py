"""The whole service started for real, for integration and end-to-end tests: the trained Rasa
server, rasa_sdk's action server, the gateway under gunicorn, the worker, and the reference back end as its own service (so tests can
take it down), all on a real Redis and a real database. Started the same way `make run` starts
them (scripts/stack.py)."""
from __future__ import annotations

import os
import time
import socket
from pathlib import Path

import requests

from config.secret_check import new_token
from scripts import stack


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LiveStack:
    def __init__(self, workdir: Path, redis_url: str, database_url: str, extra_env: dict | None = None,
                 model: Path = stack.MODEL):
        self.model = model
        self.workdir = workdir
        self.redis_url = redis_url
        self.database_url = database_url
        # The back end's own database: the same server, its own tables and migration history.
        self.backend_database_url = database_url
        self.rasa_port, self.gateway_port, self.backend_port = free_port(), free_port(), free_port()
        self.action_port = free_port()
        self.rasa_url = f"http://127.0.0.1:{self.rasa_port}"
        self.gateway_url = f"http://127.0.0.1:{self.gateway_port}"
        self.backend_url = f"http://127.0.0.1:{self.backend_port}/union-api"
        self.rasa_token = new_token(12)
        self.channel_secret = new_token(12)
        self.backend_key = new_token(12)
        self.secret_key = new_token(12)
        self.env = dict(os.environ)
        self.env.update(stack.QUIET_ENV)
        self.env.update(
            REDIS_URL=redis_url, DATABASE_URL=database_url, RASA_URL=self.rasa_url, RASA_TOKEN=self.rasa_token,
            RASA_CHANNEL_SECRET=self.channel_secret,
            ACTION_PORT=str(self.action_port), BACKEND_URL=self.backend_url, BACKEND_PORT=str(self.backend_port),
            BACKEND_DATABASE_URL=self.backend_database_url,
            BACKEND_API_KEY=self.backend_key, SECRET_KEY=self.secret_key, PORT=str(self.gateway_port),
        )
        # Scripted tests type faster than people, and all come from 127.0.0.1: the shared stack counts
        # generously (tests/integration/test_floods*.py start theirs with config/floods.yml's limits).
        self.env.update({f"RATE_LIMIT_{name}": "100000/minute" for name in
                         ("WECHAT_OPENID", "WEB_SESSION", "SESSION_CREATE_PER_ADDRESS", "LOGIN_PER_ADDRESS")})
        self.env.update(extra_env or {})
        # Gunicorn runs several workers: metrics are added up across them, as under `make run`.
        (workdir / "prometheus").mkdir(exist_ok=True)
        self.env["PROMETHEUS_MULTIPROC_DIR"] = str(workdir / "prometheus")
        self.rasa = self.gateway = self.backend = self.worker = self.actions = None

    def _log(self, name: str):
        return open(self.workdir / f"{name}.log", "ab")

    def start(self) -> "LiveStack":
        from backend.migrate import upgrade as upgrade_backend
        from config.migrate import upgrade

        upgrade(self.database_url)
        upgrade_backend(self.backend_database_url)
        self.actions = stack.start_action_server(self.env, self.action_port, log_file=self._log("actions"))
        self.rasa = stack.start_rasa(stack.rasa_env(self.env, self.redis_url, self.action_port),
                                     self.rasa_port, self.rasa_token, model=self.model, log_file=self._log("rasa"))
        self.gateway = stack.start_gateway(self.env, self.gateway_port, bind_host="127.0.0.1",
                                           workers=int(self.env.get("WEB_WORKERS", "2")),
                                           log_file=self._log("gateway"))
        self.worker = stack.start_worker(self.env, log_file=self._log("worker"))
        self.start_backend()
        # The gateway loads the safety model and jieba per worker: on a loaded machine that takes a while.
        stack.wait_for(f"{self.gateway_url}/api/none", 180, ok=lambda r: r.status_code == 404, proc=self.gateway)
        stack.wait_for_rasa(self.rasa_url, self.rasa_token, timeout=240, proc=self.rasa)
        stack.wait_for(f"http://127.0.0.1:{self.action_port}/health", 120, proc=self.actions)
        return self

    def start_backend(self) -> None:
        self.backend = stack.start_backend(self.env, self.backend_port, log_file=self._log("backend"))
        stack.wait_for(f"{self.backend_url}/v1/courses", 60, ok=lambda r: r.status_code == 401, proc=self.backend)

    def stop_backend(self) -> None:
        stack.stop(self.backend)
        self.backend = None

    def stop(self) -> None:
        for proc in (self.worker, self.gateway, self.backend, self.rasa, self.actions):
            stack.stop(proc)

    def secrets(self) -> dict[str, str]:
        return {"RASA_TOKEN": self.rasa_token, "RASA_CHANNEL_SECRET": self.channel_secret,
                "BACKEND_API_KEY": self.backend_key, "SECRET_KEY": self.secret_key}

    def backend_get(self, path: str, **params) -> requests.Response:
        return requests.get(f"{self.backend_url}{path}", params=params, timeout=5,
                            headers={"Authorization": f"Bearer {self.backend_key}"})

    def wait_for_record(self, path: str, timeout: float = 40) -> requests.Response:
        """GETs a back-end record until it exists (e.g. once the outbox has delivered it)."""
        deadline = time.monotonic() + timeout
        resp = self.backend_get(path)
        while resp.status_code != 200 and time.monotonic() < deadline:
            time.sleep(0.5)
            resp = self.backend_get(path)
        return resp

    def logs(self, tail: int | None = 3000) -> str:
        def read(path: Path) -> str:
            text = path.read_text(errors="replace")
            return text[-tail:] if tail else text
        return "\n".join(f"--- {p.name}\n{read(p)}" for p in self.workdir.glob("*.log"))


class WebChat:
    """A worker on the web chat, driving /api/chat/* as the page does."""

    def __init__(self, base_url: str):
        self.base_url = base_url
        resp = requests.post(f"{base_url}/api/chat/sessions", timeout=10)
        assert resp.status_code == 201, resp.text
        body = resp.json()
        self.session_id, self.token = body["session_id"], body["token"]
        self.headers = {"Authorization": f"Bearer {self.token}"}

    def say(self, text: str | None = None, payload: str | None = None) -> list[dict]:
        body = {"session_id": self.session_id}
        body.update({"payload": payload} if payload else {"text": text})
        resp = requests.post(f"{self.base_url}/api/chat/messages", json=body, headers=self.headers, timeout=30)
        assert resp.status_code == 200, resp.text
        return resp.json()["messages"]

    def say_text(self, text: str | None = None, payload: str | None = None) -> str:
        """The bot's replies to one turn, joined into one string."""
        return "\n".join(m["text"] for m in self.say(text, payload))

    def transcript(self, after: int = 0) -> list[dict]:
        resp = requests.get(f"{self.base_url}/api/chat/messages", params={"session_id": self.session_id,
                            "after": after}, headers=self.headers, timeout=10)
        assert resp.status_code == 200, resp.text
        return resp.json()["messages"]
