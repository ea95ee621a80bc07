"""A complaint opened from a low rating, linked both ways, once.

The ticket is filed through the web form's intake path (``intake.web_form.file_complaint``)
on the agency's own web account, so it gets a reference, routing, deadlines and an
acknowledgement (when the rater left a contact) like any complaint. The provider id is the
rating's own (``quality-rating-<id>``), so intake stores one event however often the button is
pressed or the automatic rule fires; ``Rating.ticket_id`` is unique; the ticket's timeline names
the rating.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from flask_babel import force_locale
from flask_babel import gettext as _

from aduan.extensions import db
from aduan.languages import citizen_language
from aduan.models import Agency, Officer, Ticket
from aduan.models.quality import Rating, ServicePoint
from aduan.services.intake import web_form
from aduan.services.tickets import workflow

log = logging.getLogger(__name__)


class NotLowEnough(Exception):
    """Only a low rating with a comment becomes a complaint."""


@dataclass
class Opened:
    ticket: Ticket | None  # None: intake is still processing it (a retry picks it up)
    created: bool


def is_low_with_comment(rating: Rating, point: ServicePoint) -> bool:
    """A rating an officer may turn into a complaint: at or below the point's low mark,
    with something said."""
    return rating.score <= point.low_rating and bool((rating.comment or "").strip())


def provider_id(rating: Rating) -> str:
    return f"quality-rating-{rating.id}"


def open_from_rating(rating: Rating, actor: Officer | None) -> Opened:
    """The complaint for this rating: the one already linked, or a new one filed now and
    linked (``actor``: the officer who pressed the button; None: the point's automatic rule)."""
    rating = db.session.scalar(db.select(Rating).where(Rating.id == rating.id).with_for_update())
    point = db.session.get(ServicePoint, rating.service_point_id)
    if rating.ticket_id is not None:
        db.session.commit()  # release the row lock
        return Opened(db.session.get(Ticket, rating.ticket_id), created=False)
    if not is_low_with_comment(rating, point):
        db.session.rollback()
        raise NotLowEnough()
    agency = db.session.get(Agency, point.agency_id)
    filing = web_form.file_complaint(provider_id(rating), _form(rating, point, agency), agency)
    ticket = filing.ticket or web_form.ticket_for(provider_id(rating))
    if ticket is None:
        return Opened(None, created=False)
    return _link(rating.id, ticket, point, actor, created=not filing.duplicate)


def _link(rating_id: int, ticket: Ticket, point: ServicePoint, actor, created: bool) -> Opened:
    rating = db.session.scalar(db.select(Rating).where(Rating.id == rating_id).with_for_update())
    if rating.ticket_id is None:
        rating.ticket_id = ticket.id
        workflow.record_event(
            ticket, "opened_from_rating", actor=actor,
            actor_kind="officer" if actor else "system",
            data={"rating_id": rating.id, "service_point_id": point.id,
                  "service_point": point.name, "score": rating.score},
        )  # fmt: skip
        log.info("rating became a ticket rating_id=%s ticket_id=%s", rating.id, ticket.id)
    db.session.commit()
    return Opened(ticket, created=created)


def _form(rating: Rating, point: ServicePoint, agency: Agency) -> web_form.ComplaintForm:
    language = citizen_language(rating.language)
    with force_locale(language):
        text = _(
            "Rating %(score)s of 5 at %(point)s: %(comment)s",
            score=rating.score, point=point.name, comment=rating.comment,
        )  # fmt: skip
    kind, handle = (
        ("email", rating.contact_email) if rating.contact_email
        else ("phone", rating.contact_phone) if rating.contact_phone else (None, None)
    )  # fmt: skip
    state = point.unit.state_code if point.unit is not None else agency.state_code
    fields = {"type": "aduan", "category_id": point.category_id, "state_code": state,
              "quality_rating_id": rating.id}  # fmt: skip
    return web_form.ComplaintForm(
        text=text, language=language, contact_kind=kind, contact_handle=handle,
        phone=rating.contact_phone, sender_name=rating.contact_name, fields=fields,
    )  # fmt: skip


def rating_of(ticket: Ticket) -> Rating | None:
    """The rating this ticket was opened from, if any (the link from the ticket's side)."""
    return db.session.scalar(db.select(Rating).where(Rating.ticket_id == ticket.id))
