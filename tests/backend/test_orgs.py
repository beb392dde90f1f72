"""The organisation tree on the back end (issue 13): import all-or-nothing with row errors, export,
routing of filed records by every rule, re-routing by the district the worker answers, transfer,
escalation of an overdue record to the parent once, early warnings (once per cluster, not for
scattered reports), the subtree filter, insights."""
from __future__ import annotations

import csv
import io
from datetime import timedelta

from sqlalchemy import update

from backend.models import Case, utcnow
from tests.backend.conftest import make_id_number

DEMO = (__import__("pathlib").Path(__file__).resolve().parents[2] / "config" / "demo_orgs.csv").read_bytes()


def _import(api, data=DEMO, name="orgs.csv"):
    return api.post("/v1/orgs/import", data={"file": (io.BytesIO(data), name)}, content_type="multipart/form-data")


def _case(api, employer, type_="wage_arrears", workers=1, words=(), district=None, phone="13912345678"):
    body = {"type": type_, "phone": phone, "summary": f"{employer}欠薪",
            "details": {"employer": employer, "workers": workers, "worker_words": list(words)},
            "channel": "web", "channel_user": "web:w1"}
    if district:
        body["district"] = district
    resp = api.post("/v1/cases", json=body)
    assert resp.status_code == 201, resp.get_json()
    return resp.get_json()


def test_import_export_round_trip_and_reimport_updates_by_code(api):
    resp = _import(api)
    assert resp.status_code == 200, resp.get_json()
    assert resp.get_json()["created"] == 24
    items = api.get("/v1/orgs").get_json()["items"]
    assert items[0]["code"] == "HD" and items[0]["level"] == "city"
    g01 = next(o for o in items if o["code"] == "HD-G01")
    assert g01["employers"] == ["邯郸市顺达物流有限公司"] and g01["parent_code"] == "HD-CT-ZH"
    exported = api.get("/v1/orgs/export?format=csv").data
    assert _import(api, exported).get_json() == {"created": 0, "updated": 0, "rows": 24}
    xlsx = api.get("/v1/orgs/export?format=xlsx")
    assert xlsx.data.startswith(b"PK")
    assert _import(api, xlsx.data, "orgs.xlsx").get_json()["updated"] == 0
    changed = exported.decode("utf-8-sig").replace("丛台区外卖骑手工会联合会（演示）", "丛台区外卖骑手联合会").encode()
    assert _import(api, changed).get_json()["updated"] == 1


def test_a_bad_file_changes_nothing_and_names_each_row(api):
    rows = [["code", "name", "parent_code", "level", "district", "industries", "employers"],
            ["C", "市总", "", "city", "", "", ""],
            ["D1", "区总", "C", "district", "甲区", "", ""],
            ["D2", "", "C", "district", "乙区", "", ""],
            ["D3", "丙区总", "NOPE", "district", "丙区", "", ""],
            ["D4", "丁区总", "C", "county", "", "", ""],
            ["D1", "重复", "C", "street", "", "", ""]]
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    resp = _import(api, out.getvalue().encode())
    assert resp.status_code == 400
    problems = {(p["row"], p["field"], p["code"]) for p in resp.get_json()["problems"]}
    assert problems == {(4, "name", "missing"), (6, "level", "not_allowed"), (7, "code", "duplicate_in_file")}
    assert api.get("/v1/orgs").get_json()["items"] == []
    rows = rows[:3] + [["D3", "丙区总", "NOPE", "district", "丙区", "", ""]]
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    resp = _import(api, out.getvalue().encode())
    assert [(p["row"], p["code"]) for p in resp.get_json()["problems"]] == [(4, "unknown_parent")]
    assert api.get("/v1/orgs").get_json()["items"] == []


