"""Mail hygiene end to end, each message through a real Dovecot mailbox and the real poll:
auto-replies, bounces, list mail and our own mail never open, re-open or resume a ticket nor
get an acknowledgement (they are noted on their ticket or quarantined with the reason); our
mail says it is automatic; a header with an encoded CR/LF cannot stop an officer's reply; any
failed send is recorded; a 200-deep MIME tree still gives its text."""

from __future__ import annotations

import base64
import sys

import pytest

from aduan.extensions import db
from aduan.models import (
    Complainant,
    InboundEvent,
    Message,
    OutboundMessage,
    Ticket,
    TicketEvent,
)
from aduan.models.routing import Notification
from aduan.services.channel_config.accounts import save_account
from aduan.services.outbox import replies
from aduan.services.tickets import workflow
from tests.builders import gen_officer
from tests.services.mail_desk import DESK_ADDRESS, outbound, run_jobs

pytest_plugins = ["tests.channels.conftest_email", "tests.services.conftest_mail_desk"]
pytestmark = pytest.mark.timeout(900)

CITIZEN = "siti@example.my"


def mail(*headers: str, body: str = "Longkang tersumbat di Jalan Mawar 3.") -> bytes:
    lines = [*headers, "MIME-Version: 1.0", "Content-Type: text/plain; charset=utf-8", "", body]
    return ("\r\n".join(lines) + "\r\n").encode()


def complaint(tag: str = "first", subject: str = "Longkang tersumbat") -> bytes:
    return mail(
        f"From: Siti <{CITIZEN}>",
        f"To: {DESK_ADDRESS}",
        f"Subject: {subject}",
        f"Message-ID: <{tag}@example.my>",
        "Date: Mon, 16 Nov 2026 10:00:00 +0800",
    )


def filed(desk) -> tuple[Ticket, OutboundMessage]:
    """Siti's complaint, filed and acknowledged by e-mail."""
    desk.deliver(complaint())
    ticket = db.session.scalar(db.select(Ticket))
    (ack,) = outbound("acknowledgement")
    assert ack.state == "sent"
    return ticket, ack


def counts() -> tuple[int, int, int]:
    """(tickets, outbound messages, inbound messages)"""
    tickets = db.session.scalar(db.select(db.func.count(Ticket.id)))
    sent = db.session.scalar(db.select(db.func.count(OutboundMessage.id)))
    received = db.select(db.func.count(Message.id)).where(Message.direction == "in")
    return tickets, sent, db.session.scalar(received)


def noted(ticket: Ticket) -> list[dict]:
    rows = db.session.scalars(
        db.select(TicketEvent.data).where(
            TicketEvent.ticket_id == ticket.id, TicketEvent.kind == "automatic_mail"
        )
    )
    return list(rows)


def quarantined() -> list[InboundEvent]:
    query = db.select(InboundEvent).where(InboundEvent.quarantined_at.is_not(None))
    return list(db.session.scalars(query))


def test_our_mail_says_whether_a_person_wrote_it(mail_desk):
    ticket, _ = filed(mail_desk)
    replies.queue_reply(ticket, gen_officer(mail_desk.agency), "Kontraktor datang esok.")
    run_jobs()
    ack, reply = mail_desk.sent()
    assert ack["Auto-Submitted"] == "auto-replied" and ack["X-Aduan"] == "1"
    assert reply["Auto-Submitted"] == "no" and reply["X-Aduan"] == "1"


OUT_OF_OFFICE_HEADERS = ("Auto-Submitted: auto-replied", "X-Autoreply: yes")


