"""Survey after resolution, the 7-day objection window and the closing sweep."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from aduan.errors import ValidationFailed
from aduan.extensions import db
from aduan.models import OutboundMessage, TicketEvent
from aduan.models.citizen import SurveyResponse
from aduan.services.citizen import survey
from aduan.services.tickets import workflow
from tests.builders import gen_agency, gen_complainant, gen_ticket

RESOLVED = dt.datetime(2026, 3, 3, 2, 0, tzinfo=dt.UTC)


def _resolved_ticket():
    agency = gen_agency()
    person = gen_complainant(agency, email="siti@contoh.my")
    ticket = gen_ticket(agency, complainant=person, origin_channel="web")
    workflow.change_status(ticket, "dalam_tindakan", at=RESOLVED - dt.timedelta(hours=1))
    workflow.change_status(ticket, "selesai", at=RESOLVED)
    db.session.commit()
    return ticket


def test_survey_asked_once_on_the_complainants_channel(db):
    ticket = _resolved_ticket()
    with time_machine.travel(RESOLVED + dt.timedelta(hours=1), tick=False):
        assert survey.request_surveys() == 1
        assert survey.request_surveys() == 0
    (notice,) = db.session.scalars(db.select(OutboundMessage)).all()
    assert notice.purpose == "survey" and notice.channel == "email"
    assert ticket.reference in notice.body


def test_rating_and_objection_within_the_window(db):
    ticket = _resolved_ticket()
    with time_machine.travel(RESOLVED + dt.timedelta(days=2), tick=False):
        with pytest.raises(ValidationFailed):
            survey.rate(ticket, 6)
        row = survey.rate(ticket, 4, "Baik")
        assert (row.rating, row.comment) == (4, "Baik")
        survey.object_to_resolution(ticket, "Lampu masih rosak")
    assert ticket.status == "dibuka_semula"
    event = db.session.scalars(
        db.select(TicketEvent)
        .where(TicketEvent.kind == "status_changed")
        .order_by(TicketEvent.id.desc())
    ).first()
    assert event.actor_kind == "complainant" and event.data["reason"] == "Lampu masih rosak"


def test_a_second_rating_is_refused_and_the_first_counted_once(db):
    ticket = _resolved_ticket()
    with time_machine.travel(RESOLVED + dt.timedelta(days=1), tick=False):
        survey.rate(ticket, 5, "Cepat")
        with pytest.raises(ValidationFailed) as refused:
            survey.rate(ticket, 1, "Ubah fikiran")
    db.session.rollback()
    assert refused.value.errors == {"rating": ["answered"]}
    (row,) = db.session.scalars(db.select(SurveyResponse)).all()
    assert (row.rating, row.comment) == (5, "Cepat")
    answered = db.select(db.func.count()).where(TicketEvent.kind == "survey_answered")
    assert db.session.scalar(answered) == 1


def test_no_objection_after_seven_days_and_the_sweep_closes(db):
    ticket = _resolved_ticket()
    with time_machine.travel(RESOLVED + dt.timedelta(days=7, minutes=1), tick=False):
        with pytest.raises(ValidationFailed):
            survey.object_to_resolution(ticket, "terlambat")
        assert survey.close_expired() == 1
        assert survey.close_expired() == 0
    db.session.refresh(ticket)
    assert ticket.status == "ditutup"


def test_the_sweep_leaves_tickets_inside_the_window(db):
    ticket = _resolved_ticket()
    with time_machine.travel(RESOLVED + dt.timedelta(days=6), tick=False):
        assert survey.close_expired() == 0
    assert ticket.status == "selesai"
    assert db.session.scalar(db.select(db.func.count(SurveyResponse.id))) == 0
