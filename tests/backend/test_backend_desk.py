"""The case desk on the back end (SQLite and PostgreSQL): workflow and 409s, history, the event
feed's exact shape, the desk list (order, filters, search), the overdue flag, the statistics."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import update

from unionkit.pii import id_number_checksum

EVENT_KEYS = {"id", "number", "kind", "type", "action", "from", "to", "message", "actor", "at", "channel",
              "channel_user", "final", "team"}


def _membership(api, **over):
    first17 = "11010519900307123"
    body = {"name": "张三", "id_number": first17 + id_number_checksum(first17), "phone": "13812345678",
            "employer": "顺丰速运", "channel": "wechat", "channel_user": "wechat:oA"}
    body.update(over)
    resp = api.post("/v1/membership-applications", json=body)
    assert resp.status_code == 201, resp.get_json()
    return resp.get_json()


def _case(api, **over):
    body = {"type": "wage_arrears", "phone": "13912345678", "summary": "拖欠工资，电话13912345678",
            "channel": "web", "channel_user": "web:s1"}
    body.update(over)
    resp = api.post("/v1/cases", json=body)
    assert resp.status_code == 201, resp.get_json()
    return resp.get_json()


def _backdate(backend_app, number, **values):
    """Move a record's times into the past (what time passing would do)."""
    from backend.db import db
    from backend.records import find

    with backend_app.app_context():
        record = find(number)
        db().execute(update(type(record)).where(type(record).id == record.id).values(**values))
        db().commit()


def test_a_record_is_filed_with_its_due_time_team_and_first_entry(api):
    m = _membership(api)
    assert m["due_at"] and m["team"] == "general" and m["assignee"] is None and m["last_message"] is None
    assert m["overdue"] is False
    assert [h["action"] for h in m["history"]] == ["created"] and m["history"][0]["to"] == "submitted"
    c = _case(api, type="legal_aid")
    assert c["team"] == "legal"
    filed, due = (datetime.fromisoformat(c[k]) for k in ("created_at", "due_at"))
    assert timedelta(hours=4) <= due - filed  # 4 working hours, longer when office hours intervene


def test_status_moves_follow_the_table_and_a_rejection_needs_a_reason(api):
    number = _membership(api)["number"]
    resp = api.post(f"/v1/records/{number}/status", json={"status": "approved", "actor": "li"})
    assert resp.status_code == 409
    body = resp.get_json()
    assert body["error"] == "forbidden_transition" and body["allowed"] == ["reviewing"]
    assert "已提交" in body["message"] and "已通过" in body["message"]
    assert api.post(f"/v1/records/{number}/status", json={"status": "reviewing", "actor": "li"}).status_code == 200
    resp = api.post(f"/v1/records/{number}/status", json={"status": "rejected", "actor": "li"})
    assert resp.status_code == 400 and "message" in resp.get_json()["fields"]
    resp = api.post(f"/v1/records/{number}/status", json={"status": "rejected", "actor": "li",
                                                          "message": "单位不在本会服务范围，请联系所在区总工会"})
    assert resp.status_code == 200
    record = resp.get_json()
    assert record["status"] == "rejected" and record["resolved_at"] and record["first_action_at"]
    assert record["last_message"]["text"].startswith("单位不在")
    assert [(h["action"], h["from"], h["to"]) for h in record["history"]] == [
        ("created", None, "submitted"), ("status", "submitted", "reviewing"), ("status", "reviewing", "rejected")]
    again = api.post(f"/v1/records/{number}/status", json={"status": "reviewing"})
    assert again.status_code == 409 and again.get_json()["allowed"] == []
    bad = api.post(f"/v1/records/{number}/status", json={"status": "founded"})
    assert bad.status_code == 400 and "status" in bad.get_json()["fields"]
    assert api.post("/v1/records/RH20000101-ZZZZ/status", json={"status": "reviewing"}).status_code == 404


