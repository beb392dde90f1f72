"""The tree, read from the back end (GET /v1/orgs) and kept a few seconds per process, and the scope
of an account: admins and accounts without an organisation see everything (the city's); an officer
or leader of an organisation sees it and its descendants only."""
from __future__ import annotations

import threading
import time
from typing import Optional

from flask import current_app, has_app_context

from bot.models import User
from unionkit import orgtree
from unionkit.backend_client import BackendRejected, BackendUnavailable, UnionBackend

CACHE_SECONDS = 5.0
_lock = threading.Lock()


class OrgTree:
    def __init__(self, items: list[dict]):
        self.items = items
        self.by_code = {o["code"]: o for o in items}
        self.children: dict[str, list[str]] = {}
        for o in items:
            if o.get("parent_code"):
                self.children.setdefault(o["parent_code"], []).append(o["code"])
        roots = [o for o in items if not o.get("parent_code")]
        self.root: Optional[str] = roots[0]["code"] if roots else None

    def subtree(self, code: str) -> set[str]:
        return orgtree.subtree(code, self.children, self.by_code)

    def name(self, code: str | None) -> str | None:
        org = self.by_code.get(code or "")
        return org["name"] if org else None

    def districts(self) -> list[str]:
        return [o["district"] for o in self.items if o["level"] == "district" and o.get("district")]


def _backend() -> UnionBackend:
    return current_app.extensions["union_backend"]


def tree(fresh: bool = False) -> OrgTree:
    """The tree (an empty one when the back end does not answer: then nothing is scoped away)."""
    cache = current_app.extensions.setdefault("org_tree", {})
    with _lock:
        if not fresh and cache.get("at", 0) > time.monotonic() - CACHE_SECONDS:
            return cache["tree"]
    try:
        items = _backend().list("/v1/orgs")
    except (BackendUnavailable, BackendRejected):
        return cache.get("tree") or OrgTree([])
    value = OrgTree(items)
    with _lock:
        cache.update(tree=value, at=time.monotonic())
    return value


def forget() -> None:
    current_app.extensions.pop("org_tree", None)


def scope_of(user: User) -> Optional[set[str]]:
    """The organisations `user` may see, or None for all of them."""
    if user.role == "admin" or not getattr(user, "org", None):
        return None
    return tree().subtree(user.org) or {user.org}


def sees(user: User, org: str | None) -> bool:
    """Whether `user` may see something of organisation `org` (None: the city's)."""
    scope = scope_of(user)
    if scope is None:
        return True
    t = tree()
    return (org or t.root) in scope


def under(user: User) -> Optional[str]:
    """The back end's ?under= for `user` (None: no filter)."""
    return None if scope_of(user) is None else user.org


def check_org_code(code: str) -> str | None:
    """A problem with an account's organisation code, or None (the back end must know it)."""
    if not has_app_context():
        return None
    t = tree(fresh=True)
    if not t.by_code:
        return None  # no tree yet (or the back end is down): accepted, scoped once the tree exists
    return None if code in t.by_code else f"unknown organisation {code!r}; see GET /api/admin/orgs"
