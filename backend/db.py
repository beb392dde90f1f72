"""The back end's database session: one registry per app, in app.extensions (no process-wide
session, so two apps in one process never share or rebind one)."""
from __future__ import annotations

from flask import Flask, current_app
from sqlalchemy.orm import scoped_session, sessionmaker

from config.database import make_engine


def init_app(app: Flask, database_url: str) -> None:
    engine = make_engine(database_url)
    app.extensions["backend_engine"] = engine
    app.extensions["backend_db"] = scoped_session(sessionmaker(bind=engine, future=True, expire_on_commit=False))

    @app.teardown_appcontext
    def _remove_session(_exc):
        app.extensions["backend_db"].remove()


def db():
    """This app's session for the current request (thread)."""
    return current_app.extensions["backend_db"]
