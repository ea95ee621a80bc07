"""The audit and access logs as admins read them: who (by name), what (a phrase in the
reader's language), which fields changed (``field: old → new``, secrets masked), when (local
time) — filtered by who, what, from/to date and ticket, a page at a time, and as export rows.

Two logs: ``settings`` (``AdminAuditLog``: admin changes, referrals) and ``access``
(``TicketAccessLog``: who opened or acted on which ticket). An agency admin reads their own
agency's; a platform administrator every agency's (optionally one).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, or_, select

from aduan.errors import ValidationFailed
from aduan.extensions import db
from aduan.models import Agency, Officer, Ticket
from aduan.models.access import TicketAccessLog
from aduan.models.admin import AdminAuditLog
from aduan.models.api import ApiToken
from aduan.models.exports import Export
from aduan.services.exports.rows import Rows
from aduan.services.sla.clock import local_moment, local_zone
from aduan.services.tickets import references

LOGS = ("settings", "access")
OVERSEERS = ("supervisor", "complaint_manager", "admin")
PAGE_SIZE = 50
BATCH = 1000
MASK = "••••••"
SECRET_KEY = re.compile(r"secret|token|password|hash|auth|api_key|private", re.IGNORECASE)
BAD_DATE = _l("Enter a date as YYYY-MM-DD.")
NO_TICKET = _l("No ticket has that reference.")

ENTITIES = {
    "agency": _l("agency settings"), "unit": _l("unit"), "officer": _l("officer"),
    "category": _l("category"), "sla_profile": _l("SLA profile"),
    "routing_rule": _l("routing rule"), "roster_pattern": _l("duty roster"),
    "roster_exception": _l("roster leave or swap"), "holiday": _l("office closure"),
    "national_holiday": _l("national holiday"), "canned_response": _l("canned response"),
    "channel_account": _l("channel account"), "webhook": _l("event webhook"),
    "api_token": _l("API token"), "inbound_event": _l("quarantined message"),
    "ticket": _l("ticket"),
}  # fmt: skip
ACTIONS = {
    "create": _l("Created"), "update": _l("Changed"), "delete": _l("Deleted"),
    "revoke": _l("Revoked"), "retry": _l("Released for another try"),
    "enable": _l("Enabled"), "disable": _l("Disabled"),
    "referred_out": _l("Referred to another agency"),
    "referred_in": _l("Received by referral"),
    "referred_outside": _l("Referred outside this system"),
}  # fmt: skip
WHOLE_PHRASES = ("referred_out", "referred_in", "referred_outside")
ACCESS_ACTIONS = {
    "view": _l("Opened the ticket"), "view_referred": _l("Opened the referred ticket's record"),
    "download": _l("Downloaded an attachment"), "reply": _l("Replied"),
    "note": _l("Added a note"), "assign": _l("Assigned"), "transfer": _l("Transferred"),
    "status": _l("Changed the status"), "classify": _l("Classified"),
    "extend": _l("Extended"), "merge": _l("Merged"), "unmerge": _l("Unmerged"),
    "refer": _l("Referred to another agency"), "refer_outside": _l("Referred outside"),
}  # fmt: skip


@dataclass
class Filters:
    """What the admin narrowed a log to; None does not filter."""

    log: str = "settings"
    agency_id: int | None = None  # platform administrators only
    actor_id: int | None = None
    what: str | None = None
    day_from: dt.date | None = None
    day_to: dt.date | None = None
    ticket_id: int | None = None
    reference: str = ""


@dataclass
class Entry:
    """One line of a log as shown."""

    id: int
    at: dt.datetime
    agency: str
    who: str
    what: str
    ticket: str
    changes: list[str]


def _date(form: Mapping, name: str, errors: dict) -> dt.date | None:
    raw = str(form.get(name) or "").strip()
    try:
        return dt.date.fromisoformat(raw) if raw else None
    except ValueError:
        errors[name] = [str(BAD_DATE)]
        return None


def _int(raw: Any) -> int | None:
    raw = str(raw or "").strip()
    return int(raw) if raw.isdigit() and len(raw) < 18 else None


def parse_filters(reader: Officer, form: Mapping) -> Filters:
    """Filters from a query string; a bad date or an unknown ticket is a ``ValidationFailed``
    with the field's error (the page shows the log unfiltered beside it)."""
    errors: dict[str, list[str]] = {}
    log = form.get("log") if form.get("log") in LOGS else "settings"
    known = ACCESS_ACTIONS if log == "access" else ENTITIES
    filters = Filters(
        log=log,
        agency_id=_int(form.get("agency")) if reader.platform_admin else reader.agency_id,
        actor_id=_int(form.get("who")),
        what=form.get("what") if form.get("what") in known else None,
        day_from=_date(form, "from", errors),
        day_to=_date(form, "to", errors),
        reference=str(form.get("ticket") or "").strip()[:40],
    )
    if filters.reference:
        filters.ticket_id = _ticket_id(filters.reference, filters.agency_id)
        if filters.ticket_id is None:
            errors["ticket"] = [str(NO_TICKET)]
    if errors:
        raise ValidationFailed("bad filters", errors=errors)
    return filters


