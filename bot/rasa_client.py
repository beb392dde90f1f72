"""Talks to the Rasa server: its gateway channel for turns (rasa_components/gateway_channel.py, Rasa's
REST channel behind the shared secret header), the HTTP API (token-protected) for tracker events."""
from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from typing import Any

import requests
import urllib3

log = logging.getLogger(__name__)

# Rasa's gateway channel (config/credentials.yml) and the header with its shared secret.
TURN_PATH = "/webhooks/gateway/webhook"
SECRET_HEADER = "X-Gateway-Secret"


class RasaUnavailable(RuntimeError):
    """Rasa did not answer in time or answered with an error."""


@dataclass
class BotReply:
    text: str = ""
    buttons: list[dict] = field(default_factory=list)
    custom: dict | None = None
    id: int | None = None  # its transcript id, once recorded

    def as_json(self) -> dict:
        return {"id": self.id, "role": "bot", "text": self.text, "buttons": self.buttons}


class Replies(list):
    """A turn's replies, with the transcript id of what the worker said (`said_id`)."""

    said_id: int | None = None


class RasaClient:
    def __init__(self, base_url: str, token: str, channel_secret: str, timeout: float = 10.0):
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.channel_secret = channel_secret
        self.timeout = timeout
        self.http = requests.Session()
        # Rasa is on loopback: no proxy or .netrc lookups (requests does both on every call otherwise).
        self.http.trust_env = False
        adapter = requests.adapters.HTTPAdapter(pool_connections=4, pool_maxsize=64)
        self.http.mount("http://", adapter)
        self.turns = urllib3.PoolManager(num_pools=4, maxsize=64)

    def send(self, sender_id: str, message: str, metadata: dict | None = None,
             timeout: float | None = None, message_id: str | None = None) -> list[BotReply]:
        """One user turn through Rasa's gateway channel; returns the bot's replies in order.

        Straight through urllib3 (what requests uses underneath): this runs on every chat turn, and
        requests' per-call work (settings merging, hooks, cookie jar) cost about 1 of the gateway's
        ~10 ms of CPU per message (bench/wechat_load.py)."""
        turn = {"sender": sender_id, "message": message, "metadata": metadata or {}}
        if message_id:
            turn["message_id"] = message_id  # Rasa runs a message of this id once (gateway_channel.py)
        body = json.dumps(turn).encode()
        try:
            resp = self.turns.request(
                "POST", f"{self.base_url}{TURN_PATH}", body=body,
                # A new connection per turn: Rasa's worker processes share one listening socket and
                # the least busy one accepts first, so turns spread evenly. A kept-alive connection
                # stays with one worker however busy it is; measured side by side (bench/), that put
                # the p99 at 20 chats in flight at 0.8-1.0 s instead of 0.6 s.
                headers={"Content-Type": "application/json", "Connection": "close",
                         SECRET_HEADER: self.channel_secret},
                timeout=urllib3.Timeout(total=timeout or self.timeout), retries=False)
        except urllib3.exceptions.HTTPError as exc:
            raise RasaUnavailable(str(exc)) from exc
        if resp.status >= 400:
            raise RasaUnavailable(f"{resp.status} from Rasa: {resp.data[:200]!r}")
        try:
            return merge_replies(json.loads(resp.data))
        except ValueError as exc:
            raise RasaUnavailable(f"Rasa answered with something other than JSON: {exc}") from exc

    def append_events(self, sender_id: str, events: list[dict]) -> None:
        """Adds events (e.g. resume) to a conversation through the tracker events API."""
        resp = self.http.post(f"{self.base_url}/conversations/{sender_id}/tracker/events",
                              params={"token": self.token, "include_events": "NONE"},
                              json=events, timeout=self.timeout)
        resp.raise_for_status()

    def is_ready(self) -> bool:
        try:
            resp = self.http.get(f"{self.base_url}/status", params={"token": self.token}, timeout=2)
            return resp.ok and bool(resp.json().get("model_file"))
        except (requests.RequestException, ValueError):
            return False


def merge_replies(raw: list[dict[str, Any]]) -> list[BotReply]:
    """Rasa sends buttons as their own message when a response has text and buttons; keep them together."""
    replies: list[BotReply] = []
    for item in raw:
        text = item.get("text") or ""
        buttons = [{"title": b.get("title", ""), "payload": b.get("payload", "")} for b in item.get("buttons") or []]
        custom = item.get("custom")
        if not text and buttons and replies and not replies[-1].buttons:
            replies[-1].buttons = buttons
            continue
        if text or buttons or custom:
            replies.append(BotReply(text=text, buttons=buttons, custom=custom))
    return replies
