"""Time to recovery of the stack as `make run` starts it (supervisord), on this machine.

For each part: kill -9 its whole process group (Rasa and its workers, gunicorn's master and
workers, ...), then time until (a) supervisord has it running again, (b) /healthz says it is ok and
(c) for Rasa and the gateway, a web chat gets a real answer again (not the apology). Meanwhile a web
chat keeps asking every 0.5 s and counts the apologies and the failed requests it saw.

    .venv/bin/python -m bench.recovery [--rounds 3] [--parts rasa,gateway,backend,actions,worker]

Redis: its own redis-server with an append-only file (started here, on a free port); database:
SQLite in a temporary folder, or DATABASE_URL when set. Prints one line per kill and a summary.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.live_stack import WebChat  # noqa: E402
from tests.reliability.supervised import AofRedis, SupervisedStack  # noqa: E402

APOLOGY = "系统有点忙"


class Prober:
    """A web chat asking every `every` seconds: counts answers, apologies and failed requests."""

    def __init__(self, url: str, every: float = 0.5):
        self.url, self.every = url, every
        self.ok = self.apologies = self.failed = 0
        self.stop = threading.Event()
        self.chat = None

    def run(self) -> None:
        while not self.stop.is_set():
            try:
                if self.chat is None:
                    self.chat = WebChat(self.url)
                text = self.chat.say_text("你好")
                if APOLOGY in text:
                    self.apologies += 1
                else:
                    self.ok += 1
            except (requests.RequestException, AssertionError):
                self.failed += 1
                self.chat = None
            self.stop.wait(self.every)


def answers_again(url: str, timeout: float) -> float:
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        try:
            if APOLOGY not in WebChat(url).say_text("你好"):
                return time.monotonic() - started
        except (requests.RequestException, AssertionError):
            pass
        time.sleep(0.2)
    return float("nan")


def running_again(stack: SupervisedStack, name: str, old_pid: int, timeout: float) -> float:
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        info = stack.states()
        try:
            if info.get(name) == "RUNNING" and stack.pid(name) != old_pid:
                return time.monotonic() - started
        except KeyError:
            pass
        time.sleep(0.1)
    return float("nan")


HEALTH_PART = {"rasa": "rasa", "backend": "backend"}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--parts", default="rasa,gateway,backend,actions,worker")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="recovery-"))
    redis_server = AofRedis(work / "redis").start()
    database_url = os.environ.get("DATABASE_URL") or f"sqlite:///{work / 'union.db'}"
    stack = SupervisedStack(work, redis_server.url, database_url)
    print(f"machine: {os.cpu_count()} cores; starting the stack as make run does ...", flush=True)
    started = time.monotonic()
    stack.start()
    print(f"make run ready in {time.monotonic() - started:.1f} s", flush=True)
    results: dict[str, list[dict]] = {}
    try:
        for part in args.parts.split(","):
            for n in range(args.rounds):
                prober = Prober(stack.url)
                thread = threading.Thread(target=prober.run, daemon=True)
                thread.start()
                time.sleep(2)
                old_pid = stack.pid(part)
                killed = time.monotonic()
                stack.kill9(part)
                row = {"restarted": running_again(stack, part, old_pid, 600)}
                if part in HEALTH_PART:
                    stack.wait_health(HEALTH_PART[part], "ok", timeout=600)
                    row["healthy"] = time.monotonic() - killed
                if part in ("rasa", "gateway"):
                    answers_again(stack.url, 600)
                    row["answers"] = time.monotonic() - killed
                prober.stop.set()
                thread.join(10)
                row.update(apologies=prober.apologies, failed=prober.failed, ok=prober.ok)
                results.setdefault(part, []).append(row)
                print(f"{part} round {n + 1}: " + ", ".join(
                    f"{k} {v:.1f} s" if isinstance(v, float) else f"{k} {v}" for k, v in row.items()), flush=True)
                stack.wait_health("rasa", "ok", timeout=600)
                time.sleep(3)
    finally:
        stack.stop()
        redis_server.stop()
    print("\nsummary (median over rounds; seconds from kill -9):")
    for part, rows in results.items():
        cols = [k for k in rows[0] if isinstance(rows[0][k], float)]
        print(f"  {part:8} " + "  ".join(f"{k} {statistics.median(r[k] for r in rows):.1f}" for k in cols) +
              f"  (apologies {sum(r['apologies'] for r in rows)}, failed requests {sum(r['failed'] for r in rows)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
