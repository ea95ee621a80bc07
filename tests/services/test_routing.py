import datetime as dt

import pytest

from aduan.errors import ValidationFailed
from aduan.models import OutboundMessage, TicketEvent
from aduan.services.tickets import routing
from tests.builders import gen_agency, gen_category, gen_officer, gen_unit
from tests.builders_routing import gen_reachable_ticket, gen_rule


def events(db, ticket, kind):
    return list(
        db.session.scalars(
            db.select(TicketEvent).where(
                TicketEvent.ticket_id == ticket.id, TicketEvent.kind == kind
            )
        )
    )


@pytest.mark.parametrize(
    ("keyword", "text", "hit"),
    [
        ("jalan", "Lampu JALAN rosak", True),
        ("jalan", "jalanraya sesak", False),  # whole words only
        ("cafe", "Kopi di Café Seri", True),  # accents do not matter
        ("café", "the CAFE is dirty", True),
        ("street light", "The street   light is broken", True),
        ("lampu", "lampu-lampu padam", True),
        ("air", "pairing error", False),
    ],
)
def test_keywords_match_whole_words_ignoring_case_and_accents(keyword, text, hit):
    assert routing.keyword_matches([keyword], text) is hit


def test_first_matching_rule_in_order_wins_and_is_named_on_the_timeline(db):
    agency = gen_agency()
    triage, roads, water = gen_unit(agency), gen_unit(agency), gen_unit(agency)
    agency.triage_unit_id = triage.id
    gen_rule(agency, 2, {"keywords": ["jalan"]}, {"unit_id": water.id}, name="late")
    rule = gen_rule(agency, 1, {"keywords": ["jalan"]}, {"unit_id": roads.id}, name="roads")
    ticket = gen_reachable_ticket(agency, triage, description="Jalan berlubang")
    assert routing.route(ticket).id == rule.id
    assert ticket.unit_id == roads.id
    [event] = events(db, ticket, "routed")
    assert event.data["rule_name"] == "roads" and event.after["unit_id"] == roads.id


def test_all_conditions_must_hold_and_actions_apply(db):
    agency = gen_agency()
    triage, unit = gen_unit(agency), gen_unit(agency)
    agency.triage_unit_id = triage.id
    category = gen_category(agency, "BPA-03")
    gen_rule(
        agency,
        1,
        {"channels": ["email"], "types": ["aduan"], "states": ["10"], "keywords": ["longkang"]},
        {"unit_id": unit.id, "category_id": category.id, "priority_group": "oku"},
    )
    wrong_channel = gen_reachable_ticket(agency, triage, description="longkang tersumbat")
    wrong_channel.state_code = "10"
    assert routing.route(wrong_channel) is None
    assert wrong_channel.unit_id == triage.id
    ok = gen_reachable_ticket(
        agency, triage, description="Longkang tersumbat", origin_channel="email", email="a@b.my"
    )
    ok.state_code = "10"
    assert routing.route(ok) is not None
    assert (ok.unit_id, ok.category_id, ok.priority_group) == (unit.id, category.id, "oku")


def test_category_condition_and_inactive_rules(db):
    agency = gen_agency()
    triage, unit = gen_unit(agency), gen_unit(agency)
    agency.triage_unit_id = triage.id
    gen_rule(agency, 0, {"categories": ["BPA-10"]}, {"unit_id": triage.id}, active=False)
    gen_rule(agency, 1, {"categories": ["BPA-10"]}, {"unit_id": unit.id})
    ticket = gen_reachable_ticket(agency, triage, category=gen_category(agency, "BPA-10"))
    routing.route(ticket)
    assert ticket.unit_id == unit.id


