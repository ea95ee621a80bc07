"""The rollups: each agency-local day's counters, rebuilt from the raw tables.

``rebuild_day(agency_id, day)`` is the one definition: it deletes the agency's rows of that day
and computes them again from tickets, their events, referrals, SLA alerts, service recoveries
and survey answers — so any day can be reconciled at any time, and the property test compares
it with a direct SQL computation. Keeping them fresh: every flush that touches a ticket (or
adds an event, alert, recovery, referral or survey row of one) writes a ``ReportDirtyTicket``
in the same transaction (``_note_dirty``); ``refresh_dirty`` rebuilds every day those tickets
count on, in every agency they belonged to, and forgets them. The periodic job runs it every
minute; the nightly reconciler rebuilds the last days whatever happened.

Dimensions are the ticket's current ones (its unit, category, assignee… now), except a
referral, counted for the agency and unit that referred it away.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable

from sqlalchemy import and_, case, delete, event, func, insert, literal, or_, select, text
from sqlalchemy.orm import Session

from aduan.extensions import db
from aduan.models import SurveyResponse, Ticket, TicketEvent, TicketReferral
from aduan.models.reports import COUNTERS, DIMENSIONS, ReportDirtyTicket, ReportRollup
from aduan.models.routing import ServiceRecovery, SlaAlert
from aduan.services.reports import comments
from aduan.services.sla.clock import local_moment, local_zone
from aduan.vocabulary import OPEN_STATUSES
from aduan.vocabulary import TicketStatus as S

OPEN = sorted(s.value for s in OPEN_STATUSES)
RESOLVING = (S.RESOLVED.value, S.OUT_OF_JURISDICTION.value, S.NO_FURTHER_ACTION.value)
PROMISES = {  # counter prefix → (done at, due at)
    "ack": ("acknowledged_at", "acknowledge_due_at"),
    "first": ("first_responded_at", "first_response_due_at"),
    "resolve": ("resolved_at", "resolve_due_at"),
}
BREACH_FIELD = {
    "acknowledge_due_at": "breach_ack",
    "first_response_due_at": "breach_first",
    "resolve_due_at": "breach_resolve",
}
TICKET_DIMENSIONS = (
    Ticket.unit_id, Ticket.category_id, Ticket.origin_channel, Ticket.type, Ticket.complexity,
    func.coalesce(Ticket.state_code, ""), Ticket.assignee_id,
)  # fmt: skip
Key = tuple


def day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The instants where the agency-local ``day`` starts and the next one starts."""
    return local_moment(day, dt.time.min), local_moment(day + dt.timedelta(days=1), dt.time.min)


def local_day(at: dt.datetime) -> dt.date:
    """The agency-local date of the instant ``at``."""
    return at.astimezone(local_zone()).date()


def rebuild_day(agency_id: int, day: dt.date) -> int:
    """Replace agency ``agency_id``'s rollup rows of ``day`` with ones computed from the raw
    tables (the caller commits). Returns the number of rows written."""
    _lock(agency_id, day)
    start, end = day_bounds(day)
    rows: dict[Key, dict[str, int]] = defaultdict(lambda: dict.fromkeys(COUNTERS, 0))
    for source in (_cohort, _status_events, _merges, _referrals, _alerts, _surveys):
        for key, counts in source(agency_id, start, end):
            target = rows[tuple(key)]
            for name, value in counts.items():
                target[name] += int(value or 0)
    _recoveries(agency_id, start, end, rows)
    comments.rebuild(agency_id, start, end)
    db.session.execute(
        delete(ReportRollup).where(ReportRollup.agency_id == agency_id, ReportRollup.day == day)
    )
    values = [
        {"agency_id": agency_id, "day": day, **dict(zip(DIMENSIONS, key, strict=True)), **c}
        for key, c in rows.items()
        if any(c.values())
    ]
    if values:
        db.session.execute(insert(ReportRollup), values)
    return len(values)


def _lock(agency_id: int, day: dt.date) -> None:
    """Two rebuilds of one day wait for each other (PostgreSQL; SQLite writes one at a time)."""
    if db.session.get_bind().dialect.name == "postgresql":
        key = agency_id * 1_000_000 + day.toordinal()
        db.session.execute(text("SELECT pg_advisory_xact_lock(7015, :k)"), {"k": key % 2**31})


