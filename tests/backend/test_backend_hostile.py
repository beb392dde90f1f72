"""Hostile input to the reference back end is a 400 (or 404) with a reason, never a 500, on SQLite
and on PostgreSQL (which refuses NUL in text and overflows past 64-bit integers): issue 14's list."""
from __future__ import annotations

import pytest

DEEP = b"[" * 30000 + b"]" * 30000
HUGE = "99999999999999999999"


@pytest.fixture()
def api_raw(backend_app):
    backend_app.config["PROPAGATE_EXCEPTIONS"] = False  # a crash answers 500 here, as in production
    from tests.backend.conftest import ApiClient

    return ApiClient(backend_app.test_client())


@pytest.mark.parametrize("raw,reason", [
    (b'{"title": %s}' % DEEP, "nested deeper"),
    (b'{"title": "\\ud800", "starts_on": "2027-01-01", "seats": 3}', "surrogates"),
    (b'{"title": "a\\u0000b", "starts_on": "2027-01-01", "seats": 3}', "NUL"),
    (b'{"title": "t", "starts_on": "2027-01-01", "seats": %s}' % HUGE.encode(), "64 bits"),
    (b'{"title": "\xc3", "starts_on": "2027-01-01", "seats": 3}', "UTF-8"),
])
def test_bodies(api_raw, raw, reason):
    resp = api_raw.post("/v1/courses", data=raw, content_type="application/json")
    assert resp.status_code == 400, resp.get_data(as_text=True)[:300]
    body = resp.get_json()
    assert body["error"] == "invalid_json" and reason in body["reason"]


def test_ids_offsets_and_nul_in_queries(api_raw):
    assert api_raw.get(f"/v1/courses/{HUGE}").status_code == 404
    assert api_raw.get(f"/v1/courses/{HUGE}/enrollments").status_code in (404, 405)
    assert api_raw.post(f"/v1/courses/{HUGE}/enrollments", json={}).status_code == 404
    resp = api_raw.get(f"/v1/cases?offset={HUGE}")
    assert resp.status_code == 400 and "offset" in resp.get_json()["fields"]
    assert api_raw.get("/v1/cases?offset=9223372036854775807").get_json() == {"items": []}
    assert api_raw.get("/v1/cases?phone=138%00").status_code == 400
    assert api_raw.get("/v1/cases/WQ%00").status_code == 400
