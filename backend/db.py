"""The back end's database session: a registry of this app's own (config.database.init_app under
app.extensions["backend_db"]), never a process-wide one."""
from __future__ import annotations

from flask import Flask, current_app

from config import database


def init_app(app: Flask, database_url: str) -> None:
    database.init_app(app, database_url, key="backend_db")


def db():
    """This app's session for the current request (thread)."""
    return current_app.extensions["backend_db"]
