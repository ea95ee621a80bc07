"""POST /inbox/bulk renders the per-ticket report; a refusal changes nothing (409)."""

import pytest
from flask_babel import refresh

from aduan.extensions import db
from aduan.models import Ticket
from aduan.vocabulary import TicketStatus as S
from tests.builders import gen_agency, gen_officer, gen_ticket, gen_unit, login
from tests.web.admin.helpers import post


def test_bulk_view_reports_and_refuses_all(client):
    agency = gen_agency()
    unit = gen_unit(agency)
    officer = gen_officer(agency, units=[unit])
    good, closed = gen_ticket(agency, unit), gen_ticket(agency, unit)
    closed.status = S.CLOSED.value
    db.session.commit()
    login(client, officer)
    data = {"references": f"{good.reference}\n{closed.reference}", "action": "status",
            "status": "dalam_tindakan"}  # fmt: skip
    response = post(client, "/inbox/bulk", data)
    html = response.get_data(as_text=True)
    assert response.status_code == 409
    assert closed.reference in html and "tidak boleh ditukar daripada Ditutup" in html
    db.session.expire_all()
    assert db.session.get(Ticket, good.id).status == "baharu"
    ok = post(client, "/inbox/bulk", {**data, "references": good.reference})
    assert ok.status_code == 200
    db.session.expire_all()
    assert db.session.get(Ticket, good.id).status == "dalam_tindakan"


def test_bulk_post_without_token_is_rejected(client):
    agency = gen_agency()
    officer = gen_officer(agency, units=[gen_unit(agency)])
    db.session.commit()
    login(client, officer)
    assert client.post("/inbox/bulk", data={"action": "note"}).status_code == 400


REFUSALS = {
    "en": (
        "Cannot move a ticket from Closed to In progress.",
        "A reason is required to move a ticket to Outside jurisdiction.",
        "No such ticket, or not yours to change.",
        "Choose at least one ticket.",
    ),
    "ms": (
        "Status tiket tidak boleh ditukar daripada Ditutup kepada Dalam Tindakan.",
        "Sebab diperlukan untuk menukar status tiket kepada Luar Bidang Kuasa.",
        "Tiket tiada, atau bukan dalam bidang anda untuk diubah.",
        "Pilih sekurang-kurangnya satu tiket.",
    ),
}


@pytest.mark.parametrize("locale", ["en", "ms"])
def test_refusal_reasons_are_in_the_officers_language(client, locale):
    agency = gen_agency()
    unit, elsewhere = gen_unit(agency), gen_unit(agency)
    officer = gen_officer(agency, units=[unit], locale=locale)
    good, closed = gen_ticket(agency, unit), gen_ticket(agency, unit)
    outside = gen_ticket(agency, elsewhere)
    closed.status = S.CLOSED.value
    db.session.commit()
    login(client, officer)
    refresh()  # the locale is cached on g, which this test's requests share
    illegal, no_reason, not_yours, none_chosen = REFUSALS[locale]
    data = {"references": f"{good.reference} {closed.reference}", "action": "status",
            "status": "dalam_tindakan"}  # fmt: skip
    assert illegal in post(client, "/inbox/bulk", data).get_data(as_text=True)
    data = {"references": good.reference, "action": "status", "status": "luar_bidang_kuasa"}
    assert no_reason in post(client, "/inbox/bulk", data).get_data(as_text=True)
    data = {"references": outside.reference, "action": "note", "note": "Semak"}
    assert not_yours in post(client, "/inbox/bulk", data).get_data(as_text=True)
    response = post(client, "/inbox/bulk", {"references": " ", "action": "note", "note": "x"})
    assert response.status_code == 422 and none_chosen in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Ticket, good.id).status == "baharu"
