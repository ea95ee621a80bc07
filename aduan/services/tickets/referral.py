"""Referral between agencies (Luar Bidang Kuasa): a matter that belongs elsewhere.

**To an agency on this deployment** (``refer_to_agency``): the ticket moves to the receiving
agency whole — same reference, same status page, same correspondence — and starts there
afresh: Baharu, in its triage queue (the category's default unit, else the triage unit),
unassigned, with its own clocks from the referral in its own calendar. The complainant record
is copied into the receiving agency (complainants are per agency); the referring agency keeps
its own record and a ``TicketReferral`` row, which lets its officers open the ticket page
read-only (``access.referral_record_for``) but never act on it.

**To an agency outside the deployment** (``refer_outside``): the ticket stays here and ends in
Luar Bidang Kuasa through the workflow; the referral records where it went (name, contact).

Either way the complainant is told on their own channel, from the referring agency's account
(the sender they wrote to; the receiving agency may have no account on that channel), in their
language; each agency's audit log (``AdminAuditLog``) and the ticket's timeline record it.

Who may refer: supervisors, complaint managers and admins, on a ticket in their scope —
sending a matter out of the agency is a decision above a case officer.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask_babel import lazy_gettext as _l

from aduan.errors import PermissionDenied, StaleTicket, ValidationFailed
from aduan.extensions import db
from aduan.languages import every_language
from aduan.models import (
    Agency,
    Category,
    Complainant,
    ContactIdentity,
    Officer,
    Ticket,
    TicketEvent,
    Unit,
)
from aduan.models.admin import AdminAuditLog
from aduan.models.base import utcnow
from aduan.models.referrals import TicketReferral
from aduan.services.outbox.notices import queue_notice
from aduan.services.tickets import access, workflow
from aduan.vocabulary import OPEN_STATUSES
from aduan.vocabulary import TicketStatus as S

REFERRING_ROLES = ("supervisor", "complaint_manager", "admin")
_OPEN = {s.value for s in OPEN_STATUSES}

TOLD_REFERRED = _l(
    "Your complaint %(reference)s is outside our jurisdiction and has been referred to "
    "%(agency)s, which handles it from now on. Your reference number stays the same and you "
    "can follow it on the same status page. Reason: %(reason)s"
)
TOLD_REFERRED_OUTSIDE = _l(
    "Your complaint %(reference)s is outside our jurisdiction and has been referred to "
    "%(agency)s. Reason: %(reason)s"
)
TOLD_CONTACT = _l("You can contact them at %(contact)s.")


def may_refer(officer: Officer, ticket: Ticket) -> bool:
    """Whether ``officer`` may refer ``ticket`` now: a referring role, the ticket in their
    scope, open and not merged."""
    return (
        any(officer.has_role(role) for role in REFERRING_ROLES)
        and ticket.status in _OPEN
        and ticket.merged_into_id is None
        and access.can_change(officer, ticket)
    )


def receiving_agencies(officer: Officer) -> list[Agency]:
    """The other agencies of this deployment, by name (where a referral may go)."""
    query = db.select(Agency).where(Agency.id != officer.agency_id).order_by(Agency.name)
    return list(db.session.scalars(query))


def refer_to_agency(
    ticket: Ticket,
    officer: Officer,
    to_agency_id: int | str | None,
    reason: str,
    *,
    expected_version: int | None = None,
    at: dt.datetime | None = None,
) -> TicketReferral:
    """Refer ``ticket`` to another agency of this deployment (see the module's docstring).
    Flushes; the caller commits (``workflow.commit``)."""
    reason = _checked(ticket, officer, reason, expected_version)
    to_agency = _receiving(ticket, to_agency_id)
    now = at or utcnow()
    from_agency = ticket.agency or db.session.get(Agency, ticket.agency_id)
    _tell(ticket, TOLD_REFERRED, agency=to_agency.name, reason=reason)  # from our account
    referral = _record(ticket, officer, now, to_agency.name, reason, to_agency=to_agency)
    facts = {"reference": ticket.reference, "reason": reason}
    workflow.record_event(
        ticket,
        "referred_out",
        actor=officer,
        at=now,
        data={**facts, "to_agency": to_agency.name, "referral_id": referral.id},
    )
    _audit(from_agency.id, officer, ticket, "referred_out", {**facts, "to_agency": to_agency.name})
    _move(ticket, to_agency)
    workflow.restart_on_referral(ticket, at=now, from_agency=from_agency.name)
    workflow.record_event(
        ticket, "referred_in", at=now, data={**facts, "from_agency": from_agency.name}
    )
    _audit(to_agency.id, None, ticket, "referred_in", {**facts, "from_agency": from_agency.name})
    db.session.flush()
    return referral


def refer_outside(
    ticket: Ticket,
    officer: Officer,
    name: str,
    contact: str | None,
    reason: str,
    *,
    expected_version: int | None = None,
    at: dt.datetime | None = None,
) -> TicketReferral:
    """Refer ``ticket`` to an agency outside this deployment: record where it went, tell the
    complainant, and end it in Luar Bidang Kuasa. Flushes; the caller commits."""
    reason = _checked(ticket, officer, reason, expected_version)
    name, contact = (name or "").strip()[:200], (contact or "").strip()[:300] or None
    if not name:
        raise ValidationFailed(
            _l("Name the agency the complaint is referred to."), errors={"to_name": ["required"]}
        )
    now = at or utcnow()
    workflow.change_status(
        ticket,
        S.OUT_OF_JURISDICTION,
        actor=officer,
        at=now,
        reason=f"{name}: {reason}",
        notify=False,  # told below, with where it went
    )
    _tell(ticket, TOLD_REFERRED_OUTSIDE, agency=name, reason=reason, contact=contact)
    referral = _record(ticket, officer, now, name, reason, contact=contact)
    facts = {"reference": ticket.reference, "reason": reason, "to_name": name}
    workflow.record_event(
        ticket,
        "referred_outside",
        actor=officer,
        at=now,
        data={**facts, "to_contact": contact, "referral_id": referral.id},
    )
    _audit(ticket.agency_id, officer, ticket, "referred_outside", {**facts, "to_contact": contact})
    db.session.flush()
    return referral


def referrals_of(ticket: Ticket) -> list[TicketReferral]:
    """Every referral of ``ticket``, oldest first (for the complainant's status page)."""
    query = db.select(TicketReferral).where(TicketReferral.ticket_id == ticket.id)
    return list(db.session.scalars(query.order_by(TicketReferral.id)))


def departure_event_id(record: TicketReferral) -> int:
    """The id of the ``referred_out`` event of ``record``: the referring agency's read-only
    timeline ends there."""
    events = db.session.scalars(
        db.select(TicketEvent).where(
            TicketEvent.ticket_id == record.ticket_id, TicketEvent.kind == "referred_out"
        )
    )
    return next((e.id for e in events if (e.data or {}).get("referral_id") == record.id), 0)


def _checked(ticket: Ticket, officer: Officer, reason: str, expected_version: int | None) -> str:
    if expected_version is not None and int(expected_version) != ticket.version:
        raise StaleTicket(workflow.stale_message(ticket.reference))
    if not may_refer(officer, ticket):
        raise PermissionDenied(_l("You may not refer this ticket."))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(
            _l("Give the reason for the referral."), errors={"reason": ["required"]}
        )
    return reason


def _receiving(ticket: Ticket, to_agency_id: int | str | None) -> Agency:
    agency = db.session.get(Agency, int(to_agency_id)) if str(to_agency_id).isdigit() else None
    if agency is None or agency.id == ticket.agency_id:
        raise ValidationFailed(
            _l("Choose the agency to refer the complaint to."),
            errors={"to_agency_id": ["choose another agency"]},
        )
    return agency


def _record(ticket, officer, now, name, reason, *, to_agency=None, contact=None):
    referral = TicketReferral(
        agency_id=ticket.agency_id,
        ticket_id=ticket.id,
        to_agency_id=to_agency.id if to_agency is not None else None,
        to_name=name,
        to_contact=contact,
        reason=reason,
        from_unit_id=ticket.unit_id,
        referred_by_id=officer.id,
        referred_at=now,
    )
    db.session.add(referral)
    ticket.last_officer_action_at = now
    db.session.flush()
    return referral


def _tell(ticket: Ticket, text: Any, *, contact: str | None = None, **values: str) -> None:
    """Queue the notice in every citizen language (the door picks the ticket's), from the
    account of the agency that holds the ticket now — call it before the ticket moves."""
    texts = every_language(text, reference=ticket.reference, **values)
    if contact:
        told = every_language(TOLD_CONTACT, contact=contact)
        texts = {language: f"{texts[language]} {told[language]}" for language in texts}
    queue_notice(ticket, "referral", **texts)


def _audit(agency_id: int, actor: Officer | None, ticket: Ticket, action: str, after: dict):
    """One row in the agency's own audit log (the receiving side's names no other agency's
    officer: ``actor`` None)."""
    db.session.add(
        AdminAuditLog(
            agency_id=agency_id,
            actor_id=actor.id if actor else None,
            entity="ticket",
            entity_id=ticket.id,
            action=action,
            after=after,
        )
    )


def _move(ticket: Ticket, to_agency: Agency) -> None:
    """Hand the ticket to ``to_agency``: its complainant record, its category of the same
    code, its default unit (else the triage unit), nobody assigned."""
    if ticket.complainant_id is not None:
        person = ticket.complainant or db.session.get(Complainant, ticket.complainant_id)
        ticket.complainant = _complainant_in(to_agency, person)
    category = _same_category(ticket, to_agency)
    unit_id = (category.default_unit_id if category else None) or to_agency.triage_unit_id
    ticket.agency, ticket.agency_id = to_agency, to_agency.id
    ticket.category = category
    ticket.unit = db.session.get(Unit, unit_id) if unit_id else None
    ticket.assignee = None


def _same_category(ticket: Ticket, to_agency: Agency) -> Category | None:
    if ticket.category_id is None:
        return None
    code = db.session.scalar(db.select(Category.code).where(Category.id == ticket.category_id))
    return db.session.scalar(
        db.select(Category).where(
            Category.agency_id == to_agency.id, Category.code == code, Category.active.is_(True)
        )
    )


def _complainant_in(agency: Agency, person: Complainant) -> Complainant:
    """The receiving agency's record of ``person``: the one holding one of their handles there,
    else a copy of the record; either way it gets every handle the agency does not hold yet."""
    mine = [(i.channel_type, i.handle, i) for i in person.identities]
    held = {
        (row.channel_type, row.handle): row
        for row in db.session.scalars(
            db.select(ContactIdentity).where(
                ContactIdentity.agency_id == agency.id,
                db.tuple_(ContactIdentity.channel_type, ContactIdentity.handle).in_(
                    [(kind, handle) for kind, handle, _ in mine] or [("", "")]
                ),
            )
        )
    }
    target = next((row.complainant for row in held.values()), None)
    if target is None:
        target = Complainant(
            agency_id=agency.id,
            name=person.name,
            email=person.email,
            phone=person.phone,
            mykad=person.mykad,
            language=person.language,
        )
        db.session.add(target)
    for kind, handle, identity in mine:
        if (kind, handle) not in held:
            target.identities.append(
                ContactIdentity(
                    agency_id=agency.id,
                    channel_type=kind,
                    handle=handle,
                    display_name=identity.display_name,
                    last_inbound_at=identity.last_inbound_at,
                )
            )
    return target
