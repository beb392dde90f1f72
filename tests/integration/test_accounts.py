"""Accounts: the users CLI, hashed passwords, login with CSRF, bearer tokens."""
import re

import pytest

from bot.models import AuditLog, User
from config.database import Session


@pytest.fixture()
def app(make_app):
    app = make_app()
    app.config["WTF_CSRF_ENABLED"] = True
    return app


def create(app, name="wang", role="officer", password="s3cret-pass"):
    result = app.test_cli_runner().invoke(args=["users", "create", name, "--role", role, "--password", password])
    assert result.exit_code == 0, result.output
    return re.search(r"token: (\S+)", result.output).group(1)


def csrf_from(html: str) -> str:
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)


def test_cli_creates_account_with_hashed_password(app):
    token = create(app)
    with app.app_context():
        user = Session.query(User).filter_by(name="wang").one()
        assert user.role == "officer"
        assert "s3cret-pass" not in user.password_hash and user.password_hash.startswith(("scrypt:", "pbkdf2:"))
        assert token not in (user.token_hash or "")
    again = app.test_cli_runner().invoke(args=["users", "create", "wang", "--role", "staff", "--password", "x" * 9])
    assert again.exit_code != 0 and "already exists" in again.output


def test_login_needs_csrf_token_and_right_password(app):
    create(app)
    client = app.test_client()
    # No CSRF token: refused even with the right password.
    assert client.post("/login", data={"name": "wang", "password": "s3cret-pass"}).status_code == 400
    page = client.get("/login")
    token = csrf_from(page.get_data(as_text=True))
    bad = client.post("/login", data={"name": "wang", "password": "wrong", "csrf_token": token})
    assert bad.status_code == 401 and "用户名或密码不对" in bad.get_data(as_text=True)
    ok = client.post("/login", data={"name": "wang", "password": "s3cret-pass", "csrf_token": token})
    assert ok.status_code == 302
    with app.app_context():
        assert Session.query(AuditLog).filter_by(actor="wang", action="login").count() == 1


def test_login_redirect_stays_on_this_site(app):
    create(app)
    client = app.test_client()
    token = csrf_from(client.get("/login").get_data(as_text=True))
    resp = client.post("/login?next=https://evil.example/x",
                       data={"name": "wang", "password": "s3cret-pass", "csrf_token": token})
    assert "evil.example" not in resp.headers["Location"]
