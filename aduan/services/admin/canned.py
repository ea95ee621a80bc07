"""Canned responses of the admin's agency: ready answers officers drop into a reply."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aduan.extensions import db
from aduan.languages import CITIZEN_LANGUAGES
from aduan.models import Officer
from aduan.models.access import CannedResponse
from aduan.services.admin import common as f
from aduan.services.tenancy import scoped

FIELDS = ("title", "language", "body", "active")
LANGUAGES = CITIZEN_LANGUAGES


def list_for(agency_id: int) -> list[CannedResponse]:
    query = scoped(db.select(CannedResponse), CannedResponse, agency_id)
    return list(db.session.scalars(query.order_by(CannedResponse.title, CannedResponse.id)))


def values(row: CannedResponse | None) -> dict[str, Any]:
    if row is None:
        return {"language": "ms", "active": True}
    return f.snapshot(row, FIELDS)


def save(actor: Officer, form: Mapping, row: CannedResponse | None = None) -> CannedResponse:
    """Create or update a canned response; audited; the caller commits."""
    errors: f.Errors = {}
    data = {
        "title": f.text(form, "title", errors, max_len=200),
        "language": f.choice(form, "language", errors, LANGUAGES),
        "body": f.text(form, "body", errors, max_len=5000),
        "active": f.checkbox(form, "active"),
    }
    f.fail_if(errors)
    before = f.snapshot(row, FIELDS) if row is not None else None
    if row is None:
        row = CannedResponse(agency_id=actor.agency_id)
        db.session.add(row)
    for key, value in data.items():
        setattr(row, key, value)
    db.session.flush()
    action = "update" if before else "create"
    f.audit(actor, "canned_response", row.id, action, before, f.snapshot(row, FIELDS))
    return row


def delete(actor: Officer, row: CannedResponse) -> None:
    f.audit(actor, "canned_response", row.id, "delete", f.snapshot(row, FIELDS), None)
    db.session.delete(row)
