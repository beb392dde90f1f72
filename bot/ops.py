"""Operations endpoints: /healthz (Redis, Rasa and the back end all answer) and /metrics (Prometheus)."""
from __future__ import annotations

import os

import requests
from flask import Blueprint, Response, current_app, jsonify
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest, multiprocess
from prometheus_client import REGISTRY

bp = Blueprint("ops", __name__)


def _check_redis() -> str | None:
    try:
        current_app.extensions["redis"].ping()
        return None
    except Exception as exc:  # noqa: BLE001
        return str(exc)


def _check_rasa() -> str | None:
    return None if current_app.extensions["rasa"].is_ready() else "rasa server not ready"


def _check_backend() -> str | None:
    settings = current_app.config["SETTINGS"]
    try:
        resp = requests.get(f"{settings.backend_url}/v1/courses", timeout=2,
                            headers={"Authorization": f"Bearer {settings.backend_api_key}"})
        return None if resp.ok else f"HTTP {resp.status_code}"
    except requests.RequestException as exc:
        return str(exc)


@bp.get("/healthz")
def healthz():
    checks = {"redis": _check_redis(), "rasa": _check_rasa(), "backend": _check_backend()}
    ok = all(v is None for v in checks.values())
    body = {"status": "ok" if ok else "unavailable",
            "checks": {k: ("ok" if v is None else v) for k, v in checks.items()}}
    return jsonify(body), 200 if ok else 503


@bp.get("/metrics")
def metrics():
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        # Several gunicorn workers: add up what each wrote to the shared directory.
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    else:
        registry = REGISTRY
    return Response(generate_latest(registry), mimetype=CONTENT_TYPE_LATEST)
