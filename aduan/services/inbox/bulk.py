"""Bulk actions on many tickets at once: assign, change status, add a note.

All or nothing: every ticket is checked and changed in one transaction; if any one refuses
(out of the officer's scope, an illegal transition, a stale version, an invalid assignee)
the transaction is rolled back and nothing changes. The report names each ticket's outcome.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NoReturn

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l

from aduan.errors import DomainError, NotFound, StaleTicket, ValidationFailed
from aduan.extensions import db
from aduan.models import Message, Officer, Ticket, officer_units
from aduan.models.base import utcnow
from aduan.services.tickets import access, workflow

ACTIONS = ("assign", "status", "note")
MAX_TICKETS = 200
OK = "ok"
# Refusals are lazy strings: shown in the officer's language wherever the report is rendered.
NOT_YOURS = _l("No such ticket, or not yours to change.")
NOT_IN_UNIT = _l("The officer is not in the ticket's unit.")


@dataclass
class BulkReport:
    """``results``: reference → "ok" or the reason it was refused (translated when shown);
    ``applied`` if committed."""

    action: str
    results: dict[str, str] = field(default_factory=dict)
    applied: bool = False

    @property
    def refused(self) -> dict[str, str]:
        return {ref: why for ref, why in self.results.items() if why != OK}


def apply(
    officer: Officer,
    action: str,
    references: list[str],
    *,
    assignee_id: int | None = None,
    status: str | None = None,
    reason: str | None = None,
    note: str | None = None,
    versions: dict[str, int] | None = None,
) -> BulkReport:
    """Run ``action`` on every ticket in ``references``; commit only if all succeed."""
    _check_request(action, references, note)
    report = BulkReport(action)
    versions = versions or {}
    for reference in dict.fromkeys(r.strip() for r in references if r.strip()):
        report.results[reference] = _one(officer, action, reference, versions.get(reference),
                                         assignee_id=assignee_id, status=status, reason=reason,
                                         note=note)  # fmt: skip
    if report.refused:
        db.session.rollback()
        return report
    try:
        workflow.commit()
    except StaleTicket as exc:
        report.results = dict.fromkeys(report.results, exc.message)
        return report
    report.applied = True
    return report


def _check_request(action: str, references: list[str], note: str | None) -> None:
    if action not in ACTIONS:
        _refuse("action", _l("Choose an action."))
    if not any(r.strip() for r in references):
        _refuse("tickets", _l("Choose at least one ticket."))
    if len(references) > MAX_TICKETS:
        _refuse("tickets", _l("Too many tickets at once: at most %(n)d.", n=MAX_TICKETS))
    if action == "note" and not (note or "").strip():
        _refuse("note", _l("Write a note first."))


def _refuse(name: str, message: LazyString) -> NoReturn:
    raise ValidationFailed(message, errors={name: [message]})


def _one(officer: Officer, action: str, reference: str, version: int | None, **kw) -> str:
    """Apply to one ticket inside the shared transaction; "ok" or the reason it refused."""
    try:
        ticket = access.get_ticket_for(officer, reference)
        if not access.can_change(officer, ticket):
            raise NotFound(NOT_YOURS)
        if version is not None and int(version) != ticket.version:
            raise StaleTicket(workflow.stale_message(ticket.reference))
        with db.session.begin_nested():
            _run(officer, ticket, action, **kw)
            access.log_access(officer, ticket, f"bulk_{action}")
    except NotFound:  # out of scope and unknown look the same
        return NOT_YOURS
    except DomainError as exc:
        return exc.message
    return OK


def _run(officer: Officer, ticket: Ticket, action: str, *, assignee_id, status, reason, note):
    if action == "status":
        workflow.change_status(ticket, status or "", actor=officer, reason=reason)
    elif action == "assign":
        _assign(officer, ticket, assignee_id)
    else:
        _note(officer, ticket, note or "")
    ticket.last_officer_action_at = utcnow()
    db.session.flush()


def _assign(officer: Officer, ticket: Ticket, assignee_id: int | None) -> None:
    """Give the ticket to an active officer of its unit (None: unassign)."""
    assignee = db.session.get(Officer, assignee_id) if assignee_id else None
    if assignee_id and not _may_hold(assignee, ticket):
        raise ValidationFailed(NOT_IN_UNIT)
    if ticket.assignee_id == assignee_id:
        return  # already theirs: nothing happened, so nothing is logged
    before = {"assignee_id": ticket.assignee_id}
    ticket.assignee = assignee
    workflow.record_event(
        ticket, "assigned", actor=officer, before=before,
        after={"assignee_id": assignee.id if assignee else None}, data={"by": "bulk"},
    )  # fmt: skip


def _may_hold(assignee: Officer | None, ticket: Ticket) -> bool:
    if assignee is None or not assignee.active or assignee.agency_id != ticket.agency_id:
        return False
    member = db.session.scalar(
        db.select(officer_units.c.officer_id).where(
            officer_units.c.officer_id == assignee.id, officer_units.c.unit_id == ticket.unit_id
        )
    )
    return member is not None


def _note(officer: Officer, ticket: Ticket, text: str) -> None:
    message = Message(
        ticket_id=ticket.id, direction="note", channel="internal", author_id=officer.id,
        body=text.strip(),
    )  # fmt: skip
    db.session.add(message)
    db.session.flush()
    workflow.record_event(ticket, "note_added", actor=officer, data={"message_id": message.id})
