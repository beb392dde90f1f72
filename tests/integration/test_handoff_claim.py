"""Two officers click "claim" on the same handoff at the same moment: exactly one gets it (200),
the other 409; on SQLite and on PostgreSQL, real Redis."""
from __future__ import annotations

import threading

from unionkit import texts
from bot.handoff.models import Handoff
from bot.models import AuditLog
from config.database import Session
from tests.integration.test_handoff_service import (  # noqa: F401  (fixture)
    Worker, bearer, create_account, handoff_app, open_handoff)


def claim_at_once(app, handoff_id: int, tokens: list[str]) -> list[tuple[str, int, dict]]:
    barrier = threading.Barrier(len(tokens))
    results = []

    def claim(token):
        client = app.test_client()
        barrier.wait()
        resp = client.post(f"/api/console/handoffs/{handoff_id}/claim", headers=bearer(token))
        results.append((token, resp.status_code, resp.get_json()))

    threads = [threading.Thread(target=claim, args=(t,)) for t in tokens]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    return results


def test_two_officers_claim_at_once_one_wins(handoff_app, database_url):
    app, _clock = handoff_app(database_url=database_url)
    tokens = {create_account(app, "wang"): "wang", create_account(app, "li"): "li"}
    for round_ in range(5):  # several rounds: a lost race must never look like a win
        worker = Worker(app)
        handoff = open_handoff(app, worker)
        results = claim_at_once(app, handoff.id, list(tokens))
        assert sorted(status for _t, status, _b in results) == [200, 409], results
        [(winner_token, _s, body)] = [r for r in results if r[1] == 200]
        [(_t, _s, refused)] = [r for r in results if r[1] == 409]
        winner = tokens[winner_token]
        assert body["officer"] == winner and refused["error"] == "already_claimed" and winner in refused["message"]
        with app.app_context():
            stored = Session.get(Handoff, handoff.id)
            assert (stored.status, stored.officer) == ("active", winner)
            assert Session.query(AuditLog).filter_by(action="handoff_claim", target=f"handoff:{handoff.id}").count() == 1
        greetings = [m for m in worker.transcript() if m["role"] == "officer"]
        assert [m["text"] for m in greetings] == [texts.text("utter_handoff_claimed", officer=winner)]
        # Only the winner may write to the worker.
        loser_token = next(t for t in tokens if t != winner_token)
        client = app.test_client()
        assert client.post(f"/api/console/handoffs/{handoff.id}/messages", json={"text": "我来"},
                           headers=bearer(loser_token)).status_code == 409
        assert client.post(f"/api/console/handoffs/{handoff.id}/messages", json={"text": "您好"},
                           headers=bearer(winner_token)).status_code == 201
