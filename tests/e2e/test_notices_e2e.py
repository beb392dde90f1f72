"""The worker hears of every step and rates it (issue 12 §3-4), end to end on the live stack: real
Rasa, action server, gateway under gunicorn, back end, Redis and the worker processes; WeChat's API
is the only fake (tests/fakes/wechat_api.py, on loopback).

Over WeChat a second worker process runs beside a WeChat gateway, with the WeChat settings and a
template id: the live stack's own worker has no WeChat settings, so it leaves WeChat's notices to it.
"""
from __future__ import annotations

import re
import time

import pytest
import requests

from scripts import stack
from tests.e2e.test_handoff_e2e import Officer, create_officer
from tests.e2e.test_join_union import NUMBER_RE, walk_to_summary
from tests.e2e.test_off_script_wechat import Chat
from tests.fakes.wechat_api import FakeWeChatApi
from tests.fakes.wechat_gateway import WeChatGateway
from tests.identities import fresh_id_number

TEMPLATE = "tpl-e2e-status"


@pytest.fixture(scope="module")
def api():
    fake = FakeWeChatApi(token_delay=0).start()
    yield fake
    fake.stop()


@pytest.fixture(scope="module")
def gateway(live_stack, api):
    gw = WeChatGateway(live_stack, api, "wechat-notices", WECHAT_TEMPLATE_STATUS=TEMPLATE).start()
    worker = stack.start_worker(gw.env, log_file=open(live_stack.workdir / "wechat-notices-worker.log", "ab"))
    yield gw
    stack.stop(worker)
    gw.stop()


def staff_stats(live_stack) -> dict:
    from tests.e2e.test_handoff_e2e import FLASK, PROJECT_ROOT
    import subprocess
    import uuid

    name = f"staff_{uuid.uuid4().hex[:8]}"
    out = subprocess.run([str(FLASK), "--app", "server", "users", "create", name, "--role", "staff",
                          "--password", "s3cret-pass"], env=dict(live_stack.env), cwd=PROJECT_ROOT,
                         capture_output=True, text=True, timeout=120)
    token = re.search(r"token: (\S+)", out.stdout).group(1)
    resp = requests.get(f"{live_stack.gateway_url}/api/admin/stats", headers={"Authorization": f"Bearer {token}"},
                        timeout=10)
    assert resp.status_code == 200, resp.text
    return resp.json()


def approve(officer: Officer, number: str, message: str | None = None) -> None:
    assert officer.post(f"/records/{number}/assign").status_code == 200
    for status in ("reviewing", "approved"):
        resp = officer.post(f"/records/{number}/status",
                            {"status": status, "message": message if status == "approved" else None})
        assert resp.status_code == 200, resp.text


def wait_for(predicate, timeout: float, what: str):
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        value = predicate()
        if value:
            return value, time.monotonic() - started
        time.sleep(0.1)
    raise AssertionError(f"{what} not within {timeout}s")


def file_membership_over_wechat(chat: Chat) -> str:
    assert "姓名" in chat.say("我想入会")
    assert "同意" in chat.say("张伟")
    assert "身份证号" in chat.choose("同意")
    assert "手机号" in chat.say(fresh_id_number())
    assert "单位" in chat.say("138 1234 5678")
    assert "行业" in chat.say("顺丰速运有限公司")
    assert "确认提交" in chat.choose("制造业")
    done = chat.choose("确认提交")
    return NUMBER_RE.search(done).group(0)


def test_wechat_application_approved_reaches_the_worker_as_a_template_message(live_stack, gateway, api):
    chat = Chat(gateway, api)
    number = file_membership_over_wechat(chat)
    _name, token = create_officer(live_stack)
    officer = Officer(live_stack, token)
    approve(officer, number, message="请到单位工会领取会员证")
    sent, took = wait_for(lambda: len(api.templates_to(chat.user.openid)) >= 2 and api.templates_to(chat.user.openid),
                          10, "the template messages")
    assert took < 10
    reviewing, approved = sent[:2]
    assert reviewing["template_id"] == approved["template_id"] == TEMPLATE
    assert approved["data"]["keyword1"]["value"] == number and approved["data"]["keyword2"]["value"] == "已通过"
    assert "请到单位工会领取会员证" in approved["data"]["remark"]["value"]
    # Then the rating question, as numbered choices (a customer-service message: the worker wrote lately).
    pushed, _ = wait_for(lambda: [m for m in api.messages_to(chat.user.openid) if "打个分" in m], 10,
                         "the rating question")
    assert number in pushed[0] and "1. 1分" in pushed[0] and "5. 5分" in pushed[0]
    time.sleep(2)  # nothing is sent twice
    assert len(api.templates_to(chat.user.openid)) == 2
    assert len([m for m in api.messages_to(chat.user.openid) if "打个分" in m]) == 1

    # The worker answers by number; 没解决 opens a review task for the team.
    chat.pushed = len(api.messages_to(chat.user.openid))
    chat.last = pushed[0]
    assert "问题解决了吗" in chat.choose("4分")
    assert "还有想对我们说的吗" in chat.choose("否")
    assert "回访" in chat.choose("不用了")
    [rating] = live_stack.backend_get("/v1/ratings", ref=number).json()["items"]
    assert (rating["score"], rating["resolved"], rating["channel_user"]) == (4, False, f"wechat:{chat.user.openid}")
    review = officer.get(f"/records/{rating['review_number']}").json()
    assert review["kind"] == "review" and review["status"] == "pending"


