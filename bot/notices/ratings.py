"""The worker's rating, asked in the chat after an officer closes it and after a record reaches its
final status (issue 12 §4): 满意度 1-5, then 问题解决了吗？(是/否), then an optional comment.

The question is a message with buttons (numbered choices on WeChat). Its payloads are the
gateway's own, `rating:<token>:<step>:<value>`, and this interceptor answers them before Rasa; a
worker who ignores the question just goes on, as every other message reaches Rasa as usual. Only
after the worker taps 写几句意见 is the next typed message taken as the comment.

Each answer is one part of the rating, posted to the back end at once (POST /v1/ratings, the
system of record; the outbox keeps it when the back end is down), which opens the review task
for a 1-2 or 没解决. What the question was about waits in Redis under its token (`keep_days`).
"""
from __future__ import annotations

import json
import logging
import secrets

import redis

from unionkit import notices_config as config
from bot.rasa_client import BotReply
from unionkit.backend_client import BackendRejected, BackendUnavailable, UnionBackend
from unionkit.outbox import Outbox

log = logging.getLogger(__name__)

PREFIX = "rating:"
REQUEST_KEY = "rating:req:{}"
COMMENT_KEY = "rating:comment:{}"  # conversation -> token, after 写几句意见
PATH = "/v1/ratings"


class Ratings:
    def __init__(self, r: redis.Redis, backend: UnionBackend, outbox: Outbox):
        self.r, self.backend, self.outbox = r, backend, outbox

    # ---- asking ---------------------------------------------------------------------------------
    def question(self, conversation_id: str, subject: str, ref: str, text: str,
                 officer: str | None = None, team: str | None = None, org: str | None = None) -> tuple[str, list[dict]]:
        """The question's text and five buttons; what it is about is kept under a fresh token."""
        token = secrets.token_hex(6)
        request = {"cid": conversation_id, "subject": subject, "ref": ref, "officer": officer, "team": team,
                   "org": org}
        self.r.set(REQUEST_KEY.format(token), json.dumps(request, ensure_ascii=False),
                   ex=int(config.rating_setting("keep_days")) * 86400)
        scores = config.rating_setting("scores")
        buttons = [{"title": str(scores[n]), "payload": f"{PREFIX}{token}:score:{n}"} for n in range(1, 6)]
        return text, buttons

    def ask_chat(self, handoff) -> tuple[str, list[dict]]:
        return self.question(handoff.conversation_id, "chat", f"handoff:{handoff.id}", config.rating_text("ask_chat"),
                             officer=handoff.officer, team=handoff.team, org=handoff.org)

    # ---- answers (the conversation service's first interceptor) ----------------------------------
    def intercept(self, conversation_id: str, text: str, payload: str | None) -> list[BotReply] | None:
        if payload and payload.startswith(PREFIX):
            return self._answer(conversation_id, payload)
        if payload or not text.strip():
            return None
        pipe = self.r.pipeline()  # MULTI: taken once, even with two messages at the same moment
        pipe.get(COMMENT_KEY.format(conversation_id))
        pipe.delete(COMMENT_KEY.format(conversation_id))
        token = pipe.execute()[0]
        if not token:
            return None  # not answering a rating: Rasa answers as usual
        request = self._request(token)
        if request is None:
            return None
        self._save(token, request, "comment", comment=text.strip()[:1000])
        return [self._thanks(request)]

    def _answer(self, conversation_id: str, payload: str) -> list[BotReply]:
        parts = payload.split(":")
        token, step, value = (parts + ["", "", ""])[1:4]
        request = self._request(token) if len(parts) == 4 else None
        if request is None or request["cid"] != conversation_id:
            return [BotReply(text=config.rating_text("expired"))]
        if step == "score" and value in {"1", "2", "3", "4", "5"}:
            request = self._save(token, request, "score", score=int(value))
            return [BotReply(text=config.rating_text("ask_solved"), buttons=[
                {"title": config.rating_text("solved_yes"), "payload": f"{PREFIX}{token}:solved:yes"},
                {"title": config.rating_text("solved_no"), "payload": f"{PREFIX}{token}:solved:no"}])]
        if step == "solved" and value in {"yes", "no"}:
            request = self._save(token, request, "solved", resolved=value == "yes")
            return [BotReply(text=config.rating_text("ask_comment"), buttons=[
                {"title": config.rating_text("comment_button"), "payload": f"{PREFIX}{token}:comment:write"},
                {"title": config.rating_text("no_comment_button"), "payload": f"{PREFIX}{token}:comment:no"}])]
        if step == "comment" and value == "write":
            self.r.set(COMMENT_KEY.format(conversation_id), token,
                       ex=int(config.rating_setting("comment_minutes")) * 60)
            return [BotReply(text=config.rating_text("comment_prompt"))]
        if step == "comment" and value == "no":
            return [self._thanks(request)]
        return [BotReply(text=config.rating_text("expired"))]

    def _request(self, token: str) -> dict | None:
        raw = self.r.get(REQUEST_KEY.format(token)) if token else None
        return json.loads(raw) if raw else None

    def _save(self, token: str, request: dict, step: str, **part) -> dict:
        """One part to the back end (or the outbox); the request remembers what was said."""
        request = {**request, **part}
        self.r.set(REQUEST_KEY.format(token), json.dumps(request, ensure_ascii=False), keepttl=True)
        channel = request["cid"].partition(":")[0]
        body = {"subject": request["subject"], "ref": request["ref"], "officer": request.get("officer"),
                "team": request.get("team"), "org": request.get("org"), "channel": channel,
                "channel_user": request["cid"], **part}
        body = {k: v for k, v in body.items() if v is not None}
        try:
            self.backend.post(PATH, body)
        except BackendUnavailable:
            self.outbox.put(PATH, {**body, "number": f"rating-{token}-{step}"})
        except BackendRejected as exc:
            log.error("the back end refused a rating of %s: %s", request["ref"], exc.body)
        return request

    @staticmethod
    def _thanks(request: dict) -> BotReply:
        unhappy = request.get("score") in (1, 2) or request.get("resolved") is False
        return BotReply(text=config.rating_text("thanks_review" if unhappy else "thanks"))
