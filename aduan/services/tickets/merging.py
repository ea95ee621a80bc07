"""Merging a duplicate ticket into another, and undoing it.

The duplicate is closed with the reason "merged into <reference>"; its messages then show on
the target's timeline. Unmerging restores the status it had. Both leave TicketEvents on both
tickets. The forced close bypasses ``workflow.TRANSITIONS`` on purpose (a duplicate may be
closed from any status) but is still recorded as a ``status_changed`` event.
"""

from __future__ import annotations

from sqlalchemy import select

from aduan.errors import ValidationFailed
from aduan.extensions import db
from aduan.models import Officer, Ticket, TicketEvent
from aduan.models.base import utcnow
from aduan.services.outbox import status_notices
from aduan.services.tickets import workflow
from aduan.vocabulary import TicketStatus as S


def merge(duplicate: Ticket, target: Ticket, actor: Officer | None) -> None:
    """Close ``duplicate`` as merged into ``target`` (the caller checks access and commits)."""
    _check_mergeable(duplicate, target)
    now = utcnow()
    before_status = duplicate.status
    reason = f"merged into {target.reference}"
    duplicate.merged_into_id = target.id
    if duplicate.status != S.CLOSED.value:
        duplicate.status = S.CLOSED.value
        duplicate.closed_at = now
        workflow.record_event(
            duplicate,
            "status_changed",
            actor=actor,
            before={"status": before_status},
            after={"status": S.CLOSED.value},
            data={"reason": reason},
            at=now,
        )
    workflow.record_event(
        duplicate,
        "merged_into",
        actor=actor,
        before={"status": before_status, "merged_into": None},
        after={"status": S.CLOSED.value, "merged_into": target.reference},
        data={"reason": reason, "target": target.reference},
        at=now,
    )
    workflow.record_event(
        target, "merged_from", actor=actor, data={"duplicate": duplicate.reference}, at=now
    )
    _touch(target, actor, now)
    _touch(duplicate, actor, now)
    status_notices.merged(duplicate, target)


def unmerge(duplicate: Ticket, actor: Officer | None) -> Ticket:
    """Detach ``duplicate`` from the ticket it was merged into and restore its status."""
    if duplicate.merged_into_id is None:
        raise ValidationFailed("this ticket is not merged", errors={"merge": ["not merged"]})
    target = db.session.get(Ticket, duplicate.merged_into_id)
    restored = _status_before_merge(duplicate)
    now = utcnow()
    duplicate.merged_into_id = None
    if restored != duplicate.status:
        workflow.record_event(
            duplicate,
            "status_changed",
            actor=actor,
            before={"status": duplicate.status},
            after={"status": restored},
            data={"reason": f"unmerged from {target.reference}"},
            at=now,
        )
        duplicate.status = restored
        if restored != S.CLOSED.value:
            duplicate.closed_at = None
    workflow.record_event(
        duplicate,
        "unmerged",
        actor=actor,
        before={"merged_into": target.reference},
        after={"merged_into": None, "status": restored},
        at=now,
    )
    workflow.record_event(
        target, "unmerged_from", actor=actor, data={"duplicate": duplicate.reference}, at=now
    )
    _touch(target, actor, now)
    _touch(duplicate, actor, now)
    return target


def merged_ids(target: Ticket) -> list[int]:
    """Ids of the tickets merged into ``target``."""
    return list(db.session.scalars(select(Ticket.id).where(Ticket.merged_into_id == target.id)))


def _check_mergeable(duplicate: Ticket, target: Ticket) -> None:
    problem = None
    if duplicate.id == target.id:
        problem = "a ticket cannot be merged into itself"
    elif duplicate.agency_id != target.agency_id:
        problem = "tickets of different agencies cannot be merged"
    elif duplicate.merged_into_id is not None:
        problem = "the duplicate is already merged"
    elif target.merged_into_id is not None:
        problem = "the target is itself merged into another ticket"
    elif merged_ids(duplicate):
        problem = "other tickets are merged into the duplicate; unmerge them first"
    if problem:
        raise ValidationFailed(problem, errors={"merge": [problem]})


def _status_before_merge(duplicate: Ticket) -> str:
    event = db.session.scalar(
        select(TicketEvent)
        .where(TicketEvent.ticket_id == duplicate.id, TicketEvent.kind == "merged_into")
        .order_by(TicketEvent.id.desc())
        .limit(1)
    )
    return (event.before or {}).get("status") or duplicate.status if event else duplicate.status


def _touch(ticket: Ticket, actor: Officer | None, now) -> None:
    if actor is not None:
        ticket.last_officer_action_at = now
