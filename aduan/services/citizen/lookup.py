"""Opening a ticket's status with a reference and an answer (or a one-time code), with the
guard against guessing: the status page and the API's citizen status call this one function."""

from __future__ import annotations

from dataclasses import dataclass

from aduan.models import Ticket
from aduan.services.citizen import answer_guard
from aduan.services.citizen import status as status_lookup


@dataclass
class Lookup:
    ticket: Ticket | None
    locked: bool = False  # too many wrong answers: only a one-time code opens it now


def open_status(
    reference: str, answer: str | None, code: str | None = None, agency_id: int | None = None
) -> Lookup:
    """The ticket when the answer or code unlocks ``reference`` (of ``agency_id`` only, when
    given: an agency's own status page or token); a wrong answer is counted."""
    if code:
        return Lookup(status_lookup.check_code(reference, code, agency_id))
    if answer_guard.is_locked(reference):
        return Lookup(None, locked=True)  # even the right answer
    ticket = status_lookup.verify(reference, answer or "", agency_id)
    return Lookup(ticket, locked=ticket is None and answer_guard.record_failure(reference))