@pytest.mark.parametrize("path,body,moves", [
    ("/v1/cases", None, ["in_progress", "referred"]),
    ("/v1/union-founding-requests", {"company": "某厂", "employees": 50, "contact_name": "孙", "phone": "13712345678"},
     ["guiding", "founded"]),
    ("/v1/suggestions", {"text": "多开夜班车"}, ["answered"]),
])
def test_every_kind_walks_its_workflow(api, path, body, moves):
    created = _case(api) if body is None else api.post(path, json=body).get_json()
    number = created["number"]
    for status in moves:
        resp = api.post(f"/v1/records/{number}/status", json={"status": status, "message": "进展", "actor": "wang"})
        assert resp.status_code == 200, resp.get_json()
    assert api.get(f"/v1/records/{number}").get_json()["status"] == moves[-1]
    assert api.post(f"/v1/records/{number}/status", json={"status": moves[0]}).status_code == 409


def test_assign_note_and_message(api):
    number = _case(api)["number"]
    resp = api.post(f"/v1/records/{number}/assign", json={"assignee": "li", "actor": "li"})
    assert resp.status_code == 200 and resp.get_json()["assignee"] == "li"
    api.post(f"/v1/records/{number}/assign", json={"assignee": "wang", "actor": "li"})
    resp = api.post(f"/v1/records/{number}/notes", json={"text": "已电话联系用人单位", "actor": "wang"})
    assert resp.status_code == 201
    assert api.post(f"/v1/records/{number}/notes", json={"text": " "}).get_json()["fields"]["text"] == "请填写备注"
    resp = api.post(f"/v1/records/{number}/messages", json={"message": "我们已联系单位，请保持电话畅通", "actor": "wang"})
    record = resp.get_json()
    assert [(h["action"], h["from"], h["to"]) for h in record["history"][1:3]] == [
        ("assign", None, "li"), ("assign", "li", "wang")]
    assert [n["note"] for n in record["notes"]] == ["已电话联系用人单位"]
    assert record["last_message"]["text"] == "我们已联系单位，请保持电话畅通"
    # The per-kind GET shows the same desk fields
    same = api.get(f"/v1/cases/{number}").get_json()
    assert same["assignee"] == "wang" and same["last_message"] == record["last_message"] and same["history"]


def test_the_event_feed_has_exactly_its_shape_and_pages_by_id(api):
    m = _membership(api)["number"]
    c = _case(api, type="work_injury")["number"]
    api.post(f"/v1/records/{m}/status", json={"status": "reviewing", "actor": "li", "message": "正在审核"})
    api.post(f"/v1/records/{c}/notes", json={"text": "内部：先核实", "actor": "li"})
    items = api.get("/v1/events?after=0&limit=500").get_json()["items"]
    assert all(set(i) == EVENT_KEYS for i in items)
    assert [i["id"] for i in items] == sorted(i["id"] for i in items) and len({i["id"] for i in items}) == 4
    assert [(i["number"], i["kind"], i["type"], i["action"]) for i in items] == [
        (m, "membership", None, "created"), (c, "case", "work_injury", "created"),
        (m, "membership", None, "status"), (c, "case", "work_injury", "note")]
    status = items[2]
    assert (status["from"], status["to"], status["message"], status["actor"]) == ("submitted", "reviewing", "正在审核", "li")
    assert (status["channel"], status["channel_user"]) == ("wechat", "wechat:oA")
    assert datetime.fromisoformat(status["at"]).tzinfo is not None
    assert items[3]["message"] is None  # a note never reaches the worker
    after = api.get(f"/v1/events?after={items[1]['id']}&limit=1").get_json()["items"]
    assert [i["id"] for i in after] == [items[2]["id"]]
    for bad in ("after=x", "limit=0", "limit=501"):
        assert api.get("/v1/events?" + bad).status_code == 400


