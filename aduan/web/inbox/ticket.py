"""``/inbox/tickets/<reference>``: the whole timeline and every action an officer takes.

Every view loads the ticket through ``access.get_ticket_for`` (404 outside the officer's
scope) and writes an access-log row. Changes carry the version the officer saw.
"""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from aduan.errors import DomainError, NotFound, StaleTicket, ValidationFailed
from aduan.extensions import db
from aduan.models import Attachment, Category, Officer, Ticket, Unit
from aduan.models.base import utcnow
from aduan.services.admin import audit_log
from aduan.services.inbox import notifications as officer_notifications
from aduan.services.inbox.queries import sla_badges
from aduan.services.outbox import replies
from aduan.services.tickets import access, actions, merging, referral, workflow
from aduan.services.tickets.extending import extend_until
from aduan.vocabulary import OPEN_STATUSES, Complexity, TicketType
from aduan.web.attachment_download import send_attachment
from aduan.web.inbox.blueprint import bp, officer_required
from aduan.web.inbox.timeline import (
    Cutoff,
    canned_responses,
    complainant_name,
    other_tickets,
    reply_channels,
    timeline,
)

# A ticket merged into another is closed; only these actions still apply to it.
READ_ONLY_WHEN_MERGED_EXCEPT = ("unmerge", "note")


def _officer() -> Officer:
    return current_user._get_current_object()


def _load(reference: str, action: str) -> Ticket:
    officer = _officer()
    ticket = access.get_ticket_for(officer, reference)
    access.log_access(officer, ticket, action)
    return ticket


def _expect_version(ticket: Ticket) -> None:
    seen = request.form.get("version", "")
    if not seen.isdigit() or int(seen) != ticket.version:
        raise StaleTicket(f"ticket {ticket.reference} was changed by someone else")


def _back(ticket: Ticket):
    return redirect(url_for("inbox.ticket_page", reference=ticket.reference), code=303)


def _units(ticket: Ticket) -> list[Unit]:
    return list(
        db.session.scalars(
            db.select(Unit)
            .where(Unit.agency_id == ticket.agency_id, Unit.active.is_(True))
            .order_by(Unit.name)
        )
    )


@bp.errorhandler(StaleTicket)
def conflict(exc: StaleTicket):
    db.session.rollback()
    reference = request.view_args.get("reference") if request.view_args else None
    return render_template("inbox/conflict.html", reference=reference), 409


@bp.get("/inbox/tickets/<reference>")
@officer_required
def ticket_page(reference: str):
    officer = _officer()
    try:
        ticket = _load(reference, "view")
    except NotFound:
        return _referred_page(officer, reference)
    officer_notifications.mark_ticket_read(officer, ticket)  # opened: its notices are seen
    db.session.commit()
    categories = db.session.scalars(
        db.select(Category)
        .where(Category.agency_id == ticket.agency_id, Category.active.is_(True))
        .order_by(Category.code)
    )
    merged_into = db.session.get(Ticket, ticket.merged_into_id) if ticket.merged_into_id else None
    return render_template(
        "inbox/ticket.html",
        ticket=ticket,
        items=timeline(ticket, officer.agency_id),
        others=other_tickets(officer, ticket),
        complainant_name=complainant_name(ticket),
        channels=reply_channels(ticket),
        canned=canned_responses(ticket.agency_id),
        next_statuses=workflow.allowed_next(ticket.status),
        units=_units(ticket),
        assignable=actions.assignable(ticket),
        categories=list(categories),
        types=list(TicketType),
        complexities=list(Complexity),
        merged_into=merged_into,
        merged_into_visible=bool(merged_into and access.can_see(officer, merged_into)),
        sla_badge=sla_badges([ticket], utcnow()).get(ticket.id),
        may_refer=referral.may_refer(officer, ticket),
        finished=ticket.status not in {s.value for s in OPEN_STATUSES},
        agencies=referral.receiving_agencies(officer),
        opened_by=audit_log.opened_by(ticket, officer),
    )


def _referred_page(officer: Officer, reference: str):
    """The referring agency's read-only record of a ticket now another agency's: what it was
    up to the referral, and where it went (``access.referral_record_for``)."""
    record = access.referral_record_for(officer, reference)
    access.log_access(officer, record.ticket, "view_referred")
    db.session.commit()
    until = Cutoff(record.referred_at, referral.departure_event_id(record))
    return render_template(
        "inbox/ticket_referred.html",
        record=record,
        ticket=record.ticket,
        items=timeline(record.ticket, officer.agency_id, until),
    )


def _action(name: str):
    """Shared shape of a POST action: load, check, run, commit, flash, back to the page."""

    def decorator(run):
        def view(reference: str):
            ticket = _load(reference, name)
            try:
                if ticket.merged_into_id and name not in READ_ONLY_WHEN_MERGED_EXCEPT:
                    raise ValidationFailed(_("This ticket is merged: unmerge it first."))
                message = run(ticket)
                workflow.commit()
            except StaleTicket:
                raise
            except (DomainError, LookupError) as exc:
                db.session.rollback()
                access.log_access(_officer(), ticket, name)
                db.session.commit()
                flash(str(getattr(exc, "message", None) or exc), "error")  # in this locale
                return _back(ticket)
            if not access.can_see(_officer(), ticket):
                return _gone(ticket, message)
            if message:
                flash(message, "success")
            return _back(ticket)

        view.__name__ = f"ticket_{name}"
        return bp.post(f"/inbox/tickets/<reference>/{name}")(officer_required(view))

    return decorator


