"""A worker joins the union in a real headless browser on a phone-sized screen."""
import os
import re
from pathlib import Path

import requests

from tests.identities import fresh_id_number

PHONE = {"width": 390, "height": 844}
# True once the bot has answered with something new that contains `want`.
NEW_BOT_MESSAGE_SAYS = """([n, want]) => Array.from(document.querySelectorAll('#messages .msg.bot'))
    .slice(n).some(m => m.innerText.includes(want))"""


def send(page, text: str, expect: str) -> None:
    page.wait_for_selector("#typing", state="hidden")
    before = page.locator("#messages .msg.bot").count()
    page.fill("#input", text)
    page.click("#send")
    page.wait_for_function(NEW_BOT_MESSAGE_SAYS, arg=[before, expect])


def tap(page, title: str, expect: str) -> None:
    before = page.locator("#messages .msg.bot").count()
    page.locator("#messages .buttons").last.get_by_role("button", name=title, exact=True).click()
    page.wait_for_function(
        NEW_BOT_MESSAGE_SAYS, arg=[before, expect])


def test_join_in_the_browser(live_stack, browser, tmp_path):
    context = browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True)
    page = context.new_page()
    page.set_default_timeout(20000)
    page.goto(live_stack.gateway_url + "/")
    page.wait_for_selector("#quick-replies button")
    id_number = fresh_id_number()

    send(page, "我想入会", "姓名")
    send(page, "刘洋", "同意")
    tap(page, "同意", "身份证号")
    send(page, id_number[:-1] + ("1" if id_number[-1] == "0" else "0"), "校验位")
    send(page, id_number, "手机号")
    send(page, "13912345678", "单位")
    send(page, "中建三局", "行业")
    tap(page, "建筑业", "确认提交")
    # SCREENSHOT_DIR=docs refreshes the picture in the README; by default it goes to a temp dir.
    page.screenshot(path=str(Path(os.environ.get("SCREENSHOT_DIR", tmp_path)) / "web_chat.png"))
    tap(page, "确认提交", "3 个工作日")
    # The number is in the confirmation; a later message (a progress notice) may already follow it.
    confirmation = next(t for t in page.locator("#messages .msg.bot").all_inner_texts() if "3 个工作日" in t)
    number = re.search(r"RH\d{8}-[A-Z0-9]{4,8}", confirmation).group(0)
    assert live_stack.backend_get(f"/v1/membership-applications/{number}").json()["name"] == "刘洋"

    # A reload keeps the conversation (the session lives in localStorage), and nothing shows twice.
    page.reload()
    page.wait_for_function("() => document.querySelectorAll('#messages .msg.bot').length > 5")
    texts = page.locator("#messages .msg").all_inner_texts()
    assert sum(number in t for t in texts) == 1
    context.close()


def test_worker_text_is_shown_as_text(live_stack, page):
    page.goto(live_stack.gateway_url + "/")
    page.wait_for_selector("#quick-replies button")
    page.fill("#input", "<img src=x onerror=alert(1)>")
    page.click("#send")
    page.wait_for_selector("#messages .msg.user")
    assert page.locator("#messages .msg.user").last.inner_text().strip().endswith("<img src=x onerror=alert(1)>")
    assert page.locator("#messages img[src=x]").count() == 0


def test_a_lost_answer_is_sent_again_and_answered_once(live_stack, page):
    """The gateway answered but the answer never reached the phone (a dropped connection, a host
    gone): the page sends the message again with the same retry_key and shows one answer."""
    posts = []

    def lose_the_first_answer(route):
        if route.request.method != "POST":
            route.continue_()
            return
        posts.append(route.request.post_data_json)
        answered = route.fetch()  # the gateway took the message and answered ...
        if len(posts) == 1:
            route.abort("connectionreset")  # ... and the answer was lost on the way
        else:
            route.fulfill(response=answered)

    page.route("**/api/chat/messages", lose_the_first_answer)
    page.goto(live_stack.gateway_url + "/")
    page.wait_for_selector("#quick-replies button")
    send(page, "我想提个建议", "建议")
    assert len(posts) == 2 and posts[0]["retry_key"] == posts[1]["retry_key"]
    session_id = page.evaluate("localStorage.getItem('session_id')")
    token = page.evaluate("localStorage.getItem('token')")
    transcript = requests.get(f"{live_stack.gateway_url}/api/chat/messages", params={"session_id": session_id},
                              headers={"Authorization": f"Bearer {token}"}, timeout=10).json()["messages"]
    assert [m["text"] for m in transcript if m["role"] == "user"] == ["我想提个建议"]
    page.wait_for_timeout(2500)  # a poll or two: nothing is drawn twice
    assert page.locator("#messages .msg.user").count() == 1
    assert page.locator("#messages .msg.bot").count() == len([m for m in transcript if m["role"] == "bot"])
