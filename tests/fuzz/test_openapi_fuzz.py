"""docs/openapi.yaml is the contract: it names every route the gateway and the back end serve, and a
bounded hypothesis run (strategies drawn from the file with hypothesis-jsonschema, plus hostile
bodies, ids and query values) sends each operation requests and asserts that none answers 5xx.

schemathesis would do the drawing, but no release fits beside Rasa: Rasa 3.6 pins jsonschema<4.18,
the schemathesis releases that accept it predate Werkzeug 3 (they read werkzeug.__version__).

FUZZ_EXAMPLES (default 6) sets the examples per operation; the whole run takes about two minutes.
"""
from __future__ import annotations

import copy
import json
import os
import re
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_jsonschema import from_schema

ROOT = Path(__file__).resolve().parents[2]
SPEC = yaml.safe_load((ROOT / "docs" / "openapi.yaml").read_text(encoding="utf-8"))
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "6"))
METHODS = ("get", "post", "put", "patch", "delete")
WECHAT_TOKEN = "fuzz-wechat-token"
BACKEND_KEY = "fuzz-backend-key"


def resolve(node, spec=SPEC):
    """The node with every local $ref replaced by what it points at."""
    if isinstance(node, dict):
        if "$ref" in node:
            target = spec
            for part in node["$ref"].lstrip("#/").split("/"):
                target = target[part]
            merged = dict(resolve(copy.deepcopy(target), spec))
            merged.update({k: resolve(v, spec) for k, v in node.items() if k != "$ref"})
            return merged
        return {k: resolve(v, spec) for k, v in node.items()}
    if isinstance(node, list):
        return [resolve(v, spec) for v in node]
    return node


def operations(prefix_backend: bool):
    for path, item in SPEC["paths"].items():
        if path.startswith("/union-api") != prefix_backend:
            continue
        shared = item.get("parameters", [])
        for method in METHODS:
            if method in item:
                op = resolve(item[method])
                params = resolve(shared) + op.get("parameters", [])
                yield pytest.param(path, method, params, op, id=f"{method.upper()} {path}")


def rule_path(rule: str) -> str:
    return re.sub(r"<(?:[^:>]+:)?([^>]+)>", r"{\1}", rule)


def served_routes(app) -> set[tuple[str, str]]:
    return {(rule_path(r.rule), m.lower()) for r in app.url_map.iter_rules() if r.endpoint != "static"
            for m in r.methods - {"HEAD", "OPTIONS"}}


def described_routes(backend: bool) -> set[tuple[str, str]]:
    return {(p, m) for p, item in SPEC["paths"].items() if p.startswith("/union-api") == backend
            for m in METHODS if m in item}


# ---------------------------------------------------------------------------------- the apps
@pytest.fixture(scope="module")
def gateway(tmp_path_factory, redis_server_url):
    import redis

    from bot.app import create_app
    from config.migrate import upgrade
    from config.settings import Settings
    from tests.integration.test_accounts import create

    redis.Redis.from_url(redis_server_url).flushdb()
    url = f"sqlite:///{tmp_path_factory.mktemp('fuzz') / 'gateway.db'}"
    upgrade(url)
    app = create_app(Settings(
        redis_url=redis_server_url, database_url=url, secret_key="fuzz-secret", rasa_token="fuzz-rasa",
        rasa_channel_secret="fuzz-channel", backend_api_key=BACKEND_KEY,
        rasa_url="http://127.0.0.1:9", backend_url="http://127.0.0.1:9/union-api",  # nothing answers
        rasa_timeout=1, backend_timeout=1, wechat_token=WECHAT_TOKEN, wechat_app_id="wx-fuzz"))
    app.config.update(TESTING=True, WTF_CSRF_ENABLED=False)
    token = create(app, "fuzzadmin", role="admin")
    client = app.test_client()
    chat = client.post("/api/chat/sessions").get_json()
    client.post("/login", data={"name": "fuzzadmin", "password": "s3cret-pass"})  # the pages' cookie
    entry = client.post("/api/admin/faqs", json={"question": "会费多少", "answer": "每月五元。"},
                        headers={"Authorization": f"Bearer {token}"}).get_json()
    return {"client": client, "auth": {"staffToken": token, "chatToken": chat["token"]},
            "known": {"session_id": chat["session_id"], "entry_id": entry["id"], "handoff_id": 1}}


@pytest.fixture(scope="module")
def backend(tmp_path_factory):
    from backend.app import create_app
    from backend.migrate import upgrade
    from config.settings import Settings

    url = f"sqlite:///{tmp_path_factory.mktemp('fuzz') / 'backend.db'}"
    upgrade(url)
    app = create_app(Settings(backend_database_url=url, backend_api_key=BACKEND_KEY))
    app.config["TESTING"] = True
    client = app.test_client()
    course = client.post("/union-api/v1/courses", json={"title": "电工", "starts_on": "2030-01-01", "seats": 2},
                         headers={"Authorization": f"Bearer {BACKEND_KEY}"}).get_json()
    yield {"client": client, "auth": {"backendKey": BACKEND_KEY}, "known": {"course_id": course["id"]}}
    app.extensions["backend_db"].remove()
    app.extensions["backend_db_engine"].dispose()


