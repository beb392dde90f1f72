"""Security headers on every answer (unionkit/web_headers.py), and Secure login cookies by default."""
from __future__ import annotations

import pytest

from config.settings import Settings
from tests.integration.test_accounts import create, csrf_from


@pytest.mark.parametrize("path", ["/", "/login", "/console", "/admin", "/api/chat/messages", "/nowhere",
                                  "/static/chat.js", "/healthz", "/wechat"])
def test_every_answer_carries_the_headers(make_app, path):
    resp = make_app().test_client().get(path)
    csp = resp.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "'unsafe-inline'" not in csp and "'unsafe-eval'" not in csp
    assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
    assert resp.headers["X-Frame-Options"] == "DENY"
    assert resp.headers["X-Content-Type-Options"] == "nosniff"
    assert resp.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert "Strict-Transport-Security" not in resp.headers  # plain-HTTP settings


def test_no_template_has_an_inline_script_or_handler():
    """Inline code would be blocked by the policy: scripts are static files, data sits in JSON blocks."""
    import re

    from config.settings import PROJECT_ROOT

    for template in (PROJECT_ROOT / "web" / "templates").rglob("*.html"):
        html = template.read_text(encoding="utf-8")
        for tag in re.findall(r"<script\b[^>]*>", html):
            assert "src=" in tag or 'type="application/json"' in tag, (template.name, tag)
        assert not re.search(r"\son[a-z]+\s*=", html), template.name
        assert "javascript:" not in html and "style=" not in html, template.name


def test_login_cookies_are_secure_by_default_outside_make_run(make_app):
    assert Settings.from_env({}).session_cookie_secure is True
    assert Settings.from_env({"SESSION_COOKIE_SECURE": "0"}).session_cookie_secure is False
    app = make_app(session_cookie_secure=True)
    create(app, "zhao", role="staff")
    client = app.test_client()
    token = csrf_from(client.get("/login", base_url="https://localhost").get_data(as_text=True))
    # Over HTTPS Flask-WTF also wants a same-origin Referer, which the Referrer-Policy keeps sending.
    resp = client.post("/login", data={"name": "zhao", "password": "s3cret-pass", "csrf_token": token},
                       base_url="https://localhost", headers={"Referer": "https://localhost/login"})
    assert resp.status_code == 302, resp.get_data(as_text=True)[:300]
    cookie = next(v for v in resp.headers.getlist("Set-Cookie") if v.startswith("session="))
    assert "Secure" in cookie and "HttpOnly" in cookie
    assert resp.headers["Strict-Transport-Security"].startswith("max-age=")


def test_make_run_serves_plain_http_cookies():
    import re

    from config.settings import PROJECT_ROOT

    stack = (PROJECT_ROOT / "scripts" / "stack.py").read_text(encoding="utf-8")
    assert re.search(r'env\.setdefault\("SESSION_COOKIE_SECURE", "0"\)', stack)
