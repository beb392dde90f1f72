"""supervisord for `make run`: the config it runs under var/, the lock that keeps a second
`make run` in the same folder out, and a client for its XML-RPC interface (on a unix socket under
var/, mode 0700).

Every process of the stack is a supervisord program: restarted when it exits (autorestart), with
supervisord's backoff between failed starts (1 s, 2 s, 3 s, ...), in its own process group so that a
stop or a restart takes its children too (Rasa's and gunicorn's workers). The config holds no
secret: supervisord hands its own environment (which scripts/stack.py filled) to its children, and
the programs that need a secret on their command line (Rasa's token) are started through
`python -m scripts.stack exec NAME`, which builds the command from that environment.
"""
from __future__ import annotations

import fcntl
import os
import xmlrpc.client
from dataclasses import dataclass, field
from pathlib import Path


class AlreadyRunning(RuntimeError):
    pass


class RunLock:
    """An exclusive flock on var/run.lock, held for the life of `make run`; the file says the pid."""

    def __init__(self, path: Path):
        self.path = path
        self.fd: int | None = None

    def acquire(self) -> "RunLock":
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.read(fd, 32).decode(errors="replace").strip() or "?"
            os.close(fd)
            raise AlreadyRunning(f"make run is already running in this folder (pid {holder}, lock {self.path}): "
                                 "stop that one first (Ctrl-C in its terminal)") from None
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        self.fd = fd
        return self

    def release(self) -> None:
        if self.fd is not None:
            os.close(self.fd)  # closing drops the flock
            self.fd = None


@dataclass
class Program:
    name: str
    command: list[str]
    environment: dict[str, str] = field(default_factory=dict)  # added to supervisord's own; no secrets
    startsecs: int = 5
    stopwaitsecs: int = 15
    priority: int = 500


def _quote(arg: str) -> str:
    # supervisord splits `command` with shlex; %-signs are its own expansions.
    import shlex

    return shlex.quote(arg).replace("%", "%%")


def write_config(path: Path, programs: list[Program], cwd: Path, log_dir: Path, start_retries: int = 1000) -> Path:
    """var/supervisord.conf for `programs`; logs under log_dir (one file per program)."""
    run_dir = path.parent
    log_dir.mkdir(parents=True, exist_ok=True)
    lines = [
        "; written by scripts/stack.py for `make run`; rewritten at every start",
        "[supervisord]",
        "nodaemon=true",
        f"logfile={log_dir / 'supervisord.log'}",
        f"pidfile={run_dir / 'supervisord.pid'}",
        f"directory={cwd}",
        "logfile_maxbytes=10MB",
        "loglevel=info",
        "",
        "[unix_http_server]",
        f"file={socket_path(run_dir)}",
        "chmod=0700",
        "",
        "[rpcinterface:supervisor]",
        "supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface",
        "",
        "[supervisorctl]",
        f"serverurl=unix://{socket_path(run_dir)}",
    ]
    for prog in programs:
        lines += [
            "",
            f"[program:{prog.name}]",
            "command=" + " ".join(_quote(a) for a in prog.command),
            f"directory={cwd}",
            f"priority={prog.priority}",
            "autostart=true",
            # Restarted whenever it exits; a start that fails within startsecs is retried after
            # 1 s, 2 s, 3 s ... (supervisord's backoff), start_retries times before it gives up.
            "autorestart=true",
            f"startsecs={prog.startsecs}",
            f"startretries={start_retries}",
            "stopsignal=TERM",
            f"stopwaitsecs={prog.stopwaitsecs}",
            "stopasgroup=true",
            "killasgroup=true",
            "redirect_stderr=true",
            f"stdout_logfile={log_dir / (prog.name + '.log')}",
            "stdout_logfile_maxbytes=20MB",
            "stdout_logfile_backups=2",
        ]
        if prog.environment:
            env = ",".join(f'{k}="{v}"' for k, v in prog.environment.items())
            lines.append(f"environment={env}")
    path.write_text("\n".join(lines) + "\n")
    path.chmod(0o600)
    return path


def socket_path(run_dir: Path) -> Path:
    return run_dir / "supervisor.sock"


def client(run_dir: Path):
    """supervisord's XML-RPC interface (`.supervisor.getAllProcessInfo()` ...) over its unix socket."""
    from supervisor.xmlrpc import SupervisorTransport

    transport = SupervisorTransport(None, None, f"unix://{socket_path(run_dir)}")
    return xmlrpc.client.ServerProxy("http://127.0.0.1", transport=transport)


def states(run_dir: Path) -> dict[str, str]:
    """{program: state name} (RUNNING, STARTING, BACKOFF, EXITED, FATAL ...); {} while it does not answer."""
    try:
        return {p["name"]: p["statename"] for p in client(run_dir).supervisor.getAllProcessInfo()}
    except (OSError, xmlrpc.client.Error):
        return {}


def pids(run_dir: Path) -> dict[str, int]:
    try:
        return {p["name"]: p["pid"] for p in client(run_dir).supervisor.getAllProcessInfo()}
    except (OSError, xmlrpc.client.Error):
        return {}
