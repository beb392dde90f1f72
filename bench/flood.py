"""Floods and overload, measured side by side in one run, on loopback only (issue 14, section 2).

Starts the service as the tests do (tests/live_stack.py: Rasa with the trained model, the action
server, the back end, the worker, the gateway under gunicorn) with config/floods.yml's limits, a
fake WeChat API on loopback for the customer-service pushes, and a second gateway on the same Rasa,
Redis and database as "before": FLOODS_CONTAINED=0 (no rate limits, no per-conversation lock) and
WEB_REPLY_BUDGET=600 (the web chat waits for Rasa however long it takes). Then, for each gateway in
alternating rounds:

  flood     one WeChat openid sends --flood messages, --parallel at a time, while --others other
            users chat one message after another; prints the others' median and max reply time
            and how the flood was answered.
  wechat    --chats WeChat users each send --turns messages at once (closed loop): p50/p95/p99 and
            max of the answer (passive reply or "success"), then every "success" must be followed
            by a customer-service push; a message answered by neither is lost.
  web       --chats web chat sessions the same way: p50/p95/p99 and max of POST /api/chat/messages,
            how many said "busy" in words, and whether every message's real reply reached the
            transcript (what the page polls) in the end.

Bounded: fixed message counts, time limits on every wait.

    .venv/bin/python -m bench.flood                       # 200 x 40 flood, 100 chats
    .venv/bin/python -m bench.flood --chats 60 --rounds 1 --phases flood
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
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.floods.policy import FloodPolicy  # noqa: E402
from config.settings import Settings  # noqa: E402
from scripts import stack  # noqa: E402
from tests.fakes.wechat_api import FakeWeChatApi, WeChatUser  # noqa: E402
from tests.live_stack import LiveStack, free_port  # noqa: E402
from unionkit import texts  # noqa: E402

WECHAT_TOKEN = "bench-flood-token"
MESSAGES = ["你好", "谢谢", "您好呀", "谢谢你"]
POLICY = FloodPolicy.load(Settings())
UNAVAILABLE = texts.text("utter_service_unavailable")


def pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, int(round(p / 100 * len(ordered))) - 1))]


class Gateway:
    def __init__(self, name: str, url: str):
        self.name, self.url = name, url


def start_before_gateway(live: LiveStack, workdir: Path) -> tuple[Gateway, object]:
    port = free_port()
    env = dict(live.env, PORT=str(port), FLOODS_CONTAINED="0", WEB_REPLY_BUDGET="600")
    proc = stack.start_gateway(env, port, bind_host="127.0.0.1", log_file=open(workdir / "before.log", "ab"))
    url = f"http://127.0.0.1:{port}"
    stack.wait_for(f"{url}/api/none", 60, ok=lambda r: r.status_code == 404, proc=proc)
    return Gateway("before", url), proc


def drain(live: LiveStack, limit: float = 180) -> None:
    """Waits until Rasa answers a fresh sender within a second: a phase's backlog (Rasa goes on with
    turns the gateway stopped waiting for) must not fall on the next phase."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        t0 = time.monotonic()
        try:
            requests.post(f"{live.rasa_url}/webhooks/rest/webhook", timeout=30,
                          json={"sender": f"drain-{uuid.uuid4().hex[:8]}", "message": "你好"})
        except requests.RequestException:
            pass
        if time.monotonic() - t0 < 1.0:
            return
        time.sleep(1.0)


# --- flood: one openid, many at a time; two others meanwhile ------------------------------------
def flood_round(gw: Gateway, flood: int, parallel: int, others: int) -> dict:
    run = uuid.uuid4().hex[:6]
    flooder = WeChatUser(gw.url, WECHAT_TOKEN, openid=f"oflood{run}{'f' * 16}")
    flooder.http.mount("http://", requests.adapters.HTTPAdapter(pool_maxsize=parallel))
    done = threading.Event()
    other_lat: list[float] = []
    kinds = {"answered": 0, "too fast": 0, "in progress": 0, "success": 0, "error": 0}
    flood_lat: list[float] = []
    lock = threading.Lock()

    def other_loop(i: int) -> None:
        user = WeChatUser(gw.url, WECHAT_TOKEN, openid=f"oother{run}{i:02d}{'o' * 14}")
        m = 0
        while not done.is_set():
            t0 = time.monotonic()
            answer = user.text(MESSAGES[m % len(MESSAGES)])
            with lock:
                other_lat.append(time.monotonic() - t0)
            m += 1
            time.sleep(0.2)  # a person reads the answer before writing again

    def one(n: int) -> None:
        t0 = time.monotonic()
        try:
            answer = flooder.text(f"{MESSAGES[n % len(MESSAGES)]} {n}")
        except requests.RequestException:
            kind = "error"
        else:
            if answer.status != 200:
                kind = "error"
            elif answer.is_success:
                kind = "success"
            elif answer.text == POLICY.text("wechat_too_fast"):
                kind = "too fast"
            elif answer.text == POLICY.text("turn_in_progress"):
                kind = "in progress"
            else:
                kind = "answered"
        with lock:
            kinds[kind] += 1
            flood_lat.append(time.monotonic() - t0)

    threads = [threading.Thread(target=other_loop, args=(i,), daemon=True) for i in range(others)]
    for t in threads:
        t.start()
    time.sleep(1.0)  # the others' quiet baseline first
    with ThreadPoolExecutor(max_workers=parallel) as pool:
        list(pool.map(one, range(flood)))
    time.sleep(1.0)
    done.set()
    for t in threads:
        t.join(timeout=30)
    return {"others": other_lat, "kinds": kinds, "flood": flood_lat}


