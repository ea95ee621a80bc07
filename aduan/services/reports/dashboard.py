"""One dashboard: each scope's figures over the period and the one before it, assembled for
the page, the exports and the PDF alike."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select

from aduan.extensions import db
from aduan.models import Category, Officer, Unit
from aduan.models.base import utcnow
from aduan.services.reports import figures, live
from aduan.services.reports.scope import Period, Scope
from aduan.vocabulary import Complexity, TicketType, channel_term


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
    parts = []
    for scope in scopes:
        parts.append(
            Part(
                scope=scope,
                now=figures.compute(scope, period, now),
                before=figures.compute(scope, period.previous(), now) if compare else None,
                book=live.open_book(scope, now),
                workload=live.workload(scope, now) if detail else None,
                comments=live.comments(scope, period) if detail else [],
                names=names(scope.agency_id),
            )
        )
    return parts


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