def _ticket_id(reference: str, agency_id: int | None) -> int | None:
    """The id of the ticket with ``reference`` — of the reader's agency only, so that another
    agency's reference reads as unknown, as it does everywhere else."""
    canonical = references.normalise_reference(reference) or reference.upper()
    query = select(Ticket.id).where(Ticket.reference == canonical)
    if agency_id is not None:
        query = query.where(Ticket.agency_id == agency_id)
    return db.session.scalar(query)


def _access_scope(agency_id: int):
    """Access lines of the agency's own officers and API tokens (a ticket referred away keeps
    its lines with the agency whose people opened it, and takes none of them along)."""
    return or_(
        TicketAccessLog.officer_id.in_(select(Officer.id).where(Officer.agency_id == agency_id)),
        TicketAccessLog.api_token_id.in_(
            select(ApiToken.id).where(ApiToken.agency_id == agency_id)
        ),
    )


def _query(filters: Filters) -> Select:
    model = TicketAccessLog if filters.log == "access" else AdminAuditLog
    query = select(model)
    if filters.log == "access":
        if filters.agency_id is not None:
            query = query.where(_access_scope(filters.agency_id))
        if filters.what:
            query = query.where(model.action == filters.what)
        if filters.ticket_id:
            query = query.where(model.ticket_id == filters.ticket_id)
    else:
        if filters.agency_id is not None:
            query = query.where(model.agency_id == filters.agency_id)
        if filters.what:
            query = query.where(model.entity == filters.what)
        if filters.ticket_id:
            query = query.where(model.entity == "ticket", model.entity_id == filters.ticket_id)
    actor = model.officer_id if filters.log == "access" else model.actor_id
    if filters.actor_id:
        query = query.where(actor == filters.actor_id)
    if filters.day_from:
        query = query.where(model.created_at >= local_moment(filters.day_from, dt.time.min))
    if filters.day_to:
        end = local_moment(filters.day_to + dt.timedelta(days=1), dt.time.min)
        query = query.where(model.created_at < end)
    return query.order_by(model.id.desc())


def page(filters: Filters, before: int | None = None) -> tuple[list[Entry], int | None]:
    """One page of the log, newest first, continuing below id ``before``; and the id to
    continue from (None on the last page)."""
    query = _query(filters)
    model = TicketAccessLog if filters.log == "access" else AdminAuditLog
    if before:
        query = query.where(model.id < before)
    rows = list(db.session.scalars(query.limit(PAGE_SIZE + 1)))
    more = len(rows) > PAGE_SIZE
    entries = _entries(rows[:PAGE_SIZE], filters.log)
    return entries, (entries[-1].id if more and entries else None)


def _entries(rows: list, log: str) -> list[Entry]:
    access = log == "access"
    people = _officers({r.officer_id if access else r.actor_id for r in rows})
    tickets = _tickets({r.ticket_id if access else _ticket_of(r) for r in rows})
    agencies = _agency_names({r.agency_id for r in rows} if not access else
                             {agency for _name, agency in people.values()})  # fmt: skip
    out = []
    for r in rows:
        actor_id = r.officer_id if access else r.actor_id
        name, agency_id = people.get(actor_id, (None, None))
        if access:
            who = name or (_("API token") if r.api_token_id else "—")
            what = str(ACCESS_ACTIONS.get(r.action, r.action))
            ticket, changes = tickets.get(r.ticket_id, ""), []
        else:
            who = name or _("The system")
            what = describe(r.entity, r.action, r.before, r.after)
            ticket, changes = tickets.get(_ticket_of(r), ""), changed_fields(r.before, r.after)
            agency_id = r.agency_id
        agency = agencies.get(agency_id, "")
        out.append(Entry(r.id, r.created_at, agency, who, what, ticket, changes))
    return out


def _ticket_of(row: AdminAuditLog) -> int | None:
    return row.entity_id if row.entity == "ticket" else None


def _officers(ids: set) -> dict[int, tuple[str, int]]:
    ids = {i for i in ids if i}
    if not ids:
        return {}
    query = select(Officer.id, Officer.name, Officer.agency_id).where(Officer.id.in_(ids))
    return {row.id: (row.name, row.agency_id) for row in db.session.execute(query)}


def _agency_names(ids: set) -> dict[int, str]:
    ids = {i for i in ids if i}
    if not ids:
        return {}
    query = select(Agency.id, Agency.name).where(Agency.id.in_(ids))
    return dict(db.session.execute(query).tuples().all())


def _tickets(ids: set) -> dict[int, str]:
    ids = {i for i in ids if i}
    if not ids:
        return {}
    query = select(Ticket.id, Ticket.reference).where(Ticket.id.in_(ids))
    return dict(db.session.execute(query).tuples().all())