def test_web_application_approved_reaches_the_transcript_within_10_seconds(live_stack, web_chat):
    chat = web_chat()
    walk_to_summary(chat, fresh_id_number())
    number = NUMBER_RE.search(chat.say_text(payload="/affirm")).group(0)
    _name, token = create_officer(live_stack)
    officer = Officer(live_stack, token)
    assert officer.post(f"/records/{number}/assign").status_code == 200
    assert officer.post(f"/records/{number}/status", {"status": "reviewing"}).status_code == 200
    lines, took = wait_for(lambda: [m for m in chat.transcript() if number in m["text"] and "审核中" in m["text"]],
                           10, "the reviewing notice")
    assert took < 10 and lines[0]["role"] == "bot"
    assert officer.post(f"/records/{number}/messages", {"text": "请补充工作证明"}).status_code == 201
    wait_for(lambda: [m for m in chat.transcript() if "请补充工作证明" in m["text"]], 10, "the officer's message")
    assert officer.post(f"/records/{number}/status", {"status": "approved"}).status_code == 200
    wait_for(lambda: [m for m in chat.transcript() if number in m["text"] and "已通过" in m["text"]], 10,
             "the approval")
    asks, _ = wait_for(lambda: [m for m in chat.transcript() if "打个分" in m["text"]], 10, "the rating question")
    assert len(asks[0]["buttons"]) == 5

    # Ignoring it costs nothing: the worker just goes on and Rasa answers.
    status = chat.say_text("查询进度")
    assert number in status and "已通过" in status and "请补充工作证明" in status
    # The question still works afterwards.
    chat.say(payload=asks[0]["buttons"][4]["payload"])
    time.sleep(1)
    lines = [m["text"] for m in chat.transcript()]
    assert sum(number in t and "有新进展：已通过" in t for t in lines) == 1  # each notice once
    assert sum("打个分" in t for t in lines) == 1
    [rating] = live_stack.backend_get("/v1/ratings", ref=number).json()["items"]
    assert rating["score"] == 5 and rating["review_number"] is None


def test_a_closed_chat_and_a_resolved_case_ask_for_a_rating_that_shows_in_the_statistics(live_stack, web_chat):
    name, token = create_officer(live_stack, teams="general,legal")
    officer = Officer(live_stack, token)
    officer.get()
    chat = web_chat()
    chat.say_text("转人工")
    item = officer.waiting_for(chat.session_id)
    assert officer.post(f"/handoffs/{item['id']}/claim").status_code == 200
    assert officer.post(f"/handoffs/{item['id']}/close", {"outcome": "resolved"}).status_code == 200
    asks, _ = wait_for(lambda: [m for m in chat.transcript() if "打个分" in m["text"]], 5, "the chat's rating")
    low = chat.say(payload=asks[0]["buttons"][0]["payload"])  # 1分
    assert "问题解决了吗" in low[-1]["text"]

    case = live_stack.backend_get  # the case is filed straight at the back end, from this chat
    resp = requests.post(f"{live_stack.backend_url}/v1/cases", json={
        "type": "wage_arrears", "phone": "13912345678", "summary": "欠薪三个月", "channel": "web",
        "channel_user": f"web:{chat.session_id}"}, headers={"Authorization": f"Bearer {live_stack.backend_key}"},
        timeout=10)
    number = resp.json()["number"]
    assert officer.post(f"/records/{number}/assign").status_code == 200
    for status in ("in_progress", "resolved"):
        assert officer.post(f"/records/{number}/status", {"status": status}).status_code == 200
    asks, _ = wait_for(lambda: [m for m in chat.transcript() if "打个分" in m["text"] and number in m["text"]], 10,
                       "the case's rating")
    chat.say(payload=asks[0]["buttons"][3]["payload"])  # 4分
    assert case(f"/v1/ratings", ref=number).json()["items"][0]["score"] == 4

    chat_rating = case("/v1/ratings", ref=f"handoff:{item['id']}").json()["items"][0]
    assert chat_rating["score"] == 1 and chat_rating["officer"] == name and chat_rating["review_number"]
    tasks = officer.get("/records", kind="review").json()["items"]
    assert chat_rating["review_number"] in [t["number"] for t in tasks]
    figures = staff_stats(live_stack)
    assert figures["csat"]["count"] >= 2 and figures["csat"]["average"] is not None
    assert figures["on_time_rate"]["case"] is not None and figures["median_resolution_seconds"] is not None
