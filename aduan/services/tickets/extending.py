"""Extending the resolution deadline (Dipanjangkan) with the interim reply PKPA 4/1992 asks for."""

from __future__ import annotations

import datetime as dt

from flask_babel import lazy_gettext as _l

from aduan.errors import ValidationFailed
from aduan.languages import CITIZEN_LANGUAGES, render
from aduan.models import Officer, Ticket
from aduan.models.base import utcnow
from aduan.services.outbox.notices import queue_notice
from aduan.services.outbox.texts import format_local_date
from aduan.services.sla.clock import local_today
from aduan.services.tickets import deadlines, workflow
from aduan.vocabulary import TicketStatus as S

INTERIM = _l(
    "Interim reply on complaint %(reference)s: %(reason)s. New expected resolution date: %(date)s."
)


def extend_until(ticket: Ticket, actor, reason: str | None, new_date: str | dt.date | None):
    """``extend`` to the close of office hours on ``new_date`` (the agency's clock), with the
    reason the complainant is told: the ticket page's and the API's one way to extend."""
    reason = (reason or "").strip()
    if isinstance(new_date, str):
        try:
            new_date = dt.date.fromisoformat(new_date)
        except ValueError:
            new_date = None
    if not isinstance(new_date, dt.date):
        raise ValidationFailed(_l("Give the new expected date."), errors={"new_date": ["date"]})
    if not reason:
        raise ValidationFailed(_l("Give the reason for the extension."),
                               errors={"reason": ["required"]})  # fmt: skip
    new_due = deadlines.clock_for(ticket.agency).hours.closing(new_date).astimezone(dt.UTC)
    return extend(ticket, actor, reason, new_due)


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
    texts = {
        language: render(INTERIM, language, reference=ticket.reference, reason=reason,
                         date=format_local_date(day, language))
        for language in CITIZEN_LANGUAGES
    }  # fmt: skip
    return queue_notice(ticket, "interim", **texts)
