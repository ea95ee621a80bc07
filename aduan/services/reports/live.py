"""The figures that depend on now, read from the open tickets only (the agency-and-status
index serves them; their cost grows with the open book, not with the history): open tickets
past a deadline, the age of the open book, what is due, and the officers' workload.

Ages count working days in the calendar of the state of the ticket's unit (the agency's
state when it has none), as the SLA clock does.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from sqlalchemy import and_, case, false, func, or_, select

from aduan.extensions import db
from aduan.models import Agency, Officer, SurveyResponse, Ticket, Unit
from aduan.services.reports.rollups import OPEN, PROMISES, TICKET_DIMENSIONS
from aduan.services.reports.scope import Period, Scope
from aduan.services.sla.clock import local_moment, local_today
from aduan.services.tickets import deadlines, roster
from aduan.vocabulary import TicketStatus as S

AGE_BUCKETS = ((0, 5), (6, 15), (16, 30), (31, 90), (91, None))  # working days
RUNNING = sorted(set(OPEN) - {S.WAITING_COMPLAINANT.value})
DIMENSION_COLUMNS = (
    "unit_id", "category_id", "channel", "ticket_type", "complexity", "state_code",
    "assignee_id",
)  # fmt: skip
OLDEST_SHOWN = 10
COMMENTS_SHOWN = 20


def _open_in(scope: Scope) -> list:
    conditions = [
        Ticket.agency_id == scope.agency_id,
        Ticket.status.in_(OPEN),
        Ticket.merged_into_id.is_(None),
    ]
    if scope.unit_ids is not None:
        conditions.append(Ticket.unit_id.in_(scope.unit_ids) if scope.unit_ids else false())
    return conditions


def pending(scope: Scope, period: Period, now: dt.datetime) -> dict:
    """Open tickets received in the period and past a deadline not yet met, per promise:
    ``{None: {promise: n}, column: {value: {promise: n}}}``."""
    columns = []
    for done_name, due_name in PROMISES.values():
        done, due = getattr(Ticket, done_name), getattr(Ticket, due_name)
        columns.append(func.sum(case((and_(done.is_(None), due <= now), 1), else_=0)))
    query = (
        select(*TICKET_DIMENSIONS, *columns)
        .where(
            *_open_in(scope),
            Ticket.received_at >= local_moment(period.start, dt.time.min),
            Ticket.received_at < local_moment(period.end + dt.timedelta(days=1), dt.time.min),
        )
        .group_by(*TICKET_DIMENSIONS)
    )
    result: dict = {None: defaultdict(int)}
    for row in db.session.execute(query):
        counts = dict(zip(PROMISES, (int(v or 0) for v in row[7:]), strict=True))
        for column, value in zip(DIMENSION_COLUMNS, row[:7], strict=True):
            target = result.setdefault(column, {}).setdefault(value, defaultdict(int))
            for promise, n in counts.items():
                target[promise] += n
        for promise, n in counts.items():
            result[None][promise] += n
    return result


def _states(scope: Scope) -> tuple[str, list[str]]:
    agency_state = db.session.scalar(select(Agency.state_code).where(Agency.id == scope.agency_id))
    query = select(Unit.state_code).where(Unit.agency_id == scope.agency_id).distinct()
    if scope.unit_ids is not None:
        query = query.where(Unit.id.in_(scope.unit_ids or (-1,)))
    return agency_state, sorted(set(db.session.scalars(query)) | {agency_state})


def _age_cutoff(state: str, agency_id: int, today: dt.date, days: int) -> dt.date:
    """The earliest received day whose age today is at most ``days`` working days."""
    calendar = deadlines.calendar(state, agency_id)
    day = today
    while calendar.working_days_between(day - dt.timedelta(days=1), today) <= days:
        day -= dt.timedelta(days=1)
    return day


def _state_of_ticket(agency_state: str):
    return func.coalesce(Unit.state_code, agency_state)


def open_book(scope: Scope, now: dt.datetime) -> dict:
    """Open tickets now by age bucket, overdue, due this week and paused for the complainant."""
    today = local_today(now)
    agency_state, states = _states(scope)
    state = _state_of_ticket(agency_state)
    columns = {}
    for low, high in AGE_BUCKETS:
        newer = _newer_than(state, states, scope.agency_id, today, low - 1) if low else None
        within = _newer_than(state, states, scope.agency_id, today, high) if high else None
        condition = and_(*(c for c in (within, None if newer is None else ~newer) if c is not None))
        columns[f"age_{low}"] = func.sum(case((condition, 1), else_=0))
    week_end = local_moment(today + dt.timedelta(days=7 - today.weekday()), dt.time.min)
    running = Ticket.status.in_(RUNNING)
    columns["open"] = func.count(Ticket.id)
    columns["overdue"] = func.sum(case((and_(running, Ticket.resolve_due_at < now), 1), else_=0))
    due_week = and_(running, Ticket.resolve_due_at >= now, Ticket.resolve_due_at < week_end)
    columns["due_this_week"] = func.sum(case((due_week, 1), else_=0))
    waiting = Ticket.status == S.WAITING_COMPLAINANT.value
    columns["waiting"] = func.sum(case((waiting, 1), else_=0))
    query = select(*columns.values()).outerjoin(Unit, Unit.id == Ticket.unit_id)
    row = db.session.execute(query.where(*_open_in(scope))).one()
    book = {name: int(value or 0) for name, value in zip(columns, row, strict=True)}
    book["cutoffs"] = {
        days: _age_cutoff(agency_state, scope.agency_id, today, days) for days in (5, 15, 30, 90)
    }
    book["week_end"] = week_end
    return book


def _newer_than(state, states: list[str], agency_id: int, today: dt.date, days: int):
    """Received recently enough to be at most ``days`` working days old, in its state."""
    return or_(
        *(
            and_(
                state == code,
                Ticket.received_at
                >= local_moment(_age_cutoff(code, agency_id, today, days), dt.time.min),
            )
            for code in states
        )
    )


def workload(scope: Scope, now: dt.datetime) -> dict:
    """Open tickets per officer (and who is on duty today), the oldest untouched open
    tickets, and the assigned tickets nobody touched on the previous working day."""
    today = local_today(now)
    per_officer = dict(
        db.session.execute(
            select(Ticket.assignee_id, func.count(Ticket.id))
            .where(*_open_in(scope), Ticket.assignee_id.is_not(None))
            .group_by(Ticket.assignee_id)
        ).all()
    )
    officers = db.session.scalars(
        select(Officer).where(Officer.id.in_(list(per_officer) or [-1])).order_by(Officer.name)
    ).all()
    units = db.session.scalars(
        select(Unit).where(
            Unit.agency_id == scope.agency_id,
            *([Unit.id.in_(scope.unit_ids or (-1,))] if scope.unit_ids is not None else []),
        )
    ).all()
    on_duty = {o.id for unit in units for o in roster.on_duty(unit, today)}
    touched = func.coalesce(Ticket.last_officer_action_at, Ticket.received_at)
    oldest = db.session.scalars(
        select(Ticket)
        .where(*_open_in(scope))
        .order_by(touched.asc(), Ticket.id)
        .limit(OLDEST_SHOWN)
    ).all()
    return {
        "officers": [(o, per_officer[o.id], o.id in on_duty) for o in officers],
        "oldest": oldest,
        "handling_misses": _handling_misses(scope, today),
    }


def _handling_misses(scope: Scope, today: dt.date) -> int:
    """As the daily-handling reminder counts them: assigned, open, received before today,
    and no officer action since the previous working day began (in the unit's state)."""
    agency_state, states = _states(scope)
    state = _state_of_ticket(agency_state)
    missed = []
    for code in states:
        calendar = deadlines.calendar(code, scope.agency_id)
        if not calendar.is_working_day(today):
            continue
        since = local_moment(calendar.previous_working_day(today), dt.time.min)
        last = Ticket.last_officer_action_at
        missed.append(and_(state == code, or_(last.is_(None), last < since)))
    if not missed:
        return 0
    query = (
        select(func.count(Ticket.id))
        .outerjoin(Unit, Unit.id == Ticket.unit_id)
        .where(
            *_open_in(scope),
            Ticket.assignee_id.is_not(None),
            Ticket.received_at < local_moment(today, dt.time.min),
            or_(*missed),
        )
    )
    return int(db.session.scalar(query) or 0)


def comments(scope: Scope, period: Period) -> list[tuple[str, int, str]]:
    """The latest survey comments of the period: (reference, rating, comment)."""
    query = (
        select(Ticket.reference, SurveyResponse.rating, SurveyResponse.comment)
        .join(Ticket, Ticket.id == SurveyResponse.ticket_id)
        .where(
            Ticket.agency_id == scope.agency_id,
            SurveyResponse.responded_at >= local_moment(period.start, dt.time.min),
            SurveyResponse.responded_at
            < local_moment(period.end + dt.timedelta(days=1), dt.time.min),
            func.length(SurveyResponse.comment) > 0,
        )
        .order_by(SurveyResponse.responded_at.desc())
        .limit(COMMENTS_SHOWN)
    )
    if scope.unit_ids is not None:
        query = query.where(Ticket.unit_id.in_(scope.unit_ids or (-1,)))
    return [tuple(row) for row in db.session.execute(query)]
