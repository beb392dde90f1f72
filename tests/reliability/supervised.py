"""The service as `make run` starts it (`python -m scripts.stack run`: supervisord and every process
under it), in a folder of its own (VAR_DIR), on free ports, for the fault tests; and a Redis server
with an append-only file that a test can kill and start again on the same port and data."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import redis
import requests

from config.secret_check import new_token
from scripts import stack, supervise
from tests.live_stack import free_port

ROOT = Path(__file__).resolve().parents[2]


class AofRedis:
    """redis-server with appendonly yes (fsync always: nothing acknowledged is lost) in a tmp dir."""

    def __init__(self, workdir: Path):
        self.dir = workdir
        self.dir.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.proc: subprocess.Popen | None = None

    def start(self) -> "AofRedis":
        self.proc = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--dir", str(self.dir),
             "--appendonly", "yes", "--appendfsync", "always", "--save", "", "--daemonize", "no"],
            stdout=open(self.dir / "redis.log", "ab"), stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                if redis.Redis.from_url(self.url, socket_connect_timeout=0.5).ping():
                    return self
            except redis.RedisError:
                time.sleep(0.1)
        raise TimeoutError("redis-server did not start")

    def kill(self) -> None:
        """kill -9: whatever the server had not written is gone (with fsync always: nothing)."""
        if self.proc and self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGKILL)
            self.proc.wait(10)

    def restart(self) -> None:
        self.kill()
        self.start()

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(10)


class SupervisedStack:
    def __init__(self, workdir: Path, redis_url: str, database_url: str, extra_env: dict | None = None):
        self.workdir = workdir
        self.var = workdir / "var"
        self.port, self.backend_port = free_port(), free_port()
        self.rasa_port, self.action_port = free_port(), free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.rasa_url = f"http://127.0.0.1:{self.rasa_port}"
        self.backend_url = f"http://127.0.0.1:{self.backend_port}/union-api"
        self.redis_url = redis_url
        self.database_url = database_url
        self.backend_key = new_token(12)
        self.env = dict(os.environ)
        self.env.update(
            VAR_DIR=str(self.var), PORT=str(self.port), BACKEND_PORT=str(self.backend_port),
            RASA_URL=self.rasa_url, ACTION_PORT=str(self.action_port), REDIS_URL=redis_url,
            DATABASE_URL=database_url, BACKEND_DATABASE_URL=database_url, BACKEND_API_KEY=self.backend_key,
            RASA_TOKEN=new_token(12), RASA_CHANNEL_SECRET=new_token(12), SECRET_KEY=new_token(12),
            SANIC_WORKERS="1", WEB_WORKERS="2", GATEWAY_THREADS="16", RASA_MODEL=str(ROOT / "models" / "union.tar.gz"),
            PROMETHEUS_MULTIPROC_DIR=str(self.var / "prometheus"),
        )
        self.env.pop("EMBEDDED_REDIS_PORT", None)
        self.env.update({f"RATE_LIMIT_{name}": "100000/minute" for name in
                         ("WECHAT_OPENID", "WEB_SESSION", "SESSION_CREATE_PER_ADDRESS", "LOGIN_PER_ADDRESS")})
        self.env.update(extra_env or {})
        self.out_path = workdir / "make-run.out"
        self.proc: subprocess.Popen | None = None

    # ---- make run ------------------------------------------------------------------------------
    def run_command(self, env: dict | None = None, **kw) -> subprocess.Popen:
        """`python -m scripts.stack run` (what `make run` runs) in this stack's folder."""
        return subprocess.Popen([sys.executable, "-m", "scripts.stack", "run"], cwd=ROOT, env=env or self.env,
                                stdin=subprocess.DEVNULL, start_new_session=True, **kw)

    def start(self, timeout: float = 900) -> "SupervisedStack":
        self.proc = self.run_command(stdout=open(self.out_path, "ab"), stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"make run exited ({self.proc.returncode}):\n{self.output()}")
            if "* ready:" in self.output() and self.rasa_ready():
                return self
            time.sleep(1)
        raise TimeoutError(f"make run not ready after {timeout}s:\n{self.output()}")

    def output(self) -> str:
        return self.out_path.read_text(errors="replace") if self.out_path.exists() else ""

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGINT)
            try:
                self.proc.wait(60)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)

    # ---- parts ---------------------------------------------------------------------------------
    def states(self) -> dict[str, str]:
        return supervise.states(self.var / "run")

    def pid(self, name: str) -> int:
        return supervise.pids(self.var / "run")[name]

    def kill9(self, name: str) -> None:
        """kill -9 of a program's whole process group (Rasa and its workers, gunicorn and its workers)."""
        os.killpg(self.pid(name), signal.SIGKILL)

    def supervisorctl(self, *args: str) -> str:
        return subprocess.run([str(stack.VENV_BIN / "supervisorctl"), "-c", str(self.var / "run" / "supervisord.conf"),
                               *args], capture_output=True, text=True, timeout=60).stdout

    def rasa_ready(self) -> bool:
        return stack.answers(f"{self.rasa_url}/status", params={"token": self.env["RASA_TOKEN"]},
                             ok=lambda r: r.ok and bool(r.json().get("model_file")))

    def health(self) -> dict:
        try:
            return requests.get(f"{self.url}/healthz", timeout=5).json()
        except (requests.RequestException, ValueError):
            return {}

    def wait_health(self, part: str, state: str, timeout: float = 240) -> float:
        """Seconds until /healthz says `part` is `state`."""
        started = time.monotonic()
        while time.monotonic() - started < timeout:
            if self.health().get("checks", {}).get(part) == state:
                return time.monotonic() - started
            time.sleep(0.2)
        raise TimeoutError(f"{part} not {state} after {timeout}s: {self.health()}")

    def backend_get(self, path: str, **params) -> requests.Response:
        return requests.get(f"{self.backend_url}{path}", params=params, timeout=5,
                            headers={"Authorization": f"Bearer {self.backend_key}"})

    def logs(self, tail: int = 3000) -> str:
        parts = [f"--- make run\n{self.output()[-tail:]}"]
        for path in sorted((self.var / "log").glob("*.log")):
            parts.append(f"--- {path.name}\n{path.read_text(errors='replace')[-tail:]}")
        return "\n".join(parts)

    def wait_for_record(self, path: str, timeout: float = 90) -> requests.Response:
        deadline = time.monotonic() + timeout
        resp = self.backend_get(path)
        while resp.status_code != 200 and time.monotonic() < deadline:
            time.sleep(0.5)
            resp = self.backend_get(path)
        return resp