def _grouped(columns: dict, where, *joins) -> Iterable[tuple[Key, dict[str, int]]]:
    query = select(*TICKET_DIMENSIONS, *(c.label(n) for n, c in columns.items()))
    query = query.select_from(joins[0] if joins else Ticket)
    for join in joins[1:]:
        query = query.join(*join)
    query = query.where(*where).group_by(*TICKET_DIMENSIONS)
    for row in db.session.execute(query):
        yield row[:7], dict(zip(columns, row[7:], strict=True))


def _count(condition) -> object:
    return func.sum(case((condition, 1), else_=0))


def _cohort(agency_id: int, start: dt.datetime, end: dt.datetime):
    """Tickets received on the day; for the unmerged, each promise met and judged (done, or
    the ticket no longer open: a miss). Open tickets past a deadline are judged live."""
    counted = Ticket.merged_into_id.is_(None)
    closed = Ticket.status.not_in(OPEN)
    columns = {"received": func.count(Ticket.id)}
    for prefix, (done_name, due_name) in PROMISES.items():
        done, due = getattr(Ticket, done_name), getattr(Ticket, due_name)
        columns[f"{prefix}_met"] = _count(and_(counted, done.is_not(None), done <= due))
        columns[f"{prefix}_judged"] = _count(
            and_(counted, due.is_not(None), or_(done.is_not(None), closed))
        )
    where = (Ticket.agency_id == agency_id, Ticket.received_at >= start, Ticket.received_at < end)
    return _grouped(columns, where)


def _status_events(agency_id: int, start: dt.datetime, end: dt.datetime):
    status = TicketEvent.after["status"].as_string()
    columns = {
        "resolved": _count(status.in_(RESOLVING)),
        "closed": _count(status == S.CLOSED.value),
        "reopened": _count(status == S.REOPENED.value),
    }
    where = _event_window(agency_id, start, end) + (TicketEvent.kind == "status_changed",)
    return _grouped(columns, where, TicketEvent, (Ticket, Ticket.id == TicketEvent.ticket_id))


def _merges(agency_id: int, start: dt.datetime, end: dt.datetime):
    where = _event_window(agency_id, start, end) + (TicketEvent.kind == "merged_into",)
    columns = {"merged": func.count(TicketEvent.id)}
    return _grouped(columns, where, TicketEvent, (Ticket, Ticket.id == TicketEvent.ticket_id))


def _event_window(agency_id: int, start: dt.datetime, end: dt.datetime) -> tuple:
    return (
        Ticket.agency_id == agency_id,
        TicketEvent.created_at >= start,
        TicketEvent.created_at < end,
    )


def _referrals(agency_id: int, start: dt.datetime, end: dt.datetime):
    """Referred away by this agency (the ticket now belongs to another, or to none here)."""
    dims = (
        TicketReferral.from_unit_id, literal(None), Ticket.origin_channel, Ticket.type,
        Ticket.complexity, literal(""), literal(None),
    )  # fmt: skip
    query = (
        select(*dims, func.count(TicketReferral.id))
        .join(Ticket, Ticket.id == TicketReferral.ticket_id)
        .where(
            TicketReferral.agency_id == agency_id,
            TicketReferral.referred_at >= start,
            TicketReferral.referred_at < end,
        )
        .group_by(*dims)
    )
    for row in db.session.execute(query):
        yield row[:7], {"referred": row[7]}


def _alerts(agency_id: int, start: dt.datetime, end: dt.datetime):
    """Breaches (level 0) by promise, and the escalation levels they climbed."""
    breach = SlaAlert.kind == "breach"
    columns = {name: _count(and_(breach, SlaAlert.level == 0, SlaAlert.deadline_field == field))
               for field, name in BREACH_FIELD.items()}  # fmt: skip
    for level in (1, 2, 3):
        columns[f"breach_l{level}"] = _count(and_(breach, SlaAlert.level == level))
    where = (Ticket.agency_id == agency_id, SlaAlert.created_at >= start, SlaAlert.created_at < end)
    return _grouped(columns, where, SlaAlert, (Ticket, Ticket.id == SlaAlert.ticket_id))


