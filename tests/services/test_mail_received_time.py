"""A ticket's received time is when Aduan received the mail, never the sender's ``Date:``:
an e-mail dated 2001 or 2035, polled from a real Dovecot, gets this year's reference, deadlines
from now, and an acknowledgement that promises dates from now."""

from __future__ import annotations

import datetime as dt

import pytest

from aduan.extensions import db
from aduan.models import Ticket, TicketEvent
from aduan.models.base import utcnow
from aduan.services.outbox.texts import format_local
from aduan.services.sla.clock import local_zone
from tests.services.mail_desk import DESK_ADDRESS, outbound

pytest_plugins = ["tests.channels.conftest_email", "tests.services.conftest_mail_desk"]
pytestmark = pytest.mark.timeout(900)


def dated(tag: str, date: str) -> bytes:
    return (
        f"From: Warga {tag} <warga.{tag}@example.my>\r\nTo: {DESK_ADDRESS}\r\n"
        f"Subject: Lampu jalan padam {tag}\r\nMessage-ID: <{tag}@example.my>\r\n"
        f"Date: {date}\r\n\r\nLampu jalan di lorong 5 padam sejak minggu lepas.\r\n"
    ).encode()


@pytest.mark.parametrize(
    "date",
    ["Mon, 01 Jan 2001 09:00:00 +0800", "Fri, 02 Feb 2035 09:00:00 +0800"],
    ids=["2001", "2035"],
)
def test_the_senders_date_sets_neither_the_reference_nor_the_deadlines(mail_desk, date):
    before = utcnow()
    mail_desk.deliver(dated("clock", date))
    after = utcnow()

    ticket = db.session.scalar(db.select(Ticket))
    assert before - dt.timedelta(seconds=5) <= ticket.received_at <= after
    this_year = after.astimezone(local_zone()).year
    assert ticket.reference.startswith(f"ADU-{this_year}-")
    assert after < ticket.acknowledge_due_at < after + dt.timedelta(days=10)
    assert after < ticket.resolve_due_at < after + dt.timedelta(days=40)

    # The complainant was promised dates from our clock.
    (ack,) = outbound("acknowledgement")
    assert ack.state == "sent"
    assert format_local(ticket.resolve_due_at, "ms") in ack.body
    claimed_year = date.split()[3]
    assert claimed_year not in ack.body and claimed_year not in ticket.reference
    (mailed,) = mail_desk.sent()
    assert ticket.reference in mailed.get_content()

    # What the sender's Date: said is kept on the timeline, as information.
    note = db.session.scalar(db.select(TicketEvent).where(TicketEvent.kind == "sender_clock"))
    assert note is not None and note.data["claimed"].startswith(claimed_year)
