"""The rating in real headless browsers against the live stack: a worker's web chat shows the
notice of a resolved case and the rating buttons (five, then 是/否, then the comment choice), a
1分 / 否 opens a review task that the officer finds and opens on the desk, and the staff's
statistics page draws the CSAT, on-time and median charts (Chart.js from the app, no inline
script). Saves admin_stats.png (SCREENSHOT_DIR, e.g. docs, when set)."""
from __future__ import annotations

import requests

from tests.browser.test_admin_faq import screenshot_path, staff_page
from tests.browser.test_console import log_in, officer_page  # noqa: F401  (fixture)
from tests.browser.test_web_chat import tap
from tests.e2e.test_handoff_e2e import Officer, create_officer


def test_worker_rates_in_the_chat_and_the_review_and_the_charts_show(live_stack, browser, officer_page):  # noqa: F811
    worker = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN", is_mobile=True)
    chat = worker.new_page()
    chat.set_default_timeout(20000)
    chat.goto(live_stack.gateway_url + "/")
    chat.wait_for_selector("#quick-replies button")
    chat.wait_for_function("() => !!window.localStorage.getItem('session_id')")
    session_id = chat.evaluate("() => window.localStorage.getItem('session_id')")

    resp = requests.post(f"{live_stack.backend_url}/v1/cases", timeout=10, json={
        "type": "hardship_aid", "phone": "13700002222", "summary": "家里有病人，申请困难帮扶", "channel": "web",
        "channel_user": f"web:{session_id}"}, headers={"Authorization": f"Bearer {live_stack.backend_key}"})
    number = resp.json()["number"]
    name, token = create_officer(live_stack, teams="general,hardship", password="s3cret-pass", display_name="赵干事")
    officer = Officer(live_stack, token)
    assert officer.post(f"/records/{number}/assign").status_code == 200
    for status in ("in_progress", "resolved"):
        assert officer.post(f"/records/{number}/status", {"status": status, "message": "补助已发放"}).status_code == 200

    # The widget polls the transcript: the notice, then the question with five buttons.
    chat.locator("#messages .msg.bot", has_text="已办结").filter(has_text=number).first.wait_for()
    ask = chat.locator("#messages .msg.bot", has_text="打个分").last
    ask.wait_for()
    assert ask.locator(".buttons button").count() == 5
    tap(chat, "1分 很不满意", "问题解决了吗")
    tap(chat, "否", "还有想对我们说的吗")
    tap(chat, "不用了", "回访")

    # The officer finds the review task on the desk and opens it.
    page = officer_page
    log_in(page, live_stack, name, "s3cret-pass")
    page.click("#desk-tab")
    page.locator("#desk-kind").select_option("review")
    item = page.locator("#desk-list li.record").filter(has_text=number).first
    item.wait_for()
    item.click()
    page.wait_for_selector("#record-data")
    data = page.inner_text("#record-data")
    assert "满意度" in data and "1" in data and "否" in data and number in data
    assert "回访" in page.inner_text("#record-title")

    # The statistics page draws the desk's charts.
    staff, stats = staff_page(live_stack, browser)
    stats.goto(live_stack.gateway_url + "/admin/stats")
    stats.wait_for_function(
        "() => ['chart-csat', 'chart-ontime', 'chart-medians'].every(id => window.Chart.getChart(id))")
    ones = stats.evaluate("() => window.Chart.getChart('chart-csat').data.datasets[0].data[0]")
    assert ones >= 1
    assert stats.inner_text("#fig-csat") != "—" and "%" in stats.inner_text("#fig-fcr")
    stats.screenshot(path=screenshot_path("admin_stats.png"), full_page=True)
    staff.close()
    worker.close()