def _gone(ticket: Ticket, message: str | None):
    """The action took the ticket out of the officer's scope (a transfer to a unit outside
    it, a referral to another agency): back to the queue, saying where the ticket went."""
    officer = _officer()
    if ticket.agency_id != officer.agency_id:
        where = _("Ticket %(reference)s went to %(agency)s; it is no longer in your queues.",
                  reference=ticket.reference, agency=ticket.agency.name)  # fmt: skip
    else:
        unit = ticket.unit.name if ticket.unit else _("another unit")
        where = _("Ticket %(reference)s went to %(unit)s, outside your units; it is no longer "
                  "in your queues.", reference=ticket.reference, unit=unit)  # fmt: skip
    flash(" ".join(part for part in (message, where) if part), "success")
    return redirect(url_for("inbox.inbox"), code=303)


@_action("reply")
def _reply(ticket: Ticket) -> str:
    text = (request.form.get("body") or "").strip()
    if not text:
        raise ValidationFailed(_("Write a reply first."))
    # queue_reply commits and enqueues the send job itself.
    replies.queue_reply(ticket, _officer(), text, request.form.get("channel") or None)
    return _("Reply queued.")


@_action("note")
def _note(ticket: Ticket) -> str:
    actions.add_note(ticket, _officer(), request.form.get("body") or "")
    return _("Note added.")


@_action("assign")
def _assign(ticket: Ticket) -> str:
    _expect_version(ticket)
    if not actions.assign(ticket, _officer(), request.form.get("officer_id", "")):
        return _("The ticket already has that assignee: nothing changed.")
    return _("Assignment saved.")


@_action("transfer")
def _transfer(ticket: Ticket) -> str:
    _expect_version(ticket)
    actions.transfer(ticket, _officer(), request.form.get("unit_id", ""), request.form.get("note"))
    return _("Ticket transferred.")


@_action("status")
def _status(ticket: Ticket) -> str:
    workflow.change_status(
        ticket,
        request.form.get("status", ""),
        actor=_officer(),
        reason=request.form.get("reason") or None,
        expected_version=_version(),
    )
    return _("Status changed.")


@_action("refer")
def _refer(ticket: Ticket) -> str:
    form = request.form
    referral.refer_to_agency(
        ticket,
        _officer(),
        form.get("to_agency_id"),
        form.get("reason", ""),
        expected_version=_version(),
    )
    return _("Ticket referred to another agency.")


@_action("refer_outside")
def _refer_outside(ticket: Ticket) -> str:
    form = request.form
    referral.refer_outside(
        ticket,
        _officer(),
        form.get("to_name", ""),
        form.get("to_contact"),
        form.get("reason", ""),
        expected_version=_version(),
    )
    return _("Ticket referred outside this system.")


def _version() -> int:
    seen = request.form.get("version", "")
    if not seen.isdigit():
        raise StaleTicket("the form did not say which version it changes")
    return int(seen)


@_action("classify")
def _classify(ticket: Ticket) -> str:
    _expect_version(ticket)
    form = request.form
    actions.classify(ticket, _officer(), form.get("type"), form.get("category_id", ""),
                     form.get("complexity"))  # fmt: skip
    return _("Classification saved.")


@_action("extend")
def _extend(ticket: Ticket) -> str:
    _expect_version(ticket)
    extend_until(ticket, _officer(), request.form.get("reason"), request.form.get("new_date", ""))
    return _("Deadline extended and interim reply queued.")


@_action("merge")
def _merge(ticket: Ticket) -> str:
    _expect_version(ticket)
    try:
        duplicate = access.get_ticket_for(_officer(), request.form.get("duplicate", ""))
    except NotFound:
        raise ValidationFailed(_("No such ticket in your scope."))
    access.log_access(_officer(), duplicate, "merge")
    merging.merge(duplicate, ticket, _officer())
    return _("Duplicate merged into this ticket.")


@_action("unmerge")
def _unmerge(ticket: Ticket) -> str:
    _expect_version(ticket)
    target = db.session.get(Ticket, ticket.merged_into_id) if ticket.merged_into_id else None
    if target is not None and not access.can_change(_officer(), target):
        raise ValidationFailed(_("No such ticket in your scope."))
    merging.unmerge(ticket, _officer())
    return _("Ticket unmerged.")


@bp.get("/inbox/attachments/<int:attachment_id>")
@officer_required
def attachment(attachment_id: int):
    officer = _officer()
    row = db.session.get(Attachment, attachment_id)
    if row is None:
        raise NotFound("no such attachment")
    ticket = db.session.get(Ticket, row.ticket_id)
    target = db.session.get(Ticket, ticket.merged_into_id) if ticket.merged_into_id else None
    if not access.can_see(officer, ticket) and not (target and access.can_see(officer, target)):
        raise NotFound("no such attachment")
    access.log_access(officer, ticket, "download")
    db.session.commit()
    return send_attachment(row)
