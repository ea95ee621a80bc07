"""The dashboard's figures over a period, read from the rollups (``rollups``) plus, for what
depends on now, the open tickets (``live``). One ``Scope`` at a time: the platform
administrator's side-by-side view calls this once per agency.

Charter compliance of a promise (acknowledge, first response, resolve) over tickets received
in the period, merged ones excluded: *met* when done by the deadline; *judged* when done, when
the ticket is no longer open (never done: a miss), or when it is open past the deadline now.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import func, literal, null, select, tuple_, type_coerce, union_all

from aduan.extensions import db
from aduan.models.reports import COUNTERS, ReportRollup
from aduan.services.reports import live
from aduan.services.reports.scope import Period, Scope

BREAKDOWNS = {  # name → the rollup column it groups by
    "unit": "unit_id",
    "officer": "assignee_id",
    "category": "category_id",
    "channel": "channel",
    "state": "state_code",
    "type": "ticket_type",
    "complexity": "complexity",
}
GROUPS = {**BREAKDOWNS, "day": "day"}  # what one pass groups by: the breakdowns, the days
PROMISES = ("ack", "first", "resolve")


@dataclass
class Share:
    met: int = 0
    judged: int = 0

    @property
    def percent(self) -> float | None:
        return round(100.0 * self.met / self.judged, 1) if self.judged else None


@dataclass
class Figures:
    """Everything the dashboard shows for one scope and one period."""

    totals: dict[str, int]
    compliance: dict[str, Share]
    by: dict[str, dict[object, dict]] = field(default_factory=dict)
    series: list[tuple[dt.date, dict[str, int]]] = field(default_factory=list)

    @property
    def average_rating(self) -> float | None:
        responses = self.totals["responses"]
        return round(self.totals["rating_sum"] / responses, 2) if responses else None

    @property
    def response_rate(self) -> float | None:
        asked = self.totals["surveys"]
        return round(100.0 * self.totals["responses"] / asked, 1) if asked else None


def _in_scope(scope: Scope, period: Period) -> list:
    conditions = [
        ReportRollup.agency_id == scope.agency_id,
        ReportRollup.day >= period.start,
        ReportRollup.day <= period.end,
    ]
    if scope.unit_ids is not None:
        conditions.append(ReportRollup.unit_id.in_(scope.unit_ids or (-1,)))
    return conditions


def _sums(names=COUNTERS) -> list:
    return [func.coalesce(func.sum(getattr(ReportRollup, n)), 0).label(n) for n in names]


def totals(scope: Scope, period: Period) -> dict[str, int]:
    """Every counter summed over the period and the scope."""
    row = db.session.execute(select(*_sums()).where(*_in_scope(scope, period))).one()
    return {name: int(value) for name, value in zip(COUNTERS, row, strict=True)}


def _sets(scope: Scope, period: Period):
    """One statement for the totals and every breakdown's and the day's groups, each row
    tagged as PostgreSQL's ``grouping()`` tags it (a bit set for each key not grouped on):
    GROUPING SETS, one pass over the period's rows; elsewhere (SQLite) the same sets as one
    UNION ALL."""
    keys = [getattr(ReportRollup, column) for column in GROUPS.values()]
    where = _in_scope(scope, period)
    if db.session.get_bind().dialect.name == "postgresql":
        sets = func.grouping_sets(tuple_(), *(tuple_(key) for key in keys))
        return select(func.grouping(*keys), *keys, *_sums()).where(*where).group_by(sets)
    # Typed NULLs: a UNION's columns take their types from its first SELECT, where every key
    # is NULL; untyped, SQLite's days came back as text.
    nulls = [type_coerce(null(), key.type) for key in keys]
    parts = [select(literal(_mask(None)), *nulls, *_sums()).where(*where)]
    for index, key in enumerate(keys):
        only = [key if i == index else nulls[i] for i in range(len(keys))]
        parts.append(select(literal(_mask(index)), *only, *_sums()).where(*where).group_by(key))
    return union_all(*parts)


def _mask(index: int | None) -> int:
    """The ``grouping()`` tag of the set grouped on the ``index``-th key (None: no key)."""
    every = (1 << len(GROUPS)) - 1
    return every if index is None else every ^ (1 << (len(GROUPS) - 1 - index))


def _grouped_all(scope: Scope, period: Period) -> tuple[dict[str, int], dict[str, dict]]:
    """Every counter summed over the period and scope, and per value of each breakdown's
    column and of ``day``."""
    names = {_mask(i): name for i, name in enumerate(GROUPS)}
    totals = dict.fromkeys(COUNTERS, 0)
    groups: dict[str, dict] = {name: {} for name in GROUPS}
    width = len(GROUPS)
    for row in db.session.execute(_sets(scope, period)):
        counts = {n: int(v) for n, v in zip(COUNTERS, row[1 + width :], strict=True)}
        name = names.get(row[0])
        if name is None:
            totals = counts
        else:
            groups[name][row[1 + list(GROUPS).index(name)]] = counts
    return totals, groups


def compute(scope: Scope, period: Period, now: dt.datetime) -> Figures:
    """The figures of ``scope`` over ``period``; open-and-late tickets judged as of ``now``."""
    totals, groups = _grouped_all(scope, period)
    figures = Figures(totals=totals, compliance={})
    pending = live.pending(scope, period, now)
    figures.compliance = _shares(figures.totals, pending.get(None, {}))
    for name, column in BREAKDOWNS.items():
        rows = groups[name]
        late = pending.get(column, {})
        for value in set(late) - set(rows):
            rows[value] = dict.fromkeys(COUNTERS, 0)
        for value, counts in rows.items():
            counts["shares"] = _shares(counts, late.get(value, {}))
        figures.by[name] = rows
    figures.series = sorted(groups["day"].items())
    return figures


def _shares(counts: dict[str, int], late: dict[str, int]) -> dict[str, Share]:
    return {p: Share(counts[f"{p}_met"], counts[f"{p}_judged"] + late.get(p, 0)) for p in PROMISES}


def bucketed(series: list[tuple[dt.date, dict[str, int]]], period: Period) -> tuple[str, list]:
    """The daily series per day, ISO week or month, whichever keeps the chart readable."""
    size = "day" if period.days <= 31 else "week" if period.days <= 190 else "month"
    buckets: dict[dt.date, dict[str, int]] = {}
    for day, counts in series:
        if size == "week":
            day = day - dt.timedelta(days=day.weekday())
        elif size == "month":
            day = day.replace(day=1)
        target = buckets.setdefault(day, dict.fromkeys(COUNTERS, 0))
        for name in COUNTERS:
            target[name] += counts[name]
    return size, sorted(buckets.items())


@dataclass
class OfficerMonth:
    """An officer's own figures this month: tickets handled (resolved while theirs), the
    share resolved within time, and the average rating of the answers on their tickets."""

    handled: int
    on_time: Share
    average_rating: float | None


def officer_month(officer, today: dt.date) -> OfficerMonth:
    """The officer's figures for the month of ``today``, from the rollups (their tickets as
    assigned now)."""
    names = ("resolved", "resolve_met", "resolve_judged", "responses", "rating_sum")
    row = db.session.execute(
        select(*_sums(names)).where(
            ReportRollup.agency_id == officer.agency_id,
            ReportRollup.day >= today.replace(day=1),
            ReportRollup.day <= today,
            ReportRollup.assignee_id == officer.id,
        )
    ).one()
    resolved, met, judged, responses, rating_sum = (int(v) for v in row)
    average = round(rating_sum / responses, 2) if responses else None
    return OfficerMonth(resolved, Share(met, judged), average)
