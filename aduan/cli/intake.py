"""``flask --app wsgi intake …``: quarantined inbound events (never their payloads)."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from aduan.errors import NotFound
from aduan.services.intake import quarantine


@click.group("intake")
def intake_cli() -> None:
    """Inbound events: list quarantined ones, retry one."""


@intake_cli.command("quarantine")
@with_appcontext
def list_command() -> None:
    """List quarantined events: id, channel, received, error."""
    items = quarantine.list_quarantined()
    if not items:
        click.echo("no quarantined events")
    for item in items:
        click.echo(f"{item['id']}\t{item['channel']}\t{item['received_at']}\t{item['error'] or ''}")


@intake_cli.command("retry")
@click.argument("event_id", type=int)
@with_appcontext
def retry_command(event_id: int) -> None:
    """Clear the quarantine of EVENT_ID and enqueue it again."""
    try:
        result = quarantine.retry(event_id)
    except NotFound as exc:
        raise click.ClickException(exc.message)
    state = "enqueued" if result["enqueued"] else "stored (queue unavailable; requeued later)"
    click.echo(f"event {event_id} released from quarantine, {state}")
