"""SLA sweeps: warn before a deadline, escalate after it, recover the service, daily handling.

Cost: the sweep reads only tickets whose ``sla_next_check_at`` has come (a partial index over
open tickets), and sets the next instant it must look again — so its cost grows with the
tickets due, not with the tickets open.

Idempotent under concurrency: every warning, escalation level and service recovery is an
insert guarded by a unique key (``INSERT … ON CONFLICT DO NOTHING``); the side effects
(notices, messages, timeline events) happen only when that insert happened, in the same
transaction. Two sweeps at the same moment therefore act once. Rows are also taken with
``FOR UPDATE SKIP LOCKED`` so concurrent sweeps share the work instead of waiting.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import Counter

from flask_babel import lazy_gettext as _l
from sqlalchemy import update
from sqlalchemy.dialects import postgresql, sqlite

from aduan.extensions import db
from aduan.languages import CITIZEN_LANGUAGES, citizen_language, render
from aduan.models import Agency, Officer, Ticket, Unit
from aduan.models.base import utcnow
from aduan.models.routing import ServiceRecovery, SlaAlert
from aduan.services.outbox import officer_notices as notifications
from aduan.services.outbox.notices import queue_notice
from aduan.services.outbox.texts import format_local, format_local_date
from aduan.services.sla.clock import add_working_seconds, local_today, working_seconds_between
from aduan.services.tickets import deadlines
from aduan.services.tickets.roster import OPEN
from aduan.services.tickets.workflow import record_event

log = logging.getLogger(__name__)

DEADLINES = (
    ("acknowledge_due_at", "acknowledged_at"),
    ("first_response_due_at", "first_responded_at"),
    ("resolve_due_at", "resolved_at"),
)
LABELS = {
    "acknowledge_due_at": ("akuan terima", "acknowledgement"),
    "first_response_due_at": ("maklum balas pertama", "first response"),
    "resolve_due_at": ("penyelesaian", "resolution"),
}
# The apology for each missed promise (pemulihan perkhidmatan), in the complainant's language.
APOLOGIES = {
    "acknowledge_due_at": _l(
        "We apologise: the acknowledgement deadline of complaint %(reference)s was missed. "
        "New expected date: %(date)s."
    ),
    "first_response_due_at": _l(
        "We apologise: the first response deadline of complaint %(reference)s was missed. "
        "New expected date: %(date)s."
    ),
    "resolve_due_at": _l(
        "We apologise: the resolution deadline of complaint %(reference)s was missed. "
        "New expected date: %(date)s."
    ),
}
MAX_LEVEL = 3  # 0 assignee, 1 unit head, 2 complaint managers, 3 agency head
PAUSED_RECHECK = dt.timedelta(hours=1)
FAILED_RECHECK = dt.timedelta(minutes=15)
DEFAULT_RECOVERY_DAYS = 5
BATCH = 500


def insert_once(model, **values) -> bool:
    """Insert one row unless its unique key exists; True only if this call inserted it."""
    dialect = postgresql if db.session.get_bind().dialect.name == "postgresql" else sqlite
    table = model.__table__
    stmt = dialect.insert(table).values(**values).on_conflict_do_nothing()
    return db.session.execute(stmt.returning(table.c.id)).scalar() is not None


def due_tickets_query(now: dt.datetime, limit: int = BATCH):
    """The sweep's selection: served by ``ix_tickets_sla_next_check`` (partial, open only)."""
    return (
        db.select(Ticket.id)
        .where(Ticket.status.in_(OPEN), Ticket.sla_next_check_at <= now)
        .order_by(Ticket.sla_next_check_at)
        .limit(limit)
    )


def sweep_sla(now: dt.datetime | None = None, batch: int = BATCH) -> Counter:
    """Check every ticket that is due a check at ``now``; commit per batch; return counts.

    Each ticket is checked in its own savepoint: one that fails is logged, counted as
    ``failed`` and looked at again after ``FAILED_RECHECK``; the rest of its batch commits."""
    now = now or utcnow()
    counts: Counter = Counter()
    while True:
        ids = db.session.scalars(
            due_tickets_query(now, batch).with_for_update(skip_locked=True)
        ).all()
        if not ids:
            break
        for ticket in db.session.scalars(db.select(Ticket).where(Ticket.id.in_(ids))).all():
            _set_next_check(ticket, _check_isolated(ticket, now, counts), now)
        db.session.commit()
        counts["tickets"] += len(ids)
    log.info("sla sweep done %s", " ".join(f"{k}={v}" for k, v in sorted(counts.items())))
    return counts


