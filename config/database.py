"""The one place that turns DATABASE_URL into a SQLAlchemy engine (gateway and reference back end share it)."""
from __future__ import annotations

from pathlib import Path

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.pool import QueuePool


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


# One session registry for the whole process; create_app binds it to the engine for DATABASE_URL
# and removes the request's session when the app context ends.
from sqlalchemy.orm import scoped_session, sessionmaker  # noqa: E402

Session = scoped_session(sessionmaker(future=True, expire_on_commit=False))


def bind_session(engine: Engine) -> None:
    Session.remove()
    Session.configure(bind=engine)
