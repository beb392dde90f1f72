"""The one place that turns a database URL into a SQLAlchemy engine and a per-app session registry
(the gateway's DATABASE_URL, the back end's BACKEND_DATABASE_URL)."""
from __future__ import annotations

from pathlib import Path

from flask import current_app
from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import scoped_session, sessionmaker
from sqlalchemy.pool import QueuePool
from werkzeug.local import LocalProxy


def make_engine(url: str) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        pool = {}
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
            # A pool of open connections, as SQLAlchemy 2 does for SQLite files (1.4 opens a new
            # one, with the pragmas below, for every session: a measurable part of every chat turn).
            pool = {"poolclass": QueuePool, "pool_size": 10, "max_overflow": 20}
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30}, future=True, **pool)

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record):  # pragma: no cover - trivial
            cur = dbapi_conn.cursor()
            # WAL lets several gateway workers read while one writes.
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.close()

        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20, future=True)


def init_app(app, database_url: str, key: str = "db") -> scoped_session:
    """A session registry of this app's own (app.extensions[key]; its engine at key + "_engine"),
    removed at the end of every app context. Nothing process-wide: two apps in one process (tests,
    the worker beside a web app) each keep theirs."""
    engine = make_engine(database_url)
    registry = scoped_session(sessionmaker(bind=engine, future=True, expire_on_commit=False))
    app.extensions[key + "_engine"] = engine
    app.extensions[key] = registry

    @app.teardown_appcontext
    def _remove_session(_exc):
        registry.remove()

    return registry


# The current app's session, the way Flask-SQLAlchemy's db.session works: code says Session.query(...)
# inside an app context and gets the session of the app it runs in.
Session = LocalProxy(lambda: current_app.extensions["db"])
