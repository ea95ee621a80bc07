"""Service-quality figures for reports: per agency and period, per service point, and the
trend per month — counter ratings, mystery-shopping scores and actions, the latest study.

``quality_figures(agency_id, start, end)`` gives one agency's figures for one period (``start``
inclusive, ``end`` exclusive, local dates); the reports dashboard and the monthly PDF call
``quality_figures_many``, which reads each table once for several agencies and periods.
Months are local-time months.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import or_

from aduan.extensions import db
from aduan.models.quality import (
    Action,
    Checklist,
    Exercise,
    Rating,
    ServicePoint,
    Study,
    Visit,
)
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
    return quality_figures_many([agency_id], [(start, end)])[agency_id][0]


def quality_figures_many(
    agency_ids: list[int], windows: list[tuple[dt.date, dt.date]]
) -> dict[int, list[QualityFigures]]:
    """``quality_figures`` of every agency for every window [start, end), in the windows'
    order: each table is read once for all of them, over the windows' whole span (the
    dashboard's period, the one before and the trend, for every agency side by side)."""
    since, until = _bounds(min(w[0] for w in windows), max(w[1] for w in windows))
    mine = or_(*(tenancy.condition(Checklist, a) for a in agency_ids))
    points = {p.id: p for p in db.session.scalars(db.select(ServicePoint).where(
        or_(*(tenancy.condition(ServicePoint, a) for a in agency_ids))))}  # fmt: skip
    ratings = list(db.session.execute(
        db.select(Rating.service_point_id, Rating.score, Rating.created_at, Rating.comment,
                  Rating.ticket_id)
        .where(Rating.service_point_id.in_(points), Rating.created_at >= since,
               Rating.created_at < until)
    ))  # fmt: skip
    visits = _scored_visits(mine, since, until)
    actions = db.session.execute(_of_checklists(db.select(Action), Action, mine)).all()
    studies = db.session.execute(
        _of_checklists(db.select(Study), Study, mine, joined=False)
        .where(Study.sent_at >= since, Study.sent_at < until)
        .order_by(Study.sent_at.desc())
    ).all()
    answers = study.response_counts([s.id for s, _agency in studies]) if studies else {}
    out: dict[int, list[QualityFigures]] = {}
    for agency_id in agency_ids:
        own = {i: p for i, p in points.items() if p.agency_id == agency_id}
        out[agency_id] = [
            _window(agency_id, start, end, own, ratings, visits, actions, studies, answers)
            for start, end in windows
        ]
    return out


def _of_checklists(query, model, mine, *, joined: bool = True):
    """``query`` on ``model`` (an action: through its exercise; a study: directly) joined to
    the checklist that names its agency, kept to the agencies asked for (``mine``)."""
    query = query.add_columns(Checklist.agency_id)
    if joined:
        query = query.join(Exercise, Exercise.id == model.exercise_id)
        return query.join(Checklist, Checklist.id == Exercise.checklist_id).where(mine)
    return query.join(Checklist, Checklist.id == model.checklist_id).where(mine)


def _window(agency_id, start, end, points, ratings, visits, actions, studies, answers):
    since, until = _bounds(start, end)
    ratings = [r for r in ratings if r.service_point_id in points and since <= r.created_at < until]
    visits = [(p, w, s) for a, p, w, s in visits if a == agency_id and since <= w < until]
    figures = QualityFigures(agency_id=agency_id, start=start, end=end)
    _totals(figures, ratings, visits, points)
    figures.by_point = _by_point(points, ratings, visits)
    figures.trend = _trend(start, end, ratings, visits)
    _actions(figures, [a for a, owner in actions if owner == agency_id])
    latest = next(
        (s for s, owner in studies if owner == agency_id and since <= s.sent_at < until), None
    )
    if latest is not None:  # the latest study sent within the window
        sent, answered = answers.get(latest.id, (0, 0))
        figures.study_year, figures.study_answered = latest.year, answered
        figures.study_response_rate = study.response_rate(sent, answered)
    return figures


def _scored_visits(mine, since, until) -> list[tuple[int, int, dt.datetime, float | None]]:
    """(agency, service point, when, score) of the visits in [since, until)."""
    query = (
        db.select(Visit, Exercise, Checklist.agency_id)
        .join(Exercise, Exercise.id == Visit.exercise_id)
        .join(Checklist, Checklist.id == Exercise.checklist_id)
        .where(mine, Visit.visited_at >= since, Visit.visited_at < until)
    )
    out = []
    for visit, exercise, agency_id in db.session.execute(query):
        scores = [checklists.score(i, visit.answers[i["key"]]) for i in exercise.checklist.items
                  if i["key"] in visit.answers]  # fmt: skip
        out.append((agency_id, visit.service_point_id, visit.visited_at,
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


def _actions(figures: QualityFigures, rows: list[Action]) -> None:
    today = local_today()
    figures.actions_done = sum(1 for a in rows if a.done_at is not None)
    figures.actions_open = sum(1 for a in rows if a.done_at is None)
    figures.actions_overdue = sum(1 for a in rows if a.done_at is None and a.due_on < today)
