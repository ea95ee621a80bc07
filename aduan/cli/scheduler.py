"""``flask --app wsgi scheduler``: the one process that enqueues periodic jobs."""

import click
from flask.cli import with_appcontext

from workers import schedule


@click.command("scheduler")
@click.option("--interval", default=5.0, show_default=True, help="Seconds between ticks.")
@with_appcontext
def scheduler_command(interval: float) -> None:
    """Enqueue periodic jobs when due; a second scheduler waits on the lock as a standby."""
    schedule.run(interval=interval)
