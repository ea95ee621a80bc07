"""Service quality beyond complaints (issue #18): service points and their ratings, checklists,
mystery-shopping exercises (shoppers, visits, actions) and the yearly satisfaction study.

Service points and checklists are the agency's own rows; everything else hangs off one of them
(``via:``), so the tenancy rule (``aduan/services/tenancy.py``) walls each agency in.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    Boolean,
    Date,
    Float,
    ForeignKey,
    Index,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from aduan.extensions import db
from aduan.models.base import JSONType, UTCDateTime, utcnow


class ServicePoint(db.Model):
    """A counter, branch, hotline or web service the public rates (by QR code or kiosk)."""

    __tablename__ = "quality_service_points"
    __tenant__ = "agency"  # aduan/services/tenancy.py
    __table_args__ = (UniqueConstraint("agency_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(40))  # in the short link: /a/<agency>/n/<code>
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))  # ``quality.service_points.KINDS``
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id", ondelete="SET NULL"))
    category_id: Mapped[int | None] = mapped_column(
        ForeignKey("categories.id", ondelete="SET NULL")
    )
    auto_ticket: Mapped[bool] = mapped_column(Boolean, default=False)
    low_rating: Mapped[int] = mapped_column(SmallInteger, default=2)  # at or below: "low"
    kiosk_key_hash: Mapped[str | None] = mapped_column(String(64))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    unit = relationship("Unit")
    category = relationship("Category")


class Rating(db.Model):
    """One person's rating of a service point: 1–5, optional comment and contact.

    ``device_hash`` keys the one-rating-per-device-per-hour rule (a hash of the device's cookie
    and the point, never the address); ``ticket_id`` is the complaint opened from it (unique:
    one ticket per rating, however often the button is pressed)."""

    __tablename__ = "quality_ratings"
    __tenant__ = "via:service_point_id"  # aduan/services/tenancy.py
    __table_args__ = (
        Index("ix_quality_ratings_point_created", "service_point_id", "created_at"),
        Index("ix_quality_ratings_device", "device_hash", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    service_point_id: Mapped[int] = mapped_column(
        ForeignKey("quality_service_points.id", ondelete="CASCADE")
    )
    score: Mapped[int] = mapped_column(SmallInteger)
    comment: Mapped[str | None] = mapped_column(Text)
    contact_name: Mapped[str | None] = mapped_column(String(200))
    contact_phone: Mapped[str | None] = mapped_column(String(30))
    contact_email: Mapped[str | None] = mapped_column(String(254))
    language: Mapped[str] = mapped_column(String(2), default="ms")
    source: Mapped[str] = mapped_column(String(10), default="qr")  # qr | kiosk
    device_hash: Mapped[str] = mapped_column(String(64))
    ticket_id: Mapped[int | None] = mapped_column(
        ForeignKey("tickets.id", ondelete="SET NULL"), unique=True
    )
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    service_point = relationship("ServicePoint")
    ticket = relationship("Ticket")


class Checklist(db.Model):
    """Questions grouped by section, for mystery shopping or the satisfaction study.

    ``items``: ``[{"key", "section", "kind", "text_ms", "text_en", "limit"}]`` where ``kind`` is
    ``yesno``, ``scale`` (1–5), ``seconds`` (measured; ``limit`` is the standard) or ``text``."""

    __tablename__ = "quality_checklists"
    __tenant__ = "agency"  # aduan/services/tenancy.py

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    items: Mapped[list] = mapped_column(JSONType, default=list)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class Exercise(db.Model):
    """A planned mystery-shopping exercise: objective, points visited, period, checklist."""

    __tablename__ = "quality_exercises"
    __tenant__ = "via:checklist_id"  # aduan/services/tenancy.py

    id: Mapped[int] = mapped_column(primary_key=True)
    checklist_id: Mapped[int] = mapped_column(
        ForeignKey("quality_checklists.id", ondelete="CASCADE")
    )
    name: Mapped[str] = mapped_column(String(200))
    objective: Mapped[str] = mapped_column(Text)
    service_point_ids: Mapped[list] = mapped_column(JSONType, default=list)
    starts_on: Mapped[dt.date] = mapped_column(Date)
    ends_on: Mapped[dt.date] = mapped_column(Date)
    findings: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    checklist = relationship("Checklist")


class Shopper(db.Model):
    """A mystery shopper appointed to an exercise; reaches the form by a link (hashed token)
    valid until ``expires_at``, with no account."""

    __tablename__ = "quality_shoppers"
    __tenant__ = "via:exercise_id"  # aduan/services/tenancy.py

    id: Mapped[int] = mapped_column(primary_key=True)
    exercise_id: Mapped[int] = mapped_column(ForeignKey("quality_exercises.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    exercise = relationship("Exercise")


class Visit(db.Model):
    """One filled checklist: a shopper's visit to a service point. ``submission_id`` is made
    by the shopper's phone, so a form queued offline and sent twice is stored once."""

    __tablename__ = "quality_visits"
    __tenant__ = "via:exercise_id"  # aduan/services/tenancy.py

    id: Mapped[int] = mapped_column(primary_key=True)
    exercise_id: Mapped[int] = mapped_column(ForeignKey("quality_exercises.id", ondelete="CASCADE"))
    shopper_id: Mapped[int] = mapped_column(ForeignKey("quality_shoppers.id", ondelete="CASCADE"))
    service_point_id: Mapped[int] = mapped_column(
        ForeignKey("quality_service_points.id", ondelete="CASCADE")
    )
    submission_id: Mapped[str] = mapped_column(String(64), unique=True)
    visited_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    place: Mapped[str | None] = mapped_column(String(300))
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    answers: Mapped[dict] = mapped_column(JSONType, default=dict)
    received_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    service_point = relationship("ServicePoint")


