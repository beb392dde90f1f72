"""A worker with a 300-turn history against a new one, side by side in one run, before and after the
bounded tracker store (rasa_components/tracker_store.py), over the worker's real path (signed WeChat
XML to POST /wechat, the gateway, Rasa, Redis), loopback only.

Starts the service as the tests do (tests/live_stack.py) on an embedded Redis (or --redis-url), then
twice, once with the store's bound lifted (TRACKER_MAX_EVENTS=10^9: Rasa's Redis store as it was,
every event kept) and once as configured (config/endpoints.yml):

  1. gives --users WeChat users a stored history of --history turns (greetings and thanks answered
     by rules, one session, written with the store Rasa uses, so each holds what that store keeps);
  2. in alternating rounds, those users and as many new ones each send --messages messages, one
     after another (a closed loop), the same messages for both groups.

Prints p50/p99 and throughput of "new" and "300 turns" for each store, the events the stored
trackers hold afterwards, and the CPU Rasa spent per message (steadier than latency on a shared
machine).

    .venv/bin/python -m bench.long_history                          # 6 + 6 users, 300 turns, 12 messages
    .venv/bin/python -m bench.long_history --users 10 --messages 20 --history 300
"""
from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import tempfile
import time
import uuid
from pathlib import Path
from urllib.parse import urlparse

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.wechat_load import MESSAGES, CpuMeter, Phase, once_more_if_dropped, run_phase  # noqa: E402
from scripts import stack  # noqa: E402
from tests.fakes.wechat_api import WeChatUser  # noqa: E402
from tests.live_stack import LiveStack, free_port  # noqa: E402

WECHAT_TOKEN = "bench-wechat-token"
UNBOUNDED = "1000000000"
TURN = [("你好", "greet", "utter_greet"), ("谢谢", "thank", "utter_thank"), ("您好呀", "greet", "utter_greet")]


def seed_histories(redis_url: str, sender_ids: list[str], turns: int, max_events: str | None) -> None:
    """Stores a history of `turns` turns for each sender, saved by the store class Rasa runs (with
    the bound lifted or not), ending a few seconds ago (the session is still open)."""
    import asyncio

    from rasa.shared.core.constants import ACTION_LISTEN_NAME, ACTION_SESSION_START_NAME
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import ActionExecuted, BotUttered, SessionStarted, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    from rasa_components.tracker_store import PrivateRedisTrackerStore
    from unionkit import texts

    if max_events:
        os.environ["TRACKER_MAX_EVENTS"] = max_events
    else:
        os.environ.pop("TRACKER_MAX_EVENTS", None)
    domain = Domain.load(str(ROOT / "bot" / "domain"))
    parsed = urlparse(redis_url)
    store = PrivateRedisTrackerStore(domain, host=parsed.hostname, port=parsed.port or 6379,
                                     db=int((parsed.path or "/0").lstrip("/") or 0), key_prefix="rasa")
    t0 = time.time() - turns * 2 - 30
    for sender in sender_ids:
        events = [ActionExecuted(ACTION_SESSION_START_NAME, timestamp=t0), SessionStarted(timestamp=t0),
                  ActionExecuted(ACTION_LISTEN_NAME, timestamp=t0)]
        for i in range(turns):
            text, intent, action = TURN[i % len(TURN)]
            t = t0 + 1 + 2 * i
            events += [UserUttered(text, {"name": intent, "confidence": 0.99}, timestamp=t,
                                   parse_data={"intent_ranking": [{"name": intent, "confidence": 0.99}]}),
                       ActionExecuted(action, policy="RulePolicy", confidence=1.0, timestamp=t + 0.1),
                       BotUttered(texts.text(action), timestamp=t + 0.2),
                       ActionExecuted(ACTION_LISTEN_NAME, policy="RulePolicy", confidence=1.0, timestamp=t + 0.3)]
        tracker = DialogueStateTracker.from_events(sender, events, domain.slots)
        asyncio.run(store.save(tracker))
    os.environ.pop("TRACKER_MAX_EVENTS", None)


def stored_events(redis, sender_ids: list[str]) -> list[int]:
    return [len(json.loads(redis.get(f"rasa:tracker:{s}") or '{"events": []}')["events"]) for s in sender_ids]


