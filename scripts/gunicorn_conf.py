"""gunicorn settings shared by every gunicorn this project starts (scripts/stack.py passes
`--config python:scripts.gunicorn_conf`): each worker says when it has loaded the app, so a caller
can wait for all of them (stack.wait_for_workers)."""

READY = "worker ready: app loaded"


def post_worker_init(worker):
    worker.log.info("%s (pid %s)", READY, worker.pid)
