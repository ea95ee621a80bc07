"""The dashboard's latest survey comments, read through ``report_comments``: one row per
answered survey with a comment, filed under its ticket's agency and unit as they are now, so a
period's latest comments are the first entries of one agency's index, however many answers
the other agencies have.

Kept in the transaction that changes them (``note``, called by the rollups' flush hook: a
survey row written, an answer recorded, a ticket moved to another unit or agency) and rebuilt
with each day's rollups (``rebuild``), so the reconciler repairs them as it repairs the
counters.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from sqlalchemy import Connection, and_, delete, false, func, insert, or_, select

from aduan.extensions import db
from aduan.models import SurveyResponse, Ticket
from aduan.models.reports import ReportComment
from aduan.services.reports.scope import Period, Scope
from aduan.services.sla.clock import local_moment

SHOWN = 20
_COLUMNS = ("survey_response_id", "ticket_id", "agency_id", "unit_id", "responded_at")


def latest(scope: Scope, period: Period) -> list[tuple[str, int, str]]:
    """The latest survey comments of the period: (reference, rating, comment)."""
    query = (
        select(Ticket.reference, SurveyResponse.rating, SurveyResponse.comment)
        .select_from(ReportComment)
        .join(SurveyResponse, SurveyResponse.id == ReportComment.survey_response_id)
        .join(Ticket, Ticket.id == ReportComment.ticket_id)
        .where(
            ReportComment.agency_id == scope.agency_id,
            ReportComment.responded_at >= local_moment(period.start, dt.time.min),
            ReportComment.responded_at
            < local_moment(period.end + dt.timedelta(days=1), dt.time.min),
        )
        .order_by(ReportComment.responded_at.desc(), ReportComment.survey_response_id.desc())
        .limit(SHOWN)
    )
    if scope.unit_ids is not None:
        units = ReportComment.unit_id.in_(scope.unit_ids) if scope.unit_ids else false()
        query = query.where(units)
    return [tuple(row) for row in db.session.execute(query)]


def _source(*conditions):
    """The rows ``report_comments`` should hold, from the survey answers and their tickets."""
    return (
        select(
            SurveyResponse.id,
            Ticket.id,
            Ticket.agency_id,
            Ticket.unit_id,
            SurveyResponse.responded_at,
        )
        .join(Ticket, Ticket.id == SurveyResponse.ticket_id)
        .where(
            SurveyResponse.responded_at.is_not(None),
            func.length(SurveyResponse.comment) > 0,
            *conditions,
        )
    )


def note(connection: Connection, ticket_ids: Iterable[int]) -> None:
    """Refile the comments of these tickets from what the current transaction holds."""
    ids = sorted(set(ticket_ids))
    if not ids:
        return
    connection.execute(delete(ReportComment).where(ReportComment.ticket_id.in_(ids)))
    connection.execute(
        insert(ReportComment).from_select(_COLUMNS, _source(SurveyResponse.ticket_id.in_(ids)))
    )


def rebuild(agency_id: int, start: dt.datetime, end: dt.datetime) -> None:
    """Refile the comments answered in [start, end) on the agency's tickets (the caller
    commits)."""
    source = _source(
        Ticket.agency_id == agency_id,
        SurveyResponse.responded_at >= start,
        SurveyResponse.responded_at < end,
    )
    filed_here = and_(
        ReportComment.agency_id == agency_id,
        ReportComment.responded_at >= start,
        ReportComment.responded_at < end,
    )
    answers = select(source.subquery().c[0])
    db.session.execute(
        delete(ReportComment).where(or_(filed_here, ReportComment.survey_response_id.in_(answers)))
    )
    db.session.execute(insert(ReportComment).from_select(_COLUMNS, source))
