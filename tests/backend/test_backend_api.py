"""The back end's REST API, every test on SQLite and on PostgreSQL (`database_url`)."""
from __future__ import annotations

import re

import pytest

from unionkit.pii import id_number_checksum

NUMBER = re.compile(r"^[A-Z]{2}\d{8}-[A-Z0-9]{4,8}$")


def id_number(first17: str = "11010519900307123") -> str:
    return first17 + id_number_checksum(first17)


def membership(**overrides):
    body = {"name": "张三", "id_number": id_number(), "phone": "13812345678", "employer": "顺丰速运（北京）有限公司",
            "industry": "快递物流", "channel": "web", "channel_user": "web:s1"}
    body.update(overrides)
    return body


def case(**overrides):
    body = {"type": "wage_arrears", "priority": "normal", "phone": "13912345678", "name": "李四",
            "summary": "工地拖欠三个月工资共2.4万元",
            "details": {"employer": "某建筑劳务公司", "amount": 24000, "months": 3, "contact": "13912345678"},
            "channel": "wechat", "channel_user": "wechat:oABC123"}
    body.update(overrides)
    return body


# ----------------------------------------------------------------------------- auth and bodies
@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer wrong"}, {"Authorization": "test-backend-key"},
                                     {"Authorization": "Basic test-backend-key"}])
@pytest.mark.parametrize("method,path", [("get", "/v1/cases"), ("post", "/v1/cases"), ("get", "/v1/courses"),
                                         ("get", "/v1/membership-applications/RH20261123-AAAA"),
                                         ("post", "/v1/courses/1/enrollments"), ("get", "/v1/suggestions")])
