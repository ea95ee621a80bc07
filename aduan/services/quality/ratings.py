"""Ratings of a service point: one screen, 1–5 faces, optional comment and contact.

Abuse rules (no login): one rating per device per point per hour — the device is a random
cookie the rating page sets (its address and browser when cookies are refused), kept only as a
keyed hash with the point; the views add per-address rate limits. A kiosk (the point's kiosk
key) is one device shared by everyone at the counter, so the hour rule does not apply to it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
from collections.abc import Mapping
from dataclasses import dataclass

from flask import current_app
from flask_babel import lazy_gettext as _l

from aduan.extensions import db
from aduan.models.base import utcnow
from aduan.models.quality import Rating, ServicePoint
from aduan.services.admin import common as f
from aduan.services.quality import rating_tickets
from channels.phones import normalise_phone

SCORES = (1, 2, 3, 4, 5)
DEVICE_WINDOW = dt.timedelta(hours=1)
ALREADY_RATED = _l(
    "You have already rated this service point in the last hour. Thank you — you can rate it "
    "again later."
)
CHOOSE_FACE = _l("Choose one of the five faces.")
BAD_CONTACT = _l("Enter a phone number (e.g. 012-345 6789) or an e-mail address.")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class AlreadyRated(Exception):
    """This device rated this point less than an hour ago."""


@dataclass
class RatingInput:
    score: int
    comment: str
    contact_name: str
    phone: str
    email: str
    language: str


def clean(form: Mapping, language: str) -> RatingInput:
    """The posted rating, validated (``ValidationFailed`` with every field's error)."""
    errors: f.Errors = {}
    raw = str(form.get("score") or "")
    score = int(raw) if raw.isdigit() and int(raw) in SCORES else 0
    if not score:
        f.add(errors, "score", CHOOSE_FACE)
    comment = f.text(form, "comment", errors, max_len=2000, required=False)
    name = f.text(form, "contact_name", errors, max_len=200, required=False)
    contact = f.text(form, "contact", errors, max_len=254, required=False)
    phone = email = ""
    if contact and _EMAIL.match(contact):
        email = contact.lower()
    elif contact:
        phone = normalise_phone(contact)
        if not re.fullmatch(r"\+\d{8,15}", phone):
            f.add(errors, "contact", BAD_CONTACT)
    f.fail_if(errors)
    return RatingInput(score, comment, name, phone, email, language if language in
                       ("ms", "en", "zh", "ta") else "ms")  # fmt: skip


def device_hash(point: ServicePoint, device: str) -> str:
    """A keyed hash of the device with the point: the same device rating another point, or
    the same point from another device, is another key; the device itself is not stored."""
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, f"{point.id}:{device}".encode(), hashlib.sha256).hexdigest()


def submit(point: ServicePoint, given: RatingInput, device: str, kiosk: bool = False) -> Rating:
    """Store one rating (``AlreadyRated`` when this device rated the point within the hour);
    a low rating with a comment at a point that says so opens a complaint at once."""
    digest = device_hash(point, device)
    if not kiosk and _rated_recently(point, digest):
        raise AlreadyRated()
    rating = Rating(
        service_point_id=point.id, score=given.score, comment=given.comment or None,
        contact_name=given.contact_name or None, contact_phone=given.phone or None,
        contact_email=given.email or None, language=given.language,
        source="kiosk" if kiosk else "qr", device_hash=digest, created_at=utcnow(),
    )  # fmt: skip
    db.session.add(rating)
    db.session.commit()
    if point.auto_ticket and rating_tickets.is_low_with_comment(rating, point):
        rating_tickets.open_from_rating(rating, actor=None)
    return rating


def _rated_recently(point: ServicePoint, digest: str) -> bool:
    since = utcnow() - DEVICE_WINDOW
    query = db.select(Rating.id).where(
        Rating.service_point_id == point.id,
        Rating.device_hash == digest,
        Rating.created_at > since,
    )
    return db.session.scalar(query.limit(1)) is not None


def list_for(agency_id: int, *, low_only: bool = False, point_id: int | None = None,
             limit: int = 200) -> list[Rating]:  # fmt: skip
    """The agency's latest ratings (newest first), optionally only the low ones with a
    comment, or one point's."""
    query = (
        db.select(Rating)
        .join(ServicePoint, ServicePoint.id == Rating.service_point_id)
        .where(ServicePoint.agency_id == agency_id)
    )
    if point_id:
        query = query.where(Rating.service_point_id == point_id)
    if low_only:
        query = query.where(Rating.score <= ServicePoint.low_rating, Rating.comment.is_not(None))
    return list(db.session.scalars(query.order_by(Rating.created_at.desc()).limit(limit)))
