"""Citizen-side jobs: survey requests, closing after the objection window, the client-charter
review reminder, and one-time status codes. Each calls a service and is safe to run twice."""

from __future__ import annotations

from aduan.services.citizen import charter, survey
from aduan.services.citizen import status as status_lookup


def survey_sweep() -> dict:
    """Ask newly resolved tickets for a rating; close those whose 7-day window has ended."""
    return {"asked": survey.request_surveys(), "closed": survey.close_expired()}


def charter_review_reminder() -> int:
    """Remind admins of charters not reviewed for 12 months (once per admin per month)."""
    return charter.remind_review()


def send_status_code(reference: str, agency_id: int | None = None) -> None:
    """Send a one-time status code for ``reference`` (of agency ``agency_id``, when asked on
    that agency's status page) when it has a reachable complainant (within the ticket's
    limits); nothing otherwise."""
    status_lookup.request_code(reference, agency_id)
