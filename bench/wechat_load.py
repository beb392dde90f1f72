"""Load on POST /wechat beside the same load on bare Rasa, in one run, on loopback only.

Starts the service the way the tests do (tests/live_stack.py: the Rasa server with the given model
and --rasa-workers processes (2, as `make run`),
the gateway under gunicorn with 2 workers, the back end) on an embedded Redis (or --redis-url), then:

  1. bare Rasa: N users each post M messages, one after another, to Rasa's channel webhook
     (/webhooks/gateway/webhook: Rasa's REST channel behind the gateway's secret header) - what
     `rasa run` alone does with this model;
  2. WeChat: the same users and messages as signed WeChat XML to the gateway's POST /wechat
     (signature check, retry de-duplication, transcript, the Rasa turn, the passive XML reply).

Prints throughput and p50/p99 latency of each, and WeChat/Rasa as a ratio; and the CPU time each
process group (Rasa, gateway, embedded Redis, this load generator) spent per message in each phase,
which does not depend on what else the machine is doing. Bounded: a fixed number of messages and a
time limit per phase.

    .venv/bin/python -m bench.wechat_load                      # 20 users x 15 messages
    .venv/bin/python -m bench.wechat_load --users 40 --messages 10 --model models/union.tar.gz
"""
from __future__ import annotations

import argparse
import os
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

from bot.rasa_client import SECRET_HEADER, TURN_PATH  # noqa: E402
from scripts import stack  # noqa: E402
from tests.fakes.wechat_api import WeChatUser  # noqa: E402
from tests.live_stack import LiveStack, free_port  # noqa: E402

# Messages whose answers are responses of the model (greet, thank, goodbye rules): the same work for
# Rasa in both phases, no custom action and no back end involved.
MESSAGES = ["你好", "谢谢", "再见", "您好呀", "谢谢你", "拜拜"]
WECHAT_TOKEN = "bench-wechat-token"


def cpu_seconds(pid: int | None, children: bool = True) -> float:
    """User + system CPU time of a process and (by default) all its children (gunicorn and Sanic
    workers)."""
    if pid is None:
        return 0.0
    try:
        root = psutil.Process(pid)
        procs = [root, *(root.children(recursive=True) if children else [])]
    except psutil.NoSuchProcess:
        return 0.0
    total = 0.0
    for proc in procs:
        try:
            times = proc.cpu_times()
            total += times.user + times.system
        except psutil.NoSuchProcess:
            pass
    return total


class CpuMeter:
    """CPU seconds per process group, read before and after each round of a phase."""

    def __init__(self, groups: dict[str, int | None]):
        self.groups = groups

    def read(self) -> dict[str, float]:
        # This process started the others: its own threads only.
        return {name: cpu_seconds(pid, children=pid != os.getpid()) for name, pid in self.groups.items()}


class Phase:
    def __init__(self, name: str):
        self.name = name
        self.cpu: dict[str, float] = {}
        self.latencies: list[float] = []
        self.errors = 0
        self.empty = 0  # answered without a passive reply ("success": the reply would come later)
        self.wall = 0.0
        self.lock = threading.Lock()

    def record(self, seconds: float, ok: bool, empty: bool = False) -> None:
        with self.lock:
            if ok:
                self.latencies.append(seconds)
                self.empty += empty
            else:
                self.errors += 1

    def figures(self) -> dict:
        lat = sorted(self.latencies)
        if not lat:
            return {"throughput": 0.0, "p50": float("nan"), "p99": float("nan"), "n": 0}
        p99 = lat[min(len(lat) - 1, int(round(0.99 * len(lat))) - 1)]
        return {"throughput": len(lat) / self.wall, "p50": statistics.median(lat), "p99": p99, "n": len(lat)}


def pooled_session(size: int) -> requests.Session:
    """A requests session that keeps up to `size` connections (one per concurrent user)."""
    session = requests.Session()
    session.mount("http://", requests.adapters.HTTPAdapter(pool_maxsize=size))
    return session


def once_more_if_dropped(call):
    """A keep-alive connection the server closed just as the request went out is tried once more
    (for both phases alike); the time of both tries counts."""
    try:
        return call()
    except requests.ConnectionError:
        return call()


