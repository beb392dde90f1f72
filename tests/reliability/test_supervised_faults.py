"""Faults on the stack as `make run` starts it (scripts/stack.py under supervisord), with real Redis
(an append-only redis-server this module starts and kills), PostgreSQL, the trained Rasa model and
WeChat messages signed with wechatpy (WeChat's API faked on loopback). Each test leaves the stack
healthy for the next one."""
from __future__ import annotations

import json
import re
import subprocess
import uuid
import time
from concurrent.futures import ThreadPoolExecutor

import redis
import requests

from bot.channels.wechat.dedup import RetryGuard
from tests.fakes.wechat_api import WeChatUser
from tests.fakes.wechat_gateway import WECHAT_TOKEN
from tests.live_stack import WebChat

UNAVAILABLE = "系统有点忙"
JY = re.compile(r"JY\d{8}-[A-Z0-9]{4,8}")


def suggestion(chat: WebChat, text: str) -> str:
    """An anonymous suggestion through the web chat; its number."""
    chat.say_text(text)
    done = chat.say_text(payload="匿名")
    found = JY.search(done)
    assert found, done
    return found.group(0)


def test_healthz_says_ok_per_part_and_nothing_more(supervised):
    resp = requests.get(f"{supervised.url}/healthz", timeout=10)
    assert resp.status_code == 200
    assert resp.json() == {"status": "ok", "checks": {"redis": "ok", "rasa": "ok", "backend": "ok"}}
    assert set(supervised.states().values()) == {"RUNNING"}