def _surveys(agency_id: int, start: dt.datetime, end: dt.datetime):
    """Surveys asked, answered (ratings, comments) and objected to on the day."""
    joined = (SurveyResponse, (Ticket, Ticket.id == SurveyResponse.ticket_id))

    def within(column):
        return and_(column >= start, column < end)

    answered = and_(within(SurveyResponse.responded_at), SurveyResponse.rating.is_not(None))
    columns = {
        "surveys": _count(within(SurveyResponse.requested_at)),
        "responses": _count(answered),
        "rating_sum": func.sum(case((answered, SurveyResponse.rating), else_=0)),
        "comments": _count(and_(answered, func.length(SurveyResponse.comment) > 0)),
        "objections": _count(within(SurveyResponse.objected_at)),
    }
    for value in range(1, 6):
        columns[f"rating_{value}"] = _count(and_(answered, SurveyResponse.rating == value))
    touched = or_(
        within(SurveyResponse.requested_at),
        within(SurveyResponse.responded_at),
        within(SurveyResponse.objected_at),
    )
    return _grouped(columns, (Ticket.agency_id == agency_id, touched), *joined)


def _recoveries(agency_id: int, start, end, rows: dict) -> None:
    """Service recoveries made on the day: the apology sent, and whether the ticket was then
    resolved by the end of the new date it promised (an agency-local date: counted here)."""
    query = (
        select(*TICKET_DIMENSIONS, ServiceRecovery.apology, ServiceRecovery.new_date)
        .add_columns(Ticket.resolved_at)
        .join(Ticket, Ticket.id == ServiceRecovery.ticket_id)
        .where(
            Ticket.agency_id == agency_id,
            ServiceRecovery.created_at >= start,
            ServiceRecovery.created_at < end,
        )
    )
    for row in db.session.execute(query):
        target = rows[tuple(row[:7])]
        apology, new_date, resolved_at = row[7:]
        target["apologies"] += bool(apology and apology.strip())
        target["recovered"] += bool(new_date and resolved_at and local_day(resolved_at) <= new_date)


# --- keeping them fresh -----------------------------------------------------------------


def days_of(ticket_id: int) -> set[dt.date]:
    """Every agency-local day on which the ticket counts in some rollup row."""
    instants = [db.session.scalar(select(Ticket.received_at).where(Ticket.id == ticket_id))]
    for column, owner in (
        (TicketEvent.created_at, TicketEvent.ticket_id),
        (TicketReferral.referred_at, TicketReferral.ticket_id),
        (SlaAlert.created_at, SlaAlert.ticket_id),
        (ServiceRecovery.created_at, ServiceRecovery.ticket_id),
        (SurveyResponse.requested_at, SurveyResponse.ticket_id),
        (SurveyResponse.responded_at, SurveyResponse.ticket_id),
        (SurveyResponse.objected_at, SurveyResponse.ticket_id),
    ):
        instants += db.session.scalars(select(column).where(owner == ticket_id))
    return {local_day(at) for at in instants if at is not None}


def refresh_dirty(limit: int = 500) -> int:
    """Rebuild every (agency, day) the noted tickets count on, then forget those notes.
    Returns the number of days rebuilt; run it until it returns 0 to catch up."""
    notes = db.session.execute(
        select(ReportDirtyTicket.id, ReportDirtyTicket.ticket_id, ReportDirtyTicket.agency_id)
        .order_by(ReportDirtyTicket.id)
        .limit(limit)
    ).all()
    if not notes:
        return 0
    pairs: set[tuple[int, dt.date]] = set()
    agencies: dict[int, set[int]] = defaultdict(set)
    for _id, ticket_id, agency_id in notes:
        if agency_id is not None:
            agencies[ticket_id].add(agency_id)
    for ticket_id in {n[1] for n in notes}:
        current = db.session.scalar(select(Ticket.agency_id).where(Ticket.id == ticket_id))
        referred_from = db.session.scalars(
            select(TicketReferral.agency_id).where(TicketReferral.ticket_id == ticket_id)
        )
        owners = agencies[ticket_id] | set(referred_from) | ({current} if current else set())
        days = days_of(ticket_id)
        pairs |= {(agency, day) for agency in owners for day in days}
    for agency_id, day in sorted(pairs):
        rebuild_day(agency_id, day)
    db.session.execute(
        delete(ReportDirtyTicket).where(ReportDirtyTicket.id <= max(n[0] for n in notes))
    )
    db.session.commit()
    return len(pairs)


def refresh_all() -> int:
    """Catch up with every noted ticket (tests, the CLI). Returns the days rebuilt."""
    total = 0
    while done := refresh_dirty():
        total += done
    return total


