"""Login and logout for officers, staff and admins (flask-login sessions, CSRF-protected forms)."""
from __future__ import annotations

import datetime as dt
from functools import wraps
from urllib.parse import urlparse

from flask import Blueprint, abort, redirect, render_template, request, session, url_for
from flask_login import LoginManager, current_user, login_user, logout_user
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length

from bot.accounts.service import audit, role_allows, verify_password
from bot.models import User
from config.database import Session

bp = Blueprint("accounts", __name__)
login_manager = LoginManager()
login_manager.login_view = "accounts.login"
# Idle officers are logged out; each request pushes the deadline forward.
SESSION_IDLE_MINUTES = 30


class LoginForm(FlaskForm):
    name = StringField("name", validators=[DataRequired(), Length(max=80)])
    password = PasswordField("password", validators=[DataRequired(), Length(max=200)])


@login_manager.user_loader
def _load_user(user_id: str) -> User | None:
    user = Session.get(User, int(user_id))
    return user if user and user.active else None


def init_app(app) -> None:
    app.config.setdefault("PERMANENT_SESSION_LIFETIME", dt.timedelta(minutes=SESSION_IDLE_MINUTES))
    login_manager.init_app(app)


def home_for(user: User) -> str:
    return url_for("console.index") if user.role == "officer" else url_for("admin.index")


def _home_or_root(user: User) -> str:
    from werkzeug.routing import BuildError

    try:
        return home_for(user)
    except BuildError:  # an area whose pages are not registered in this app
        return "/"


def _safe_next(target: str | None) -> str | None:
    if not target:
        return None
    parsed = urlparse(target)
    return target if not parsed.netloc and not parsed.scheme and target.startswith("/") else None


@bp.route("/login", methods=["GET", "POST"])
def login():
    form = LoginForm()
    failed = False
    if form.validate_on_submit():
        user = verify_password(form.name.data.strip(), form.password.data)
        if user:
            session.permanent = True
            login_user(user)
            audit(user.name, "login")
            return redirect(_safe_next(request.args.get("next")) or _home_or_root(user))
        failed = True
    return render_template("login.html", form=form, failed=failed), (401 if failed else 200)


@bp.post("/logout")
def logout():
    if current_user.is_authenticated:
        audit(current_user.name, "logout")
    logout_user()
    return redirect(url_for("accounts.login"))


def page_role_required(*roles: str):
    """For HTML pages: log in first (redirect), then the role must fit (403)."""

    def decorator(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if not role_allows(current_user, roles):
                abort(403)
            return view(*args, **kwargs)

        return wrapper

    return decorator
