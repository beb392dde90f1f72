"""The organisation tree's one walk and its one SQL scope condition, shared by the back end's tree
(backend/orgs.py) and the gateway's (bot/orgs/tree.py), which each build their own maps from what they read."""
from __future__ import annotations

from collections.abc import Container, Iterable, Mapping


def subtree(code: str, children: Mapping[str, Iterable[str]], known: Container[str]) -> set[str]:
    """`code` and every organisation below it; codes not in `known` are left out, cycles stop."""
    seen, todo = set(), [code]
    while todo:
        c = todo.pop()
        if c in seen or c not in known:
            continue
        seen.add(c)
        todo.extend(children.get(c, ()))
    return seen


def org_clause(column, scope: set[str], root: str | None):
    """The SQL condition "the row's organisation is in `scope`" on `column`, where no organisation
    is the city's (`root`): a record or handoff without one counts as the city's."""
    in_scope = column.in_(sorted(scope) or ["-"])
    return in_scope | column.is_(None) if root in scope else in_scope
