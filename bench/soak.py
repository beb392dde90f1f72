"""The soak (`make soak`): the whole stack at a moderate load for a long time, checked for errors,
memory growth and WeChat's reply budget. Loopback only.

Starts the service as the tests and `make run` do (tests/live_stack.py: Rasa with 2 workers, the
action server, the gateway under gunicorn, the back end, the worker process) on an embedded Redis
(or --redis-url), with WeChat's API faked on loopback (tests/fakes/wechat_api.py) for the replies
that run over the budget. Then for --minutes:

- --wechat-users WeChat users (signed XML to POST /wechat) and --web-users web chat users, each in
  a closed loop with --think seconds between messages; one user in five goes through a service
  (a suggestion filed in the back end: three turns) over and over, the others greet, thank and ask
  FAQ questions;
- every --sample seconds, the resident memory of each process group.

Passes when no request failed, no WeChat answer took over 4.5 s, and the memory of the whole
stack grew by less than 10% from the first minute after the warm-up to the last (the figures of
each process group are printed too). Exit status 1 otherwise.

    make soak                                            # 10 minutes
    .venv/bin/python -m bench.soak --minutes 2           # a short run
"""
from __future__ import annotations

import argparse
import os
import random
import signal
import statistics
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

import psutil
import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from scripts import stack  # noqa: E402
from tests.fakes.wechat_api import FakeWeChatApi, WeChatUser  # noqa: E402
from tests.live_stack import LiveStack, WebChat, free_port  # noqa: E402

WECHAT_TOKEN = "soak-wechat-token"
CHAT = ["你好", "谢谢", "会费一个月交多少钱", "工伤怎么认定", "再见", "入会需要什么条件", "您好呀", "谢谢你"]
SERVICE = ["我想提个建议", "建议工业园区多设几个户外劳动者驿站，夏天能歇脚喝口水", "匿名"]
WECHAT_LIMIT = 4.5
MEMORY_LIMIT = 0.10


