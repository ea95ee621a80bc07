"""The figures that depend on now, read from the open tickets only (the partial indexes on
open tickets serve them; their cost grows with the agency's open book, not with the history
or the other agencies): open tickets past a deadline, the age of the open book, what is due,
and the officers' workload — the book and the workload in one grouped pass, the oldest
untouched from their own index (``ix_tickets_open_agency_untouched``).

Ages count working days in the calendar of the state of the ticket's unit (the agency's
state when it has none), as the SLA clock does.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from sqlalchemy import and_, case, false, func, or_, select

from aduan.extensions import db
from aduan.models import Agency, Officer, Ticket, Unit
from aduan.services.reports.rollups import OPEN, PROMISES, TICKET_DIMENSIONS
from aduan.services.reports.scope import Period, Scope
from aduan.services.sla.clock import local_moment, local_today
from aduan.services.tickets import deadlines, roster
from aduan.vocabulary import TicketStatus as S

AGE_BUCKETS = ((0, 5), (6, 15), (16, 30), (31, 90), (91, None))  # working days
AGE_LIMITS = (5, 15, 30, 90)  # the buckets' upper bounds, ascending
RUNNING = sorted(set(OPEN) - {S.WAITING_COMPLAINANT.value})
DIMENSION_COLUMNS = (
    "unit_id", "category_id", "channel", "ticket_type", "complexity", "state_code",
    "assignee_id",
)  # fmt: skip
OLDEST_SHOWN = 10


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


def _cutoffs(state: str, agency_id: int, today: dt.date) -> dict[int, dt.date]:
    """Per age limit (working days), the earliest received day whose age today is at most
    that many working days, in the state's calendar: one walk back for every limit."""
    calendar = deadlines.calendar(state, agency_id)
    out, day = {}, today
    for days in AGE_LIMITS:
        while calendar.working_days_between(day - dt.timedelta(days=1), today) <= days:
            day -= dt.timedelta(days=1)
        out[days] = day
    return out


def _state_of_ticket(agency_state: str):
    return func.coalesce(Unit.state_code, agency_state)


def _age_bucket(state, cutoffs: dict[str, dict[int, dt.date]]):
    """The ticket's age bucket (its lower bound in working days, in its state's calendar)."""
    per_state = []
    for code, limits in cutoffs.items():
        ages = case(
            *(
                (Ticket.received_at >= local_moment(limits[high], dt.time.min), low)
                for low, high in AGE_BUCKETS
                if high is not None
            ),
            else_=AGE_BUCKETS[-1][0],
        )
        per_state.append((state == code, ages))
    return case(*per_state, else_=AGE_BUCKETS[-1][0])


def _count(condition):
    return func.sum(case((condition, 1), else_=0))


def _book_columns(scope: Scope, now: dt.datetime, cutoffs: dict, state) -> dict:
    """The open book's counts over open tickets, and the daily-handling misses."""
    today = local_today(now)
    running = Ticket.status.in_(RUNNING)
    due_week = and_(running, Ticket.resolve_due_at >= now, Ticket.resolve_due_at < _week_end(today))
    return {
        "open": func.count(Ticket.id),
        "overdue": _count(and_(running, Ticket.resolve_due_at < now)),
        "due_this_week": _count(due_week),
        "waiting": _count(Ticket.status == S.WAITING_COMPLAINANT.value),
        "missed": _count(_missed(scope, today, cutoffs, state)),
    }


def _week_end(today: dt.date) -> dt.datetime:
    return local_moment(today + dt.timedelta(days=7 - today.weekday()), dt.time.min)


def book_and_workload(
    scope: Scope, now: dt.datetime, *, detail: bool = True
) -> tuple[dict, dict | None]:
    """The open book (open tickets now by age bucket, overdue, due this week, paused for the
    complainant) and, with ``detail``, the workload (open tickets per officer and who is on
    duty today, the oldest untouched open tickets, the assigned tickets nobody touched on the
    previous working day): one pass over the scope's open tickets, grouped by assignee and
    age bucket."""
    today = local_today(now)
    agency_state, states = _states(scope)
    cutoffs = {code: _cutoffs(code, scope.agency_id, today) for code in states}
    state = _state_of_ticket(agency_state)
    columns = _book_columns(scope, now, cutoffs, state)
    bucket = _age_bucket(state, cutoffs).label("bucket")
    query = (
        select(Ticket.assignee_id, bucket, *columns.values())
        .outerjoin(Unit, Unit.id == Ticket.unit_id)
        .where(*_open_in(scope))
        .group_by(Ticket.assignee_id, bucket)
    )
    book = dict.fromkeys(columns, 0) | {f"age_{low}": 0 for low, _high in AGE_BUCKETS}
    per_officer: dict[int, int] = defaultdict(int)
    for assignee_id, low, *values in db.session.execute(query):
        counts = dict(zip(columns, (int(v or 0) for v in values), strict=True))
        for name, value in counts.items():
            book[name] += value
        book[f"age_{low}"] += counts["open"]
        if assignee_id is not None:
            per_officer[assignee_id] += counts["open"]
    misses = book.pop("missed")
    book["cutoffs"] = cutoffs[agency_state]
    book["week_end"] = _week_end(today)
    if not detail:
        return book, None
    return book, _workload(scope, today, per_officer, misses)


def open_book(scope: Scope, now: dt.datetime) -> dict:
    """The open book alone (``book_and_workload``)."""
    return book_and_workload(scope, now, detail=False)[0]


def _workload(scope: Scope, today: dt.date, per_officer: dict[int, int], misses: int) -> dict:
    officers = db.session.scalars(
        select(Officer).where(Officer.id.in_(list(per_officer) or [-1])).order_by(Officer.name)
    ).all()
    units = db.session.scalars(
        select(Unit).where(
            Unit.agency_id == scope.agency_id,
            *([Unit.id.in_(scope.unit_ids or (-1,))] if scope.unit_ids is not None else []),
        )
    ).all()
    on_duty = {officer_id for unit in units for officer_id in roster.duty_officer_ids(unit, today)}
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
        "handling_misses": misses,
    }


def _missed(scope: Scope, today: dt.date, cutoffs: dict, state):
    """As the daily-handling reminder counts them: assigned, received before today, and no
    officer action since the previous working day began (in the unit's state, on a working
    day there)."""
    missed = []
    for code in cutoffs:
        calendar = deadlines.calendar(code, scope.agency_id)
        if not calendar.is_working_day(today):
            continue
        since = local_moment(calendar.previous_working_day(today), dt.time.min)
        last = Ticket.last_officer_action_at
        missed.append(and_(state == code, or_(last.is_(None), last < since)))
    if not missed:
        return false()
    return and_(
        Ticket.assignee_id.is_not(None),
        Ticket.received_at < local_moment(today, dt.time.min),
        or_(*missed),
    )