def opened_by(ticket: Ticket, viewer: Officer, limit: int = 20) -> list[Entry] | None:
    """Who of the viewer's agency opened or acted on ``ticket``, latest first — for the
    supervisors, complaint managers and admins on the ticket page; None for anyone else."""
    if not any(viewer.has_role(r) for r in OVERSEERS):
        return None
    query = (
        select(TicketAccessLog)
        .where(TicketAccessLog.ticket_id == ticket.id, _access_scope(viewer.agency_id))
        .order_by(TicketAccessLog.id.desc())
        .limit(limit)
    )
    return _entries(list(db.session.scalars(query)), "access")


def describe(entity: str, action: str, before: dict | None, after: dict | None) -> str:
    """``Changed unit “Ibu Pejabat”``: the action, the thing, its name when it has one."""
    if action in WHOLE_PHRASES:  # "Referred to another agency": the ticket is in its column
        return str(ACTIONS[action])
    phrase = _(
        "%(action)s %(entity)s",
        action=str(ACTIONS.get(action, action)),
        entity=str(ENTITIES.get(entity, entity.replace("_", " "))),
    )
    values = after or before or {}
    name = values.get("name") or values.get("title")
    return f"{phrase} “{name}”" if isinstance(name, str) and name else phrase


def _shown(key: str, value: Any) -> str:
    if value is None or value == "":
        return "—"
    if SECRET_KEY.search(key) and key != "account_key":
        return MASK
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value) or "—"
    return str(value)


def changed_fields(before: dict | None, after: dict | None) -> list[str]:
    """``field: old → new`` for each field that differs (one side only when created or
    deleted); secret values masked."""
    before, after = before or {}, after or {}
    lines = []
    for key in sorted(set(before) | set(after)):
        old, new = before.get(key), after.get(key)
        if key in before and key in after and old == new:
            continue
        label = key.replace("_", " ")
        if key not in before:
            lines.append(f"{label}: {_shown(key, new)}")
        elif key not in after:
            lines.append(f"{label}: {_shown(key, old)} → —")
        else:
            lines.append(f"{label}: {_shown(key, old)} → {_shown(key, new)}")
    return lines


def local(moment: dt.datetime) -> dt.datetime:
    """``moment`` in the agency-local time zone."""
    return moment.astimezone(local_zone())


def params_of(filters: Filters) -> dict[str, Any]:
    """What an export row keeps of the filters (JSON)."""
    return {
        "log": filters.log, "agency_id": filters.agency_id, "actor_id": filters.actor_id,
        "what": filters.what, "ticket_id": filters.ticket_id, "reference": filters.reference,
        "from": filters.day_from and filters.day_from.isoformat(),
        "to": filters.day_to and filters.day_to.isoformat(),
    }  # fmt: skip


def _filters_of(params: dict[str, Any]) -> Filters:
    day = lambda v: dt.date.fromisoformat(v) if v else None  # noqa: E731
    return Filters(
        log=params.get("log") or "settings", agency_id=params.get("agency_id"),
        actor_id=params.get("actor_id"), what=params.get("what"),
        day_from=day(params.get("from")), day_to=day(params.get("to")),
        ticket_id=params.get("ticket_id"), reference=params.get("reference") or "",
    )  # fmt: skip


def rows(export: Export, officer: Officer) -> Rows:
    """The filtered log as export rows (the export job's source), newest first."""
    filters = _filters_of(export.params)
    if not officer.platform_admin:
        filters.agency_id = officer.agency_id  # never wider than the reader's own agency
    query = _query(filters)
    total = db.session.scalar(select(db.func.count()).select_from(query.subquery())) or 0
    header = [_("When"), _("Agency"), _("Who"), _("What"), _("Ticket"), _("Changes")]
    stem = "audit-log" if filters.log == "settings" else "access-log"
    return Rows(_("Audit log"), stem, header, total, _batches(filters))


def _batches(filters: Filters) -> Iterator[list[list[Any]]]:
    model = TicketAccessLog if filters.log == "access" else AdminAuditLog
    before = None
    while True:
        query = _query(filters)
        if before:
            query = query.where(model.id < before)
        found = list(db.session.scalars(query.limit(BATCH)))
        if not found:
            return
        entries = _entries(found, filters.log)
        yield [[local(e.at), e.agency, e.who, e.what, e.ticket, "; ".join(e.changes)]
               for e in entries]  # fmt: skip
        before = found[-1].id
        if len(found) < BATCH:
            return


def actors(filters: Filters) -> list[tuple[int, str]]:
    """The officers the "who" filter offers: the agency's (every agency's for a platform
    administrator looking at all of them)."""
    query = select(Officer.id, Officer.name).order_by(Officer.name)
    if filters.agency_id is not None:
        query = query.where(Officer.agency_id == filters.agency_id)
    return list(db.session.execute(query.limit(500)).tuples().all())


def agencies() -> list[tuple[int, str]]:
    """Every agency (the platform administrator's agency filter)."""
    query = select(Agency.id, Agency.name).order_by(Agency.name)
    return list(db.session.execute(query).tuples().all())