def test_a_second_make_run_refuses_at_once_and_leaves_the_first_alone(supervised):
    before = supervised.pid("gateway"), supervised.pid("rasa")
    started = time.monotonic()
    second = supervised.run_command(stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    out, _ = second.communicate(timeout=120)
    elapsed = time.monotonic() - started
    text = out.decode()
    lines = [line for line in text.splitlines() if line.strip()]
    assert second.returncode != 0
    assert len(lines) == 1 and "already running" in lines[0], text
    assert elapsed < 30, elapsed  # the Python start-up alone, on a busy machine
    for name in ("RASA_TOKEN", "RASA_CHANNEL_SECRET", "SECRET_KEY", "BACKEND_API_KEY"):
        assert supervised.env[name] not in text
    assert (supervised.pid("gateway"), supervised.pid("rasa")) == before
    assert set(supervised.states().values()) == {"RUNNING"}
    assert UNAVAILABLE not in WebChat(supervised.url).say_text("你好")  # the first still answers
    assert requests.get(f"{supervised.url}/healthz", timeout=10).status_code == 200


def test_rasa_killed_apologies_then_service_resumes_by_itself(supervised):
    chat = WebChat(supervised.url)
    assert UNAVAILABLE not in chat.say_text("你好")
    user = WeChatUser(supervised.url, WECHAT_TOKEN)
    supervised.kill9("rasa")
    assert supervised.wait_health("rasa", "down", timeout=30) < 30
    assert requests.get(f"{supervised.url}/healthz", timeout=10).json()["status"] == "degraded"
    # The web chat: an error in words; WeChat: a short apology within the reply budget.
    assert UNAVAILABLE in chat.say_text("我想入会")
    started = time.monotonic()
    answer = user.text("你好")
    assert time.monotonic() - started < 5
    assert answer.status == 200 and (UNAVAILABLE in answer.text or answer.is_success)
    # supervisord restarts Rasa; the next answers come from it again, nobody restarted anything.
    supervised.wait_health("rasa", "ok", timeout=400)
    reply = chat.say_text("我想入会")
    assert UNAVAILABLE not in reply and "姓名" in reply
    assert UNAVAILABLE not in user.text("你好").text
    assert "rasa stopped" in supervised.output() and "rasa is running again" in supervised.output()


def test_back_end_down_submissions_wait_and_land_once(supervised):
    supervised.supervisorctl("stop", "backend")
    try:
        supervised.wait_health("backend", "down", timeout=30)
        chats = [WebChat(supervised.url) for _ in range(3)]
        numbers = [suggestion(chat, f"给工会提点意见：第{i}车间的饮水机坏了一个月了") for i, chat in enumerate(chats)]
    finally:
        supervised.supervisorctl("start", "backend")
    supervised.wait_health("backend", "ok", timeout=120)
    deadline = time.monotonic() + 90
    landed = {}
    while time.monotonic() < deadline and len(landed) < len(numbers):
        for number in numbers:
            if number not in landed and supervised.backend_get(f"/v1/suggestions/{number}").status_code == 200:
                landed[number] = True
        time.sleep(1)
    assert sorted(landed) == sorted(numbers)
    listed = supervised.backend_get("/v1/suggestions", limit=500).json()["items"]
    assert sorted(n for n in (i["number"] for i in listed) if n in numbers) == sorted(numbers)  # once each


def test_a_gateway_worker_killed_mid_turn_the_retry_is_served_once(supervised, wechat_api):
    """WeChat posts the message, the gateway worker taking it dies; WeChat's retry (same MsgId)
    reaches another worker, which answers; the back end has one record."""
    user = WeChatUser(supervised.url, WECHAT_TOKEN)
    marker = uuid.uuid4().hex[:8]
    assert "建议" in user.text("我想提个建议").text
    assert "匿名" in user.text(f"工会能不能在园区门口装个充电桩，骑电动车的工友多 {marker}").text
    confirm = user.message_xml("text", {"Content": "匿名"})
    msg_id = re.search(r"<MsgId>(\d+)</MsgId>", confirm).group(1)
    guard = RetryGuard(redis.Redis.from_url(supervised.redis_url, decode_responses=True))
    with ThreadPoolExecutor(1) as pool:
        first = pool.submit(user.post_xml, confirm)
        holder = None
        deadline = time.monotonic() + 10
        while holder is None and time.monotonic() < deadline and not first.done():
            holder = guard.holder(f"msg:{msg_id}")  # the gateway worker answering it
            time.sleep(0.01)
        assert holder is not None, "the turn was over before it could be interrupted"
        time.sleep(0.2)  # well into the turn (Rasa, the action, the back end)
        subprocess.run(["kill", "-9", str(holder)], check=True)
        try:
            first.result(timeout=30)
        except requests.RequestException:
            pass  # the connection died with the worker, as WeChat sees it
    deadline = time.monotonic() + 120
    retry = None
    while time.monotonic() < deadline:  # gunicorn's master boots new workers; WeChat retries meanwhile
        try:
            retry = user.post_xml(confirm)
            break
        except requests.RequestException:
            time.sleep(0.5)
    assert retry is not None and retry.status == 200
    pushed = wechat_api.wait_for_messages(user.openid, 1, timeout=60) if retry.is_success else []
    texts = ([] if retry.is_success else [retry.text]) + pushed
    numbers = {n for t in texts for n in JY.findall(t)}
    assert len(numbers) == 1, texts
    listed = supervised.backend_get("/v1/suggestions", limit=200).json()["items"]
    mine = [i["number"] for i in listed if marker in (i.get("text") or "")]
    assert mine == list(numbers), (mine, numbers)


def test_redis_restarted_mid_conversation_the_next_message_works_and_queues_survive(supervised, aof_redis):
    r = redis.Redis.from_url(aof_redis.url, decode_responses=True)
    chat = WebChat(supervised.url)
    assert "姓名" in chat.say_text("我想入会")
    # What must survive: a submission in the outbox (the back end is down), a chat waiting for a person.
    supervised.supervisorctl("stop", "backend")
    try:
        supervised.wait_health("backend", "down", timeout=30)
        number = suggestion(WebChat(supervised.url), "给工会提点意见：宿舍热水每天只开一小时")
        assert r.hexists("outbox:items", number)
        waiting = WebChat(supervised.url)
        waiting.say_text("转人工")
        # A notice due in an hour (the queue the worker sends from), as the notices job leaves one.
        from bot.notices.queue import ITEMS_KEY as NOTICES, NoticeQueue

        NoticeQueue(r).put({"id": "survives-restart", "channel": "web", "conversation_id": "web:nobody",
                            "seq": 1, "text": "您的申请已受理"}, delay=3600)
        notices = r.hgetall(NOTICES)
        queued = r.hgetall("outbox:items")
        handoff_keys = {k: r.type(k) for k in r.scan_iter(match="handoff*", count=1000)}
        assert handoff_keys, "the handoff left nothing in Redis"
        aof_redis.restart()  # kill -9 and start again on the same port and files
        reply = chat.say_text("王建国")  # the next message: the form goes on
        assert UNAVAILABLE not in reply, reply
        # the same submissions with the same bodies (the retry worker may have counted another attempt)
        kept = lambda items: {k: (json.loads(v)["path"], json.loads(v)["body"]) for k, v in items.items()}  # noqa: E731
        assert kept(r.hgetall("outbox:items")) == kept(queued), "the outbox lost data in the restart"
        assert {k: r.type(k) for k in handoff_keys} == handoff_keys, "the handoff queue lost data"
        assert r.hgetall(NOTICES) == notices, "the pending notices were lost"
    finally:
        supervised.supervisorctl("start", "backend")
    assert supervised.wait_for_record(f"/v1/suggestions/{number}").status_code == 200
    assert requests.get(f"{supervised.url}/healthz", timeout=10).json()["checks"]["redis"] == "ok"
