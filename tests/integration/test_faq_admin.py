"""The staff FAQ area through the Flask app on a real Redis and database: API roles and
validation, pages with CSRF, "try it", history and restore, import with bad rows, unanswered
questions from answer_from_faq's payloads and thumbs-down, the two-click actions, statistics."""
from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.faq import answer_from_faq
from bot import transcript
from bot.faq.models import FaqEntry, FaqLookup, UnansweredQuestion
from bot.handoff.models import Handoff
from bot.models import Message, utcnow
from config.database import Session
from tests.integration.test_accounts import create, csrf_from


@pytest.fixture()
def app(make_app):
    app = make_app()
    app.config["WTF_CSRF_ENABLED"] = True
    return app


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def logged_in(app, name="zhao", role="staff"):
    create(app, name, role=role)
    client = app.test_client()
    token = csrf_from(client.get("/login").get_data(as_text=True))
    assert client.post("/login", data={"name": name, "password": "s3cret-pass", "csrf_token": token}).status_code == 302
    return client


def page_csrf(client, path: str) -> str:
    return re.search(r'name="csrf-token" content="([^"]+)"', client.get(path).get_data(as_text=True)).group(1)


def ask(app, text: str, sender: str = "web:abc", entities: list | None = None):
    """answer_from_faq as the action server runs it (a real rasa_sdk tracker and dispatcher, the FAQ
    connector reading what the gateway published to Redis), then the gateway acting on the answer's
    payloads as it does on Rasa's. Returns (found, the messages the worker is shown)."""
    from actions import connectors
    from bot.faq.live_index import publish_if_missing
    from bot.rasa_client import BotReply
    from unionkit import texts
    from unionkit.faq.live import LiveIndex

    with app.app_context():
        publish_if_missing()  # as the gateway does at start (and after every change)
    connectors.use(connectors.Connectors(backend=None, outbox=None, faq=LiveIndex(app.extensions["redis"])))
    tracker = Tracker(sender, {}, {"text": text, "intent": {"name": "faq"}, "entities": entities or []},
                      [], False, None, {}, "action_listen")
    dispatcher = CollectingDispatcher()
    try:
        found = answer_from_faq(dispatcher, tracker)
    finally:
        connectors.use(None)
    shown = []
    with app.test_request_context():
        for message in dispatcher.messages:
            if message.get("custom"):
                app.extensions["conversations"]._act_on_payloads(sender, text, [BotReply(custom=message["custom"])])
            else:
                shown.append({"text": texts.text(message["response"]) if message.get("response") else message["text"],
                              "buttons": message.get("buttons") or []})
    return found, shown


def test_api_needs_a_staff_token_and_validates(app):
    client = app.test_client()
    officer, staff = create(app, "wang", role="officer"), create(app, "zhao", role="staff")
    assert client.get("/api/admin/faqs").status_code == 401
    assert client.get("/api/admin/faqs", headers=bearer(officer)).status_code == 403
    listed = client.get("/api/admin/faqs", headers=bearer(staff)).get_json()
    assert len(listed) >= 40 and set(listed[0]) >= {"id", "question", "variants", "answer", "category", "enabled"}

    bad = client.post("/api/admin/faqs", headers=bearer(staff), json={"question": "", "answer": "x" * 501})
    assert bad.status_code == 400 and bad.get_json()["fields"] == {"question": "required", "answer": "too_long"}
    assert client.post("/api/admin/faqs", headers=bearer(staff), data="[]",
                       content_type="application/json").status_code == 400

    made = client.post("/api/admin/faqs", headers=bearer(staff), json={
        "question": "工会食堂几点开饭", "variants": ["饭堂几点开"], "answer": "11:30 开饭。", "category": "生活"})
    assert made.status_code == 201
    entry = made.get_json()
    assert (entry["variants"], entry["enabled"]) == (["饭堂几点开"], True)
    put = client.put(f"/api/admin/faqs/{entry['id']}", headers=bearer(staff), json={"enabled": False})
    assert put.status_code == 200 and put.get_json()["enabled"] is False
    assert client.get(f"/api/admin/faqs/{entry['id']}", headers=bearer(staff)).get_json()["answer"] == "11:30 开饭。"
    assert client.get("/api/admin/faqs?category=生活", headers=bearer(staff)).get_json()[0]["id"] == entry["id"]
    versions = client.get(f"/api/admin/faqs/{entry['id']}/versions", headers=bearer(staff)).get_json()
    assert [v["action"] for v in versions] == ["disable", "create"]
    assert client.delete(f"/api/admin/faqs/{entry['id']}", headers=bearer(staff)).status_code == 204
    assert client.get(f"/api/admin/faqs/{entry['id']}", headers=bearer(staff)).status_code == 404
    assert client.put("/api/admin/faqs/99999", headers=bearer(staff), json={}).status_code == 404