def run_phase(phase: Phase, users: int, messages: int, send, time_limit: float, meter: CpuMeter | None = None) -> Phase:
    """`users` threads, each sending `messages` messages one after another (a closed loop); adds to
    the phase's figures (a phase may run in several rounds)."""
    deadline = time.monotonic() + time_limit
    start_gate = threading.Barrier(users + 1)

    def user_loop(u: int) -> None:
        start_gate.wait()
        for m in range(messages):
            if time.monotonic() > deadline:
                return
            text = MESSAGES[(u + m) % len(MESSAGES)]
            t0 = time.monotonic()
            try:
                ok, empty = send(u, text)
            except requests.RequestException:
                ok, empty = False, False
            phase.record(time.monotonic() - t0, ok, empty)

    threads = [threading.Thread(target=user_loop, args=(u,), daemon=True) for u in range(users)]
    for t in threads:
        t.start()
    before = meter.read() if meter else {}
    start_gate.wait()
    t0 = time.monotonic()
    for t in threads:
        t.join(timeout=time_limit + 60)
    phase.wall += time.monotonic() - t0
    if meter:
        for name, seconds in meter.read().items():
            phase.cpu[name] = phase.cpu.get(name, 0.0) + seconds - before.get(name, 0.0)
    return phase


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=20, help="concurrent users (default 20)")
    parser.add_argument("--messages", type=int, default=15, help="messages per user and phase (default 15)")
    parser.add_argument("--model", default=str(ROOT / "models" / "union.tar.gz"))
    parser.add_argument("--rasa-workers", type=int, default=int(os.environ.get("SANIC_WORKERS", stack.RASA_WORKERS)),
                        help="Rasa server processes (default 2, as `make run` starts)")
    parser.add_argument("--redis-url", default="", help="a Redis to use (default: an embedded one)")
    parser.add_argument("--database-url", default="", help="the gateway's database (default: SQLite in a "
                        "temporary folder; give PostgreSQL to measure as in production)")
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds of the two phases (default 3)")
    parser.add_argument("--time-limit", type=float, default=180, help="seconds per phase at most")
    args = parser.parse_args()

    # `kill` stops the services it started too (the finally below), as Ctrl-C does.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    workdir = Path(tempfile.mkdtemp(prefix="wechat-bench-"))
    redis_handle = None
    redis_url = args.redis_url
    if not redis_url:
        redis_url, redis_handle = stack.start_embedded_redis(workdir / "redis", free_port())
    database_url = args.database_url or f"sqlite:///{workdir / 'bench.db'}"
    live = LiveStack(workdir, redis_url, database_url, model=Path(args.model),
                     extra_env={"WECHAT_TOKEN": WECHAT_TOKEN,
                                "SANIC_WORKERS": str(args.rasa_workers)})
    run_id = uuid.uuid4().hex[:8]
    print(f"* starting Rasa ({args.model}, {args.rasa_workers} workers), gateway (2 workers), action server, worker and back end in {workdir} "
          f"({database_url.split(':')[0]}) ...", flush=True)
    try:
        live.start()
        rasa = pooled_session(args.users)
        wechat_users = [WeChatUser(live.gateway_url, WECHAT_TOKEN, openid=f"obench{run_id}{u:04d}{'x' * 12}")
                        for u in range(args.users)]
        for user in wechat_users:
            user.http.mount("http://", requests.adapters.HTTPAdapter(pool_maxsize=2))

        # A new connection per message, as the gateway calls Rasa: kept-alive connections stay with
        # one of Rasa's worker processes, and an uneven share makes bare Rasa's figures vary by 40%.
        def to_rasa(u: int, text: str):
            resp = once_more_if_dropped(lambda: rasa.post(
                f"{live.rasa_url}{TURN_PATH}", timeout=30,
                headers={"Connection": "close", SECRET_HEADER: live.channel_secret},
                json={"sender": f"bench-{run_id}-{u}", "message": text}))
            return resp.ok and bool(resp.json()), False

        def to_wechat(u: int, text: str):
            xml = wechat_users[u].message_xml("text", {"Content": text})
            answer = once_more_if_dropped(lambda: wechat_users[u].post_xml(xml))  # a retry, as WeChat's
            return answer.status == 200, answer.text is None

        # Warm up both paths (model caches, connection pools, gunicorn threads).
        run_phase(Phase("warm-up"), min(args.users, 4), 3, to_rasa, 60)
        run_phase(Phase("warm-up"), min(args.users, 4), 3, to_wechat, 60)

        meter = CpuMeter({"rasa": live.rasa.pid, "gateway": live.gateway.pid,
                          "redis": getattr(redis_handle, "pid", None), "load generator": os.getpid()})
        # Alternating rounds, so a change in the machine's other load falls on both phases alike.
        print(f"* {args.users} users x {args.messages} messages per phase, in {args.rounds} alternating rounds",
              flush=True)
        bare = Phase("bare rasa  (POST /webhooks/gateway/webhook)")
        wechat = Phase("wechat     (POST /wechat, signed XML)")
        per_round = max(1, args.messages // args.rounds)
        for _ in range(args.rounds):
            run_phase(bare, args.users, per_round, to_rasa, args.time_limit / args.rounds, meter)
            run_phase(wechat, args.users, per_round, to_wechat, args.time_limit / args.rounds, meter)
    finally:
        live.stop()
        if redis_handle is not None:
            redis_handle.shutdown()

    print(f"\n{'':42} {'msgs':>5} {'msg/s':>7} {'p50 ms':>8} {'p99 ms':>8} {'errors':>6}")
    for phase in (bare, wechat):
        f = phase.figures()
        print(f"{phase.name:42} {f['n']:>5} {f['throughput']:>7.1f} {f['p50'] * 1000:>8.0f} "
              f"{f['p99'] * 1000:>8.0f} {phase.errors:>6}")
    print(f"\nCPU ms per message {'':23} " + " ".join(f"{name:>14}" for name in meter.groups))
    for phase in (bare, wechat):
        n = max(1, phase.figures()["n"])
        print(f"{phase.name:42} " + " ".join(f"{phase.cpu.get(name, 0.0) * 1000 / n:>14.1f}" for name in meter.groups))
    fb, fw = bare.figures(), wechat.figures()
    ratio = fw["throughput"] / fb["throughput"] if fb["throughput"] else float("nan")
    print(f"\nwechat / bare rasa throughput: {ratio:.0%}   (target >= 70%)")
    print(f"wechat p99: {fw['p99'] * 1000:.0f} ms   (target < 1000 ms at 20 users)")
    if wechat.empty:
        print(f"note: {wechat.empty} WeChat answers were 'success' (over the reply budget, pushed later)")
    return 0 if not (bare.errors or wechat.errors) else 1


if __name__ == "__main__":
    sys.exit(main())
