"""删除我的记录: a worker deletes their chat history, after confirming.

The command is the worker's own words, not a model's guess: a short sentence asking to delete
their (chat) records. The gateway answers with the consequences and two buttons (确认删除 /
不删除; on WeChat numbered choices); the question waits ten minutes in Redis. Confirmed, the
conversation's transcript lines, unanswered questions and FAQ look-ups, the form data kept with
its closed handoffs, its WeChat choices and its Rasa tracker are deleted, an audit entry says that
it happened (not what was said), and the worker is told that what they filed with the union stays,
as the law requires. Anything else than yes or no drops the question and goes on as usual.
"""
from __future__ import annotations

import logging
import re

import redis as redis_lib

from bot.rasa_client import BotReply
from unionkit import texts, trackers

log = logging.getLogger(__name__)

PENDING_PREFIX = "privacy:forget:"
PENDING_SECONDS = 600
CONFIRM_PAYLOAD, DECLINE_PAYLOAD = "/forget_confirm", "/forget_decline"

_COMMAND_RE = re.compile(
    r"^(?:请|麻烦)?(?:你)?(?:帮我)?(?:(?:删除|删掉|删了|清除|清空)(?:一下)?(?:我的)?(?:全部|所有)?(?:的)?(?:聊天|对话)?(?:记录|历史)"
    r"|把我的(?:聊天|对话)?(?:记录|历史)(?:都|全)?(?:删除|删掉|删了|清除|清空))(?:吧|一下|谢谢)?$")
_CONFIRM = {"确认删除", "确定删除", "确认", "确定", "是", "是的", "对", "删除", "删吧", "好", "好的", "同意"}
_DECLINE = {"不删除", "不删", "不用", "不用了", "算了", "取消", "不", "否", "不要", "先不删"}
_PUNCTUATION = re.compile(r"[\s。．.！!，,？?~～]+")


def _said(text: str) -> str:
    return _PUNCTUATION.sub("", text or "")


def is_command(text: str) -> bool:
    return bool(_COMMAND_RE.match(_said(text)))


def _titles(name: str) -> set[str]:
    return {b["title"] for b in texts.response(name)["buttons"]}


class ForgetCommand:
    """The interceptor (bot/conversation.py): (conversation id, what the worker said) -> replies or None."""

    def __init__(self, redis: redis_lib.Redis):
        self.redis = redis
        confirm_button, decline_button = texts.response("utter_forget_confirm")["buttons"]
        self.confirm = _CONFIRM | {confirm_button["title"], CONFIRM_PAYLOAD}
        self.decline = _DECLINE | {decline_button["title"], DECLINE_PAYLOAD}

    def __call__(self, conversation_id: str, text: str) -> list[BotReply] | None:
        said = _said(text)
        key = PENDING_PREFIX + conversation_id
        try:
            pending = self.redis.get(key) is not None
            if is_command(said) or (not pending and said in (CONFIRM_PAYLOAD, DECLINE_PAYLOAD)):
                self.redis.set(key, "1", ex=PENDING_SECONDS)
                return [BotReply(**texts.response("utter_forget_confirm"))]
            if not pending:
                return None
            self.redis.delete(key)
        except redis_lib.RedisError as exc:
            log.error("forget command: redis unavailable for %s: %s", conversation_id, exc)
            return [BotReply(**texts.response("utter_forget_unavailable"))] if is_command(said) else None
        if said in self.confirm:
            try:
                forget_conversation(conversation_id, self.redis)
            except Exception:  # noqa: BLE001 - the worker hears it did not happen, and may ask again
                log.exception("deleting the history of %s failed", conversation_id)
                return [BotReply(**texts.response("utter_forget_unavailable"))]
            return [BotReply(**texts.response("utter_forget_done"))]
        if said in self.decline:
            return [BotReply(**texts.response("utter_forget_declined"))]
        return None  # something else: the question is dropped, the turn goes on as usual


def forget_conversation(conversation_id: str, redis: redis_lib.Redis) -> dict:
    """Deletes what the gateway and Rasa keep of one conversation; returns what went, by kind.
    Records filed in the union back end (and submissions waiting in the outbox) are not touched."""
    from bot.accounts.service import audit
    from bot.faq.models import FaqLookup, UnansweredQuestion
    from bot.handoff.models import Handoff
    from bot.models import Message
    from config.database import Session

    gone = {
        "messages": Session.query(Message).filter(Message.conversation_id == conversation_id)
        .delete(synchronize_session=False),
        "unanswered": Session.query(UnansweredQuestion).filter(UnansweredQuestion.conversation_id == conversation_id)
        .delete(synchronize_session=False),
        "faq_lookups": Session.query(FaqLookup).filter(FaqLookup.conversation_id == conversation_id)
        .delete(synchronize_session=False),
        "handoff_form_data": Session.query(Handoff).filter(
            Handoff.conversation_id == conversation_id, Handoff.status == "closed", Handoff.form_data.isnot(None))
        .update({Handoff.form_data: None}, synchronize_session=False),
    }
    Session.commit()
    gone["tracker"] = int(trackers.delete(redis, conversation_id))
    channel, _, user = conversation_id.partition(":")
    if channel == "wechat":
        from bot.channels.wechat.choices import PREFIX as CHOICES_PREFIX

        redis.delete(CHOICES_PREFIX + user)
    audit("worker", "history_deleted", conversation_id, gone)
    log.info("history of %s deleted at the worker's request: %s", conversation_id, gone)
    return gone
