"""The only way a ticket's status changes. Every change leaves a TicketEvent.

Concurrency: tickets carry a version column (SQLAlchemy ``version_id_col``). Two officers who
load version 3 and both save: the first commit wins and bumps the version, the second gets
``StaleTicket`` — nothing is silently overwritten. Views pass the version the officer saw as
``expected_version`` so a stale form is refused even before the database is asked.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from flask_babel import LazyString, get_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm.exc import StaleDataError

from aduan.errors import IllegalTransition, StaleTicket, ValidationFailed
from aduan.extensions import db
from aduan.models import Officer, Ticket, TicketEvent
from aduan.models.base import utcnow
from aduan.services.outbox import status_notices
from aduan.services.tickets import (
    deadlines,
    loads,  # noqa: F401  (keeps officers' open counts)
)
from aduan.services.webhooks import events as webhook_events
from aduan.vocabulary import TicketStatus as S

_WORKING = {S.IN_PROGRESS, S.WAITING_COMPLAINANT, S.EXTENDED, S.RESOLVED, S.NO_FURTHER_ACTION}

TRANSITIONS: dict[S, frozenset[S]] = {
    S.NEW: frozenset({S.ACKNOWLEDGED, S.IN_PROGRESS, S.OUT_OF_JURISDICTION, S.NO_FURTHER_ACTION}),
    S.ACKNOWLEDGED: frozenset(_WORKING | {S.OUT_OF_JURISDICTION}),
    S.IN_PROGRESS: frozenset(_WORKING - {S.IN_PROGRESS} | {S.OUT_OF_JURISDICTION}),
    S.WAITING_COMPLAINANT: frozenset({S.IN_PROGRESS, S.RESOLVED, S.NO_FURTHER_ACTION}),
    S.EXTENDED: frozenset(_WORKING - {S.EXTENDED}),
    S.REOPENED: frozenset(_WORKING),
    S.RESOLVED: frozenset({S.CLOSED, S.REOPENED}),
    S.OUT_OF_JURISDICTION: frozenset({S.CLOSED, S.REOPENED}),
    S.NO_FURTHER_ACTION: frozenset({S.CLOSED, S.REOPENED}),
    S.CLOSED: frozenset({S.REOPENED}),
}

# Statuses whose entry must say why (shown to the complainant or kept for the audit).
REASON_REQUIRED = frozenset({S.EXTENDED, S.OUT_OF_JURISDICTION, S.NO_FURTHER_ACTION, S.REOPENED})


def allowed_next(status: str) -> list[S]:
    """The statuses a ticket in ``status`` may move to, in a stable order (for menus)."""
    return sorted(TRANSITIONS[S(status)], key=lambda s: list(S).index(s))


def status_label(status: S) -> LazyString:
    """``status``'s label in the reader's language, chosen when a message is shown."""
    return LazyString(lambda: status.label(str(get_locale() or "ms")))


def stale_message(reference: str) -> LazyString:
    """Why a change to ``reference`` was refused: someone else saved it first."""
    return _l(
        "Ticket %(reference)s was changed by someone else; reload it and try again.",
        reference=reference,
    )


def record_event(
    ticket: Ticket,
    kind: str,
    *,
    actor: Officer | None = None,
    actor_kind: str | None = None,
    before: dict | None = None,
    after: dict | None = None,
    data: dict | None = None,
    at: dt.datetime | None = None,
) -> TicketEvent:
    """Append one event to the ticket's timeline (the audit trail). ``actor`` may also be an
    API token (an integration): its kind and name go into the event instead of an officer. The
    agency's event webhooks hear of it once the caller's transaction commits
    (``webhooks.events``)."""
    officer = actor if isinstance(actor, Officer) else None
    integration = actor if actor is not None and officer is None else None
    event = TicketEvent(
        ticket=ticket,
        actor_id=officer.id if officer else None,
        actor_kind=actor_kind or _kind_of(actor),
        kind=kind,
        before=before,
        after=after,
        data={**(data or {}), **(integration.audit_data if integration else {})},
        created_at=at or utcnow(),
    )
    db.session.add(event)
    webhook_events.note(event, db.session())
    return event


def _kind_of(actor) -> str:
    if actor is None:
        return "system"
    return "officer" if isinstance(actor, Officer) else actor.actor_kind


def change_status(
    ticket: Ticket,
    new_status: str | S,
    *,
    actor: Officer | None = None,
    actor_kind: str | None = None,
    reason: str | None = None,
    expected_version: int | None = None,
    at: dt.datetime | None = None,
    notify: bool = True,
) -> TicketEvent:
    """Move ``ticket`` to ``new_status``, or raise IllegalTransition, StaleTicket or
    ValidationFailed.

    Side effects live here so they happen once: timestamps, SLA pause on waiting for the
    complainant and resume on leaving it, the notice the complainant is owed
    (``status_notices``; ``notify=False`` for a caller that tells them in its own words). The
    caller commits (see ``commit``).
    """
    target = _parse_status(new_status)
    current = S(ticket.status)
    _check_version(ticket, expected_version)
    if target not in TRANSITIONS[current]:
        raise IllegalTransition(
            _l(
                "Cannot move a ticket from %(current)s to %(target)s.",
                current=status_label(current),
                target=status_label(target),
            ),
            errors={"status": [f"allowed: {', '.join(s.value for s in allowed_next(current))}"]},
        )
    if target in REASON_REQUIRED and not (reason and reason.strip()):
        raise ValidationFailed(
            _l("A reason is required to move a ticket to %(target)s.", target=status_label(target)),
            errors={"reason": ["required"]},
        )
    now = at or utcnow()
    _apply_side_effects(ticket, current, target, now)
    ticket.status = target.value
    if actor is not None:
        ticket.last_officer_action_at = now
    data = {"reason": reason.strip()} if reason else {}
    event = record_event(
        ticket,
        "status_changed",
        actor=actor,
        actor_kind=actor_kind,
        before={"status": current.value},
        after={"status": target.value},
        data=data,
        at=now,
    )
    if notify:
        _notify(ticket, current, target, reason, event.actor_kind)
    return event


def _notify(ticket: Ticket, current: S, target: S, reason: str | None, actor_kind: str) -> None:
    """The complainant's notice, queued without flushing the ticket first (a lost race stays
    ``commit``'s to report); when queuing it must flush, a lost race is StaleTicket here."""
    try:
        with db.session.no_autoflush:
            status_notices.after_change(ticket, current, target, reason, actor_kind)
    except StaleDataError:
        db.session.rollback()
        raise StaleTicket(stale_message(ticket.reference))


