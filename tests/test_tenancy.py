"""The tenant boundary is one rule (``aduan/services/tenancy.py``): every model declares which
agency its rows belong to, or that it is national, and the helper keeps each agency to its own
rows — checked here with two agencies for every kind of declaration."""

import datetime as dt

import pytest

from aduan.extensions import db
from aduan.models import (
    Agency,
    Complainant,
    HolidayOverride,
    InboundEvent,
    Message,
    OutboundMessage,
)
from aduan.models.routing import Notification, RosterPattern
from aduan.services import tenancy
from aduan.services.channel_config.accounts import save_account
from tests.builders import gen_agency, gen_complainant, gen_officer, gen_ticket, gen_unit

# Models still without an agency scope, each with the reason; this list may only shrink.
KNOWN_GAPS: dict[str, str] = {}
# What may be shared by every agency: edited only by the platform's administrators.
NATIONAL = {"HolidayOverride"}
# The deployment's own bookkeeping: no personal data, no agency setting, never scoped.
SYSTEM = {"AttachmentBlob", "PeriodicRun"}


def _models() -> list[type]:
    return sorted((m.class_ for m in db.Model.registry.mappers), key=lambda c: c.__name__)


def test_every_model_declares_its_agency_or_that_it_is_national():
    undeclared = []
    for model in _models():
        try:
            tenancy.declaration(model)
        except tenancy.UndeclaredTenant:
            undeclared.append(model.__name__)
    assert undeclared == sorted(KNOWN_GAPS)


def test_only_the_national_calendar_is_national():
    national = [m.__name__ for m in _models() if m.__name__ not in KNOWN_GAPS
                and tenancy.is_national(m)]  # fmt: skip
    assert national == sorted(NATIONAL)


def test_only_bookkeeping_is_the_systems():
    system = [m.__name__ for m in _models() if m.__name__ not in KNOWN_GAPS
              and tenancy.declaration(m) == tenancy.SYSTEM]  # fmt: skip
    assert system == sorted(SYSTEM)
    with pytest.raises(tenancy.UndeclaredTenant):
        tenancy.condition(next(m for m in _models() if m.__name__ == "PeriodicRun"), 1)


def test_each_declaration_is_backed_by_the_columns_it_names():
    for model in _models():
        if model.__name__ in KNOWN_GAPS:
            continue
        kind = tenancy.declaration(model)
        columns = model.__table__.c
        if kind == tenancy.AGENCY:
            assert not columns["agency_id"].nullable, model.__name__
            [fk] = columns["agency_id"].foreign_keys
            assert fk.column.table.name == "agencies", model.__name__
        elif kind.startswith(tenancy.VIA):
            column = kind[len(tenancy.VIA) :]
            assert not columns[column].nullable, (model.__name__, "a row with no parent")
            parent = tenancy.parent_model(model, column)
            assert not tenancy.is_national(parent), model.__name__
        elif kind == tenancy.ACCOUNT:
            assert {"channel", "account_key"} <= set(columns.keys()), model.__name__


def test_the_check_fails_on_a_model_without_a_declaration():
    class Loose:
        pass

    with pytest.raises(tenancy.UndeclaredTenant):
        tenancy.declaration(Loose)


def _ids(model, agency_id) -> list[int]:
    return sorted(db.session.scalars(tenancy.scoped(db.select(model.id), model, agency_id)))


def test_scoped_keeps_each_agency_to_its_own_rows_for_every_kind(db):
    agency_a, agency_b = gen_agency(), gen_agency()  # A is the default agency (the first)
    unit_a, unit_b = gen_unit(agency_a), gen_unit(agency_b)
    officer_a, officer_b = gen_officer(agency_a, [unit_a]), gen_officer(agency_b, [unit_b])
    person_a = gen_complainant(agency_a, phone="+60123456789")
    person_b = gen_complainant(agency_b, phone="+60123456789")
    ticket_a, ticket_b = gen_ticket(agency_a, unit_a), gen_ticket(agency_b, unit_b)
    message_a, message_b = (Message(ticket_id=t.id, direction="in", channel="sms", body="x")
                            for t in (ticket_a, ticket_b))  # fmt: skip
    roster_a, roster_b = (RosterPattern(unit_id=u.id, officer_id=o.id, weekday=0)
                          for u, o in ((unit_a, officer_a), (unit_b, officer_b)))  # fmt: skip
    notices = [Notification(officer_id=o.id, kind="k", title_ms="t", title_en="t")
               for o in (officer_a, officer_b)]  # fmt: skip
    holiday = HolidayOverride(day=dt.date(2026, 3, 3), name="Cuti Peristiwa")
    db.session.add_all([message_a, message_b, roster_a, roster_b, *notices, holiday])
    db.session.refresh(agency_b)
    save_account(agency_b, "telegram", {"bot_token": "1:b"}, key="bot-b")
    events = {key: InboundEvent(channel="telegram", account_key=key, provider_id=key, payload={})
              for key in ("default", "bot-b")}  # fmt: skip
    db.session.add_all(events.values())
    db.session.flush()
    assert _ids(Agency, agency_b.id) == [agency_b.id]
    assert _ids(Complainant, agency_a.id) == [person_a.id]
    assert _ids(Complainant, agency_b.id) == [person_b.id]
    assert _ids(Message, agency_b.id) == [message_b.id]  # via the ticket
    assert _ids(RosterPattern, agency_a.id) == [roster_a.id]  # via the unit
    assert _ids(Notification, agency_b.id) == [notices[1].id]  # via the officer
    assert _ids(InboundEvent, agency_a.id) == [events["default"].id]  # the environment's
    assert _ids(InboundEvent, agency_b.id) == [events["bot-b"].id]
    assert _ids(HolidayOverride, agency_b.id) == [holiday.id]  # national: both see it
    assert tenancy.get_scoped(Message, message_a.id, agency_b.id) is None
    assert tenancy.get_scoped(Message, message_a.id, agency_a.id) is message_a
    assert _ids(OutboundMessage, agency_b.id) == []