def test_api_export_and_an_import_with_bad_rows(app):
    client = app.test_client()
    staff = create(app, "zhao", role="staff")
    exported = client.get("/api/admin/faqs/export?format=xlsx", headers=bearer(staff))
    assert exported.status_code == 200 and exported.data.startswith(b"PK")
    assert "attachment" in exported.headers["Content-Disposition"]
    csv_text = client.get("/api/admin/faqs/export?format=csv", headers=bearer(staff)).data.decode("utf-8-sig")
    assert csv_text.startswith("question,similar_questions,answer,category,enabled")
    assert client.get("/api/admin/faqs/export?format=pdf", headers=bearer(staff)).status_code == 400

    before = client.get("/api/admin/faqs", headers=bearer(staff)).get_json()
    bad = "question,similar_questions,answer,category,enabled\n新问题一,,答案一,,1\n,,没有问题,,1\n新问题三,,,,1\n"
    resp = client.post("/api/admin/faqs/import", headers=bearer(staff),
                       data={"file": (io.BytesIO(bad.encode()), "faq.csv")}, content_type="multipart/form-data")
    assert resp.status_code == 400
    assert resp.get_json()["problems"] == [{"row": 3, "field": "question", "code": "required"},
                                           {"row": 4, "field": "answer", "code": "required"}]
    assert client.get("/api/admin/faqs", headers=bearer(staff)).get_json() == before

    good = client.post("/api/admin/faqs/import?filename=faq.csv", headers=bearer(staff),
                       data=bad.splitlines()[0] + "\n新问题一,,答案一,,1\n", content_type="text/csv")
    assert good.status_code == 200 and good.get_json() == {"created": 1, "updated": 0, "rows": 1}


def test_pages_need_login_and_the_staff_role(app):
    client = app.test_client()
    assert client.get("/admin").status_code == 302
    officer = logged_in(app, "wang", role="officer")
    assert officer.get("/admin").status_code == 403
    staff = logged_in(app, "zhao")
    page = staff.get("/admin").get_data(as_text=True)
    assert "问答库" in page and "工会会费怎么算" in page


def test_create_edit_disable_delete_and_restore_from_the_pages(app):
    client = logged_in(app)
    token = page_csrf(client, "/admin/faqs/new")
    fields = {"question": "工会食堂几点开饭", "variants": "饭堂几点开\n食堂营业时间", "answer": "11:30 开饭。",
              "category": "生活", "enabled": "on"}
    assert client.post("/admin/faqs/new", data=fields).status_code == 400  # no CSRF token
    missing = client.post("/admin/faqs/new", data=dict(fields, answer="", csrf_token=token))
    assert missing.status_code == 200 and "答案：必填" in missing.get_data(as_text=True)
    assert client.post("/admin/faqs/new", data=dict(fields, csrf_token=token)).status_code == 302
    with app.app_context():
        entry_id = Session.query(FaqEntry).filter_by(question="工会食堂几点开饭").one().id

    tried = client.get("/admin?try=饭堂几点开").get_data(as_text=True)
    assert "会直接回答" in tried and "工会食堂几点开饭" in tried and re.search(r'class="score">\d\.\d{3}<', tried)

    edit = dict(fields, answer="11:00 开饭。", csrf_token=token)
    assert client.post(f"/admin/faqs/{entry_id}/edit", data=edit).status_code == 302
    assert client.post(f"/admin/faqs/{entry_id}/toggle", data={"csrf_token": token}).status_code == 302
    with app.app_context():
        entry = Session.get(FaqEntry, entry_id)
        assert (entry.answer, entry.enabled, entry.updated_by) == ("11:00 开饭。", False, "zhao")
    listed = client.get("/admin?status=off").get_data(as_text=True)
    assert "工会食堂几点开饭" in listed and "工会会费怎么算" not in listed

    assert client.post(f"/admin/faqs/{entry_id}/delete", data={"csrf_token": token}).status_code == 302
    assert "已删除的问答" in client.get("/admin").get_data(as_text=True)
    history = client.get(f"/admin/faqs/{entry_id}/history").get_data(as_text=True)
    assert "已被删除" in history
    first = re.search(r'data-version="1">.*?action="([^"]+/restore)"', history, re.S).group(1)
    assert client.post(first, data={"csrf_token": token}).status_code == 302
    with app.app_context():
        entry = Session.get(FaqEntry, entry_id)
        assert (entry.answer, entry.enabled) == ("11:30 开饭。", True)


