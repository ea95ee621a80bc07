"""The reports' maintained aggregates: one rollup row per agency × day × unit × category ×
channel × type × complexity × state × assignee, the tickets whose rows must be rebuilt, and
where each survey comment stands (its ticket's agency and unit now), so the latest comments of
a period are read from an index rather than found among every agency's survey answers.

A rollup row holds only facts that no longer change by themselves with time (what was
received, done, met, breached, rated on that agency-local day); what depends on *now* (open
and overdue) is read live from the open tickets. ``aduan.services.reports.rollups`` writes
the rollups and the dirty tickets, ``aduan.services.reports.comments`` the comments; nothing
else does.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, Date, ForeignKey, Index, Integer, String, func, text
from sqlalchemy.orm import Mapped, mapped_column

from aduan.extensions import db
from aduan.models.base import UTCDateTime
from aduan.models.routing import OPEN_STATUS_SQL
from aduan.models.tickets import Ticket

ID = BigInteger().with_variant(Integer(), "sqlite")  # autoincrement on SQLite too

# The counters of one rollup row, in the order the reports show them.
COHORT = (
    "received", "ack_met", "ack_judged", "first_met", "first_judged",
    "resolve_met", "resolve_judged",
)  # fmt: skip
VOLUME = ("resolved", "closed", "reopened", "merged", "referred")
RECOVERY = (
    "breach_ack", "breach_first", "breach_resolve", "breach_l1", "breach_l2", "breach_l3",
    "apologies", "recovered",
)  # fmt: skip
SATISFACTION = (
    "surveys", "responses", "rating_sum", "rating_1", "rating_2", "rating_3", "rating_4",
    "rating_5", "comments", "objections",
)  # fmt: skip
COUNTERS = COHORT + VOLUME + RECOVERY + SATISFACTION
DIMENSIONS = (
    "unit_id", "category_id", "channel", "ticket_type", "complexity", "state_code",
    "assignee_id",
)  # fmt: skip


class ReportRollup(db.Model):
    """One agency-local day's counters for one combination of the ticket's dimensions."""

    __tablename__ = "report_rollups"
    __tenant__ = "agency"  # aduan/services/tenancy.py
    __table_args__ = (Index("ix_report_rollups_agency_day", "agency_id", "day"),)

    id: Mapped[int] = mapped_column(ID, primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id", ondelete="CASCADE"))
    day: Mapped[dt.date] = mapped_column(Date)
    unit_id: Mapped[int | None] = mapped_column()
    category_id: Mapped[int | None] = mapped_column()
    channel: Mapped[str] = mapped_column(String(20), default="")
    ticket_type: Mapped[str] = mapped_column(String(20), default="")
    complexity: Mapped[str] = mapped_column(String(10), default="")
    state_code: Mapped[str] = mapped_column(String(2), default="")
    assignee_id: Mapped[int | None] = mapped_column()


for _name in COUNTERS:
    setattr(
        ReportRollup, _name, mapped_column(_name, nullable=False, default=0, server_default="0")
    )
    ReportRollup.__annotations__[_name] = Mapped[int]


class ReportDirtyTicket(db.Model):
    """A ticket changed since its days were last rolled up (written in the same transaction
    as the change); ``agency_id``, when set, is an agency the ticket belonged to before."""

    __tablename__ = "report_dirty_tickets"
    __tenant__ = "via:ticket_id"  # aduan/services/tenancy.py

    id: Mapped[int] = mapped_column(ID, primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"))
    agency_id: Mapped[int | None] = mapped_column()


class ReportComment(db.Model):
    """A survey answer with a comment, filed under its ticket's agency and unit as they are
    now (kept in the transaction that records the answer, moves the ticket or transfers it;
    rebuilt with the day's rollups). The comment itself stays in ``survey_responses``."""

    __tablename__ = "report_comments"
    __tenant__ = "agency"  # aduan/services/tenancy.py
    __table_args__ = (
        Index("ix_report_comments_agency_responded", "agency_id", "responded_at"),
        Index("ix_report_comments_ticket", "ticket_id"),
    )

    survey_response_id: Mapped[int] = mapped_column(
        ForeignKey("survey_responses.id", ondelete="CASCADE"),
        primary_key=True,
        autoincrement=False,
    )
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"))
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id", ondelete="CASCADE"))
    unit_id: Mapped[int | None] = mapped_column()
    responded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


# The open tickets of an agency received in a period (judged live when past a deadline, the
# dashboard's ``live.pending``): exactly those rows, however many agencies and tickets (0035).
Index(
    "ix_tickets_open_agency_received",
    Ticket.agency_id,
    Ticket.received_at,
    postgresql_where=text(OPEN_STATUS_SQL),
    sqlite_where=text(OPEN_STATUS_SQL),
)
# The dashboard's oldest untouched open tickets are the first entries of this index, however
# many tickets the agency has open (0035).
Index(
    "ix_tickets_open_agency_untouched",
    Ticket.agency_id,
    func.coalesce(Ticket.last_officer_action_at, Ticket.received_at),
    Ticket.id,
    postgresql_where=text(OPEN_STATUS_SQL),
    sqlite_where=text(OPEN_STATUS_SQL),
)
