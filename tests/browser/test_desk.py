"""An officer works the case desk in a real headless browser against the live stack: the overdue
record comes first and raises the tab's badge, filters narrow the list, a record opens masked with
the chat it came from, taking it shows the data in full, a status change with a message and a note
show in its history, and text that looks like HTML stays text. Saves desk.png (to SCREENSHOT_DIR,
e.g. docs, when set; else a temp dir)."""
from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import requests
from sqlalchemy import create_engine, text

from tests.browser.test_console import log_in, officer_page  # noqa: F401  (fixture)
from tests.e2e.test_handoff_e2e import create_officer
from unionkit.pii import id_number_checksum

ID_NUMBER = "11010519900307123" + id_number_checksum("11010519900307123")
XSS = "<img src=x onerror=alert(1)>"


def _file(live_stack, path: str, body: dict) -> str:
    resp = requests.post(f"{live_stack.backend_url}{path}", json=body, timeout=10,
                         headers={"Authorization": f"Bearer {live_stack.backend_key}"})
    assert resp.status_code == 201, resp.text
    return resp.json()["number"]


def _make_overdue(live_stack, number: str) -> None:
    engine = create_engine(live_stack.backend_database_url)
    try:
        with engine.begin() as conn:
            conn.execute(text("UPDATE ub_cases SET due_at = :due WHERE number = :number"),
                         {"due": dt.datetime.utcnow() - dt.timedelta(hours=3), "number": number})
    finally:
        engine.dispose()


def test_officer_works_a_record_on_the_desk(live_stack, officer_page, web_chat, tmp_path):  # noqa: F811
    page = officer_page
    name, _token = create_officer(live_stack, teams="general,legal", password="s3cret-pass", display_name="李干事")
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))

    chat = web_chat()
    chat.say_text("我想入会，我在顺丰做快递员")
    member = _file(live_stack, "/v1/membership-applications", {
        "name": "张伟", "id_number": ID_NUMBER, "phone": "13812345678", "employer": "顺丰速运有限公司",
        "industry": XSS, "channel": "web", "channel_user": f"web:{chat.session_id}"})
    wage = _file(live_stack, "/v1/cases", {"type": "wage_arrears", "phone": "13600001111", "priority": "urgent",
                                          "summary": "工地欠薪三个月", "channel": "wechat", "channel_user": "wechat:oX"})
    _make_overdue(live_stack, wage)

    log_in(page, live_stack, name, "s3cret-pass")
    page.wait_for_selector("#desk-badge:visible")  # an overdue record of my team
    assert int(page.locator("#desk-badge").inner_text()) >= 1
    page.click("#desk-tab")
    page.wait_for_selector("#desk-list li.record")
    first = page.locator("#desk-list li.record").first
    assert first.get_attribute("data-number") == wage and "overdue" in first.get_attribute("class")
    assert "已超时" in first.inner_text()

    # Filter by kind, then by masked phone.
    page.locator("#desk-kind").select_option("membership")
    # As functions, not expressions: Playwright evals a bare expression in the page, which the CSP forbids.
    page.wait_for_function("() => document.querySelector('#desk-list li.record') && "
                           "[...document.querySelectorAll('#desk-list li.record')].every("
                           "li => li.dataset.number.startsWith('RH'))")
    page.fill("#desk-q", "138****5678")
    item = page.locator(f'#desk-list li.record[data-number="{member}"]')
    item.wait_for()

    # Open: masked, with the chat it came from.
    item.click()
    page.wait_for_selector("#record-masked:visible")
    assert member in page.inner_text("#record-title")
    assert "110***********" in page.inner_text("#record-data") and ID_NUMBER not in page.inner_text("#record-data")
    page.locator("#record-transcript .msg.user", has_text="顺丰做快递员").wait_for()
    assert page.locator("#record-due").inner_text().startswith("办结时限")

    # Take it: the data in full; the worker's HTML-looking text is text.
    page.click("#record-take")
    page.wait_for_selector("#record-masked", state="hidden")
    assert ID_NUMBER in page.inner_text("#record-data")
    assert XSS in page.inner_text("#record-data")

    # Move it with a message to the worker; it shows in the history.
    page.locator("#record-next").select_option("reviewing")
    page.fill("#status-message", "您的入会申请正在审核，3个工作日内答复")
    page.click("#record-move")
    page.locator("#record-history .entry.status .message", has_text="正在审核").wait_for()
    page.fill("#record-note", "已电话核实单位")
    page.click("#record-add-note")
    page.locator("#record-history .entry.note .note", has_text="已电话核实").wait_for()
    assert "审核中" in page.inner_text("#record-meta")
    page.wait_for_selector("#notice", state="hidden")
    page.locator("#desk-kind").select_option("")
    page.fill("#desk-q", "")
    page.wait_for_function("() => document.querySelectorAll('#desk-list li.record').length >= 2")
    page.screenshot(path=str(Path(os.environ.get("SCREENSHOT_DIR", tmp_path)) / "desk.png"))

    page.locator("#record-next").select_option("approved")
    page.fill("#status-message", "欢迎加入工会")
    page.click("#record-move")
    page.locator("#record-history .entry.status .message", has_text="欢迎加入工会").wait_for()
    page.wait_for_selector("#status-form", state="hidden")  # final: no further moves
    assert page.locator("#record-history .entry").count() == 5  # created, assign, 2 x status, note
    assert page.locator("#desk img").count() == 0 and dialogs == []