def restart_rasa(live: LiveStack, redis_url: str, max_events: str | None) -> None:
    stack.stop(live.rasa)
    env = dict(live.env)
    env.pop("TRACKER_MAX_EVENTS", None)  # (the stack started with the bound lifted)
    if max_events:
        env["TRACKER_MAX_EVENTS"] = max_events
    live.rasa = stack.start_rasa(stack.rasa_env(env, redis_url, live.action_port), live.rasa_port, live.rasa_token,
                                 model=live.model, log_file=live._log("rasa"))
    stack.wait_for_rasa(live.rasa_url, live.rasa_token, timeout=300, proc=live.rasa)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=6, help="users in each group (default 6: 12 in flight)")
    parser.add_argument("--messages", type=int, default=12, help="messages per user and store (default 12)")
    parser.add_argument("--history", type=int, default=300, help="turns the long histories hold (default 300)")
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds per store (default 3)")
    parser.add_argument("--model", default=str(ROOT / "models" / "union.tar.gz"))
    parser.add_argument("--redis-url", default="", help="a Redis to use (default: an embedded one)")
    parser.add_argument("--time-limit", type=float, default=240, help="seconds per store and group at most")
    args = parser.parse_args()

    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    import redis as redis_lib

    workdir = Path(tempfile.mkdtemp(prefix="long-history-bench-"))
    redis_handle = None
    redis_url = args.redis_url
    if not redis_url:
        redis_url, redis_handle = stack.start_embedded_redis(workdir / "redis", free_port())
    live = LiveStack(workdir, redis_url, f"sqlite:///{workdir / 'bench.db'}", model=Path(args.model),
                     extra_env={"WECHAT_TOKEN": WECHAT_TOKEN, "TRACKER_MAX_EVENTS": UNBOUNDED})
    run_id = uuid.uuid4().hex[:6]
    results: list[tuple[str, str, Phase, list[int]]] = []
    print(f"* starting the stack in {workdir} (Rasa's store without its bound first) ...", flush=True)
    try:
        live.start()
        red = redis_lib.Redis.from_url(redis_url)
        for label, max_events in (("before: every event kept", UNBOUNDED), ("after: bounded store", None)):
            if max_events is None:
                restart_rasa(live, redis_url, None)
            tag = "u" if max_events else "b"
            new_users = [WeChatUser(live.gateway_url, WECHAT_TOKEN, openid=f"on{tag}{run_id}{u:03d}{'x' * 14}")
                         for u in range(args.users)]
            old_users = [WeChatUser(live.gateway_url, WECHAT_TOKEN, openid=f"oo{tag}{run_id}{u:03d}{'x' * 14}")
                         for u in range(args.users)]
            old_ids = [f"wechat:{u.openid}" for u in old_users]
            seed_histories(redis_url, old_ids, args.history, max_events)
            print(f"* {label}: {args.users} users with {args.history} turns stored "
                  f"({stored_events(red, old_ids)[0]} events each), {args.users} new", flush=True)

            def sender(users):
                def send(u: int, text: str):
                    answer = once_more_if_dropped(lambda: users[u].post_xml(users[u].message_xml("text", {"Content": text})))
                    return answer.status == 200, answer.text is None  # None: "success", pushed later
                return send

            meter = CpuMeter({"rasa": live.rasa.pid})
            new, old = Phase(f"{label} | new chat"), Phase(f"{label} | {args.history} turns")
            run_phase(Phase("warm-up"), 2, 2, sender(new_users), 60)  # (new users warm up; their chats grow by 2)
            per_round = max(1, args.messages // args.rounds)
            for _ in range(args.rounds):
                run_phase(new, args.users, per_round, sender(new_users), args.time_limit / args.rounds, meter)
                run_phase(old, args.users, per_round, sender(old_users), args.time_limit / args.rounds, meter)
            results.append((label, "new", new, stored_events(red, [f"wechat:{u.openid}" for u in new_users])))
            results.append((label, f"{args.history} turns", old, stored_events(red, old_ids)))
    finally:
        live.stop()
        if redis_handle is not None:
            redis_handle.shutdown()

    print(f"\n{'store':26} {'history':>10} {'msgs':>5} {'msg/s':>7} {'p50 ms':>8} {'p99 ms':>8} {'errors':>6} "
          f"{'Rasa CPU ms/msg':>16} {'events stored':>14}")
    for label, history, phase, events in results:
        f = phase.figures()
        cpu = phase.cpu.get("rasa", 0.0) * 1000 / max(1, f["n"])
        print(f"{label:26} {history:>10} {f['n']:>5} {f['throughput']:>7.1f} {f['p50'] * 1000:>8.0f} "
              f"{f['p99'] * 1000:>8.0f} {phase.errors:>6} {cpu:>16.1f} {max(events):>14}")
    after_new, after_old = results[2][2].figures(), results[3][2].figures()
    ratio = after_old["p99"] / after_new["p99"] if after_new["p99"] else float("nan")
    print(f"\nbounded store: p99 of the {args.history}-turn chats / p99 of new chats = {ratio:.2f} (target <= 1.2)")
    late = sum(phase.empty for _l, _h, phase, _e in results)
    if late:
        print(f"note: {late} answers were 'success' (over WeChat's reply budget, the reply pushed later)")
    return 0 if not any(phase.errors for _l, _h, phase, _e in results) else 1


if __name__ == "__main__":
    sys.exit(main())
