"""One dashboard: each scope's figures over the period and the one before it, assembled for
the page, the exports and the PDF alike — the complaint figures and, for a whole agency, its
service-quality figures (``aduan.services.quality.figures``) beside them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select

from aduan.extensions import db
from aduan.models import Category, Officer, Unit
from aduan.models.base import utcnow
from aduan.services.quality.figures import MonthFigures, QualityFigures, quality_figures_many
from aduan.services.reports import comments, figures, live
from aduan.services.reports.scope import Period, Scope
from aduan.vocabulary import Complexity, TicketType, channel_term

TREND_MONTHS = 12


@dataclass
class Quality:
    """An agency's service-quality figures: the period, the one before it (None when not
    compared), and the trend per month over the twelve months to the period's end (or the
    period's own months when it is longer)."""

    now: QualityFigures
    before: QualityFigures | None
    trend: list[MonthFigures]


@dataclass
class Part:
    """One scope's figures (one agency, or a supervisor's units of it)."""

    scope: Scope
    now: figures.Figures
    before: figures.Figures | None
    book: dict
    workload: dict | None
    comments: list
    names: dict[str, dict]
    quality: Quality | None = None


def build(
    scopes: list[Scope],
    period: Period,
    *,
    compare: bool = True,
    detail: bool = True,
    now: dt.datetime | None = None,
) -> list[Part]:
    """Every scope's part; ``detail`` False leaves out the workload and comments (the
    platform administrator's side-by-side view)."""
    now = now or utcnow()
    quality = qualities(scopes, period, compare=compare)
    parts = []
    for scope in scopes:
        book, workload = live.book_and_workload(scope, now, detail=detail)
        parts.append(
            Part(
                scope=scope,
                now=figures.compute(scope, period, now),
                before=figures.compute(scope, period.previous(), now) if compare else None,
                book=book,
                workload=workload,
                comments=comments.latest(scope, period) if detail else [],
                names=names(scope.agency_id),
                quality=quality.get(scope.agency_id) if scope.unit_ids is None else None,
            )
        )
    return parts


def qualities(scopes: list[Scope], period: Period, *, compare: bool = True) -> dict[int, Quality]:
    """The service-quality figures of each whole-agency scope, by agency, read for all of
    them at once. A supervisor's units have none: service points, visits, actions and
    studies belong to the agency, not to a unit (and the quality pages are the complaint
    managers' and admins'), so a unit scope has no share of them to show."""
    agency_ids = [s.agency_id for s in scopes if s.unit_ids is None]
    if not agency_ids:
        return {}
    end = period.end + dt.timedelta(days=1)  # quality figures take an exclusive end
    windows = [(period.start, end), (trend_start(period), end)]
    if compare:
        windows.append((period.previous().start, period.start))
    found = quality_figures_many(agency_ids, windows)
    return {
        agency_id: Quality(now=now, before=before[0] if before else None, trend=trend.trend)
        for agency_id, (now, trend, *before) in found.items()
    }


def trend_start(period: Period) -> dt.date:
    """The first day of the trend: TREND_MONTHS months to the period's last, or the period's
    first month if that is earlier."""
    index = period.end.year * 12 + period.end.month - 1 - (TREND_MONTHS - 1)
    first = dt.date(index // 12, index % 12 + 1, 1)
    return min(first, period.start.replace(day=1))


def names(agency_id: int) -> dict[str, dict]:
    """Display names of the agency's units, officers and categories, by id."""
    units = db.session.execute(select(Unit.id, Unit.name).where(Unit.agency_id == agency_id))
    officers = db.session.execute(
        select(Officer.id, Officer.name).where(Officer.agency_id == agency_id)
    )
    categories = db.session.scalars(select(Category).where(Category.agency_id == agency_id))
    return {
        "unit": dict(units.all()),
        "officer": dict(officers.all()),
        "category": {c.id: c for c in categories},
    }


def label(part: Part, breakdown: str, value, locale: str = "ms") -> str:
    """The name a breakdown's key is shown by, in the reader's language."""
    if value is None or value == "":
        return "—"
    if breakdown in ("unit", "officer"):
        return str(part.names[breakdown].get(value, f"#{value}"))
    if breakdown == "category":
        category = part.names["category"].get(value)
        return category.name(locale) if category else f"#{value}"
    enum = {"type": TicketType, "complexity": Complexity}.get(breakdown)
    if enum is not None:
        try:
            return enum(value).label(locale)
        except ValueError:
            return str(value)
    if breakdown == "channel":
        try:
            return channel_term(value).label(locale)
        except (KeyError, ValueError):
            return str(value)
    return str(value)
