"""Client charter: standards per category and compliance against hand-computed figures."""

from __future__ import annotations

import datetime as dt

from aduan.models import SlaProfile
from aduan.models.routing import Notification
from aduan.services.citizen import charter
from tests.builders import gen_agency, gen_category, gen_officer, gen_ticket, gen_unit

NOW = dt.datetime(2026, 6, 1, 0, 0, tzinfo=dt.UTC)
DAY = dt.timedelta(days=1)


def _ticket(
    agency, unit, category, received_days_ago, ack=None, resolved=None, ack_due=1, res_due=10
):
    received = NOW - received_days_ago * DAY
    ticket = gen_ticket(agency, unit, category=category, received_at=received)
    ticket.acknowledge_due_at = received + ack_due * DAY
    ticket.resolve_due_at = received + res_due * DAY
    ticket.acknowledged_at = received + ack * DAY if ack is not None else None
    ticket.resolved_at = received + resolved * DAY if resolved is not None else None
    return ticket


def test_compliance_over_30_and_90_days(db):
    agency = gen_agency()
    unit = gen_unit(agency)
    category = gen_category(agency, "BPA-03")
    profile = SlaProfile(agency_id=agency.id, name="Lampu", acknowledge_days=2, resolve_days=10)
    db.session.add(profile)
    db.session.flush()
    category.sla_profile = profile
    # inside 30 days
    _ticket(agency, unit, category, 20, ack=0.5, resolved=5)  # both met
    _ticket(agency, unit, category, 15, ack=3, resolved=12)  # both missed
    _ticket(agency, unit, category, 25)  # open, overdue on both: two misses
    _ticket(agency, unit, category, 0.2)  # open, not yet due: not judged
    # inside 90 only
    _ticket(agency, unit, category, 60, ack=0.5, resolved=9)  # both met
    # outside 90
    _ticket(agency, unit, category, 120, ack=5, resolved=50)
    db.session.commit()
    (row,) = [r for r in charter.standards(agency, "ms", now=NOW) if r.category_id == category.id]
    assert (row.acknowledge_days, row.resolve_days) == (2, 10)
    thirty, ninety = row.compliance[30], row.compliance[90]
    assert (thirty.acknowledged_met, thirty.acknowledged_judged) == (1, 3)
    assert (thirty.resolved_met, thirty.resolved_judged) == (1, 3)
    assert (ninety.acknowledged_met, ninety.acknowledged_judged) == (2, 4)
    assert ninety.resolved_share == 0.5


def test_review_reminder_once_a_month_for_admins(db):
    agency = gen_agency()
    agency.charter_reviewed_on = dt.date(2025, 1, 1)
    admin = gen_officer(agency, roles=("admin",))
    gen_officer(agency)  # not an admin
    db.session.commit()
    assert charter.remind_review(dt.date(2026, 6, 1)) == 1
    assert charter.remind_review(dt.date(2026, 6, 20)) == 0
    assert db.session.scalars(db.select(Notification)).one().officer_id == admin.id
    agency.charter_reviewed_on = dt.date(2026, 1, 1)
    db.session.commit()
    assert charter.remind_review(dt.date(2026, 7, 1)) == 0


def test_charter_page_renders(client, db):
    gen_agency(code="DEF")
    db.session.commit()
    html = client.get("/piagam?lang=ms").get_data(as_text=True)
    assert "Piagam Pelanggan" in html and "Kekurangan Kemudahan Awam" in html
