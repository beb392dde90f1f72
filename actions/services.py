"""The connectors the actions were handed (actions/connectors.py), and submitting a record."""
from __future__ import annotations

from actions import connectors
from unionkit.backend_client import BackendRejected, BackendUnavailable, UnionBackend
from unionkit.faq.live import LiveIndex
from unionkit import payloads
from unionkit.numbers import new_number
from unionkit.outbox import Outbox


def backend() -> UnionBackend:
    return connectors.current().backend


def outbox() -> Outbox:
    return connectors.current().outbox


def faq() -> LiveIndex:
    return connectors.current().faq


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


def ask_district_if_needed(dispatcher, record: dict, queued: bool) -> None:
    """When the back end could not tell the worker's union without the district (and the worker
    named none), the gateway asks for it with the districts as buttons (unionkit/payloads.py)."""
    routing = record.get("routing") or {} if not queued else {}
    if routing.get("needs_district") and routing.get("districts"):
        dispatcher.utter_message(json_message=payloads.ask_district([record["number"]], routing["districts"]))