def _check_isolated(ticket: Ticket, now: dt.datetime, counts: Counter) -> dt.datetime | None:
    mine: Counter = Counter()
    try:
        with db.session.begin_nested():
            when = check_ticket(ticket, now, mine)
    except Exception as exc:  # one broken ticket must not roll back the checks of its batch
        # The type only: a traceback's SQL parameters may hold a complainant's phone or e-mail.
        log.error("sla check failed ticket_id=%s error=%s", ticket.id, type(exc).__name__)
        counts["failed"] += 1
        return now + FAILED_RECHECK
    counts.update(mine)
    return when


def check_ticket(ticket: Ticket, now: dt.datetime, counts: Counter) -> dt.datetime | None:
    """Warn or escalate what is due on ``ticket``; return when it must be looked at again."""
    if ticket.sla_paused_at is not None:
        return now + PAUSED_RECHECK
    context = _Context(ticket)
    upcoming = []
    for due_field, met_field in DEADLINES:
        due = getattr(ticket, due_field)
        if due is None or getattr(ticket, met_field) is not None:
            continue
        upcoming += _warn(context, due_field, due, now, counts)
        upcoming.append(_escalate(context, due_field, due, now, counts))
    upcoming = [u for u in upcoming if u is not None]
    return min(upcoming) if upcoming else None


class _Context:
    """What one ticket's checks share: its clock, calendar, office hours and SLA profile."""

    def __init__(self, ticket: Ticket) -> None:
        self.ticket = ticket
        self.agency = ticket.agency or db.session.get(Agency, ticket.agency_id)
        self.state = deadlines.state_of(ticket)
        self.clock = deadlines.clock_for(self.agency)
        self.calendar = deadlines.calendar(self.state, ticket.agency_id)
        self.hours = self.clock.hours
        self.profile = deadlines.profile_for(ticket)

    def working_seconds(self, start: dt.datetime, end: dt.datetime) -> float:
        return working_seconds_between(self.calendar, self.hours, start, end)

    def after(self, start: dt.datetime, seconds: float) -> dt.datetime:
        return add_working_seconds(self.calendar, self.hours, start, max(seconds, 0))


def _warn(ctx: _Context, field: str, due: dt.datetime, now: dt.datetime, counts: Counter):
    """Warnings at the profile's fractions and one working day before; returns future ones."""
    ticket, start = ctx.ticket, deadlines.clock_start(ctx.ticket)
    total = ctx.working_seconds(start, due)
    thresholds = [
        (f"warn_{round(f * 100)}", ctx.after(start, f * total))
        for f in (ctx.profile.warn_fractions or [0.5, 0.8])
    ]
    days_before = ctx.profile.warn_days_before
    days_before = 1 if days_before is None else days_before
    before_secs = total - days_before * ctx.hours.day_seconds
    if days_before and before_secs > 0:
        thresholds.append(("warn_day_before", ctx.after(start, before_secs)))
    used = ctx.clock.fraction_used(start, due, now, ctx.state)
    future = []
    for kind, instant in thresholds:
        if now >= due:
            continue  # past the deadline a warning is pointless; the breach says it all
        if instant > now:
            future.append(instant)
            continue
        if kind.startswith("warn_") and kind != "warn_day_before" and used < _fraction(kind):
            future.append(now + dt.timedelta(minutes=1))  # rounding: look again shortly
            continue
        if insert_once(
            SlaAlert, ticket_id=ticket.id, deadline_field=field, kind=kind, level=0, deadline_at=due
        ):
            counts[kind] += 1
            _notify_warning(ticket, field, kind, due)
    return future


def _fraction(kind: str) -> float:
    return int(kind.removeprefix("warn_")) / 100 - 1e-9


