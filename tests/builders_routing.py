"""Builders for routing, roster and SLA tests (kept apart from tests/builders.py)."""

from __future__ import annotations

import datetime as dt
import itertools

from aduan.extensions import db
from aduan.models.routing import RosterPattern, RoutingRule
from tests.builders import gen_agency, gen_complainant, gen_officer, gen_ticket, gen_unit

WEEKDAYS = (0, 1, 2, 3, 4)
ALL_DAYS = (0, 1, 2, 3, 4, 5, 6)
_phones = itertools.count(1000000)


def gen_rule(agency, position=0, conditions=None, actions=None, **kw) -> RoutingRule:
    rule = RoutingRule(
        agency_id=agency.id,
        position=position,
        name=kw.pop("name", f"Rule {position}"),
        conditions=conditions or {},
        actions=actions or {},
        **kw,
    )
    db.session.add(rule)
    db.session.flush()
    return rule


def put_on_roster(unit, officer, weekdays=ALL_DAYS) -> None:
    for day in weekdays:
        db.session.add(RosterPattern(unit_id=unit.id, officer_id=officer.id, weekday=day))
    db.session.flush()


def gen_org(state: str = "10", officers: int = 2, code: str | None = None):
    """An agency with one unit in ``state``, a unit head, a complaint manager, an agency head
    and ``officers`` duty officers rostered every day."""
    agency = gen_agency(code=code, state=state)
    unit = gen_unit(agency, state=state)
    head = gen_officer(agency, [unit], roles=("supervisor",))
    manager = gen_officer(agency, roles=("complaint_manager",))
    boss = gen_officer(agency, roles=("officer",))
    unit.head_officer_id = head.id
    agency.head_officer_id = boss.id
    staff = [gen_officer(agency, [unit]) for _ in range(officers)]
    for officer in staff:
        put_on_roster(unit, officer)
    db.session.flush()
    return agency, unit, head, manager, boss, staff


def gen_reachable_ticket(agency, unit, language="ms", at: dt.datetime | None = None, **kw):
    phone = kw.pop("phone", f"+6012{next(_phones)}")
    email = kw.pop("email", None)
    complainant = gen_complainant(agency, phone=phone, email=email, language=language)
    kw.setdefault("origin_channel", "sms")
    if at is not None:
        kw["received_at"] = at
    return gen_ticket(agency, unit, complainant=complainant, language=language, **kw)


def sign_in(client, officer) -> None:
    """``tests.builders.login`` plus the session identifier that "strong" session protection
    checks; and forget the user Flask-Login cached on ``g`` (requests share the test's app
    context)."""
    from flask import g
    from flask_login.utils import _create_identifier

    from tests.builders import login

    login(client, officer)
    with client.application.test_request_context(environ_base=client.environ_base):
        identifier = _create_identifier()
    with client.session_transaction() as session:
        session["_id"] = identifier
    g.pop("_login_user", None)
