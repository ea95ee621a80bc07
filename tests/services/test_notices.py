"""Where notices to the complainant go: the channel that carries replies for the ticket's own."""

from __future__ import annotations

from aduan.services.outbox.notices import contact_for
from tests.builders import gen_complainant, gen_ticket

PHONE = "+60123456789"
EMAIL = "siti@example.my"


def test_a_notice_on_a_voicemail_ticket_goes_by_sms_to_the_callers_phone(agency):
    ticket = gen_ticket(
        agency, origin_channel="voice", complainant=gen_complainant(agency, phone=PHONE)
    )
    assert contact_for(ticket) == ("sms", PHONE)


def test_a_notice_on_a_telephone_entry_goes_by_email_else_sms(agency):
    both = gen_complainant(agency, phone=PHONE, email=EMAIL)
    assert contact_for(gen_ticket(agency, origin_channel="phone", complainant=both)) == (
        "email",
        EMAIL,
    )
    phone_only = gen_complainant(agency, phone="+60198765432")
    assert contact_for(gen_ticket(agency, origin_channel="phone", complainant=phone_only)) == (
        "sms",
        "+60198765432",
    )


def test_a_notice_on_an_sms_ticket_goes_back_on_sms(agency):
    ticket = gen_ticket(
        agency, origin_channel="sms", complainant=gen_complainant(agency, phone=PHONE, email=EMAIL)
    )
    assert contact_for(ticket) == ("sms", PHONE)
