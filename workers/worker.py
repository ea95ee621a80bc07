"""The worker class: non-forking (the measured cost of a fork per job caps intake far below
what the database takes), one Flask app per process built when the worker starts, a fresh app
context per job; and ``serve``, the loop that keeps a worker serving through Redis outages.

Run with ``flask --app wsgi worker`` (``serve``: it survives Redis going away, and runs RQ's
scheduler for retries by default) or ``rq worker -w workers.worker.AppWorker <queues>`` (RQ's
own loop: it exits when Redis goes away, so run it under a supervisor that restarts it).
"""

from __future__ import annotations

import logging
import time

import redis
from rq import SimpleWorker
from rq.exceptions import StopRequested

log = logging.getLogger(__name__)
MAX_PAUSE = 30.0


class AppWorker(SimpleWorker):
    """A ``SimpleWorker`` that runs every job inside an app context of one app per process."""

    _app = None

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.flask_app()  # built now, not on the first job: a new worker takes jobs at once

    @classmethod
    def flask_app(cls):
        if cls._app is None:
            from aduan import create_app

            cls._app = create_app()
        return cls._app

    def perform_job(self, job, queue):
        app = self.flask_app()
        with app.app_context():
            return super().perform_job(job, queue)

    def work(self, *args, with_scheduler: bool = False, **kwargs) -> bool:
        if not with_scheduler:
            warn_without_scheduler(self)
        return super().work(*args, with_scheduler=with_scheduler, **kwargs)


def warn_without_scheduler(worker: SimpleWorker) -> None:
    """RQ moves scheduled retries to their queues only where a worker runs its scheduler; say
    so when this worker does not and none holds the scheduler lock of its queues."""
    try:
        held = [
            q.name for q in worker.queues if worker.connection.exists(f"rq:scheduler-lock:{q.name}")
        ]
    except redis.RedisError:
        return
    if len(held) < len(worker.queues):
        log.warning(
            "worker started without RQ's scheduler and none runs for queues=%s: "
            "retries wait until a worker runs with --with-scheduler",
            ",".join(q.name for q in worker.queues if q.name not in held),
        )


def _stop_was_requested(worker) -> bool:
    """A warm shut-down (SIGTERM, Ctrl-C) ends RQ's loop normally; RQ notes its date."""
    return worker is not None and (
        worker._stop_requested or worker._shutdown_requested_date is not None
    )


def serve(
    make_worker, *, burst: bool = False, with_scheduler: bool = True, sleep=time.sleep
) -> int:
    """Run workers from ``make_worker()`` until stopped. RQ's loop ends when Redis goes away
    (a lost connection in its heartbeat or dequeue); a new worker, under a new name, is started
    after a growing pause (at most ``MAX_PAUSE`` s) instead of the process exiting. Returns how
    many times it had to start again."""
    restarts, pause = 0, 1.0
    while True:
        worker, lost = None, False
        try:
            worker = make_worker()
            worker.work(burst=burst, with_scheduler=with_scheduler)
        except StopRequested:
            return restarts
        except (redis.ConnectionError, redis.TimeoutError) as exc:
            lost = True
            log.warning("worker cannot reach redis error=%s", type(exc).__name__)
        if _stop_was_requested(worker) or (burst and not lost):
            return restarts
        restarts += 1
        log.warning("worker loop ended without a stop request: starting again in %.0fs", pause)
        try:
            sleep(pause)
        except StopRequested:
            return restarts
        pause = min(pause * 2, MAX_PAUSE)
