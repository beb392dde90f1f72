"""The notices job of the worker process: reads the back end's event feed (GET /v1/events), queues
a notice for each status change and each officer message on a record, and delivers them on the
channel the record came from (issue 12 §3):

- web: a line in the transcript (the widget polls it), written in one transaction with the
  notice's delivery row, so exactly once;
- WeChat: the template message of config/notices.yml when one is configured, else a
  customer-service message (within the 48-hour window; past it the message waits in the worker's
  queue like officer replies, bot/channels/wechat/delivery.py). WeChat refusing or unreachable:
  retried with a growing pause until it takes it.

After a record's final status the worker is asked to rate it (bot/notices/ratings.py), as a notice
of its own ("ev<id>:rate", queued before the status notice is marked sent, so never lost).

Each process only claims notices of the channels it can send on: a worker without WeChat settings
leaves WeChat's to one that has them.
"""
from __future__ import annotations

import datetime as dt
import logging

import redis
import requests
from flask import Flask
from prometheus_client import Counter
from sqlalchemy.exc import IntegrityError
from wechatpy.exceptions import WeChatClientException

from bot.models import Message
from unionkit import notices_config as config
from bot.notices.models import NoticeDelivery
from bot.notices.queue import Claim, NoticeQueue
from bot.notices.ratings import Ratings
from bot.channels.wechat.choices import render
from bot.channels.wechat.split import split_text
from bot.rasa_client import BotReply
from config.database import Session
from unionkit import texts, timelimits
from unionkit.backend_client import UnionBackend

log = logging.getLogger(__name__)

CURSOR_KEY = "notices:cursor"  # the id of the last history entry read from the feed
FEED_LOCK = "notices:feed-lock"
CHANNELS = ("web", "wechat")
# WeChat's answers that will never change for this worker: 43004 not following the account any
# more, 40003 not an openid of this account, 43101 refused template messages.
NEVER = {40003, 43004, 43101}

SENT = Counter("notices_sent_total", "Notices delivered to workers", ["channel", "via"])
RETRIED = Counter("notices_retries_total", "Notice deliveries that failed and were rescheduled", ["channel"])


def kind_word(kind: str, type_: str | None) -> str:
    for name in (type_, kind, "record"):
        if name:
            try:
                return texts.text(f"utter_status_kind_{name}")
            except KeyError:
                continue
    return kind


def notices_for(event: dict, now: dt.datetime, max_age: dt.timedelta) -> list[dict]:
    """The notice one history entry gives the worker, if any: status changes and officer messages
    of the worker's own records, on a channel that can reach them, not older than max_age."""
    cid = event.get("channel_user") or ""
    channel, _, user = cid.partition(":")
    if event.get("kind") == "review" or channel not in CHANNELS or not user:
        return []
    if event["action"] == "status" and event.get("from") is not None and event.get("from") != event.get("to"):
        what = "status"
    elif event["action"] == "message" and event.get("message"):
        what = "message"
    else:
        return []  # filed (the worker got the number), assigned, an internal note
    at = dt.datetime.fromisoformat(event["at"])
    if now - at > max_age:
        return []
    return [{"id": f"ev{event['id']}", "event": event["id"], "seq": event["id"], "what": what, "channel": channel, "user": user,
             "conversation_id": cid, "number": event["number"], "kind": event["kind"], "type": event.get("type"),
             "status": event.get("to") if what == "status" else None, "message": event.get("message"),
             "final": bool(event.get("final")), "officer": event.get("actor"), "team": event.get("team"),
             "at": event["at"]}]


def values_of(notice: dict) -> dict:
    """The placeholders of the texts and template fields."""
    kind = kind_word(notice["kind"], notice.get("type"))
    status = timelimits.status_words().get(notice.get("status") or "", notice.get("status") or "")
    at = dt.datetime.fromisoformat(notice["at"]).astimezone(dt.timezone(dt.timedelta(hours=8)))
    values = {"kind": kind, "number": notice["number"], "status": status, "message": notice.get("message") or "",
              "next_step": config.next_step(notice.get("status")), "at": f"{at:%Y-%m-%d %H:%M}"}
    values["headline"] = config.text("message_headline" if notice["what"] == "message" else "status_headline", **values)
    return values


def notice_text(notice: dict) -> str:
    values = values_of(notice)
    if notice["what"] == "status":
        words = config.text("officer_words", text=notice["message"]) if notice.get("message") else ""
        return config.text("status", **{**values, "message": words}).strip()
    return config.text("message", **values).strip()


