"""WeChat text has no buttons: a reply's buttons become numbered lines ("回复数字即可选择：1. 同意 ..."),
and the last numbers shown to each user are kept in Redis so a reply of "2" means the second button."""
from __future__ import annotations

import json
import re

import redis

from unionkit import texts
from bot.rasa_client import BotReply

PREFIX = "wechat:choices:"
# A worker may answer the next day; older choices are stale enough to read "2" as plain text.
KEEP_SECONDS = 24 * 3600
# Half-width or full-width digits, as phone keyboards type them.
NUMBER_RE = re.compile(r"^\s*([0-9０-９]{1,2})\s*[.。、]?\s*$")


def render(replies: list[BotReply]) -> tuple[str, list[dict]]:
    """One text for all replies, buttons numbered 1..n across them, and the choices in that order."""
    parts: list[str] = []
    choices: list[dict] = []
    for reply in replies:
        lines = [reply.text] if reply.text else []
        if reply.buttons:
            lines.append(texts.text("utter_wechat_choices_hint"))
            for button in reply.buttons:
                choices.append({"title": button.get("title", ""), "payload": button.get("payload", "")})
                lines.append(f"{len(choices)}. {button.get('title', '')}")
        if lines:
            parts.append("\n".join(lines))
    return "\n\n".join(parts), choices


class Choices:
    def __init__(self, r: redis.Redis):
        self.redis = r

    def remember(self, openid: str, choices: list[dict]) -> None:
        """The choices just shown replace any older ones; a reply without buttons clears them."""
        if choices:
            self.redis.set(PREFIX + openid, json.dumps(choices, ensure_ascii=False), ex=KEEP_SECONDS)
        else:
            self.redis.delete(PREFIX + openid)

    def resolve(self, openid: str, text: str) -> dict | None:
        """The button a reply like "2" picks, or None when the text is not one of the numbers shown."""
        match = NUMBER_RE.match(text or "")
        if not match:
            return None
        stored = self.redis.get(PREFIX + openid)
        if not stored:
            return None
        choices = json.loads(stored)
        number = int(match.group(1).translate(_FULL_WIDTH))
        if 1 <= number <= len(choices):
            return choices[number - 1]
        return None

    def forget(self, openid: str) -> None:
        self.redis.delete(PREFIX + openid)


_FULL_WIDTH = str.maketrans("０１２３４５６７８９", "0123456789")
