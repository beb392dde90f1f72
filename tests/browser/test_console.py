"""An officer runs the console in a real headless browser: logs in, sees a new handoff appear
without reloading (badge), claims it, replies, and a worker message that looks like HTML is shown
as text. Saves console.png (to SCREENSHOT_DIR, e.g. docs, when set; else a temp dir). A worker in the real web chat page sees the officer's reply
within 2 seconds, without a reload."""
from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from unionkit import texts
from tests.e2e.test_handoff_e2e import Officer, create_officer, wait_for_message

XSS = "<img src=x onerror=alert(1)>"


def log_in(page, live_stack, name: str, password: str) -> None:
    page.goto(live_stack.gateway_url + "/login")
    page.fill("#name", name)
    page.fill("#password", password)
    page.click("#login-submit")
    page.wait_for_url("**/console")


@pytest.fixture()
def officer_page(browser):
    """An officer's desktop browser in China (the console shows local times)."""
    context = browser.new_context(viewport={"width": 1280, "height": 860}, locale="zh-CN",
                                  timezone_id="Asia/Shanghai")
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()


def test_officer_takes_a_chat_in_the_console(live_stack, officer_page, web_chat, tmp_path):
    page = officer_page
    name, token = create_officer(live_stack, password="s3cret-pass", display_name="王老师")
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    log_in(page, live_stack, name, "s3cret-pass")
    page.wait_for_selector("#queue li")  # the first poll has drawn the queue

    # A worker starts joining the union, then asks for a person; the handoff appears by itself.
    chat = web_chat()
    chat.say_text("我想入会")
    chat.say_text("张伟")
    chat.say_text("转人工")
    chat.say_text("我的单位不给我交社保，能入会吗？")
    chat.say_text(XSS)
    handoff_id = Officer(live_stack, token).waiting_for(chat.session_id)["id"]
    item = page.locator(f'#queue li.handoff[data-id="{handoff_id}"]')
    item.wait_for()
    assert page.locator("#new-badge").is_visible() and int(page.locator("#new-badge").inner_text()) >= 1

    item.click()
    page.wait_for_selector("#claim:visible")
    page.click("#claim")
    page.wait_for_selector("#reply-form:visible")
    assert page.locator('#form-data dd[data-field="name"]').inner_text() == "张伟"

    reply = "您好，我是工会工作人员。没交社保也可以入会，我帮您看看。"
    page.fill("#reply-text", reply)
    sent_at = time.monotonic()
    page.click("#send")
    assert wait_for_message(chat, "officer", reply) + (time.monotonic() - sent_at) < 4.0
    page.locator("#transcript .msg.officer .text", has_text="没交社保也可以入会").wait_for()

    # The worker's HTML-looking message is text: no image element, no script ran.
    shown = page.locator("#transcript .msg.user .text", has_text="<img")
    assert shown.inner_text() == XSS
    assert page.locator("#transcript img, #queue img").count() == 0 and dialogs == []
    page.locator("#canned").select_option("hotline")
    assert "12351" in page.input_value("#reply-text")
    page.fill("#note-text", "职工问社保与入会，已解答")
    page.click("#add-note")
    page.locator("#notes .note", has_text="已解答").wait_for()
    page.wait_for_selector("#notice", state="hidden")
    page.screenshot(path=str(Path(os.environ.get("SCREENSHOT_DIR", tmp_path)) / "console.png"))

    # Close with an outcome: the bot takes the chat back and greets the worker.
    page.locator("#outcome").select_option("resolved")
    page.click("#close")
    wait_for_message(chat, "bot", texts.text("utter_handoff_back"), timeout=5)
    page.wait_for_selector("#reply-form", state="hidden")


def test_officer_reply_shows_in_the_web_chat_within_two_seconds(live_stack, browser):
    officer = Officer(live_stack, create_officer(live_stack)[1])
    officer.get()  # on the console: online
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN", is_mobile=True,
                                  has_touch=True)
    page = context.new_page()
    page.set_default_timeout(20000)
    try:
        page.goto(live_stack.gateway_url + "/")
        page.wait_for_selector("#quick-replies button")
        page.fill("#input", "转人工")
        page.click("#send")
        page.locator("#messages .msg.bot", has_text="12351").first.wait_for()
        session_id = page.evaluate("window.localStorage.getItem('session_id')")
        handoff_id = officer.waiting_for(session_id)["id"]
        assert officer.post(f"/handoffs/{handoff_id}/claim").status_code == 200

        reply = "您好，我是工会工作人员，请问您遇到了什么问题？"
        started = time.monotonic()
        assert officer.post(f"/handoffs/{handoff_id}/messages", {"text": reply}).status_code == 201
        page.locator("#messages .msg.officer", has_text=reply).wait_for(timeout=2000)  # no reload
        assert time.monotonic() - started < 2.0

        assert officer.post(f"/handoffs/{handoff_id}/close", {"outcome": "resolved"}).status_code == 200
        page.locator("#messages .msg.bot", has_text=texts.text("utter_handoff_back")[:12]).wait_for(timeout=3000)
    finally:
        context.close()
