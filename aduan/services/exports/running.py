"""The export job: load the request, stream its rows in batches into a file in the exports
folder (progress committed after each batch, so the page can show it), then mark it ready —
or failed, with a short reason. Safe to run twice: a second run of a finished export does
nothing, a second run of an interrupted one starts the file again. ``expire`` deletes files
past their time (the periodic job)."""

from __future__ import annotations

import datetime as dt
import logging
import os
from collections.abc import Callable

from flask_babel import force_locale
from sqlalchemy import select

from aduan.extensions import db
from aduan.models import Officer
from aduan.models.base import utcnow
from aduan.models.exports import Export
from aduan.services.exports import files
from aduan.services.exports.requests import EXPIRED, FAILED, READY, RUNNING, keep_for
from aduan.services.exports.rows import Rows
from aduan.services.exports.writers import open_writer

log = logging.getLogger(__name__)

# An export still queued or running this long after it was asked for died with its worker.
STALE_AFTER_HOURS = 6


def _sources() -> dict[str, Callable[[Export, Officer], Rows]]:
    from aduan.services.admin import audit_log
    from aduan.services.exports import bpa_return, queue_rows

    return {"queue": queue_rows.rows, "bpa_return": bpa_return.rows, "audit": audit_log.rows}


def run(export_id: int) -> str:
    """Write export ``export_id``'s file; its final state (``ready``, ``failed``…)."""
    export = db.session.get(Export, export_id)
    if export is None or export.state in (READY, EXPIRED):
        return export.state if export else "missing"
    officer = db.session.get(Officer, export.officer_id)
    export.state, export.done, export.error = RUNNING, 0, None
    db.session.commit()
    stored_as = files.new_name(export.id, export.format)
    partial = files.folder() / f".partial-{stored_as}"
    try:
        with force_locale(export.params.get("lang") or "ms"):
            file_name = _write(export, officer, partial)
        os.replace(partial, files.path_of(stored_as))
    except Exception as exc:  # recorded on the row; a retry would only fail the same way
        db.session.rollback()
        partial.unlink(missing_ok=True)
        log.exception("export failed export_id=%s kind=%s", export_id, export.kind)
        export.state, export.error = FAILED, type(exc).__name__[:200]
        db.session.commit()
        return FAILED
    files.remove(export.stored_as)  # an earlier run's file, if any
    now = utcnow()
    export.state, export.stored_as, export.file_name = READY, stored_as, file_name
    export.size, export.finished_at = files.path_of(stored_as).stat().st_size, now
    export.expires_at = now + keep_for()
    db.session.commit()
    log.info("export ready export_id=%s rows=%s", export.id, export.done)
    return READY


def _write(export: Export, officer: Officer, path) -> str:
    rows = _sources()[export.kind](export, officer)
    export.total = rows.total
    db.session.commit()
    writer = open_writer(export.format, path, rows.title)
    try:
        for line in rows.preamble:
            writer.write(line)
        writer.write(rows.header)
        done = 0
        for batch in rows.batches:
            for row in batch:
                writer.write(row)
            done += len(batch)
            db.session.execute(
                Export.__table__.update().where(Export.id == export.id).values(done=done)
            )
            db.session.commit()
    finally:
        writer.close()
    export.done = done
    return f"{rows.file_stem}.{export.format}"


def expire(now=None) -> int:
    """Delete the files of exports past their time and mark them expired; give up on exports
    queued or running for hours (their worker died). How many rows changed."""
    now = now or utcnow()
    due = db.session.scalars(
        select(Export).where(Export.state == READY, Export.expires_at < now)
    ).all()
    for export in due:
        files.remove(export.stored_as)
        export.state, export.stored_as = EXPIRED, None
    stale_before = now - dt.timedelta(hours=STALE_AFTER_HOURS)
    stale = db.session.scalars(
        select(Export).where(
            Export.state.in_(("queued", RUNNING)), Export.created_at < stale_before
        )
    ).all()
    for export in stale:
        export.state, export.error = FAILED, "interrupted"
    db.session.commit()
    return len(due) + len(stale)
