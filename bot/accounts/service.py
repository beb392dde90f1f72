"""Creating accounts and finding the account behind a request."""
from __future__ import annotations

from functools import lru_cache, wraps

from flask import abort, g, request
from werkzeug.security import check_password_hash, generate_password_hash

from bot.accounts.tokens import bearer_token, new_token, token_hash
from bot.models import AuditLog, User
from config.database import Session

# leader: union leadership, reads the insights of its organisation's subtree and works nothing.
ROLES = ("officer", "staff", "admin", "leader")
TEAMS = ("general", "legal", "hardship")


def create_user(name: str, role: str, password: str, teams: list[str] | None = None,
                display_name: str | None = None, org: str | None = None) -> tuple[User, str]:
    """Returns the user and its API token (shown once; only the hash is kept)."""
    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}")
    teams = teams or ["general"]
    unknown = [t for t in teams if t not in TEAMS]
    if unknown:
        raise ValueError(f"unknown team(s): {', '.join(unknown)}; teams are {', '.join(TEAMS)}")
    if Session.query(User).filter_by(name=name).first():
        raise ValueError(f"user {name!r} already exists")
    token = new_token()
    user = User(name=name, role=role, teams=",".join(teams), display_name=display_name or name, org=org or None,
                password_hash=generate_password_hash(password), token_hash=token_hash(token))
    Session.add(user)
    Session.commit()
    return user, token


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    """A hash made the same way as real ones, checked when the name is unknown: the answer then
    takes as long as for a real account, and timing tells no names."""
    return generate_password_hash(new_token())


def verify_password(name: str, password: str) -> User | None:
    user = Session.query(User).filter_by(name=name, active=1).first()
    matches = check_password_hash(user.password_hash if user else _dummy_hash(), password)
    return user if user and matches else None


def user_for_token(token: str | None) -> User | None:
    if not token:
        return None
    return Session.query(User).filter_by(token_hash=token_hash(token), active=1).first()


def role_allows(user: User, roles: tuple[str, ...]) -> bool:
    return user.role == "admin" or user.role in roles


def api_auth(*roles: str):
    """Decorator for JSON APIs: `Authorization: Bearer <token>` of an account with one of `roles`
    (admin passes everywhere). The account is put on `g.user`. Without an Authorization header a
    logged-in browser session (flask-login) is accepted, so console pages can call the same API;
    those requests are CSRF-checked by the app (X-CSRFToken header from the page's meta tag)."""

    def decorator(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            header = request.headers.get("Authorization")
            user = user_for_token(bearer_token(header)) if header else None
            if user is None and not header:
                from flask_login import current_user

                if getattr(current_user, "is_authenticated", False):
                    user = Session.get(User, int(current_user.get_id()))
            if user is None:
                abort(401, description="需要登录或有效的 API token")
            if not role_allows(user, roles):
                abort(403, description="当前账号没有这个权限")
            g.user = user
            return view(*args, **kwargs)

        return wrapper

    return decorator


def audit(actor: str, action: str, target: str | None = None, detail: dict | None = None) -> None:
    Session.add(AuditLog(actor=actor, action=action, target=target, detail=detail))
    Session.commit()
