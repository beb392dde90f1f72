"""The leaders' view and the early-warning banner in a real headless browser against the live
stack: a leader of 丛台区 opens /admin/insights, the four charts are drawn (Chart.js from the page's
JSON block, no inline script), the tables show the subtree's organisations and the top employer;
an officer of 丛台区 sees the alert banner (the employer's name as text, not HTML) and closes it
with a note. Saves insights.png (to SCREENSHOT_DIR, e.g. docs, when set)."""
from __future__ import annotations

import os
import re
import subprocess
import uuid
from pathlib import Path

import requests

from tests.browser.test_console import officer_page  # noqa: F401  (fixture)
from tests.e2e.test_handoff_e2e import FLASK, PROJECT_ROOT

DEMO = Path(__file__).resolve().parents[2] / "config" / "demo_orgs.csv"
XSS = "<b>顺达物流</b>"


def _account(live_stack, role: str, org: str) -> str:
    name = f"{role}_{uuid.uuid4().hex[:8]}"
    result = subprocess.run(
        [str(FLASK), "--app", "server", "users", "create", name, "--role", role, "--org", org,
         "--password", "s3cret-pass"], env=dict(live_stack.env), cwd=PROJECT_ROOT, capture_output=True, text=True,
        timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    return name


def _backend(live_stack, path: str, **kw):
    resp = requests.post(f"{live_stack.backend_url}{path}", timeout=10,
                         headers={"Authorization": f"Bearer {live_stack.backend_key}"}, **kw)
    assert resp.status_code in (200, 201), resp.text
    return resp.json()


def _log_in(page, live_stack, name: str, lands: str) -> None:
    page.goto(live_stack.gateway_url + "/login")
    page.fill("#name", name)
    page.fill("#password", "s3cret-pass")
    page.click("#login-submit")
    page.wait_for_url(f"**{lands}")


def test_leader_sees_the_charts_and_an_officer_closes_an_alert(live_stack, officer_page, tmp_path):  # noqa: F811
    page = officer_page
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    _backend(live_stack, "/v1/orgs/import", files={"file": ("demo_orgs.csv", DEMO.read_bytes())})
    for i, employer in enumerate(("顺达物流", "邯郸市顺达物流有限公司", XSS)):  # the third raises the alert
        _backend(live_stack, "/v1/cases", json={
            "type": "wage_arrears", "phone": f"1370000{i:04d}", "summary": "欠薪",
            "details": {"employer": employer, "workers": 2}, "channel": "web", "channel_user": f"web:b{i}"})
    _backend(live_stack, "/v1/cases", json={"type": "work_injury", "phone": "13700009999", "summary": "工伤",
                                            "details": {"employer": "某某餐馆", "worker_words": ["外卖骑手", "丛台区"]},
                                            "channel": "web", "channel_user": "web:b9"})
    _backend(live_stack, "/v1/cases", json={"type": "legal_aid", "phone": "13700008888", "summary": "辞退",
                                            "district": "邯山区", "channel": "web", "channel_user": "web:b8"})

    leader = _account(live_stack, "leader", "HD-CT")
    _log_in(page, live_stack, leader, "/admin/insights")
    for chart in ("kind", "district", "industry", "month"):
        page.wait_for_selector(f"#chart-{chart}[data-drawn='1']")
    assert int(page.inner_text("#fig-total")) >= 4
    orgs = page.inner_text("#insights-orgs")
    assert "顺达物流有限公司工会" in orgs and "邯山区" not in orgs  # the leader's subtree only
    assert "顺达物流" in page.inner_text("#insights-employers")
    assert "丛台区" in page.inner_text("#insights-requests")
    page.screenshot(path=str(Path(os.environ.get("SCREENSHOT_DIR", tmp_path)) / "insights.png"), full_page=True)
    assert page.request.get(live_stack.gateway_url + "/api/admin/insights?org=HD-HS").status == 404
    page.goto(live_stack.gateway_url + "/console")
    assert "403" in page.title() or "Forbidden" in page.content()  # leaders work nothing
    page.context.clear_cookies()

    officer = _account(live_stack, "officer", "HD-CT")
    _log_in(page, live_stack, officer, "/console")
    page.wait_for_selector("#alerts-banner:visible")
    item = page.locator("#alerts-list li.alert-item").first
    assert "同一单位多起" in item.inner_text() and "3 起" in item.inner_text()
    assert page.locator("#alerts-list b").count() == 0 and XSS in item.inner_text()  # words stay text
    item.locator("input[name=note]").fill("已约谈企业，限期发放")
    item.locator("button").click()
    page.wait_for_selector("#alerts-banner", state="hidden")
    assert not [e for e in errors if re.search(r"Content Security Policy|Refused", e)]