def test_every_routing_rule_at_filing(api):
    _import(api)
    # 1. the employer's grassroots union, as the worker writes the name
    assert _case(api, "顺达物流")["org"] == "HD-G01"
    membership = api.post("/v1/membership-applications", json={
        "name": "张伟", "id_number": make_id_number("13040219900307123"), "phone": "13812345678",
        "employer": "邯郸宏图建筑工程公司", "channel": "web", "channel_user": "web:w2"}).get_json()
    assert (membership["org"], membership["routed_by"]) == ("HD-G02", "employer")
    # 2. new forms of employment: the district's federation, else the city's
    rider = _case(api, "某某餐馆", words=["我是美团外卖骑手", "我在丛台区"])
    assert (rider["org"], rider["routed_by"], rider["district"]) == ("HD-CT-WM", "industry", "丛台区")
    courier = _case(api, "某快递网点", words=["我是快递员"])
    assert (courier["org"], courier["routed_by"]) == ("HD-KD", "industry")
    # 3. the street the worker names, else the district union
    assert _case(api, "不知名小厂", district="邯山区")["org"] == "HD-HS"
    assert _case(api, "不知名小厂", words=["在中华街道这边", "丛台区"])["org"] == "HD-CT-ZH"
    # 4. else the city, and the answer asks for the district with the tree's districts
    unknown = _case(api, "不知名小厂")
    assert (unknown["org"], unknown["routed_by"]) == ("HD", "city")
    assert unknown["routing"]["needs_district"] is True
    assert unknown["routing"]["districts"] == ["丛台区", "复兴区", "邯山区"]  # by code
    # the worker answers: routed again, history kept
    routed = api.post(f"/v1/records/{unknown['number']}/route", json={"district": "复兴"}).get_json()
    assert (routed["org"], routed["district"]) == ("HD-FX", "复兴区")
    assert [h["action"] for h in routed["history"]] == ["created", "route"]
    assert api.post(f"/v1/records/{unknown['number']}/route", json={"district": "火星区"}).status_code == 400
    moved = api.post(f"/v1/records/{unknown['number']}/route", json={"org": "HD-FX-BL", "actor": "li"}).get_json()
    assert moved["org"] == "HD-FX-BL" and moved["history"][-1]["from"] == "HD-FX"


def test_the_subtree_filter_and_escalation_once(api, backend_app):
    _import(api)
    a = _case(api, "顺达物流")["number"]          # HD-G01 under HD-CT-ZH under HD-CT
    b = _case(api, "不知名小厂", district="邯山区")["number"]
    numbers = lambda under: {r["number"] for r in api.get(f"/v1/records?under={under}").get_json()["items"]}  # noqa: E731
    assert numbers("HD-CT") == {a} and numbers("HD-HS") == {b} and numbers("HD") == {a, b}
    assert numbers("HD-FX") == set() and numbers("NOPE") == set()
    with backend_app.app_context():
        from backend.db import db
        db().execute(update(Case).values(due_at=utcnow() - timedelta(hours=1)))
        db().commit()
    flagged = api.post("/v1/records/flag-overdue").get_json()["items"]
    assert {(f["number"], f["escalated_from"], f["org"]) for f in flagged} == {(a, "HD-G01", "HD-CT-ZH"),
                                                                              (b, "HD-HS", "HD")}
    assert api.post("/v1/records/flag-overdue").get_json()["items"] == []
    record = api.get(f"/v1/records/{a}").get_json()
    assert record["org"] == "HD-CT-ZH" and record["history"][-1]["action"] == "escalate"


def test_early_warning_once_per_cluster_not_for_scattered_reports(api):
    _import(api)
    _case(api, "顺达物流")
    _case(api, "宏图建筑")
    _case(api, "锦华纺织", type_="work_injury")
    assert api.get("/v1/alerts").get_json()["items"] == []   # three employers: scattered
    _case(api, "邯郸市顺达物流有限公司")
    assert api.get("/v1/alerts").get_json()["items"] == []   # two reports: not yet
    third = _case(api, "顺达物流公司", type_="work_injury")["number"]
    fourth = _case(api, "顺达物流", phone="13700001111")["number"]
    alerts = api.get("/v1/alerts").get_json()["items"]
    assert len(alerts) == 1
    alert = alerts[0]
    assert (alert["kind"], alert["org"], alert["parent_org"], alert["count"]) == ("cluster", "HD-G01", "HD-CT-ZH", 4)
    assert third in alert["numbers"] and fourth in alert["numbers"]
    # the employer's organisation and its parent see it, another district does not
    assert [x["id"] for x in api.get("/v1/alerts?under=HD-CT-ZH").get_json()["items"]] == [alert["id"]]
    assert api.get("/v1/alerts?under=HD-HS").get_json()["items"] == []
    # one large group is an alert of its own
    big = _case(api, "金源食品", workers=12)
    kinds = {a["kind"]: a for a in api.get("/v1/alerts").get_json()["items"]}
    assert kinds["large_group"]["numbers"] == [big["number"]] and kinds["large_group"]["org"] == "HD-G07"
    # counted once by the worker's job
    assert len(api.post("/v1/alerts/announce").get_json()["items"]) == 2
    assert api.post("/v1/alerts/announce").get_json()["items"] == []
    closed = api.post(f"/v1/alerts/{alert['id']}/close", json={"note": "已约谈企业", "actor": "li"}).get_json()
    assert (closed["status"], closed["close_note"]) == ("closed", "已约谈企业")
    assert api.post(f"/v1/alerts/{alert['id']}/close", json={"note": "again"}).status_code == 409
    assert api.post(f"/v1/alerts/{alert['id']}/close", json={}).status_code == 400
    incident = api.post("/v1/alerts", json={"kind": "group_incident", "detail": "我们几十个人要去堵门",
                                            "conversation_id": "web:w9"}).get_json()
    again = api.post("/v1/alerts", json={"kind": "group_incident", "detail": "明天就去",
                                         "conversation_id": "web:w9"}).get_json()
    assert incident["id"] == again["id"] and again["count"] == 2 and incident["org"] == "HD"