# ---------------------------------------------------------------------------------- strategies
HOSTILE_TEXT = st.sampled_from(["", " ", "\x00", "a\x00b", "%00", "\ufffd", "../../etc/passwd", "<script>",
                                "9" * 30, "-1", "1e309", "NaN", "2026-13-45", "9999-12-31", "0001-01-01",
                                "\u202e", "长" * 300, "'; drop table users; --"])
HOSTILE_INT = st.sampled_from([0, -1, 2**63 - 1, 2**63, 2**64, 10**30])
HOSTILE_BODIES = st.sampled_from([
    b"[" * 3000 + b"]" * 3000, b'{"text": "\\ud800"}', b'{"text": "\\u0000"}', b'{"a": 1e999}',
    b'{"id": 99999999999999999999}', b'{"text": "\xff\xfe"}', b'{"a": 1, "a": 2}', b"not json", b"",
    b'"just a string"', b"[1, 2]", b'{"text": NaN}', b"<xml><!DOCTYPE x [<!ENTITY a 'b'>]></xml>",
])
ANY_JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**70), 2**70) | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=8)


def value_strategy(name: str, schema: dict, known: dict):
    options = [from_schema(schema), HOSTILE_TEXT]
    if schema.get("type") == "integer":
        options.append(HOSTILE_INT)
    if name in known:
        options.insert(0, st.just(known[name]))
    return st.one_of(*options)


def body_strategy(op: dict, known: dict):
    content = (op.get("requestBody") or {}).get("content") or {}
    options = [HOSTILE_BODIES.map(lambda raw: ("application/json", raw)),
               ANY_JSON.map(lambda v: ("application/json", json.dumps(v).encode()))]
    if "application/json" in content:
        schema = content["application/json"].get("schema") or {}

        def with_known(value):
            if isinstance(value, dict):
                for key in ("session_id",):
                    if key in value and key in known:
                        value[key] = known[key]
            return ("application/json", json.dumps(value, ensure_ascii=False).encode())

        options.insert(0, from_schema(schema).map(with_known))
    for form in ("application/x-www-form-urlencoded", "multipart/form-data"):
        if form in content:
            options.append(st.dictionaries(st.sampled_from(["name", "password", "ids", "entry_id", "question",
                                                            "answer", "variants", "category", "enabled", "next"]),
                                           st.one_of(st.text(max_size=40), HOSTILE_TEXT), max_size=5)
                           .map(lambda d, f=form: (f, d)))
    if "text/xml" in content:
        options.append(st.text(max_size=200).map(lambda t: ("text/xml", t.encode("utf-8", "surrogatepass"))))
    return st.one_of(*options)


def request_strategy(path: str, params: list, op: dict, known: dict):
    path_params = {p["name"]: value_strategy(p["name"], p.get("schema") or {}, known)
                   for p in params if p["in"] == "path"}
    query_params = {p["name"]: value_strategy(p["name"], p.get("schema") or {}, known)
                    for p in params if p["in"] == "query"}
    return st.tuples(st.fixed_dictionaries(path_params),
                     st.fixed_dictionaries({}, optional=query_params),
                     body_strategy(op, known) if op.get("requestBody") or True else st.none(),
                     st.booleans())


def fill(path: str, values: dict) -> str:
    from urllib.parse import quote

    return re.sub(r"\{([^}]+)\}", lambda m: quote(str(values[m.group(1)]), safe=""), path)


def run(target, path, method, params, op):
    client, known = target["client"], target["known"]
    schemes = [name for requirement in op.get("security", []) for name in requirement]

    @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
              suppress_health_check=list(HealthCheck))
    @given(request_strategy(path, params, op, known))
    def check(drawn):
        path_values, query, (content_type, body), authenticated = drawn
        headers = {}
        if authenticated and schemes:
            headers["Authorization"] = f"Bearer {target['auth'][schemes[0]]}"
        kwargs = {"headers": headers, "query_string": {k: str(v) for k, v in query.items()}}
        if method != "get":
            if isinstance(body, dict):
                kwargs["data"] = body
                if content_type == "multipart/form-data":
                    kwargs["content_type"] = content_type
            else:
                kwargs["data"], kwargs["content_type"] = body, content_type
        resp = client.open(fill(path, path_values), method=method.upper(), **kwargs)
        # A 5xx only where the file says so (503 from /healthz while a part is down).
        assert resp.status_code < 500 or str(resp.status_code) in op["responses"], (method, path, path_values, query, body[:200] if isinstance(body, bytes)
                                        else body, resp.status_code, resp.get_data(as_text=True)[:300])
        assert resp.headers.get("X-Content-Type-Options") == "nosniff"

    check()


# ---------------------------------------------------------------------------------- the tests
def test_the_file_describes_every_gateway_route(gateway):
    app = gateway["client"].application
    assert served_routes(app) == described_routes(backend=False)


def test_the_file_describes_every_back_end_route(backend):
    app = backend["client"].application
    assert served_routes(app) == described_routes(backend=True)


@pytest.mark.parametrize("path,method,params,op", list(operations(prefix_backend=False)))
def test_no_gateway_request_is_a_5xx(gateway, path, method, params, op):
    run(gateway, path, method, params, op)


@pytest.mark.parametrize("path,method,params,op", list(operations(prefix_backend=True)))
def test_no_back_end_request_is_a_5xx(backend, path, method, params, op):
    run(backend, path, method, params, op)