def _escalate(ctx: _Context, field: str, due: dt.datetime, now: dt.datetime, counts: Counter):
    """A level per working day overdue; every level already reached is raised at once (after
    a sweep outage the breach is not walked up one level per run)."""
    if now <= due:
        return due + dt.timedelta(seconds=1)
    ticket = ctx.ticket
    done = db.session.scalar(
        db.select(db.func.max(SlaAlert.level)).where(
            SlaAlert.ticket_id == ticket.id,
            SlaAlert.deadline_field == field,
            SlaAlert.deadline_at == due,
            SlaAlert.kind == "breach",
        )
    )
    level = 0 if done is None else done + 1
    day = ctx.hours.day_seconds
    reached = min(int(ctx.working_seconds(due, now) // day), MAX_LEVEL)
    while level <= reached:
        if insert_once(
            SlaAlert,
            ticket_id=ticket.id,
            deadline_field=field,
            kind="breach",
            level=level,
            deadline_at=due,
        ):
            counts[f"breach_level_{level}"] += 1
            _notify_escalation(ctx, field, level, due)
            if level == 0:
                _recover(ctx, field, due, now, counts)
        level += 1
    if level > MAX_LEVEL:
        return None
    return ctx.after(due, level * day) if level else due + dt.timedelta(seconds=1)


def _set_next_check(ticket: Ticket, when: dt.datetime | None, now: dt.datetime) -> None:
    # A plain UPDATE: bookkeeping must not bump the ticket's version (an officer's open form).
    if when is not None:
        when = max(when, now + dt.timedelta(seconds=1))
    db.session.execute(
        update(Ticket.__table__).where(Ticket.id == ticket.id).values(sla_next_check_at=when)
    )


def recipients(ticket: Ticket, level: int) -> list[Officer]:
    """Who hears about a breach at ``level`` (the assignee, else the unit head, at level 0)."""
    unit = ticket.unit or (db.session.get(Unit, ticket.unit_id) if ticket.unit_id else None)
    head = db.session.get(Officer, unit.head_officer_id) if unit and unit.head_officer_id else None
    if level == 0:
        found = [ticket.assignee] if ticket.assignee is not None else [head]
    elif level == 1:
        found = [head]
    elif level == 2:
        found = [
            o
            for o in db.session.scalars(
                db.select(Officer).where(
                    Officer.agency_id == ticket.agency_id, Officer.active.is_(True)
                )
            )
            if o.has_role("complaint_manager")
        ]
    else:
        agency = ticket.agency or db.session.get(Agency, ticket.agency_id)
        found = [db.session.get(Officer, agency.head_officer_id)] if agency.head_officer_id else []
    return [o for o in found if o is not None]


def _notify_warning(ticket: Ticket, field: str, kind: str, due: dt.datetime) -> None:
    ms, en = LABELS[field]
    for officer in recipients(ticket, 0):
        notifications.notify(
            officer,
            f"sla_{kind}",
            ticket=ticket,
            title_ms=f"Amaran tempoh {ms}: {ticket.reference}",
            title_en=f"{en.capitalize()} deadline warning: {ticket.reference}",
            body_ms=f"Tarikh akhir {ms} {ticket.reference} ialah {format_local(due, 'ms')}.",
            body_en=f"The {en} deadline of {ticket.reference} is {format_local(due, 'en')}.",
        )


def _notify_escalation(ctx: _Context, field: str, level: int, due: dt.datetime) -> None:
    ticket = ctx.ticket
    ms, en = LABELS[field]
    officers = recipients(ticket, level)
    for officer in officers:
        notifications.notify(
            officer,
            "sla_breach",
            ticket=ticket,
            title_ms=f"Tempoh {ms} dilanggar (tahap {level}): {ticket.reference}",
            title_en=f"{en.capitalize()} deadline missed (level {level}): {ticket.reference}",
            body_ms=f"Tarikh akhir {format_local(due, 'ms')} telah berlalu.",
            body_en=f"The deadline {format_local(due, 'en')} has passed.",
        )
    record_event(
        ticket,
        "escalated",
        data={"deadline": field, "level": level, "to": [o.id for o in officers]},
    )


def _recover(ctx: _Context, field: str, due: dt.datetime, now: dt.datetime, counts: Counter):
    """Pemulihan perkhidmatan: record the breach once, apologise and give a new date."""
    ticket = ctx.ticket
    days = int((ctx.agency.settings or {}).get("recovery_days", DEFAULT_RECOVERY_DAYS))
    new_date = ctx.calendar.add_working_days(local_today(now), days)
    apologies = {
        language: render(
            APOLOGIES[field],
            language,
            reference=ticket.reference,
            date=format_local_date(new_date, language),
        )
        for language in CITIZEN_LANGUAGES
    }
    inserted = insert_once(
        ServiceRecovery,
        ticket_id=ticket.id,
        deadline_field=field,
        promised_at=due,
        breached_at=now,
        how_late_seconds=int((now - due).total_seconds()),
        apology=apologies[citizen_language(ticket.language)],
        new_date=new_date,
    )
    if not inserted:
        return
    counts["service_recovery"] += 1
    record_event(ticket, "service_recovery", data={"deadline": field, "new_date": str(new_date)})
    queue_notice(ticket, "recovery", **apologies)
