"""Operations endpoints: /healthz (which of Redis, Rasa and the back end answer) and /metrics (Prometheus)."""
from __future__ import annotations

import os

import requests
from flask import Blueprint, Response, current_app, jsonify
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest, multiprocess
from prometheus_client import REGISTRY

bp = Blueprint("ops", __name__)


def _check_redis() -> bool:
    try:
        return bool(current_app.extensions["redis"].ping())
    except Exception:  # noqa: BLE001 - down is down, whatever the reason
        return False


def _check_rasa() -> bool:
    return current_app.extensions["rasa"].is_ready()


def _check_backend() -> bool:
    settings = current_app.config["SETTINGS"]
    try:
        resp = requests.get(f"{settings.backend_url}/v1/courses", timeout=2,
                            headers={"Authorization": f"Bearer {settings.backend_api_key}"})
        return resp.ok
    except requests.RequestException:
        return False


@bp.get("/healthz")
def healthz():
    """{"status": "ok"|"degraded", "checks": {"redis": "ok"|"down", "rasa": ..., "backend": ...}}:
    200 when every part answers, else 503. Only ok/down: no host, port or error text."""
    checks = {"redis": _check_redis(), "rasa": _check_rasa(), "backend": _check_backend()}
    ok = all(checks.values())
    body = {"status": "ok" if ok else "degraded",
            "checks": {k: "ok" if v else "down" for k, v in checks.items()}}
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
