"""What it costs to know the intent of each worker message (for /admin/stats), two ways:

  per turn:  the gateway asks Rasa's tracker (latest_message) after every turn
  backfill:  the dashboard reads each conversation's tracker once (bot/admin/intents.py)

Starts the real stack (Rasa, gateway under gunicorn, back end) like the tests do, plays
CONVERSATIONS web chats of TURNS turns, and prints milliseconds.

    .venv/bin/python -m bench.intent_labels [--model models/union.tar.gz] [--conversations 20] [--turns 6]
"""
from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import tempfile
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.live_stack import LiveStack, WebChat  # noqa: E402

LINES = ["你好", "会费一个月交多少钱", "12351几点有人接", "职工服务中心在哪", "驿站能干啥", "谢谢"]


def ms(values: list[float]) -> str:
    values = sorted(values)
    return f"mean {1000 * statistics.mean(values):.1f} ms, p95 {1000 * values[int(0.95 * (len(values) - 1))]:.1f} ms"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default=str(ROOT / "models" / "union.tar.gz"))
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/13")
    parser.add_argument("--conversations", type=int, default=20)
    parser.add_argument("--turns", type=int, default=6)
    args = parser.parse_args()

    import redis

    redis.Redis.from_url(args.redis).flushdb()
    workdir = Path(tempfile.mkdtemp(prefix="bench-intents-"))
    database_url = f"sqlite:///{workdir / 'bench.db'}"
    stack = LiveStack(workdir, args.redis, database_url, model=Path(args.model)).start()
    try:
        turn_times, tracker_times = [], []
        started = dt.datetime.utcnow() - dt.timedelta(seconds=5)
        for _ in range(args.conversations):
            chat = WebChat(stack.gateway_url)
            for n in range(args.turns):
                t0 = time.perf_counter()
                chat.say(LINES[n % len(LINES)])
                turn_times.append(time.perf_counter() - t0)
                t0 = time.perf_counter()
                resp = requests.get(f"{stack.rasa_url}/conversations/web:{chat.session_id}/tracker",
                                    params={"token": stack.rasa_token, "include_events": "NONE"}, timeout=10)
                resp.raise_for_status()
                assert resp.json()["latest_message"]["intent"]["name"]
                tracker_times.append(time.perf_counter() - t0)

        from bot.admin import intents
        from bot.app import create_app
        from config.settings import Settings

        app = create_app(Settings(redis_url=args.redis, database_url=database_url, rasa_url=stack.rasa_url,
                                  rasa_token=stack.rasa_token, rasa_channel_secret=stack.channel_secret,
                                  allow_dev_secrets=True))
        with app.app_context():
            t0 = time.perf_counter()
            labelled = intents.label_range(started, dt.datetime.utcnow() + dt.timedelta(seconds=1), settle_seconds=0)
            backfill = time.perf_counter() - t0
        turns = len(turn_times)
        print(f"{args.conversations} conversations x {args.turns} turns = {turns} turns")
        print(f"a turn through the gateway (POST /api/chat/messages): {ms(turn_times)}")
        print(f"per-turn tracker read (include_events=NONE):            {ms(tracker_times)}"
              f"  = {100 * statistics.mean(tracker_times) / statistics.mean(turn_times):.0f}% of a turn, on every turn")
        print(f"dashboard backfill: {labelled} messages in {1000 * backfill:.0f} ms "
              f"= {1000 * backfill / args.conversations:.1f} ms per conversation, "
              f"{1000 * backfill / max(labelled, 1):.2f} ms per message, off the chat path")
    finally:
        stack.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
