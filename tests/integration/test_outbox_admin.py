"""Staff see the submissions the back end refused (/admin/outbox) and resend or close them."""
from __future__ import annotations

import json

from bot.models import AuditLog
from config.database import Session
from tests.integration.test_accounts import create
from tests.integration.test_faq_admin import bearer, logged_in, page_csrf
from unionkit.outbox import DEAD_KEY, DUE_KEY, ITEMS_KEY


def refused(app, number: str) -> None:
    """An item as the outbox keeps it after a 400 from the back end."""
    item = {"path": "/v1/membership-applications", "attempts": 3, "created": 1.0, "rejected_at": 2.0, "status": 400,
            "body": {"number": number, "id_number": "11010519491231002X", "phone": "13812345678"},
            "last_error": 'HTTP 400: {"error": "invalid", "fields": {"industry": "请选择行业"}}'}
    app.extensions["redis"].hset(DEAD_KEY, number, json.dumps(item, ensure_ascii=False))


def test_refused_submissions_are_listed_masked_and_can_be_resent_or_closed(make_app):
    app = make_app()
    app.config["WTF_CSRF_ENABLED"] = True
    r = app.extensions["redis"]
    refused(app, "RH20261123-AAAAAA")
    refused(app, "RH20261123-BBBBBB")

    client = logged_in(app)
    page = client.get("/admin/outbox").get_data(as_text=True)
    assert "RH20261123-AAAAAA" in page and "请选择行业" in page
    assert "11010519491231002X" not in page and "110***********002X" in page

    token = page_csrf(client, "/admin/outbox")
    assert client.post("/admin/outbox/RH20261123-AAAAAA/resend", data={"csrf_token": token}).status_code == 302
    assert r.hexists(ITEMS_KEY, "RH20261123-AAAAAA") and r.zscore(DUE_KEY, "RH20261123-AAAAAA") is not None
    assert not r.hexists(DEAD_KEY, "RH20261123-AAAAAA")

    staff = create(app, "qian", role="staff")
    listed = client.get("/api/admin/outbox").get_json()["items"]
    assert [i["number"] for i in listed] == ["RH20261123-BBBBBB"]
    api = app.test_client()
    assert api.post("/api/admin/outbox/RH20261123-BBBBBB/close", headers=bearer(staff)).status_code == 200
    assert api.post("/api/admin/outbox/RH20261123-BBBBBB/close", headers=bearer(staff)).status_code == 404
    assert "没有被拒收的提交" in client.get("/admin/outbox").get_data(as_text=True)
    with app.app_context():
        assert {(a.actor, a.action) for a in Session.query(AuditLog).filter(AuditLog.action.like("outbox_%"))} == {
            ("zhao", "outbox_resend"), ("qian", "outbox_close")}


def test_officers_do_not_see_the_outbox(make_app):
    app = make_app()
    officer = create(app, "wang", role="officer")
    assert app.test_client().get("/api/admin/outbox", headers=bearer(officer)).status_code == 403
