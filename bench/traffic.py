"""The web chat, /wechat and mixed traffic, each beside bare Rasa with the same model, in one run.

Starts the service as the tests and `make run` do (tests/live_stack.py: Rasa with --rasa-workers
processes, the action server, the gateway under gunicorn with 2 workers, the back end, the worker)
on an embedded Redis (or --redis-url), then runs, in alternating rounds so that the machine's other
load falls on every phase alike:

  bare rasa   small talk straight to Rasa's channel webhook (what `rasa run` alone does);
  web chat    the same small talk through POST /api/chat/messages (retry key, safety screen,
              transcript, flood limits, the Rasa turn);
  wechat      the same small talk as signed WeChat XML to POST /wechat;
  bare mixed  bare Rasa again, with 20% of the users filing a suggestion through its form
              (我想提个建议 -> the suggestion -> 匿名: custom actions, the back end);
  mixed       the same mix through the gateway, the form users on the web chat, the others on WeChat.

Prints throughput and p50/p95/p99 of each phase, each gateway phase as a ratio of its bare-Rasa
phase, and the CPU milliseconds each process group spent per message. Bounded: a fixed number of
messages per user and a time limit per phase.

    .venv/bin/python -m bench.traffic                        # 20 users x 12 messages per phase
    .venv/bin/python -m bench.traffic --users 10 --messages 9
"""
from __future__ import annotations

import argparse
import itertools
import os
import signal
import sys
import tempfile
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.wechat_load import (WECHAT_TOKEN, CpuMeter, Phase, once_more_if_dropped,  # noqa: E402
                               pooled_session, run_phase)  # noqa: E402
from bot.rasa_client import SECRET_HEADER, TURN_PATH  # noqa: E402
from scripts import stack  # noqa: E402
from tests.fakes.wechat_api import WeChatUser  # noqa: E402
from tests.live_stack import LiveStack, free_port  # noqa: E402

FORM_SHARE = 0.2


