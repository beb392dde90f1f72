"""What each kind of WeChat message or event leads to, once protocol.py has verified and parsed it.

Text (and voice with WeChat's Recognition) goes through the same conversation as the web chat, as
user openid; other message kinds get a reply saying what to send instead; a menu CLICK is the
payload "/<intent>" from config/wechat_menu.yml; unsubscribe quietly ends any handoff.
"""
from __future__ import annotations

import logging

from flask import Flask
from wechatpy.messages import BaseMessage

from bot import transcript
from unionkit import texts
from bot.channels.wechat.choices import Choices
from bot.channels.wechat.dedup import NonceMemory, RetryGuard, message_key
from bot.channels.wechat.delivery import CustomerService
from bot.channels.wechat.menu import click_intents
from bot.channels.wechat.protocol import Protocol
from bot.channels.wechat.turns import TurnRunner
from bot.conversation import conversation_id
from bot.rasa_client import BotReply

log = logging.getLogger(__name__)

# Message kinds the assistant cannot read -> the reply saying what to send instead.
NOT_READABLE = {
    "image": "utter_wechat_image",
    "video": "utter_wechat_video",
    "shortvideo": "utter_wechat_video",
    "location": "utter_wechat_location",
    "link": "utter_wechat_link",
    "file": "utter_wechat_file",
}
# Events after which WeChat lets the account push messages again (the user interacted).
INTERACTIONS = {"subscribe", "subscribe_scan", "scan", "click", "view"}


class WeChatChannel:
    def __init__(self, app: Flask, protocol: Protocol, guard: RetryGuard, choices: Choices,
                 service: CustomerService, budget: float, nonces: NonceMemory):
        self.app = app
        self.protocol = protocol
        self.guard = guard
        self.nonces = nonces
        self.choices = choices
        self.service = service
        self.quota = service.quota
        self.budget = budget
        self.turns = TurnRunner(app, choices, service)
        self.clicks = click_intents()

    def respond(self, message: BaseMessage, started: float) -> str:
        """The passive answer ("" for "success"), the same for every copy WeChat sends of a message."""
        deadline = started + self.budget
        key = message_key(message)
        while True:
            if self.guard.claim(key):
                try:
                    answer = self.handle(message, deadline, key)
                except Exception:
                    self.guard.release(key)  # nothing answered: WeChat's retry may try again
                    raise
                self.guard.store(key, answer)
                return answer
            answer = self.guard.wait(key, deadline)
            if answer is not None:
                return answer
            # The first copy gave up without answering: this copy claims the message instead.

    def handle(self, message: BaseMessage, deadline: float, key: str | None = None) -> str:
        openid = message.source
        kind = _kind(message)
        if kind == "event":
            return self._event(message, openid, deadline, key)
        self._user_wrote(openid)
        if kind == "text" and (message.content or "").strip():
            return self._user_turn(openid, message.content.strip(), deadline, key)
        if kind == "voice" and (message.recognition or "").strip():
            return self._user_turn(openid, message.recognition.strip(), deadline, key)
        self._note(openid, "user", _label(message, kind))
        if kind == "voice":
            return self._say(openid, "utter_wechat_voice_unrecognized")
        return self._say(openid, NOT_READABLE.get(kind, "utter_wechat_unsupported"))

    def _user_turn(self, openid: str, text: str, deadline: float, key: str | None = None) -> str:
        """What the worker typed or said; a number picks one of the choices shown last."""
        if self._too_fast(openid, text):
            return self._too_fast_reply(openid)
        choice = self.choices.resolve(openid, text)
        if choice is not None:
            return self.turns.answer(openid, deadline, text=choice["title"], payload=choice["payload"], message_id=key)
        return self.turns.answer(openid, deadline, text=text, message_id=key)

    def _event(self, message: BaseMessage, openid: str, deadline: float, key: str | None = None) -> str:
        event = str(message._data.get("Event") or "").lower()
        if event in INTERACTIONS:
            self._user_wrote(openid)
        if event in ("subscribe", "subscribe_scan"):
            self._note(openid, "system", texts.text("utter_wechat_label_subscribe"))
            return self._say(openid, "utter_wechat_welcome")
        if event == "unsubscribe":
            self._unsubscribed(openid)
            return ""
        if event == "click":
            # The menu key is not the message's key: Rasa runs each message key once, and every
            # click on the same button carries the same menu key.
            menu_key = message._data.get("EventKey") or ""
            intent = self.clicks.get(menu_key)
            if intent is None:
                log.warning("menu key %r is not in config/wechat_menu.yml clicks", menu_key)
                return ""
            if self._too_fast(openid, ""):
                return self._too_fast_reply(openid)
            return self.turns.answer(openid, deadline, text="", payload=f"/{intent}", message_id=key)
        if event == "templatesendjobfinish":
            # WeChat's report on a template message (a notice): whether it reached the worker.
            from bot.notices.sender import record_template_report

            data = message._data
            if not record_template_report(str(data.get("MsgID") or data.get("MsgId") or ""), str(data.get("Status") or "")):
                log.info("template report for an unknown msgid %s", data.get("MsgID"))
            return ""
        return ""  # view (a link), location reports ...: nothing to say

    def _too_fast(self, openid: str, text: str) -> bool:
        """Over the per-openid limit, unless the words signal danger (those come first, always)."""
        if self.app.extensions["rate_limits"].allow("wechat_openid", openid):
            return False
        safety = self.app.extensions.get("safety")
        return not (text and safety is not None and safety.check(text) is not None)

    def _too_fast_reply(self, openid: str) -> str:
        """Answered at once, without Rasa and without a transcript line (a flood writes nothing);
        the numbered choices shown last stay valid."""
        return self.app.extensions["floods"].text("wechat_too_fast")

    def _user_wrote(self, openid: str) -> None:
        """A fresh push allowance; whatever waited for it goes out now, beside this answer."""
        if self.quota.user_wrote(openid):
            self.turns.in_background(self.service.flush, openid)

    def _unsubscribed(self, openid: str) -> None:
        cid = conversation_id("wechat", openid)
        self.quota.user_left(openid)
        self.choices.forget(openid)
        self._note(openid, "system", texts.text("utter_wechat_label_unsubscribe"))
        end_handoff_quietly(self.app, cid)

    def _say(self, openid: str, response: str) -> str:
        """A reply the channel makes itself, recorded in the transcript like the bot's."""
        reply = BotReply(**texts.response(response))
        transcript.add(conversation_id("wechat", openid), "bot", reply.text, reply.buttons)
        return self.turns.reply(openid, [reply])

    @staticmethod
    def _note(openid: str, role: str, text: str) -> None:
        transcript.add(conversation_id("wechat", openid), role, text)


