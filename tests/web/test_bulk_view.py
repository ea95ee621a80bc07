"""POST /inbox/bulk renders the per-ticket report; a refusal changes nothing (409)."""

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
    assert closed.reference in html and "cannot move" in html
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
