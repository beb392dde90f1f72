"""Messages that reach a worker outside a Rasa turn (officer replies, handoff notices, late WeChat
replies). Writing to the transcript is enough for the web widget, which polls it; channels that
must push (WeChat's customer-service API) register a sender here."""
from __future__ import annotations

import logging
from typing import Callable

from bot import transcript

log = logging.getLogger(__name__)

# channel name -> fn(user, text, buttons) that pushes one message to that user
Sender = Callable[[str, str, list], None]
_senders: dict[str, Sender] = {}


def register_sender(channel: str, sender: Sender) -> None:
    _senders[channel] = sender


def deliver(conversation_id: str, text: str, role: str = "officer", buttons: list | None = None) -> int:
    """Record the message in the transcript and push it on the worker's channel; returns its id."""
    msg = transcript.add(conversation_id, role, text, buttons)
    channel, _, user = conversation_id.partition(":")
    sender = _senders.get(channel)
    if sender is not None:
        try:
            sender(user, text, buttons or [])
        except Exception:  # noqa: BLE001 - the transcript keeps it; the channel logs its own failure
            log.exception("could not push a message to %s", conversation_id)
    return msg.id