def test_insights(api):
    _import(api)
    _case(api, "顺达物流")
    _case(api, "顺达物流", type_="work_injury")
    _case(api, "某某餐馆", words=["外卖骑手", "丛台区"])
    _case(api, "不知名小厂", district="邯山区")
    figures = api.get("/v1/insights?under=HD-CT").get_json()
    assert figures["total"] == 3
    assert figures["by_district"] == {"丛台区": 3}
    assert figures["by_industry"]["外卖"] == 1
    assert figures["top_employers"][0] == {"employer": "顺达物流", "cases": 2, "workers": 2,
                                           "types": {"wage_arrears": 1, "work_injury": 1}}
    orgs = {o["org"]: o for o in figures["organisations"]}
    assert orgs["HD-G01"]["backlog"] == 2 and "HD-HS" not in orgs
    assert api.get("/v1/insights").get_json()["total"] == 4
    assert api.get("/v1/insights?from=nope").status_code == 400


def test_csat_and_desk_figures_per_organisation(api):
    """A record's rating takes its organisation, a chat's is sent; /v1/stats/desk?under= and the
    insights' CSAT count only the subtree's (a rating without one is the city's)."""
    _import(api)
    a = _case(api, "顺达物流")["number"]                   # HD-G01, in 丛台区 (HD-CT)
    b = _case(api, "不知名小厂", district="邯山区")["number"]  # HD-HS
    rated = api.post("/v1/ratings", json={"subject": "record", "ref": a, "score": 5}).get_json()
    assert rated["org"] == "HD-G01"
    api.post("/v1/ratings", json={"subject": "record", "ref": b, "score": 1})
    api.post("/v1/ratings", json={"subject": "chat", "ref": "handoff:7", "score": 3, "org": "HD-CT"})
    api.post("/v1/ratings", json={"subject": "chat", "ref": "handoff:8", "score": 4})  # the city's queue
    ct = api.get("/v1/stats/desk?under=HD-CT").get_json()
    assert ct["org"] == "HD-CT" and ct["csat"]["count"] == 2 and ct["csat"]["average"] == 4.0
    assert ct["counts"]["case"]["filed"] == 1
    hs = api.get("/v1/stats/desk?under=HD-HS").get_json()
    assert hs["csat"]["count"] == 1 and hs["csat"]["average"] == 1.0 and hs["counts"]["case"]["filed"] == 1
    everything = api.get("/v1/stats/desk").get_json()
    assert everything["csat"]["count"] == 4 and everything["counts"]["case"]["filed"] == 2
    bad = api.get("/v1/stats/desk?under=NOPE")
    assert bad.status_code == 400 and "under" in bad.get_json()["fields"]
    per_org = {o["org"]: o for o in api.get("/v1/insights").get_json()["organisations"]}
    assert (per_org["HD-G01"]["csat"], per_org["HD-G01"]["ratings"]) == (5.0, 1)
    assert (per_org["HD-HS"]["csat"], per_org["HD-CT"]["csat"], per_org["HD"]["csat"]) == (1.0, 3.0, 4.0)
    scoped = {o["org"] for o in api.get("/v1/insights?under=HD-CT").get_json()["organisations"]}
    assert scoped == {"HD-G01", "HD-CT"}