def reconcile(agency_ids: Iterable[int], days: Iterable[dt.date]) -> int:
    """Rebuild the given days of the given agencies from the raw tables and commit."""
    count = 0
    for agency_id in agency_ids:
        for day in days:
            rebuild_day(agency_id, day)
            count += 1
        db.session.commit()
    return count


def _order(note: tuple[int, int | None]) -> tuple[int, int]:
    return note[0], note[1] or 0


_WATCHED = (TicketEvent, TicketReferral, SlaAlert, ServiceRecovery, SurveyResponse)
# The (ticket, agency) pairs this transaction has noted already: a ticket that three flushes
# touch is one row to refresh, not three (``intake.batch`` restores it with a savepoint).
_NOTED = "report_dirty_noted"


@event.listens_for(Session, "after_flush")
def _note_dirty(session: Session, _context) -> None:
    """Note every ticket this flush changed, in the same transaction as the change; refile
    the survey comments of those answered or moved (``comments.note``)."""
    notes: set[tuple[int, int | None]] = set()
    refile: set[int] = set()
    for obj in list(session.new) + list(session.dirty):
        if isinstance(obj, Ticket) and obj.id is not None:
            notes.add((obj.id, None))
            attrs = db.inspect(obj).attrs
            previous = attrs.agency_id.history.deleted
            notes |= {(obj.id, agency) for agency in previous if agency is not None}
            if obj not in session.new and _moved(attrs):  # a new ticket has no answers yet
                refile.add(obj.id)
        elif isinstance(obj, _WATCHED) and getattr(obj, "ticket_id", None) is not None:
            notes.add((obj.ticket_id, getattr(obj, "agency_id", None)))
            if _answers(obj):
                refile.add(obj.ticket_id)
    noted = session.info.setdefault(_NOTED, set())  # once per ticket and transaction
    notes -= noted
    if notes:
        session.connection().execute(
            insert(ReportDirtyTicket),
            [{"ticket_id": t, "agency_id": a} for t, a in sorted(notes, key=_order)],
        )
        noted |= notes
    comments.note(session.connection(), refile)


@event.listens_for(Session, "after_soft_rollback")
def _forget_noted(session: Session, _previous) -> None:
    """Any rollback, a savepoint's too, may have taken noted rows with it: note again from
    here (a ticket noted twice is refreshed once)."""
    session.info.pop(_NOTED, None)


@event.listens_for(Session, "after_commit")
def _end_noted(session: Session) -> None:
    if not session.in_nested_transaction():
        session.info.pop(_NOTED, None)


def _moved(attrs) -> bool:
    """The ticket changed agency or unit (its survey comments are filed under both)."""
    return attrs.agency_id.history.has_changes() or attrs.unit_id.history.has_changes()


def _answers(obj) -> bool:
    """A survey row written, or the event of an answer recorded by a bulk UPDATE
    (``citizen.survey.record_rating``)."""
    if isinstance(obj, SurveyResponse):
        return True
    return isinstance(obj, TicketEvent) and obj.kind == "survey_answered"


RECONCILE_DAYS = 3


def reconcile_recent(days: int = RECONCILE_DAYS) -> int:
    """Rebuild the last ``days`` agency-local days (today included) of every agency."""
    from aduan.models import Agency
    from aduan.services.sla.clock import local_today

    today = local_today()
    agency_ids = list(db.session.scalars(select(Agency.id).order_by(Agency.id)))
    return reconcile(agency_ids, [today - dt.timedelta(days=n) for n in range(days)])


def rebuild_all(start: dt.date | None = None, end: dt.date | None = None) -> int:
    """Rebuild every day from ``start`` (the first ticket's by default) to ``end`` (today)
    for every agency: after the migration, or to repair. Returns the days rebuilt."""
    from aduan.models import Agency
    from aduan.services.sla.clock import local_today

    first = db.session.scalar(select(func.min(Ticket.received_at)))
    if first is None:
        return 0
    start = start or local_day(first)
    end = end or local_today()
    days = [start + dt.timedelta(days=n) for n in range((end - start).days + 1)]
    agency_ids = list(db.session.scalars(select(Agency.id).order_by(Agency.id)))
    db.session.execute(delete(ReportDirtyTicket))
    return reconcile(agency_ids, days)
