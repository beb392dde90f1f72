"""The worker hears of every step and rates it (issue 12 §3-4), in the gateway's own processes:
the real back end over HTTP on loopback, real Redis, the gateway's database, the notices job as the
worker process runs it, and WeChat's API faked on loopback (tests/fakes/wechat_api.py)."""
from __future__ import annotations

import threading
import time

import pytest
import xmltodict
from wechatpy import parse_message

from bot.models import Message
from bot.notices.models import NoticeDelivery
from bot.notices.queue import NoticeQueue
from config.database import Session
from tests.fakes.wechat_api import FakeWeChatApi
from tests.integration.test_desk_console_api import KEY, _membership, desk_backend  # noqa: F401 (fixture)
from tests.integration.test_handoff_service import Worker, bearer, create_account, handoff_app  # noqa: F401
from unionkit.backend_client import UnionBackend

TEMPLATE = "tpl-status-1"


@pytest.fixture()
def wechat_api():
    fake = FakeWeChatApi(token_delay=0).start()
    yield fake
    fake.stop()


@pytest.fixture()
def stack(handoff_app, desk_backend, wechat_api, monkeypatch):
    """make(template=True|False) -> (app, backend_app, backend): a gateway with WeChat on the fake API."""
    backend_app, url = desk_backend

    def make(template: bool = False):
        if template:
            monkeypatch.setenv("WECHAT_TEMPLATE_STATUS", TEMPLATE)
        else:
            monkeypatch.delenv("WECHAT_TEMPLATE_STATUS", raising=False)
        app, _clock = handoff_app(backend_url=url, backend_api_key=KEY, wechat_token="wechat-test-token",
                                  wechat_app_id=wechat_api.app_id, wechat_app_secret=wechat_api.secret,
                                  wechat_api_base=wechat_api.base_url)
        # Quick retries, so a test sees several within a second.
        notices = app.extensions["notices"]
        notices.queue = NoticeQueue(app.extensions["redis"], base_backoff=0.05, max_backoff=0.2)
        return app, backend_app, UnionBackend(url, KEY)

    return make


