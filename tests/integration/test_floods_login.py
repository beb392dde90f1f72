"""Login protection and officer sessions on the real Redis: backoff per account name and per address
after repeated failures (audited, the same for names that do not exist), unknown names answered as
slowly as real ones, the idle logout enforced server-side, logout revoking the session, and the
CSRF token renewed through /api/csrf-token."""
from __future__ import annotations

import datetime as dt
import re
import statistics
import time

import pytest
import redis

from bot.floods.policy import FloodPolicy
from bot.models import AuditLog
from config.database import Session
from config.settings import Settings

LOGIN = FloodPolicy.load(Settings()).login
FREE = LOGIN["account_free_failures"]


@pytest.fixture()
def app(make_app):
    # Only the backoff under test: the per-address request limit (10/minute) is tested on its own.
    app = make_app(rate_limits={"login_per_address": "1000/minute"})
    app.config["WTF_CSRF_ENABLED"] = True
    with app.app_context():
        from bot.accounts.service import create_user

        create_user("wang", "officer", "right-password")
    return app


def csrf_from(html: str) -> str:
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)


def log_in(client, name, password, address="10.2.0.1"):
    token = csrf_from(client.get("/login").get_data(as_text=True))
    return client.post("/login", data={"name": name, "password": password, "csrf_token": token},
                       environ_base={"REMOTE_ADDR": address})


def audited(app, action):
    with app.app_context():
        return [(a.actor, (a.detail or {}).get("address")) for a in Session.query(AuditLog).filter_by(action=action)]


@pytest.mark.parametrize("name", ["wang", "nobody-by-this-name"])
def test_repeated_failures_lock_the_name_out_known_or_not(app, name):
    client = app.test_client()
    for _ in range(FREE):
        assert log_in(client, name, "guess").status_code == 401
    started = log_in(client, name, "guess")  # one over: the lockout starts
    assert started.status_code == 401
    locked = log_in(client, name, "right-password")
    assert locked.status_code == 429 and "登录尝试太多" in locked.get_data(as_text=True)
    assert "1 分钟后再试" in locked.get_data(as_text=True) and int(locked.headers["Retry-After"]) >= 1
    assert audited(app, "login_failed") == [(name, "10.2.0.1")] * (FREE + 1)
    assert audited(app, "login_refused") == [(name, "10.2.0.1")]
    # Another account from the same address is not locked by it.
    assert log_in(client, "someone-else", "guess").status_code == 401


def test_the_lockout_doubles_and_a_success_clears_the_count(app):
    client = app.test_client()
    r = redis.Redis.from_url(app.config["SETTINGS"].redis_url, decode_responses=True)
    for _ in range(FREE + 1):
        log_in(client, "wang", "guess")
    first = max(r.ttl(k) for k in r.scan_iter("login:lock:account:*"))
    r.delete(*r.scan_iter("login:lock:account:*"))  # the first lockout has run out
    log_in(client, "wang", "guess")
    second = max(r.ttl(k) for k in r.scan_iter("login:lock:account:*"))
    assert first <= LOGIN["lockout_seconds"] < second <= 2 * LOGIN["lockout_seconds"]
    r.delete(*r.scan_iter("login:lock:account:*"))
    assert log_in(client, "wang", "right-password").status_code == 302
    assert not list(r.scan_iter("login:fail:account:*"))


def test_many_names_from_one_address_lock_the_address(app):
    client = app.test_client()
    for i in range(LOGIN["address_free_failures"] + 1):
        assert log_in(client, f"user{i}", "guess", address="10.2.0.9").status_code == 401
    assert log_in(client, "wang", "right-password", address="10.2.0.9").status_code == 429
    assert log_in(client, "wang", "right-password", address="10.2.0.10").status_code == 302


def test_login_requests_per_address_are_limited(make_app):
    app = make_app()
    client = app.test_client()
    token = csrf_from(client.get("/login").get_data(as_text=True))
    allowed = int(re.match(r"(\d+)/minute", FloodPolicy.load(Settings()).limit("login_per_address")).group(1))
    codes = [client.post("/login", data={"name": f"x{i}", "password": "y", "csrf_token": token}).status_code
             for i in range(allowed + 1)]
    assert codes == [401] * allowed + [429]
    assert "这个网络登录尝试太多" in client.post("/login", data={"csrf_token": token}).get_data(as_text=True)


