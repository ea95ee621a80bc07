"""Service points: what the public rates, with its short link, kiosk key and QR poster."""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Mapping

from flask import current_app
from flask_babel import lazy_gettext as _l

from aduan.extensions import db
from aduan.models import Agency, Category, Officer, Unit
from aduan.models.quality import ServicePoint
from aduan.services import tenancy
from aduan.services.admin import common as f

KINDS = {
    "counter": _l("Counter"),
    "branch": _l("Branch"),
    "hotline": _l("Hotline"),
    "web": _l("Web service"),
}
CODE = re.compile(r"^[a-z0-9][a-z0-9-]{1,39}$")
BAD_CODE = _l("Use 2–40 lower-case letters, digits or hyphens, e.g. kaunter-1.")
FIELDS = ("code", "name", "kind", "unit_id", "category_id", "auto_ticket", "low_rating", "active")


def list_for(agency_id: int, active_only: bool = False) -> list[ServicePoint]:
    """The agency's service points, by name."""
    query = db.select(ServicePoint).where(ServicePoint.agency_id == agency_id)
    if active_only:
        query = query.where(ServicePoint.active.is_(True))
    return list(db.session.scalars(query.order_by(ServicePoint.name)))


def find_public(agency: Agency, code: str) -> ServicePoint | None:
    """The active point with that short-link code at that agency (None: not there)."""
    return db.session.scalar(
        db.select(ServicePoint).where(
            ServicePoint.agency_id == agency.id,
            ServicePoint.code == (code or "").lower(),
            ServicePoint.active.is_(True),
        )
    )


def values(point: ServicePoint | None) -> dict:
    """The edit form's values."""
    if point is None:
        return {"kind": "counter", "low_rating": 2, "active": True}
    return {name: getattr(point, name) for name in FIELDS}


def save(officer: Officer, form: Mapping, point: ServicePoint | None = None) -> ServicePoint:
    """Create or change one of the officer's agency's service points (validated, audited)."""
    errors: f.Errors = {}
    code = f.text(form, "code", errors, max_len=40).lower()
    if code and not CODE.match(code):
        f.add(errors, "code", BAD_CODE)
    name = f.text(form, "name", errors, max_len=200)
    kind = f.choice(form, "kind", errors, tuple(KINDS))
    unit = _own_optional(Unit, form.get("unit_id"), officer.agency_id, "unit_id", errors)
    category = _own_optional(Category, form.get("category_id"), officer.agency_id,
                             "category_id", errors)  # fmt: skip
    low = f.choice(form, "low_rating", errors, ("1", "2", "3"), required=False) or "2"
    if code and _code_taken(officer.agency_id, code, point):
        f.add(errors, "code", f.IN_USE)
    f.fail_if(errors)
    before = f.snapshot(point, FIELDS) if point is not None else None
    point = point or ServicePoint(agency_id=officer.agency_id)
    point.code, point.name, point.kind = code, name, kind
    point.unit_id = unit.id if unit else None
    point.category_id = category.id if category else None
    point.auto_ticket = f.checkbox(form, "auto_ticket")
    point.low_rating = int(low)
    point.active = f.checkbox(form, "active")
    db.session.add(point)
    db.session.flush()
    f.audit(officer, "service_point", point.id, "update" if before else "create", before,
            f.snapshot(point, FIELDS))  # fmt: skip
    return point


def _own_optional(model, raw, agency_id: int, name: str, errors: f.Errors):
    if raw in (None, "", "0"):
        return None
    row = tenancy.get_scoped(model, raw, agency_id)
    if row is None:
        f.add(errors, name, f.BAD_CHOICE)
    return row


def _code_taken(agency_id: int, code: str, point: ServicePoint | None) -> bool:
    query = db.select(ServicePoint.id).where(
        ServicePoint.agency_id == agency_id, ServicePoint.code == code
    )
    if point is not None and point.id is not None:
        query = query.where(ServicePoint.id != point.id)
    return db.session.scalar(query) is not None


def short_link(point: ServicePoint) -> str:
    """The public URL the QR code holds: ``<base>/a/<agency code>/n/<point code>``."""
    base = current_app.config.get("PUBLIC_BASE_URL", "").rstrip("/")
    return f"{base}/a/{point_agency_code(point)}/n/{point.code}"


def point_agency_code(point: ServicePoint) -> str:
    return db.session.get(Agency, point.agency_id).code


def new_kiosk_key(officer: Officer, point: ServicePoint) -> str:
    """A fresh kiosk key for the point (shown once; the previous kiosk link stops working)."""
    key = secrets.token_urlsafe(18)
    point.kiosk_key_hash = _digest(key)
    f.audit(officer, "service_point", point.id, "kiosk_key", None, {"kiosk": "renewed"})
    return key


def kiosk_key_valid(point: ServicePoint, key: str | None) -> bool:
    """True when ``key`` is the point's current kiosk key."""
    if not key or not point.kiosk_key_hash:
        return False
    return secrets.compare_digest(point.kiosk_key_hash, _digest(key))


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()
