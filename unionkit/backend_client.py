"""The union back end connector (REST, bearer key). Actions use this class and nothing else for it."""
from __future__ import annotations

import logging

import requests

log = logging.getLogger(__name__)


class BackendUnavailable(RuntimeError):
    """No answer, or a 5xx: the write may be retried later (outbox)."""


class BackendRejected(RuntimeError):
    """A 4xx: the back end will never take this request as it is."""

    def __init__(self, status: int, body: dict):
        super().__init__(f"HTTP {status}: {body}")
        self.status = status
        self.body = body


class UnionBackend:
    def __init__(self, base_url: str, api_key: str, timeout: float = 3.0):
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.http = requests.Session()
        self.http.headers["Authorization"] = f"Bearer {api_key}"

    def _request(self, method: str, path: str, **kwargs) -> dict:
        try:
            resp = self.http.request(method, f"{self.base_url}{path}", timeout=self.timeout, **kwargs)
        except requests.RequestException as exc:
            raise BackendUnavailable(str(exc)) from exc
        if resp.status_code >= 500:
            raise BackendUnavailable(f"HTTP {resp.status_code}")
        try:
            body = resp.json()
        except ValueError as exc:
            raise BackendUnavailable(f"non-JSON answer (HTTP {resp.status_code})") from exc
        if resp.status_code >= 400:
            raise BackendRejected(resp.status_code, body)
        return body

    def create(self, path: str, body: dict) -> dict:
        """POST a record (path like /v1/cases); a repeated `number` returns the existing record."""
        return self._request("POST", path, json=body)

    def list(self, path: str, **filters) -> list[dict]:
        return self._request("GET", path, params={k: v for k, v in filters.items() if v is not None})["items"]

    def get(self, path: str, **params) -> dict:
        return self._request("GET", path, params={k: v for k, v in params.items() if v is not None} or None)

    def upload(self, path: str, filename: str, data: bytes, **params) -> dict:
        """POST a file as multipart `file` (the tree's import)."""
        params = {k: "1" if v is True else v for k, v in params.items() if v not in (None, False)}
        return self._request("POST", path, files={"file": (filename, data)}, params=params)

    def download(self, path: str, **params) -> bytes:
        """GET a file (an export); its bytes."""
        try:
            resp = self.http.get(f"{self.base_url}{path}", params=params, timeout=self.timeout)
        except requests.RequestException as exc:
            raise BackendUnavailable(str(exc)) from exc
        if resp.status_code >= 500:
            raise BackendUnavailable(f"HTTP {resp.status_code}")
        if resp.status_code >= 400:
            raise BackendRejected(resp.status_code, {"error": "rejected"})
        return resp.content

    def post(self, path: str, body: dict | None = None) -> dict:
        """A POST that is not a filing (the desk's status moves, assignments, notes)."""
        return self._request("POST", path, json=body or {})
