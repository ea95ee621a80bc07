"""The process commands: ``flask --app wsgi worker`` (an RQ worker for this app, non-forking,
an app context per job) and ``flask --app wsgi scheduler`` (the one process that enqueues
periodic jobs). ``wsgi.py`` registers them: the core (``aduan``) never imports ``workers``."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from aduan.queues import ALL_QUEUES, INGEST, queue_name
from aduan.redis_conn import get_redis
from aduan.services.intake import language_detection
from workers import schedule
from workers.worker import AppWorker, serve


@click.command("worker")
@click.option("--queue", "queues", multiple=True, help="Queue to serve (repeatable); default: all.")
@click.option("--with-scheduler/--without-scheduler", default=True, show_default=True)
@click.option("--burst", is_flag=True, help="Stop when the queues are empty.")
@with_appcontext
def worker_command(queues: tuple[str, ...], with_scheduler: bool, burst: bool) -> None:
    """Serve RQ jobs until stopped (Ctrl-C finishes the current job and exits); rides out
    Redis going away. Run it under a supervisor all the same (deploy/)."""
    AppWorker._app = current_app._get_current_object()
    if INGEST in (queues or ALL_QUEUES):
        language_detection.warm()  # before the first complaint, not during it
    names = [queue_name(q) for q in (queues or ALL_QUEUES)]
    serve(
        lambda: AppWorker(names, connection=get_redis(current_app)),
        burst=burst,
        with_scheduler=with_scheduler,
    )


@click.command("scheduler")
@click.option("--interval", default=5.0, show_default=True, help="Seconds between ticks.")
@with_appcontext
def scheduler_command(interval: float) -> None:
    """Enqueue periodic jobs when due; a second scheduler waits on the lock as a standby."""
    schedule.run(interval=interval)


def register(app) -> None:
    """Add the worker and scheduler commands to ``app``'s ``flask`` CLI."""
    app.cli.add_command(worker_command)
    app.cli.add_command(scheduler_command)