def run_notices(app, until, timeout: float = 8.0):
    """The worker process's notices job, run until `until()` holds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with app.app_context():
            app.extensions["notices"].run_once()
            if until():
                return
        time.sleep(0.1)
    raise AssertionError("the notices never arrived")


def _approve(client, token, number, message=None):
    assert client.post(f"/api/console/records/{number}/assign", headers=bearer(token)).status_code == 200
    for status in ("reviewing", "approved"):
        resp = client.post(f"/api/console/records/{number}/status", headers=bearer(token),
                           json={"status": status, "message": message if status == "approved" else None})
        assert resp.status_code == 200, resp.get_json()


def _wechat_membership(backend, openid):
    body = {"name": "张伟", "id_number": "11010519900307123" + __import__("unionkit.pii").pii.id_number_checksum(
        "11010519900307123"), "phone": "13812345678", "employer": "顺丰速运有限公司", "channel": "wechat",
        "channel_user": f"wechat:{openid}"}
    return backend.create("/v1/membership-applications", body)["number"]


def test_web_worker_reads_each_step_then_rates_it_and_a_low_rating_opens_a_review(stack):
    app, _backend_app, backend = stack()
    li = create_account(app, "li")
    worker = Worker(app)
    number = _membership(backend, worker)
    _approve(app.test_client(), li, number, message="请到单位工会领取会员证")

    def bot_lines():
        return [m for m in worker.transcript() if m["role"] == "bot"]

    run_notices(app, lambda: len(bot_lines()) >= 3)
    review, approved, ask = [m for m in bot_lines()][-3:]
    assert number in review["text"] and "审核中" in review["text"]
    assert number in approved["text"] and "已通过" in approved["text"] and "请到单位工会领取会员证" in approved["text"]
    assert number in ask["text"] and [b["title"][0] for b in ask["buttons"]] == ["1", "2", "3", "4", "5"]

    solved = worker.say(payload=ask["buttons"][1]["payload"])  # 2分
    assert [b["title"] for b in solved[-1]["buttons"]] == ["是", "否"]
    comment = worker.say(payload=solved[-1]["buttons"][1]["payload"])  # 否
    prompt = worker.say(payload=comment[-1]["buttons"][0]["payload"])  # 写几句意见
    assert "意见" in prompt[-1]["text"]
    thanks = worker.say("会员证在哪领没说清楚")
    assert "回访" in thanks[-1]["text"]

    [rating] = backend.list("/v1/ratings", ref=number)
    assert (rating["score"], rating["resolved"], rating["comment"]) == (2, False, "会员证在哪领没说清楚")
    assert rating["officer"] == "li" and rating["team"] == "general"
    task = backend.get(f"/v1/records/{rating['review_number']}")
    assert task["kind"] == "review" and task["status"] == "pending" and task["team"] == "general"
    # The review task is on the desk for the team, and it is never told to the worker.
    desk = app.test_client().get("/api/console/records?kind=review", headers=bearer(li)).get_json()["items"]
    assert [r["number"] for r in desk] == [rating["review_number"]]

    # Ignoring a question costs nothing: the next message goes to Rasa as usual (down here).
    staff = create_account(app, "zhao", role="staff")
    figures = app.test_client().get("/api/admin/stats", headers=bearer(staff)).get_json()
    assert figures["csat"]["count"] == 1 and figures["csat"]["average"] == 2
    assert figures["csat"]["share_satisfied"] == 0 and figures["resolved_first_contact"] == 0
    assert figures["on_time_rate"]["membership"] == 1.0


def test_an_old_rating_button_or_another_chats_is_answered_kindly(stack):
    app, _b, _backend = stack()
    worker = Worker(app)
    reply = worker.say(payload="rating:ffffffffffff:score:5")
    assert "评价已经结束" in reply[-1]["text"]


def test_wechat_worker_gets_the_template_message_once_though_wechat_was_busy(stack, wechat_api):
    app, _b, backend = stack(template=True)
    li = create_account(app, "li")
    openid = "oNotice-template"
    number = _wechat_membership(backend, openid)
    wechat_api.busy_sends = 3  # WeChat says -1 three times first
    _approve(app.test_client(), li, number)
    run_notices(app, lambda: len(wechat_api.templates_to(openid)) >= 2)
    time.sleep(0.5)
    with app.app_context():
        app.extensions["notices"].run_once()
    sent = wechat_api.templates_to(openid)
    assert len(sent) == 2, sent  # reviewing, approved: each once
    assert all(t["template_id"] == TEMPLATE for t in sent)
    assert sent[-1]["data"]["keyword1"]["value"] == number and sent[-1]["data"]["keyword2"]["value"] == "已通过"
    assert wechat_api.template_attempts == 5

    # WeChat's report on the template message is recorded.
    msgid = sent[-1]["msgid"]
    xml = xmltodict.unparse({"xml": {"ToUserName": "gh_union_test", "FromUserName": openid,
                                     "CreateTime": str(int(time.time())), "MsgType": "event",
                                     "Event": "TEMPLATESENDJOBFINISH", "MsgID": str(msgid), "Status": "success"}},
                            full_document=False)
    with app.test_request_context():
        assert app.extensions["wechat"].handle(parse_message(xml), time.monotonic() + 4) == ""
        row = Session.query(NoticeDelivery).filter_by(wechat_msgid=str(msgid)).one()
        assert row.report == "success" and row.via == "template"


def test_without_a_template_a_customer_service_message_or_the_queue(stack, wechat_api):
    app, _b, backend = stack(template=False)
    li = create_account(app, "li")
    quota = app.extensions["wechat"].quota
    recent, away = "oNotice-recent", "oNotice-away"
    quota.user_wrote(recent)  # wrote within 48 hours; `away` did not
    numbers = {openid: _wechat_membership(backend, openid) for openid in (recent, away)}
    for number in numbers.values():
        _approve(app.test_client(), li, number)
    run_notices(app, lambda: len(wechat_api.messages_to(recent)) >= 3)
    pushed = wechat_api.messages_to(recent)
    assert numbers[recent] in pushed[1] and "已通过" in pushed[1]
    assert "回复数字即可选择" in pushed[2] and "1. 1分" in pushed[2]  # the rating, as numbered choices
    assert wechat_api.messages_to(away) == []
    queued = quota.queued(away)
    assert len(queued) >= 2 and numbers[away] in queued[1]  # waits for the worker's next message


def test_two_worker_processes_send_each_notice_once(stack, make_app):
    app, _b, backend = stack()
    other = make_app(database_url=app.config["SETTINGS"].database_url, backend_url=backend.base_url,
                     backend_api_key=KEY, rasa_url="http://127.0.0.1:9")
    li = create_account(app, "li")
    workers = [Worker(app) for _ in range(4)]
    numbers = [_membership(backend, w) for w in workers]
    for number in numbers:
        _approve(app.test_client(), li, number)
    stop = threading.Event()

    def run(a):
        while not stop.is_set():
            with a.app_context():
                a.extensions["notices"].run_once()

    threads = [threading.Thread(target=run, args=(a,)) for a in (app, other, app, other)]
    for t in threads:
        t.start()
    time.sleep(4)
    stop.set()
    for t in threads:
        t.join()
    with app.app_context():
        for worker, number in zip(workers, numbers):
            lines = [m.text for m in Session.query(Message).filter_by(conversation_id=worker.conversation_id,
                                                                      role="bot")]
            assert sum(number in t and "审核中" in t for t in lines) == 1, lines
            assert sum(number in t and "已通过" in t for t in lines) == 1, lines
            assert sum(number in t and "打个分" in t for t in lines) == 1, lines


def test_a_closed_chat_asks_for_a_rating_that_lands_in_the_statistics(stack):
    from tests.integration.test_handoff_service import open_handoff

    app, _b, backend = stack()
    li = create_account(app, "li", teams="legal")
    staff = create_account(app, "zhao", role="staff")
    worker = Worker(app)
    handoff = open_handoff(app, worker, team="legal")
    client = app.test_client()
    assert client.post(f"/api/console/handoffs/{handoff.id}/claim", headers=bearer(li)).status_code == 200
    assert client.post(f"/api/console/handoffs/{handoff.id}/close", headers=bearer(li)).status_code == 200
    ask = [m for m in worker.transcript() if m["role"] == "bot"][-1]
    assert "打个分" in ask["text"] and len(ask["buttons"]) == 5
    solved = worker.say(payload=ask["buttons"][4]["payload"])  # 5分
    done = worker.say(payload=solved[-1]["buttons"][0]["payload"])  # 是
    thanks = worker.say(payload=done[-1]["buttons"][1]["payload"])  # 不用了
    assert "谢谢您的评价" in thanks[-1]["text"]
    [rating] = backend.list("/v1/ratings", subject="chat")
    assert (rating["ref"], rating["score"], rating["resolved"]) == (f"handoff:{handoff.id}", 5, True)
    assert (rating["officer"], rating["team"], rating["review_number"]) == ("li", "legal", None)
    figures = client.get("/api/admin/stats", headers=bearer(staff)).get_json()
    assert figures["csat"] == {"average": 5, "count": 1, "share_satisfied": 1.0,
                               "distribution": {"1": 0, "2": 0, "3": 0, "4": 0, "5": 1}}
    assert figures["resolved_first_contact"] == 1.0
