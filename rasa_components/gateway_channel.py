"""Rasa's input channel for the gateway, the only caller allowed to start a turn.

Rasa's REST channel takes a turn for any `sender` from anyone who reaches the port: on loopback that
is every local process, which could then speak as any worker and skip the gateway's safety screen,
handoff router and transcript. This channel is Rasa's REST channel (same body, same answer) behind a
shared secret in a header; config/credentials.yml enables it instead of `rest`:

    rasa_components.gateway_channel.GatewayInput:
      secret: ${RASA_CHANNEL_SECRET}

POST /webhooks/gateway/webhook with `X-Gateway-Secret: <secret>` and {"sender", "message",
"metadata"?} -> the bot's messages as RestInput answers them. Without the secret: 401. The body is
read with the strict loader every service shares (unionkit/strict_json.py).
"""
from __future__ import annotations

import hmac
import logging
from typing import Any, Awaitable, Callable, Dict, Optional, Text

from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from unionkit import strict_json

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Gateway-Secret"
MAX_BODY_BYTES = 64 * 1024


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
            collector = CollectingOutputChannel()
            await on_new_message(UserMessage(text, collector, sender, input_channel=self.name(),
                                             metadata=metadata or None))
            return response.json(collector.messages)

        return webhook