def test_unknown_names_take_as_long_as_real_ones(app):
    client = app.test_client()
    log_in(client, "warm-up", "guess", address="10.2.1.1")  # the dummy hash is made on first use

    def timed(name, address):
        started = time.perf_counter()
        assert log_in(client, name, "guess", address=address).status_code == 401
        return time.perf_counter() - started

    known = [timed("wang", f"10.2.2.{i}") for i in range(4)]
    unknown = [timed(f"ghost{i}", f"10.2.3.{i}") for i in range(4)]
    ratio = statistics.median(unknown) / statistics.median(known)
    # Before the dummy hash, an unknown name answered about ten times faster.
    assert 0.5 < ratio < 2.0, (known, unknown)


def logged_in_client(app):
    client = app.test_client()
    assert log_in(client, "wang", "right-password").status_code == 302
    return client


def test_idle_lifetime_is_thirty_minutes_and_enforced_server_side(app):
    assert app.config["PERMANENT_SESSION_LIFETIME"] == dt.timedelta(minutes=30)
    client = app.test_client()
    resp = log_in(client, "wang", "right-password")
    expires = re.search(r"Expires=([^;]+)", resp.headers["Set-Cookie"]).group(1)
    left = dt.datetime.strptime(expires, "%a, %d %b %Y %H:%M:%S GMT") - dt.datetime.utcnow()
    assert dt.timedelta(minutes=29) < left <= dt.timedelta(minutes=30)
    assert client.get("/api/console/handoffs").status_code == 200

    r = redis.Redis.from_url(app.config["SETTINGS"].redis_url, decode_responses=True)
    [key] = r.scan_iter("login:session:*")
    assert 1790 <= r.ttl(key) <= 1800
    r.expire(key, 100)
    # The console's background polls do not count as activity; the officer's own requests do.
    assert client.get("/api/console/handoffs", headers={"X-Console-Poll": "1"}).status_code == 200
    assert r.ttl(key) <= 100
    assert client.get("/api/console/handoffs").status_code == 200
    assert r.ttl(key) > 1700
    r.delete(key)  # what 30 idle minutes leave: the signed cookie is still valid, the login is not
    assert client.get("/api/console/handoffs").status_code == 401
    assert client.get("/console").status_code == 302


def test_a_cookie_copied_before_logout_no_longer_works(app):
    client = logged_in_client(app)
    copied = client.get_cookie("session").value
    token = re.search(r'name="csrf-token" content="([^"]+)"', client.get("/console").get_data(as_text=True)).group(1)
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302
    thief = app.test_client()
    thief.set_cookie("session", copied)
    assert thief.get("/api/console/handoffs").status_code == 401
    assert thief.get("/console").status_code == 302


def test_an_expired_csrf_token_is_refused_with_a_code_and_renewed(make_app):
    app = make_app(csrf_time_limit=1)
    app.config["WTF_CSRF_ENABLED"] = True
    with app.app_context():
        from bot.accounts.service import create_user

        create_user("li", "officer", "right-password")
    client = app.test_client()
    token = csrf_from(client.get("/login").get_data(as_text=True))
    client.post("/login", data={"name": "li", "password": "right-password", "csrf_token": token})
    page_token = re.search(r'name="csrf-token" content="([^"]+)"', client.get("/console").get_data(as_text=True)).group(1)
    time.sleep(2.1)
    stale = client.post("/api/console/handoffs/1/claim", json={}, headers={"X-CSRFToken": page_token})
    assert stale.status_code == 400 and stale.get_json()["error"] == "csrf_failed"
    assert stale.get_json()["message"] == "页面已过期，请刷新后再试。"
    fresh = client.get("/api/csrf-token").get_json()["csrf_token"]
    assert client.post("/api/console/handoffs/1/claim", json={}, headers={"X-CSRFToken": fresh}).status_code == 404
