"""What the officer sees on the ticket page when a channel did not carry their reply as is:
a WhatsApp reply held outside the 24-hour window, and the template sent in its place."""

import datetime as dt

from aduan.extensions import db
from aduan.models import Message, OutboundMessage, Ticket
from aduan.models.base import utcnow
from aduan.services.outbox import delivery as outbound
from tests.builders import gen_complainant, gen_officer, gen_ticket, gen_unit
from tests.web.inbox.helpers import csrf, signed_in

NOTICE_SID = "HX" + "5" * 32


def whatsapp_ticket_quiet_for_a_day() -> tuple[Ticket, object]:
    from tests.builders import gen_agency

    agency = gen_agency()
    agency.settings = {**agency.settings, "whatsapp_notice_template": NOTICE_SID}
    unit = gen_unit(agency)
    person = gen_complainant(agency, phone="+60123456789", name="Aminah")
    ticket = gen_ticket(agency, unit, origin_channel="whatsapp", complainant=person)
    db.session.add(
        Message(ticket_id=ticket.id, direction="in", channel="whatsapp", sender="+60123456789",
                body="Sampah tidak dikutip.", created_at=utcnow() - dt.timedelta(hours=30))
    )  # fmt: skip
    officer = gen_officer(agency, [unit])
    db.session.commit()
    return ticket, officer


def reply_on_whatsapp(client, db, ticket, officer) -> str:
    """The officer replies on WhatsApp and the send job runs (the window is closed): the
    ticket page's path."""
    signed_in(client, officer)
    path = f"/inbox/tickets/{ticket.reference}"
    form = {"csrf_token": csrf(client, path), "version": str(ticket.version)}
    form.update(body="Pasukan kami akan datang esok.", channel="whatsapp")
    assert client.post(f"{path}/reply", data=form).status_code == 303
    reply = db.session.scalar(db.select(OutboundMessage).where(OutboundMessage.purpose == "reply"))
    outbound.deliver(reply.id)
    return path


def test_a_held_reply_and_the_template_sent_instead_show_in_the_timeline(client, db):
    ticket, officer = whatsapp_ticket_quiet_for_a_day()
    path = reply_on_whatsapp(client, db, ticket, officer)

    html = client.get(f"{path}?lang=en").get_data(as_text=True)
    assert "Pasukan kami akan datang esok." in html
    assert "Held until the complainant writes" in html
    assert "Held: outside the WhatsApp 24-hour window" in html
    assert f"WhatsApp template {NOTICE_SID} sent instead" in html
    assert f"semak?ref={ticket.reference}" in html

    html = client.get(f"{path}?lang=ms").get_data(as_text=True)
    assert "Ditahan hingga pengadu menulis" in html
    assert f"Templat WhatsApp {NOTICE_SID} dihantar sebagai ganti" in html


def test_a_follow_up_ticket_links_to_the_finished_one(client, db):
    from aduan.services.intake import placement as threading
    from aduan.services.tickets import workflow

    ticket, officer = whatsapp_ticket_quiet_for_a_day()
    old = gen_ticket(ticket.agency, ticket.unit, complainant=ticket.complainant)
    threading.link_follow_up(old, ticket)
    workflow.commit()
    signed_in(client, officer)
    html = client.get(f"/inbox/tickets/{ticket.reference}?lang=en").get_data(as_text=True)
    assert "Follows up a finished ticket" in html
    assert f'href="/inbox/tickets/{old.reference}"' in html


def test_an_expired_held_reply_tells_the_officer_to_use_another_channel(client, db):
    from aduan.services.outbox import whatsapp_window

    ticket, officer = whatsapp_ticket_quiet_for_a_day()
    path = reply_on_whatsapp(client, db, ticket, officer)
    assert whatsapp_window.expire_held(utcnow() + dt.timedelta(days=4)) == 1

    html = client.get(f"{path}?lang=en").get_data(as_text=True)
    assert "Pasukan kami akan datang esok." in html  # the text stays readable
    assert "Expired: never sent on WhatsApp" in html
    assert "Held message expired: it never reached WhatsApp, use another channel" in html
    html = client.get(f"{path}?lang=ms").get_data(as_text=True)
    assert "Tamat tempoh: tidak dihantar melalui WhatsApp" in html
    assert "Mesej ditahan tamat tempoh" in html
