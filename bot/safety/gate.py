"""What the gateway does when the screen sees danger: the right advice first, then an urgent
handoff above every other priority, with the reason for the officer.

Rasa never sees the message, so a form in progress stays exactly where it was (neither cancelled
nor submitted) and nothing in the reply is a form question. The advice texts are domain responses
(bot/domain/safety.yml) like every other reply.
"""
from __future__ import annotations

import logging

from prometheus_client import Counter

from unionkit import texts
from bot import transcript
from bot.rasa_client import BotReply
from bot.safety.context import asks_for_a_description
from bot.safety.screen import Danger, SafetyScreen

log = logging.getLogger(__name__)

SAFETY_ALERTS = Counter("safety_alerts_total", "Worker messages the safety screen took as danger", ["category"])
PRIORITY = "critical"


def reason_code(danger: Danger) -> str:
    return f"safety_{danger.category}"


class SafetyGate:
    def __init__(self, screen: SafetyScreen, handoffs, early_warning=None):
        self.screen = screen
        self.handoffs = handoffs  # bot.handoff.service.HandoffService
        # Called with (conversation_id, text) for a group incident: the early warning (bot/orgs/alerts.py).
        self.early_warning = early_warning

    def check(self, text: str, conversation_id: str | None = None) -> Danger | None:
        try:
            danger = self.screen.check(text)
            if danger is not None and danger.source == "model" and conversation_id:
                # Only now is the transcript read: most messages are no alarm at all.
                if asks_for_a_description(transcript.last_bot_text(conversation_id)):
                    return self.screen.check(text, describing=True)
            return danger
        except Exception:  # noqa: BLE001 - a broken screen must not silence the chat
            log.exception("safety screen failed")
            return None

    def respond(self, conversation_id: str, danger: Danger, text: str = "") -> list[BotReply]:
        SAFETY_ALERTS.labels(danger.category).inc()
        if danger.category == "group_incident" and self.early_warning is not None:
            try:
                self.early_warning(conversation_id, text)
            except Exception:  # noqa: BLE001 - the advice and the handoff come first
                log.exception("could not raise the early warning for %s", conversation_id)
        log.warning("safety: %s in %s (%s, %.2f): urgent handoff", danger.category, conversation_id,
                    danger.source, danger.score)
        replies = [BotReply(**texts.response(f"utter_safety_{danger.category}"))]
        try:
            handoff, situation = self.handoffs.open(conversation_id, reason_code(danger), priority=PRIORITY,
                                                    team="general")
        except Exception:  # noqa: BLE001 - the advice stands even if the queue is down
            log.exception("could not open the safety handoff for %s", conversation_id)
            replies.append(BotReply(text=texts.text("utter_safety_handoff_unavailable")))
            return replies
        if handoff.status == "active":
            replies.append(BotReply(text=texts.text("utter_safety_officer_told")))
        elif not situation.open_now:
            replies.append(BotReply(text=texts.text("utter_safety_off_hours", when=situation.when)))
        else:
            replies.append(BotReply(text=texts.text("utter_safety_queued")))
        return replies