def form_turn(n: int, who: str) -> str:
    """The n-th message of a user who files suggestions one after another (three messages each)."""
    return ("我想提个建议", f"夜班食堂能不能多开一个小时 {who}-{n // 3}", "匿名")[n % 3]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, int(round(q * len(ordered))) - 1))] if ordered else float("nan")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=20, help="concurrent users (default 20)")
    parser.add_argument("--messages", type=int, default=12, help="messages per user and phase (default 12)")
    parser.add_argument("--model", default=str(ROOT / "models" / "union.tar.gz"))
    parser.add_argument("--rasa-workers", type=int, default=int(os.environ.get("SANIC_WORKERS", stack.RASA_WORKERS)))
    parser.add_argument("--redis-url", default="", help="a Redis to use (default: an embedded one)")
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds (default 3)")
    parser.add_argument("--time-limit", type=float, default=240, help="seconds per phase at most")
    args = parser.parse_args()

    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    workdir = Path(tempfile.mkdtemp(prefix="traffic-bench-"))
    redis_url, redis_handle = args.redis_url, None
    if not redis_url:
        redis_url, redis_handle = stack.start_embedded_redis(workdir / "redis", free_port())
    live = LiveStack(workdir, redis_url, f"sqlite:///{workdir / 'bench.db'}", model=Path(args.model),
                     extra_env={"WECHAT_TOKEN": WECHAT_TOKEN, "SANIC_WORKERS": str(args.rasa_workers)})
    run_id = uuid.uuid4().hex[:8]
    form_users = max(1, round(args.users * FORM_SHARE))
    print(f"* starting the stack (Rasa {args.rasa_workers} workers, gateway 2 workers) in {workdir} ...", flush=True)
    counters: dict[tuple[str, int], itertools.count] = {}

    def nth(phase: str, u: int) -> int:
        return next(counters.setdefault((phase, u), itertools.count()))

    try:
        live.start()
        rasa = pooled_session(args.users)
        wechat_users = [WeChatUser(live.gateway_url, WECHAT_TOKEN, openid=f"otraffic{run_id}{u:04d}{'x' * 8}")
                        for u in range(args.users)]
        web = pooled_session(args.users)
        sessions = [web.post(f"{live.gateway_url}/api/chat/sessions", timeout=30).json() for _ in range(args.users)]

        def bare_says(sender: str, text: str) -> bool:
            # A new connection per message, as the gateway calls Rasa (bench/wechat_load.py).
            resp = once_more_if_dropped(lambda: rasa.post(
                f"{live.rasa_url}{TURN_PATH}", timeout=60,
                headers={"Connection": "close", SECRET_HEADER: live.channel_secret},
                json={"sender": sender, "message": text}))
            return resp.ok and bool(resp.json())

        def web_says(u: int, text: str) -> bool:
            s = sessions[u]
            resp = once_more_if_dropped(lambda: web.post(
                f"{live.gateway_url}/api/chat/messages", timeout=60, headers={"Authorization": f"Bearer {s['token']}"},
                json={"session_id": s["session_id"], "text": text, "retry_key": uuid.uuid4().hex}))
            return resp.status_code == 200 and bool(resp.json()["messages"])

        def wechat_says(u: int, text: str) -> tuple[bool, bool]:
            xml = wechat_users[u].message_xml("text", {"Content": text})
            answer = once_more_if_dropped(lambda: wechat_users[u].post_xml(xml))
            return answer.status == 200, answer.text is None

        phases = {
            "bare rasa": lambda u, text: (bare_says(f"bare-{run_id}-{u}", text), False),
            "web chat": lambda u, text: (web_says(u, text), False),
            "wechat": wechat_says,
            "bare mixed": lambda u, text: (bare_says(f"barem-{run_id}-{u}", form_turn(nth("bare", u), f"b{u}")
                                                     if u < form_users else text), False),
            "mixed": lambda u, text: ((web_says(u, form_turn(nth("gw", u), f"g{u}")), False) if u < form_users
                                      else wechat_says(u, text)),
        }
        for name in ("bare rasa", "web chat", "wechat"):  # warm caches, pools and threads
            run_phase(Phase("warm-up"), min(args.users, 4), 3, phases[name], 60)

        meter = CpuMeter({"rasa": live.rasa.pid, "actions": live.actions.pid, "gateway": live.gateway.pid,
                          "backend": live.backend.pid, "redis": getattr(redis_handle, "pid", None)})
        figures = {name: Phase(name) for name in phases}
        per_round = max(3, args.messages // args.rounds // 3 * 3)  # whole suggestions per round
        print(f"* {args.users} users ({form_users} of them in forms in the mixed phases) x {per_round * args.rounds} "
              f"messages per phase, {args.rounds} alternating rounds", flush=True)
        for _ in range(args.rounds):
            for name, send in phases.items():
                run_phase(figures[name], args.users, per_round, send, args.time_limit / args.rounds, meter)
    finally:
        live.stop()
        if redis_handle is not None:
            redis_handle.shutdown()

    print(f"\n{'phase':12} {'msgs':>5} {'msg/s':>7} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'errors':>6} "
          f"{'success':>7}  " + " ".join(f"{g + ' cpu':>12}" for g in meter.groups))
    for name, phase in figures.items():
        f, lat = phase.figures(), phase.latencies
        n = max(1, f["n"])
        print(f"{name:12} {f['n']:>5} {f['throughput']:>7.1f} {percentile(lat, .5) * 1000:>8.0f} "
              f"{percentile(lat, .95) * 1000:>8.0f} {percentile(lat, .99) * 1000:>8.0f} {phase.errors:>6} "
              f"{phase.empty:>7}  " + " ".join(f"{phase.cpu.get(g, 0.0) * 1000 / n:>12.1f}" for g in meter.groups))
    print("\nthroughput beside bare Rasa (the same run):")
    for name, bare in (("web chat", "bare rasa"), ("wechat", "bare rasa"), ("mixed", "bare mixed")):
        b, g = figures[bare].figures()["throughput"], figures[name].figures()["throughput"]
        print(f"  {name:10} / {bare:10} {g / b if b else float('nan'):.0%}")
    print("(success: WeChat answers past the reply budget, pushed later through the customer-service API)")
    return 0 if not any(p.errors for p in figures.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
