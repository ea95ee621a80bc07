"""The officer inbox's queries: queues, filters, full-text search, keyset pages, counts.

Every query starts from ``access.visible_tickets`` so nothing here can widen an officer's
scope. Ordering is by resolution deadline then id unless the officer sorts by another column
(``ordering``), and pages continue after a keyset cursor: page N costs the same as page 1.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field

from sqlalchemy import ColumnElement, Select, and_, func, or_, select, text, true, union_all

from aduan.extensions import db
from aduan.models import Message, Officer, Ticket
from aduan.models.routing import SlaAlert
from aduan.models.tickets import TICKET_SEARCH_VECTOR
from aduan.services.inbox import ordering
from aduan.services.sla.clock import local_moment, local_today
from aduan.services.tickets import access, deadlines, references
from aduan.vocabulary import OPEN_STATUSES
from aduan.vocabulary import TicketStatus as S

QUEUES = ("mine", "unit", "unassigned", "due_today", "overdue", "waiting", "recently_closed")
# Not in the navigation: every ticket in scope whatever its status (the reports' figures link
# to it with their filters).
ALL = "all"
DEFAULT_QUEUE = "unit"
PAGE_SIZE = 25
RECENTLY_CLOSED_DAYS = 7
SEARCH_ID_LIMIT = 2000  # below this many matches, search by an exact id list
COUNT_CAP = 999  # a queue badge says "999+" rather than count a million rows
OPEN = sorted(s.value for s in OPEN_STATUSES)
# Open with the SLA clock running. The workflow pauses the clock exactly while a ticket waits
# on the complainant (``sla_paused_at`` is set on entering Menunggu Pengadu and cleared on
# leaving it), so the status says it — and status is a key of ix_tickets_unit_status_due,
# where ``sla_paused_at`` is not, and INCLUDEd in ix_tickets_open_agency_due: the counts stay
# index-only scans at unit and at agency scope.
RUNNING = sorted(set(OPEN) - {S.WAITING_COMPLAINANT.value})
FINISHED = sorted(
    s.value for s in (S.RESOLVED, S.CLOSED, S.OUT_OF_JURISDICTION, S.NO_FURTHER_ACTION)
)


@dataclass
class Filters:
    """What the officer narrowed the queue to; empty fields do not filter."""

    status: str | None = None
    type: str | None = None
    category_id: int | None = None
    channel: str | None = None
    state: str | None = None
    received_from: dt.date | None = None
    received_to: dt.date | None = None
    priority: bool = False
    q: str | None = None
    everywhere: bool = False  # search every ticket the officer may see, not only the queue
    unit_id: int | None = None
    assignee_id: int | None = None
    complexity: str | None = None


@dataclass
class Page:
    tickets: list[Ticket]
    next_cursor: str | None
    badges: dict[int, dict] = field(default_factory=dict)


def queue_condition(officer: Officer, queue: str, now: dt.datetime) -> ColumnElement[bool]:
    """The predicate of one named queue (each one served by an index on tickets)."""
    is_open = Ticket.status.in_(OPEN)
    if queue == "mine":
        return and_(Ticket.assignee_id == officer.id, is_open)
    if queue == "unassigned":
        return and_(Ticket.assignee_id.is_(None), is_open)
    running = Ticket.status.in_(RUNNING)  # a paused ticket is in "waiting", never late
    if queue == "due_today":
        end = local_moment(local_today(now), dt.time.max)
        return and_(running, Ticket.resolve_due_at >= now, Ticket.resolve_due_at <= end)
    if queue == "overdue":
        return and_(running, Ticket.resolve_due_at < now)
    if queue == "waiting":
        return Ticket.status == S.WAITING_COMPLAINANT.value
    if queue == ALL:
        return true()
    if queue == "recently_closed":
        since = now - dt.timedelta(days=RECENTLY_CLOSED_DAYS)
        return and_(Ticket.status.in_(FINISHED), Ticket.updated_at >= since)
    return is_open  # "unit": every open ticket in scope


def filter_conditions(filters: Filters) -> list[ColumnElement[bool]]:
    """SQL conditions for the filled-in filters."""
    conditions: list[ColumnElement[bool]] = []
    simple = {
        Ticket.status: filters.status,
        Ticket.type: filters.type,
        Ticket.category_id: filters.category_id,
        Ticket.origin_channel: filters.channel,
        Ticket.state_code: filters.state,
        Ticket.unit_id: filters.unit_id,
        Ticket.assignee_id: filters.assignee_id,
        Ticket.complexity: filters.complexity,
    }
    conditions += [column == value for column, value in simple.items() if value]
    if filters.received_from:
        start = local_moment(filters.received_from, dt.time.min)
        conditions.append(Ticket.received_at >= start)
    if filters.received_to:
        end = local_moment(filters.received_to + dt.timedelta(days=1), dt.time.min)
        conditions.append(Ticket.received_at < end)
    if filters.priority:
        conditions.append(Ticket.priority_group.is_not(None))
    if filters.q and filters.q.strip():
        conditions.append(search_condition(filters.q.strip()))
    return conditions


def search_condition(q: str) -> ColumnElement[bool]:
    """Words in subject, description, reference or any message body; or an exact reference."""
    canonical = references.normalise_reference(q)
    by_reference = [Ticket.reference == canonical] if canonical else []
    if db.engine.dialect.name != "postgresql":
        return or_(*_substring_matches(q), *by_reference)
    in_ticket = text(f"{TICKET_SEARCH_VECTOR} @@ plainto_tsquery('simple', :q_ticket)")
    in_ticket = in_ticket.bindparams(q_ticket=q)
    few = _few_matching_ids(in_ticket, q)
    if few is not None:  # an exact id list: the planner fetches those, then sorts
        return or_(Ticket.id.in_(few), *by_reference)
    in_messages = Ticket.id.in_(select(Message.ticket_id).where(_message_match(q, "q_message")))
    return or_(in_ticket, in_messages, *by_reference)


def _message_match(q: str, name: str) -> ColumnElement[bool]:
    """A message body holds the words of ``q`` (served by the GIN index ix_messages_search)."""
    sql = (
        f"to_tsvector('simple', coalesce(messages.body, '')) @@ plainto_tsquery('simple', :{name})"
    )
    return text(sql).bindparams(**{name: q})


def _substring_matches(q: str) -> list[ColumnElement[bool]]:
    """SQLite (development): no full-text index, a plain case-insensitive substring match."""
    pattern = "%" + q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    columns = (Ticket.reference, Ticket.subject, Ticket.description)
    in_ticket = [c.ilike(pattern, escape="\\") for c in columns]
    in_messages = select(Message.ticket_id).where(Message.body.ilike(pattern, escape="\\"))
    return [*in_ticket, Ticket.id.in_(in_messages)]


def _few_matching_ids(in_ticket: ColumnElement[bool], q: str) -> list[int] | None:
    """The ids of tickets matching ``q`` when there are at most SEARCH_ID_LIMIT, else None.

    Dense matches are found quickly by walking the queue's deadline index; sparse ones are not
    (the walk passes most of the table before it finds a page), so those are fetched first
    from the full-text indexes and handed over as a list. PostgreSQL's estimate may skip that
    for one common word; for several words it multiplies their frequencies as if independent,
    and two common words that seldom go together ("longkang bocor") would send the walk
    through every open ticket, so they are always looked up."""
    found = union_all(
        select(Ticket.id).where(in_ticket), select(Message.ticket_id).where(_message_match(q, "qm"))
    ).limit(SEARCH_ID_LIMIT + 1)
    if _word_count(q) == 1 and _estimated_rows(found) > SEARCH_ID_LIMIT * 10:
        return None  # one clearly common word: skip building a large bitmap
    rows = list(db.session.scalars(found))
    return None if len(rows) > SEARCH_ID_LIMIT else sorted(set(rows))


def _word_count(q: str) -> int:
    """How many words PostgreSQL's parser finds in ``q`` (the operands of its tsquery)."""
    query = text("SELECT numnode(plainto_tsquery('simple', :q))").bindparams(q=q)
    nodes = db.session.scalar(query) or 0
    return (nodes + 1) // 2  # n words are joined by n - 1 "&" nodes