def test_page_import_reports_rows_and_changes_nothing(app):
    client = logged_in(app)
    token = page_csrf(client, "/admin/transfer")
    with app.app_context():
        before = Session.query(FaqEntry).count()
    bad = "question,answer\n新问题,新答案\n另一个问题,\n"
    page = client.post("/admin/transfer", data={"csrf_token": token, "file": (io.BytesIO(bad.encode()), "f.csv")},
                       content_type="multipart/form-data").get_data(as_text=True)
    assert "第 3 行，答案：必填" in page and "什么都没有改" in page
    with app.app_context():
        assert Session.query(FaqEntry).count() == before


def test_unmatched_questions_are_grouped_and_become_an_entry_in_two_clicks(app):
    for text, times in (("食堂的饭菜太咸了", 3), ("饭菜太咸了", 2), ("食堂饭菜咸了", 1), ("公租房摇号结果", 2)):
        for n in range(times):
            found, said = ask(app, text, sender=f"web:w{n}")
            assert not found and said == []
    found, said = ask(app, "会费一个月交多少钱")
    assert found and "0.5%" in said[0]["text"]
    with app.app_context():
        assert Session.query(UnansweredQuestion).count() == 8
        assert {lk.outcome for lk in Session.query(FaqLookup)} == {"missed", "answered"}

    client = logged_in(app)
    groups = client.get("/api/admin/unanswered", headers={}).get_json()
    assert [(g["question"], g["count"]) for g in groups] == [("食堂的饭菜太咸了", 6), ("公租房摇号结果", 2)]
    page = client.get("/admin/unanswered").get_data(as_text=True)
    assert page.index("食堂的饭菜太咸了") < page.index("公租房摇号结果")

    # Click 1: "用这组新建问答" opens the form with the group's questions filled in.
    link = re.search(r'href="(/admin/faqs/new\?from_unanswered=[^"]+)"', page).group(1).replace("&amp;", "&")
    form = client.get(link).get_data(as_text=True)
    assert 'value="食堂的饭菜太咸了"' in form and "食堂饭菜咸了" in form
    ids = re.findall(r'name="unanswered_ids" value="(\d+)"', form)
    assert len(ids) == 6
    # Click 2: save (after writing the answer).
    token = page_csrf(client, "/admin")
    saved = client.post("/admin/faqs/new", data={"csrf_token": token, "question": "食堂的饭菜太咸了",
                                                 "variants": "饭菜太咸了\n食堂饭菜咸了", "answer": "已转告食堂。",
                                                 "category": "生活", "enabled": "on", "unanswered_ids": ids})
    assert saved.status_code == 302
    assert [g["question"] for g in client.get("/api/admin/unanswered").get_json()] == ["公租房摇号结果"]
    found, said = ask(app, "食堂饭菜咸了")
    assert found and said[0]["text"] == "已转告食堂。"

    # The other group becomes phrasings of an existing entry in one click.
    page = client.get("/admin/unanswered").get_data(as_text=True)
    form_ids = re.findall(r'name="ids" value="(\d+)"', page)
    with app.app_context():
        target = Session.query(FaqEntry).filter_by(question="困难职工怎么申请帮扶？").one()
    assert client.post("/admin/unanswered/phrasings", data={"csrf_token": token, "ids": form_ids,
                                                            "entry_id": target.id}).status_code == 302
    with app.app_context():
        assert "公租房摇号结果" in Session.get(FaqEntry, target.id).variants
    assert "目前没有没答上的问题" in client.get("/admin/unanswered").get_data(as_text=True)