# --- overload: many chats at once ---------------------------------------------------------------
def wechat_round(gw: Gateway, api: FakeWeChatApi, chats: int, turns: int, push_wait: float) -> dict:
    run = uuid.uuid4().hex[:6]
    users = [WeChatUser(gw.url, WECHAT_TOKEN, openid=f"oload{run}{u:04d}{'w' * 12}") for u in range(chats)]
    lat: list[float] = []
    success: dict[str, int] = {}
    passive = errors = apologies = 0
    lock = threading.Lock()
    gate = threading.Barrier(chats)

    def loop(u: int) -> None:
        nonlocal passive, errors, apologies
        user = users[u]
        gate.wait()
        for m in range(turns):
            t0 = time.monotonic()
            try:
                answer = user.text(MESSAGES[(u + m) % len(MESSAGES)])
                ok = answer.status == 200
            except requests.RequestException:
                ok, answer = False, None
            with lock:
                lat.append(time.monotonic() - t0)
                if not ok:
                    errors += 1
                elif answer.is_success:
                    success[user.openid] = success.get(user.openid, 0) + 1
                else:
                    passive += 1
                    apologies += answer.text == UNAVAILABLE

    with ThreadPoolExecutor(max_workers=chats) as pool:
        list(pool.map(loop, range(chats)))
    # Every "success" is owed a push; wait for them (bounded).
    deadline = time.monotonic() + push_wait
    while time.monotonic() < deadline:
        if all(len(api.messages_to(o)) >= n for o, n in success.items()):
            break
        time.sleep(0.2)
    pushed = {o: api.messages_to(o) for o in success}
    lost = sum(max(0, n - len(pushed[o])) for o, n in success.items())
    apologies += sum(t == UNAVAILABLE for got in pushed.values() for t in got)
    return {"lat": lat, "passive": passive, "success": sum(success.values()), "lost": lost + errors,
            "apologies": apologies, "errors": errors}


