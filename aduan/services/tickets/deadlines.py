"""A ticket's deadlines, set and moved through the one SLA clock (``sla_clock``).

Which calendar: the state of the unit that owns the ticket (else the agency's own state), with
the national overrides and the ticket's agency's own office closures (never another agency's).
Which targets: the category's SLA profile, else the agency's default profile, else the
domain defaults (acknowledge 1, first response 7, resolve 15, complex 365 working days).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import threading
import time

from flask import current_app
from redis.exceptions import RedisError

from aduan.extensions import db
from aduan.models import Agency, SlaProfile, Ticket, Unit
from aduan.redis_conn import get_redis
from aduan.services.sla.clock import OfficeHours, SlaClock, WorkingDuration, local_zone
from aduan.services.sla.holiday_rules import load_holiday_rules, load_office_closures
from aduan.services.sla.working_calendar import WorkingCalendar, calendar_for, clear_calendar_cache

DEFAULT_PROFILE_NAME = "Standard"
_DEADLINES = (
    ("acknowledge_due_at", "acknowledged_at"),
    ("first_response_due_at", "first_responded_at"),
    ("resolve_due_at", "resolved_at"),
)


# Overrides and closures are edited in one process but calendars are cached in every process: an
# edit bumps this Redis counter and each process drops its cache when it sees a new value
# (looked at no more often than every CALENDAR_CHECK_SECONDS, so a sweep stays cheap).
CALENDAR_VERSION_KEY = "aduan:calendar-version"
CALENDAR_CHECK_SECONDS = 2.0
_UNSEEN = object()
_calendar_seen: dict[str, object] = {"version": _UNSEEN, "checked_at": float("-inf")}
_calendar_seen_lock = threading.Lock()


def calendar(state_code: str, agency_id: int | None = None) -> WorkingCalendar:
    """The working calendar of a state: national, or agency ``agency_id``'s (with its office
    closures). Cached per process; dropped everywhere by :func:`calendar_changed`."""
    _drop_stale_calendars()
    if agency_id is None:
        return calendar_for(state_code, load_holiday_rules)
    return calendar_for(
        state_code, load_holiday_rules, agency_id, lambda: load_office_closures(agency_id)
    )


def calendar_changed() -> None:
    """After the holiday overrides or office closures change: forget this process's calendars
    and tell the others.
    Who is on duty depends on working days too: the reference cache is dropped as well."""
    from aduan.services.intake import reference_cache

    clear_calendar_cache()
    reference_cache.changed()
    # Redis down: the others notice on the next successful bump; ours is already fresh.
    with contextlib.suppress(RedisError):
        get_redis(current_app).incr(CALENDAR_VERSION_KEY)


def _drop_stale_calendars() -> None:
    now = time.monotonic()
    if now - _calendar_seen["checked_at"] < CALENDAR_CHECK_SECONDS:  # type: ignore[operator]
        return
    with _calendar_seen_lock:
        _calendar_seen["checked_at"] = now
    if not current_app.config.get("REDIS_URL"):
        return  # no Redis configured or started yet: never start the embedded one just for this
    try:
        version = get_redis(current_app).get(CALENDAR_VERSION_KEY)
    except RedisError:
        return  # Redis down: keep the calendars we have
    with _calendar_seen_lock:
        if version != _calendar_seen["version"]:
            _calendar_seen["version"] = version
            clear_calendar_cache()


def clock_for(agency: Agency | None) -> SlaClock:
    tz = local_zone()
    open_at = agency.office_open if agency and agency.office_open else dt.time(8, 0)
    close_at = agency.office_close if agency and agency.office_close else dt.time(17, 0)
    agency_id = agency.id if agency is not None else None
    return SlaClock(
        lambda state: calendar(state, agency_id), OfficeHours(open=open_at, close=close_at, tz=tz)
    )


def state_of(ticket: Ticket) -> str:
    unit = ticket.unit or (db.session.get(Unit, ticket.unit_id) if ticket.unit_id else None)
    if unit is not None:
        return unit.state_code
    agency = ticket.agency or db.session.get(Agency, ticket.agency_id)
    return agency.state_code if agency else "16"


def profile_for(ticket: Ticket) -> SlaProfile:
    if ticket.category is not None and ticket.category.sla_profile is not None:
        return ticket.category.sla_profile
    from aduan.services.intake import reference_cache  # the agency's default profile, per process

    profile_id = reference_cache.cached(
        ("default-sla-profile", ticket.agency_id), lambda: _default_profile_id(ticket.agency_id)
    )
    profile = db.session.get(SlaProfile, profile_id) if profile_id else None
    return profile or SlaProfile(
        acknowledge_days=1, first_response_days=7, resolve_days=15, resolve_days_complex=365
    )


def _default_profile_id(agency_id: int) -> int | None:
    return db.session.scalar(
        db.select(SlaProfile.id).where(
            SlaProfile.agency_id == agency_id, SlaProfile.name == DEFAULT_PROFILE_NAME
        )
    )


def target_days(ticket: Ticket) -> dict[str, int]:
    profile = profile_for(ticket)
    resolve = profile.resolve_days_complex if ticket.is_complex else profile.resolve_days
    return {
        "acknowledge_due_at": profile.acknowledge_days,
        "first_response_due_at": profile.first_response_days,
        "resolve_due_at": resolve,
    }


def set_initial(ticket: Ticket) -> None:
    """Set every deadline from the moment of receipt."""
    recompute(ticket)


def clock_start(ticket: Ticket) -> dt.datetime:
    """Where the ticket's clocks count from: receipt, or the referral that brought it to its
    agency (``restart``)."""
    return ticket.clock_started_at or ticket.received_at


def restart(ticket: Ticket, at: dt.datetime) -> None:
    """Start every clock again at ``at`` (a referral: the receiving agency's own deadlines,
    in its calendar and office hours); nothing met, nothing paused."""
    ticket.clock_started_at = at
    ticket.sla_paused_at = None
    ticket.sla_paused_seconds = 0
    for _due_field, met_field in _DEADLINES:
        setattr(ticket, met_field, None)
    recompute(ticket)
    ticket.sla_next_check_at = at


def recompute(ticket: Ticket) -> None:
    """Deadlines from the clock's start (``clock_start``: receipt, or a referral) in the
    calendar of the ticket's current unit, shifted by the
    working time already spent waiting on the complainant. Used on creation, on a transfer to
    a unit in another state and on a change of complexity."""
    clock = clock_for(ticket.agency or db.session.get(Agency, ticket.agency_id))
    state = state_of(ticket)
    for field, days in target_days(ticket).items():
        due = clock.recompute(clock_start(ticket), days, state, ticket.sla_paused_seconds or 0)
        setattr(ticket, field, due)


def clock_reading(ticket: Ticket, now: dt.datetime) -> dt.datetime:
    """The instant the ticket's SLA clock shows at ``now``: the moment it was paused while it
    waits on the complainant (the clock is stopped), else ``now``."""
    paused_at = ticket.sla_paused_at
    return paused_at if paused_at is not None and paused_at < now else now


def remaining(ticket: Ticket, now: dt.datetime) -> tuple[WorkingDuration, float]:
    """Working time left to the resolution deadline and the share of it used, frozen while
    the ticket is paused: resuming moves the deadline by exactly the paused working time, so
    what is left after the resume is what was left at the pause."""
    clock = clock_for(ticket.agency or db.session.get(Agency, ticket.agency_id))
    state, at = state_of(ticket), clock_reading(ticket, now)
    left = clock.remaining(ticket.resolve_due_at, at, state)
    return left, clock.fraction_used(clock_start(ticket), ticket.resolve_due_at, at, state)


def pause(ticket: Ticket, at: dt.datetime) -> None:
    """Stop the clock (waiting on the complainant)."""
    if ticket.sla_paused_at is None:
        ticket.sla_paused_at = at


def resume(ticket: Ticket, at: dt.datetime) -> None:
    """Restart the clock: every unmet deadline moves by exactly the paused working time."""
    paused_at = ticket.sla_paused_at
    if paused_at is None:
        return
    clock = clock_for(ticket.agency or db.session.get(Agency, ticket.agency_id))
    state = state_of(ticket)
    for due_field, met_field in _DEADLINES:
        due = getattr(ticket, due_field)
        if due is not None and getattr(ticket, met_field) is None:
            setattr(ticket, due_field, clock.shift_for_pause(due, paused_at, at, state))
    paused = clock.elapsed(paused_at, at, state).seconds
    ticket.sla_paused_seconds = (ticket.sla_paused_seconds or 0) + int(paused)
    ticket.sla_paused_at = None