@pytest.mark.parametrize(
    ("status", "headers"),
    [("selesai", OUT_OF_OFFICE_HEADERS), ("menunggu_pengadu", ())],
    ids=["resolved-by-headers", "waiting-by-subject-only"],
)
def test_an_out_of_office_neither_reopens_nor_resumes(mail_desk, status, headers):
    ticket, ack = filed(mail_desk)
    workflow.change_status(ticket, "dalam_tindakan")
    workflow.change_status(ticket, status)
    workflow.commit()
    before = counts()

    away = mail(
        f"From: Siti <{CITIZEN}>",
        f"To: {DESK_ADDRESS}",
        f"Subject: Automatic reply: {ack.subject}",
        "Message-ID: <away@example.my>",
        f"In-Reply-To: {ack.email_message_id}",
        f"References: {ack.email_message_id}",
        *headers,
        body="Saya bercuti sehingga 30 November.",
    )
    mail_desk.deliver(away)

    db.session.refresh(ticket)
    assert ticket.status == status  # not re-opened, not resumed
    assert counts() == before  # no ticket, no acknowledgement, no complainant's message
    # The citizen got the acknowledgement and the notice of the officer's own change (waiting
    # for them), and nothing in answer to the out-of-office.
    told = ["acknowledgement", *(["waiting"] if status == "menunggu_pengadu" else [])]
    assert [row.purpose for row in outbound()] == told
    assert len(mail_desk.sent()) == len(told)
    (note,) = noted(ticket)
    assert note["kind"] == "auto_reply" and "bercuti" in note["excerpt"]


def test_auto_submitted_mail_from_a_new_sender_opens_nothing(mail_desk):
    mail_desk.deliver(
        mail(
            "From: Sistem Tempahan <noreply@tempahan.example.my>",
            f"To: {DESK_ADDRESS}",
            "Subject: Pengesahan tempahan anda",
            "Message-ID: <booking@tempahan.example.my>",
            "Auto-Submitted: auto-generated",
            body="Tempahan anda telah disahkan.",
        )
    )
    assert counts() == (0, 0, 0) and mail_desk.sent() == []
    assert db.session.scalar(db.select(db.func.count(Complainant.id))) == 0
    (event,) = quarantined()
    assert "Auto-Submitted: auto-generated" in event.error


def test_a_mailer_daemon_bounce_fails_our_message_and_opens_nothing(mail_desk):
    ticket, ack = filed(mail_desk)
    before = counts()
    bounce = mail(
        "From: Mail Delivery Subsystem <MAILER-DAEMON@mx.example.my>",
        f"To: {DESK_ADDRESS}",
        "Subject: Undelivered Mail Returned to Sender",
        "Message-ID: <bounce-1@mx.example.my>",
        body=(
            "This is the mail system at host mx.example.my.\r\n\r\n"
            f"<{CITIZEN}>: host mx.example.my said: 550 5.1.1 User unknown\r\n\r\n"
            "------ Original message headers ------\r\n"
            f"From: Aduan JKR <{DESK_ADDRESS}>\r\n"
            f"Message-ID: {ack.email_message_id}\r\n"
            f"Subject: {ack.subject}"
        ),
    )
    mail_desk.deliver(bounce)
    assert counts() == before and len(mail_desk.sent()) == 1
    (note,) = noted(ticket)
    assert note["kind"] == "bounce"
    db.session.refresh(ack)
    assert ack.state == "failed" and "550 5.1.1" in ack.error
    failed = db.select(TicketEvent).where(TicketEvent.kind == "delivery_failed")
    assert db.session.scalar(failed).data["outbound_id"] == ack.id


def test_a_list_digest_opens_nothing_and_is_quarantined(mail_desk):
    digest = mail(
        "From: Buletin Perbandaran <buletin@senarai.example.my>",
        f"To: {DESK_ADDRESS}",
        "Subject: Buletin mingguan, Jilid 12 Isu 4",
        "Message-ID: <digest-12-4@senarai.example.my>",
        "List-Id: Buletin Perbandaran <buletin.senarai.example.my>",
        "List-Unsubscribe: <mailto:leave@senarai.example.my>",
        "Precedence: list",
        body="Ringkasan mesej minggu ini: 1. Jalan berlubang di Taman Jaya ...",
    )
    mail_desk.deliver(digest)
    assert counts() == (0, 0, 0) and mail_desk.sent() == []
    (event,) = quarantined()
    assert "list" in event.error


