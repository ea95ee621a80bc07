"""Citizen-side periodic jobs: survey requests, closing after the objection window, and the
client-charter review reminder. Each calls a service and is safe to run twice."""

from __future__ import annotations

from aduan.services.citizen import charter, survey


def survey_sweep() -> dict:
    """Ask newly resolved tickets for a rating; close those whose 7-day window has ended."""
    return {"asked": survey.request_surveys(), "closed": survey.close_expired()}


def charter_review_reminder() -> int:
    """Remind admins of charters not reviewed for 12 months (once per admin per month)."""
    return charter.remind_review()
