"""``flask reports``: roll the reports' aggregates up again from the raw tables."""

from __future__ import annotations

import datetime as dt

import click
from flask.cli import AppGroup

from aduan.services.reports import rollups

reports_cli = AppGroup("reports", help="Reports: rebuild the rollups from the raw tables.")


@reports_cli.command("rebuild")
@click.option("--from", "start", help="first day (YYYY-MM-DD); the first ticket's by default")
@click.option("--to", "end", help="last day (YYYY-MM-DD); today by default")
def rebuild_command(start: str | None, end: str | None) -> None:
    """Rebuild every agency's rollup rows of each day in the range."""
    try:
        first = dt.date.fromisoformat(start) if start else None
        last = dt.date.fromisoformat(end) if end else None
    except ValueError as exc:
        raise click.BadParameter(f"not a date (YYYY-MM-DD): {exc}") from exc
    click.echo(f"rebuilt {rollups.rebuild_all(first, last)} agency-days")
