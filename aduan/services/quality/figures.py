"""Service-quality figures for reports: per agency and period, per service point, and the
trend per month — counter ratings, mystery-shopping scores and actions, the latest study.

``quality_figures(agency_id, start, end)`` is what the reports dashboard and the monthly PDF
call (``start`` inclusive, ``end`` exclusive, local dates). Months are local-time months.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from aduan.extensions import db
from aduan.models.quality import Action, Exercise, Rating, ServicePoint, Study, Visit
from aduan.services import tenancy
from aduan.services.quality import checklists, study
from aduan.services.sla.clock import local_today, local_zone


@dataclass
class PointFigures:
    service_point_id: int
    name: str
    ratings: int
    mean_rating: float | None
    low_ratings: int
    visits: int
    visit_score: float | None  # mystery shopping, 0–100


@dataclass
class MonthFigures:
    month: dt.date  # the first day of the month
    ratings: int
    mean_rating: float | None
    satisfied: float | None  # percent of ratings at 4 or 5
    visits: int
    visit_score: float | None


@dataclass
class QualityFigures:
    agency_id: int
    start: dt.date
    end: dt.date
    ratings: int = 0
    mean_rating: float | None = None
    satisfied: float | None = None
    low_with_comment: int = 0
    tickets_from_ratings: int = 0
    visits: int = 0
    visit_score: float | None = None
    actions_open: int = 0
    actions_overdue: int = 0
    actions_done: int = 0
    study_year: int | None = None
    study_response_rate: float | None = None
    study_answered: int = 0
    by_point: list[PointFigures] = field(default_factory=list)
    trend: list[MonthFigures] = field(default_factory=list)


def _mean(values: list[float]) -> float | None:
    return round(sum(values) / len(values), 2) if values else None


def _percent(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def _bounds(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    zone = local_zone()
    return (dt.datetime.combine(start, dt.time(), zone), dt.datetime.combine(end, dt.time(), zone))


def _month(moment: dt.datetime) -> dt.date:
    return moment.astimezone(local_zone()).date().replace(day=1)


def months(start: dt.date, end: dt.date) -> list[dt.date]:
    """The first days of the months the period [start, end) touches."""
    out, month = [], start.replace(day=1)
    while month < end:
        out.append(month)
        month = (month + dt.timedelta(days=32)).replace(day=1)
    return out


def quality_figures(agency_id: int, start: dt.date, end: dt.date) -> QualityFigures:
    """The agency's service-quality figures for local dates [start, end)."""
    figures = QualityFigures(agency_id=agency_id, start=start, end=end)
    since, until = _bounds(start, end)
    points = {p.id: p for p in db.session.scalars(
        tenancy.scoped(db.select(ServicePoint), ServicePoint, agency_id))}  # fmt: skip
    ratings = list(db.session.execute(
        db.select(Rating.service_point_id, Rating.score, Rating.created_at, Rating.comment,
                  Rating.ticket_id)
        .where(Rating.service_point_id.in_(points), Rating.created_at >= since,
               Rating.created_at < until)
    ))  # fmt: skip
    visits = _scored_visits(agency_id, since, until)
    _totals(figures, ratings, visits, points)
    figures.by_point = _by_point(points, ratings, visits)
    figures.trend = _trend(start, end, ratings, visits)
    _actions(figures, agency_id)
    _study(figures, agency_id, start, end)
    return figures


def _scored_visits(agency_id: int, since, until) -> list[tuple[int, dt.datetime, float | None]]:
    query = (
        tenancy.scoped(db.select(Visit, Exercise), Visit, agency_id)
        .join(Exercise, Exercise.id == Visit.exercise_id)
        .where(Visit.visited_at >= since, Visit.visited_at < until)
    )
    out = []
    for visit, exercise in db.session.execute(query):
        scores = [checklists.score(i, visit.answers[i["key"]]) for i in exercise.checklist.items
                  if i["key"] in visit.answers]  # fmt: skip
        out.append((visit.service_point_id, visit.visited_at,
                    _mean([s for s in scores if s is not None])))  # fmt: skip
    return out


def _totals(figures: QualityFigures, ratings, visits, points) -> None:
    scores = [r.score for r in ratings]
    figures.ratings = len(scores)
    figures.mean_rating = _mean(scores)
    figures.satisfied = _percent(sum(1 for s in scores if s >= 4), len(scores))
    figures.low_with_comment = sum(
        1 for r in ratings if r.score <= points[r.service_point_id].low_rating and r.comment
    )
    figures.tickets_from_ratings = sum(1 for r in ratings if r.ticket_id is not None)
    figures.visits = len(visits)
    figures.visit_score = _mean([s for _p, _w, s in visits if s is not None])


def _by_point(points, ratings, visits) -> list[PointFigures]:
    scores, low, visit_scores = defaultdict(list), defaultdict(int), defaultdict(list)
    for r in ratings:
        scores[r.service_point_id].append(r.score)
        low[r.service_point_id] += r.score <= points[r.service_point_id].low_rating
    for point_id, _when, score in visits:
        visit_scores[point_id].append(score)
    return [
        PointFigures(p.id, p.name, len(scores[p.id]), _mean(scores[p.id]), low[p.id],
                     len(visit_scores[p.id]),
                     _mean([s for s in visit_scores[p.id] if s is not None]))
        for p in sorted(points.values(), key=lambda p: p.name)
    ]  # fmt: skip


def _trend(start, end, ratings, visits) -> list[MonthFigures]:
    scores, visit_scores = defaultdict(list), defaultdict(list)
    for r in ratings:
        scores[_month(r.created_at)].append(r.score)
    for _point, when, score in visits:
        visit_scores[_month(when)].append(score)
    return [
        MonthFigures(month, len(scores[month]), _mean(scores[month]),
                     _percent(sum(1 for s in scores[month] if s >= 4), len(scores[month])),
                     len(visit_scores[month]),
                     _mean([s for s in visit_scores[month] if s is not None]))
        for month in months(start, end)
    ]  # fmt: skip


def _actions(figures: QualityFigures, agency_id: int) -> None:
    rows = db.session.scalars(tenancy.scoped(db.select(Action), Action, agency_id)).all()
    today = local_today()
    figures.actions_done = sum(1 for a in rows if a.done_at is not None)
    figures.actions_open = sum(1 for a in rows if a.done_at is None)
    figures.actions_overdue = sum(1 for a in rows if a.done_at is None and a.due_on < today)


def _study(figures: QualityFigures, agency_id: int, start: dt.date, end: dt.date) -> None:
    """The latest study sent within the period, if any."""
    since, until = _bounds(start, end)
    query = tenancy.scoped(db.select(Study), Study, agency_id).where(
        Study.sent_at >= since, Study.sent_at < until
    )
    latest = db.session.scalar(query.order_by(Study.sent_at.desc()).limit(1))
    if latest is not None:
        result = study.results(latest)
        figures.study_year, figures.study_response_rate = latest.year, result.rate
        figures.study_answered = result.answered
