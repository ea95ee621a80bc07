"""The client charter (Piagam Pelanggan): published standards per category and how well they
are kept, plus the yearly review reminder.

Compliance over a window counts tickets received in it (merged ones excluded) whose outcome is
known: acknowledged (or resolved) already, or past the deadline while still open — an open
overdue ticket is a miss. Tickets still inside their deadline are not judged yet. Deadlines are
the ones the SLA clock stored on each ticket (working days in the owning unit's state).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import and_, case, func, or_

from aduan.extensions import db
from aduan.models import Agency, Category, Officer, SlaProfile, Ticket
from aduan.models.base import utcnow
from aduan.services.outbox.officer_notices import notify
from aduan.services.tickets.deadlines import DEFAULT_PROFILE_NAME
from aduan.vocabulary import Role

WINDOWS = (30, 90)
REVIEW_EVERY = dt.timedelta(days=365)


@dataclass(frozen=True)
class Compliance:
    acknowledged_met: int = 0
    acknowledged_judged: int = 0
    resolved_met: int = 0
    resolved_judged: int = 0

    @property
    def acknowledged_share(self) -> float | None:
        return _share(self.acknowledged_met, self.acknowledged_judged)

    @property
    def resolved_share(self) -> float | None:
        return _share(self.resolved_met, self.resolved_judged)


@dataclass(frozen=True)
class Standard:
    category_id: int
    name: str
    acknowledge_days: int
    resolve_days: int
    compliance: dict[int, Compliance]


def standards(agency: Agency, locale: str = "ms", now: dt.datetime | None = None) -> list[Standard]:
    """Every active category's standard with its compliance over ``WINDOWS`` days."""
    now = now or utcnow()
    default = db.session.scalar(
        db.select(SlaProfile).where(
            SlaProfile.agency_id == agency.id, SlaProfile.name == DEFAULT_PROFILE_NAME
        )
    )
    figures = compliance_by_category(agency, now)
    rows = []
    categories = db.session.scalars(
        db.select(Category)
        .where(Category.agency_id == agency.id, Category.active.is_(True))
        .order_by(Category.code)
    )
    for category in categories:
        profile = category.sla_profile or default
        rows.append(
            Standard(
                category_id=category.id,
                name=category.name(locale),
                acknowledge_days=profile.acknowledge_days if profile else 1,
                resolve_days=profile.resolve_days if profile else 15,
                compliance={d: figures.get((category.id, d), Compliance()) for d in WINDOWS},
            )
        )
    return rows


def compliance_by_category(agency: Agency, now: dt.datetime) -> dict[tuple[int, int], Compliance]:
    """One aggregate query: {(category_id, window_days): Compliance}."""
    ack_judged = or_(Ticket.acknowledged_at.is_not(None), Ticket.acknowledge_due_at <= now)
    ack_met = and_(
        Ticket.acknowledged_at.is_not(None), Ticket.acknowledged_at <= Ticket.acknowledge_due_at
    )
    res_judged = or_(Ticket.resolved_at.is_not(None), Ticket.resolve_due_at <= now)
    res_met = and_(Ticket.resolved_at.is_not(None), Ticket.resolved_at <= Ticket.resolve_due_at)
    columns = [Ticket.category_id]
    for days in WINDOWS:
        inside = Ticket.received_at >= now - dt.timedelta(days=days)
        for condition in (ack_met, ack_judged, res_met, res_judged):
            columns.append(func.sum(case((and_(inside, condition), 1), else_=0)))
    rows = db.session.execute(
        db.select(*columns)
        .where(
            Ticket.agency_id == agency.id,
            Ticket.category_id.is_not(None),
            Ticket.merged_into_id.is_(None),
            Ticket.received_at >= now - dt.timedelta(days=max(WINDOWS)),
            Ticket.received_at <= now,
        )
        .group_by(Ticket.category_id)
    ).all()
    result = {}
    for row in rows:
        for index, days in enumerate(WINDOWS):
            values = [int(v or 0) for v in row[1 + 4 * index : 5 + 4 * index]]
            result[(row[0], days)] = Compliance(*values)
    return result


def remind_review(today: dt.date | None = None) -> int:
    """Notify each agency's admins when the charter was last reviewed over 12 months ago
    (or never); once per admin per month (notification dedupe key). Returns notices sent."""
    today = today or utcnow().date()
    sent = 0
    agencies = db.session.scalars(
        db.select(Agency).where(
            or_(
                Agency.charter_reviewed_on.is_(None),
                Agency.charter_reviewed_on < today - REVIEW_EVERY,
            )
        )
    ).all()
    for agency in agencies:
        for officer in _admins(agency):
            note = notify(
                officer,
                "charter_review",
                title_ms="Piagam Pelanggan perlu dikaji semula",
                title_en="The client charter is due for review",
                body_ms="Piagam Pelanggan mesti dikaji semula sekurang-kurangnya sekali "
                "setiap 12 bulan (PKPA 1/2008).",
                body_en="The client charter must be reviewed at least once every 12 months "
                "(PKPA 1/2008).",
                dedupe_key=f"charter-review:{agency.id}:{officer.id}:{today:%Y-%m}",
            )
            sent += note is not None
    db.session.commit()
    return sent


def _admins(agency: Agency) -> list[Officer]:
    officers = db.session.scalars(
        db.select(Officer).where(Officer.agency_id == agency.id, Officer.active.is_(True))
    )
    return [o for o in officers if o.has_role(Role.ADMIN.value)]


def _share(met: int, judged: int) -> float | None:
    return met / judged if judged else None
