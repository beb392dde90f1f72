"""Fixtures for the reference back end: its own app (backend/app.py) on a migrated database (SQLite or PostgreSQL through the shared `database_url` fixture), so
these tests do not depend on the gateway's other blueprints, Redis or Rasa."""
from __future__ import annotations


import pytest

API_KEY = "test-backend-key"
AUTH = {"Authorization": f"Bearer {API_KEY}"}


def make_id_number(first17: str) -> str:
    """A valid 18-character ID number from 17 digits (test data helper)."""
    from unionkit.pii import id_number_checksum

    return first17 + id_number_checksum(first17)


def build_backend_app(database_url: str, api_key: str = API_KEY):
    """The back end's own app factory on a migrated database (its own migrations)."""
    from backend.app import create_app
    from backend.migrate import upgrade
    from config.settings import Settings

    upgrade(database_url)
    app = create_app(Settings(backend_database_url=database_url, backend_api_key=api_key))
    app.config["TESTING"] = True
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
    engines = []

    def make(database_url: str, api_key: str = API_KEY):
        app = build_backend_app(database_url, api_key)
        engines.append(app.extensions["backend_db_engine"])
        return app

    yield make
    for engine in engines:
        engine.dispose()


@pytest.fixture()
def migrated(database_url) -> str:
    """database_url, upgraded to the back end's newest schema."""
    from backend.migrate import upgrade

    upgrade(database_url)
    return database_url


@pytest.fixture()
def backend_app(database_url):
    app = build_backend_app(database_url)
    yield app
    app.extensions["backend_db"].remove()
    app.extensions["backend_db_engine"].dispose()


@pytest.fixture()
def api(backend_app):
    return ApiClient(backend_app.test_client())
