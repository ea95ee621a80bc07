"""The satisfaction survey after a resolution, the 7-day objection window and the closing.

Hook: a periodic sweep (``request_surveys``) finds tickets in ``selesai`` without a survey for
their current resolution and asks once — idempotent by the unique (ticket, resolved_at), and
nothing in the workflow has to know about surveys. The status page asks too (``current``).
Within ``WINDOW`` of the resolution the complainant may object: the ticket is re-opened with
their reason. After it, ``close_expired`` closes the ticket (``ditutup``).
"""

from __future__ import annotations

import datetime as dt
import logging

from flask_babel import lazy_gettext as _l
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError

from aduan.errors import StaleTicket, ValidationFailed
from aduan.extensions import db
from aduan.languages import CITIZEN_LANGUAGES, every_language, render
from aduan.models import Ticket, TicketEvent
from aduan.models.base import utcnow
from aduan.models.citizen import SurveyResponse
from aduan.services.outbox.notices import queue_notice
from aduan.services.outbox.replies import status_link
from aduan.services.tickets import workflow
from aduan.vocabulary import TicketStatus

log = logging.getLogger(__name__)

WINDOW = dt.timedelta(days=7)
SURVEY_CALLBACK = "survey:"  # a rating button's data: ``survey:4`` (``survey_answers``)
RATING_BUTTONS = [[[str(n), f"{SURVEY_CALLBACK}{n}"] for n in range(1, 6)]]
BATCH = 200
MAX_COMMENT = 2000
ASK = _l(
    "Complaint %(reference)s has been resolved.%(summary)s Please rate our service: reply "
    "with 1 to 5 (5 = excellent). If you are not satisfied, reply OBJECT or object within "
    "7 days: %(link)s"
)
SUMMARY = _l("Resolution: %(summary)s")


def request_surveys(now: dt.datetime | None = None) -> int:
    """Ask every newly resolved ticket's complainant once; returns how many were asked."""
    now = now or utcnow()
    asked = db.select(SurveyResponse.id).where(
        SurveyResponse.ticket_id == Ticket.id, SurveyResponse.resolved_at == Ticket.resolved_at
    )
    tickets = db.session.scalars(
        db.select(Ticket)
        .where(
            Ticket.status == TicketStatus.RESOLVED.value,
            Ticket.resolved_at.is_not(None),
            Ticket.resolved_at > now - WINDOW,
            ~asked.exists(),
        )
        .order_by(Ticket.id)
        .limit(BATCH)
    ).all()
    count = 0
    for ticket in tickets:
        if _new_survey(ticket, now) is None:
            continue
        count += 1
        _ask(ticket)  # sent once this commits
    db.session.commit()
    return count


def current(ticket: Ticket, now: dt.datetime | None = None) -> SurveyResponse | None:
    """The survey for this resolution while the window is open (created when first shown)."""
    now = now or utcnow()
    if not window_open(ticket, now):
        return None
    row = _find(ticket)
    return row or _new_survey(ticket, now)


def window_open(ticket: Ticket, now: dt.datetime | None = None) -> bool:
    """True while a resolved ticket may still be rated or objected to."""
    return (
        ticket.status == TicketStatus.RESOLVED.value
        and ticket.resolved_at is not None
        and (now or utcnow()) < ticket.resolved_at + WINDOW
    )


def rate(ticket: Ticket, rating: int, comment: str | None = None) -> SurveyResponse:
    """Record the complainant's rating (1-5) and optional comment, once per resolution.

    A second answer (another tab, a resubmitted form, two at once) is refused with
    ``errors={"rating": ["answered"]}``: the first rating stands and is counted once."""
    row = record_rating(ticket, rating, comment)
    db.session.commit()
    return row


