"""Enrollments under real concurrency: the app served by werkzeug in a thread, 20 clients at once.

Run on SQLite (serialised with BEGIN IMMEDIATE) and PostgreSQL (course row locked FOR UPDATE).
"""
from __future__ import annotations

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from werkzeug.serving import make_server

AUTH = {"Authorization": "Bearer test-backend-key"}  # the key tests/backend/conftest.py configures

CLIENTS = 20
SEATS = 5


@pytest.fixture()
def slow_numbers(monkeypatch):
    """Widen the race window: the enrollment number is drawn between counting the seats and
    inserting, so a short sleep there makes unserialised requests overlap for sure."""
    import time

    import backend.api

    real = backend.api.new_number

    def slow(kind, now=None):
        time.sleep(0.05)
        return real(kind, now)

    monkeypatch.setattr(backend.api, "new_number", slow)


@pytest.fixture()
def live_url(backend_app, slow_numbers):
    server = make_server("127.0.0.1", 0, backend_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/union-api"
    server.shutdown()
    thread.join(10)


def _course(live_url, seats=SEATS) -> int:
    resp = requests.post(f"{live_url}/v1/courses", headers=AUTH, timeout=30,
                         json={"title": "并发测试课", "starts_on": "2030-01-01", "seats": seats})
    assert resp.status_code == 201, resp.text
    return resp.json()["id"]


def _storm(url, bodies):
    """POST every body at once (released together by a barrier); returns the responses."""
    barrier = threading.Barrier(len(bodies))

    def one(body):
        with requests.Session() as http:
            barrier.wait(timeout=30)
            return http.post(url, json=body, headers=AUTH, timeout=60)

    with ThreadPoolExecutor(max_workers=len(bodies)) as pool:
        return list(pool.map(one, bodies))


def test_twenty_clients_five_seats_never_overbooks(live_url):
    cid = _course(live_url)
    bodies = [{"name": f"工友{i}", "phone": f"138{i:08d}"} for i in range(CLIENTS)]
    responses = _storm(f"{live_url}/v1/courses/{cid}/enrollments", bodies)

    codes = Counter(r.status_code for r in responses)
    assert codes == {201: SEATS, 409: CLIENTS - SEATS}, [r.text for r in responses]
    assert all(r.json()["error"] == "course_full" for r in responses if r.status_code == 409)

    listed = requests.get(f"{live_url}/v1/courses/{cid}/enrollments", headers=AUTH, timeout=30).json()["items"]
    assert len(listed) == SEATS and all(i["status"] == "enrolled" for i in listed)
    course = requests.get(f"{live_url}/v1/courses/{cid}", headers=AUTH, timeout=30).json()
    assert course["enrolled"] == SEATS and course["seats_left"] == 0


def test_concurrent_waitlist_requests_fill_seats_then_waitlist(live_url):
    cid = _course(live_url)
    bodies = [{"name": f"工友{i}", "phone": f"139{i:08d}", "waitlist": True} for i in range(CLIENTS)]
    responses = _storm(f"{live_url}/v1/courses/{cid}/enrollments", bodies)
    assert all(r.status_code == 201 for r in responses), [r.text for r in responses]
    assert Counter(r.json()["status"] for r in responses) == {"enrolled": SEATS, "waitlisted": CLIENTS - SEATS}


def test_concurrent_same_phone_enrolls_once(live_url):
    cid = _course(live_url)
    responses = _storm(f"{live_url}/v1/courses/{cid}/enrollments",
                       [{"name": "同一人", "phone": "13700000000"}] * 10)
    codes = Counter(r.status_code for r in responses)
    assert codes == {201: 1, 409: 9}, [r.text for r in responses]
    winner = next(r.json()["number"] for r in responses if r.status_code == 201)
    assert all(r.json()["number"] == winner for r in responses if r.status_code == 409)


def test_concurrent_retries_with_one_number_create_one_record(live_url):
    body = {"type": "work_injury", "priority": "urgent", "phone": "13612345678", "number": "WQ20261123-RACE"}
    responses = _storm(f"{live_url}/v1/cases", [body] * 10)
    codes = Counter(r.status_code for r in responses)
    assert codes == {201: 1, 200: 9}, [r.text for r in responses]
    assert {r.json()["number"] for r in responses} == {"WQ20261123-RACE"}
    items = requests.get(f"{live_url}/v1/cases", headers=AUTH, timeout=30).json()["items"]
    assert len(items) == 1
