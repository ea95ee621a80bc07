"""Bulk actions from the queue: tick rows (with their versions) and post to /inbox/bulk."""

from aduan.extensions import db
from aduan.models import Ticket
from aduan.vocabulary import TicketStatus as S
from tests.builders import gen_agency, gen_officer, gen_ticket, gen_unit
from tests.web.inbox.helpers import post, signed_in


def _desk():
    agency = gen_agency()
    unit = gen_unit(agency)
    officer = gen_officer(agency, [unit])
    first, second = gen_ticket(agency, unit), gen_ticket(agency, unit)
    db.session.commit()
    return officer, first, second


def _ticked(*tickets: Ticket) -> dict:
    data: dict = {"tickets": [t.reference for t in tickets]}
    data.update({f"version_{t.reference}": str(t.version) for t in tickets})
    return data


def test_queue_renders_a_checkbox_and_version_per_row(client, db):
    officer, first, second = _desk()
    signed_in(client, officer)
    html = client.get("/inbox?lang=en").get_data(as_text=True)
    assert 'id="bulk-form"' in html and 'name="csrf_token"' in html
    assert 'id="pick-all"' in html and "Select all on this page" in html
    for t in (first, second):
        assert f'name="tickets" value="{t.reference}"' in html
        assert f'name="version_{t.reference}" value="{t.version}"' in html
        assert f"Select {t.reference}" in html
    rows = client.get("/inbox", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert f'form="bulk-form" name="tickets" value="{first.reference}"' in rows


def test_two_ticked_tickets_change_status_together(client, db):
    officer, first, second = _desk()
    signed_in(client, officer)
    data = {**_ticked(first, second), "action": "status", "status": "dalam_tindakan"}
    response = post(client, "/inbox/bulk", data, page="/inbox")
    assert response.status_code == 200, response.get_data(as_text=True)
    db.session.expire_all()
    assert {db.session.get(Ticket, t.id).status for t in (first, second)} == {"dalam_tindakan"}


def test_one_illegal_ticket_changes_none_and_is_named(client, db):
    officer, first, closed = _desk()
    closed.status = S.CLOSED.value
    db.session.commit()
    signed_in(client, officer)
    data = {**_ticked(first, closed), "action": "status", "status": "dalam_tindakan"}
    response = post(client, "/inbox/bulk", data, page="/inbox")
    html = response.get_data(as_text=True)
    assert response.status_code == 409
    assert closed.reference in html and "tidak boleh ditukar daripada Ditutup" in html  # BM
    db.session.expire_all()
    assert db.session.get(Ticket, first.id).status == "baharu"
    assert db.session.get(Ticket, closed.id).status == S.CLOSED.value


def test_stale_row_version_is_refused(client, db):
    officer, first, second = _desk()
    signed_in(client, officer)
    data = {**_ticked(first, second), "action": "note", "note": "Semak semula"}
    data[f"version_{second.reference}"] = str(second.version + 1)
    response = post(client, "/inbox/bulk", data, page="/inbox")
    assert response.status_code == 409
    assert second.reference in response.get_data(as_text=True)
