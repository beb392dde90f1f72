"""Redis behind Sentinel (unionkit/redis_sentinel.py), on real servers the test starts: a master, a
replica and a Sentinel. The gateway and Rasa's stores find the master through the Sentinel, and
when the master is killed the Sentinel promotes the replica and the next chat message works."""
from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import pytest
import redis

from tests.live_stack import free_port

MASTER_NAME = "union"


class RedisServer:
    def __init__(self, workdir: Path, name: str, *args: str):
        self.dir = workdir / name
        self.dir.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.args = args
        self.proc: subprocess.Popen | None = None

    def start(self, *head: str) -> "RedisServer":
        self.proc = subprocess.Popen(
            ["redis-server", *head, "--port", str(self.port), "--bind", "127.0.0.1", "--dir", str(self.dir),
             "--save", "", "--appendonly", "no", "--daemonize", "no", *self.args],
            stdout=open(self.dir / "redis.log", "ab"), stderr=subprocess.STDOUT, start_new_session=True)
        wait_for(lambda: redis.Redis(port=self.port, socket_connect_timeout=0.5).ping(), f"{self.dir.name} up")
        return self

    def client(self) -> redis.Redis:
        return redis.Redis(port=self.port, decode_responses=True, socket_timeout=2)

    def kill(self) -> None:
        if self.proc and self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGKILL)
            self.proc.wait(10)


def wait_for(check, what: str, seconds: float = 30):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            value = check()
            if value:
                return value
        except (redis.RedisError, OSError):
            pass
        time.sleep(0.1)
    raise TimeoutError(what)


@pytest.fixture()
def sentinel_set(tmp_path):
    master = RedisServer(tmp_path, "master").start()
    replica = RedisServer(tmp_path, "replica", "--replicaof", "127.0.0.1", "0").start()
    replica.client().execute_command("REPLICAOF", "127.0.0.1", str(master.port))
    wait_for(lambda: replica.client().info("replication").get("master_link_status") == "up", "replica in sync")
    sentinel = RedisServer(tmp_path, "sentinel")
    conf = sentinel.dir / "sentinel.conf"
    conf.write_text(f"sentinel monitor {MASTER_NAME} 127.0.0.1 {master.port} 1\n"
                    f"sentinel down-after-milliseconds {MASTER_NAME} 1000\n"
                    f"sentinel failover-timeout {MASTER_NAME} 10000\n")
    sentinel.args = ()
    sentinel.proc = subprocess.Popen(
        ["redis-server", str(conf), "--sentinel", "--port", str(sentinel.port), "--bind", "127.0.0.1"],
        stdout=open(sentinel.dir / "redis.log", "ab"), stderr=subprocess.STDOUT, start_new_session=True)
    probe = redis.Redis(port=sentinel.port, decode_responses=True, socket_timeout=2)
    # The Sentinel must know the replica before it can promote it.
    wait_for(lambda: probe.execute_command("SENTINEL", "REPLICAS", MASTER_NAME), "sentinel sees the replica")
    yield master, replica, sentinel
    for server in (sentinel, replica, master):
        server.kill()


def test_the_gateway_follows_the_master_through_a_failover(make_app, sentinel_set):
    master, replica, sentinel = sentinel_set
    # REDIS_URL names no server that answers: only the Sentinel can lead the app to Redis.
    app = make_app(redis_url="redis://127.0.0.1:9/0", redis_sentinels=f"127.0.0.1:{sentinel.port}",
                   redis_sentinel_master=MASTER_NAME, rasa_url="http://127.0.0.1:9")
    client = app.test_client()
    chat = client.post("/api/chat/sessions").get_json()
    auth = {"Authorization": f"Bearer {chat['token']}"}

    def say(key: str) -> int:
        return client.post("/api/chat/messages", headers=auth,
                           json={"session_id": chat["session_id"], "text": "你好", "retry_key": key}).status_code

    assert say("before-failover-1") == 200
    assert master.client().exists(f"web:retry:{chat['session_id']}:before-failover-1")
    assert client.get("/healthz").get_json()["checks"]["redis"] == "ok"

    master.kill()
    started = time.monotonic()
    wait_for(lambda: replica.client().info("replication")["role"] == "master", "replica promoted", 60)
    promoted = time.monotonic() - started
    assert say("after-failover-1") == 200
    assert client.get("/healthz").get_json()["checks"]["redis"] == "ok"
    assert replica.client().exists(f"web:retry:{chat['session_id']}:after-failover-1")
    # What was written before the failover had reached the replica: the first message is still known.
    assert replica.client().exists(f"web:retry:{chat['session_id']}:before-failover-1")
    assert promoted < 30
    print(f"failover: the replica was master {promoted:.1f} s after the master was killed")


def test_rasa_stores_and_the_gateway_channel_find_the_master_through_the_sentinel(sentinel_set, monkeypatch):
    from rasa.shared.core.domain import Domain

    from rasa_components import gateway_channel
    from rasa_components.lock_store import RetryingRedisLockStore
    from rasa_components.tracker_store import PrivateRedisTrackerStore

    master, _replica, sentinel = sentinel_set
    monkeypatch.setenv("REDIS_SENTINELS", f"127.0.0.1:{sentinel.port}")
    monkeypatch.setenv("REDIS_SENTINEL_MASTER", MASTER_NAME)
    monkeypatch.setenv("REDIS_DB", "0")
    domain = Domain.from_yaml("version: '3.1'\nintents: [greet]\n")
    # host/port name nothing that answers: the stores must ask the Sentinel.
    tracker_store = PrivateRedisTrackerStore(domain, host="127.0.0.1", port=9, key_prefix="sentineltest")
    lock_store = RetryingRedisLockStore(host="127.0.0.1", port=9, key_prefix="sentineltest")
    tracker_store.red.set("sentineltest:probe", "1")
    lock_store.red.set("sentineltest:lock-probe", "1")
    gateway_channel._turn_redis().set("sentineltest:turn-probe", "1")
    assert master.client().mget("sentineltest:probe", "sentineltest:lock-probe", "sentineltest:turn-probe") == ["1"] * 3


def test_a_bad_sentinel_list_is_refused_at_start():
    from unionkit.redis_sentinel import parse_sentinels

    assert parse_sentinels("10.0.2.11:26379, 10.0.2.12:26379,") == [("10.0.2.11", 26379), ("10.0.2.12", 26379)]
    for bad in ("10.0.2.11", "10.0.2.11:port", ":26379", "h:70000"):
        with pytest.raises(ValueError):
            parse_sentinels(bad)
