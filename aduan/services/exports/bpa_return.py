"""The monthly return to the Public Complaints Bureau (BPA): for one agency and one month
(local calendar), the complaints (type Aduan; merged duplicates left out) per BPA category —
received, resolved within time, resolved late, outstanding at the month's end, and those
received that month by their status now. The layout is documented in docs/exports.md.

A category whose code is not one of the BPA's (``BPA-01`` … ``BPA-10``), and a complaint with
no category, count under BPA-10 *Pelbagai* (miscellaneous): the return has only BPA's rows.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, case, func, or_, select

from aduan.errors import ValidationFailed
from aduan.extensions import db
from aduan.models import Agency, Category, Officer, Ticket
from aduan.models.exports import Export
from aduan.services.exports.rows import Rows
from aduan.services.sla.clock import local_moment
from aduan.vocabulary import BPA_CATEGORIES, TicketStatus, TicketType

MISC = "BPA-10"
BPA_CODES = [code for code, _ms, _en in BPA_CATEGORIES]
COUNTS = ("received", "resolved_on_time", "resolved_late", "outstanding")
BAD_MONTH = _l("Choose a month (YYYY-MM) that has begun.")


@dataclass(frozen=True)
class Month:
    """A calendar month in the agency-local time zone: [start, end)."""

    year: int
    month: int

    @property
    def start(self) -> dt.datetime:
        return local_moment(dt.date(self.year, self.month, 1), dt.time.min)

    @property
    def end(self) -> dt.datetime:
        following = dt.date(self.year + self.month // 12, self.month % 12 + 1, 1)
        return local_moment(following, dt.time.min)

    def label(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"


def parse_month(raw: str | None, today: dt.date) -> Month:
    """``YYYY-MM`` of a month that has begun (not before 2000); ``ValidationFailed`` else."""
    try:
        year, month = (int(part) for part in str(raw or "").strip().split("-"))
        chosen = Month(year, month)
        chosen.start  # noqa: B018 (a month number out of range raises here)
    except (ValueError, TypeError):
        chosen = None
    if chosen is None or year < 2000 or (year, month) > (today.year, today.month):
        raise ValidationFailed(BAD_MONTH, errors={"month": [str(BAD_MONTH)]})
    return chosen


def _bpa_code():
    """The ticket's BPA code: its category's, when that is one of BPA's, else BPA-10."""
    return case((Category.code.in_(BPA_CODES), Category.code), else_=MISC)


def figures(agency_id: int, month: Month) -> dict[str, dict[str, int]]:
    """Per BPA code: the four counts (``COUNTS``) and one count per status value."""
    start, end = month.start, month.end
    received = and_(Ticket.received_at >= start, Ticket.received_at < end)
    resolved = and_(Ticket.resolved_at >= start, Ticket.resolved_at < end)
    on_time = or_(Ticket.resolve_due_at.is_(None), Ticket.resolved_at <= Ticket.resolve_due_at)
    outstanding = and_(
        Ticket.received_at < end,
        or_(Ticket.resolved_at.is_(None), Ticket.resolved_at >= end),
        or_(Ticket.closed_at.is_(None), Ticket.closed_at >= end),
    )
    count = lambda condition: func.sum(case((condition, 1), else_=0))  # noqa: E731
    statuses = TicketStatus.values()
    code = _bpa_code().label("code")
    query = (
        select(
            code,
            count(received),
            count(and_(resolved, on_time)),
            count(and_(resolved, ~on_time)),
            count(outstanding),
            *(count(and_(received, Ticket.status == s)) for s in statuses),
        )
        .select_from(Ticket)
        .outerjoin(Category, Category.id == Ticket.category_id)
        .where(
            Ticket.agency_id == agency_id,
            Ticket.type == TicketType.COMPLAINT.value,
            Ticket.merged_into_id.is_(None),
        )
        .group_by(code)
    )
    result = {c: dict.fromkeys([*COUNTS, *statuses], 0) for c in BPA_CODES}
    for row in db.session.execute(query):
        values = [int(v or 0) for v in row[1:]]
        result[row[0]].update(zip([*COUNTS, *statuses], values, strict=True))
    return result


def table(agency_id: int, month: Month, lang: str) -> tuple[list[str], list[list[Any]]]:
    """The return's header and rows (one per BPA category, then the totals)."""
    statuses = list(TicketStatus)
    header = [_("BPA code"), _("BPA category"), _("Received"), _("Resolved within time"),
              _("Resolved late"), _("Outstanding at month end"),
              *(_("Received, now %(status)s", status=s.label(lang)) for s in statuses)]  # fmt: skip
    data = figures(agency_id, month)
    keys = [*COUNTS, *(s.value for s in statuses)]
    rows = []
    for code, name_ms, name_en in BPA_CATEGORIES:
        name = name_en if lang == "en" else name_ms
        rows.append([code, name, *(data[code][k] for k in keys)])
    totals = [sum(data[code][k] for code in BPA_CODES) for k in keys]
    rows.append(["", _("Total"), *totals])
    return header, rows


def rows(export: Export, officer: Officer) -> Rows:
    """The return of ``export.agency_id`` for ``export.params['month']`` as export rows."""
    year, month = (int(p) for p in export.params["month"].split("-"))
    chosen = Month(year, month)
    lang = export.params.get("lang") or "ms"
    agency = db.session.get(Agency, export.agency_id)
    header, body = table(export.agency_id, chosen, lang)
    preamble = [
        [_("Monthly return to the Public Complaints Bureau (BPA)")],
        [_("Agency"), f"{agency.code} {agency.name}"],
        [_("Month"), chosen.label()],
        [],
    ]
    stem = f"bpa-return-{agency.code}-{chosen.label()}"
    return Rows(_("BPA return"), stem, header, len(body), [body], preamble)
