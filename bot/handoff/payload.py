"""Acts on an action's handoff payload (unionkit/payloads.py) in Rasa's answer: queues the chat
for the team and tells the worker their place in the queue, or when someone will answer."""
from __future__ import annotations

import logging

from bot.handoff.service import HandoffService
from bot.rasa_client import BotReply
from unionkit import texts

log = logging.getLogger(__name__)


class HandoffPayload:
    def __init__(self, service: HandoffService):
        self.service = service

    def __call__(self, conversation_id: str, _said: str, data: dict) -> list[BotReply]:
        try:
            _handoff, situation = self.service.open(
                conversation_id, data.get("reason") or "request_human", priority=data.get("priority") or "normal",
                team=data.get("team") or "general", case_number=data.get("case_number"),
                form_data=data.get("form_data"))
        except Exception:  # noqa: BLE001 - the worker must hear something either way
            log.exception("could not record a handoff for %s", conversation_id)
            self._resume(conversation_id)
            return [BotReply(**texts.response("utter_handoff_unavailable"))]
        if not situation.open_now:
            shown = texts.response("utter_handoff_off_hours", hours=situation.hours, when=situation.when)
        elif situation.officers_online == 0:
            shown = texts.response("utter_handoff_no_officer", position=situation.position)
        else:
            shown = texts.response("utter_handoff_queued", position=situation.position)
        return [BotReply(**shown)]

    def _resume(self, conversation_id: str) -> None:
        """The action paused the Rasa conversation; with no handoff nobody would resume it."""
        try:
            self.service.rasa.append_events(conversation_id, [{"event": "resume"}])
        except Exception:  # noqa: BLE001
            log.exception("could not resume %s after a failed handoff", conversation_id)
