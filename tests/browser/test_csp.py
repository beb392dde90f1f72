"""The Content-Security-Policy (unionkit/web_headers.py) in a real browser: the chat, the login page,
the console and the admin pages with their charts work under it, with no console error and no CSP
violation; the login cookie is Secure (the live stack runs with the default) and the browser keeps
it on http://127.0.0.1; an inline script injected into a page is not run."""
from __future__ import annotations

from tests.browser.test_web_chat import send
from tests.integration.test_faq_live import create_staff

WATCH_VIOLATIONS = """window.__csp = [];
document.addEventListener('securitypolicyviolation', e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));"""


def watched_page(browser, **context_args):
    context = browser.new_context(locale="zh-CN", **context_args)
    context.add_init_script(WATCH_VIOLATIONS)
    page = context.new_page()
    page.set_default_timeout(20000)
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    return context, page, errors


def violations(page) -> list[str]:
    return page.evaluate("window.__csp")


def test_the_chat_works_under_the_policy(live_stack, browser):
    context, page, errors = watched_page(browser, viewport={"width": 390, "height": 844})
    response = page.goto(live_stack.gateway_url + "/")
    csp = response.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert response.headers["x-content-type-options"] == "nosniff"
    page.wait_for_selector("#quick-replies button")
    send(page, "你好", "")
    # An inline script is refused: the policy holds, it is not merely absent from the templates.
    page.evaluate("""() => { const s = document.createElement('script'); s.textContent = 'window.__ran = 1';
                              document.body.appendChild(s); }""")
    assert page.evaluate("window.__ran") is None
    assert any(v.startswith("script-src") for v in violations(page))
    page.evaluate("window.__csp = []")
    send(page, "会费多少", "")
    assert violations(page) == [] and [e for e in errors if "Content Security Policy" not in e] == []
    context.close()


def test_staff_pages_and_charts_work_under_the_policy(live_stack, browser):
    name, _token = create_staff(live_stack, password="s3cret-pass")
    context, page, errors = watched_page(browser, viewport={"width": 1280, "height": 900})
    page.goto(live_stack.gateway_url + "/login")
    page.fill("#name", name)
    page.fill("#password", "s3cret-pass")
    page.click("#login-submit")
    page.wait_for_url("**/admin")
    cookie = next(c for c in context.cookies() if c["name"] == "session")
    assert cookie["secure"] and cookie["httpOnly"]
    for path in ("/admin", "/admin/unanswered", "/admin/transfer", "/admin/stats"):
        page.goto(live_stack.gateway_url + path)
        page.wait_for_load_state("networkidle")
    page.wait_for_selector("canvas")
    assert page.evaluate("typeof Chart") == "function"  # chart.js ran from its static file
    assert violations(page) == [] and errors == []
    context.close()