def test_no_match_goes_to_triage_and_says_so(db):
    agency = gen_agency()
    triage, other = gen_unit(agency), gen_unit(agency)
    agency.triage_unit_id = triage.id
    gen_rule(agency, 1, {"keywords": ["sampah"]}, {"unit_id": other.id})
    ticket = gen_reachable_ticket(agency, other, description="Bunyi bising waktu malam")
    assert routing.route(ticket) is None
    assert ticket.unit_id == triage.id
    assert events(db, ticket, "routed")[0].data["fallback"] == "triage"


def test_routing_to_another_state_recomputes_deadlines(db):
    agency = gen_agency()
    selangor, kedah = gen_unit(agency, state="10"), gen_unit(agency, state="02")
    gen_rule(agency, 1, {"keywords": ["kedah"]}, {"unit_id": kedah.id})
    # Thu 5 Mar 2026 09:00 MYT: day 1 is Fri 6 Mar in Selangor, Sun 8 Mar in Kedah.
    at = dt.datetime(2026, 3, 5, 1, 0, tzinfo=dt.UTC)
    ticket = gen_reachable_ticket(agency, selangor, at=at, description="Aduan di Kedah")
    assert ticket.acknowledge_due_at.date() == dt.date(2026, 3, 6)
    routing.route(ticket)
    assert ticket.acknowledge_due_at.date() == dt.date(2026, 3, 8)


def test_transfer_selangor_to_kelantan_recomputes_and_tells_the_complainant(db):
    agency = gen_agency()
    selangor, kelantan = gen_unit(agency, state="10"), gen_unit(agency, state="03")
    officer = gen_officer(agency, [selangor])
    at = dt.datetime(2026, 3, 5, 1, 0, tzinfo=dt.UTC)  # Thursday
    ticket = gen_reachable_ticket(agency, selangor, at=at, language="en")
    ticket.assignee = officer
    before = ticket.resolve_due_at
    routing.transfer(ticket, kelantan, officer, "Handled by our Kota Bharu office.")
    db.session.flush()
    assert ticket.unit_id == kelantan.id and ticket.assignee_id is None
    # Kelantan works Sun–Thu, but Sun 8 Mar 2026 is its Nuzul Al-Quran (observed) holiday.
    assert ticket.acknowledge_due_at.date() == dt.date(2026, 3, 9)
    assert ticket.resolve_due_at != before
    [event] = events(db, ticket, "transferred")
    assert event.before["unit_id"] == selangor.id and event.actor_id == officer.id
    [message] = db.session.scalars(db.select(OutboundMessage)).all()
    assert (message.purpose, message.channel) == ("transfer", "sms")
    assert message.to_handle == ticket.complainant.phone
    assert "transferred" in message.body and "Kota Bharu" in message.body


def test_transfer_within_a_state_keeps_deadlines(db):
    agency = gen_agency()
    a, b = gen_unit(agency, state="10"), gen_unit(agency, state="10")
    ticket = gen_reachable_ticket(agency, a)
    before = ticket.resolve_due_at
    routing.transfer(ticket, b, None)
    assert ticket.resolve_due_at == before
    assert db.session.scalar(db.select(db.func.count()).select_from(OutboundMessage)) == 0


def test_transfer_to_another_agencys_unit_is_refused(db):
    ticket = gen_reachable_ticket(gen_agency(), None)
    with pytest.raises(ValidationFailed):
        routing.transfer(ticket, gen_unit(gen_agency()), None)


def test_out_of_jurisdiction_goes_through_workflow_and_tells_the_complainant(db):
    agency = gen_agency()
    officer = gen_officer(agency)
    ticket = gen_reachable_ticket(agency, None)
    routing.transfer_out_of_jurisdiction(
        ticket, officer, "Majlis Bandaraya Shah Alam", "Jalan MBSA"
    )
    db.session.flush()
    assert ticket.status == "luar_bidang_kuasa"
    [change] = events(db, ticket, "status_changed")
    assert "Majlis Bandaraya Shah Alam" in change.data["reason"]
    [message] = db.session.scalars(db.select(OutboundMessage)).all()
    assert message.purpose == "transfer" and "luar bidang kuasa" in message.body
