"""Routing rules, the duty roster, officer notifications and SLA enforcement records."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, ForeignKey, Index, String, Text, UniqueConstraint, event, text
from sqlalchemy.orm import Mapped, mapped_column

from aduan.extensions import db
from aduan.models.base import JSONType, UTCDateTime, utcnow
from aduan.models.tickets import Ticket

# The sweep selects due tickets through this index; closed tickets are not in it at all.
OPEN_STATUS_SQL = (
    "status IN ('baharu', 'diterima', 'dalam_tindakan', 'menunggu_pengadu', "
    "'dipanjangkan', 'dibuka_semula')"
)
Index(
    "ix_tickets_sla_next_check",
    Ticket.sla_next_check_at,
    postgresql_where=text(OPEN_STATUS_SQL),
    sqlite_where=text(OPEN_STATUS_SQL),
)


@event.listens_for(Ticket, "before_insert")
def _first_sla_check(mapper, connection, target: Ticket) -> None:
    """A new ticket is looked at by the next sweep, which then sets its real next check."""
    if target.sla_next_check_at is None:
        target.sla_next_check_at = target.received_at or utcnow()


class RoutingRule(db.Model):
    """One ordered rule: when every given condition holds, apply the actions.

    ``conditions``: ``categories`` (codes), ``types``, ``channels``, ``states`` (state codes),
    ``keywords`` (any one, whole word). ``actions``: ``unit_id``, ``category_id``, ``type``,
    ``priority_group``, ``complexity``.
    """

    __tablename__ = "routing_rules"
    __tenant__ = "agency"  # aduan/services/tenancy.py
    __table_args__ = (Index("ix_routing_rules_agency_position", "agency_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(default=0)
    name: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    conditions: Mapped[dict] = mapped_column(JSONType, default=dict)
    actions: Mapped[dict] = mapped_column(JSONType, default=dict)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class RosterPattern(db.Model):
    """An officer is on duty in a unit every week on ``weekday`` (0 Monday … 6 Sunday)."""

    __tablename__ = "roster_patterns"
    __tenant__ = "via:unit_id"  # aduan/services/tenancy.py
    __table_args__ = (UniqueConstraint("unit_id", "officer_id", "weekday"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"), index=True)
    officer_id: Mapped[int] = mapped_column(ForeignKey("officers.id", ondelete="CASCADE"))
    weekday: Mapped[int]


class RosterException(db.Model):
    """One day off the weekly pattern: ``leave`` (not on duty) or ``extra`` (on duty)."""

    __tablename__ = "roster_exceptions"
    __tenant__ = "via:unit_id"  # aduan/services/tenancy.py
    __table_args__ = (UniqueConstraint("unit_id", "officer_id", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"))
    officer_id: Mapped[int] = mapped_column(ForeignKey("officers.id", ondelete="CASCADE"))
    day: Mapped[dt.date] = mapped_column(index=True)
    kind: Mapped[str] = mapped_column(String(10))  # leave | extra


class Notification(db.Model):
    """An in-app notice to one officer. ``dedupe_key`` makes a daily notice happen once."""

    __tablename__ = "notifications"
    __tenant__ = "via:officer_id"  # aduan/services/tenancy.py
    __table_args__ = (Index("ix_notifications_officer_read", "officer_id", "read_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    officer_id: Mapped[int] = mapped_column(ForeignKey("officers.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(40))
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"))
    title_ms: Mapped[str] = mapped_column(String(300))
    title_en: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text, default="")
    dedupe_key: Mapped[str | None] = mapped_column(String(120), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    read_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    # How many notices of this kind about this ticket were folded into this unread one.
    repeats: Mapped[int] = mapped_column(default=1, server_default="1")


class NotificationPreference(db.Model):
    """How one officer wants to be told: in the app, by e-mail at once, by a daily digest.
    No row: in the app and by e-mail, no digest (as before preferences existed)."""

    __tablename__ = "notification_preferences"
    __tenant__ = "via:officer_id"  # aduan/services/tenancy.py

    officer_id: Mapped[int] = mapped_column(
        ForeignKey("officers.id", ondelete="CASCADE"), primary_key=True
    )
    in_app: Mapped[bool] = mapped_column(Boolean, default=True)
    email: Mapped[bool] = mapped_column(Boolean, default=True)
    digest: Mapped[bool] = mapped_column(Boolean, default=False)
    digest_sent_on: Mapped[dt.date | None] = mapped_column()  # local day of the last digest


class SavedView(db.Model):
    """One officer's named inbox view: a queue, filters, search and sort, as a query string."""

    __tablename__ = "saved_views"
    __tenant__ = "via:officer_id"  # aduan/services/tenancy.py
    __table_args__ = (UniqueConstraint("officer_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    officer_id: Mapped[int] = mapped_column(
        ForeignKey("officers.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(60))
    query: Mapped[str] = mapped_column(String(1000))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class SlaAlert(db.Model):
    """One warning or one escalation level for one deadline; the unique key makes it once."""

    __tablename__ = "sla_alerts"
    __tenant__ = "via:ticket_id"  # aduan/services/tenancy.py
    __table_args__ = (
        UniqueConstraint("ticket_id", "deadline_field", "deadline_at", "kind", "level"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"))
    deadline_field: Mapped[str] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(20))  # warn_50 | warn_80 | warn_day_before | breach
    level: Mapped[int] = mapped_column(default=0)  # 0 assignee … 3 agency head
    deadline_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class ServiceRecovery(db.Model):
    """Pemulihan perkhidmatan: one missed promise, the apology and the new date given."""

    __tablename__ = "service_recoveries"
    __tenant__ = "via:ticket_id"  # aduan/services/tenancy.py
    __table_args__ = (UniqueConstraint("ticket_id", "deadline_field", "promised_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"))
    deadline_field: Mapped[str] = mapped_column(String(32))
    promised_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    breached_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    how_late_seconds: Mapped[int] = mapped_column(default=0)
    acted_by_id: Mapped[int | None] = mapped_column(ForeignKey("officers.id"))
    apology: Mapped[str] = mapped_column(Text, default="")
    new_date: Mapped[dt.date | None]
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


# The inbox queues list open tickets by deadline: these serve "first page" in index order,
# whatever the number of open tickets (agency scope, then one officer's own).
Index(
    "ix_tickets_open_agency_due",
    Ticket.agency_id,
    Ticket.resolve_due_at,
    Ticket.id,
    postgresql_include=["status"],  # agency-wide Overdue / Due today counted index-only
    postgresql_where=text(OPEN_STATUS_SQL),
    sqlite_where=text(OPEN_STATUS_SQL),
)
Index(
    "ix_tickets_open_assignee_due",
    Ticket.assignee_id,
    Ticket.resolve_due_at,
    Ticket.id,
    postgresql_include=["agency_id", "unit_id"],  # "mine" counted index-only
    postgresql_where=text(OPEN_STATUS_SQL),
    sqlite_where=text(OPEN_STATUS_SQL),
)
FINISHED_STATUS_SQL = (
    "status IN ('ditutup', 'luar_bidang_kuasa', 'selesai', 'tiada_tindakan_lanjut')"
)
# "Recently closed" lists finished tickets, the latest changed first.
Index(
    "ix_tickets_finished_agency_updated",
    Ticket.agency_id,
    Ticket.updated_at,
    Ticket.id,
    postgresql_where=text(FINISHED_STATUS_SQL),
    sqlite_where=text(FINISHED_STATUS_SQL),
)
