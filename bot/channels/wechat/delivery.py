"""Pushing messages to a WeChat user through the customer-service API: late replies (the slow path),
parts of a long reply, officer replies and notices (registered with bot.outbound).

Every push spends one of the user's allowance (see quota.py). What cannot go now - allowance spent,
WeChat refusing, WeChat unreachable - waits in the user's queue, in order, and goes out when the user
writes again; officers read a note about it in the transcript."""
from __future__ import annotations

import logging

import requests
from wechatpy.exceptions import WeChatClientException

from bot import transcript
from unionkit import texts
from bot.channels.wechat.api import SharedTokenClient
from bot.channels.wechat.choices import Choices, render
from bot.channels.wechat.quota import Quota
from bot.channels.wechat.split import split_text
from bot.rasa_client import BotReply

log = logging.getLogger(__name__)

# WeChat's own words for "you may not push to this user now": 45015 the user has not written for
# 48 hours, 45047 too many pushes since the user last wrote.
OUT_OF_ALLOWANCE = {45015, 45047}


class CustomerService:
    def __init__(self, api: SharedTokenClient | None, quota: Quota, choices: Choices):
        self.api = api
        self.quota = quota
        self.choices = choices

    def push_reply(self, openid: str, text: str, buttons: list | None = None) -> None:
        """bot.outbound's sender for channel "wechat": one message (buttons as numbered choices)."""
        rendered, choices = render([BotReply(text=text, buttons=list(buttons or []))])
        if choices:
            self.choices.remember(openid, choices)
        self.push(openid, split_text(rendered))

    def push(self, openid: str, chunks: list[str]) -> None:
        for chunk in chunks:
            self.push_one(openid, chunk)

    def push_one(self, openid: str, text: str) -> bool:
        """True when WeChat took the message; False when it waits in the queue."""
        # Behind queued messages, so the worker reads them in order.
        if self.quota.has_queue(openid) or not self.quota.take(openid):
            self._wait(openid, text, texts.text("utter_wechat_quota_queued", limit=self.quota.limit))
            return False
        problem = self._send(openid, text)
        if problem:
            self._wait(openid, text, texts.text("utter_wechat_push_failed", reason=problem))
            return False
        return True

    def push_or_queue(self, openid: str, text: str) -> tuple[str, str | None]:
        """For the notices (bot/notices/), which retry themselves what WeChat did not take:
        ("sent", None); ("queued", None) when it waits for the worker's next message (allowance
        spent, or past the 48-hour window: as officer replies wait); ("failed", why) when WeChat
        was unreachable or refused for another reason (nothing queued, the allowance given back)."""
        if self.quota.has_queue(openid) or not self.quota.take(openid):
            self._wait(openid, text, texts.text("utter_wechat_quota_queued", limit=self.quota.limit))
            return "queued", None
        problem = self._send(openid, text)
        if problem is None:
            return "sent", None
        if problem.startswith("errcode ") and int(problem.split()[1]) in OUT_OF_ALLOWANCE:
            self._wait(openid, text, texts.text("utter_wechat_quota_queued", limit=self.quota.limit))
            return "queued", None
        self.quota.give_back(openid)
        return "failed", problem

    def flush(self, openid: str) -> int:
        """After the user wrote: send what waited, as far as the fresh allowance goes."""
        sent = 0
        while self.quota.take(openid):
            text = self.quota.next_queued(openid)
            if text is None:
                self.quota.give_back(openid)
                break
            if self._send(openid, text):
                self.quota.requeue_first(openid, text)
                break
            sent += 1
        if sent:
            transcript.add(f"wechat:{openid}", "system", texts.text("utter_wechat_quota_released", count=sent))
        return sent

    def _send(self, openid: str, text: str) -> str | None:
        """None when sent, else what went wrong (for the officers' note)."""
        if self.api is None:
            return "WECHAT_APP_ID / WECHAT_APP_SECRET not set"
        try:
            self.api.send_text(openid, text)
            return None
        except WeChatClientException as exc:
            if exc.errcode in OUT_OF_ALLOWANCE:
                self.quota.spend_all(openid)
            log.warning("WeChat refused a message to %s: %s %s", openid, exc.errcode, exc.errmsg)
            return f"errcode {exc.errcode}"
        except requests.RequestException as exc:
            log.warning("WeChat API unreachable for %s: %s", openid, exc)
            return "network"
        except Exception:  # noqa: BLE001 - e.g. the token lock timed out: keep the message, say so
            log.exception("could not push a message to %s", openid)
            return "error"

    def _wait(self, openid: str, text: str, note: str) -> None:
        if self.quota.queue(openid, text) == 1:  # one note per stretch of waiting, not per message
            transcript.add(f"wechat:{openid}", "system", note)
