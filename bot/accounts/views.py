"""Login and logout for officers, staff and admins (flask-login sessions, CSRF-protected forms)."""
from __future__ import annotations

import datetime as dt
from functools import wraps
from urllib.parse import urlparse

from flask import Blueprint, abort, current_app, jsonify, redirect, render_template, request, session, url_for
from flask_login import LoginManager, current_user, login_user, logout_user
from flask_wtf import FlaskForm
from flask_wtf.csrf import CSRFError, generate_csrf
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length

from bot.accounts.login_sessions import LoginSessions
from bot.accounts.service import audit, role_allows, verify_password
from bot.accounts.throttle import LoginThrottle
from bot.floods.limits import client_address
from bot.models import User
from config.database import Session

bp = Blueprint("accounts", __name__)
login_manager = LoginManager()
login_manager.login_view = "accounts.login"
# Where the login's server-side id is kept in the signed session cookie.
LOGIN_ID = "login_id"


class LoginForm(FlaskForm):
    name = StringField("name", validators=[DataRequired(), Length(max=80)])
    password = PasswordField("password", validators=[DataRequired(), Length(max=200)])


@login_manager.user_loader
def _load_user(user_id: str) -> User | None:
    # The cookie alone is not enough: its login must still be alive server-side (not logged out, not idle).
    # The console's own background polls (X-Console-Poll) do not count as the officer's activity.
    if not current_app.extensions["login_sessions"].touch(session.get(LOGIN_ID), int(user_id),
                                                          extend=not request.headers.get("X-Console-Poll")):
        return None
    user = Session.get(User, int(user_id))
    return user if user and user.active else None


def init_app(app) -> None:
    settings = app.config["SETTINGS"]
    # Idle officers are logged out; each request pushes the deadline forward (Flask re-signs the
    # cookie on every request of a permanent session). Assigned, not setdefault: Flask's defaults
    # already hold a 31-day lifetime, so setdefault never applied.
    app.config["PERMANENT_SESSION_LIFETIME"] = dt.timedelta(minutes=settings.session_idle_minutes)
    app.config["WTF_CSRF_TIME_LIMIT"] = settings.csrf_time_limit
    app.extensions["login_sessions"] = LoginSessions(app.extensions["redis"], settings.session_idle_minutes * 60)
    app.extensions["login_throttle"] = LoginThrottle(app.extensions["redis"], app.extensions["floods"].login)
    app.register_error_handler(CSRFError, _csrf_failed)
    login_manager.init_app(app)


def _csrf_failed(exc: CSRFError):
    """An expired or missing CSRF token: for the APIs a code the console's script renews on."""
    message = current_app.extensions["floods"].text("csrf_expired")
    if request.path.startswith("/api/"):
        return jsonify({"error": "csrf_failed", "message": message, "reason": exc.description}), 400
    exc.description = message  # a form page: Flask's error page, in words the officer reads
    return exc


def home_for(user: User) -> str:
    if user.role == "leader":
        return url_for("orgs.insights_page")
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
    if not form.validate_on_submit():
        return render_template("login.html", form=form), 200
    name, address = form.name.data.strip(), client_address()
    throttle = current_app.extensions["login_throttle"]
    policy = current_app.extensions["floods"]
    wait, which = throttle.wait_seconds(name, address) if policy.contained else (0, None)
    if wait:
        # Locked out: the password is not even checked, so guessing on meanwhile learns nothing.
        audit(name[:80], "login_refused", f"user:{name[:150]}", {"address": address, "locked": which, "seconds": wait})
        return _refused(policy.text("login_too_many", minutes=max(1, -(-wait // 60))), wait)
    user = verify_password(name, form.password.data)  # as slow for unknown names as for real ones
    if user is None:
        locked = throttle.failed(name, address) if policy.contained else 0
        audit(name[:80], "login_failed", f"user:{name[:150]}", {"address": address, "lockout_seconds": locked})
        return render_template("login.html", form=form, failed=True), 401
    throttle.succeeded(name)
    session.clear()  # nothing from before the login (a CSRF token, an old login id) carries over
    session.permanent = True
    session[LOGIN_ID] = current_app.extensions["login_sessions"].start(user.id)
    login_user(user)
    audit(user.name, "login", None, {"address": address})
    return redirect(_safe_next(request.args.get("next")) or _home_or_root(user))


def _refused(message: str, retry_after: int):
    resp = current_app.make_response((render_template("login.html", form=LoginForm(), refused=message), 429))
    resp.headers["Retry-After"] = str(retry_after)
    return resp


@bp.errorhandler(429)
def _too_many(exc):
    """The per-address limit on POST /login (flask-limiter) answers with the login page."""
    return render_template("login.html", form=LoginForm(), refused=exc.description), 429


@bp.get("/api/csrf-token")
def csrf_token():
    """A fresh CSRF token for a page whose token expired (the console renews by itself)."""
    return jsonify({"csrf_token": generate_csrf()})


@bp.post("/logout")
def logout():
    if current_user.is_authenticated:
        audit(current_user.name, "logout")
    current_app.extensions["login_sessions"].end(session.get(LOGIN_ID))
    logout_user()
    session.clear()
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
