"""A staff member maintains the FAQ in a real headless browser: logs in, creates an entry, checks
it with "try it", and a worker asking its question in the web chat at / gets the new answer at
once (no retraining). The worker's thumbs-down lands on the unanswered page; the dashboard draws
its charts. Saves admin_faq.png and admin_stats.png (to SCREENSHOT_DIR, e.g. docs, when set)."""
from __future__ import annotations

import os
import tempfile
import uuid
from pathlib import Path

from tests.browser.test_web_chat import send
from tests.integration.test_faq_live import create_staff


def screenshot_path(name: str) -> str:
    """docs/ pictures are refreshed with SCREENSHOT_DIR=docs; by default they go to a temp dir."""
    folder = Path(os.environ.get("SCREENSHOT_DIR") or tempfile.gettempdir())
    return str(folder / name)


def staff_page(live_stack, browser):
    """(context, page) of a new staff member logged in at /admin."""
    name, _token = create_staff(live_stack, password="s3cret-pass")
    staff = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = staff.new_page()
    page.set_default_timeout(20000)
    page.goto(live_stack.gateway_url + "/login")
    page.fill("#name", name)
    page.fill("#password", "s3cret-pass")
    page.click("#login-submit")
    page.wait_for_url("**/admin")
    return staff, page


def test_staff_creates_an_entry_and_the_bot_answers_with_it(live_stack, browser):
    staff, page = staff_page(live_stack, browser)

    code = uuid.uuid4().hex[:6].upper()
    answer = f"职工电影票每季度发一次，凭会员卡到单位工会领取（批次 {code}）。有疑问拨打 12351。"
    page.click("#new-entry")
    page.fill("#question", "职工电影票怎么领")
    page.fill("#variants", "工会发的电影票在哪领\n观影券怎么领取")
    page.fill("#answer", answer)
    page.fill("#category", "会员服务")
    page.click("#save")
    page.locator(".flash", has_text="已新建").wait_for()
    page.locator("table.entries td", has_text="职工电影票怎么领").first.wait_for()

    page.fill("#try-input", "工会的电影票去哪里领")
    page.click("#try-button")
    result = page.locator("#try-result")
    result.locator("td", has_text="职工电影票怎么领").first.wait_for()
    assert "会直接回答" in result.inner_text()
    page.screenshot(path=screenshot_path("admin_faq.png"), full_page=True)

    # A worker in the web chat gets the new answer.
    worker = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN", is_mobile=True)
    chat = worker.new_page()
    chat.set_default_timeout(20000)
    chat.goto(live_stack.gateway_url + "/")
    chat.wait_for_selector("#quick-replies button")
    send(chat, "职工电影票怎么领", code)
    reply = chat.locator("#messages .msg.bot", has_text=code).last
    assert reply.locator(".text").inner_text() == answer

    # The worker finds it unhelpful: the question shows up for staff.
    reply.locator(".feedback").wait_for()  # appears once the transcript gave the reply its id
    reply.locator(".feedback").click()
    chat.locator("#notice:not([hidden])").wait_for()
    page.goto(live_stack.gateway_url + "/admin/unanswered")
    page.locator(".group h3", has_text="职工电影票怎么领").wait_for()

    # The dashboard draws its charts with the Chart.js the app serves itself.
    page.goto(live_stack.gateway_url + "/admin/stats")
    page.wait_for_function("() => ['chart-days', 'chart-intents', 'chart-faq'].every(id => window.Chart.getChart(id))")
    assert int(page.locator("#fig-messages").inner_text()) >= 1  # the worker above
    assert "vendor/chart.umd.min.js" in page.content() and "cdn" not in page.content().lower()
    page.screenshot(path=screenshot_path("admin_stats.png"), full_page=True)
    staff.close()
    worker.close()