def rss(pid: int | None) -> int:
    """Resident memory of a process and all its children, in bytes."""
    if pid is None:
        return 0
    try:
        root = psutil.Process(pid)
        procs = [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return 0
    total = 0
    for proc in procs:
        try:
            total += proc.memory_info().rss
        except psutil.NoSuchProcess:
            pass
    return total


class Tally:
    def __init__(self):
        self.lock = threading.Lock()
        self.latencies: dict[str, list[float]] = {"wechat": [], "web": []}
        self.errors: list[str] = []
        self.late = 0  # WeChat answers "success" (the reply pushed later)

    def ok(self, channel: str, seconds: float, late: bool = False) -> None:
        with self.lock:
            self.latencies[channel].append(seconds)
            self.late += late

    def error(self, what: str) -> None:
        with self.lock:
            self.errors.append(what)


def pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p * len(ordered))) - 1)]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--minutes", type=float, default=10.0, help="how long the load runs (default 10)")
    parser.add_argument("--wechat-users", type=int, default=7)
    parser.add_argument("--web-users", type=int, default=3)
    parser.add_argument("--think", type=float, default=0.5, help="seconds between a user's messages (default 0.5)")
    parser.add_argument("--sample", type=float, default=10.0, help="seconds between memory samples (default 10)")
    parser.add_argument("--model", default=str(ROOT / "models" / "union.tar.gz"))
    parser.add_argument("--redis-url", default="", help="a Redis to use (default: an embedded one)")
    args = parser.parse_args()

    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    workdir = Path(tempfile.mkdtemp(prefix="soak-"))
    redis_handle = None
    redis_url = args.redis_url
    if not redis_url:
        redis_url, redis_handle = stack.start_embedded_redis(workdir / "redis", free_port())
    api = FakeWeChatApi().start()
    live = LiveStack(workdir, redis_url, f"sqlite:///{workdir / 'soak.db'}", model=Path(args.model),
                     extra_env={"WECHAT_TOKEN": WECHAT_TOKEN, "WECHAT_APP_ID": api.app_id,
                                "WECHAT_APP_SECRET": api.secret, "WECHAT_API_BASE": api.base_url})
    run_id = uuid.uuid4().hex[:6]
    tally = Tally()
    samples: list[tuple[float, dict[str, int]]] = []
    print(f"* starting the stack in {workdir} ...", flush=True)
    try:
        live.start()
        groups = {"rasa": live.rasa.pid, "actions": live.actions.pid, "gateway": live.gateway.pid,
                  "backend": live.backend.pid, "worker": live.worker.pid,
                  "redis": getattr(redis_handle, "pid", None)}
        stop = threading.Event()

        def wechat_user(u: int, service: bool) -> None:
            user = WeChatUser(live.gateway_url, WECHAT_TOKEN, openid=f"osoak{run_id}{u:03d}{'x' * 14}")
            script = SERVICE if service else CHAT
            i = random.randrange(len(script))
            while not stop.is_set():
                text = script[i % len(script)]
                i += 1
                t0 = time.monotonic()
                try:
                    answer = user.text(text)
                    seconds = time.monotonic() - t0
                    if answer.status != 200:
                        tally.error(f"wechat {answer.status} for {text!r}")
                    else:
                        tally.ok("wechat", seconds, late=answer.text is None)
                except requests.RequestException as exc:
                    tally.error(f"wechat {type(exc).__name__} for {text!r}")
                stop.wait(args.think)

        def web_user(u: int, service: bool) -> None:
            chat = WebChat(live.gateway_url)
            script = SERVICE if service else CHAT
            i = 0
            while not stop.is_set():
                text = script[i % len(script)]
                i += 1
                body = {"session_id": chat.session_id, "text": text}
                t0 = time.monotonic()
                try:
                    resp = requests.post(f"{live.gateway_url}/api/chat/messages", json=body, headers=chat.headers,
                                         timeout=30)
                    if resp.status_code != 200 or not resp.json().get("messages"):
                        tally.error(f"web {resp.status_code} for {text!r}: {resp.text[:80]}")
                    else:
                        tally.ok("web", time.monotonic() - t0)
                except requests.RequestException as exc:
                    tally.error(f"web {type(exc).__name__} for {text!r}")
                stop.wait(args.think)

        users = args.wechat_users + args.web_users
        threads = []
        for u in range(users):
            service = u % 5 == 0  # one user in five inside a service form
            target = wechat_user if u < args.wechat_users else web_user
            threads.append(threading.Thread(target=target, args=(u, service), daemon=True))
        # Warm-up: a minute of the same load (caches, pools, the first FAQ index), not counted.
        warm = min(60.0, args.minutes * 60 / 4)
        print(f"* {args.wechat_users} WeChat + {args.web_users} web users, think {args.think}s, "
              f"{warm:.0f}s warm-up then {args.minutes:g} min", flush=True)
        for t in threads:
            t.start()
        time.sleep(warm)
        with tally.lock:
            tally.latencies = {"wechat": [], "web": []}
            warm_errors, tally.errors, tally.late = list(tally.errors), [], 0
        started = time.monotonic()
        end = started + args.minutes * 60
        while time.monotonic() < end:
            samples.append((time.monotonic() - started, {name: rss(pid) for name, pid in groups.items()}))
            done = len(tally.latencies["wechat"]) + len(tally.latencies["web"])
            print(f"  {samples[-1][0]:>5.0f}s  {done:>6} answers  {len(tally.errors)} errors  "
                  f"memory {sum(samples[-1][1].values()) / 2**20:,.0f} MB", flush=True)
            time.sleep(min(args.sample, max(0.0, end - time.monotonic())))
        samples.append((time.monotonic() - started, {name: rss(pid) for name, pid in groups.items()}))
        stop.set()
        for t in threads:
            t.join(timeout=40)
        elapsed = time.monotonic() - started
    finally:
        live.stop()
        api.stop()
        if redis_handle is not None:
            redis_handle.shutdown()

    # Memory: the first minute's samples against the last minute's (one sample each in a short run).
    window = min(60.0, elapsed / 4)
    first = [s for t, s in samples if t <= window] or samples[:1]
    last = [s for t, s in samples if t >= samples[-1][0] - window] or samples[-1:]
    names = list(samples[0][1])

    def mean(rows, name=None):
        return statistics.mean(sum(r.values()) if name is None else r[name] for r in rows)

    wechat, web = tally.latencies["wechat"], tally.latencies["web"]
    answered = len(wechat) + len(web)
    print(f"\nsoak: {elapsed / 60:.1f} min, {answered} answers ({answered / elapsed:.1f}/s), "
          f"{len(tally.errors)} errors ({len(warm_errors)} during the warm-up)")
    for channel, values in (("wechat", wechat), ("web", web)):
        if values:
            print(f"  {channel:7} n={len(values):>6}  p50 {statistics.median(values) * 1000:>6.0f} ms  "
                  f"p99 {pct(values, 0.99) * 1000:>6.0f} ms  max {max(values) * 1000:>6.0f} ms")
    if tally.late:
        print(f"  {tally.late} WeChat answers were 'success' (over the reply budget, pushed later)")
    print(f"  memory (MB)  {'first min':>10} {'last min':>10} {'growth':>8}")
    for name in names:
        a, b = mean(first, name), mean(last, name)
        print(f"  {name:11} {a / 2**20:>10.0f} {b / 2**20:>10.0f} {(b / a - 1) if a else 0:>8.1%}")
    total_a, total_b = mean(first), mean(last)
    growth = total_b / total_a - 1
    print(f"  {'all':11} {total_a / 2**20:>10.0f} {total_b / 2**20:>10.0f} {growth:>8.1%}")
    worst = max(wechat) if wechat else 0.0
    checks = [("no error", not tally.errors), (f"no WeChat answer over {WECHAT_LIMIT} s (max {worst:.2f} s)",
                                               worst <= WECHAT_LIMIT),
              (f"memory growth under {MEMORY_LIMIT:.0%} ({growth:.1%})", growth < MEMORY_LIMIT)]
    for what, passed in checks:
        print(f"  {'PASS' if passed else 'FAIL'}  {what}")
    for line in tally.errors[:10]:
        print(f"  error: {line}")
    return 0 if all(passed for _w, passed in checks) else 1


if __name__ == "__main__":
    sys.exit(main())
