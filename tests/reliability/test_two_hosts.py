"""More than one machine: two gateway hosts (network namespaces with their own addresses), one
Redis, one PostgreSQL and the Rasa side (the supervised stack's Rasa server, action server and back
end). Web chats move between the hosts from one message to the next, WeChat's copies of one
message reach both, and one host is killed under load: nothing is lost, nothing is done twice."""
from __future__ import annotations

import re
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlparse, urlunparse

import pytest
import requests

from tests.fakes.wechat_api import WeChatUser
from tests.fakes.wechat_gateway import WECHAT_TOKEN
from tests.reliability.hosts import GatewayHost, Relay, netns_available

JY = re.compile(r"JY\d{8}-[A-Z0-9]{4,8}")


def _via(url: str, host: str) -> str:
    parsed = urlparse(url)
    netloc = parsed.netloc.replace("127.0.0.1", host).replace("localhost", host)
    return urlunparse(parsed._replace(netloc=netloc))


@pytest.fixture(scope="module")
def hosts(supervised, aof_redis, wechat_api, tmp_path_factory):
    why = netns_available()
    if why:
        pytest.fail(f"network namespaces are not available here ({why})")
    workdir = tmp_path_factory.mktemp("hosts")
    relay = Relay()
    made = []
    try:
        ports = [aof_redis.port, 5432, supervised.rasa_port, supervised.backend_port,
                 urlparse(wechat_api.base_url).port]
        pg_port = urlparse(supervised.database_url.split("?")[0]).port or 5432
        ports[1] = pg_port
        for index in (1, 2):
            host = GatewayHost(index, workdir).create()
            made.append(host)
            for port in ports:
                relay.add(host.our_addr, port)
            env = dict(supervised.env)
            prom = workdir / f"prometheus{index}"
            prom.mkdir()
            env.update(
                REDIS_URL=_via(supervised.redis_url, host.our_addr), DATABASE_URL=_via(supervised.database_url, host.our_addr),
                RASA_URL=_via(supervised.rasa_url, host.our_addr), BACKEND_URL=_via(supervised.backend_url, host.our_addr),
                WECHAT_API_BASE=_via(wechat_api.base_url, host.our_addr), PROMETHEUS_MULTIPROC_DIR=str(prom),
            )
            host.start_gateway(env)
        yield made
    finally:
        for host in made:
            host.destroy()
        relay.stop()


def web_session(url: str) -> dict:
    resp = requests.post(f"{url}/api/chat/sessions", timeout=20)
    assert resp.status_code == 201, resp.text
    return resp.json()


def say(url: str, session: dict, **body) -> str:
    resp = requests.post(f"{url}/api/chat/messages", json={"session_id": session["session_id"], **body},
                         headers={"Authorization": f"Bearer {session['token']}"}, timeout=30)
    assert resp.status_code == 200, resp.text
    return "\n".join(m["text"] for m in resp.json()["messages"])


def records_with(supervised, marker: str) -> list[str]:
    items = supervised.backend_get("/v1/suggestions", limit=500).json()["items"]
    return [i["number"] for i in items if marker in (i.get("text") or "")]


def test_a_chat_moves_between_hosts_message_by_message(supervised, hosts):
    a, b = hosts
    marker = uuid.uuid4().hex[:8]
    session = web_session(a.url)
    assert "匿名" in say(b.url, session, text=f"给工会提点意见：夜班的食堂能不能晚点关门 {marker}")
    done = say(a.url, session, payload="匿名")
    assert records_with(supervised, marker) == JY.findall(done)


def test_wechat_copies_of_one_message_on_both_hosts_are_one_turn(supervised, hosts, wechat_api):
    a, b = hosts
    marker = uuid.uuid4().hex[:8]
    user_a = WeChatUser(a.url, WECHAT_TOKEN)
    user_b = WeChatUser(b.url, WECHAT_TOKEN, openid=user_a.openid)
    assert "建议" in user_a.text("我想提个建议").text
    assert "匿名" in user_b.text(f"厂里的班车能不能多开一趟 {marker}").text
    confirm = user_a.message_xml("text", {"Content": "匿名"})
    with ThreadPoolExecutor(3) as pool:
        answers = list(pool.map(lambda u: u.post_xml(confirm), [user_a, user_b, user_b]))
    assert [x.status for x in answers] == [200, 200, 200]
    texts = {x.text for x in answers if not x.is_success}
    assert len(texts) <= 1
    numbers = set(JY.findall(" ".join(texts))) or set(JY.findall(" ".join(wechat_api.wait_for_messages(user_a.openid, 1))))
    assert records_with(supervised, marker) == sorted(numbers) and len(numbers) == 1


def test_one_host_killed_under_load_nothing_lost_nothing_twice(supervised, hosts):
    """12 web chats file a suggestion each, every message to either host; host A is killed while
    they run. A client whose request failed sends it again, with the same retry_key, to the other
    host (what chat.js does, through the proxy's next upstream). Each chat's suggestion is in the
    back end exactly once. (Without the retry key, 3 of 12 chats whose first message died with host
    A lost their form: the copy sent again ran a second turn.)"""
    a, b = hosts
    markers = [uuid.uuid4().hex[:8] for _ in range(12)]
    errors: list[str] = []

    def one_chat(i: int) -> None:
        order = [a, b] if i % 2 else [b, a]
        marker = markers[i]

        def send(**body) -> str:
            body["retry_key"] = uuid.uuid4().hex  # one key per message, the same for every copy
            for attempt in range(40):
                host = order[attempt % 2] if attempt else order[0]
                try:
                    return say(host.url, session, **body)
                except (requests.RequestException, AssertionError):
                    time.sleep(0.5)
            raise RuntimeError("no host answered")

        session = None
        for attempt in range(20):
            try:
                session = web_session(order[attempt % 2].url)
                break
            except (requests.RequestException, AssertionError):
                time.sleep(0.5)
        send(text=f"给工会提点意见：第{i}宿舍的空调漏水 {marker}")
        reply = send(payload="匿名")
        # The first copy may have been filed by the killed host after all: look before sending again.
        deadline = time.monotonic() + 60
        while not records_with(supervised, marker) and time.monotonic() < deadline:
            if JY.search(reply):
                time.sleep(1)
                continue
            time.sleep(2)
            reply = send(payload="匿名")
        if not records_with(supervised, marker):
            errors.append(f"chat {i}: nothing filed ({reply})")

    threads = [threading.Thread(target=one_chat, args=(i,)) for i in range(len(markers))]
    for t in threads:
        t.start()
    time.sleep(1.0)
    a.kill()  # host A goes away with chats in flight
    for t in threads:
        t.join(240)
    assert not errors, errors
    counts = {m: len(records_with(supervised, m)) for m in markers}
    assert set(counts.values()) == {1}, counts
    assert requests.get(f"{b.url}/healthz", timeout=10).status_code == 200
