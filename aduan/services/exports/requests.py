"""Asking for an export and finding one's own: an ``Export`` row per request, owned by the
officer who asked and the agency whose data it holds, and its job queued once the row is
committed. Only the officer who asked reads the row or downloads its file; anyone else gets
``NotFound`` (an export's existence does not leak)."""

from __future__ import annotations

import datetime as dt
import logging

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from aduan import queues
from aduan.errors import NotFound, ValidationFailed
from aduan.extensions import db
from aduan.models import Officer
from aduan.models.exports import Export
from aduan.services.exports.writers import FORMATS

log = logging.getLogger(__name__)

KINDS = ("queue", "bpa_return", "audit")
QUEUED, RUNNING, READY, FAILED, EXPIRED = "queued", "running", "ready", "failed", "expired"
LIST_LIMIT = 50


def check_format(fmt: str | None) -> str:
    """``csv`` or ``xlsx``; anything else is refused with a field error."""
    if fmt not in FORMATS:
        raise ValidationFailed(
            _l("Choose CSV or XLSX."), errors={"format": [str(_l("Choose CSV or XLSX."))]}
        )
    return fmt


def create(officer: Officer, kind: str, fmt: str, params: dict, agency_id: int | None = None):
    """Record an export of ``kind`` for ``officer`` (of their agency's data, or of
    ``agency_id`` where the caller has checked the officer may), commit it and queue its job.
    The job writes the file in the language the officer reads the site in."""
    if kind not in KINDS:
        raise ValidationFailed("unknown export kind")
    export = Export(
        agency_id=agency_id or officer.agency_id,
        officer_id=officer.id,
        kind=kind,
        format=check_format(fmt),
        params={**params, "lang": str(get_locale() or "ms")},
        state=QUEUED,
    )
    db.session.add(export)
    db.session.commit()
    try:
        queues.enqueue(
            queues.DEFAULT, queues.RUN_EXPORT_JOB, export.id, job_id=f"export-{export.id}"
        )
    except Exception as exc:  # Redis down: say so on the export, do not lose the request
        log.warning("export not queued export_id=%s error=%s", export.id, type(exc).__name__)
        export.state, export.error = FAILED, "not_queued"
        db.session.commit()
    return export


def get_for(officer: Officer, export_id: int) -> Export:
    """The officer's own export ``export_id``; ``NotFound`` for anyone else's."""
    export = db.session.scalar(
        select(Export).where(Export.id == export_id, Export.officer_id == officer.id)
    )
    if export is None or not officer.is_active:
        raise NotFound("no such export")
    return export


def list_for(officer: Officer) -> list[Export]:
    """The officer's latest exports, newest first."""
    query = (
        select(Export)
        .where(Export.officer_id == officer.id)
        .order_by(Export.id.desc())
        .limit(LIST_LIMIT)
    )
    return list(db.session.scalars(query))


def percent(export: Export) -> int:
    """How far the job has come, 0–100."""
    if export.state == READY:
        return 100
    if not export.total:
        return 0
    return min(99, int(export.done * 100 / export.total))


def keep_for() -> dt.timedelta:
    """How long a finished file stays downloadable (``ADUAN_EXPORT_KEEP_HOURS``, 24)."""
    from flask import current_app

    return dt.timedelta(hours=int(current_app.config.get("EXPORT_KEEP_HOURS") or 24))