def web_round(gw: Gateway, chats: int, turns: int, settle: float) -> dict:
    sessions = []
    for u in range(chats):
        # Workers come from many addresses: each session from its own, through the trusted proxy
        # header (TRUSTED_PROXIES=1), as behind the production reverse proxy.
        body = requests.post(f"{gw.url}/api/chat/sessions", timeout=30,
                             headers={"X-Forwarded-For": f"198.18.{u // 250}.{u % 250 + 1}"}).json()
        sessions.append((body["session_id"], {"Authorization": f"Bearer {body['token']}"}))
    lat: list[float] = []
    busy = errors = 0
    lock = threading.Lock()
    gate = threading.Barrier(chats)

    def loop(u: int) -> None:
        nonlocal busy, errors
        sid, auth = sessions[u]
        http = requests.Session()
        gate.wait()
        for m in range(turns):
            t0 = time.monotonic()
            try:
                resp = http.post(f"{gw.url}/api/chat/messages", headers=auth, timeout=120,
                                 json={"session_id": sid, "text": MESSAGES[(u + m) % len(MESSAGES)]})
                said = [x["text"] for x in resp.json()["messages"]] if resp.ok else None
            except (requests.RequestException, ValueError):
                said = None
            with lock:
                lat.append(time.monotonic() - t0)
                if said is None:
                    errors += 1
                elif POLICY.text("web_busy") in said:
                    busy += 1

    with ThreadPoolExecutor(max_workers=chats) as pool:
        list(pool.map(loop, range(chats)))

    def unanswered() -> int:
        """User lines not followed by a real bot reply (the "busy" line is not stored; an apology
        that Rasa did not answer in time counts as unanswered)."""
        missing = 0
        for sid, auth in sessions:
            rows = requests.get(f"{gw.url}/api/chat/messages", params={"session_id": sid}, headers=auth,
                                timeout=30).json()["messages"]
            pending = 0
            for row in rows:
                if row["role"] == "user":
                    pending += 1
                elif row["role"] == "bot" and pending and row["text"] != UNAVAILABLE:
                    pending = 0
            missing += pending
        return missing

    deadline = time.monotonic() + settle
    lost = unanswered()
    while lost and time.monotonic() < deadline:
        time.sleep(1.0)
        lost = unanswered()
    return {"lat": lat, "busy": busy, "lost": lost + errors, "errors": errors}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--flood", type=int, default=200)
    parser.add_argument("--parallel", type=int, default=40)
    parser.add_argument("--others", type=int, default=2)
    parser.add_argument("--chats", type=int, default=100)
    parser.add_argument("--turns", type=int, default=2, help="messages per chat in the overload phases")
    parser.add_argument("--rounds", type=int, default=2, help="alternating rounds per gateway")
    parser.add_argument("--phases", default="flood,wechat,web")
    parser.add_argument("--model", default=str(ROOT / "models" / "union.tar.gz"))
    parser.add_argument("--redis-url", default="", help="a Redis to use (default: an embedded one)")
    args = parser.parse_args()
    phases = args.phases.split(",")

    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    workdir = Path(tempfile.mkdtemp(prefix="flood-bench-"))
    redis_handle = None
    redis_url = args.redis_url
    if not redis_url:
        redis_url, redis_handle = stack.start_embedded_redis(workdir / "redis", free_port())
    api = FakeWeChatApi(token_delay=0.0).start()
    # config/floods.yml's limits (LiveStack relaxes them for the test suite: undo that here).
    real_limits = {f"RATE_LIMIT_{name.upper()}": "" for name in POLICY.limits}
    live = LiveStack(workdir, redis_url, f"sqlite:///{workdir / 'bench.db'}", model=Path(args.model),
                     extra_env={"WECHAT_TOKEN": WECHAT_TOKEN, "WECHAT_APP_ID": api.app_id,
                                "WECHAT_APP_SECRET": api.secret, "WECHAT_API_BASE": api.base_url,
                                "TRUSTED_PROXIES": "1", **real_limits})
    before_proc = None
    results: dict[str, dict[str, list[dict]]] = {p: {"before": [], "after": []} for p in phases}
    print(f"* starting the stack in {workdir} ...", flush=True)
    try:
        live.start()
        before, before_proc = start_before_gateway(live, workdir)
        after = Gateway("after", live.gateway_url)
        for gw in (before, after):  # warm up both
            WeChatUser(gw.url, WECHAT_TOKEN).text("你好")
        for r in range(args.rounds):
            order = (before, after) if r % 2 == 0 else (after, before)
            for gw in order:
                if "flood" in phases:
                    drain(live)
                    print(f"* round {r + 1}: flood on {gw.name}", flush=True)
                    results["flood"][gw.name].append(flood_round(gw, args.flood, args.parallel, args.others))
                if "wechat" in phases:
                    drain(live)
                    print(f"* round {r + 1}: {args.chats} WeChat chats on {gw.name}", flush=True)
                    results["wechat"][gw.name].append(wechat_round(gw, api, args.chats, args.turns, 90))
                if "web" in phases:
                    drain(live)
                    print(f"* round {r + 1}: {args.chats} web chats on {gw.name}", flush=True)
                    results["web"][gw.name].append(web_round(gw, args.chats, args.turns, 90))
    finally:
        stack.stop(before_proc)
        live.stop()
        api.stop()
        if redis_handle is not None:
            redis_handle.shutdown()

    print(f"\nmachine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}; rounds: {args.rounds}")
    if "flood" in phases:
        print(f"\nflood: {args.flood} messages from one openid, {args.parallel} at a time; "
              f"{args.others} other users meanwhile")
        print(f"{'':8} {'others n':>8} {'median s':>9} {'max s':>7} {'>5 s':>5}   flood answers")
        for name in ("before", "after"):
            runs = results["flood"][name]
            lat = [x for run in runs for x in run["others"]]
            kinds: dict[str, int] = {}
            for run in runs:
                for k, v in run["kinds"].items():
                    kinds[k] = kinds.get(k, 0) + v
            flood_max = max((x for run in runs for x in run["flood"]), default=float("nan"))
            print(f"{name:8} {len(lat):>8} {statistics.median(lat) if lat else float('nan'):>9.2f} "
                  f"{max(lat, default=float('nan')):>7.2f} {sum(x > 5 for x in lat):>5}   "
                  + ", ".join(f"{k} {v}" for k, v in kinds.items() if v) + f"; slowest {flood_max:.2f} s")
    for phase in ("wechat", "web"):
        if phase not in phases:
            continue
        print(f"\n{phase}: {args.chats} chats at once, {args.turns} messages each")
        extra = "passive / success (pushed later) / apologies" if phase == "wechat" else "busy (in words)"
        print(f"{'':8} {'n':>5} {'p50 s':>7} {'p95 s':>7} {'p99 s':>7} {'max s':>7} {'>5 s':>5} {'lost':>5}   {extra}")
        for name in ("before", "after"):
            runs = results[phase][name]
            lat = [x for run in runs for x in run["lat"]]
            lost = sum(run["lost"] for run in runs)
            if phase == "wechat":
                detail = (f"{sum(r['passive'] for r in runs)} {sum(r['success'] for r in runs)} "
                          f"{sum(r['apologies'] for r in runs)}")
            else:
                detail = f"{sum(r['busy'] for r in runs)}"
            print(f"{name:8} {len(lat):>5} {pct(lat, 50):>7.2f} {pct(lat, 95):>7.2f} {pct(lat, 99):>7.2f} "
                  f"{max(lat, default=float('nan')):>7.2f} {sum(x > 5 for x in lat):>5} {lost:>5}   {detail}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