class Notices:
    def __init__(self, app: Flask, r: redis.Redis, backend: UnionBackend, ratings: Ratings,
                 queue: NoticeQueue | None = None):
        self.app, self.r, self.backend, self.ratings = app, r, backend, ratings
        self.queue = queue or NoticeQueue(r)
        cfg = config.load()
        self.max_age = dt.timedelta(hours=float(cfg.get("max_age_hours", 72)))
        self.batch = int(cfg.get("feed_batch", 200))

    # ---- the job ----------------------------------------------------------------------------------
    def run_once(self) -> int:
        self.read_feed()
        return sum(self.deliver(channel) for channel in self.channels())

    def channels(self) -> list[str]:
        wechat = self.app.extensions.get("wechat")
        return ["web"] + (["wechat"] if wechat is not None and wechat.service.api is not None else [])

    # ---- the feed -----------------------------------------------------------------------------------
    def read_feed(self) -> int:
        """Queues the notices of the history entries after the cursor; one reader at a time."""
        lock = self.r.lock(FEED_LOCK, timeout=30, blocking_timeout=0)
        if not lock.acquire(blocking=False):
            return 0
        try:
            after = int(self.r.get(CURSOR_KEY) or 0)
            events = self.backend.get("/v1/events", after=str(after), limit=str(self.batch))["items"]
            now = dt.datetime.now(dt.timezone.utc)
            for event in events:
                for notice in notices_for(event, now, self.max_age):
                    self.queue.put(notice)
                self.r.set(CURSOR_KEY, event["id"])
            return len(events)
        finally:
            try:
                lock.release()
            except redis.exceptions.LockError:
                log.warning("the notices feed lock ran out while reading the feed")

    # ---- delivering ---------------------------------------------------------------------------------
    def deliver(self, channel: str) -> int:
        sent = 0
        for claim in sorted(self.queue.claim(channel), key=lambda c: c.notice.get("seq", 0)):
            if not self.queue.first_in_line(claim):
                self.queue.defer(claim, delay=0.5)  # an earlier one to the same worker goes first
                continue
            try:
                sent += self._deliver(claim)
            except Exception as exc:  # noqa: BLE001 - a database or WeChat hiccup: try again later
                Session.rollback()
                log.exception("notice %s to %s failed", claim.id, claim.notice["conversation_id"])
                self._retry(claim, repr(exc))
        return sent

    def _deliver(self, claim: Claim) -> int:
        notice = claim.notice
        if self._delivered(claim.id) or not self.queue.still_mine(claim):
            self.queue.finish(claim)  # sent before the process that sent it could say so
            return 0
        if notice["what"] == "rate":
            text, buttons = self.ratings.question(
                notice["conversation_id"], "record", notice["number"],
                config.rating_text("ask_record", **values_of(notice)), officer=notice.get("officer"),
                team=notice.get("team"))
        else:
            text, buttons = notice_text(notice), []
        if claim.channel == "web":
            via, msgid = "transcript", None
        else:
            outcome = self._wechat(claim, text, buttons)
            if outcome is None:
                return 0
            via, msgid = outcome
        if notice.get("final") and notice["what"] == "status":
            # The rating question follows the last status, queued before this one counts as sent.
            self.queue.put(dict(notice, id=f"{claim.id}:rate", what="rate", seq=notice["seq"] + 0.5), delay=1.0)
        self._record(claim, text, buttons, via, msgid)
        self.queue.finish(claim)
        SENT.labels(claim.channel, via).inc()
        return 1

    def _wechat(self, claim: Claim, text: str, buttons: list) -> tuple[str, str | None] | None:
        """Sends on WeChat: (via, msgid), or None when it is to be tried again (or never)."""
        wechat = self.app.extensions["wechat"]
        openid = claim.notice["user"]
        template = config.template(claim.notice["what"]) if claim.notice["what"] != "rate" else None
        if template is not None:
            try:
                answer = wechat.service.api.send_template(openid, template.template_id,
                                                          template.data(values_of(claim.notice)), template.url)
            except WeChatClientException as exc:
                if exc.errcode in NEVER:
                    log.warning("WeChat will not take notice %s: %s %s", claim.id, exc.errcode, exc.errmsg)
                    self._record(claim, text, [], "refused", None)
                    self.queue.refuse(claim, f"errcode {exc.errcode}")
                    return None
                self._retry(claim, f"errcode {exc.errcode}")
                return None
            except requests.RequestException as exc:
                self._retry(claim, f"network: {exc}")
                return None
            return "template", str(answer.get("msgid") or "") or None
        rendered, choices = render([BotReply(text=text, buttons=list(buttons))])
        if choices:
            wechat.choices.remember(openid, choices)
        first, *rest = split_text(rendered)
        outcome, problem = wechat.service.push_or_queue(openid, first)
        if outcome == "failed":
            self._retry(claim, problem or "failed")
            return None
        for chunk in rest:  # behind the first, in order (queued when the allowance runs out)
            wechat.service.push_one(openid, chunk)
        return ("custom" if outcome == "sent" else "queued"), None

    def _retry(self, claim: Claim, error: str) -> None:
        delay = self.queue.retry(claim, error)
        RETRIED.labels(claim.channel).inc()
        if delay is not None:
            log.warning("notice %s to %s not sent (%s); again in %.0f s", claim.id,
                        claim.notice["conversation_id"], error, delay)

    @staticmethod
    def _delivered(notice_id: str) -> bool:
        return Session.query(NoticeDelivery.id).filter(NoticeDelivery.notice_id == notice_id).first() is not None

    @staticmethod
    def _record(claim: Claim, text: str, buttons: list, via: str, msgid: str | None) -> None:
        """The transcript line and the delivery row, in one transaction (a second one for the same
        notice fails on the unique notice id and changes nothing)."""
        notice = claim.notice
        Session.add(Message(conversation_id=notice["conversation_id"], role="bot", text=text, buttons=buttons or None))
        Session.add(NoticeDelivery(notice_id=claim.id, conversation_id=notice["conversation_id"],
                                   number=notice.get("number"), via=via, wechat_msgid=msgid))
        try:
            Session.commit()
        except IntegrityError:
            Session.rollback()


def record_template_report(msgid: str, status: str) -> bool:
    """WeChat's TEMPLATESENDJOBFINISH: whether the template message reached the worker."""
    row = Session.query(NoticeDelivery).filter(NoticeDelivery.wechat_msgid == msgid).first()
    if row is None:
        return False
    row.report = (status or "")[:60]
    row.reported_at = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
    Session.commit()
    return True
