"""The worker process: `flask --app server worker` (scripts/stack.py starts one under `make run`).

Background jobs run here, not in the web workers: the outbox retries (writes the back end still
owes), the sweep for handoffs left unclaimed, re-publishing the FAQ when Redis lost it, the case
desk's overdue flags, the notices to workers (bot/notices/sender.py: the back end's event feed
to the web transcript and WeChat, each notice sent once under a lease), early warnings, the
retention purge; later jobs
are added to `jobs()`. Every job is
safe with any number of worker processes against one Redis and one database: the outbox claims
items with a lease, the sweep flags a handoff with a conditional UPDATE, so no job is done twice.
"""
from __future__ import annotations

import logging
import signal
import threading
import time
from dataclasses import dataclass
from typing import Callable

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

log = logging.getLogger(__name__)


@dataclass
class Job:
    name: str
    every: float  # seconds between two runs
    run: Callable[[], object]


def jobs(app: Flask) -> list[Job]:
    from bot.console.overdue import flag_overdue
    from bot.orgs.alerts import announce_alerts
    from bot.faq.live_index import publish_if_missing
    from bot.privacy.retention import PURGE_EVERY, purge_due
    from unionkit.timelimits import desk_config

    outbox, backend, handoff = (app.extensions[k] for k in ("outbox", "union_backend", "handoff"))
    return [
        Job("outbox", 1.0, lambda: outbox.deliver_due(backend)),
        Job("handoff-sweep", handoff.cfg.sweep_seconds, handoff.sweep_unclaimed),
        # A new or flushed Redis has no FAQ snapshot for the action server: publish it again.
        Job("faq-publish", 5.0, publish_if_missing),
        # Records past their time limit: flagged to their team once, counted (bot/console/overdue.py).
        Job("desk-overdue", float(desk_config().get("overdue_check_seconds", 60)), lambda: flag_overdue(backend)),
        # Status changes and officer messages to the worker within seconds; then the rating question.
        Job("notices", 1.0, app.extensions["notices"].run_once),
        # Early warnings: each new alert counted once (bot/orgs/alerts.py).
        Job("early-warnings", 30.0, lambda: announce_alerts(backend)),
        # Chats older than RETENTION_DAYS (bot/privacy/retention.py).
        Job("retention-purge", PURGE_EVERY, purge_due),
    ]


def run(app: Flask, stop: threading.Event, job_list: list[Job] | None = None) -> None:
    """Runs each job every `job.every` seconds until `stop` is set; a failing job is logged and
    tried again next time (each run in its own app context, so its session is released)."""
    job_list = jobs(app) if job_list is None else job_list
    due = {job.name: 0.0 for job in job_list}
    while not stop.is_set():
        for job in job_list:
            if time.monotonic() < due[job.name]:
                continue
            try:
                with app.app_context():
                    job.run()
            except Exception:  # noqa: BLE001 - a database or Redis hiccup must not end the worker
                log.exception("job %s failed", job.name)
            due[job.name] = time.monotonic() + job.every
        stop.wait(max(0.05, min(due.values()) - time.monotonic()))


@click.command("worker")
@with_appcontext
def worker_cli() -> None:
    """Run the background jobs (outbox retries, handoff sweeps) until SIGTERM or Ctrl-C."""
    app = current_app._get_current_object()
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    log.info("worker: %s", ", ".join(f"{j.name} every {j.every:g}s" for j in jobs(app)))
    run(app, stop)
