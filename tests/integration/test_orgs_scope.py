"""Scoped access (issue 13 §3) against the real back end over HTTP: two officers of two districts
each see only their own subtree in every console endpoint (another's record or handoff is 404 by
number or id, never in a list or a search), admins see all; the admin endpoints answer officers
403, the leader's insights stay in the leader's subtree. The test checks it has tried every
/api/console and /api/admin route of the app."""
from __future__ import annotations

import io
import re
from pathlib import Path

import pytest

from tests.integration.test_desk_console_api import KEY, desk, desk_backend  # noqa: F401  (fixtures)
from tests.integration.test_handoff_service import Worker, bearer, handoff_app, open_handoff  # noqa: F401

DEMO = (Path(__file__).resolve().parents[2] / "config" / "demo_orgs.csv").read_bytes()
TRIED: set[tuple[str, str]] = set()


def account(app, name, role="officer", org=None, teams="general,legal,hardship"):
    args = ["users", "create", name, "--role", role, "--teams", teams, "--password", "s3cret-pass"]
    if org:
        args += ["--org", org]
    result = app.test_cli_runner().invoke(args=args)
    assert result.exit_code == 0, result.output
    return re.search(r"token: (\S+)", result.output).group(1)


class Caller:
    """The test client with a bearer token, noting which route each call reached."""

    def __init__(self, app, token):
        self.app, self.client, self.headers = app, app.test_client(), bearer(token)

    def __call__(self, method, path, **kw):
        resp = getattr(self.client, method)(path, headers=self.headers, **kw)
        adapter = self.app.url_map.bind("localhost")
        try:
            endpoint, _ = adapter.match(path.split("?")[0], method=method.upper())
            rule = next(r.rule for r in self.app.url_map.iter_rules() if r.endpoint == endpoint)
            TRIED.add((method.upper(), rule))
        except Exception:  # noqa: BLE001
            pass
        return resp


def _case(backend, employer, cid, district=None):
    body = {"type": "wage_arrears", "phone": "13912345678", "summary": f"{employer}欠薪，电话13912345678",
            "details": {"employer": employer, "workers": 1}, "channel": "web", "channel_user": cid}
    if district:
        body["district"] = district
    return backend.create("/v1/cases", body)


@pytest.fixture()
def two_districts(desk):  # noqa: F811
    app, backend_app, backend = desk
    staff = account(app, "zhao", role="staff")
    resp = app.test_client().post("/api/admin/orgs/import", headers=bearer(staff),
                                  data={"file": (io.BytesIO(DEMO), "orgs.csv")}, content_type="multipart/form-data")
    assert resp.status_code == 200, resp.get_json()
    tokens = {"ct": account(app, "ct", org="HD-CT"), "hs": account(app, "hs", org="HD-HS"),
              "admin": account(app, "boss", role="admin"), "staff": staff,
              "leader": account(app, "lead", role="leader", org="HD-CT")}
    w_ct, w_hs = Worker(app), Worker(app)
    w_ct.say("你好")
    w_hs.say("你好")
    rec_ct = _case(backend, "顺达物流", w_ct.conversation_id)                    # HD-G01, under HD-CT
    rec_hs = _case(backend, "不知名小厂", w_hs.conversation_id, district="邯山区")  # HD-HS
    # three reports against one employer in 丛台区: an alert of HD-CT's subtree
    for phone in ("13700000001", "13700000002"):
        backend.create("/v1/cases", {"type": "wage_arrears", "phone": phone, "summary": "欠薪",
                                     "details": {"employer": "顺达物流公司"}, "channel": "web", "channel_user": "web:x"})
    h_ct = open_handoff(app, w_ct, case_number=rec_ct["number"])
    h_hs = open_handoff(app, w_hs)  # no case number: the worker's open record's organisation
    return app, backend, tokens, rec_ct, rec_hs, h_ct, h_hs


