"""The district question after a filing (the action's {"ask_district"} payload): the gateway asks
with the tree's districts as buttons, remembers which records wait for the answer (Redis, 30
minutes), and when the worker's next message names a district, routes those records again
(POST /v1/records/<number>/route) and says which union has them. Any other message drops the
question and goes to Rasa as usual."""
from __future__ import annotations

import json
import logging

import redis

from bot.rasa_client import BotReply
from unionkit import texts
from unionkit.backend_client import BackendRejected, BackendUnavailable, UnionBackend

log = logging.getLogger(__name__)
KEY = "orgs:district_question:{cid}"
TTL_SECONDS = 1800


def _match(answer: str, districts: list[str]) -> str | None:
    answer = (answer or "").strip()
    for name in districts:
        short = name[:-1] if name.endswith(("区", "县", "市")) and len(name) >= 3 else name
        if answer == name or answer == short or name in answer or (len(short) >= 2 and short in answer):
            return name
    return None


class DistrictQuestion:
    def __init__(self, redis_client: redis.Redis, backend: UnionBackend):
        self.redis = redis_client
        self.backend = backend

    # the payload handler: ask
    def __call__(self, conversation_id: str, _said: str, data: dict) -> list[BotReply]:
        districts = [str(d) for d in data.get("districts") or []][:20]
        numbers = [str(n) for n in data.get("numbers") or []][:10]
        if not districts or not numbers:
            return []
        key = KEY.format(cid=conversation_id)
        pending = self._pending(conversation_id)
        numbers = list(dict.fromkeys((pending or {}).get("numbers", []) + numbers))
        self.redis.set(key, json.dumps({"numbers": numbers, "districts": districts}), ex=TTL_SECONDS)
        return [BotReply(text=texts.text("utter_ask_district"),
                         buttons=[{"title": d, "payload": d} for d in districts])]

    def _pending(self, conversation_id: str) -> dict | None:
        try:
            raw = self.redis.get(KEY.format(cid=conversation_id))
        except redis.RedisError:
            return None
        return json.loads(raw) if raw else None

    # the interceptor: the answer
    def intercept(self, conversation_id: str, text: str) -> list[BotReply] | None:
        pending = self._pending(conversation_id)
        if not pending:
            return None
        self.redis.delete(KEY.format(cid=conversation_id))
        district = _match(text, pending["districts"])
        if district is None:
            return None  # not an answer: Rasa hears it
        org_names, numbers = [], []
        for number in pending["numbers"]:
            try:
                record = self.backend.post(f"/v1/records/{number}/route", {"district": district, "actor": "worker"})
            except (BackendRejected, BackendUnavailable) as exc:
                log.warning("could not route %s by district %s: %s", number, district, exc)
                continue
            numbers.append(number)
            org_names.append(record.get("org"))
        if not numbers:
            return None
        from bot.orgs.tree import tree

        name = tree(fresh=True).name(org_names[-1]) or district
        return [BotReply(text=texts.text("utter_district_routed", org=name, numbers="、".join(numbers)))]
