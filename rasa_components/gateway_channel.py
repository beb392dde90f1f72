"""Rasa's input channel for the gateway, the only caller allowed to start a turn.

Rasa's REST channel takes a turn for any `sender` from anyone who reaches the port: on loopback that
is every local process, which could then speak as any worker and skip the gateway's safety screen,
handoff router and transcript. This channel is Rasa's REST channel (same body, same answer) behind a
shared secret in a header; config/credentials.yml enables it instead of `rest`:

    rasa_components.gateway_channel.GatewayInput:
      secret: ${RASA_CHANNEL_SECRET}

POST /webhooks/gateway/webhook with `X-Gateway-Secret: <secret>` and {"sender", "message",
"metadata"?, "message_id"?} -> the bot's messages as RestInput answers them. Without the secret: 401.
The body is read with the strict loader every service shares (unionkit/strict_json.py).

A turn with a `message_id` (the gateway sends WeChat's MsgId) runs once: the first copy claims the id
in Redis and stores its answer; a copy that arrives later (WeChat's retry through another gateway,
after the first gateway died mid-turn) waits for that answer instead of running the message again,
so nothing is filed twice. The first copy's turn runs to its end even if its caller went away.
"""
from __future__ import annotations

import asyncio
import hmac
import json
import logging
import os
import time
from typing import Any, Awaitable, Callable, Dict, Optional, Text

from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from unionkit import strict_json

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Gateway-Secret"
MAX_BODY_BYTES = 64 * 1024
TURN_PREFIX = "rasa:turn:"
TURN_RUNNING = "\x00running"
TURN_KEEP_SECONDS = 600     # longer than WeChat's retries (about 15 s)
TURN_CLAIM_SECONDS = 60     # a claim whose turn never finished (Rasa itself died) is free again after this
TURN_WAIT_SECONDS = 30


def _turn_redis():
    """The Redis of the tracker store (REDIS_* as scripts/stack.py derives them, or REDIS_SENTINELS),
    reconnecting."""
    import redis

    from unionkit import redis_sentinel
    from unionkit.redis_retry import options

    db, password = int(os.environ.get("REDIS_DB") or 0), os.environ.get("REDIS_PASSWORD") or None
    following = redis_sentinel.from_environment(db=db, password=password, decode_responses=True)
    if following is not None:
        return following
    return redis.Redis(host=os.environ.get("REDIS_HOST") or "127.0.0.1", port=int(os.environ.get("REDIS_PORT") or 6379),
                       db=int(os.environ.get("REDIS_DB") or 0), password=os.environ.get("REDIS_PASSWORD") or None,
                       decode_responses=True, socket_timeout=5, **options())


class GatewayInput(InputChannel):
    @classmethod
    def name(cls) -> Text:
        return "gateway"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> InputChannel:
        secret = str((credentials or {}).get("secret") or "")
        if not secret or secret.startswith("${"):
            # Refuse to start open: a channel without its secret would take turns from anyone.
            raise ValueError("the gateway channel needs its secret (RASA_CHANNEL_SECRET)")
        return cls(secret)

    def __init__(self, secret: Text) -> None:
        self.secret = secret.encode()
        self._redis = None

    @property
    def turns(self):
        if self._redis is None:
            self._redis = _turn_redis()
        return self._redis

    async def _once(self, message_id: str, run: Callable[[], Awaitable[list]]) -> list:
        """Runs `run` for the first copy of `message_id`; a later copy gets the first one's messages."""
        key = TURN_PREFIX + message_id
        try:
            first = self.turns.set(key, TURN_RUNNING, nx=True, ex=TURN_CLAIM_SECONDS)
        except Exception:  # noqa: BLE001 - without Redis, run it (Rasa's own stores need Redis anyway)
            log.exception("turn claim for %s unavailable", message_id)
            return await run()
        if first:
            # Shielded: the turn ends (and its answer is stored) even if this caller disconnects.
            return await asyncio.shield(self._run_and_store(key, run))
        deadline = time.monotonic() + TURN_WAIT_SECONDS
        while time.monotonic() < deadline:
            stored = self.turns.get(key)
            if stored is None:  # the first copy's claim ran out without an answer: run it here
                return await self._once(message_id, run)
            if stored != TURN_RUNNING:
                return json.loads(stored)
            await asyncio.sleep(0.05)
        return []

    async def _run_and_store(self, key: str, run: Callable[[], Awaitable[list]]) -> list:
        try:
            messages = await run()
        except BaseException:
            self.turns.delete(key)
            raise
        self.turns.set(key, json.dumps(messages, ensure_ascii=False), ex=TURN_KEEP_SECONDS)
        return messages

    def _authorized(self, request: Request) -> bool:
        given = (request.headers.get(SECRET_HEADER) or "").encode()
        return hmac.compare_digest(given, self.secret)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webhook = Blueprint(f"custom_webhook_{type(self).__name__}", __name__)

        @webhook.route("/", methods=["GET"])
        async def health(request: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            if not self._authorized(request):
                return response.json({"error": "unauthorized"}, status=401)
            try:
                body = strict_json.loads(request.body or b"", max_bytes=MAX_BODY_BYTES)
            except strict_json.JSONRejected as exc:
                return response.json({"error": "invalid_json", "message": str(exc)}, status=400)
            if not isinstance(body, dict):
                return response.json({"error": "invalid_json", "message": "body must be a JSON object"},
                                     status=400)
            sender, text, metadata = body.get("sender"), body.get("message"), body.get("metadata")
            if not isinstance(sender, str) or not sender or not isinstance(text, str):
                return response.json({"error": "invalid", "message": "sender and message must be text"},
                                     status=400)
            if metadata is not None and not isinstance(metadata, dict):
                return response.json({"error": "invalid", "message": "metadata must be an object"}, status=400)
            message_id = body.get("message_id")
            if message_id is not None and (not isinstance(message_id, str) or not 0 < len(message_id) <= 200):
                return response.json({"error": "invalid", "message": "message_id must be short text"}, status=400)

            async def run() -> list:
                collector = CollectingOutputChannel()
                await on_new_message(UserMessage(text, collector, sender, input_channel=self.name(),
                                                 metadata=metadata or None))
                return collector.messages

            if message_id is None:
                return response.json(await run())
            return response.json(await self._once(f"{sender}:{message_id}", run))

        return webhook
