"""Asking for a one-time status code: the same answer and the same work for every reference.

The view only enqueues ``send_status_code`` (a constant Redis write) and shows one message,
so neither the page nor its timing says whether a reference exists or has contact details.
The job looks the ticket up and sends the code (``status_lookup.request_code``), within that
ticket's limits: 3 per 10 minutes and ``CODES_PER_DAY`` per day, so the page cannot be used
to flood a complainant with messages.
"""

from __future__ import annotations

import logging

from aduan.queues import DEFAULT, enqueue

log = logging.getLogger(__name__)

SEND_CODE_JOB = "workers.citizen_jobs.send_status_code"


def request(reference: str, agency_id: int | None = None) -> None:
    """Enqueue the look-up-and-send of a code for ``reference`` (whatever it is), among the
    references of agency ``agency_id`` when given (an agency's own status page)."""
    try:
        scope = () if agency_id is None else (agency_id,)
        enqueue(DEFAULT, SEND_CODE_JOB, (reference or "")[:40], *scope)
    except Exception as exc:  # Redis down: no code, and the page answers the same
        log.warning("code request not enqueued error=%s", type(exc).__name__)