def restart_on_referral(ticket: Ticket, *, at: dt.datetime, from_agency: str) -> TicketEvent:
    """The receiving agency of a referral starts the ticket afresh: Baharu, its own clocks
    from ``at`` (``deadlines.restart``). Not a transition an officer picks: only
    ``tickets.referral`` calls it, after moving the ticket to the new agency."""
    current = S(ticket.status)
    ticket.status = S.NEW.value
    ticket.resolved_at = None
    ticket.closed_at = None
    deadlines.restart(ticket, at)
    return record_event(
        ticket,
        "status_changed",
        before={"status": current.value},
        after={"status": S.NEW.value},
        data={"reason": f"referred from {from_agency}"},
        at=at,
    )


def _parse_status(value: str | S) -> S:
    try:
        return S(value)
    except ValueError:
        raise ValidationFailed(
            _l('Unknown status "%(status)s".', status=value), errors={"status": S.values()}
        )


def _check_version(ticket: Ticket, expected_version: int | None) -> None:
    if expected_version is not None and int(expected_version) != ticket.version:
        raise StaleTicket(stale_message(ticket.reference))


def _apply_side_effects(ticket: Ticket, current: S, target: S, now: dt.datetime) -> None:
    if target is not S.NEW and ticket.acknowledged_at is None:
        ticket.acknowledged_at = now
    if current is S.WAITING_COMPLAINANT:
        deadlines.resume(ticket, now)
        ticket.sla_next_check_at = now  # deadlines moved: the SLA sweep looks again
    if target is S.WAITING_COMPLAINANT:
        deadlines.pause(ticket, now)
    if target in (S.RESOLVED, S.OUT_OF_JURISDICTION, S.NO_FURTHER_ACTION):
        ticket.resolved_at = now
    if target is S.CLOSED:
        ticket.closed_at = now
    if target is S.REOPENED:
        ticket.resolved_at = None
        ticket.closed_at = None
        ticket.sla_next_check_at = now  # open again: back under the SLA sweep


def commit() -> None:
    """Commit the session; a concurrent save of the same ticket becomes StaleTicket."""
    try:
        db.session.commit()
    except StaleDataError:
        db.session.rollback()
        raise StaleTicket(_l("The ticket was changed by someone else; reload it and try again."))


def change_many(tickets: Iterable[Ticket], new_status: str, **kwargs) -> list[TicketEvent]:
    """One status change to several tickets; one refusal refuses all (the caller rolls back)."""
    return [change_status(t, new_status, **kwargs) for t in tickets]
