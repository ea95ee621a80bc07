"""Extending the resolution deadline (Dipanjangkan) with the interim reply PKPA 4/1992 asks for."""

from __future__ import annotations

import datetime as dt

from aduan.errors import ValidationFailed
from aduan.models import Officer, Ticket
from aduan.models.base import utcnow
from aduan.services.outbox.notices import queue_notice
from aduan.services.outbox.texts import format_local_date
from aduan.services.sla.clock import local_today
from aduan.services.tickets import workflow
from aduan.vocabulary import TicketStatus as S


def extend(ticket: Ticket, actor: Officer | None, reason: str, new_resolve_due_at: dt.datetime):
    """Move to Dipanjangkan, set the new resolution date and queue the interim reply.

    The complainant is told the reason and the new expected date in the ticket's language.
    """
    if ticket.resolve_due_at and new_resolve_due_at <= ticket.resolve_due_at:
        raise ValidationFailed(
            "the new date must be after the current one",
            errors={"new_resolve_due_at": ["must be later than the current deadline"]},
        )
    before = ticket.resolve_due_at
    workflow.change_status(ticket, S.EXTENDED, actor=actor, reason=reason, notify=False)
    ticket.resolve_due_at = new_resolve_due_at
    ticket.sla_next_check_at = utcnow()
    workflow.record_event(
        ticket,
        "extended",
        actor=actor,
        before={"resolve_due_at": before.isoformat() if before else None},
        after={"resolve_due_at": new_resolve_due_at.isoformat()},
        data={"reason": reason},
    )
    day = local_today(new_resolve_due_at)  # in the complainant's words, as every date they read
    return queue_notice(
        ticket,
        "interim",
        ms=f"Jawapan interim bagi aduan {ticket.reference}: {reason}. "
        f"Tarikh jangkaan penyelesaian baharu: {format_local_date(day, 'ms')}.",
        en=f"Interim reply on complaint {ticket.reference}: {reason}. "
        f"New expected resolution date: {format_local_date(day, 'en')}.",
    )
