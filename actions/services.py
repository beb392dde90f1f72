"""What actions need from the process hosting them (the gateway sets these up in create_app)."""
from __future__ import annotations

from flask import current_app

from unionkit.backend_client import BackendRejected, BackendUnavailable, UnionBackend
from unionkit.numbers import new_number
from unionkit.outbox import Outbox


def backend() -> UnionBackend:
    return current_app.extensions["union_backend"]


def outbox() -> Outbox:
    return current_app.extensions["outbox"]


def submit(path: str, body: dict) -> tuple[dict, bool]:
    """POST a record that carries its own `number`. Returns (record, queued): when the back end
    does not answer, the record waits in the outbox and is retried; the number stays valid."""
    for _attempt in range(3):
        try:
            return backend().create(path, body), False
        except BackendUnavailable:
            outbox().put(path, body)
            return dict(body), True
        except BackendRejected as exc:
            if exc.body.get("error") != "number_conflict":
                raise
            # Someone else's record already has this number: draw a new one (same prefix).
            body = dict(body, number=new_number(body["number"][:2]))
    raise RuntimeError("no free record number after 3 draws")