def _estimated_rows(query) -> float:
    """PostgreSQL's own estimate of the rows ``query`` would match before its LIMIT (planning
    only, about a millisecond; ANALYZE keeps the statistics of the full-text documents)."""
    compiled = query.limit(None).compile(db.engine)  # the search words stay bound parameters
    result = db.session.connection().exec_driver_sql(
        "EXPLAIN (FORMAT JSON) " + str(compiled), compiled.params
    )
    return float(result.scalar()[0]["Plan"]["Plan Rows"])


def queue_query(
    officer: Officer,
    queue: str,
    filters: Filters,
    now: dt.datetime,
    order: ordering.Order | None = None,
) -> Select:
    """The officer's tickets in ``queue`` with ``filters``, in ``order`` (the queue's own by
    default). A search "everywhere" looks past the queue at every ticket the officer may see."""
    query = access.visible_tickets(officer)
    if not (filters.everywhere and filters.q):
        query = query.where(queue_condition(officer, queue, now))
    for condition in filter_conditions(filters):
        query = query.where(condition)
    return query.order_by(*ordering.order_by(order or ordering.order_for(queue)))


def page(
    officer: Officer,
    queue: str,
    filters: Filters,
    cursor: str | None = None,
    limit: int = PAGE_SIZE,
    now: dt.datetime | None = None,
    order: ordering.Order | None = None,
) -> Page:
    """One page of a queue, continuing after ``cursor`` (from the previous page)."""
    now = now or dt.datetime.now(dt.UTC)
    order = order or ordering.order_for(queue)
    query = queue_query(officer, queue, filters, now, order)
    last = ordering.decode_cursor(cursor, order)
    if last is not None:
        query = query.where(ordering.after(order, *last))
    rows = list(db.session.scalars(query.limit(limit + 1)))
    more = len(rows) > limit
    rows = rows[:limit]
    next_cursor = ordering.encode_cursor(rows[-1], order) if more and rows else None
    return Page(rows, next_cursor, sla_badges(rows, now))