class Action(db.Model):
    """One action of an exercise's action plan: what, who owns it, by when, done when."""

    __tablename__ = "quality_actions"
    __tenant__ = "via:exercise_id"  # aduan/services/tenancy.py

    id: Mapped[int] = mapped_column(primary_key=True)
    exercise_id: Mapped[int] = mapped_column(ForeignKey("quality_exercises.id", ondelete="CASCADE"))
    service_point_id: Mapped[int | None] = mapped_column(
        ForeignKey("quality_service_points.id", ondelete="SET NULL")
    )
    description: Mapped[str] = mapped_column(Text)
    owner_id: Mapped[int] = mapped_column(ForeignKey("officers.id", ondelete="CASCADE"))
    due_on: Mapped[dt.date] = mapped_column(Date)
    done_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    owner = relationship("Officer")
    service_point = relationship("ServicePoint")


class Study(db.Model):
    """The yearly customer satisfaction study: a checklist sent to a sample of the year's
    complainants on their own channel."""

    __tablename__ = "quality_studies"
    __tenant__ = "via:checklist_id"  # aduan/services/tenancy.py

    id: Mapped[int] = mapped_column(primary_key=True)
    checklist_id: Mapped[int] = mapped_column(
        ForeignKey("quality_checklists.id", ondelete="CASCADE")
    )
    year: Mapped[int] = mapped_column(SmallInteger)
    sample_size: Mapped[int] = mapped_column(SmallInteger)
    sent_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    checklist = relationship("Checklist")


class StudyInvitation(db.Model):
    """One sampled complainant's invitation (by the ticket that sampled them): a hashed
    answer token, when it was sent and answered, and the answers."""

    __tablename__ = "quality_study_invitations"
    __tenant__ = "via:study_id"  # aduan/services/tenancy.py
    __table_args__ = (UniqueConstraint("study_id", "ticket_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    study_id: Mapped[int] = mapped_column(ForeignKey("quality_studies.id", ondelete="CASCADE"))
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    sent_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    answered_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    answers: Mapped[dict | None] = mapped_column(JSONType)

    study = relationship("Study")
    ticket = relationship("Ticket")
