"""``flask --app wsgi demo seed``: demo data for a first look (idempotent)."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from aduan.services.admin import demo

demo_cli = AppGroup("demo", help="Demo data.")


@demo_cli.command("seed")
@click.option("--tickets", default=200, show_default=True, type=click.IntRange(0, 100_000))
def seed_command(tickets: int) -> None:
    """Create two demo agencies (units, officers, accounts, tickets) and a platform
    administrator unless they exist; print everyone's sign-in."""
    if current_app.config["ENV_NAME"] == "production":
        raise click.UsageError("demo data is refused in production")
    with click.progressbar(length=tickets, label="Demo tickets") as bar:
        result = demo.seed(tickets, progress=bar.update)
    if not result["created"]:
        click.echo(f"Demo data already present ({result['tickets']} tickets); nothing added.")
    for line in demo.sign_in_lines(result):
        click.echo(line)