def test_each_officer_sees_only_their_subtree_in_every_endpoint(two_districts):
    app, backend, tokens, rec_ct, rec_hs, h_ct, h_hs = two_districts
    ct, hs, admin = Caller(app, tokens["ct"]), Caller(app, tokens["hs"]), Caller(app, tokens["admin"])
    assert (h_ct.org, h_hs.org) == ("HD-G01", "HD-HS")
    for me, mine, other, my_h, other_h in ((ct, rec_ct, rec_hs, h_ct, h_hs), (hs, rec_hs, rec_ct, h_hs, h_ct)):
        # handoffs: lists, details and every action on another's answer 404
        for status in ("waiting", "waiting,active", "closed"):
            ids = [h["id"] for h in me("get", f"/api/console/handoffs?status={status}").get_json()]
            assert other_h.id not in ids
        listed = me("get", "/api/console/handoffs").get_json()
        assert [h["id"] for h in listed] == [my_h.id] and listed[0]["org"] == my_h.org
        assert me("get", f"/api/console/handoffs/{other_h.id}").status_code == 404
        for action, body in (("claim", None), ("messages", {"text": "你好"}), ("notes", {"text": "备注"}),
                             ("transfer", {"team": "legal"}), ("close", None)):
            kw = {"json": body} if body else {}
            assert me("post", f"/api/console/handoffs/{other_h.id}/{action}", **kw).status_code == 404, action
        assert me("get", f"/api/console/handoffs/{my_h.id}").get_json()["org"] == my_h.org
        # records: the list, search by number and by phone, the badge, details and actions
        numbers = [r["number"] for r in me("get", "/api/console/records").get_json()["items"]]
        assert mine["number"] in numbers and other["number"] not in numbers
        for q in (other["number"], "13912345678", "5678"):
            found = [r["number"] for r in me("get", f"/api/console/records?q={q}").get_json()["items"]]
            assert other["number"] not in found
        assert me("get", "/api/console/records?overdue=1").status_code == 200
        assert me("get", "/api/console/records/badge").status_code == 200
        assert me("get", f"/api/console/records/{other['number']}").status_code == 404
        for action, body in (("assign", {}), ("status", {"status": "in_progress"}), ("notes", {"text": "备注"}),
                             ("messages", {"text": "您好"}), ("transfer", {"org": "HD"})):
            assert me("post", f"/api/console/records/{other['number']}/{action}", json=body).status_code == 404, action
        detail = me("get", f"/api/console/records/{mine['number']}").get_json()
        assert detail["org"] == mine["org"]
        assert me("post", f"/api/console/records/{mine['number']}/notes", json={"text": "看过"}).status_code == 201
        assert me("get", "/api/console/canned-replies").status_code == 200
        officers = {o["name"] for o in me("get", "/api/console/officers").get_json()}
        assert ("hs" in officers) == (me is hs) and ("ct" in officers) == (me is ct)
    # alerts: the cluster in 丛台区 is HD-CT's, not HD-HS's
    [alert] = ct("get", "/api/console/alerts").get_json()["items"]
    assert set(alert) >= {"id", "kind", "employer", "org", "count", "workers", "numbers", "opened_at", "status"}
    assert alert["org"] == "HD-G01" and alert["count"] == 3
    assert hs("get", "/api/console/alerts").get_json()["items"] == []
    assert hs("post", f"/api/console/alerts/{alert['id']}/close", json={"note": "x"}).status_code == 404
    closed = ct("post", f"/api/console/alerts/{alert['id']}/close", json={"note": "已约谈企业"}).get_json()
    assert closed["status"] == "closed"
    assert ct("get", "/api/console/alerts?status=closed").get_json()["items"][0]["close_note"] == "已约谈企业"
    # admins see all
    assert {h["id"] for h in admin("get", "/api/console/handoffs").get_json()} == {h_ct.id, h_hs.id}
    numbers = {r["number"] for r in admin("get", "/api/console/records").get_json()["items"]}
    assert {rec_ct["number"], rec_hs["number"]} <= numbers
    # a transfer to the other district: the record leaves my desk, its history keeps the move
    moved = ct("post", f"/api/console/records/{rec_ct['number']}/transfer", json={"org": "HD-HS"}).get_json()
    assert moved["org"] == "HD-HS"
    assert ct("get", f"/api/console/records/{rec_ct['number']}").status_code == 404
    history = hs("get", f"/api/console/records/{rec_ct['number']}").get_json()["history"]
    assert history[-1]["action"] == "route" and (history[-1]["from"], history[-1]["to"]) == ("HD-G01", "HD-HS")
    # a handoff transferred to another organisation keeps its notes
    assert ct("post", f"/api/console/handoffs/{h_ct.id}/transfer", json={"org": "HD-HS"}).status_code == 200
    assert ct("get", f"/api/console/handoffs/{h_ct.id}").status_code == 404
    notes = hs("get", f"/api/console/handoffs/{h_ct.id}").get_json()["notes"]
    assert notes[-1]["kind"] == "transfer_org" and "HD-HS" in notes[-1]["text"]