def end_handoff_quietly(app: Flask, cid: str) -> None:
    """The worker unfollowed: an officer holding or queued for the chat sees it closed; the worker
    is told nothing (WeChat would not deliver it anyway)."""
    if "handoff" not in app.extensions:
        return
    from bot.handoff.service import close_for_conversation

    if close_for_conversation(cid, outcome="worker_left", notify=False):
        log.info("closed the handoff of %s: the worker unsubscribed", cid)


def _kind(message: BaseMessage) -> str:
    if message.type != "unknown":
        return message.type
    # wechatpy has no class for some kinds (e.g. file): read WeChat's MsgType itself.
    return str(message._data.get("MsgType", "unknown")).lower()


def _label(message: BaseMessage, kind: str) -> str:
    """How a message the assistant cannot read appears in the transcript."""
    data = message._data
    if kind == "location":
        return texts.text("utter_wechat_label_location", label=data.get("Label") or
                          f"{data.get('Location_X', '')},{data.get('Location_Y', '')}")
    if kind == "link":
        return texts.text("utter_wechat_label_link", title=data.get("Title") or "", url=data.get("Url") or "")
    if kind == "file":
        return texts.text("utter_wechat_label_file", title=data.get("Title") or "")
    if kind in ("image", "video", "voice"):
        return texts.text(f"utter_wechat_label_{kind}")
    if kind == "shortvideo":
        return texts.text("utter_wechat_label_video")
    return texts.text("utter_wechat_label_other", kind=kind)
