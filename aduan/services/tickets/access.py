"""Which tickets an officer may see and change — the one place that decides it.

- ``officer``: tickets owned by the officer's units;
- ``supervisor``: their units and every unit below them (``Unit.parent_id`` tree);
- ``complaint_manager`` and ``admin``: the whole agency;
- ``integration``: an agency's API token (``models.api.ApiToken``, never an officer's role):
  the whole agency, limited by the token's scopes in the API.
Always limited to the officer's own agency. A ticket outside the scope is *not found* (404),
never *forbidden*, so its existence does not leak.

One exception, read-only: a ticket the agency referred to another agency of the deployment
(``tickets.referral``) stays readable as the agency's record of it by the officers whose scope
held it when it left (``referral_record_for``); nothing here lets them change it.
"""

from __future__ import annotations

from flask import has_request_context, request
from sqlalchemy import ColumnElement, Select, false, select, true

from aduan.errors import NotFound
from aduan.extensions import db
from aduan.models import Officer, Ticket, Unit
from aduan.models.access import TicketAccessLog
from aduan.models.api import ApiToken
from aduan.models.referrals import TicketReferral
from aduan.services.tickets import references

AGENCY_WIDE_ROLES = ("complaint_manager", "admin", "integration")


def is_agency_wide(officer: Officer) -> bool:
    """Complaint managers and admins see every ticket of their agency."""
    return any(officer.has_role(role) for role in AGENCY_WIDE_ROLES)


def unit_ids_in_scope(officer: Officer) -> set[int]:
    """The officer's own units; a supervisor's also every unit below them in the tree."""
    own = {unit.id for unit in officer.units if unit.agency_id == officer.agency_id}
    if not own or not officer.has_role("supervisor"):
        return own
    return own | _descendants(officer.agency_id, own)


def _descendants(agency_id: int, roots: set[int]) -> set[int]:
    tree = (
        select(Unit.id.label("id"))
        .where(Unit.agency_id == agency_id, Unit.parent_id.in_(roots))
        .cte("subunits", recursive=True)
    )
    child = db.aliased(Unit)
    tree = tree.union(
        select(child.id).where(child.agency_id == agency_id, child.parent_id == tree.c.id)
    )
    return set(db.session.scalars(select(tree.c.id)))


def ticket_scope(officer: Officer) -> ColumnElement[bool]:
    """A SQL condition on ``Ticket`` true exactly for the tickets ``officer`` may see."""
    in_agency = Ticket.agency_id == officer.agency_id
    if not officer.is_active:
        return false()
    if is_agency_wide(officer):
        return in_agency
    units = unit_ids_in_scope(officer)
    if not units:
        return false()
    return in_agency & Ticket.unit_id.in_(sorted(units))


def visible_tickets(officer: Officer) -> Select:
    """``SELECT tickets`` limited to the officer's scope; callers add filters and order."""
    return select(Ticket).where(ticket_scope(officer))


def get_ticket_for(officer: Officer, reference: str) -> Ticket:
    """The ticket with ``reference`` if the officer may see it; otherwise ``NotFound``."""
    canonical = references.normalise_reference(reference) or reference.strip().upper()
    ticket = db.session.scalar(visible_tickets(officer).where(Ticket.reference == canonical))
    if ticket is None:
        raise NotFound("no such ticket")
    return ticket


def get_ticket_by_id_for(officer: Officer, ticket_id: int) -> Ticket:
    """As ``get_ticket_for``, by primary key (attachments, merges)."""
    ticket = db.session.scalar(visible_tickets(officer).where(Ticket.id == ticket_id))
    if ticket is None:
        raise NotFound("no such ticket")
    return ticket


def referral_record_for(officer: Officer, reference: str) -> TicketReferral:
    """The officer's agency's record of a ticket it referred to another agency, when the
    ticket's unit then was in the officer's scope (the whole agency for agency-wide roles);
    otherwise ``NotFound``. The ticket itself is the receiving agency's: read, never change."""
    canonical = references.normalise_reference(reference) or reference.strip().upper()
    query = (
        select(TicketReferral)
        .join(Ticket, Ticket.id == TicketReferral.ticket_id)
        .where(
            Ticket.reference == canonical,
            Ticket.agency_id != officer.agency_id,
            TicketReferral.agency_id == officer.agency_id,
            TicketReferral.to_agency_id.is_not(None),
        )
        .order_by(TicketReferral.id.desc())
        .limit(1)
    )
    if not is_agency_wide(officer):
        query = query.where(TicketReferral.from_unit_id.in_(sorted(unit_ids_in_scope(officer))))
    record = db.session.scalar(query) if officer.is_active else None
    if record is None:
        raise NotFound("no such ticket")
    return record


def can_see(officer: Officer, ticket: Ticket) -> bool:
    """Whether ``ticket`` is inside the officer's scope (one query on an indexed key)."""
    found = db.session.scalar(
        select(true()).where(Ticket.id == ticket.id, ticket_scope(officer)).limit(1)
    )
    return bool(found)


def can_change(officer: Officer, ticket: Ticket) -> bool:
    """Officers change what they can see (a merged ticket's own limits are the view's)."""
    return can_see(officer, ticket)


def log_access(officer: Officer | ApiToken, ticket: Ticket, action: str) -> TicketAccessLog:
    """Record that ``officer`` (or an API token) did ``action`` on ``ticket`` (added to the
    session only)."""
    token = officer if isinstance(officer, ApiToken) else None
    row = TicketAccessLog(
        ticket_id=ticket.id,
        officer_id=None if token else officer.id,
        api_token_id=token.id if token else None,
        action=action[:40],
        ip_address=request.remote_addr if has_request_context() else None,
    )
    db.session.add(row)
    return row
