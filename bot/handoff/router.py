"""The interceptor the conversation service runs before Rasa: while a chat is with an officer,
the worker's messages go to the officer (they are already in the transcript the console reads)
and Rasa never sees them."""
from __future__ import annotations

import logging

import redis

from unionkit import texts
from bot.handoff.service import HandoffService
from bot.rasa_client import BotReply

log = logging.getLogger(__name__)


class HandoffRouter:
    def __init__(self, service: HandoffService):
        self.service = service

    def __call__(self, conversation_id: str, text: str) -> list[BotReply] | None:
        handoff = self.service.for_conversation(conversation_id)
        if handoff is None:
            if self._resume_owed(conversation_id):
                self.service.resume(conversation_id)
            return None  # not handed over: Rasa answers
        if handoff.status == "active":
            return []  # the officer answers from the console
        if text.strip() in _give_up_titles():
            self.service.close(handoff.id, actor=None, outcome="worker_left", notify=False)
            return [BotReply(**texts.response("utter_handoff_worker_left"))]
        return self._acknowledge(handoff)

    def _acknowledge(self, handoff) -> list[BotReply]:
        """A waiting worker hears that the message is kept, not after every line they type."""
        try:
            if not self.service.queues.should_acknowledge(handoff.conversation_id,
                                                          self.service.cfg.message_ack_seconds):
                return []
            situation = self.service.situation(handoff)
        except redis.RedisError as exc:
            log.error("handoff queue unavailable while acknowledging %s: %s", handoff.id, exc)
            return []
        if situation.open_now:
            return [BotReply(text=texts.text("utter_handoff_message_kept", position=situation.position))]
        return [BotReply(text=texts.text("utter_handoff_message_kept_off_hours", when=situation.when))]

    def _resume_owed(self, conversation_id: str) -> bool:
        try:
            return self.service.queues.resume_owed(conversation_id)
        except redis.RedisError:
            return False


def _give_up_titles() -> set[str]:
    """The "不等了" button under the queue notices: the worker stops waiting."""
    titles = set()
    for name in ("utter_handoff_queued", "utter_handoff_no_officer", "utter_handoff_off_hours"):
        titles.update(b["title"] for b in texts.response(name)["buttons"] if b.get("payload") == "/cancel")
    return titles
