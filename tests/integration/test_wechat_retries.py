"""WeChat's retries: the same message posted again (here: at once, to different gateway processes)
is one conversation turn, one back-end record, and the same answer or "success".

Two gunicorn gateways (separate processes, sharing the live stack's Redis, database, Rasa and back
end) take the copies, so the de-duplication is tested across workers, not inside one process.
"""
from __future__ import annotations

import re
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.identities import fresh_id_number
from tests.fakes.wechat_api import WeChatUser
from tests.fakes.wechat_gateway import api  # noqa: F401 (fixture)
from tests.fakes.wechat_gateway import WeChatGateway, rasa_user_texts, transcript_of

NUMBER_RE = re.compile(r"RH\d{8}-[A-Z0-9]{4,8}")


@pytest.fixture(scope="module")
def gateways(live_stack, api):
    first = WeChatGateway(live_stack, api, "wechat-retry-a").start()
    second = WeChatGateway(live_stack, api, "wechat-retry-b", workers=1).start()
    yield first, second
    first.stop()
    second.stop()


def post_copies(users: list[WeChatUser], xml: str):
    """Posts the same message through each user object (each aimed at a gateway) at the same moment."""
    with ThreadPoolExecutor(len(users)) as pool:
        return list(pool.map(lambda u: u.post_xml(xml), users))


def test_join_confirmation_posted_three_times_files_one_application(live_stack, gateways, api):
    first, second = gateways
    user = WeChatUser(first.url, first.token)
    id_number = fresh_id_number()
    assert "姓名" in user.text("我想入会").text
    assert "1. 同意" in user.text("陈静").text
    assert "身份证号" in user.text("1").text
    assert "手机号" in user.text(id_number).text
    assert "单位" in user.text("13912345678").text
    assert "3. 快递物流" in user.text("顺丰速运有限公司").text
    summary = user.text("3").text
    assert "1. 确认提交" in summary and "快递物流" in summary

    copies = [user, WeChatUser(second.url, second.token, openid=user.openid), user]
    confirm = user.message_xml("text", {"Content": "1"})
    answers = post_copies(copies, confirm)

    assert [a.status for a in answers] == [200, 200, 200]
    texts = {a.text for a in answers if not a.is_success}
    assert len(texts) <= 1, texts  # identical answers, or "success"
    if texts:
        number = NUMBER_RE.search(texts.pop()).group(0)
        pushed = [m for m in api.messages_to(user.openid) if NUMBER_RE.search(m)]
        assert pushed == []
    else:  # every copy answered "success": the reply came once through the customer-service API
        pushed = [m for m in api.wait_for_messages(user.openid, 1) if NUMBER_RE.search(m)]
        assert len(pushed) == 1
        number = NUMBER_RE.search(pushed[0]).group(0)

    listed = live_stack.backend_get("/v1/membership-applications", id_number=id_number).json()["items"]
    assert [item["number"] for item in listed] == [number]
    record = live_stack.backend_get(f"/v1/membership-applications/{number}").json()
    assert record["channel"] == "wechat" and record["channel_user"] == f"wechat:{user.openid}"
    cid = f"wechat:{user.openid}"
    assert [t for r, t in transcript_of(live_stack.database_url, cid) if r == "user"].count("确认提交") == 1
    assert rasa_user_texts(live_stack, cid).count("/affirm") == 2  # the ID consent and this confirmation

    # A late retry (WeChat's third try) gets the stored answer and starts nothing.
    late = user.post_xml(confirm)
    assert late.status == 200 and (late.is_success or number in late.text)
    assert rasa_user_texts(live_stack, cid).count("/affirm") == 2


def test_the_same_event_twice_is_answered_once(live_stack, gateways):
    first, second = gateways
    user = WeChatUser(first.url, first.token)
    subscribe = user.message_xml("event", {"Event": "subscribe"}, msg_id=None, create_time=int(time.time()))
    answers = post_copies([user, WeChatUser(second.url, second.token, openid=user.openid)], subscribe)
    assert all(a.status == 200 for a in answers)
    assert len({a.text for a in answers if not a.is_success}) == 1
    welcomes = [t for r, t in transcript_of(live_stack.database_url, f"wechat:{user.openid}") if r == "bot"]
    assert len(welcomes) == 1


def test_a_new_message_with_its_own_id_is_a_new_turn(live_stack, gateways):
    first, _ = gateways
    user = WeChatUser(first.url, first.token)
    user.text("你好")
    user.text("你好")  # typed twice: two MsgIds, two turns
    assert rasa_user_texts(live_stack, f"wechat:{user.openid}") == ["你好", "你好"]