def test_our_own_acknowledgement_looped_back_is_only_noted(mail_desk):
    ticket, _ = filed(mail_desk)
    before = counts()
    (envelope,) = mail_desk.smtp.handler.received
    mail_desk.deliver(envelope.original_content)  # a forwarding rule sent it back to us
    assert counts() == before and len(mail_desk.sent()) == 1
    (note,) = noted(ticket)
    assert note["kind"] == "own"


def test_an_encoded_newline_in_a_subject_cannot_stop_the_officers_reply(mail_desk):
    evil = "Longkang\r\nBcc: semua@example.my\r\nX-Injected: ya"
    encoded = "=?utf-8?b?" + base64.b64encode(evil.encode()).decode() + "?="
    mail_desk.deliver(complaint("crlf", subject=encoded))
    ticket = db.session.scalar(db.select(Ticket))
    assert "\n" not in ticket.subject and "\r" not in ticket.subject
    stored = db.session.scalar(db.select(Message).where(Message.direction == "in"))
    assert stored.subject == "Longkang Bcc: semua@example.my X-Injected: ya"

    row = replies.queue_reply(ticket, gen_officer(mail_desk.agency), "Kami akan periksa esok.")
    run_jobs()
    db.session.refresh(row)
    assert row.state == "sent" and row.error is None
    ack, reply = mail_desk.sent()
    assert reply["To"] == CITIZEN and "Kami akan periksa esok." in reply.get_content()
    assert reply["X-Injected"] is None and reply["Bcc"] is None
    assert reply["Subject"].startswith(f"[{ticket.reference}] Re: Longkang")


def test_a_send_that_raises_anything_is_recorded_for_the_officer(mail_desk):
    ticket, _ = filed(mail_desk)
    officer = gen_officer(mail_desk.agency)
    ticket.assignee_id = officer.id
    broken = {"mail_from": "Aduan JKR <aduan@jkr.gov.my>\nBcc: x@example.my"}  # a pasted newline
    save_account(mail_desk.agency, "email", broken, key="jkr")
    db.session.commit()

    row = replies.queue_reply(ticket, officer, "Kontraktor datang esok.")
    run_jobs()
    db.session.refresh(row)
    assert row.state == "failed" and row.error.startswith("ValueError")
    event = db.session.scalar(db.select(TicketEvent).where(TicketEvent.kind == "delivery_failed"))
    assert event.data["outbound_id"] == row.id
    note = db.session.scalar(db.select(Notification).where(Notification.officer_id == officer.id))
    assert note.kind == "delivery_failed" and ticket.reference in note.title_en
    assert len(mail_desk.sent()) == 1  # only the acknowledgement left


def deep_mail(depth: int) -> bytes:
    head = (
        f"From: Siti <{CITIZEN}>\r\nTo: {DESK_ADDRESS}\r\nSubject: Paip pecah\r\n"
        "Message-ID: <deep@example.my>\r\nMIME-Version: 1.0\r\n"
    )
    opening = "".join(
        f'Content-Type: multipart/mixed; boundary="b{i}"\r\n\r\n--b{i}\r\n' for i in range(depth)
    )
    leaf = "Content-Type: text/plain; charset=utf-8\r\n\r\nPaip air pecah di Jalan Dalam 2.\r\n"
    closing = "".join(f"\r\n--b{i}--\r\n" for i in reversed(range(depth)))
    return (head + opening + leaf + closing).encode()


def test_a_200_deep_mime_tree_keeps_its_text_and_notes_the_truncation(mail_desk):
    assert sys.getrecursionlimit() >= 1000
    mail_desk.deliver(deep_mail(200))
    ticket = db.session.scalar(db.select(Ticket))
    assert "Paip air pecah di Jalan Dalam 2." in ticket.description
    cut = db.session.scalar(db.select(TicketEvent).where(TicketEvent.kind == "mail_truncated"))
    assert cut is not None and cut.ticket_id == ticket.id
    (ack,) = outbound("acknowledgement")
    assert ack.state == "sent"
