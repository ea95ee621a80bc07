"""The agency's logo on its public pages: an image the admin uploads, checked by its bytes
(PNG, JPEG or WebP — never SVG, which can carry script), at most ``MAX_BYTES``, kept in the
attachment store (shared by every host) and named in the agency's settings. Audited."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from aduan.errors import ValidationFailed
from aduan.extensions import db
from aduan.models import Agency, Officer
from aduan.services.admin import common as f
from aduan.services.storage.selection import attachment_store

LOGO = "public_logo"
MAX_BYTES = 200 * 1024
IMAGE_TYPES = {b"\x89PNG\r\n\x1a\n": "image/png", b"\xff\xd8\xff": "image/jpeg"}
NOT_AN_IMAGE = _l("Upload a PNG, JPEG or WebP image.")
TOO_LARGE = _l("The logo may be at most 200 KB.")


def image_type(data: bytes) -> str | None:
    """The image type the bytes really are, or None."""
    for signature, content_type in IMAGE_TYPES.items():
        if data.startswith(signature):
            return content_type
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


def save_logo(actor: Officer, data: bytes) -> Agency:
    """Store ``data`` as the logo of the actor's agency; the caller commits."""
    if len(data) > MAX_BYTES:
        raise ValidationFailed("logo too large", errors={"logo": [str(TOO_LARGE)]})
    content_type = image_type(data)
    if content_type is None:
        raise ValidationFailed("not an image", errors={"logo": [str(NOT_AN_IMAGE)]})
    return _set(actor, {"sha256": attachment_store().put(data), "type": content_type})


def remove_logo(actor: Officer) -> Agency:
    """The actor's agency shows no logo again; the caller commits."""
    return _set(actor, None)


def logo_of(agency: Agency) -> tuple[str, str] | None:
    """``(sha256, content type)`` of the agency's logo, or None."""
    logo = (agency.settings or {}).get(LOGO)
    return (logo["sha256"], logo["type"]) if isinstance(logo, dict) else None


def _set(actor: Officer, logo: dict | None) -> Agency:
    agency = db.session.get(Agency, actor.agency_id)
    before = (agency.settings or {}).get(LOGO)
    settings = {**(agency.settings or {})}
    if logo is None:
        settings.pop(LOGO, None)
    else:
        settings[LOGO] = logo
    agency.settings = settings
    db.session.flush()
    f.audit(actor, "agency", agency.id, "update", {"logo": before}, {"logo": logo})
    return agency
