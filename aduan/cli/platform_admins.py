"""``flask platform-admin``: grant, take and list the platform role (the national calendar's
editors); no agency admin can grant it."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from aduan.errors import NotFound
from aduan.services.admin import platform_admins

platform_admin_cli = AppGroup(
    "platform-admin", help="Platform administrators: who edits the national calendar."
)


@platform_admin_cli.command("grant")
@click.argument("username")
def grant_command(username: str) -> None:
    """Make the officer USERNAME a platform administrator."""
    _set(username, True)


@platform_admin_cli.command("revoke")
@click.argument("username")
def revoke_command(username: str) -> None:
    """Take the platform role from the officer USERNAME (signs them out everywhere)."""
    _set(username, False)


@platform_admin_cli.command("list")
def list_command() -> None:
    """Print every platform administrator."""
    for officer in platform_admins.list_all():
        click.echo(f"{officer.username}\t{officer.name}")


def _set(username: str, granted: bool) -> None:
    try:
        officer = platform_admins.set_platform_admin(username, granted)
    except NotFound as exc:
        raise click.UsageError(exc.message) from None
    state = "is now" if granted else "is no longer"
    click.echo(f"{officer.username} {state} a platform administrator.")
