"""Fixtures for the reference back end: a small Flask app with only the back end blueprint,
on a migrated database (SQLite or PostgreSQL through the shared `database_url` fixture), so
these tests do not depend on the gateway's other blueprints, Redis or Rasa."""
from __future__ import annotations

import sys
import types

import pytest

API_KEY = "test-backend-key"
AUTH = {"Authorization": f"Bearer {API_KEY}"}


def make_id_number(first17: str) -> str:
    """A valid 18-character ID number from 17 digits (test data helper)."""
    from backend.validation import id_number_checksum

    return first17 + id_number_checksum(first17)


def _ensure_bot_models_importable() -> None:
    # migrations/env.py imports bot.models (the gateway's tables). If that module is not
    # importable yet, stand in an empty metadata so the back end's migration still runs.
    try:
        import bot.models  # noqa: F401
    except ModuleNotFoundError as exc:
        if exc.name not in {"bot.models", "bot"}:
            raise
        from sqlalchemy.orm import declarative_base

        stub = types.ModuleType("bot.models")
        stub.Base = declarative_base()
        sys.modules["bot.models"] = stub


def build_backend_app(database_url: str, api_key: str = API_KEY):
    from flask import Flask

    from backend.api import bp
    from config.database import Session, bind_session, make_engine
    from config.migrate import upgrade
    from config.settings import Settings

    _ensure_bot_models_importable()
    upgrade(database_url)
    engine = make_engine(database_url)
    bind_session(engine)
    app = Flask("backend_test")
    app.config.update(SETTINGS=Settings(database_url=database_url, backend_api_key=api_key), TESTING=True)
    app.register_blueprint(bp, url_prefix="/union-api")

    @app.teardown_appcontext
    def _remove_session(_exc):
        Session.remove()

    app.extensions["db_engine"] = engine
    return app


class ApiClient:
    """Flask test client that adds the bearer key and the /union-api prefix."""

    def __init__(self, client, headers=None):
        self.client = client
        self.headers = AUTH if headers is None else headers

    def _call(self, method, path, **kwargs):
        headers = {**self.headers, **kwargs.pop("headers", {})}
        return getattr(self.client, method)("/union-api" + path, headers=headers, **kwargs)

    def get(self, path, **kw):
        return self._call("get", path, **kw)

    def post(self, path, **kw):
        return self._call("post", path, **kw)

    def patch(self, path, **kw):
        return self._call("patch", path, **kw)


@pytest.fixture()
def auth_headers() -> dict:
    return dict(AUTH)


@pytest.fixture()
def backend_app_factory():
    """build_backend_app(database_url, api_key=...) for tests that need special settings."""
    from config.database import Session

    engines = []

    def make(database_url: str, api_key: str = API_KEY):
        app = build_backend_app(database_url, api_key)
        engines.append(app.extensions["db_engine"])
        return app

    yield make
    Session.remove()
    for engine in engines:
        engine.dispose()


@pytest.fixture()
def migrated(database_url) -> str:
    """database_url, upgraded to the newest schema."""
    from config.migrate import upgrade

    _ensure_bot_models_importable()
    upgrade(database_url)
    return database_url


@pytest.fixture()
def backend_app(database_url):
    from config.database import Session

    app = build_backend_app(database_url)
    yield app
    Session.remove()
    app.extensions["db_engine"].dispose()


@pytest.fixture()
def api(backend_app):
    return ApiClient(backend_app.test_client())