def test_requests_without_the_key_get_401(backend_app, headers, method, path):
    client = backend_app.test_client()
    resp = getattr(client, method)("/union-api" + path, headers=headers, json={})
    assert resp.status_code == 401
    assert resp.get_json() == {"error": "unauthorized"}
    assert resp.headers["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize("key", ["", "dev-backend-key"])
def test_no_start_without_a_key_of_its_own(database_url, backend_app_factory, key):
    from config.secret_check import InsecureSettings

    with pytest.raises(InsecureSettings, match="BACKEND_API_KEY"):
        backend_app_factory(database_url, api_key=key)


@pytest.mark.parametrize("data", ["not json", "[1, 2]", '"text"', ""])
def test_non_json_body_is_400(api, data):
    resp = api.post("/v1/cases", data=data, content_type="application/json")
    assert resp.status_code == 400
    assert resp.get_json()["error"] == "invalid_json"


def test_json_is_utf8_not_escaped(api):
    resp = api.post("/v1/membership-applications", json=membership())
    assert resp.headers["Content-Type"].startswith("application/json")
    assert "张三".encode() in resp.data


# ----------------------------------------------------------------------------- membership
def test_membership_create_and_get(api):
    resp = api.post("/v1/membership-applications", json=membership(id_number=id_number()[:-1] + id_number()[-1].lower()))
    assert resp.status_code == 201, resp.get_json()
    created = resp.get_json()
    assert NUMBER.match(created["number"]) and created["number"].startswith("RH")
    assert created["status"] == "submitted"
    assert created["id_number"] == id_number()
    assert resp.headers["Location"].endswith("/union-api/v1/membership-applications/" + created["number"])

    got = api.get("/v1/membership-applications/" + created["number"])
    assert got.status_code == 200
    body = got.get_json()
    assert body["id_number"] == id_number() and body["phone"] == "13812345678"  # full values
    assert body["name"] == "张三" and body["employer"] == "顺丰速运（北京）有限公司"
    assert body["channel_user"] == "web:s1" and body["created_at"].endswith("+00:00")

    assert api.get("/v1/membership-applications/RH20000101-ZZZZ").status_code == 404
    # a number typed in lower case is found too
    assert api.get("/v1/membership-applications/" + created["number"].lower()).status_code == 200


def test_membership_validation_messages(api):
    resp = api.post("/v1/membership-applications", json={"name": " ", "id_number": "110105194912310021",
                                                          "phone": "12345", "industry": 5})
    assert resp.status_code == 400
    body = resp.get_json()
    assert body["error"] == "invalid"
    fields = body["fields"]
    assert set(fields) == {"name", "id_number", "phone", "employer", "industry"}
    assert "姓名" in fields["name"] and "校验位" in fields["id_number"]
    assert "手机号" in fields["phone"] and "工作单位" in fields["employer"]
    assert api.get("/v1/membership-applications").get_json() == {"items": []}


@pytest.mark.parametrize("bad,fragment", [("1101051990030712", "18位"), ("110105199013071234", "出生日期"),
                                          ("11010519900307123A", "格式")])
def test_membership_id_number_checks(api, bad, fragment):
    resp = api.post("/v1/membership-applications", json=membership(id_number=bad))
    assert resp.status_code == 400
    assert fragment in resp.get_json()["fields"]["id_number"]


def test_membership_review_approve_and_the_forbidden_moves(api):
    """PATCH {"status"} follows the desk's workflow: submitted -> reviewing -> approved | rejected."""
    number = api.post("/v1/membership-applications", json=membership()).get_json()["number"]
    resp = api.patch(f"/v1/membership-applications/{number}", json={"status": "approved"})
    assert resp.status_code == 409 and resp.get_json()["error"] == "forbidden_transition"
    assert "审核中" in resp.get_json()["message"] and resp.get_json()["allowed"] == ["reviewing"]
    assert api.patch(f"/v1/membership-applications/{number}", json={"status": "reviewing"}).status_code == 200
    resp = api.patch(f"/v1/membership-applications/{number}", json={"status": "approved"})
    assert resp.status_code == 200 and resp.get_json()["status"] == "approved"
    assert api.get(f"/v1/membership-applications/{number}").get_json()["status"] == "approved"
    resp = api.patch(f"/v1/membership-applications/{number}", json={"status": "rejected"})
    assert resp.status_code == 409 and "已办结" in resp.get_json()["message"]
    resp = api.patch(f"/v1/membership-applications/{number}", json={"status": "maybe"})
    assert resp.status_code == 400 and "status" in resp.get_json()["fields"]
    assert api.patch("/v1/membership-applications/RH20000101-ZZZZ", json={"status": "approved"}).status_code == 404


def test_membership_filters_and_masking(api):
    a = api.post("/v1/membership-applications", json=membership()).get_json()["number"]
    other_id = id_number("32010219851120123")
    b = api.post("/v1/membership-applications",
                 json=membership(name="王五", id_number=other_id, phone="13687654321", channel_user="wechat:o2")
                 ).get_json()["number"]
    api.patch(f"/v1/membership-applications/{b}", json={"status": "reviewing"})
    api.patch(f"/v1/membership-applications/{b}", json={"status": "approved"})

    items = api.get("/v1/membership-applications").get_json()["items"]
    assert [i["number"] for i in items] == [b, a]  # newest first
    first = items[1]
    assert first["id_number"] == id_number()[:3] + "*" * 11 + id_number()[-4:]
    assert first["phone"] == "138****5678"

    def numbers(query):
        return [i["number"] for i in api.get("/v1/membership-applications" + query).get_json()["items"]]

    assert numbers("?phone=13687654321") == [b]
    assert numbers("?phone=%2B86%20136%208765%204321") == [b]  # normalised like the input
    assert numbers(f"?id_number={other_id.lower()}") == [b]
    assert numbers("?channel_user=web:s1") == [a]
    assert numbers("?status=approved") == [b]
    assert numbers("?status=submitted&phone=13812345678") == [a]
    assert numbers("?phone=13000000000") == []
    assert numbers("?limit=1") == [b]
    assert numbers("?limit=1&offset=1") == [a]
    assert api.get("/v1/membership-applications?limit=0").status_code == 400


def test_client_number_makes_submission_idempotent(api):
    number = "RH20261123-7KQ3"
    first = api.post("/v1/membership-applications", json=membership(number=number))
    assert first.status_code == 201 and first.get_json()["number"] == number
    again = api.post("/v1/membership-applications", json=membership(number=number, name="改了名字"))
    assert again.status_code == 200
    assert again.get_json()["name"] == "张三"  # the stored record, not a new one
    assert len(api.get("/v1/membership-applications").get_json()["items"]) == 1

    bad = api.post("/v1/membership-applications", json=membership(number="RH-1"))
    assert bad.status_code == 400 and "number" in bad.get_json()["fields"]


@pytest.mark.parametrize("path,body", [
    ("/v1/cases", case()),
    ("/v1/union-founding-requests", {"company": "某物流公司", "employees": 60, "contact_name": "赵六",
                                     "phone": "13712345678"}),
    ("/v1/suggestions", {"text": "建议食堂延长晚餐时间"}),
])
def test_idempotent_number_for_every_kind(api, path, body):
    number = "AB20261123-XYZ9"
    assert api.post(path, json={**body, "number": number}).status_code == 201
    again = api.post(path, json={**body, "number": number})
    assert again.status_code == 200 and again.get_json()["number"] == number
    assert len(api.get(path).get_json()["items"]) == 1


# ----------------------------------------------------------------------------- cases
def test_case_create_get_and_list(api):
    resp = api.post("/v1/cases", json=case())
    assert resp.status_code == 201, resp.get_json()
    created = resp.get_json()
    assert created["number"].startswith("WQ") and created["status"] == "open"
    full = api.get("/v1/cases/" + created["number"]).get_json()
    assert full["details"] == case()["details"] and full["phone"] == "13912345678"
    assert full["summary"] == "工地拖欠三个月工资共2.4万元"

    listed = api.get("/v1/cases").get_json()["items"][0]
    assert listed["phone"] == "139****5678"
    assert listed["details"]["contact"] == "139****5678"  # PII inside the form data is masked too
    assert listed["details"]["amount"] == 24000

    resp = api.patch("/v1/cases/" + created["number"], json={"status": "in_progress"})
    assert resp.get_json()["status"] == "in_progress"


def test_case_defaults_and_validation(api):
    resp = api.post("/v1/cases", json={"type": "legal_aid", "phone": "13912345678"})
    assert resp.status_code == 201
    body = resp.get_json()
    assert body["priority"] == "normal" and body["name"] is None and body["summary"] == "" and body["details"] is None

    resp = api.post("/v1/cases", json={"type": "robbery", "priority": "asap", "phone": "139", "details": [1]})
    assert resp.status_code == 400
    fields = resp.get_json()["fields"]
    assert set(fields) == {"type", "priority", "phone", "details"}
    assert "诉求类型" in fields["type"] and "紧急程度" in fields["priority"]
    resp = api.post("/v1/cases", json={})
    assert set(resp.get_json()["fields"]) == {"type", "phone"}


def test_case_filters(api):
    a = api.post("/v1/cases", json=case()).get_json()["number"]
    b = api.post("/v1/cases", json=case(type="work_injury", priority="urgent", phone="13612345678",
                                        channel_user="web:s9")).get_json()["number"]
    c = api.post("/v1/cases", json=case(type="medical_mutual_aid")).get_json()["number"]

    def numbers(query):
        return [i["number"] for i in api.get("/v1/cases" + query).get_json()["items"]]

    assert numbers("") == [c, b, a]
    assert numbers("?type=work_injury") == [b]
    assert numbers("?priority=urgent") == [b]
    assert numbers("?phone=13912345678") == [c, a]
    assert numbers("?channel_user=wechat:oABC123&type=wage_arrears") == [a]
    assert numbers("?status=open") == [c, b, a]
    assert numbers("?status=closed") == []


# ----------------------------------------------------------------------------- courses, enrollments
def _new_course(api, seats=2, **overrides):
    body = {"title": "叉车司机培训", "description": "理论+实操", "starts_on": "2030-03-01", "ends_on": "2030-03-10",
            "location": "市职工培训基地", "seats": seats}
    body.update(overrides)
    resp = api.post("/v1/courses", json=body)
    assert resp.status_code == 201, resp.get_json()
    return resp.get_json()


def test_seeded_courses(api):
    items = api.get("/v1/courses").get_json()["items"]
    assert len(items) >= 4
    titles = " ".join(i["title"] for i in items)
    for word in ("电工", "育婴师", "安全驾驶", "电脑"):
        assert word in titles
    for item in items:
        assert item["seats_left"] == item["seats"] > 0
        assert item["starts_on"] >= __import__("datetime").date.today().isoformat()


def test_course_create_and_validation(api):
    course = _new_course(api, seats=3)
    assert course["seats_left"] == 3 and course["title"] == "叉车司机培训"
    assert api.get(f"/v1/courses/{course['id']}").get_json()["seats_left"] == 3
    assert api.get("/v1/courses/999999").status_code == 404
    resp = api.post("/v1/courses", json={"title": "", "starts_on": "2030-13-01", "seats": -1})
    assert resp.status_code == 400
    assert set(resp.get_json()["fields"]) == {"title", "starts_on", "seats"}
    resp = api.post("/v1/courses", json={"title": "x", "starts_on": "2030-03-02", "ends_on": "2030-03-01", "seats": 1})
    assert resp.status_code == 400 and "ends_on" in resp.get_json()["fields"]


def test_enrollment_flow_full_course_and_waitlist(api):
    course = _new_course(api, seats=2)
    cid = course["id"]
    first = api.post(f"/v1/courses/{cid}/enrollments", json={"name": "甲", "phone": "13800000001"})
    assert first.status_code == 201, first.get_json()
    assert first.get_json()["status"] == "enrolled" and first.get_json()["number"].startswith("PX")
    assert api.post(f"/v1/courses/{cid}/enrollments", json={"name": "乙", "phone": "13800000002"}).status_code == 201

    full = api.post(f"/v1/courses/{cid}/enrollments", json={"name": "丙", "phone": "13800000003"})
    assert full.status_code == 409 and full.get_json()["error"] == "course_full"

    wait = api.post(f"/v1/courses/{cid}/enrollments", json={"name": "丙", "phone": "13800000003", "waitlist": True})
    assert wait.status_code == 201 and wait.get_json()["status"] == "waitlisted"

    listed = api.get("/v1/courses").get_json()["items"]
    mine = next(i for i in listed if i["id"] == cid)
    assert mine["seats_left"] == 0 and mine["enrolled"] == 2 and mine["waitlisted"] == 1

    items = api.get(f"/v1/courses/{cid}/enrollments").get_json()["items"]
    assert [i["status"] for i in items] == ["waitlisted", "enrolled", "enrolled"]
    assert items[0]["phone"] == "138****0003"
    assert [i["name"] for i in api.get(f"/v1/courses/{cid}/enrollments?status=enrolled").get_json()["items"]] == ["乙", "甲"]
    got = api.get("/v1/enrollments/" + wait.get_json()["number"]).get_json()
    assert got["phone"] == "13800000003" and got["course_id"] == cid


def test_waitlist_flag_is_ignored_when_seats_are_left(api):
    cid = _new_course(api, seats=1)["id"]
    resp = api.post(f"/v1/courses/{cid}/enrollments", json={"name": "甲", "phone": "13800000001", "waitlist": True})
    assert resp.status_code == 201 and resp.get_json()["status"] == "enrolled"


def test_same_phone_twice_is_409_with_the_existing_number(api):
    cid = _new_course(api)["id"]
    first = api.post(f"/v1/courses/{cid}/enrollments", json={"name": "甲", "phone": "13800000001"}).get_json()
    again = api.post(f"/v1/courses/{cid}/enrollments", json={"name": "甲", "phone": "+86 138 0000 0001"})
    assert again.status_code == 409
    assert again.get_json()["error"] == "already_enrolled"
    assert again.get_json()["number"] == first["number"]
    # a different course is fine
    other = _new_course(api)["id"]
    assert api.post(f"/v1/courses/{other}/enrollments", json={"name": "甲", "phone": "13800000001"}).status_code == 201


def test_enrollment_with_client_number_is_idempotent(api):
    cid = _new_course(api, seats=1)["id"]
    body = {"name": "甲", "phone": "13800000001", "number": "PX20261123-ABCD"}
    assert api.post(f"/v1/courses/{cid}/enrollments", json=body).status_code == 201
    again = api.post(f"/v1/courses/{cid}/enrollments", json=body)
    assert again.status_code == 200 and again.get_json()["number"] == "PX20261123-ABCD"
    assert len(api.get(f"/v1/courses/{cid}/enrollments").get_json()["items"]) == 1


def test_enrollment_validation_and_missing_course(api):
    cid = _new_course(api)["id"]
    resp = api.post(f"/v1/courses/{cid}/enrollments", json={"phone": "1380000", "waitlist": "yes"})
    assert resp.status_code == 400
    assert set(resp.get_json()["fields"]) == {"name", "phone", "waitlist"}
    assert api.post("/v1/courses/999999/enrollments", json={"name": "甲", "phone": "13800000001"}).status_code == 404
    assert api.get("/v1/courses/999999/enrollments").status_code == 404


# ----------------------------------------------------------------------------- founding, suggestions
def test_founding_requests(api):
    body = {"company": "某电子厂", "employees": "120", "contact_name": "孙七", "phone": "13712345678",
            "details": {"address": "工业园区8号", "note": "人事电话13712345678"},
            "channel": "web", "channel_user": "web:s3"}
    resp = api.post("/v1/union-founding-requests", json=body)
    assert resp.status_code == 201, resp.get_json()
    created = resp.get_json()
    assert created["number"].startswith("JH") and created["employees"] == 120
    assert api.get("/v1/union-founding-requests/" + created["number"]).get_json()["details"] == body["details"]
    listed = api.get("/v1/union-founding-requests?channel_user=web:s3").get_json()["items"]
    assert len(listed) == 1 and listed[0]["phone"] == "137****5678"
    assert listed[0]["details"]["note"] == "人事电话137****5678"

    resp = api.post("/v1/union-founding-requests", json={"employees": 0})
    assert resp.status_code == 400
    assert set(resp.get_json()["fields"]) == {"company", "employees", "contact_name", "phone"}


def test_suggestions(api):
    resp = api.post("/v1/suggestions", json={"text": "建议增加夜班班车", "channel": "wechat", "channel_user": "wechat:o9"})
    assert resp.status_code == 201
    created = resp.get_json()
    assert created["number"].startswith("JY") and created["phone"] is None and created["name"] is None
    resp = api.post("/v1/suggestions", json={"text": "多开几期电工班", "name": "周八", "phone": "13512345678"})
    assert resp.status_code == 201
    items = api.get("/v1/suggestions").get_json()["items"]
    assert [i["text"] for i in items] == ["多开几期电工班", "建议增加夜班班车"]
    assert items[0]["phone"] == "135****5678"
    assert [i["number"] for i in api.get("/v1/suggestions?channel_user=wechat:o9").get_json()["items"]] == [created["number"]]

    resp = api.post("/v1/suggestions", json={"text": "", "phone": "123"})
    assert resp.status_code == 400 and set(resp.get_json()["fields"]) == {"text", "phone"}


def test_a_second_open_application_for_one_id_is_filed_and_noted_for_officers(api):
    """The worker hears nothing of another application (an ID number alone reveals nothing); the
    officers see in the new record's history that one is open, and whether the phone is the same."""
    first = api.post("/v1/membership-applications", json=membership()).get_json()["number"]
    resp = api.post("/v1/membership-applications", json=membership(name="李四", phone="13987654321", channel_user="web:s9"))
    assert resp.status_code == 201
    second = resp.get_json()
    notes = [h["note"] for h in second["history"] if h["action"] == "note"]
    assert len(notes) == 1 and first in notes[0] and "手机号不同" in notes[0]
    # The first one is untouched, and a third with the first's phone says so.
    assert [h["action"] for h in api.get(f"/v1/membership-applications/{first}").get_json()["history"]] == ["created"]
    third = api.post("/v1/membership-applications", json=membership()).get_json()
    notes = [h["note"] for h in third["history"] if h["action"] == "note"]
    assert any(first in n and "手机号相同" in n for n in notes) and any(second["number"] in n for n in notes)
    # A finished application is no longer an open one.
    api.patch(f"/v1/membership-applications/{first}", json={"status": "reviewing"})
    api.patch(f"/v1/membership-applications/{first}", json={"status": "rejected", "message": "材料不全"})
    fourth = api.post("/v1/membership-applications", json=membership(phone="13700001111")).get_json()
    assert all(first not in (h["note"] or "") for h in fourth["history"])