def queue_counts(officer: Officer, now: dt.datetime | None = None) -> dict[str, int]:
    """How many tickets each queue holds for ``officer``, counted up to COUNT_CAP + 1 (shown
    as "999+"): the count stops early, so its cost does not grow with the table."""
    now = now or dt.datetime.now(dt.UTC)
    scope = access.ticket_scope(officer)
    counts = {}
    for queue in QUEUES:
        capped = (
            select(Ticket.id)
            .where(scope, queue_condition(officer, queue, now))
            .limit(COUNT_CAP + 1)
            .subquery()
        )
        counts[queue] = db.session.scalar(select(func.count()).select_from(capped)) or 0
    return counts


def count_label(count: int) -> str:
    return f"{COUNT_CAP}+" if count > COUNT_CAP else str(count)


def sla_badges(tickets: list[Ticket], now: dt.datetime) -> dict[int, dict]:
    """Per ticket id: ``{"level": ok|warn|bad|paused, "remaining": WorkingDuration}`` for open
    ones; while paused (waiting on the complainant) the remaining time is frozen."""
    live = [t for t in tickets if t.status in OPEN and t.resolve_due_at is not None]
    warned = _warned_ids(live)
    badges = {}
    for ticket in live:
        remaining, used = deadlines.remaining(ticket, now)
        level = "ok"
        if ticket.sla_paused_at is not None:
            level = "paused"
        elif remaining.overdue:
            level = "bad"
        elif ticket.id in warned or used > 0.8:
            level = "warn"
        badges[ticket.id] = {"level": level, "remaining": remaining}
    return badges


def _warned_ids(tickets: list[Ticket]) -> set[int]:
    if not tickets:
        return set()
    rows = db.session.execute(
        select(SlaAlert.ticket_id, SlaAlert.deadline_at).where(
            SlaAlert.ticket_id.in_([t.id for t in tickets]),
            SlaAlert.deadline_field == "resolve_due_at",
            SlaAlert.kind.like("warn%"),
        )
    )
    due = {t.id: t.resolve_due_at for t in tickets}
    return {ticket_id for ticket_id, at in rows if due.get(ticket_id) == at}


def walk(
    officer: Officer, queue: str, filters: Filters, now: dt.datetime, batch: int = 1000
) -> Iterator[list[Ticket]]:
    """Every ticket of ``queue`` with ``filters``, in the queue's order, ``batch`` at a time
    (keyset pages, as the inbox's own: each batch costs the same; exports stream these)."""
    order = ordering.order_for(queue)
    last: tuple | None = None
    while True:
        query = queue_query(officer, queue, filters, now, order)
        if last is not None:
            query = query.where(ordering.after(order, *last))
        rows = list(db.session.scalars(query.limit(batch)))
        if rows:
            yield rows
        if len(rows) < batch:
            return
        last = (getattr(rows[-1], order.column.key), rows[-1].id)
