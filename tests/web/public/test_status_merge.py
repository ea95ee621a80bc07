"""The status page after a merge: each complainant keeps their own ticket (issue #12).

A web ticket of complainant Y merged into a counter ticket of complainant X: Y's reply lands
on the surviving ticket as Y's, and Y never gains X's ticket, name, MyKad number or replies.
"""

from __future__ import annotations

import re

from aduan.extensions import db
from aduan.models import Message, OutboundMessage, Ticket, TicketEvent
from aduan.models.citizen import ContactCheck
from aduan.services.citizen import status as status_lookup
from aduan.services.intake import counter_entry
from aduan.services.outbox import replies
from aduan.services.tickets import merging
from tests.builders import gen_agency, gen_complainant, gen_officer, gen_ticket, gen_unit
from tests.web.public.helpers import complaint, csrf, setup_agency
from tests.web.public.test_status import WRONG, _check, _reply

X_NAME, X_MYKAD = "Ahmad bin Abu", "800101-10-5555"
X_REPLY = f"Tuan {X_NAME}, kes anda ({X_MYKAD}) sedang disiasat."
TOGETHER = "dikendalikan bersama aduan lain"


def _counter_ticket_of_x(agency) -> tuple[Ticket, object]:
    officer = gen_officer(agency)
    db.session.commit()
    form = {
        "entry_id": counter_entry.new_entry_id(),
        "channel": "counter",
        "description": f"Pengadu {X_NAME}, MyKad {X_MYKAD}: longkang tersumbat.",
        "name": X_NAME,
        "phone": "019-111 2222",
        "language": "ms",
    }
    ticket = counter_entry.record(officer, form).ticket
    replies.queue_reply(ticket, officer, X_REPLY)
    return ticket, officer


def _other_agency_ticket() -> Ticket:
    other = gen_agency(code="OTH")
    ticket = gen_ticket(
        other,
        gen_unit(other),
        complainant=gen_complainant(other, phone="+60133336789", name="Orang Lain"),
        description="Aduan agensi lain: jalan berlubang.",
    )
    status_lookup.set_contact_check(ticket, "6789")
    db.session.commit()
    return ticket


def _received_by(handle: str) -> list[str]:
    return list(
        db.session.scalars(
            db.select(OutboundMessage.body).where(OutboundMessage.to_handle == handle)
        )
    )


def _check_row(ticket: Ticket) -> tuple | None:
    row = db.session.get(ContactCheck, ticket.id)
    return None if row is None else (row.salt, row.digest, row.phone_digest)


def test_a_merge_never_hands_one_complainant_another_s_ticket(client):
    agency, category = setup_agency()
    target, officer = _counter_ticket_of_x(agency)
    elsewhere = _other_agency_ticket()
    client.post("/aduan/baru", data=complaint(csrf(client), category, name="Siti"))
    duplicate = db.session.scalar(
        db.select(Ticket).where(Ticket.origin_channel == "web", Ticket.agency_id == agency.id)
    )
    own_check = _check_row(target)  # X's own answer from the counter slip, if any
    merging.merge(duplicate, target, officer)
    db.session.commit()

    token = csrf(client, "/semak")
    assert _check(client, token, duplicate.reference, "6789").status_code == 302
    page = client.get("/semak/status").get_data(as_text=True)
    assert duplicate.reference in page and TOGETHER in page
    assert _reply(client, token, "Ada gambar baharu.").status_code == 302
    page = client.get("/semak/status").get_data(as_text=True)
    assert duplicate.reference in page and "Ada gambar baharu." in page  # Y's own reply
    for secret in (X_NAME, X_MYKAD, "longkang", target.reference, elsewhere.reference):
        assert secret not in page

    db.session.expire_all()
    reply = db.session.scalar(db.select(Message).where(Message.body == "Ada gambar baharu."))
    assert reply.ticket_id == target.id and reply.sender == "+60123456789"  # Y's, on X's
    attributed = db.session.scalar(
        db.select(TicketEvent).where(
            TicketEvent.ticket_id == target.id, TicketEvent.kind == "merged_reply"
        )
    )
    assert attributed.data["from_reference"] == duplicate.reference
    assert attributed.data["complainant_id"] == duplicate.complainant_id
    assert _check_row(target) == own_check  # no verification copied across
    x_view = status_lookup.public_status(db.session.get(Ticket, target.id))
    assert "Ada gambar baharu." not in str(x_view)  # nor Y's words shown to X

    client.post("/semak/keluar", data={"csrf_token": token})
    refused = _check(client, token, target.reference, "6789")
    assert refused.status_code == 200 and WRONG in refused.get_data(as_text=True)
    assert client.get("/semak/status").status_code == 302
    received = " ".join(_received_by("+60123456789"))
    assert duplicate.reference in received  # Y's acknowledgement
    for secret in (X_NAME, X_MYKAD, target.reference, elsewhere.reference):
        assert secret not in received
    assert X_REPLY in _received_by("+60191112222")  # X got their reply, on their channel


def test_a_merge_of_anonymous_complaints_shares_nothing(client):
    _, category = setup_agency()
    other = gen_agency(code="OTH")
    gen_ticket(other, gen_unit(other), description="Agensi lain: RAHSIA lain.")
    anonymous = {"name": "", "phone": "", "email": ""}
    pins = []
    for description in ("Pokok tumbang di Jalan Mawar, RAHSIA.", "Pokok tumbang, Jalan Mawar."):
        data = complaint(csrf(client), category, description=description, **anonymous)
        html = client.post("/aduan/baru", data=data).get_data(as_text=True)
        pins.append(re.search(r"<strong data-pin>(\d+)</strong>", html).group(1))
    first, second = db.session.scalars(
        db.select(Ticket).where(Ticket.agency_id != other.id).order_by(Ticket.id)
    ).all()
    merging.merge(second, first, None)
    db.session.commit()
    token = csrf(client, "/semak")
    assert _check(client, token, second.reference, pins[1]).status_code == 302
    assert _reply(client, token, "Gambar dilampirkan.").status_code == 302
    page = client.get("/semak/status").get_data(as_text=True)
    assert TOGETHER in page and "Gambar dilampirkan." in page
    assert first.reference not in page and "RAHSIA" not in page
    client.post("/semak/keluar", data={"csrf_token": token})
    refused = _check(client, token, first.reference, pins[1])
    assert refused.status_code == 200 and WRONG in refused.get_data(as_text=True)
