"""Where in the conversation a message comes: the answer to a form question that asks the worker
to describe an injury or a hardship already reported.

There "右手被压了" or "家里着火了" answers the question (the worker is filing a past event), so the
classifier alone does not raise an alarm; the patterns still do (血止不住, 被压在下面, 昏过去了 are
danger in any form). The questions are the forms' own (utter_ask_<slot> in bot/domain), so the
gateway recognises them in the transcript without asking Rasa.
"""
from __future__ import annotations

from unionkit import texts

# The questions whose answer describes an event the worker is reporting.
DESCRIBING_SLOTS = ("wi_how", "wi_injury", "ha_reason")


def describing_questions() -> tuple[str, ...]:
    return tuple(texts.text(f"utter_ask_{slot}") for slot in DESCRIBING_SLOTS)


def asks_for_a_description(last_bot_text: str | None) -> bool:
    return bool(last_bot_text) and any(question in last_bot_text for question in describing_questions())