def test_admin_endpoints_officers_staff_and_leaders(two_districts):
    app, backend, tokens, rec_ct, rec_hs, *_ = two_districts
    ct, staff, leader = Caller(app, tokens["ct"]), Caller(app, tokens["staff"]), Caller(app, tokens["leader"])
    admin_calls = [("get", "/api/admin/faqs"), ("post", "/api/admin/faqs"), ("get", "/api/admin/faqs/1"),
                   ("put", "/api/admin/faqs/1"), ("delete", "/api/admin/faqs/1"), ("get", "/api/admin/faqs/1/versions"),
                   ("get", "/api/admin/faqs/export"), ("post", "/api/admin/faqs/import"), ("get", "/api/admin/unanswered"),
                   ("get", "/api/admin/stats"), ("get", "/api/admin/outbox"), ("post", "/api/admin/outbox/WQ1/resend"),
                   ("get", "/api/admin/orgs"), ("get", "/api/admin/orgs/export"), ("post", "/api/admin/orgs/import")]
    for method, path in admin_calls:
        assert ct(method, path).status_code == 403, path       # officers work cases, not the admin pages
        assert leader(method, path).status_code == 403, path   # leaders read insights only
    assert leader("get", "/api/console/records").status_code == 403
    orgs = staff("get", "/api/admin/orgs").get_json()
    assert {"code", "name", "level", "parent_code", "district", "industries", "employers"} <= set(orgs[0])
    assert staff("get", "/api/admin/orgs/export?format=xlsx").data.startswith(b"PK")
    bad = staff("post", "/api/admin/orgs/import", data={"file": (io.BytesIO(b"code,name\nX,\n"), "o.csv")},
                content_type="multipart/form-data")
    assert bad.status_code == 400 and bad.get_json()["error"] == "invalid_file"
    # the leader's insights: the leader's subtree only, another district is 404
    mine = leader("get", "/api/admin/insights").get_json()
    assert mine["org"] == "HD-CT" and mine["total"] == 3 and mine["by_district"] == {"丛台区": 3}
    assert leader("get", "/api/admin/insights?org=HD-HS").status_code == 404
    assert leader("get", "/api/admin/insights?org=HD-CT-ZH").status_code == 200
    assert leader("get", "/api/admin/insights?format=xlsx").data.startswith(b"PK")
    everything = staff("get", "/api/admin/insights").get_json()
    assert everything["total"] == 4 and {"丛台区", "邯山区"} <= set(everything["by_district"])
    ours = {(m, r) for m, r in TRIED}
    routes = {(m, r.rule) for r in app.url_map.iter_rules() if r.rule.startswith(("/api/console", "/api/admin"))
              for m in r.methods - {"HEAD", "OPTIONS"}}
    assert routes - ours == set()


def test_staff_of_a_district_see_their_subtree_in_the_stats(two_districts):
    """/api/admin/stats for a staff account of an organisation: the desk figures, the ratings and the
    handoffs of its subtree only (messages and FAQ figures stay service-wide); a city staff sees all."""
    app, backend, tokens, rec_ct, rec_hs, h_ct, h_hs = two_districts
    backend.post("/v1/ratings", {"subject": "record", "ref": rec_ct["number"], "score": 5})
    backend.post("/v1/ratings", {"subject": "record", "ref": rec_hs["number"], "score": 2})
    # a chat of HD-CT's queue, closed and rated by the worker through the gateway: the rating takes its org
    worker = Worker(app)
    chat = open_handoff(app, worker, case_number=rec_ct["number"])
    officer = app.test_client()
    for step in ("claim", "close"):
        assert officer.post(f"/api/console/handoffs/{chat.id}/{step}", headers=bearer(tokens["ct"])).status_code == 200
    ask = [m for m in worker.transcript() if m["role"] == "bot"][-1]
    worker.say(payload=ask["buttons"][3]["payload"])  # 4分
    [rated] = backend.list("/v1/ratings", subject="chat")
    assert (rated["ref"], rated["score"], rated["org"]) == (f"handoff:{chat.id}", 4, "HD-G01")
    ct_staff = Caller(app, account(app, "ct_staff", role="staff", org="HD-CT"))
    hs_staff = Caller(app, account(app, "hs_staff", role="staff", org="HD-HS"))
    city = Caller(app, tokens["staff"])
    ct, hs, everything = (c("get", "/api/admin/stats").get_json() for c in (ct_staff, hs_staff, city))
    assert (ct["org"], hs["org"], everything["org"]) == ("HD-CT", "HD-HS", None)
    assert (ct["csat"]["count"], ct["csat"]["average"]) == (2, 4.5)
    assert (hs["csat"]["count"], hs["csat"]["average"]) == (1, 2.0)
    assert everything["csat"]["count"] == 3
    # four cases were filed: three under HD-CT (one of them the worker's), one under HD-HS
    assert (ct["desk_counts"]["case"]["filed"], hs["desk_counts"]["case"]["filed"]) == (3, 1)
    assert everything["desk_counts"]["case"]["filed"] == 4
    assert (ct["handoffs"], hs["handoffs"], everything["handoffs"]) == (2, 1, 3)
    assert ct["user_messages"] == hs["user_messages"] == everything["user_messages"]
