"""The dashboard's latest survey comments (``reports.comments``): a complainant's comment is
on the dashboard of the agency and unit holding the ticket as soon as it is given, follows
the ticket when it is transferred or referred, and is restored by the reconciler."""

from __future__ import annotations

import datetime as dt

from aduan.extensions import db as database  # the tests' ``db`` is the fixture
from aduan.models.reports import ReportComment
from aduan.services.citizen import survey
from aduan.services.reports import comments, rollups
from aduan.services.reports.scope import Period, Scope
from aduan.services.sla.clock import local_today
from aduan.services.tickets import referral, routing, workflow
from tests.builders import gen_agency, gen_officer, gen_ticket, gen_unit


def _month() -> Period:
    today = local_today()
    return Period(today.replace(day=1), today)


def _seen(agency_id: int, units=None) -> list[str]:
    return [comment for _ref, _rating, comment in comments.latest(Scope(agency_id, "", units),
                                                                  _month())]  # fmt: skip


def _rated_ticket(agency, unit, officer, comment: str):
    ticket = gen_ticket(agency, unit, received_at=dt.datetime.now(dt.UTC) - dt.timedelta(hours=3))
    workflow.change_status(ticket, "diterima", actor=officer)
    workflow.change_status(ticket, "selesai", actor=officer)
    workflow.commit()
    survey.rate(ticket, 4, comment)
    return ticket


def _two_agencies(code_a: str, code_b: str):
    """Agency A with a street and a drains unit and a supervising officer of both; agency B
    with one unit. Committed."""
    a, b = gen_agency(code_a), gen_agency(code_b)
    street, drains = gen_unit(a, "10"), gen_unit(a, "02")
    gen_unit(b, "10")
    officer = gen_officer(a, units=[street, drains], roles=("officer", "supervisor"))
    database.session.commit()
    return a, b, street, drains, officer


def test_a_comment_shows_at_once_for_its_agency_and_unit_only(db):
    a, b, street, drains, officer = _two_agencies("RKA", "RKB")
    _rated_ticket(a, street, officer, "Pantas dan sopan")
    quiet = gen_ticket(a, drains)  # rated without a comment: not listed
    workflow.change_status(quiet, "diterima", actor=officer)
    workflow.change_status(quiet, "selesai", actor=officer)
    workflow.commit()
    survey.rate(quiet, 2)
    assert _seen(a.id) == ["Pantas dan sopan"]  # no refresh of the rollups needed
    assert _seen(a.id, (street.id,)) == ["Pantas dan sopan"]
    assert _seen(a.id, (drains.id,)) == [] and _seen(b.id) == []


def test_a_comment_follows_its_ticket_to_another_unit_and_another_agency(db):
    a, b, street, drains, officer = _two_agencies("RKC", "RKD")
    ticket = _rated_ticket(a, street, officer, "Terima kasih")
    routing.transfer(ticket, drains, officer)
    workflow.commit()
    assert _seen(a.id, (street.id,)) == [] and _seen(a.id, (drains.id,)) == ["Terima kasih"]
    survey.object_to_resolution(ticket, "Masih belum baik")  # open again: it may be referred
    referral.refer_to_agency(ticket, officer, b.id, "Bukan bidang kuasa kami")
    workflow.commit()
    assert _seen(a.id) == [] and _seen(b.id) == ["Terima kasih"]


def test_the_reconciler_restores_the_comments_of_a_day(db):
    a = gen_agency("RKE")
    unit = gen_unit(a, "10")
    officer = gen_officer(a, units=[unit], roles=("officer", "supervisor"))
    db.session.commit()
    _rated_ticket(a, unit, officer, "Baik")
    db.session.execute(ReportComment.__table__.delete())
    db.session.commit()
    assert _seen(a.id) == []
    rollups.reconcile([a.id], [local_today()])
    assert _seen(a.id) == ["Baik"]
