"""The organisation tree's one walk, shared by the back end's tree (backend/orgs.py) and the
gateway's (bot/orgs/tree.py), which each build their own maps from what they read."""
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