def test_suggestions_are_buttons_that_answer_the_picked_entry(app):
    found, said = ask(app, "会员")
    assert found and len(said) == 1 and 2 <= len(said[0]["buttons"]) <= 3
    assert "您是不是想问" in said[0]["text"]
    payload = said[0]["buttons"][0]["payload"]
    entry_id = re.fullmatch(r'/faq\{"faq_id": "(\d+)"\}', payload).group(1)
    found, said = ask(app, payload, entities=[{"entity": "faq_id", "value": entry_id}])
    with app.app_context():
        assert found and said[0]["text"] == Session.get(FaqEntry, int(entry_id)).answer
    # Staff took the entry offline meanwhile: the worker is told, not given the old answer.
    client = app.test_client()
    staff = create(app, "zhao", role="staff")
    client.put(f"/api/admin/faqs/{entry_id}", headers=bearer(staff), json={"enabled": False})
    found, said = ask(app, payload, entities=[{"entity": "faq_id", "value": entry_id}])
    assert found and "下线" in said[0]["text"]


def test_thumbs_down_records_the_question_it_answered(app):
    client = app.test_client()
    chat = client.post("/api/chat/sessions").get_json()
    other = client.post("/api/chat/sessions").get_json()
    cid = f"web:{chat['session_id']}"
    with app.app_context():
        transcript.add(cid, "user", "工地上的厕所谁来管")
        reply = transcript.add(cid, "bot", "抱歉，我没太明白您的意思。").id
    body = {"session_id": chat["session_id"], "message_id": reply}
    assert client.post("/api/chat/feedback", json=body).status_code == 401
    assert client.post("/api/chat/feedback", json=body, headers=bearer(other["token"])).status_code == 403
    assert client.post("/api/chat/feedback", json=dict(body, session_id=other["session_id"]),
                       headers=bearer(other["token"])).status_code == 404  # not that session's message
    assert client.post("/api/chat/feedback", json=dict(body, message_id="1"),
                       headers=bearer(chat["token"])).status_code == 400
    for _ in range(2):
        assert client.post("/api/chat/feedback", json=body, headers=bearer(chat["token"])).get_json() == {
            "recorded": True}
    with app.app_context():
        [row] = Session.query(UnansweredQuestion).all()
        assert (row.text, row.source, row.message_id) == ("工地上的厕所谁来管", "thumbs_down", reply)


def test_stats_over_a_date_range(make_app, database_url):
    app = make_app(database_url=database_url, rasa_url="http://127.0.0.1:9")  # nothing answers there
    app.config["WTF_CSRF_ENABLED"] = True
    today = utcnow().replace(hour=10)
    with app.app_context():
        def say(cid, intent, days_ago=0):
            Session.add(Message(conversation_id=cid, role="user", text="x", intent=intent,
                                ts=today - dt.timedelta(days=days_ago)))
        for intent in ("faq", "faq", "nlu_fallback", "join_union"):
            say("web:a", intent)
        say("web:b", "request_human", days_ago=1)
        say("web:c", "faq", days_ago=30)  # outside the range
        say("web:d", None, days_ago=1)  # not labelled yet, and Rasa does not answer: stays unlabelled
        Session.add(Handoff(conversation_id="web:b", channel="web", user="b", reason="request_human",
                            created_at=today - dt.timedelta(days=1), queued_at=today - dt.timedelta(days=1)))
        for outcome in ("answered", "answered", "answered", "missed"):
            Session.add(FaqLookup(conversation_id="web:a", outcome=outcome, ts=today))
        Session.commit()
    client = logged_in(app)
    first = (today - dt.timedelta(days=6)).date().isoformat()
    figures = client.get(f"/api/admin/stats?from={first}&to={today.date().isoformat()}").get_json()
    assert figures["user_messages"] == 6 and figures["conversations"] == 3
    assert figures["messages_per_day"][-1] == {"day": today.date().isoformat(), "count": 4}
    assert len(figures["messages_per_day"]) == 7
    assert figures["top_intents"][0] == {"intent": "faq", "count": 2}
    assert (figures["handoff_rate"], figures["fallback_rate"], figures["faq_hit_rate"]) == (0.3333, 0.2, 0.75)
    assert figures["labelled_now"] == 0
    with app.app_context():
        assert Session.query(Message).filter_by(conversation_id="web:d").one().intent is None
    page = client.get(f"/admin/stats?from={first}").get_data(as_text=True)
    assert "vendor/chart.umd.min.js" in page and 'id="chart-days"' in page and "75.0%" in page
    assert client.get("/static/vendor/chart.umd.min.js").status_code == 200
