"""The console renews an expired CSRF token by itself: an officer whose page outlived its token
(CSRF_TIME_LIMIT shortened to 3 s on a gateway of the deployment) claims a chat, the first POST is
refused with csrf_failed, console.js fetches /api/csrf-token and the claim goes through, no reload."""
from __future__ import annotations

import time

from tests.e2e.test_handoff_e2e import Officer, create_officer
from tests.fakes.wechat_gateway import api  # noqa: F401 (fixture)
from tests.fakes.wechat_gateway import WeChatGateway
from tests.live_stack import WebChat

CSRF_SECONDS = 3


def test_claim_after_the_token_expired_renews_it_and_succeeds(live_stack, api, browser):
    gw = WeChatGateway(live_stack, api, "csrf-short", CSRF_TIME_LIMIT=CSRF_SECONDS).start()
    context = browser.new_context(viewport={"width": 1280, "height": 860}, locale="zh-CN")
    try:
        name, token = create_officer(live_stack, password="s3cret-pass")
        page = context.new_page()
        page.set_default_timeout(15000)
        seen = []
        page.on("response", lambda r: seen.append((r.request.method, r.url.split("?")[0], r.status)))
        page.goto(gw.url + "/login")
        page.fill("#name", name)
        page.fill("#password", "s3cret-pass")
        page.click("#login-submit")
        page.wait_for_url("**/console")

        chat = WebChat(gw.url)
        chat.say_text("转人工")
        handoff_id = Officer(live_stack, token).waiting_for(chat.session_id)["id"]
        item = page.locator(f'#queue li.handoff[data-id="{handoff_id}"]')
        item.wait_for()
        time.sleep(CSRF_SECONDS + 1.5)  # the page's token has expired

        item.click()
        page.wait_for_selector("#claim:visible")
        page.click("#claim")
        page.wait_for_selector("#reply-form:visible")  # claimed, without a reload
        claim = f"{gw.url}/api/console/handoffs/{handoff_id}/claim"
        assert [s for m, u, s in seen if m == "POST" and u == claim] == [400, 200]
        assert ("GET", f"{gw.url}/api/csrf-token", 200) in seen
        active = Officer(live_stack, token).get(status="active").json()
        assert [h["officer"] for h in active if h["id"] == handoff_id] == [name]
    finally:
        context.close()
        gw.stop()
