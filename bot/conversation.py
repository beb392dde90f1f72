"""What every channel calls: "user U on channel C said X" -> the replies.

Channels (web, WeChat) only translate their protocol; this module records the transcript, lets
interceptors (the handoff router) take a turn away from Rasa, and otherwise asks Rasa. Before any
of that, the safety screen (bot/safety/) looks at every message the worker typed or spoke: danger
is answered with advice and an urgent handoff, and Rasa never sees it. What an action needs the
gateway to do comes back in Rasa's answer as a custom payload (unionkit/payloads.py); the handler
registered for it acts and says what the worker reads instead.
"""
from __future__ import annotations

import logging
import time
from typing import Callable, Optional

from prometheus_client import Counter, Histogram

from bot import transcript
from bot.rasa_client import BotReply, RasaClient, RasaUnavailable, Replies
from unionkit import payloads

log = logging.getLogger(__name__)

TURNS = Counter("chat_turns_total", "User turns handled", ["channel", "route"])
TURN_SECONDS = Histogram("chat_turn_seconds", "Time to answer a user turn", ["channel"],
                         buckets=(0.05, 0.1, 0.25, 0.5, 1, 2, 3, 4, 5, 10))

# An interceptor gets (conversation_id, text) and returns replies to send instead of asking Rasa,
# or None to let Rasa answer. The handoff router registers one.
Interceptor = Callable[[str, str], Optional[list[BotReply]]]
# A payload interceptor gets (conversation_id, what the worker sent, the payload of the button they
# tapped or None) and runs before the interceptors; the rating (bot/notices/ratings.py) is one.
PayloadInterceptor = Callable[[str, str, Optional[str]], Optional[list[BotReply]]]
# A payload handler gets (conversation_id, what the worker sent, the payload's data) and returns the
# replies shown in the payload's place. The handoff service and the FAQ register theirs.
PayloadHandler = Callable[[str, str, dict], list[BotReply]]


def conversation_id(channel: str, user: str) -> str:
    return f"{channel}:{user}"


class ConversationService:
    def __init__(self, rasa: RasaClient, unavailable_reply: Callable[[], BotReply]):
        self.rasa = rasa
        self.interceptors: list[Interceptor] = []
        self.payload_interceptors: list[PayloadInterceptor] = []
        self.payload_handlers: dict[str, PayloadHandler] = {}
        self.unavailable_reply = unavailable_reply
        self.safety = None  # bot.safety.gate.SafetyGate, set by bot.safety.init_app
        # bot.floods.turn_lock.TurnLocks (one turn in flight per conversation) and what a second
        # message meanwhile is told; set by the app (None: no lock, as with FLOODS_CONTAINED=0).
        self.turn_locks = None
        self.in_progress_reply: Callable[[], BotReply] | None = None

    def user_says(self, channel: str, user: str, text: str = "", payload: str | None = None,
                  metadata: dict | None = None, timeout: float | None = None,
                  message_id: str | None = None) -> Replies:
        """The replies to one turn, recorded in the transcript: each reply carries its transcript id,
        the list the id of the worker's own line (`said_id`). `message_id` names the channel's
        message (WeChat's MsgId): Rasa runs a message of that id once, whichever gateway sends it
        (rasa_components/gateway_channel.py), so a retry after a gateway died mid-turn files nothing twice."""
        cid = conversation_id(channel, user)
        started = time.monotonic()
        shown = text
        if payload:
            # Show what the worker tapped, not the machine payload.
            shown = next((b["title"] for b in transcript.last_buttons(cid) if b.get("payload") == payload), payload)
        # Only the worker's own words are screened: a button's payload is the bot's.
        danger = self.safety.check(text, cid) if self.safety is not None and not payload else None
        [said_id] = transcript.add_many(cid, "user", [(shown, None)],
                                        intent=f"safety_{danger.category}" if danger else None)
        if danger is not None:
            replies = self.safety.respond(cid, danger, text)
            TURNS.labels(channel, "safety").inc()
            return self._record(cid, replies, said_id)
        if self.turn_locks is None:
            return self._turn(channel, cid, text, shown, payload, metadata, timeout, started, said_id, message_id)
        # Danger above is answered whatever else is running; anything else waits its turn.
        with self.turn_locks.turn(cid, token=message_id) as mine:
            if mine:
                return self._turn(channel, cid, text, shown, payload, metadata, timeout, started, said_id,
                                  message_id)
        TURNS.labels(channel, "in_progress").inc()
        return self._record(cid, [self.in_progress_reply()], said_id)

    def _turn(self, channel: str, cid: str, text: str, shown: str, payload: str | None,
              metadata: dict | None, timeout: float | None, started: float, said_id: int,
              message_id: str | None = None) -> Replies:
        for intercept_payload in self.payload_interceptors:
            replies = intercept_payload(cid, shown, payload)
            if replies is not None:
                TURNS.labels(channel, "intercepted").inc()
                return self._record(cid, replies, said_id)
        for intercept in self.interceptors:
            replies = intercept(cid, shown)
            if replies is not None:
                TURNS.labels(channel, "intercepted").inc()
                return self._record(cid, replies, said_id)

        try:
            # No metadata unless a caller has some (the sender id already names the channel): Rasa
            # 3.6 files a conversation's first metadata as a slot event *before* action_session_start,
            # so every later save of that tracker takes Rasa's quadratic merge path (Rasa's CPU per
            # message then grows with the conversation; README, WeChat benchmark).
            replies = self.rasa.send(cid, payload or text, metadata=metadata, timeout=timeout, message_id=message_id)
            TURNS.labels(channel, "rasa").inc()
            replies = self._act_on_payloads(cid, payload or text, replies)
        except RasaUnavailable as exc:
            log.error("rasa unavailable for %s: %s", cid, exc)
            TURNS.labels(channel, "rasa_error").inc()
            replies = [self.unavailable_reply()]
        recorded = self._record(cid, replies, said_id)
        TURN_SECONDS.labels(channel).observe(time.monotonic() - started)
        return recorded

    def _act_on_payloads(self, cid: str, said: str, replies: list[BotReply]) -> list[BotReply]:
        shown: list[BotReply] = []
        for reply in replies:
            kind = payloads.kind_of(reply.custom)
            if kind is None:
                shown.append(reply)
                continue
            handler = self.payload_handlers.get(kind)
            if handler is None:
                log.error("no handler for the %s payload in %s's answer", kind, cid)
                continue
            try:
                shown.extend(handler(cid, said, reply.custom[kind]))
            except Exception:  # noqa: BLE001 - the worker still gets the rest of the answer
                log.exception("acting on the %s payload for %s failed", kind, cid)
        return shown

    @staticmethod
    def _record(cid: str, replies: list[BotReply], said_id: int | None) -> Replies:
        ids = transcript.add_many(cid, "bot", [(reply.text, reply.buttons) for reply in replies])
        for reply, message_id in zip(replies, ids):
            reply.id = message_id
        recorded = Replies(replies)
        recorded.said_id = said_id
        return recorded
