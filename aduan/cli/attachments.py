"""``flask --app wsgi attachments …``: moving attachment files between stores."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from aduan.services.storage import migration
from aduan.services.storage.selection import UnknownStore, store_from_setting


@click.group("attachments")
def attachments_cli() -> None:
    """Attachment files: copy them into a shared store."""


@attachments_cli.command("migrate")
@click.option("--to", "to_spec", required=True, help="postgresql, s3://bucket/prefix or local:DIR")
@click.option(
    "--from",
    "from_spec",
    default="local",
    show_default=True,
    help="the store to copy from (local = ADUAN_ATTACHMENT_DIR)",
)
@with_appcontext
def migrate_command(to_spec: str, from_spec: str) -> None:
    """Copy every attachment file into the store TO, verifying each sha256. Safe to re-run:
    files already copied are checked, not sent again. Then set ADUAN_ATTACHMENT_STORE=TO."""
    try:
        source = store_from_setting(from_spec, current_app.config)
        target = store_from_setting(to_spec, current_app.config)
    except UnknownStore as exc:
        raise click.BadParameter(str(exc))
    report = migration.migrate(source, target)
    click.echo(f"copied {report.copied}, already there {report.present}")
    for key, reason in report.failed.items():
        click.echo(f"{key}\t{reason}", err=True)
    for key in report.missing:
        click.echo(f"{key}\tnamed by an attachment but in neither store", err=True)
    if not report.ok:
        raise click.ClickException(
            f"{len(report.failed)} failed, {len(report.missing)} missing: run again after fixing"
        )
    click.echo(f"every attachment is in {to_spec}: set ADUAN_ATTACHMENT_STORE={to_spec}")
