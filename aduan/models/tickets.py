"""The ticket and its append-only timeline."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    Float,
    ForeignKey,
    Index,
    String,
    Text,
    event,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from aduan.extensions import db
from aduan.models.base import JSONType, UTCDateTime, utcnow
from aduan.vocabulary import Complexity, TicketStatus

# PostgreSQL only, made by migration 0012 and not mapped (SQLite has neither): the column
# ``search_vector``, GENERATED ALWAYS AS to_tsvector('simple', reference || subject ||
# description) STORED, and its GIN index ``ix_tickets_search``. Queries name it by this text.
TICKET_SEARCH_VECTOR = "tickets.search_vector"


class Ticket(db.Model):
    __tablename__ = "tickets"
    __tenant__ = "agency"  # aduan/services/tenancy.py

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(20), unique=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))
    type: Mapped[str] = mapped_column(String(20), default="aduan")
    category_id: Mapped[int | None] = mapped_column(ForeignKey("categories.id"))
    status: Mapped[str] = mapped_column(String(24), default=TicketStatus.NEW.value)
    complexity: Mapped[str] = mapped_column(String(10), default=Complexity.NORMAL.value)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("officers.id"))
    complainant_id: Mapped[int | None] = mapped_column(ForeignKey("complainants.id"))
    # The name given with this complaint (a form's contact details prove nothing, so the officer
    # sees what this filer gave, never a stored record's name; migration 0017).
    filer_name: Mapped[str | None] = mapped_column(String(200))
    origin_channel: Mapped[str] = mapped_column(String(20))
    subject: Mapped[str] = mapped_column(String(300), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    language: Mapped[str] = mapped_column(String(5), default="ms")
    state_code: Mapped[str | None] = mapped_column(String(2))  # where the matter is (location)
    district: Mapped[str | None] = mapped_column(String(100))
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    # The address a filing gave in words (Open311's ``address_string``; migration 0036).
    address: Mapped[str | None] = mapped_column(String(500))
    priority_group: Mapped[str | None] = mapped_column(String(20))
    received_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    # When this agency's clocks started, if not at receipt: a referral from another agency
    # (``tickets.referral``); deadlines count from here (``deadlines.clock_start``).
    clock_started_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    acknowledge_due_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    first_response_due_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    resolve_due_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    sla_paused_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    sla_paused_seconds: Mapped[int] = mapped_column(default=0)
    acknowledged_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    first_responded_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    resolved_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    last_officer_action_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    sla_next_check_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)  # models/routing
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        # INCLUDE (PostgreSQL): the queue counts of unit-scoped officers are index-only scans
        Index(
            "ix_tickets_unit_status_due",
            "unit_id",
            "status",
            "resolve_due_at",
            postgresql_include=["agency_id", "assignee_id", "updated_at"],
        ),
        Index("ix_tickets_assignee_status", "assignee_id", "status"),
        # A complainant's newest ticket with an agency on a channel (intake threading,
        # ``placement.latest_open``): every equality of that query is a key, so it is read
        # backwards from the newest whatever the statistics say (0027).
        Index(
            "ix_tickets_complainant_newest", "complainant_id", "agency_id", "origin_channel", "id"
        ),
        Index("ix_tickets_agency_status_created", "agency_id", "status", "created_at"),
        Index("ix_tickets_agency_received", "agency_id", "received_at"),  # reports' rollups
    )

    category = relationship("Category")
    unit = relationship("Unit")
    assignee = relationship("Officer")
    complainant = relationship("Complainant")
    agency = relationship("Agency")
    events: Mapped[list[TicketEvent]] = relationship(
        back_populates="ticket", order_by="TicketEvent.id"
    )

    @property
    def is_complex(self) -> bool:
        return self.complexity == Complexity.COMPLEX.value


class TicketEvent(db.Model):
    """Append-only: the timeline and the audit trail. Never updated, never deleted."""

    __tablename__ = "ticket_events"
    __tenant__ = "via:ticket_id"  # aduan/services/tenancy.py

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("officers.id"))
    actor_kind: Mapped[str] = mapped_column(String(12), default="system")
    kind: Mapped[str] = mapped_column(String(40))
    before: Mapped[dict | None] = mapped_column(JSONType)
    after: Mapped[dict | None] = mapped_column(JSONType)
    data: Mapped[dict] = mapped_column(JSONType, default=dict)
    created_at: Mapped[dt.datetime] = mapped_column(
        UTCDateTime, default=utcnow, server_default=func.now()
    )

    ticket: Mapped[Ticket] = relationship(back_populates="events")

    __table_args__ = (Index("ix_ticket_events_created", "created_at"),)  # reports' rollups


class AppendOnlyError(RuntimeError):
    pass


@event.listens_for(TicketEvent, "before_update")
def _refuse_update(mapper, connection, target):
    raise AppendOnlyError("ticket events are append-only")


@event.listens_for(TicketEvent, "before_delete")
def _refuse_delete(mapper, connection, target):
    raise AppendOnlyError("ticket events are append-only")