def record_rating(ticket: Ticket, rating: int, comment: str | None = None) -> SurveyResponse:
    """``rate`` without the commit: for a rating given in a message, committed with its
    inbound event (``survey_answers``)."""
    if not isinstance(rating, int) or not 1 <= rating <= 5:
        raise ValidationFailed("rating must be 1 to 5", errors={"rating": ["1-5"]})
    row = current(ticket)
    if row is None:
        raise ValidationFailed("the survey is closed", errors={"rating": ["closed"]})
    # Conditional on "not rated yet", so of two concurrent answers only one is recorded.
    answered = db.session.execute(
        update(SurveyResponse)
        .where(SurveyResponse.id == row.id, SurveyResponse.rating.is_(None))
        .values(
            rating=rating,
            comment=(comment or "").strip()[:MAX_COMMENT] or None,
            responded_at=utcnow(),
        )
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(row)
    if answered.rowcount == 0:
        raise ValidationFailed("the survey is already answered", errors={"rating": ["answered"]})
    workflow.record_event(
        ticket, "survey_answered", actor_kind="complainant", data={"rating": rating}
    )
    return row


def object_to_resolution(ticket: Ticket, reason: str) -> None:
    """Re-open ``ticket`` with the complainant's reason, within the window only."""
    if not (reason or "").strip():
        raise ValidationFailed("a reason is required", errors={"reason": ["required"]})
    row = current(ticket)
    if row is None:
        raise ValidationFailed("the objection window is closed", errors={"reason": ["closed"]})
    row.objected_at = utcnow()
    row.objection_reason = reason.strip()[:MAX_COMMENT]
    workflow.change_status(
        ticket, TicketStatus.REOPENED.value, actor_kind="complainant", reason=reason.strip()
    )
    workflow.commit()


def close_expired(now: dt.datetime | None = None) -> int:
    """Close resolved tickets whose window has ended; safe to run twice or at once."""
    now = now or utcnow()
    ids = db.session.scalars(
        db.select(Ticket.id)
        .where(
            Ticket.status == TicketStatus.RESOLVED.value,
            Ticket.resolved_at <= now - WINDOW,
        )
        .order_by(Ticket.id)
        .limit(BATCH)
    ).all()
    closed = 0
    for ticket_id in ids:
        ticket = db.session.get(Ticket, ticket_id)
        if ticket is None or ticket.status != TicketStatus.RESOLVED.value:
            continue
        try:
            workflow.change_status(ticket, TicketStatus.CLOSED.value, actor_kind="system", at=now)
            row = _find(ticket)
            if row is not None and row.closed_at is None:
                row.closed_at = now
            workflow.commit()
            closed += 1
        except StaleTicket:  # closed or changed by a concurrent run: leave it
            log.info("survey close skipped stale ticket_id=%s", ticket_id)
    return closed


def resolution_summary(ticket: Ticket) -> str | None:
    """What the officer wrote when resolving the ticket (the reason of its last move to
    Selesai), or None when they wrote nothing."""
    for event in db.session.scalars(
        db.select(TicketEvent)
        .where(TicketEvent.ticket_id == ticket.id, TicketEvent.kind == "status_changed")
        .order_by(TicketEvent.id.desc())
    ):
        if (event.after or {}).get("status") == TicketStatus.RESOLVED.value:
            return (event.data or {}).get("reason") or None
    return None


def _find(ticket: Ticket) -> SurveyResponse | None:
    return db.session.scalar(
        db.select(SurveyResponse).where(
            SurveyResponse.ticket_id == ticket.id,
            SurveyResponse.resolved_at == ticket.resolved_at,
        )
    )


def _new_survey(ticket: Ticket, now: dt.datetime) -> SurveyResponse | None:
    row = SurveyResponse(ticket_id=ticket.id, resolved_at=ticket.resolved_at, requested_at=now)
    try:
        with db.session.begin_nested():
            db.session.add(row)
            db.session.flush()
    except IntegrityError:  # asked concurrently
        return None
    return row


def _ask(ticket: Ticket):
    """The resolution notice: the officer's resolution summary, the rating and how to object."""
    link = status_link(ticket)
    said = resolution_summary(ticket)
    summary = every_language(SUMMARY, summary=said) if said else {}
    texts = {
        language: render(ASK, language, reference=ticket.reference, link=link,
                         summary=f" {summary[language]}" if said else "")
        for language in CITIZEN_LANGUAGES
    }  # fmt: skip
    return queue_notice(
        ticket,
        "survey",
        buttons=RATING_BUTTONS,  # shown by chats that have buttons (Telegram), ignored elsewhere
        **texts,
    )