def test_the_desk_list_orders_filters_and_searches(api, backend_app):
    late = _case(api, phone="13600001111")["number"]
    soon = _membership(api)["number"]
    done = _case(api, type="legal_aid", phone="13700002222")["number"]
    now = datetime.now(timezone.utc)
    _backdate(backend_app, late, due_at=now - timedelta(hours=1))
    _backdate(backend_app, soon, due_at=now + timedelta(hours=1))
    api.post(f"/v1/records/{done}/status", json={"status": "in_progress"})
    api.post(f"/v1/records/{done}/status", json={"status": "resolved", "message": "已办结"})

    items = api.get("/v1/records").get_json()["items"]
    assert [i["number"] for i in items] == [late, soon, done]  # overdue, then due soon, then finished
    assert items[0]["overdue"] is True and items[1]["overdue"] is False and items[2]["overdue"] is False
    assert items[0]["phone"] == "136****1111" and "139****5678" in items[0]["summary"]
    assert items[1]["id_number"].count("*") == 11 and items[1]["summary"] == "张三 · 顺丰速运"

    def numbers(query):
        resp = api.get("/v1/records?" + query)
        assert resp.status_code == 200, resp.get_json()
        return [i["number"] for i in resp.get_json()["items"]]

    assert numbers("overdue=1") == [late]
    assert numbers("kind=membership") == [soon]
    assert numbers("type=legal_aid") == [done]
    assert numbers("status=resolved,open") == [late, done]
    assert numbers("q=136****1111") == [late]
    assert numbers("q=13700002222") == [done]
    assert numbers("q=2222") == [done]
    assert numbers("q=" + soon.lower()) == [soon]
    assert numbers("team=legal") == [late, done]
    assert numbers("priority=urgent") == []
    assert numbers("priority=normal") == [late, soon, done]  # records without a priority count as normal
    assert numbers("due=today")[:1] == [late]
    api.post(f"/v1/records/{late}/assign", json={"assignee": "li"})
    assert numbers("assignee=li") == [late] and late not in numbers("assignee=none")
    assert numbers("limit=1&offset=1") == [soon]
    assert api.get("/v1/records?kind=bogus").status_code == 400
    assert api.get(f"/v1/records/{soon}").get_json()["id_number"].count("*") == 0  # the full view


def test_an_overdue_record_is_flagged_once(api, backend_app):
    late = _case(api)["number"]
    _case(api)  # not due yet
    _backdate(backend_app, late, due_at=datetime.now(timezone.utc) - timedelta(minutes=5))
    first = api.post("/v1/records/flag-overdue", json={}).get_json()["items"]
    assert [(i["number"], i["team"], i["kind"]) for i in first] == [(late, "legal", "case")]
    assert api.post("/v1/records/flag-overdue", json={}).get_json()["items"] == []
    assert api.get(f"/v1/records/{late}").get_json()["overdue_flagged"] is True


def test_desk_statistics(api, backend_app):
    kept = _case(api)["number"]
    missed = _case(api)["number"]
    _case(api)  # neither finished nor due: not counted
    for number in (kept, missed):
        api.post(f"/v1/records/{number}/status", json={"status": "in_progress", "actor": "li"})
        api.post(f"/v1/records/{number}/status", json={"status": "resolved", "actor": "li"})
    _backdate(backend_app, missed, due_at=datetime.now(timezone.utc) - timedelta(days=1))
    stats = api.get("/v1/stats/desk").get_json()
    assert stats["on_time_rate"]["case"] == 0.5 and stats["on_time_rate"]["membership"] is None
    assert stats["on_time_rate"]["all"] == 0.5
    assert stats["counts"]["case"] == {"filed": 3, "counted": 2, "on_time": 1}
    assert stats["median_first_action_seconds"] >= 0 and stats["median_resolution_seconds"] >= 0
    assert api.get("/v1/stats/desk?from=2999-01-01").get_json()["counts"]["case"]["filed"] == 0
    assert api.get("/v1/stats/desk?from=yesterday").status_code == 400


def test_enrollments_move_and_attended_ones_keep_their_seat(api):
    course = api.post("/v1/courses", json={"title": "电工", "starts_on": "2030-01-01", "seats": 1}).get_json()
    first = api.post(f"/v1/courses/{course['id']}/enrollments", json={"name": "甲", "phone": "13800000001"}).get_json()
    assert first["status"] == "enrolled" and first["kind"] == "enrollment"
    assert api.post(f"/v1/records/{first['number']}/status", json={"status": "attended"}).status_code == 200
    full = api.post(f"/v1/courses/{course['id']}/enrollments", json={"name": "乙", "phone": "13800000002"})
    assert full.status_code == 409
    assert "电工" in api.get("/v1/records?kind=enrollment").get_json()["items"][0]["summary"]
